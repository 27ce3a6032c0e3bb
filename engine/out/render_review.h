/*
** render_review.h -- a campaigns review (model/campaign.h) as a table and as JSON.
**
** Table: a header (rule set, file, review, the days before and after), then per
** campaign a title line (name, dates, its other columns, when its review is due) and
** one row per KPI: Before, During, After (each a value with its status symbol) and
** the change from before to after ("/day" when it compares rates per day). A legend
** of the status symbols ends it.
**
** JSON, keys in this order:
**   {"ruleset", "file", "review", "before_days", "after_days", "as_of",
**    "campaigns": [{"name", "start", "end", "due", "fields": {column: value},
**                   "windows": {"before", "during", "after"},
**                   "kpis": [{"id", "title", "unit", "better", "minimum", "target",
**                             "additive", "before", "during", "after",
**                             "change", "change_per_day"}]}]}
** A window is {"start", "end", "days"} (end the last day inside), or null when the
** review has no such window or it had not begun by as_of. A KPI's "before", "during"
** and "after" are {"value", "status", "reason"} or null with the window. "change" is
** (after - before) / |before|, of the rates per day when "change_per_day" is true
** (additive KPIs), null without both values or with a zero base. "fields" holds the
** campaign's other columns: numbers as numbers, everything else as text.
*/
#ifndef KPI_RENDER_REVIEW_H
#define KPI_RENDER_REVIEW_H

#include <stddef.h>

#include "model/campaign.h"
#include "out/render.h"

/* The campaigns review as a table or as JSON (kpi_free the text); NULL when out of memory. */
char *render_campaigns_table(const campaign_review *cv, const render_options *o, size_t *len);
char *render_campaigns_json(const campaign_review *cv, size_t *len);

#endif
