/*
** review.c -- a review's KPIs, pacing and deadlines over a report; see review.h.
*/
#include "model/review.h"

#include <math.h>
#include <string.h>

#include "core/kpi_alloc.h"

const char *review_due_name(int state)
{
    switch (state) {
    case DUE_OPEN:
        return "open";
    case DUE_MET:
        return "met";
    case DUE_ON_PACE:
        return "on_pace";
    case DUE_BEHIND:
        return "behind";
    case DUE_OVERDUE:
        return "overdue";
    default:
        return NULL;
    }
}

const char *review_due_words(int state)
{
    return state == DUE_ON_PACE ? "on pace" : state == DUE_NONE ? "" : review_due_name(state);
}

int review_keep(report *r, const size_t *keep, size_t n)
{
    size_t drop_n = r->nkpis >= n ? r->nkpis - n : 0;
    kpi_result *kept = kpi_calloc(n ? n : 1, sizeof *kept);
    kpi_result *dropped = kpi_calloc(drop_n ? drop_n : 1, sizeof *dropped);
    if (!kept || !dropped) {
        kpi_free(kept);
        kpi_free(dropped);
        return -1;
    }
    size_t nk = 0, nd = 0;
    for (size_t i = 0; i < r->nkpis; i++) {
        if (nk < n && keep[nk] == i)
            kept[nk++] = r->kpis[i];
        else if (nd < drop_n)
            dropped[nd++] = r->kpis[i];
    }
    /* report_free releases a KPI's memory: hand it the dropped ones alone */
    report gone;
    memset(&gone, 0, sizeof gone);
    gone.kpis = dropped;
    gone.nkpis = nd;
    report_free(&gone);
    kpi_free(r->kpis);
    r->kpis = kept;
    r->nkpis = nk;
    return 0;
}

int32_t review_days_counted(const report *r)
{
    int32_t all = period_days(r->period);
    if (!r->in_progress || !r->has_as_of) return all;
    int32_t counted = r->as_of - r->period.start + 1;
    return counted < 1 ? 1 : counted > all ? all : counted;
}

void review_project(report *r)
{
    if (!r->in_progress) return;
    double share = (double)period_days(r->period) / (double)review_days_counted(r);
    for (size_t i = 0; i < r->nkpis; i++) {
        kpi_result *k = &r->kpis[i];
        k->has_projection = k->additive && k->has_value && isfinite(k->value);
        if (!k->has_projection) continue;
        k->projection = k->value * share;
        k->pace = status_grade(k->better, k->minimum, k->target, 1, k->projection);
    }
}

/* Share of the target reached: value / target, or target / value when lower is better. */
static int progress_of(const kpi_result *k, double *out)
{
    if (!k->has_value || !isfinite(k->value) || !isfinite(k->target)) return 0;
    double num = k->better == BETTER_LOWER ? k->target : k->value;
    double den = k->better == BETTER_LOWER ? k->value : k->target;
    if (den == 0) return 0;
    *out = num / den;
    return isfinite(*out);
}

void review_set_due(const report *r, kpi_result *k, int32_t due)
{
    int32_t last_counted = r->period.start + review_days_counted(r) - 1;
    k->has_due = 1;
    k->due = due;
    k->days_left = due - last_counted;
    k->has_progress = progress_of(k, &k->progress);
    if (k->has_value && k->status == STATUS_MET_TARGET)
        k->due_state = DUE_MET;
    else if (k->days_left < 0)
        k->due_state = DUE_OVERDUE;
    else if (k->has_projection)
        k->due_state = k->pace == STATUS_MET_TARGET ? DUE_ON_PACE : DUE_BEHIND;
    else
        k->due_state = DUE_OPEN;
}
