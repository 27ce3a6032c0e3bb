/*
** run_store.c -- the results store as `kpiengine run` uses it; see run.h.
**
** The store is opened after evaluating (a run that fails to evaluate never touches
** it) and written before the report, in one transaction per run. Any failure is a
** data error (exit 4) whose message names the store and how to run without it.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "run.h"

/* The hint after a store error: the run can go on without the store, or elsewhere. */
static int store_error(const kpi_error *err)
{
    int rc = engine_error(err);
    fputs("kpiengine: the results were not saved (use --no-save to run without the store, or "
          "--db FILE to keep it elsewhere)\n",
          stderr);
    return rc == EXIT_USAGE ? EXIT_DATA : rc;
}

int run_store_open(const run_args *a, run_store *st)
{
    memset(st, 0, sizeof *st);
    if (a->db)
        snprintf(st->path, sizeof st->path, "%s", a->db);
    else
        default_db_path(a->file, st->path, sizeof st->path);
    kpi_error err;
    kpi_error_clear(&err);
    st->save = !a->no_save;
    if (st->save) {
        st->s = store_open(st->path, &err);
        return st->s ? EXIT_DONE : store_error(&err);
    }
    struct stat sb;
    if (stat(st->path, &sb) != 0) return EXIT_DONE; /* nothing saved yet: the data alone */
    st->s = store_open_existing(st->path, &err);
    return st->s ? EXIT_DONE : engine_error(&err);
}

int run_store_previous(run_store *st, report *r)
{
    if (!st->s) return EXIT_DONE;
    kpi_error err;
    kpi_error_clear(&err);
    return store_fill_previous(st->s, r, &err) == 0 ? EXIT_DONE : engine_error(&err);
}

int run_store_history(run_store *st, report *r)
{
    if (!st->s || !st->save) return EXIT_DONE;
    kpi_error err;
    kpi_error_clear(&err);
    return store_fill_history(st->s, r, RUN_HISTORY_PERIODS, &err) == 0 ? EXIT_DONE
                                                                        : engine_error(&err);
}

int run_store_save(run_store *st, const run_args *a, const report *const *reports, size_t n)
{
    if (!st->s || !st->save) return EXIT_DONE;
    kpi_error err;
    kpi_error_clear(&err);
    char hash[STORE_HASH_HEX];
    if (store_hash_file(a->file, hash, &err) != 0) return store_error(&err);
    store_run_info info = {hash, NULL, NULL, a->review};
    long long first = 0;
    double t0 = seconds_now();
    if (store_save_runs(st->s, reports, n, &info, &first, &err) != 0) return store_error(&err);
    if (a->verbose)
        fprintf(stderr, "kpiengine: saved as run %lld%s in %s in %.1f ms\n", first,
                n > 1 ? " and on" : "", st->path, (seconds_now() - t0) * 1e3);
    return EXIT_DONE;
}

void run_store_close(run_store *st)
{
    store_close(st->s);
    st->s = NULL;
}
