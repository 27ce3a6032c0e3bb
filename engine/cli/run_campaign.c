/*
** run_campaign.c -- `kpiengine run FILE --review campaigns [--campaign NAME]`: for each
** campaign of the review's source (or the one named), the review's KPIs before, during
** and after it (model/campaign.h), the change from before to after, one report.
**
** Only campaigns that have started by the run's day (--as-of, else today) are reviewed,
** and their windows are cut after that day, so a campaign still running shows its days
** so far. Every window evaluated is saved as a run of its range (review = the review's
** name), all in one transaction.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/kpi_alloc.h"
#include "lua/suggest.h"
#include "model/campaign.h"
#include "model/review.h"
#include "out/render.h"
#include "out/render_review.h"
#include "run.h"

/* The campaign called a->campaign, or a usage error naming the closest. */
static int pick_campaign(const run_args *a, const campaign_list *l, const campaign **out)
{
    *out = campaign_find(l, a->campaign);
    if (*out) return EXIT_DONE;
    suggest s;
    suggest_init(&s, a->campaign);
    for (size_t i = 0; i < l->n; i++)
        suggest_add(&s, l->items[i].name);
    char near[300] = "";
    if (suggest_result(&s))
        snprintf(near, sizeof near, " (did you mean '%s'?)", suggest_result(&s));
    return usage_error("--campaign: no campaign is called '%s'%s", a->campaign, near);
}

/* Evaluate window w of cr (its period already set) with the review's KPIs only. */
static int evaluate_window(const run_args *a, rules *rs, const size_t *keep, size_t nkeep,
                           campaign_result *cr, campaign_window w)
{
    kpi_error err;
    kpi_error_clear(&err);
    double t0 = seconds_now();
    if (rules_evaluate(rs, cr->window[w], &cr->rep[w], &err) != 0) return engine_error(&err);
    cr->has[w] = 1;
    if (review_keep(&cr->rep[w], keep, nkeep) != 0) {
        fputs("kpiengine: out of memory\n", stderr);
        return EXIT_DATA;
    }
    if (a->verbose)
        fprintf(stderr, "kpiengine: campaign '%s' %s in %.1f ms\n", cr->c->name,
                campaign_window_name(w), (seconds_now() - t0) * 1e3);
    return EXIT_DONE;
}

/* The windows of campaign c that have begun by as_of, cut after it. */
static int evaluate_campaign(const run_args *a, rules *rs, const rules_review *v,
                             const size_t *keep, size_t nkeep, int32_t as_of, campaign_result *cr)
{
    cr->due = campaign_due(cr->c, v->after);
    for (int w = 0; w < WINDOW_COUNT; w++) {
        period p;
        if (!campaign_window_period(cr->c, (campaign_window)w, v->before, v->after, &p)) continue;
        if (p.start > as_of) continue;
        if (p.stop > as_of + 1) p.stop = as_of + 1;
        cr->window[w] = p;
        int rc = evaluate_window(a, rs, keep, nkeep, cr, (campaign_window)w);
        if (rc != EXIT_DONE) return rc;
        cr->rep[w].review = v->name;
    }
    return EXIT_DONE;
}

/* Every window's report, for saving and --fail-below; *n of them into out (room for 3 each). */
static size_t window_reports(const campaign_review *cv, const report **out, int with_before)
{
    size_t n = 0;
    for (size_t i = 0; i < cv->n; i++)
        for (int w = with_before ? 0 : 1; w < WINDOW_COUNT; w++)
            if (cv->items[i].has[w]) out[n++] = &cv->items[i].rep[w];
    return n;
}

/* Save every window, render, write. */
static int campaign_output(const run_args *a, const campaign_review *cv)
{
    const report **reps = kpi_calloc(cv->n * WINDOW_COUNT + 1, sizeof *reps);
    if (!reps) {
        fputs("kpiengine: out of memory\n", stderr);
        return EXIT_DATA;
    }
    run_store st;
    int rc = run_store_open(a, &st);
    size_t len = 0;
    char *text = NULL;
    if (rc == EXIT_DONE) {
        render_options ro = {run_use_color(a), a->lang};
        text = strcmp(a->format, "json") == 0 ? render_campaigns_json(cv, &len)
                                              : render_campaigns_table(cv, &ro, &len);
        if (!text) {
            fputs("kpiengine: out of memory while rendering the report\n", stderr);
            rc = EXIT_DATA;
        }
    }
    if (rc == EXIT_DONE) rc = run_store_save(&st, a, reps, window_reports(cv, reps, 1));
    run_store_close(&st);
    if (rc == EXIT_DONE) rc = write_output(a->output, text, len);
    kpi_free(text);
    if (rc == EXIT_DONE) rc = run_below_minimum(a, reps, window_reports(cv, reps, 0));
    kpi_free(reps);
    return rc;
}

static int review_campaigns(const run_args *a, rules *rs, const rules_review *v,
                            const campaign_list *l, campaign_review *cv)
{
    const campaign *only = NULL;
    int rc = a->campaign ? pick_campaign(a, l, &only) : EXIT_DONE;
    size_t nk = rules_kpi_count(rs);
    size_t *keep = kpi_calloc(nk + 1, sizeof *keep);
    cv->items = kpi_calloc(l->n + 1, sizeof *cv->items);
    if (rc == EXIT_DONE && (!keep || !cv->items)) {
        fputs("kpiengine: out of memory\n", stderr);
        rc = EXIT_DATA;
    }
    size_t nkeep = rc == EXIT_DONE ? rules_review_kpis(rs, v->name, keep) : 0;
    int32_t as_of = a->as_of ? a->as_of_day : cli_today();
    for (size_t i = 0; rc == EXIT_DONE && i < l->n; i++) {
        const campaign *c = &l->items[i];
        if ((only && c != only) || c->start > as_of) continue;
        campaign_result *cr = &cv->items[cv->n++];
        cr->c = c;
        rc = evaluate_campaign(a, rs, v, keep, nkeep, as_of, cr);
    }
    kpi_free(keep);
    if (rc == EXIT_DONE && a->campaign && cv->n == 0)
        return usage_error("--campaign: '%s' starts after %s: nothing to review yet", a->campaign,
                           a->as_of ? a->as_of : "today");
    if (rc == EXIT_DONE) rc = campaign_output(a, cv);
    return rc;
}

int run_campaigns(const run_args *a, rules *rs, const rules_review *v)
{
    if (a->period)
        return usage_error("--period: a campaigns review takes its periods from the campaigns "
                           "(use --campaign NAME to review one)");
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0)
        return usage_error("--format: a campaigns review is written as table or json, not %s",
                           a->format);
    kpi_error err;
    kpi_error_clear(&err);
    const table *t = rules_source_table(rs, v->campaigns, &err);
    campaign_list l;
    memset(&l, 0, sizeof l);
    const char *path = rules_source_path(rs, v->campaigns);
    if (!t || campaign_list_load(t, v->campaigns, path ? path : v->file, &l, &err) != 0) {
        campaign_list_free(&l);
        return engine_error(&err);
    }
    campaign_review cv = {rules_name(rs), a->file,  v->name,          rules_currency(rs),
                          v->before,      v->after, a->as_of != NULL, a->as_of ? a->as_of_day : 0,
                          NULL,           0};
    int rc = review_campaigns(a, rs, v, &l, &cv);
    campaign_review_free(&cv);
    campaign_list_free(&l);
    return rc;
}
