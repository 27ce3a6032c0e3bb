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
#include "core/colcache_queue.h"
#include "core/kpi_alloc.h"
#include "dsl.h"
#include "eval.h"
#include "lkpi.h"
#include "sandbox.h"
#include "suggest.h"

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

void l_source_column(lua_State *L, int source_id, int col)
{
    dsl *d = sandbox_user(L);
    kpi_error e;
    if (dsl_source_column(L, d, source_id, col, &e) == 0) return;
    if (!d->has_source_error) {
        d->has_source_error = 1;
        d->source_error = e;
    }
    char text[1200];
    luaL_error(L, "%s", kpi_error_format(&e, text, sizeof text));
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
    r->d->progress = o->progress;
    r->d->progress_arg = o->progress_arg;
    r->d->cache_verify = o->cache_verify;
    if (o->cache_dir && !(r->d->cache_dir = kpi_strdup(o->cache_dir))) {
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        rules_close(r);
        return NULL;
    }
    if (o->cache_dir) r->d->cache_queue = colcache_queue_new(); /* NULL: saves wait instead */
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
    dsl_prefetch(r->d);
    int timed = 0, failed = 0;
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < r->d->nsources && !failed; i++) {
        if (!r->d->sources[i]->time) continue;
        const table *t = dsl_source_table(NULL, r->d, (int)i + 1, err);
        if (!t) {
            failed = 1;
            continue;
        }
        timed = 1;
        int32_t day = last_day(t);
        if (day > last) last = day;
    }
    dsl_prefetch_wait(r->d); /* the caller may read the sources' tables next */
    if (failed) return -1;
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

/* The sources whose bad rows a load left out, into the report. -1 when out of memory. */
static int note_rejected(const dsl *d, report *out)
{
    for (size_t i = 0; i < d->nsources; i++) {
        const dsl_source *s = d->sources[i];
        if (!s->t || s->rejects.count == 0) continue;
        report_rejected *more = kpi_realloc(out->rejected, (out->nrejected + 1) * sizeof *more);
        if (!more) return -1;
        out->rejected = more;
        report_rejected *rj = &more[out->nrejected++];
        rj->source = kpi_strdup(s->name);
        rj->file = kpi_strdup(s->path);
        rj->rows = s->rejects.count;
        if (!rj->source || !rj->file) return -1;
    }
    return 0;
}

int rules_evaluate(rules *r, period p, report *out, kpi_error *err)
{
    memset(out, 0, sizeof *out);
    if (r->broken) {
        *err = r->broken_err;
        return -1;
    }
    dsl_prefetch(r->d);
    sandbox_begin(r->sb);
    int rc = eval_report(sandbox_lua(r->sb), r->d, p, out, err);
    sandbox_end(r->sb);
    dsl_prefetch_wait(r->d); /* note_rejected and the callers read the sources' tables */
    if (rc == 0 && note_rejected(r->d, out)) {
        report_free(out);
        rc = kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc != 0 && sandbox_tripped(r->sb) != SANDBOX_OK) {
        r->broken = 1;
        r->broken_err = *err;
    }
    return rc;
}

/* ---- declarations for the command line -------------------------------------------------- */

struct dsl *rules_dsl(rules *r)
{
    return r->d;
}

struct lua_State *rules_lua(rules *r)
{
    return sandbox_lua(r->sb);
}

const char *rules_name(const rules *r)
{
    return r->d->name ? r->d->name : "";
}

period_grain rules_grain(const rules *r)
{
    return r->d->grain;
}

const char *rules_currency(const rules *r)
{
    return r->d->currency ? r->d->currency : "";
}

size_t rules_kpi_count(const rules *r)
{
    return r->d->nkpis;
}

const char *rules_kpi_id(const rules *r, size_t i)
{
    return i < r->d->nkpis ? r->d->kpis[i]->id : NULL;
}

const char *rules_kpi_due(const rules *r, size_t i)
{
    return i < r->d->nkpis ? r->d->kpis[i]->due : NULL;
}

int rules_kpi_find(const rules *r, const char *id, const char **hint)
{
    suggest s;
    suggest_init(&s, id);
    for (size_t i = 0; i < r->d->nkpis; i++) {
        if (strcmp(r->d->kpis[i]->id, id) == 0) return (int)i;
        suggest_add(&s, r->d->kpis[i]->id);
    }
    if (hint) *hint = suggest_result(&s);
    return -1;
}

size_t rules_review_count(const rules *r)
{
    return r->d->nreviews;
}

void rules_review_get(const rules *r, size_t i, rules_review *out)
{
    const dsl_review *v = r->d->reviews[i];
    memset(out, 0, sizeof *out);
    out->name = v->name;
    out->title = v->title;
    out->is_campaigns = v->campaigns != NULL;
    out->campaigns = v->campaigns;
    out->before = (int)v->before;
    out->after = (int)v->after;
    out->file = v->file;
    out->line = v->line;
    /* every was checked to be a grain when the rule set loaded */
    if (!v->campaigns && period_grain_parse(v->every, &out->schedule.every) != 0)
        out->schedule.every = GRAIN_MONTH;
    out->schedule.day = (int)v->day;
    out->schedule.business = v->business;
}

int rules_review_find(const rules *r, const char *name, rules_review *out, const char **hint)
{
    suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < r->d->nreviews; i++) {
        if (strcmp(r->d->reviews[i]->name, name) == 0) {
            rules_review_get(r, i, out);
            return 0;
        }
        suggest_add(&s, r->d->reviews[i]->name);
    }
    if (hint) *hint = suggest_result(&s);
    return -1;
}

/* Whether KPI k is in review v's own kpis = {...} list. */
static int listed(const dsl_review *v, const dsl_kpi *k)
{
    for (size_t j = 0; j < v->nkpis; j++)
        if (strcmp(v->kpis[j], k->id) == 0) return 1;
    return 0;
}

size_t rules_review_kpis(const rules *r, const char *name, size_t *idx)
{
    const dsl *d = r->d;
    const dsl_review *v = NULL;
    for (size_t i = 0; i < d->nreviews && !v; i++)
        if (strcmp(d->reviews[i]->name, name) == 0) v = d->reviews[i];
    size_t n = 0;
    if (v && v->nkpis > 0) {
        for (size_t i = 0; i < d->nkpis; i++)
            if (listed(v, d->kpis[i])) idx[n++] = i;
        return n;
    }
    for (size_t i = 0; i < d->nkpis; i++)
        if (d->kpis[i]->review && strcmp(d->kpis[i]->review, name) == 0) idx[n++] = i;
    if (n > 0) return n;
    for (size_t i = 0; i < d->nkpis; i++)
        idx[n++] = i;
    return n;
}

const char *rules_source_path(const rules *r, const char *name)
{
    for (size_t i = 0; i < r->d->nsources; i++)
        if (strcmp(r->d->sources[i]->name, name) == 0) return r->d->sources[i]->path;
    return NULL;
}

const table *rules_source_table(rules *r, const char *name, kpi_error *err)
{
    for (size_t i = 0; i < r->d->nsources; i++) {
        if (strcmp(r->d->sources[i]->name, name) != 0) continue;
        const table *t = dsl_source_table(NULL, r->d, (int)i + 1, err);
        for (size_t c = 0; t && c < t->ncols; c++) /* the caller may read any column */
            if (dsl_source_column(NULL, r->d, (int)i + 1, (int)c, err)) return NULL;
        return t;
    }
    kpi_error_set(err, KPI_EUSAGE, r->d->file, 0, 0, "no source is called '%s'", name);
    return NULL;
}
