/*
** report.c -- statuses and the report's memory; see report.h.
**
** Grading treats a level that is NaN as not set: a KPI with no target never
** reaches met_target, and a KPI with no minimum has no floor to fall below.
** A value that is NaN or infinite is no data (DESIGN section 3), whatever
** has_value says, so a renderer never prints a non-number as a grade.
*/
#include "model/report.h"

#include <math.h>

#include "core/kpi_alloc.h"

const char *status_name(kpi_status s)
{
    switch (s) {
    case STATUS_NO_DATA:
        return "no_data";
    case STATUS_BELOW_MINIMUM:
        return "below_minimum";
    case STATUS_MET_MINIMUM:
        return "met_minimum";
    case STATUS_MET_TARGET:
        return "met_target";
    }
    return "no_data";
}

const char *better_name(kpi_better b)
{
    return b == BETTER_LOWER ? "lower" : "higher";
}

/* Whether value is at least as good as level; an unset (NaN) level is never reached. */
static int reaches(kpi_better better, double value, double level)
{
    if (isnan(level)) return 0;
    return better == BETTER_LOWER ? value <= level : value >= level;
}

kpi_status status_grade(kpi_better better, double minimum, double target, int has_value,
                        double value)
{
    if (!has_value || !isfinite(value)) return STATUS_NO_DATA;
    if (reaches(better, value, target)) return STATUS_MET_TARGET;
    if (isnan(minimum) || reaches(better, value, minimum)) return STATUS_MET_MINIMUM;
    return STATUS_BELOW_MINIMUM;
}

static void kpi_result_free(kpi_result *k)
{
    kpi_free(k->id);
    kpi_free(k->title);
    kpi_free(k->unit);
    kpi_free(k->owner);
    kpi_free(k->review);
    kpi_free(k->reason);
    kpi_free(k->file);
    for (size_t i = 0; i < k->nitems; i++)
        kpi_free(k->items[i].key);
    kpi_free(k->items);
    kpi_free(k->history);
}

void report_free(report *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nkpis; i++)
        kpi_result_free(&r->kpis[i]);
    kpi_free(r->kpis);
    for (size_t i = 0; i < r->nrejected; i++) {
        kpi_free(r->rejected[i].source);
        kpi_free(r->rejected[i].file);
    }
    kpi_free(r->rejected);
    r->rejected = NULL;
    r->nrejected = 0;
    kpi_free(r->ruleset);
    kpi_free(r->file);
    kpi_free(r->currency);
    kpi_free(r->locale);
    r->kpis = NULL;
    r->nkpis = 0;
    r->ruleset = r->file = r->currency = r->locale = NULL;
}
