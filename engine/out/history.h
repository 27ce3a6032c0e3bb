/*
** history.h -- a rule set's saved results over past periods, as `kpiengine history`
** shows them: one series per KPI and grain, oldest period first, read from the results
** store (store.h), and its renderers.
**
** A series holds the latest run of each period (a run of the whole period before one
** of the period in progress, which is marked by as_of); change is against the point
** before in the same series. Table: per series a title line with the grain and a
** sparkline (sparkline.h), then Period, Value, Status and Change columns; a value to
** date shows "to <as_of>" after its period.
**
** JSON, keys in this order:
**   {"ruleset", "file", "store",
**    "kpis": [{"id", "title", "unit", "better", "grain", "sparkline",
**              "history": [{"period": {"grain", "label", "start", "end"}, "value",
**                           "minimum", "target", "status", "change", "as_of",
**                           "run", "started"}]}]}
** A KPI run at two grains (month and quarter) has one entry per grain. "as_of" is null
** for a whole period; "change" is null for the first point or without a base.
*/
#ifndef KPI_HISTORY_H
#define KPI_HISTORY_H

#include <stddef.h>

#include "core/kpi_error.h"
#include "out/render.h"
#include "out/store.h"

typedef struct history_point {
    char *label, *start, *end; /* the period: "2024-08", "2024-08-01", "2024-08-31" */
    char *as_of;               /* NULL: the whole period; else the last day counted */
    char *started;
    int has_value;
    double value, minimum, target; /* levels NAN when not set */
    kpi_status status;
    long long run_id;
} history_point;

typedef struct history_series {
    char *kpi, *title, *unit, *grain;
    kpi_better better;
    history_point *points;
    size_t npoints;
} history_series;

typedef struct history {
    const char *ruleset, *file, *store, *currency; /* borrowed from the caller */
    history_series *series;
    size_t nseries;
} history;

/*
** Read the history of rule set `ruleset` (kpi: one KPI, NULL: all; last: the newest
** `last` periods of each series, 0: all) into *h (whose borrowed fields the caller
** sets). Returns 0, or -1 and fills err. history_free it either way.
*/
int history_load(store *s, const char *ruleset, const char *kpi, int last, history *h,
                 kpi_error *err);
void history_free(history *h);

/* The history as a table for people, or as JSON (kpi_free the text); NULL when out of memory. */
char *render_history_table(const history *h, const render_options *o, size_t *len);
char *render_history_json(const history *h, size_t *len);

#endif
