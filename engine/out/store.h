/*
** store.h -- the results store (DESIGN section 5): every run's report appended to
** a SQLite database, and the history read back from it.
**
** Schema (version 2, kept in PRAGMA user_version; PRAGMA application_id marks the
** file as a kpiengine store so another program's database is never written to):
**   runs(id, ruleset, file, file_hash, currency, period_grain, period_label,
**        period_start, period_end, started, engine_version, review, as_of)
**   results(run_id -> runs.id, kpi, position, title, unit, better, period_label,
**           value, minimum, target, status, reason, breakdown)
** period_start / period_end are ISO dates, period_end the last day inside the period
** (as "end" in the JSON report). value NULL is no data; minimum / target NULL is a
** level that is not set. breakdown is NULL for a KPI without one, else the JSON array
** of the report: [{"key": ..., "value": ..., "status": ...}] (status null for an item
** that is not graded). position is the KPI's place in its report, so history lists
** KPIs in rule-set order. as_of (version 2) is NULL for a run of a whole period; for a
** period still in progress it is the last day the run counted (ISO), its values being
** values to date. A store of version 1 gets the column when it is next opened.
**
** Invariants: a run is saved in one transaction, so the store holds every result of
** a run or none of it, even when the process is killed half-way; two processes
** saving at once both land (WAL, and a writer waits up to STORE_BUSY_TIMEOUT_MS for
** the other). "The latest run" of a period is the one with the highest run id (the
** order in which runs were committed), not the `started` text, which clocks can skew;
** a run of the whole period always wins over one of the period in progress, and
** previous values come from whole periods only.
**
** Every error names the database path in err->file (line and column 0).
*/
#ifndef KPI_STORE_H
#define KPI_STORE_H

#include "core/kpi_error.h"
#include "core/period.h"
#include "model/report.h"

#define STORE_BUSY_TIMEOUT_MS 10000
#define STORE_HASH_HEX        65 /* 64 hex digits of a SHA-256 and the NUL */

typedef struct store store;

/*
** Open the store at path, creating it (and its folder, one level: ".kpiengine/") when
** missing, and bringing an older schema up to date. Returns NULL and fills err:
** KPI_EIO when the folder or file cannot be created or opened, KPI_EDATA when the
** file is not a SQLite database, is another program's database, or was written by a
** newer kpiengine. Close with store_close().
*/
store *store_open(const char *path, kpi_error *err);
/*
** The same for reading an existing store (`kpiengine history`): never creates the
** folder or the file; a missing file is KPI_EIO "no results store at ...".
*/
store *store_open_existing(const char *path, kpi_error *err);
/* Close s (NULL is fine). */
void store_close(store *s);
/* The path s was opened with (owned by s). */
const char *store_path(const store *s);

/*
** SHA-256 of the bytes of the file at path, as 64 lowercase hex digits into hex.
** Returns 0, or -1 and fills err (KPI_EIO, with the path) when it cannot be read.
*/
int store_hash_file(const char *path, char hex[STORE_HASH_HEX], kpi_error *err);

/* What a run knows besides its report; every field may be NULL. */
typedef struct store_run_info {
    const char *file_hash;      /* store_hash_file() of the rule set; NULL stores NULL */
    const char *started;        /* ISO-8601 UTC, "2024-09-01T08:30:00Z"; NULL = now */
    const char *engine_version; /* NULL = this build's version */
    const char *review;         /* the review the run was for; NULL = the report's review */
} store_run_info;

/*
** Append r as one run with one result row per KPI, in one transaction (BEGIN
** IMMEDIATE .. COMMIT): on any failure the transaction is rolled back and the store
** is as before the call. Waits up to STORE_BUSY_TIMEOUT_MS while another process
** writes. A value that is NaN or infinite is saved as no data. Returns 0 and the new
** run's id in *run_id (may be NULL), or -1 and fills err.
*/
int store_save_run(store *s, const report *r, const store_run_info *info, long long *run_id,
                   kpi_error *err);
/*
** The same for n reports (a campaign review's windows) in one transaction: all of
** them land or none does. *first_id (may be NULL) gets the first one's run id; the
** others follow it in order. Returns 0, or -1 and fills err.
*/
int store_save_runs(store *s, const report *const *reports, size_t n, const store_run_info *info,
                    long long *first_id, kpi_error *err);

/* One saved value, as store_history hands it over. Strings live until the callback returns. */
typedef struct store_history_row {
    const char *kpi;
    const char *title;
    const char *unit; /* may be "" */
    kpi_better better;
    const char *period_grain; /* "month", ...: period_grain_parse() reads it */
    const char *period_label; /* "2024-08" */
    const char *period_start; /* "2024-08-01" */
    const char *period_end;   /* "2024-08-31", the last day inside */
    int has_value;
    double value;
    double minimum, target; /* NAN when not set */
    kpi_status status;
    const char *reason; /* why there is no value; NULL when there is one */
    long long run_id;   /* the run this value comes from */
    const char *started;
    const char *as_of; /* NULL: the whole period; else the last day counted (a value to date) */
} store_history_row;

/* Called once per row; return 0 to go on, anything else to stop (store_history returns it). */
typedef int (*store_history_cb)(const store_history_row *row, void *ud);

/*
** Walk the history of rule set `ruleset` (its name, as in ruleset{ name = ... }): for
** each KPI (all when kpi is NULL) its value in each period it was run for, the latest
** run of each period winning. Only the last_n most recent periods of each KPI and
** grain are given (all when last_n <= 0). Rows come KPI by KPI, in the order of the
** newest run that has the KPI, then by grain, then by period start (oldest first).
** Returns 0 (nothing saved yet is not an error: cb is never called), the callback's
** non-zero value when it stopped the walk, or -1 and fills err.
*/
int store_history(store *s, const char *ruleset, const char *kpi, int last_n, store_history_cb cb,
                  void *ud, kpi_error *err);

/*
** The value of KPI kpi of rule set ruleset saved for the period before p (same grain;
** for a range, the range of the same length just before), from the latest run of that
** period. *has is 1 and *value set when there is one; *has is 0 when that period was
** never run or its latest run had no data for the KPI. Returns 0, or -1 and fills err.
*/
int store_previous(store *s, const char *ruleset, const char *kpi, const period *p, double *value,
                   int *has, kpi_error *err);
/* The same for period p itself: the value of its latest whole-period run. */
int store_value(store *s, const char *ruleset, const char *kpi, period p, double *value, int *has,
                kpi_error *err);

/*
** The previous values of r's KPIs from the store, where it has them: for every KPI
** whose previous period was saved with a value (store_previous() for r's rule set and
** period), previous becomes that value -- what was reported then, even when the data
** has changed since -- and change = (value - previous) / |previous| when the KPI has
** a value and previous is not 0 (a zero base has no relative change). A KPI the store
** has no value for keeps the previous value the run computed. Returns 0, or -1 and
** fills err.
*/
int store_fill_previous(store *s, report *r, kpi_error *err);
/*
** Each KPI's saved values for the n periods before r's (kpi_result.history, oldest
** first, NAN for a period without a value), leaving out the oldest periods never
** saved; a KPI with none keeps history NULL. The arrays are owned by the report.
** Returns 0, or -1 and fills err.
*/
int store_fill_history(store *s, report *r, int n, kpi_error *err);

#endif
