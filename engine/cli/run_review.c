/*
** run_review.c -- `kpiengine run FILE --review NAME`: the KPIs a review covers, for the
** latest period its schedule has made due (by --as-of, else today), or for --period.
** A campaigns review goes to run_campaign.c.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/date.h"
#include "core/kpi_alloc.h"
#include "model/review.h"
#include "model/schedule.h"
#include "run.h"

/* "monthly, quarterly, campaigns": the reviews a rule set has, for messages. */
static const char *review_names(const rules *rs, char *buf, size_t size)
{
    size_t n = rules_review_count(rs), used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < size; i++) {
        rules_review v;
        rules_review_get(rs, i, &v);
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", v.name);
    }
    return n ? buf : "none";
}

static int unknown_review(const run_args *a, const rules *rs, const char *hint)
{
    char names[512], near[200] = "";
    if (hint) snprintf(near, sizeof near, " (did you mean '%s'?)", hint);
    return usage_error("--review: %s has no review '%s'%s; its reviews: %s", a->file, a->review,
                       near, review_names(rs, names, sizeof names));
}

/* Keep the review's KPIs only. EXIT_DONE or EXIT_DATA. */
static int keep_review_kpis(rules *rs, const char *name, report *rep)
{
    size_t n = rules_kpi_count(rs);
    size_t *idx = kpi_calloc(n ? n : 1, sizeof *idx);
    if (!idx || review_keep(rep, idx, rules_review_kpis(rs, name, idx)) != 0) {
        kpi_free(idx);
        fputs("kpiengine: out of memory\n", stderr);
        return EXIT_DATA;
    }
    kpi_free(idx);
    return EXIT_DONE;
}

int run_review(const run_args *a, rules *rs)
{
    rules_review v;
    const char *hint = NULL;
    if (rules_review_find(rs, a->review, &v, &hint) != 0) return unknown_review(a, rs, hint);
    if (v.is_campaigns) return run_campaigns(a, rs, &v);
    if (a->campaign)
        return usage_error("--campaign: review '%s' is a schedule (every = %s), not campaigns",
                           v.name, period_grain_name(v.schedule.every));
    period p;
    kpi_error err;
    kpi_error_clear(&err);
    if (a->period)
        period_parse(a->period, &p, &err); /* checked with the other options */
    else
        p = schedule_latest_due(&v.schedule, a->as_of ? a->as_of_day : cli_today());
    if (a->verbose) {
        char label[64], due[16];
        date_format_iso(schedule_due(&v.schedule, p), due);
        fprintf(stderr, "kpiengine: review '%s' of %s, due %s\n", v.name,
                period_label(p, label, sizeof label), due);
    }
    report rep;
    memset(&rep, 0, sizeof rep);
    int rc = run_evaluate(a, rs, p, &rep);
    if (rc == EXIT_DONE) rc = keep_review_kpis(rs, v.name, &rep);
    rep.review = v.name;
    if (rc == EXIT_DONE) rc = run_pace(rs, &rep);
    if (rc == EXIT_DONE) rc = run_output(a, &rep);
    report_free(&rep);
    return rc;
}
