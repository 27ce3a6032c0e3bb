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
} kpi_result;

typedef struct report {
    char *ruleset;  /* the ruleset's name */
    char *file;     /* the rule-set file as given on the command line */
    char *currency; /* may be "" */
    char *locale;   /* may be "" */
    period period;
    kpi_result *kpis;
    size_t nkpis;
} report;

void report_free(report *r);

#endif
