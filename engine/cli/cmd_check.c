/*
** cmd_check.c -- `kpiengine check FILE.lua [--data DIR]`: lint a rule set without
** running the report (lua/check.h) and print one line per finding,
**
**   file:line: error|warning: message
**
** sorted by file and line, then "N errors, N warnings", or, when there is nothing to
** say, "ok: N KPIs, N sources, N reviews". Exit 0 without errors (warnings alone are
** fine), 4 when a source cannot be read (even if the rule set has errors too), else 3
** when the rule set has an error, 2 for usage.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lua/check.h"

typedef struct check_args {
    const char *file;
    const char *data_dir;
    int help;
} check_args;

static int parse_check_args(int argc, char **argv, check_args *a)
{
    memset(a, 0, sizeof *a);
    int options_done = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int r = 0;
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (!(r = take_value(argc, argv, &i, "--data", &a->data_dir)) &&
                !(r = take_flag(arg, "--help", &a->help)))
                r = take_flag(arg, "-h", &a->help);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("check: unknown option '%s'", arg);
        } else if (a->file) {
            return usage_error("check: one rule-set file expected, got '%s' and '%s'", a->file,
                               arg);
        } else {
            a->file = arg;
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file) return usage_error("check: missing the rule-set file (kpiengine check FILE.lua)");
    return EXIT_DONE;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void print_findings(const check_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const check_finding *f = &rep->items[i];
        const char *sev = f->severity == CHECK_ERROR ? "error" : "warning";
        if (f->line > 0)
            printf("%s:%ld: %s: %s\n", f->file, f->line, sev, f->message);
        else
            printf("%s: %s: %s\n", f->file, sev, f->message);
    }
    size_t errors = check_count(rep, CHECK_ERROR), warnings = check_count(rep, CHECK_WARNING);
    if (rep->n == 0)
        printf("ok: %zu %s, %zu %s, %zu %s\n", rep->nkpis, plural(rep->nkpis, "KPI", "KPIs"),
               rep->nsources, plural(rep->nsources, "source", "sources"), rep->nreviews,
               plural(rep->nreviews, "review", "reviews"));
    else
        printf("%zu %s, %zu %s\n", errors, plural(errors, "error", "errors"), warnings,
               plural(warnings, "warning", "warnings"));
}

int cmd_check(int argc, char **argv)
{
    check_args a;
    int rc = parse_check_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        cli_help();
        return EXIT_DONE;
    }
    if ((rc = check_input_file(a.file, "the rule set")) != EXIT_DONE) return rc;
    if ((rc = check_data_dir(a.data_dir)) != EXIT_DONE) return rc;
    rules_options o;
    rules_options_init(&o);
    o.data_dir = a.data_dir;
    check_report rep;
    kpi_error err;
    if (check_ruleset(a.file, &o, &rep, &err) != 0) {
        check_report_free(&rep);
        return engine_error(&err);
    }
    check_sort(&rep);
    print_findings(&rep);
    fflush(stdout);
    if (check_has_data_error(&rep))
        rc = EXIT_DATA;
    else if (check_count(&rep, CHECK_ERROR) > 0)
        rc = EXIT_SCRIPT;
    check_report_free(&rep);
    return rc;
}
