/*
** cmd_run.c -- `kpiengine run FILE.lua`: evaluate a rule set for one period (or for a
** review, run_review.c), take previous values from the results store, render the
** report, save the run, write the report, and choose the exit code.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/date.h"
#include "core/kpi_alloc.h"
#include "core/period.h"
#include "lua/dsl.h"
#include "lua/suggest.h"
#include "model/review.h"
#include "out/render.h"
#include "run.h"

/* ---- options ------------------------------------------------------------------------ */

/*
** --owner NAME: only the KPIs whose owner is NAME. Kept here rather than in run_args so
** the review runs (run_review.c) filter the same way, through run_output.
*/
static const char *owner_only;

/* One option at argv[*i]: 1 when taken, 0 when not an option of run, -1 on an error. */
static int run_option(int argc, char **argv, int *i, run_args *a)
{
    const char *arg = argv[*i];
    int r;
    if ((r = take_value(argc, argv, i, "--period", &a->period))) return r;
    if ((r = take_value(argc, argv, i, "--data", &a->data_dir))) return r;
    if ((r = take_value(argc, argv, i, "--format", &a->format))) return r;
    if ((r = take_value(argc, argv, i, "--output", &a->output))) return r;
    if ((r = take_value(argc, argv, i, "--lang", &a->lang))) return r;
    if ((r = take_value(argc, argv, i, "--db", &a->db))) return r;
    if ((r = take_value(argc, argv, i, "--cache", &a->cache))) return r;
    if ((r = take_value(argc, argv, i, "--rejects", &a->rejects))) return r;
    if ((r = take_flag(arg, "--no-cache", &a->no_cache))) return r;
    if ((r = take_flag(arg, "--verify-cache", &a->verify_cache))) return r;
    if ((r = take_value(argc, argv, i, "--review", &a->review))) return r;
    if ((r = take_value(argc, argv, i, "--campaign", &a->campaign))) return r;
    if ((r = take_value(argc, argv, i, "--as-of", &a->as_of))) return r;
    if ((r = take_value(argc, argv, i, "--owner", &owner_only))) return r;
    if ((r = take_value(argc, argv, i, "-o", &a->output))) return r;
    if ((r = take_flag(arg, "--verbose", &a->verbose))) return r;
    if ((r = take_flag(arg, "--no-color", &a->no_color))) return r;
    if ((r = take_flag(arg, "--no-save", &a->no_save))) return r;
    if ((r = take_flag(arg, "--fail-below", &a->fail_below))) return r;
    if ((r = take_flag(arg, "--help", &a->help))) return r;
    return take_flag(arg, "-h", &a->help);
}

static int parse_run_args(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = "table";
    int options_done = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            int r = run_option(argc, argv, &i, a);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("run: unknown option '%s'", arg);
        } else if (a->file) {
            return usage_error("run: one rule-set file expected, got '%s' and '%s'", a->file, arg);
        } else {
            a->file = arg;
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file) return usage_error("run: missing the rule-set file (kpiengine run FILE.lua)");
    if (!render_format_known(a->format))
        return usage_error("run: unknown format '%s' (expected one of: %s)", a->format,
                           render_format_names());
    if (a->lang && strcmp(a->lang, "vi") != 0 && strcmp(a->lang, "en") != 0)
        return usage_error("run: unknown language '%s' (expected vi or en)", a->lang);
    if (a->campaign && !a->review)
        return usage_error("--campaign: only with --review (kpiengine run FILE --review campaigns "
                           "--campaign NAME)");
    return EXIT_DONE;
}

/* Check what can be checked before running any Lua: files, folders, the period and dates. */
static int check_run_args(run_args *a, period *p)
{
    int rc = check_input_file(a->file, "the rule set");
    if (rc != EXIT_DONE) return rc;
    if ((rc = check_data_dir(a->data_dir)) != EXIT_DONE) return rc;
    if (a->period) {
        kpi_error err;
        kpi_error_clear(&err);
        if (period_parse(a->period, p, &err) != 0) return usage_error("--period: %s", err.message);
    }
    if (a->as_of) return parse_day_option("--as-of", a->as_of, &a->as_of_day);
    return EXIT_DONE;
}

int run_use_color(const run_args *a)
{
    return cli_use_color(a->no_color, a->output);
}

int run_below_minimum(const run_args *a, const report *const *reports, size_t n)
{
    size_t below = 0;
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < reports[r]->nkpis; i++)
            below += reports[r]->kpis[i].status == STATUS_BELOW_MINIMUM;
    if (!a->fail_below || below == 0) return EXIT_DONE;
    fprintf(stderr, "kpiengine: %zu KPI%s below minimum:", below, below == 1 ? "" : "s");
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < reports[r]->nkpis; i++)
            if (reports[r]->kpis[i].status == STATUS_BELOW_MINIMUM)
                fprintf(stderr, " %s", reports[r]->kpis[i].id);
    fputc('\n', stderr);
    return EXIT_BELOW;
}

/* ---- evaluation --------------------------------------------------------------------- */

/* --owner NAME must name an owner of the rule set: else exit 2 with the owners. */
static int check_owner(rules *rs)
{
    const dsl *d = rules_dsl(rs);
    suggest s;
    suggest_init(&s, owner_only);
    for (size_t i = 0; i < d->nkpis; i++) {
        const char *owner = d->kpis[i]->owner;
        if (owner && strcmp(owner, owner_only) == 0) return EXIT_DONE;
        if (owner) suggest_add(&s, owner);
    }
    if (suggest_result(&s))
        return usage_error("--owner: no KPI is owned by '%s' (did you mean '%s'?)", owner_only,
                           suggest_result(&s));
    fprintf(stderr, "kpiengine: --owner: no KPI is owned by '%s'; the owners are:", owner_only);
    for (size_t i = 0, shown = 0; i < d->nkpis; i++) {
        const char *owner = d->kpis[i]->owner;
        int seen = !owner;
        for (size_t j = 0; j < i && !seen; j++)
            seen = d->kpis[j]->owner && strcmp(d->kpis[j]->owner, owner) == 0;
        if (!seen) fprintf(stderr, "%s '%s'", shown++ ? "," : "", owner);
    }
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* Campaign reviews evaluate their windows in run_campaign.c, which does not filter. */
static int check_owner_review(const run_args *a, rules *rs)
{
    rules_review v;
    if (a->review && rules_review_find(rs, a->review, &v, NULL) == 0 && v.is_campaigns)
        return usage_error("--owner: not with a campaigns review (--review %s); use it with a "
                           "schedule review or a plain run",
                           a->review);
    return EXIT_DONE;
}

/* Drop the KPIs of other owners from rep (they were evaluated: others' `k` may need them). */
static int keep_owner(report *rep)
{
    report dropped;
    memset(&dropped, 0, sizeof dropped);
    if (!(dropped.kpis = kpi_calloc(rep->nkpis ? rep->nkpis : 1, sizeof *dropped.kpis))) {
        fputs("kpiengine: out of memory\n", stderr);
        return EXIT_DATA;
    }
    size_t kept = 0;
    for (size_t i = 0; i < rep->nkpis; i++) {
        if (strcmp(rep->kpis[i].owner, owner_only) == 0)
            rep->kpis[kept++] = rep->kpis[i];
        else
            dropped.kpis[dropped.nkpis++] = rep->kpis[i];
    }
    rep->nkpis = kept;
    report_free(&dropped); /* frees the dropped results and the array */
    return EXIT_DONE;
}

static int evaluate_once(const run_args *a, rules *rs, period p, report *rep)
{
    kpi_error err;
    kpi_error_clear(&err);
    double t0 = seconds_now();
    if (rules_evaluate(rs, p, rep, &err) != 0) return engine_error(&err);
    if (a->verbose) {
        char label[64];
        fprintf(stderr, "kpiengine: %zu KPIs for %s in %.1f ms\n", rep->nkpis,
                period_label(p, label, sizeof label), (seconds_now() - t0) * 1e3);
    }
    return EXIT_DONE;
}

/*
** The previous values of a period in progress: the same days at the start of the
** period before (August 1-15 is compared with July 1-15, not with all of July).
*/
static int previous_to_date(const run_args *a, rules *rs, period whole, int32_t days, report *rep)
{
    period before = period_prev(whole);
    period same_days = {GRAIN_RANGE, before.start, before.start + days};
    if (same_days.stop > before.stop) same_days.stop = before.stop;
    report prev;
    int rc = evaluate_once(a, rs, same_days, &prev);
    if (rc != EXIT_DONE) return rc;
    for (size_t i = 0; i < rep->nkpis && i < prev.nkpis; i++) {
        kpi_result *k = &rep->kpis[i];
        k->has_previous = prev.kpis[i].has_value;
        k->previous = prev.kpis[i].has_value ? prev.kpis[i].value : 0;
        k->has_change = k->has_value && k->has_previous && k->previous != 0;
        k->change = k->has_change ? (k->value - k->previous) / fabs(k->previous) : 0;
    }
    report_free(&prev);
    return EXIT_DONE;
}

int run_evaluate(const run_args *a, rules *rs, period p, report *rep)
{
    int32_t as_of = a->as_of ? a->as_of_day : cli_today();
    char label[64], day[16];
    if (a->as_of && as_of < p.start) {
        date_format_iso(p.start, day);
        return usage_error("--as-of %s is before the period %s starts (%s)", a->as_of,
                           period_label(p, label, sizeof label), day);
    }
    int in_progress = p.grain != GRAIN_RANGE && as_of >= p.start && as_of < p.stop - 1;
    if (!in_progress) {
        int rc = evaluate_once(a, rs, p, rep);
        rep->has_as_of = a->as_of != NULL;
        rep->as_of = as_of;
        return rc;
    }
    period to_date = {GRAIN_RANGE, p.start, as_of + 1};
    int rc = evaluate_once(a, rs, to_date, rep);
    if (rc == EXIT_DONE) rc = previous_to_date(a, rs, p, as_of + 1 - p.start, rep);
    rep->period = p;
    rep->in_progress = rep->has_as_of = 1;
    rep->as_of = as_of;
    return rc;
}

int run_pace(rules *rs, report *rep)
{
    review_project(rep);
    for (size_t i = 0; i < rep->nkpis; i++) {
        kpi_result *k = &rep->kpis[i];
        int at = rules_kpi_find(rs, k->id, NULL);
        const char *due = at >= 0 ? rules_kpi_due(rs, (size_t)at) : NULL;
        int32_t day;
        if (!due) continue;
        if (date_parse_iso(due, strlen(due), &day) != 0) { /* rules_open checked it */
            fprintf(stderr, "kpiengine: %s:%d: kpi '%s': due is not a date\n", k->file, k->line,
                    k->id);
            return EXIT_SCRIPT;
        }
        review_set_due(rep, k, day);
    }
    return EXIT_DONE;
}

/* ---- one period ----------------------------------------------------------------------- */

/*
** The history the HTML report draws (kpi_result.history) is freed here once the report
** is rendered, whoever else would free it: report_free then finds NULL.
*/
static void drop_history(report *rep)
{
    for (size_t i = 0; i < rep->nkpis; i++) {
        kpi_free(rep->kpis[i].history);
        rep->kpis[i].history = NULL;
        rep->kpis[i].nhistory = 0;
    }
}

int run_output(const run_args *a, report *rep)
{
    /* --owner filters here, after a review chose its KPIs by their place in the rule set */
    if (owner_only && keep_owner(rep) != EXIT_DONE) return EXIT_DATA;
    run_store st;
    int rc = run_store_open(a, &st);
    if (rc == EXIT_DONE && !rep->in_progress) rc = run_store_previous(&st, rep);
    if (rc == EXIT_DONE) rc = run_store_history(&st, rep);
    size_t len = 0;
    char *text = NULL;
    if (rc == EXIT_DONE) {
        render_options ro = {run_use_color(a), a->lang};
        text = render_report(a->format, rep, &ro, &len);
        if (!text) {
            fputs("kpiengine: out of memory while rendering the report\n", stderr);
            rc = EXIT_DATA;
        }
    }
    drop_history(rep);
    const report *one = rep;
    if (rc == EXIT_DONE) rc = run_store_save(&st, a, &one, 1);
    run_store_close(&st);
    if (rc == EXIT_DONE) rc = write_output(a->output, text, len);
    kpi_free(text);
    if (rc == EXIT_DONE) rc = run_below_minimum(a, &one, 1);
    return rc;
}

static int run_period(const run_args *a, rules *rs, period p)
{
    kpi_error err;
    kpi_error_clear(&err);
    if (!a->period && a->as_of)
        p = period_containing(rules_grain(rs), a->as_of_day);
    else if (!a->period && rules_default_period(rs, &p, &err) != 0)
        return engine_error(&err);
    report rep;
    memset(&rep, 0, sizeof rep);
    int rc = run_evaluate(a, rs, p, &rep);
    if (rc == EXIT_DONE) rc = run_pace(rs, &rep);
    if (rc == EXIT_DONE) rc = run_output(a, &rep);
    report_free(&rep);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        cli_help();
        return EXIT_DONE;
    }
    period p = {GRAIN_MONTH, 0, 0};
    if ((rc = check_run_args(&a, &p)) != EXIT_DONE) return rc;
    rules_options ro;
    rules_options_init(&ro);
    ro.data_dir = a.data_dir;
    ro.verbose = a.verbose;
    if (cli_show_progress()) ro.progress = cli_progress;
    char cache[4096];
    if (!a.no_cache) ro.cache_dir = a.cache ? a.cache : default_cache_dir(cache, sizeof cache);
    ro.cache_verify = a.verify_cache;
    kpi_error err;
    kpi_error_clear(&err);
    double t0 = seconds_now();
    rules *rs = rules_open(a.file, &ro, &err);
    if (!rs) return engine_error(&err);
    if (a.verbose)
        fprintf(stderr, "kpiengine: %s: loaded in %.1f ms\n", a.file, (seconds_now() - t0) * 1e3);
    if (owner_only &&
        ((rc = check_owner(rs)) != EXIT_DONE || (rc = check_owner_review(&a, rs)) != EXIT_DONE)) {
        rules_close(rs);
        return rc;
    }
    rc = a.review ? run_review(&a, rs) : run_period(&a, rs, p);
    if (rc == EXIT_DONE || rc == EXIT_BELOW) {
        int written = run_rejects(&a, rs);
        if (written != EXIT_DONE) rc = written;
    }
    rules_close(rs);
    return rc;
}
