/*
** agenda.h -- the reviews due between two dates (`kpiengine schedule`), as a table
** and as JSON.
**
** Items come in due order (then in the rule set's order of reviews). A scheduled
** review's item is the period it reviews; a campaign review's item is one campaign,
** its period the range from `before` days before the campaign to `after` days after
** it, due the day after that range.
**
** JSON, keys in this order:
**   {"ruleset", "file", "from", "to",
**    "reviews": [{"due", "review", "title", "campaign",
**                 "period": {"grain", "label", "start", "end"}, "kpis": [ids]}]}
** "title" is null when the review has none, "campaign" null for a scheduled review.
*/
#ifndef KPI_AGENDA_H
#define KPI_AGENDA_H

#include <stddef.h>
#include <stdint.h>

#include "core/period.h"
#include "out/render.h"

typedef struct agenda_item {
    int32_t due;
    const char *review;   /* borrowed */
    const char *title;    /* borrowed; NULL when none */
    const char *campaign; /* borrowed; NULL for a scheduled review */
    period period;
    const char *const *kpis; /* borrowed ids of the KPIs reviewed */
    size_t nkpis;
    size_t order; /* the review's place in the rule set: ties on due sort by it */
} agenda_item;

typedef struct agenda {
    const char *ruleset, *file; /* borrowed */
    int32_t from, to;
    agenda_item *items;
    size_t nitems;
} agenda;

/* Sort the items by due day, then rule-set order, then period start. */
void agenda_sort(agenda *a);
/* The agenda as a table or as JSON (kpi_free the text); NULL when out of memory. */
char *render_agenda_table(const agenda *a, const render_options *o, size_t *len);
char *render_agenda_json(const agenda *a, size_t *len);

#endif
