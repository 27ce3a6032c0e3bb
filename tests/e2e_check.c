/*
** e2e_check.c -- `kpiengine check FILE.lua`: every kind of finding, each on a fixture
** in tests/data/check/ whose comment says what is wrong with it.
**
** Each test asserts the finding's exact file:line, its severity word, a substring of its
** message and the exit code (0 with warnings alone, 3 for a rule-set error, 4 when a
** source cannot be read, 2 for usage). The lines are those of the fixtures, counted by
** hand; the sample rule sets kpis/retail.lua and kpis/b2b.lua must check clean.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

/* Run `kpiengine check` on fixture (a file of tests/data/check) and expect exit code. */
static char *check_fixture(const char *fixture, const char *options, int code)
{
    char name[256], args[1200];
    snprintf(name, sizeof name, "check/%s", fixture);
    snprintf(args, sizeof args, "check '%s' %s", tu_data(name), options);
    char *out, *err;
    int rc = e2e_engine(args, &out, &err);
    if (rc != code)
        fail_msg("kpiengine %s: exit %d (expected %d)\nstdout: %s\nstderr: %s", args, rc, code, out,
                 err);
    assert_string_equal(err, "");
    tu_free(err);
    return out;
}

/* Where in out the line "<file>:<line>: <severity>: ...message..." starts; fails when absent. */
static const char *find_finding(const char *out, const char *fixture, int line,
                                const char *severity, const char *message)
{
    char name[256], head[1024];
    snprintf(name, sizeof name, "check/%s", fixture);
    snprintf(head, sizeof head, "%s:%d: %s: ", tu_data(name), line, severity);
    size_t head_len = strlen(head);
    for (const char *p = out; *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char text[2048];
        snprintf(text, sizeof text, "%.*s", (int)n, p);
        if (strncmp(text, head, head_len) == 0 && strstr(text + head_len, message)) return p;
        p += n + (end != NULL);
    }
    fail_msg("no finding '%s...%s' in:\n%s", head, message, out);
    return NULL;
}

static void assert_finding(const char *out, const char *fixture, int line, const char *severity,
                           const char *message)
{
    find_finding(out, fixture, line, severity, message);
}

/* The last line of out (the summary) is want. */
static void assert_summary(const char *out, const char *want)
{
    size_t len = strlen(out);
    assert_true(len > 0 && out[len - 1] == '\n');
    const char *last = out + len - 1;
    while (last > out && last[-1] != '\n')
        last--;
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)(out + len - 1 - last), last);
    assert_string_equal(line, want);
}

/* How many findings out lists (lines before the summary). */
static int count_findings(const char *out)
{
    int lines = 0;
    for (const char *p = out; *p; p++)
        lines += *p == '\n';
    return lines - 1;
}

/* ---- clean rule sets ----------------------------------------------------------------------- */

static void test_check_clean_rule_set_prints_ok_with_counts(void **state)
{
    (void)state;
    char *out = check_fixture("clean.lua", "", 0);
    assert_string_equal(out, "ok: 2 KPIs, 1 source, 1 review\n");
    tu_free(out);
}

static void test_check_data_option_reads_sources_under_dir(void **state)
{
    (void)state;
    char options[600];
    snprintf(options, sizeof options, "--data '%s'", tu_data("check"));
    char *out = check_fixture("clean.lua", options, 0);
    assert_string_equal(out, "ok: 2 KPIs, 1 source, 1 review\n");
    tu_free(out);
}

/* A sample rule set: exit 0 and no finding that is an error. */
static void assert_sample_clean(const char *file)
{
    char *out, *err;
    char args[600];
    snprintf(args, sizeof args, "check '%s/kpis/%s'", KPI_SOURCE_DIR, file);
    int rc = e2e_engine(args, &out, &err);
    if (rc != 0 || strstr(out, ": error: "))
        fail_msg("kpiengine %s: exit %d\n%s%s", args, rc, out, err);
    const char *last = strrchr(out, '\n');
    while (last && last > out && last[-1] != '\n')
        last--;
    assert_true(last && (strncmp(last, "ok: ", 4) == 0 || strncmp(last, "0 errors", 8) == 0));
    tu_free(out);
    tu_free(err);
}

static void test_check_retail_sample_is_clean(void **state)
{
    (void)state;
    assert_sample_clean("retail.lua");
}

static void test_check_b2b_sample_is_clean(void **state)
{
    (void)state;
    assert_sample_clean("b2b.lua");
}

/* ---- loading ----------------------------------------------------------------------------------
 */

static void test_check_lists_every_unknown_field_with_suggestion(void **state)
{
    (void)state;
    char *out = check_fixture("unknown_fields.lua", "", 3);
    const char *f = "unknown_fields.lua";
    assert_finding(out, f, 2, "error", "ruleset: unknown field 'grian' (did you mean 'grain'?)");
    assert_finding(out, f, 4, "error",
                   "source 'orders': unknown field 'tiem' (did you mean 'time'?)");
    assert_finding(out, f, 6, "error", "kpi 'revenue': unknown field 'tagret' (did you mean");
    assert_finding(out, f, 8, "error",
                   "kpi 'orders': unknown field 'ownr' (did you mean 'owner'?)");
    assert_finding(out, f, 11, "error", "review 'monthly': unknown field 'evrey' (did you mean");
    /* the misspelt fields were read as meant: no finding follows from them */
    assert_int_equal(count_findings(out), 5);
    assert_summary(out, "5 errors, 0 warnings");
    tu_free(out);
}

static void test_check_unknown_global_in_kpi_suggests_the_source(void **state)
{
    (void)state;
    char *out = check_fixture("unknown_global.lua", "", 3);
    assert_finding(out, "unknown_global.lua", 8, "error",
                   "kpi 'revenue': unknown global 'ordres' (did you mean 'orders'?)");
    assert_int_equal(count_findings(out), 1);
    tu_free(out);
}

static void test_check_unknown_global_in_branch_not_taken_is_found(void **state)
{
    (void)state;
    char *out = check_fixture("branch.lua", "", 3);
    assert_finding(out, "branch.lua", 9, "error",
                   "unknown global 'ordres' (did you mean 'orders'?)");
    assert_int_equal(count_findings(out), 1);
    tu_free(out);
}

static void test_check_missing_required_fields_are_errors(void **state)
{
    (void)state;
    char *out = check_fixture("missing_fields.lua", "", 3);
    const char *f = "missing_fields.lua";
    assert_finding(out, f, 5, "error", "source 'spend': give either csv = \"file.csv\" or sqlite");
    assert_finding(out, f, 7, "error", "kpi 'revenue': missing field 'value'");
    assert_finding(out, f, 8, "error", "kpi 'orders': missing field 'better'");
    assert_finding(out, f, 10, "error", "kpi 'spend': missing field 'target'");
    assert_finding(out, f, 13, "error", "review 'monthly': give either every = \"month\"");
    /* the placeholder source 'spend' is not read, so kpi 'spend' adds nothing */
    assert_int_equal(count_findings(out), 5);
    tu_free(out);
}

static void test_check_declaration_without_body_is_an_error(void **state)
{
    (void)state;
    char *out = check_fixture("pending.lua", "", 3);
    assert_finding(out, "pending.lua", 4, "error",
                   "kpi 'orders' is missing its definition { ... }");
    assert_int_equal(count_findings(out), 1);
    tu_free(out);
}

static void test_check_syntax_error_is_the_only_finding(void **state)
{
    (void)state;
    char *out = check_fixture("syntax.lua", "", 3);
    assert_finding(out, "syntax.lua", 4, "error", "'}' expected near 'better'");
    assert_int_equal(count_findings(out), 1);
    assert_summary(out, "1 error, 0 warnings");
    tu_free(out);
}

/* ---- levels and units ------------------------------------------------------------------------ */

static void test_check_levels_in_wrong_order_error_and_equal_levels_warn(void **state)
{
    (void)state;
    char *out = check_fixture("levels.lua", "", 3);
    assert_finding(
        out, "levels.lua", 6, "error",
        "kpi 'revenue': target (100.0) is below minimum (300.0), but better = \"higher\"");
    assert_finding(out, "levels.lua", 8, "error",
                   "kpi 'basket': target (80.0) is above minimum (50.0), but better = \"lower\"");
    assert_finding(out, "levels.lua", 10, "warning", "kpi 'orders': minimum equals target (3)");
    assert_summary(out, "2 errors, 1 warning");
    tu_free(out);
}

static void test_check_units_that_do_not_fit_are_warnings(void **state)
{
    (void)state;
    char *out = check_fixture("units.lua", "", 0);
    const char *f = "units.lua";
    assert_finding(out, f, 6, "warning",
                   "kpi 'orders': unknown unit 'cout' (did you mean 'count'?)");
    assert_finding(out, f, 8, "warning",
                   "kpi 'revenue': unit 'USD' is money in another currency than the rule set's "
                   "'VND'");
    assert_finding(out, f, 10, "warning",
                   "kpi 'web_share': target (150) is outside 0..1 for unit 'ratio'");
    assert_finding(
        out, f, 13, "warning",
        "kpi 'repeat_rate': minimum (35) and target (45) are outside -1..10 for unit '%'");
    /* "visits" is the rule set's own unit: accepted as written */
    assert_null(strstr(out, "'visits'"));
    assert_summary(out, "0 errors, 4 warnings");
    tu_free(out);
}

/* ---- evaluation -------------------------------------------------------------------------------
 */

static void test_check_lists_column_errors_of_every_kpi(void **state)
{
    (void)state;
    char *out = check_fixture("columns.lua", "", 3);
    const char *f = "columns.lua";
    assert_finding(out, f, 7, "error",
                   "kpi 'revenue': source 'orders' has no column 'amont' (did you mean 'amount'?)");
    assert_finding(out, f, 9, "error", "kpi 'channels': sum: cannot sum text column 'channel'");
    assert_finding(out, f, 12, "error",
                   "kpi 'orders' (breakdown): source 'orders' has no column 'chanel' (did you "
                   "mean 'channel'?)");
    assert_summary(out, "3 errors, 0 warnings");
    tu_free(out);
}

static void test_check_unknown_review_and_kpi_names_suggest(void **state)
{
    (void)state;
    char *out = check_fixture("names.lua", "", 3);
    const char *f = "names.lua";
    assert_finding(out, f, 6, "error",
                   "kpi 'revenue': review 'montly' is not declared (did you mean 'monthly'?)");
    assert_finding(out, f, 11, "error",
                   "kpi 'aov': k: unknown kpi 'ordres' (did you mean 'orders'?)");
    assert_finding(out, f, 14, "error",
                   "review 'board': unknown kpi 'revenu' (did you mean 'revenue'?)");
    assert_int_equal(count_findings(out), 3);
    tu_free(out);
}

static void test_check_findings_sorted_by_file_then_line(void **state)
{
    (void)state;
    char *out = check_fixture("variant.lua", "", 3);
    /* recorded as levels 6, levels 8, variant 7 (loading), variant 5 (evaluation) */
    const char *a = find_finding(out, "levels.lua", 6, "error", "kpi 'revenue': target");
    const char *b = find_finding(out, "levels.lua", 8, "error", "kpi 'basket': target");
    const char *c = find_finding(out, "variant.lua", 5, "error", "k: unknown kpi 'revenu'");
    const char *d = find_finding(out, "variant.lua", 7, "error", "unknown field 'minimun'");
    assert_true(a < b && b < c && c < d);
    assert_summary(out, "4 errors, 0 warnings");
    tu_free(out);
}

/* ---- sources -----------------------------------------------------------------------------------
 */

static void test_check_missing_source_file_exits_4(void **state)
{
    (void)state;
    char *out = check_fixture("missing_file.lua", "", 4);
    assert_finding(out, "missing_file.lua", 4, "error",
                   "source 'orders': cannot open: No such file or directory");
    assert_non_null(strstr(out, "data/order.csv"));
    /* the KPI reading it is not blamed for it */
    assert_int_equal(count_findings(out), 1);
    tu_free(out);
}

static void test_check_source_that_is_not_a_database_exits_4(void **state)
{
    (void)state;
    char *out = check_fixture("not_a_database.lua", "", 4);
    assert_finding(out, "not_a_database.lua", 4, "error", "source 'csat': not a SQLite database");
    assert_int_equal(count_findings(out), 1);
    tu_free(out);
}

/* A query that does not run is part of the rule set (as for `run`): exit 3, not 4. */
static void test_check_source_with_bad_query_is_a_rule_set_error(void **state)
{
    (void)state;
    char *out = check_fixture("bad_query.lua", "", 3);
    assert_finding(out, "bad_query.lua", 4, "error", "source 'csat': the query failed on ");
    assert_non_null(strstr(out, "no such column: scroe"));
    assert_int_equal(count_findings(out), 1);
    tu_free(out);
}

/* ---- usage -------------------------------------------------------------------------------------
 */

static void test_check_usage_errors_exit_2(void **state)
{
    (void)state;
    e2e_assert_error("check", 2, "check: missing the rule-set file");
    e2e_assert_error("check /nonexistent/rules.lua", 2, "cannot open the rule set");
    e2e_assert_error("check a.lua b.lua", 2, "check: one rule-set file expected");
    char args[600];
    snprintf(args, sizeof args, "check '%s' --bogus", tu_data("check/clean.lua"));
    e2e_assert_error(args, 2, "check: unknown option '--bogus'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_clean_rule_set_prints_ok_with_counts),
        cmocka_unit_test(test_check_data_option_reads_sources_under_dir),
        cmocka_unit_test(test_check_retail_sample_is_clean),
        cmocka_unit_test(test_check_b2b_sample_is_clean),
        cmocka_unit_test(test_check_lists_every_unknown_field_with_suggestion),
        cmocka_unit_test(test_check_unknown_global_in_kpi_suggests_the_source),
        cmocka_unit_test(test_check_unknown_global_in_branch_not_taken_is_found),
        cmocka_unit_test(test_check_missing_required_fields_are_errors),
        cmocka_unit_test(test_check_declaration_without_body_is_an_error),
        cmocka_unit_test(test_check_syntax_error_is_the_only_finding),
        cmocka_unit_test(test_check_levels_in_wrong_order_error_and_equal_levels_warn),
        cmocka_unit_test(test_check_units_that_do_not_fit_are_warnings),
        cmocka_unit_test(test_check_lists_column_errors_of_every_kpi),
        cmocka_unit_test(test_check_unknown_review_and_kpi_names_suggest),
        cmocka_unit_test(test_check_findings_sorted_by_file_then_line),
        cmocka_unit_test(test_check_missing_source_file_exits_4),
        cmocka_unit_test(test_check_source_that_is_not_a_database_exits_4),
        cmocka_unit_test(test_check_source_with_bad_query_is_a_rule_set_error),
        cmocka_unit_test(test_check_usage_errors_exit_2),
    };
    return cmocka_run_group_tests_name("e2e_check", tests, NULL, NULL);
}
