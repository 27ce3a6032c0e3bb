/*
** review.h -- what a review adds to a report: only the KPIs it covers, the pace of a
** period still in progress, and progress toward a KPI's deadline. Plain C over the
** report model; the command line calls these after evaluating (lua/rules.h).
**
** Pacing. A report is in progress (report.in_progress) when its period had not ended
** by as_of: values count the days period.start .. as_of ("to date"). An additive KPI
** (a sum over time: revenue, orders) then gets a run-rate projection to the period's
** end, projection = value / days counted * days in the period, graded against its
** levels (pace); met_target is "on pace". A KPI that is not additive (a rate, an
** average) has no projection: its value to date is already its best estimate.
**
** Deadlines. A KPI with `due = "2024-12-31"` shows how far it is from its target by
** then: days_left from the report's last counted day (as_of in progress, else the
** period's last day) to the due day, progress = value / target (target / value when
** lower is better), and a state:
**   met       the value meets the target
**   overdue   the due day has passed (days_left < 0) and the target is not met
**   on_pace   in progress, and the projection meets the target
**   behind    in progress, and the projection does not
**   open      none of these (no projection to judge by)
*/
#ifndef KPI_REVIEW_H
#define KPI_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "model/report.h"

typedef enum review_due_state {
    DUE_NONE, /* the KPI has no deadline */
    DUE_OPEN,
    DUE_MET,
    DUE_ON_PACE,
    DUE_BEHIND,
    DUE_OVERDUE
} review_due_state;

/* "open", "met", "on_pace", "behind", "overdue"; NULL for DUE_NONE. */
const char *review_due_name(int state);
/* "open", "met", "on pace", "behind", "overdue" for people; "" for DUE_NONE. */
const char *review_due_words(int state);

/*
** Keep only the KPIs at indexes keep[0..n) (ascending) of r, freeing the others.
** Returns 0, or -1 when out of memory (r is then unchanged).
*/
int review_keep(report *r, const size_t *keep, size_t n);

/* The days of r's period counted so far: as_of - start + 1 in progress, else all of them. */
int32_t review_days_counted(const report *r);

/* Projections of r's additive KPIs when r is in progress (has_projection, projection, pace). */
void review_project(report *r);

/*
** KPI k of r has a deadline on day due: fill has_due, due, days_left, progress and
** due_state. Call after review_project so the state can use the projection.
*/
void review_set_due(const report *r, kpi_result *k, int32_t due);

#endif
