/*
** check.c -- the rule-set check (see check.h): the list of findings, the checks of
** the declarations once they are all loaded (cross references, levels, units), and the
** whole run: load leniently (check_load.c), check the declarations, then the data
** (check_eval.c).
**
** The check has its own sandbox and declarations rather than a rules_open()ed rule set:
** rules_open stops at the first error, and the check's purpose is to list them all.
*/
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check_impl.h"
#include "core/date.h"
#include "core/kpi_alloc.h"
#include "suggest.h"

/* ---- findings ---------------------------------------------------------------------------- */

__attribute__((format(printf, 6, 0))) static int add_finding(check_report *r, check_severity sev,
                                                             int data, const char *file, long line,
                                                             const char *fmt, va_list ap)
{
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    text[strcspn(text, "\n")] = '\0'; /* a traceback stays out of a one-line finding */
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        check_finding *grown = kpi_realloc(r->items, cap * sizeof *grown);
        if (!grown) return -1;
        r->items = grown;
        r->cap = cap;
    }
    check_finding *f = &r->items[r->n];
    f->file = kpi_strdup(file && file[0] ? file : "?");
    f->message = kpi_strdup(text);
    if (!f->file || !f->message) {
        kpi_free(f->file);
        kpi_free(f->message);
        return -1;
    }
    f->line = line > 0 ? line : 0;
    f->severity = sev;
    f->data = data;
    r->n++;
    return 0;
}

int check_add(check_report *r, check_severity sev, int data, const char *file, long line,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = add_finding(r, sev, data, file, line, fmt, ap);
    va_end(ap);
    return rc;
}

void check_note(check_ctx *c, check_severity sev, int data, const char *file, long line,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (add_finding(c->rep, sev, data, file, line, fmt, ap) != 0) c->oom = 1;
    va_end(ap);
}

void check_report_free(check_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        kpi_free(r->items[i].file);
        kpi_free(r->items[i].message);
    }
    kpi_free(r->items);
    memset(r, 0, sizeof *r);
}

static int finding_order(const check_finding *a, const check_finding *b)
{
    int by_file = strcmp(a->file, b->file);
    if (by_file) return by_file;
    return (a->line > b->line) - (a->line < b->line);
}

static int same_finding(const check_finding *a, const check_finding *b)
{
    return finding_order(a, b) == 0 && a->severity == b->severity &&
           strcmp(a->message, b->message) == 0;
}

void check_sort(check_report *r)
{
    /* insertion sort: stable, and reports are short */
    for (size_t i = 1; i < r->n; i++) {
        check_finding f = r->items[i];
        size_t j = i;
        for (; j > 0 && finding_order(&r->items[j - 1], &f) > 0; j--)
            r->items[j] = r->items[j - 1];
        r->items[j] = f;
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->n; i++) {
        int dup = 0;
        for (size_t j = 0; j < kept && !dup; j++)
            dup = same_finding(&r->items[j], &r->items[i]);
        if (dup) {
            kpi_free(r->items[i].file);
            kpi_free(r->items[i].message);
        } else {
            r->items[kept++] = r->items[i];
        }
    }
    r->n = kept;
}

size_t check_count(const check_report *r, check_severity sev)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].severity == sev;
    return n;
}

int check_has_data_error(const check_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].data && r->items[i].severity == CHECK_ERROR) return 1;
    return 0;
}

/* ---- marks -------------------------------------------------------------------------------- */

void check_mark(check_ctx *c, const char *kind, const char *name)
{
    if (check_marked(c, kind, name)) return;
    char **grown = kpi_realloc(c->marks, (c->nmarks + 1) * sizeof *grown);
    char *mark = kpi_malloc(strlen(kind) + strlen(name) + 2);
    if (!grown || !mark) {
        if (grown) c->marks = grown;
        kpi_free(mark);
        c->oom = 1;
        return;
    }
    sprintf(mark, "%s:%s", kind, name);
    c->marks = grown;
    c->marks[c->nmarks++] = mark;
}

int check_marked(const check_ctx *c, const char *kind, const char *name)
{
    size_t len = strlen(kind);
    for (size_t i = 0; i < c->nmarks; i++)
        if (strncmp(c->marks[i], kind, len) == 0 && c->marks[i][len] == ':' &&
            strcmp(c->marks[i] + len + 1, name) == 0)
            return 1;
    return 0;
}

/* ---- cross references ----------------------------------------------------------------------- */

/* " (did you mean 'x'?)" when s found a close name, else "". */
static const char *hint_of(const suggest *s, char *buf, size_t size)
{
    buf[0] = '\0';
    if (suggest_result(s)) snprintf(buf, size, " (did you mean '%s'?)", suggest_result(s));
    return buf;
}

static const char *near_review(const dsl *d, const char *word, char *buf, size_t size)
{
    suggest s;
    suggest_init(&s, word);
    for (size_t i = 0; i < d->nreviews; i++)
        suggest_add(&s, d->reviews[i]->name);
    return hint_of(&s, buf, size);
}

static const char *near_kpi(const dsl *d, const char *word, char *buf, size_t size)
{
    suggest s;
    suggest_init(&s, word);
    for (size_t i = 0; i < d->nkpis; i++)
        suggest_add(&s, d->kpis[i]->id);
    return hint_of(&s, buf, size);
}

static const char *near_source(const dsl *d, const char *word, char *buf, size_t size)
{
    suggest s;
    suggest_init(&s, word);
    for (size_t i = 0; i < d->nsources; i++)
        suggest_add(&s, d->sources[i]->name);
    return hint_of(&s, buf, size);
}

static int review_declared(const dsl *d, const char *name)
{
    for (size_t i = 0; i < d->nreviews; i++)
        if (strcmp(d->reviews[i]->name, name) == 0) return 1;
    return 0;
}

static int source_declared(const dsl *d, const char *name)
{
    for (size_t i = 0; i < d->nsources; i++)
        if (strcmp(d->sources[i]->name, name) == 0) return 1;
    return 0;
}

static void check_kpi_refs(check_ctx *c)
{
    const dsl *d = c->d;
    char hint[200];
    for (size_t i = 0; i < d->nkpis; i++) {
        const dsl_kpi *k = d->kpis[i];
        int32_t day;
        if (k->due && date_parse_iso(k->due, strlen(k->due), &day) != 0)
            check_note(c, CHECK_ERROR, 0, k->file, k->line,
                       "kpi '%s': due must be a date as \"2024-12-31\", got \"%s\"", k->id, k->due);
        if (k->review && !review_declared(d, k->review))
            check_note(c, CHECK_ERROR, 0, k->file, k->line,
                       "kpi '%s': review '%s' is not declared%s", k->id, k->review,
                       near_review(d, k->review, hint, sizeof hint));
    }
}

static void check_review_refs(check_ctx *c)
{
    const dsl *d = c->d;
    char hint[200];
    for (size_t i = 0; i < d->nreviews; i++) {
        const dsl_review *r = d->reviews[i];
        if (check_marked(c, "review", r->name)) continue;
        for (size_t j = 0; j < r->nkpis; j++)
            if (dsl_kpi_index(d, r->kpis[j]) < 0)
                check_note(c, CHECK_ERROR, 0, r->file, r->line, "review '%s': unknown kpi '%s'%s",
                           r->name, r->kpis[j], near_kpi(d, r->kpis[j], hint, sizeof hint));
        if (r->campaigns && !source_declared(d, r->campaigns))
            check_note(c, CHECK_ERROR, 0, r->file, r->line,
                       "review '%s': campaigns names no declared source '%s'%s", r->name,
                       r->campaigns, near_source(d, r->campaigns, hint, sizeof hint));
    }
}

/* ---- levels and units ------------------------------------------------------------------------ */

static const char *const known_units[] = {
    "count",   "%",     "percent", "ratio", "x",      "points", "score", "seconds",
    "minutes", "hours", "days",    "weeks", "months", "years",  "point", "second",
    "minute",  "hour",  "day",     "week",  "month",  "year",   NULL};

static int is_money(const char *unit)
{
    return strlen(unit) == 3 && unit[0] >= 'A' && unit[0] <= 'Z' && unit[1] >= 'A' &&
           unit[1] <= 'Z' && unit[2] >= 'A' && unit[2] <= 'Z';
}

/* Warn when a level of k is outside [lo, hi] for its fraction unit. */
static void check_range(check_ctx *c, const dsl_kpi *k, double lo, double hi)
{
    int low_out = k->minimum < lo || k->minimum > hi;
    int target_out = k->target < lo || k->target > hi;
    if (!low_out && !target_out) return;
    char what[120];
    if (low_out && target_out)
        snprintf(what, sizeof what, "minimum (%g) and target (%g) are", k->minimum, k->target);
    else
        snprintf(what, sizeof what, "%s (%g) is", low_out ? "minimum" : "target",
                 low_out ? k->minimum : k->target);
    check_note(c, CHECK_WARNING, 0, k->file, k->line,
               "kpi '%s': %s outside %g..%g for unit '%s' (values in this unit are fractions: "
               "0.35 is 35%%)",
               k->id, what, lo, hi, k->unit);
}

static void check_unit(check_ctx *c, const dsl_kpi *k)
{
    const char *unit = k->unit, *currency = c->d->currency;
    const char *const *u;
    for (u = known_units; *u && strcmp(*u, unit) != 0; u++)
        ;
    if (*u) {
        int levels = !check_marked(c, "levels", k->id);
        if (levels && strcmp(unit, "ratio") == 0) check_range(c, k, 0, 1);
        if (levels && (strcmp(unit, "%") == 0 || strcmp(unit, "percent") == 0))
            check_range(c, k, -1, 10);
        return;
    }
    if (is_money(unit)) {
        if (currency && currency[0] && strcmp(unit, currency) != 0)
            check_note(c, CHECK_WARNING, 0, k->file, k->line,
                       "kpi '%s': unit '%s' is money in another currency than the rule set's "
                       "'%s'%s",
                       k->id, unit, currency,
                       suggest_distance(unit, currency) <= 1 ? " (a misspelling?)" : "");
        return;
    }
    suggest s;
    suggest_init(&s, unit);
    for (u = known_units; *u; u++)
        suggest_add(&s, *u);
    if (currency && currency[0]) suggest_add(&s, currency);
    if (suggest_result(&s))
        check_note(c, CHECK_WARNING, 0, k->file, k->line,
                   "kpi '%s': unknown unit '%s' (did you mean '%s'?)", k->id, unit,
                   suggest_result(&s));
}

static void check_kpi_values(check_ctx *c)
{
    for (size_t i = 0; i < c->d->nkpis; i++) {
        const dsl_kpi *k = c->d->kpis[i];
        if (check_marked(c, "kpi", k->id)) continue;
        if (k->minimum == k->target && !check_marked(c, "levels", k->id))
            check_note(c, CHECK_WARNING, 0, k->file, k->line,
                       "kpi '%s': minimum equals target (%g): a value meets both or neither; "
                       "set the target %s the minimum",
                       k->id, k->target, k->better == BETTER_LOWER ? "below" : "above");
        if (k->unit) check_unit(c, k);
    }
}

/* The checks that need every declaration. */
static void check_declarations(check_ctx *c)
{
    dsl *d = c->d;
    if (d->pending) {
        check_note(c, CHECK_ERROR, 0, d->pending_file, d->pending_line,
                   "%s is missing its definition { ... }", d->pending_what);
        d->pending = 0;
    }
    if (d->nkpis == 0)
        check_note(c, CHECK_ERROR, 0, d->file, 0,
                   "the rule set declares no kpi (kpi \"id\" { ... })");
    check_kpi_refs(c);
    check_review_refs(c);
    check_kpi_values(c);
}

/* ---- the whole check --------------------------------------------------------------------------
 */

int check_ruleset(const char *path, const rules_options *o, check_report *out, kpi_error *err)
{
    memset(out, 0, sizeof *out);
    kpi_error_clear(err);
    rules_options defaults;
    if (!o) {
        rules_options_init(&defaults);
        o = &defaults;
    }
    check_ctx c;
    memset(&c, 0, sizeof c);
    c.rep = out;
    sandbox_limits limits = {o->max_instructions, o->max_memory, o->timeout_seconds};
    if (!(c.d = dsl_new(path, o->data_dir, err))) return -1;
    if (!(c.sb = sandbox_new(&limits, o->verbose, err))) {
        dsl_free(c.d);
        return -1;
    }
    sandbox_set_user(c.sb, c.d);
    if (check_load(&c) == 0) {
        out->loaded = 1;
        check_declarations(&c);
        check_data(&c);
        check_scan(&c);
        out->nkpis = c.d->nkpis;
        out->nsources = c.d->nsources;
        out->nreviews = c.d->nreviews;
    }
    sandbox_free(c.sb); /* first: finalizers may still look at the sources */
    dsl_free(c.d);
    for (size_t i = 0; i < c.nmarks; i++)
        kpi_free(c.marks[i]);
    kpi_free(c.marks);
    if (c.oom) return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}
