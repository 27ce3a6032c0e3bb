/*
** run.h -- what the parts of `kpiengine run` share: its options, the results store as
** a run uses it (run_store.c), and the review runs (run_review.c, run_campaign.c).
**
** A run evaluates, then (unless --no-save) opens the store, takes the previous values
** from it, renders, saves, and only then writes the report: a run whose results could
** not be saved exits 4 without a report, so a report on disk always has its results in
** the store.
*/
#ifndef KPI_CLI_RUN_H
#define KPI_CLI_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "lua/rules.h"
#include "model/report.h"
#include "out/store.h"

typedef struct run_args {
    const char *file;
    const char *period;
    const char *data_dir;
    const char *format;
    const char *output;
    const char *lang;
    const char *db;       /* --db FILE; NULL: .kpiengine/results.db beside the rule set */
    const char *review;   /* --review NAME */
    const char *campaign; /* --campaign NAME (with --review of campaigns) */
    const char *as_of;    /* --as-of DATE as given */
    const char *cache;    /* --cache DIR; NULL: .kpiengine/cache beside the rule set */
    int no_cache;         /* --no-cache */
    int verify_cache;     /* --verify-cache */
    const char *rejects;  /* --rejects FILE */
    int32_t as_of_day;    /* parsed, when as_of is set */
    int verbose, no_color, fail_below, help, no_save;
} run_args;

/* ---- the store (run_store.c) --------------------------------------------------------- */

#define RUN_HISTORY_PERIODS 12

typedef struct run_store {
    store *s; /* NULL: no store to read or write */
    int save; /* 1: write this run into s */
    char path[4096];
} run_store;

/*
** Open the store for a run: created when saving; with --no-save, opened only when it
** exists (its previous values still count). EXIT_DONE or EXIT_DATA after a message.
*/
int run_store_open(const run_args *a, run_store *st);
/* Previous values from the store (store_fill_previous): EXIT_DONE or EXIT_DATA. */
int run_store_previous(run_store *st, report *r);
/*
** When saving: each KPI's values of the RUN_HISTORY_PERIODS periods before the report's
** (kpi_result.history, for the HTML report's sparklines). EXIT_DONE or EXIT_DATA.
*/
int run_store_history(run_store *st, report *r);
/* Append the n reports as one transaction (when saving): EXIT_DONE or EXIT_DATA. */
int run_store_save(run_store *st, const run_args *a, const report *const *reports, size_t n);
void run_store_close(run_store *st);

/* ---- shared by the run kinds (cmd_run.c) --------------------------------------------- */

/* Whether to colour the output: a terminal, no --no-color, no NO_COLOR. */
int run_use_color(const run_args *a);
/*
** Evaluate rs for period p into *rep, honouring --as-of: a period not over by then is
** evaluated to date (report.in_progress) with the same days of the period before as
** its previous values. Returns an exit code (messages printed).
*/
int run_evaluate(const run_args *a, rules *rs, period p, report *rep);
/* Deadlines and projections of rep's KPIs (model/review.h). EXIT_DONE or EXIT_SCRIPT. */
int run_pace(rules *rs, report *rep);
/*
** The rest of a run of one report: previous values from the store (not for a period
** in progress, whose previous values are to date too), render, save, write, and
** --fail-below. Returns the exit code.
*/
int run_output(const run_args *a, report *rep);
/* EXIT_BELOW when --fail-below and a KPI of rep is below its minimum (named on stderr). */
int run_below_minimum(const run_args *a, const report *const *reports, size_t n);

/*
** The rows the sources left out (on_error = "skip", run_rejects.c): a warning per
** source on stderr and, with --rejects FILE, the CSV list of them. Returns an exit code.
*/
int run_rejects(const run_args *a, rules *rs);

/* ---- reviews (run_review.c) ----------------------------------------------------------- */

/* `run --review NAME`: a schedule's latest due period, or every campaign's windows. */
int run_review(const run_args *a, rules *rs);
/* `run --review NAME` of a campaigns review (run_campaign.c). */
int run_campaigns(const run_args *a, rules *rs, const rules_review *v);

#endif
