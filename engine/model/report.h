/*
** report.h -- the result of evaluating a rule set for one period: what every
** renderer (table, json, csv, md, html) and the results store read.
**
** Statuses (DESIGN section 4): for better = higher, value >= target -> met_target,
** value >= minimum -> met_minimum, else below_minimum; no value -> no_data. For
** better = lower the comparisons reverse (minimum is the worst acceptable value).
** A report owns all of its strings and arrays; report_free releases them.
*/
#ifndef KPI_REPORT_H
#define KPI_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/period.h"

typedef enum kpi_status {
    STATUS_NO_DATA,
    STATUS_BELOW_MINIMUM,
    STATUS_MET_MINIMUM,
    STATUS_MET_TARGET
} kpi_status;

typedef enum kpi_better { BETTER_HIGHER, BETTER_LOWER } kpi_better;

/* "no_data", "below_minimum", "met_minimum", "met_target". */
const char *status_name(kpi_status s);
/* "higher" / "lower". */
const char *better_name(kpi_better b);
/* Grade a value against the two levels. has_value == 0 -> STATUS_NO_DATA. */
kpi_status status_grade(kpi_better better, double minimum, double target, int has_value, double value);

typedef struct breakdown_item {
    char *key;
    double value;
    int has_value;
    kpi_status status;
    /* ---- additive KPIs (rule-set field `additive = true`) ----
    ** An item of a sum (revenue per channel) is a part of the total, so comparing it
    ** with the total's levels means nothing. graded: 1 when status is the item's grade;
    ** 0 when the item is not graded: renderers and the store show no status for it
    ** (JSON "status": null) and must not read status (it holds the plain comparison
    ** with the levels, so an output that does not know this flag reads as before). */
    int graded;
} breakdown_item;

typedef struct kpi_result {
    char *id;
    char *title;  /* the id when the KPI has none */
    char *unit;   /* may be "" */
    char *owner;  /* may be "" */
    char *review; /* may be "" */
    kpi_better better;
    double minimum, target;
    int has_value;
    double value;
    char *reason; /* why there is no value (has_value == 0), else NULL */
    kpi_status status;
    int has_previous;
    double previous; /* the value for the previous period */
    int has_change;
    double change;   /* (value - previous) / |previous| */
    breakdown_item *items;
    size_t nitems;
    char *file; /* where the KPI is defined */
    int line;
    /* ---- additive KPIs (rule-set field `additive = true`) ----
    ** 1 when the value is a sum over its items and over time (revenue, orders, spend,
    ** visits): its breakdown items are not graded, and a part of the period's value
    ** can be compared with the same part of the target. */
    int additive;
    /* ---- history: the KPI's recent periods, for the HTML report's sparkline ----
    ** Values of the periods before this one (same grain), oldest first, the last one
    ** being the period just before; NAN for a period without data. The current
    ** value is not repeated here. NULL and 0 when the run has no history (no store,
    ** or --no-save). Owned by the report (report_free frees it). */
    double *history;
    size_t nhistory;
    /* ---- pacing and deadlines (model/pacing.h fills them; zero when not computed) ----
    ** has_projection: an additive KPI in a period still in progress (report.in_progress):
    ** projection is its value at the period's end at the rate so far (value / days
    ** counted * days in the period) and pace that projection's grade (met_target = on
    ** pace for the target).
    ** has_due: the KPI has a deadline (due = "2024-12-31"): due is that day, days_left
    ** the days from the report's last counted day to it (negative once past), progress
    ** the share of the target reached (value / target; target / value when lower is
    ** better; has_progress 0 without a value or a target), due_state a pacing_due value. */
    int has_projection;
    double projection;
    kpi_status pace;
    int has_due;
    int32_t due;
    int32_t days_left;
    int has_progress;
    double progress;
    int due_state;
} kpi_result;

/* A source some of whose rows were left out (on_error = "skip"): no KPI hides it. */
typedef struct report_rejected {
    char *source;
    char *file;
    size_t rows;
} report_rejected;

typedef struct report {
    char *ruleset;  /* the ruleset's name */
    char *file;     /* the rule-set file as given on the command line */
    char *currency; /* may be "" */
    char *locale;   /* may be "" */
    period period;
    kpi_result *kpis;
    size_t nkpis;
    /* ---- reviews over time (set by the command line; zero for a plain run) ----
    ** review: the review the report is for ("monthly"), NULL for none (owned by the
    ** caller that set it, not freed by report_free). in_progress: the period had not
    ** ended by as_of, so values count its days from period.start through as_of only
    ** (value to date); has_as_of says as_of is set. */
    const char *review;
    int has_as_of;
    int32_t as_of;
    int in_progress;
    /* ---- sources whose bad rows were left out, in declaration order ---- */
    report_rejected *rejected;
    size_t nrejected;
} report;

void report_free(report *r);

#endif
