/*
** cmd_run.c -- `kpiengine run FILE.lua`: evaluate a rule set for one period, render
** the report, write it, and choose the exit code.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/kpi_alloc.h"
#include "core/period.h"
#include "lua/rules.h"
#include "model/report.h"
#include "out/render.h"

/* ---- run --------------------------------------------------------------- */

typedef struct run_args {
    const char *file;
    const char *period;
    const char *data_dir;
    const char *format;
    const char *output;
    const char *lang;
    int verbose, no_color, fail_below, help;
} run_args;

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
    if ((r = take_value(argc, argv, i, "-o", &a->output))) return r;
    if ((r = take_flag(arg, "--verbose", &a->verbose))) return r;
    if ((r = take_flag(arg, "--no-color", &a->no_color))) return r;
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
    return EXIT_DONE;
}

/* Check what can be checked before running any Lua: files, folders and the period. */
static int check_run_args(const run_args *a, period *p)
{
    int rc = check_input_file(a->file, "the rule set");
    if (rc != EXIT_DONE) return rc;
    struct stat st;
    if (a->data_dir && (stat(a->data_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return usage_error("--data: '%s' is not a directory", a->data_dir);
    if (a->period) {
        kpi_error err;
        kpi_error_clear(&err);
        if (period_parse(a->period, p, &err) != 0) return usage_error("--period: %s", err.message);
    }
    return EXIT_DONE;
}

static int use_color(const run_args *a)
{
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (a->no_color || (no_color && no_color[0])) return 0;
    if (a->output && strcmp(a->output, "-") != 0) return 0;
    if (term && strcmp(term, "dumb") == 0) return 0;
    return isatty(STDOUT_FILENO);
}

/* EXIT_BELOW when asked to and a KPI is below its minimum (naming them on stderr). */
static int below_minimum_code(const run_args *a, const report *rep)
{
    size_t below = 0;
    for (size_t i = 0; i < rep->nkpis; i++)
        below += rep->kpis[i].status == STATUS_BELOW_MINIMUM;
    if (!a->fail_below || below == 0) return EXIT_DONE;
    fprintf(stderr, "kpiengine: %zu KPI%s below minimum:", below, below == 1 ? "" : "s");
    for (size_t i = 0; i < rep->nkpis; i++)
        if (rep->kpis[i].status == STATUS_BELOW_MINIMUM) fprintf(stderr, " %s", rep->kpis[i].id);
    fputc('\n', stderr);
    return EXIT_BELOW;
}

static int render_and_write(const run_args *a, const report *rep)
{
    size_t len = 0;
    render_options ro = {use_color(a), a->lang};
    char *text = render_report(a->format, rep, &ro, &len);
    if (!text) {
        fputs("kpiengine: out of memory while rendering the report\n", stderr);
        return EXIT_DATA;
    }
    int rc = write_output(a->output, text, len);
    kpi_free(text);
    return rc;
}

/* Open, choose the period, evaluate. Fills *rep; returns an exit code. */
static int evaluate(const run_args *a, period p, report *rep)
{
    rules_options ro;
    rules_options_init(&ro);
    ro.data_dir = a->data_dir;
    ro.verbose = a->verbose;
    kpi_error err;
    kpi_error_clear(&err);
    double t0 = seconds_now();
    rules *rs = rules_open(a->file, &ro, &err);
    if (!rs) return engine_error(&err);
    double t1 = seconds_now();
    if (!a->period && rules_default_period(rs, &p, &err) != 0) {
        rules_close(rs);
        return engine_error(&err);
    }
    int rc = rules_evaluate(rs, p, rep, &err);
    rules_close(rs);
    if (rc != 0) return engine_error(&err);
    if (a->verbose) {
        char label[64];
        fprintf(stderr, "kpiengine: %s: loaded in %.1f ms; %zu KPIs for %s in %.1f ms\n", a->file,
                (t1 - t0) * 1e3, rep->nkpis, period_label(p, label, sizeof label),
                (seconds_now() - t1) * 1e3);
    }
    return EXIT_DONE;
}

int cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        fputs(cli_usage_text, stdout);
        return EXIT_DONE;
    }
    period p = {GRAIN_MONTH, 0, 0};
    if ((rc = check_run_args(&a, &p)) != EXIT_DONE) return rc;
    report rep;
    memset(&rep, 0, sizeof rep);
    if ((rc = evaluate(&a, p, &rep)) != EXIT_DONE) {
        report_free(&rep);
        return rc;
    }
    rc = render_and_write(&a, &rep);
    if (rc == EXIT_DONE) rc = below_minimum_code(&a, &rep);
    report_free(&rep);
    return rc;
}
