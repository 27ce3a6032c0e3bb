/*
** cmd_history.c -- `kpiengine history FILE.lua [KPI] [--last N]`: the values and
** statuses a rule set's runs saved, period by period, with a sparkline per KPI.
**
** The rule set is loaded for its name (the store keys runs by it) and to check the KPI
** named; its data is not read. The store is only read: history never creates one.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/kpi_alloc.h"
#include "lua/rules.h"
#include "out/history.h"

typedef struct history_args {
    const char *file, *kpi, *db, *format, *output, *last_text;
    int last, no_color, help;
} history_args;

static int history_option(int argc, char **argv, int *i, history_args *a)
{
    const char *arg = argv[*i];
    int r;
    if ((r = take_value(argc, argv, i, "--last", &a->last_text))) return r;
    if ((r = take_value(argc, argv, i, "--db", &a->db))) return r;
    if ((r = take_value(argc, argv, i, "--format", &a->format))) return r;
    if ((r = take_value(argc, argv, i, "--output", &a->output))) return r;
    if ((r = take_value(argc, argv, i, "-o", &a->output))) return r;
    if ((r = take_flag(arg, "--no-color", &a->no_color))) return r;
    if ((r = take_flag(arg, "--help", &a->help))) return r;
    return take_flag(arg, "-h", &a->help);
}

/* A whole number of periods, at least 1. */
static int parse_last(history_args *a)
{
    if (!a->last_text) return EXIT_DONE;
    char *end;
    long n = strtol(a->last_text, &end, 10);
    if (*end || end == a->last_text || n < 1 || n > 100000)
        return usage_error("--last: '%s' is not a number of periods (a whole number from 1)",
                           a->last_text);
    a->last = (int)n;
    return EXIT_DONE;
}

static int parse_history_args(int argc, char **argv, history_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = "table";
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = history_option(argc, argv, &i, a);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("history: unknown option '%s'", arg);
        } else if (!a->file) {
            a->file = arg;
        } else if (!a->kpi) {
            a->kpi = arg;
        } else {
            return usage_error("history: one rule set and at most one KPI expected, got '%s'", arg);
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file)
        return usage_error("history: missing the rule-set file (kpiengine history FILE.lua [KPI])");
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0)
        return usage_error("history: unknown format '%s' (expected one of: table, json)",
                           a->format);
    int rc = parse_last(a);
    return rc != EXIT_DONE ? rc : check_input_file(a->file, "the rule set");
}

/* Read the history from the store at path and write it. */
static int show(const history_args *a, rules *rs, const char *path)
{
    kpi_error err;
    kpi_error_clear(&err);
    store *s = store_open_existing(path, &err);
    if (!s) {
        engine_error(&err);
        fprintf(stderr,
                "kpiengine: nothing saved yet: every `kpiengine run %s` saves its "
                "results there (unless --no-save)\n",
                a->file);
        return EXIT_DATA;
    }
    history h = {rules_name(rs), a->file, path, rules_currency(rs), NULL, 0};
    int rc = history_load(s, h.ruleset, a->kpi, a->last, &h, &err);
    store_close(s);
    if (rc != 0) {
        history_free(&h);
        return engine_error(&err);
    }
    size_t len = 0;
    render_options ro = {cli_use_color(a->no_color, a->output), NULL};
    char *text = strcmp(a->format, "json") == 0 ? render_history_json(&h, &len)
                                                : render_history_table(&h, &ro, &len);
    history_free(&h);
    if (!text) {
        fputs("kpiengine: out of memory while rendering the history\n", stderr);
        return EXIT_DATA;
    }
    rc = write_output(a->output, text, len);
    kpi_free(text);
    return rc;
}

int cmd_history(int argc, char **argv)
{
    history_args a;
    int rc = parse_history_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        cli_help();
        return EXIT_DONE;
    }
    kpi_error err;
    kpi_error_clear(&err);
    rules *rs = rules_open(a.file, NULL, &err);
    if (!rs) return engine_error(&err);
    const char *hint = NULL;
    if (a.kpi && rules_kpi_find(rs, a.kpi, &hint) < 0) {
        char near[200] = "";
        if (hint) snprintf(near, sizeof near, " (did you mean '%s'?)", hint);
        rc = usage_error("history: %s has no KPI '%s'%s", a.file, a.kpi, near);
        rules_close(rs);
        return rc;
    }
    char path[4096];
    if (a.db)
        snprintf(path, sizeof path, "%s", a.db);
    else
        default_db_path(a.file, path, sizeof path);
    rc = show(&a, rs, path);
    rules_close(rs);
    return rc;
}
