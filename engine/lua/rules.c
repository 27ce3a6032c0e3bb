/*
** rules.c -- a loaded rule set: the sandbox that ran it, its declarations (dsl.h) and
** evaluation (eval.h); see rules.h. Also the two hooks lkpi.h asks the DSL for:
** l_source_table and l_source_name.
**
** Limits: loading the rule set and each evaluation are separate runs, each with the
** full instruction budget and time limit (sandbox_begin). Once a run hit a limit, the
** state may be in the middle of anything, so the rule set refuses further evaluations
** with the same error.
*/
#include "rules.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "dsl.h"
#include "eval.h"
#include "lkpi.h"
#include "sandbox.h"

struct rules {
    sandbox *sb;
    dsl *d;
    int broken; /* a limit was hit: the state cannot be trusted */
    kpi_error broken_err;
};

void rules_options_init(rules_options *o)
{
    memset(o, 0, sizeof *o);
}

/* ---- the hooks of lkpi.h -------------------------------------------------------------- */

const table *l_source_table(lua_State *L, int source_id)
{
    dsl *d = sandbox_user(L);
    kpi_error e;
    const table *t = dsl_source_table(L, d, source_id, &e);
    if (t) return t;
    if (!d->has_source_error) { /* the run ends with this error, whatever the script does */
        d->has_source_error = 1;
        d->source_error = e;
    }
    char text[1200];
    luaL_error(L, "%s", kpi_error_format(&e, text, sizeof text));
    return NULL;
}

const char *l_source_name(lua_State *L, int source_id)
{
    const dsl *d = sandbox_user(L);
    if (source_id < 1 || (size_t)source_id > d->nsources) return "?";
    return d->sources[source_id - 1]->name;
}

/* ---- opening -------------------------------------------------------------------------- */

void rules_close(rules *r)
{
    if (!r) return;
    sandbox_free(r->sb); /* first: userdata finalizers may still look at sources */
    dsl_free(r->d);
    kpi_free(r);
}

/* The error of a failed protected call while loading. */
static void load_error(rules *r, int status, kpi_error *err)
{
    if (r->d->has_source_error)
        *err = r->d->source_error;
    else
        sandbox_error(r->sb, status, NULL, r->d->file, 0, err);
}

static int run_file(rules *r, kpi_error *err)
{
    lua_State *L = sandbox_lua(r->sb);
    int base = lua_gettop(L);
    sandbox_begin(r->sb);
    lua_pushcfunction(L, sandbox_msghandler);
    lua_pushcfunction(L, dsl_run);
    sandbox_clear_error(r->sb);
    int status = lua_pcall(L, 0, 0, base + 1);
    sandbox_end(r->sb);
    if (status != LUA_OK) {
        load_error(r, status, err);
        return -1;
    }
    lua_settop(L, base);
    if (r->d->has_source_error) { /* the script caught it with pcall: still an error */
        *err = r->d->source_error;
        return -1;
    }
    return dsl_check(r->d, err);
}

rules *rules_open(const char *path, const rules_options *o, kpi_error *err)
{
    kpi_error_clear(err);
    rules_options defaults;
    if (!o) {
        rules_options_init(&defaults);
        o = &defaults;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        kpi_error_set(err, KPI_EIO, path, 0, 0, "cannot read the rule set: %s", strerror(errno));
        return NULL;
    }
    fclose(f);
    rules *r = kpi_calloc(1, sizeof *r);
    if (!r) {
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    sandbox_limits limits = {o->max_instructions, o->max_memory, o->timeout_seconds};
    if (!(r->d = dsl_new(path, o->data_dir, err)) ||
        !(r->sb = sandbox_new(&limits, o->verbose, err))) {
        rules_close(r);
        return NULL;
    }
    sandbox_set_user(r->sb, r->d);
    if (run_file(r, err) != 0) {
        rules_close(r);
        return NULL;
    }
    return r;
}

/* ---- periods and evaluation ------------------------------------------------------------- */

/* The last day in t's time column, or INT32_MIN when it holds none. */
static int32_t last_day(const table *t)
{
    const column *c = &t->cols[t->time_col];
    size_t from = t->time_sorted && t->nrows > 0 ? t->nrows - 1 : 0;
    int32_t last = INT32_MIN;
    for (size_t i = from; i < t->nrows; i++) {
        if (!column_is_valid(c, i)) continue;
        int32_t day = c->type == COL_DATE ? c->v.date[i] : date_of_timestamp(c->v.i64[i]);
        if (day > last) last = day;
    }
    return last;
}

int rules_default_period(rules *r, period *p, kpi_error *err)
{
    int timed = 0;
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < r->d->nsources; i++) {
        if (!r->d->sources[i]->time) continue;
        const table *t = dsl_source_table(NULL, r->d, (int)i + 1, err);
        if (!t) return -1;
        timed = 1;
        int32_t day = last_day(t);
        if (day > last) last = day;
    }
    if (!timed)
        return kpi_error_set(err, KPI_EUSAGE, r->d->file, 0, 0,
                             "no source declares a time column, so there is no default period "
                             "(give one with --period)");
    if (last == INT32_MIN)
        return kpi_error_set(err, KPI_EDATA, r->d->file, 0, 0,
                             "the sources' time columns hold no dates, so there is no default "
                             "period (give one with --period)");
    *p = period_latest_complete(r->d->grain, last);
    return 0;
}

int rules_evaluate(rules *r, period p, report *out, kpi_error *err)
{
    memset(out, 0, sizeof *out);
    if (r->broken) {
        *err = r->broken_err;
        return -1;
    }
    sandbox_begin(r->sb);
    int rc = eval_report(sandbox_lua(r->sb), r->d, p, out, err);
    sandbox_end(r->sb);
    if (rc != 0 && sandbox_tripped(r->sb) != SANDBOX_OK) {
        r->broken = 1;
        r->broken_err = *err;
    }
    return rc;
}
