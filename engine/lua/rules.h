/*
** rules.h -- a loaded rule set: the sandboxed Lua state that ran the user's file,
** the sources it declared and its KPIs, evaluated on demand for a period.
**
** rules_open() runs the rule-set file in the sandbox (DESIGN section 3): `ruleset`,
** `source`, `kpi`, `review`, `require`, `extends`. Sources load when first used.
** rules_evaluate() computes every KPI for a period, in dependency order, with the
** previous period and breakdowns, and fills a report (see model/report.h).
**
** Errors: KPI_ESCRIPT for anything the rule set does wrong (the message names the
** user's file:line and the KPI), KPI_EDATA / KPI_EIO for its data, KPI_EUSAGE for a
** bad option (an unparsable period).
**
** The functions after rules_close() read the declarations for the command line's
** history, schedule and review runs; they never run Lua.
*/
#ifndef KPI_RULES_H
#define KPI_RULES_H

#include <stddef.h>

#include "core/kpi_error.h"
#include "core/period.h"
#include "core/table.h"
#include "model/report.h"
#include "model/schedule.h"

typedef struct rules_options {
    const char *data_dir;     /* root for source paths; NULL = the rule set's folder */
    int verbose;              /* 1: keep engine-internal frames in tracebacks */
    long long max_instructions; /* per run; 0 = default */
    size_t max_memory;        /* bytes of Lua heap; 0 = default */
    double timeout_seconds;   /* wall clock per run; 0 = default */
    /* How far the load of a data file is: path as messages show it, 0..1, 1 at its end. */
    void (*progress)(const char *path, double fraction, void *arg);
    void *progress_arg;
    /*
    ** The folder of the column cache (core/colcache.h): a CSV source's table is kept
    ** there and mapped again on the next run while the file is unchanged. NULL: no cache.
    */
    const char *cache_dir;
    /* 1: also check the cached values against their checksums (reads every page). */
    int cache_verify;
} rules_options;

void rules_options_init(rules_options *o);

typedef struct rules rules;

/* Load and run the rule-set file. NULL + err on failure. */
rules *rules_open(const char *path, const rules_options *o, kpi_error *err);
/*
** The default period: the latest complete period, at the rule set's grain, of the
** data of its sources' time columns. 0 or -1 + err.
*/
int rules_default_period(rules *r, period *p, kpi_error *err);
/* Evaluate every KPI for p into *out (report_free it). 0 or -1 + err. */
int rules_evaluate(rules *r, period p, report *out, kpi_error *err);
void rules_close(rules *r);

/* ---- what the command line reads of a loaded rule set: names, reviews, sources -------- */
/*
** Strings returned below belong to r and live until rules_close(r).
*/

/* The rule set's name (ruleset { name = ... }); "" when it has none. */
const char *rules_name(const rules *r);
/* Its grain (ruleset { grain = ... }; month by default). */
period_grain rules_grain(const rules *r);
/* Its currency (ruleset { currency = ... }); "" when it has none. */
const char *rules_currency(const rules *r);
/* The KPIs in declaration order: how many, the id and the `due` text of the i-th. */
size_t rules_kpi_count(const rules *r);
const char *rules_kpi_id(const rules *r, size_t i);
/* The deadline (due = "2024-12-31", checked to be a date when the rule set loaded), or NULL. */
const char *rules_kpi_due(const rules *r, size_t i);
/* The index of KPI id, or -1; *hint (may be NULL) gets the closest id or NULL. */
int rules_kpi_find(const rules *r, const char *id, const char **hint);

/* A `review` declaration. */
typedef struct rules_review {
    const char *name;
    const char *title;      /* NULL when it has none */
    int is_campaigns;       /* 1: campaigns = source; 0: a schedule (every = ...) */
    schedule_rule schedule; /* the schedule when !is_campaigns */
    const char *campaigns;  /* the campaigns source's name when is_campaigns */
    int before, after;      /* days before and after each campaign */
    const char *file;       /* where it is declared */
    int line;
} rules_review;

size_t rules_review_count(const rules *r);
/* The i-th review, in declaration order. */
void rules_review_get(const rules *r, size_t i, rules_review *out);
/* The review called name: 0 and *out, or -1 with *hint (may be NULL) the closest name or NULL. */
int rules_review_find(const rules *r, const char *name, rules_review *out, const char **hint);
/*
** The KPIs review `name` covers, as indexes for rules_kpi_id into idx (room for
** rules_kpi_count), in rule-set order: those of its kpis = {...} list when it has one;
** else those whose `review` field names it; else, when no KPI names it, all of them.
** Returns how many.
*/
size_t rules_review_kpis(const rules *r, const char *name, size_t *idx);

/* The path of source `name`'s file as messages show it, or NULL when there is no such source. */
const char *rules_source_path(const rules *r, const char *name);
/*
** The table of source `name`, loaded on first use (as a KPI reading it would). NULL and
** err: KPI_EUSAGE when no source has that name, else the loader's error.
*/
const table *rules_source_table(rules *r, const char *name, kpi_error *err);

/*
** The rule set's declarations (lua/dsl.h) and the Lua state that ran it, for the
** commands that inspect or drive a loaded rule set (check, test, diff).
*/
struct dsl *rules_dsl(rules *r);
struct lua_State *rules_lua(rules *r);

#endif
