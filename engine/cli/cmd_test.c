/*
** cmd_test.c -- `kpiengine test FILE [--data DIR] [--verbose]`: run the test cases
** declared beside a rule set (lua/ruletest.h). FILE is the rule set (kpis/retail.lua)
** or its test file (kpis/retail.test.lua); both run kpis/retail.test.lua.
**
** Each case runs against the rule set opened afresh: its fixtures replace the sources it
** names, then every KPI is evaluated for the case's period as `run --as-of` does, and
** the expectations are checked. One line per case on stdout, "PASS name" or "FAIL name:
** what differs; ... (file:line)", then "N passed, N failed". A case whose data cannot be
** loaded or whose KPIs raise fails too (the reason on its line or on stderr).
**
** Exit: 0 every case passed; 1 one failed; 2 usage; 3 a script error in the rule set
** or the test file (a syntax error, an unknown KPI or source, a missing fixture file);
** 4 the rule set's files cannot be read.
*/
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/date.h"
#include "lua/ruletest.h"
#include "out/textfmt.h"
#include "run.h"

typedef struct test_args {
    const char *file;
    const char *data_dir;
    int verbose, help;
} test_args;

static int parse_test_args(int argc, char **argv, test_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int r = 0;
        if (arg[0] == '-' && arg[1] != '\0') {
            if ((r = take_value(argc, argv, &i, "--data", &a->data_dir)) == 0 &&
                (r = take_flag(arg, "--verbose", &a->verbose)) == 0 &&
                (r = take_flag(arg, "--help", &a->help)) == 0)
                r = take_flag(arg, "-h", &a->help);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("test: unknown option '%s'", arg);
        } else if (a->file) {
            return usage_error("test: one file expected, got '%s' and '%s'", a->file, arg);
        } else {
            a->file = arg;
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file)
        return usage_error("test: missing the rule set (kpiengine test FILE.lua or FILE.test.lua)");
    return check_data_dir(a->data_dir);
}

/* The case's period: as given, else the one holding as_of, else the data's latest. */
static int case_period(rules *rs, const ruletest_case *c, period *p, char *why, size_t size)
{
    kpi_error err;
    kpi_error_clear(&err);
    if (c->has_period) {
        *p = c->p;
    } else if (c->has_as_of) {
        *p = period_containing(rules_grain(rs), c->as_of);
    } else if (rules_default_period(rs, p, &err) != 0) {
        kpi_error_format(&err, why, size);
        return -1;
    }
    return 0;
}

/*
** Check expectation e of case c against rep: 1 when it holds, else 0 with what was found
** in msg ("cac = 171234.5, expected 180000", "status of cac = met_minimum, expected
** met_target", "cac = no data (reason), expected 180000"). A value holds when
** |got - expected| <= tolerance * |expected| (|got| <= tolerance when expected is 0).
*/
static int check_expect(const ruletest_case *c, const ruletest_expect *e, const report *rep,
                        char *msg, size_t size)
{
    const kpi_result *k = NULL;
    for (size_t i = 0; i < rep->nkpis && !k; i++)
        if (strcmp(rep->kpis[i].id, e->kpi) == 0) k = &rep->kpis[i];
    char got[40], want[40];
    if (!k) {
        snprintf(msg, size, "%s is not in the report", e->kpi);
        return 0;
    }
    if (e->is_status) {
        if (k->status == e->status) return 1;
        snprintf(msg, size, "status of %s = %s, expected %s", e->kpi, status_name(k->status),
                 status_name(e->status));
        return 0;
    }
    text_shortest(e->value, want, sizeof want);
    if (!k->has_value) {
        snprintf(msg, size, "%s = no data (%s), expected %s", e->kpi,
                 k->reason ? k->reason : "no value", want);
        return 0;
    }
    double allowed = e->value == 0 ? c->tolerance : c->tolerance * fabs(e->value);
    if (fabs(k->value - e->value) <= allowed) return 1;
    snprintf(msg, size, "%s = %s, expected %s", e->kpi, text_shortest(k->value, got, sizeof got),
             want);
    return 0;
}

/* Check every expectation: 1 when all hold; else 0 with what failed in line. */
static int check_case(const ruletest_case *c, const report *rep, char *line, size_t size)
{
    size_t used = 0;
    int ok = 1;
    line[0] = '\0';
    for (size_t i = 0; i < c->nexpects; i++) {
        char msg[512];
        if (check_expect(c, &c->expects[i], rep, msg, sizeof msg)) continue;
        int n = snprintf(line + used, size - used, "%s%s", ok ? "" : "; ", msg);
        if (n > 0 && (size_t)n < size - used) used += (size_t)n;
        ok = 0;
    }
    return ok;
}

/*
** Run one case against a freshly opened rule set: 1 passed, 0 failed (the FAIL line
** printed), or a negative exit code when the rule set itself cannot be opened.
*/
static int run_case(const test_args *ta, const ruletest_suite *s, const ruletest_case *c)
{
    rules_options ro;
    rules_options_init(&ro);
    ro.data_dir = ta->data_dir;
    ro.verbose = ta->verbose;
    kpi_error err;
    kpi_error_clear(&err);
    rules *rs = rules_open(s->rules_file, &ro, &err);
    if (!rs) return -engine_error(&err);
    char why[2048] = "";
    period p;
    report rep;
    memset(&rep, 0, sizeof rep);
    int passed = 0;
    if (ruletest_apply(rs, c, &err) != 0) {
        kpi_error_format(&err, why, sizeof why);
    } else if (case_period(rs, c, &p, why, sizeof why) == 0) {
        run_args a;
        memset(&a, 0, sizeof a);
        a.file = s->rules_file;
        a.verbose = ta->verbose;
        a.as_of = c->has_as_of ? c->as_of_text : NULL;
        a.as_of_day = c->as_of;
        char label[64];
        if (c->has_as_of && c->as_of < p.start)
            snprintf(why, sizeof why, "as_of %s is before the period %s starts", c->as_of_text,
                     period_label(p, label, sizeof label));
        else if (run_evaluate(&a, rs, p, &rep) != EXIT_DONE)
            snprintf(why, sizeof why, "the rule set failed on this data (the error is above)");
        else
            passed = check_case(c, &rep, why, sizeof why);
    }
    report_free(&rep);
    rules_close(rs);
    if (passed)
        printf("PASS %s\n", c->name);
    else
        printf("FAIL %s: %s (%s:%d)\n", c->name, why, c->file, c->line);
    fflush(stdout);
    return passed;
}

int cmd_test(int argc, char **argv)
{
    test_args ta;
    int rc = parse_test_args(argc, argv, &ta);
    if (rc != EXIT_DONE) return rc;
    if (ta.help) {
        cli_help();
        return EXIT_DONE;
    }
    char rules_file[PATH_MAX], test_file[PATH_MAX];
    if (ruletest_paths(ta.file, rules_file, test_file, sizeof rules_file) != 0)
        return usage_error("test: '%s' is not a rule set (x.lua) or its test file (x.test.lua)",
                           ta.file);
    if ((rc = check_input_file(rules_file, "the rule set")) != EXIT_DONE) return rc;
    if ((rc = check_input_file(test_file, "the test file")) != EXIT_DONE) return rc;
    rules_options ro;
    rules_options_init(&ro);
    ro.data_dir = ta.data_dir;
    ro.verbose = ta.verbose;
    kpi_error err;
    kpi_error_clear(&err);
    ruletest_suite *s = ruletest_load(rules_file, test_file, &ro, &err);
    if (!s) return engine_error(&err);
    if (s->ncases == 0)
        fprintf(stderr, "kpiengine: %s declares no test (test \"name\" { ... })\n", test_file);
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < s->ncases; i++) {
        int r = run_case(&ta, s, &s->cases[i]);
        if (r < 0) {
            ruletest_free(s);
            return -r;
        }
        passed += r == 1;
        failed += r == 0;
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    ruletest_free(s);
    return failed ? 1 : EXIT_DONE;
}
