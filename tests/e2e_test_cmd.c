/*
** e2e_test_cmd.c -- `kpiengine test`: test cases declared beside a rule set.
**
** The rule sets and test files are in tests/data/ruletest: shop.lua with its data, and
** one small file per error, each extending shop.lua. Every expected value in the test
** files is worked out by hand from the rows (see their comments); here we check that
** the command reports what it should: PASS / FAIL lines, the summary, the exit code,
** and for each error the message, its file:line and exit 3 (2 for usage).
** The sample rule sets' own test files (kpis/retail.test.lua, kpis/b2b.test.lua) must
** pass too.
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

#define DIR  KPI_TEST_DATA "/ruletest"
#define KPIS KPI_SOURCE_DIR "/kpis"

/* Run `kpiengine test path`; expect exit code and stdout equal to want (NULL: not checked). */
static char *run_test_cmd(const char *path, int code, const char *want)
{
    char args[1024], *out, *err;
    snprintf(args, sizeof args, "test '%s'", path);
    int rc = e2e_engine(args, &out, &err);
    if (rc != code) fail_msg("kpiengine %s: exit %d (expected %d)\n%s%s", args, rc, code, out, err);
    if (want && strcmp(out, want) != 0)
        fail_msg("kpiengine %s printed\n%s\nexpected\n%s", args, out, want);
    tu_free(err);
    return out;
}

/* A test file with an error: exit 3, nothing on stdout, message and position on stderr. */
static void assert_script_error(const char *name, const char *message, int line)
{
    char args[1024], where[1024];
    snprintf(args, sizeof args, "test '" DIR "/%s.lua'", name);
    snprintf(where, sizeof where, "kpiengine: " DIR "/%s.test.lua:%d: ", name, line);
    char *out, *err;
    int rc = e2e_engine(args, &out, &err);
    if (rc != 3 || !strstr(err, message) || !strstr(err, where))
        fail_msg("kpiengine %s: exit %d, stderr '%s' (expected 3, '%s' and '%s')", args, rc, err,
                 where, message);
    assert_string_equal(out, "");
    tu_free(out);
    tu_free(err);
}

/* ---- the sample rule sets ---------------------------------------------------------------- */

static void test_test_cmd_retail_sample_cases_pass(void **state)
{
    (void)state;
    char *out = run_test_cmd(KPIS "/retail.lua", 0,
                             "PASS sales of a quiet month\n"
                             "PASS acquisition cost and campaign return\n"
                             "PASS the month so far\n"
                             "3 passed, 0 failed\n");
    tu_free(out);
}

static void test_test_cmd_b2b_sample_cases_pass(void **state)
{
    (void)state;
    char *out = run_test_cmd(KPIS "/b2b.test.lua", 0,
                             "PASS deals closed in March\n"
                             "PASS unit economics\n"
                             "PASS the quarter\n"
                             "PASS March to the 15th\n"
                             "4 passed, 0 failed\n");
    tu_free(out);
}

/* ---- passing cases ------------------------------------------------------------------------- */

static const char SHOP_PASSES[] = "PASS real data when no source is replaced\n"
                                  "PASS inline rows replace orders\n"
                                  "PASS a key a row lacks is null, and text is quoted\n"
                                  "PASS a fixture file replaces spend\n"
                                  "PASS a sqlite fixture replaces visits\n"
                                  "PASS inline rows are read with the source's CSV options\n"
                                  "PASS as_of alone picks its period, counted to date\n"
                                  "PASS a relative tolerance\n"
                                  "PASS the next case sees the real data again\n"
                                  "9 passed, 0 failed\n";

static void test_test_cmd_rule_set_names_its_test_file(void **state)
{
    (void)state;
    tu_free(run_test_cmd(DIR "/shop.lua", 0, SHOP_PASSES));
}

static void test_test_cmd_test_file_names_its_rule_set(void **state)
{
    (void)state;
    tu_free(run_test_cmd(DIR "/shop.test.lua", 0, SHOP_PASSES));
}

static void test_test_cmd_shop_hand_values_agree_with_sqlite(void **state)
{
    (void)state;
    /* the first case's expectations, as the oracle computes them from the same files */
    const char *setup = ".import --csv \"" DIR "/data/orders.csv\" orders\n"
                        ".import --csv \"" DIR "/data/spend.csv\" spend";
#define JUNE " date >= '2024-06-01' AND date < '2024-07-01' "
    assert_true(tu_close(tu_oracle(":memory:", setup, "SELECT sum(amount) FROM orders WHERE" JUNE),
                         1700, 1e-12));
    assert_true(tu_close(tu_oracle(":memory:", setup,
                                   "SELECT (SELECT sum(cost) FROM spend WHERE" JUNE ") * 1.0 /"
                                   " (SELECT count(DISTINCT customer_id) FROM orders WHERE" JUNE
                                   " AND customer_id NOT IN"
                                   " (SELECT customer_id FROM orders WHERE date < '2024-06-01'))"),
                         300, 1e-12));
#undef JUNE
}

static void test_test_cmd_file_without_cases_passes_with_a_note(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(e2e_engine("test '" DIR "/empty.lua'", &out, &err), 0);
    assert_string_equal(out, "0 passed, 0 failed\n");
    assert_non_null(strstr(err, "empty.test.lua declares no test"));
    tu_free(out);
    tu_free(err);
}

/* ---- failing cases -------------------------------------------------------------------------- */

/* Line n (0-based) of text, into buf. */
static const char *line_of(const char *text, int n, char *buf, size_t size)
{
    for (; n > 0 && text; n--)
        if ((text = strchr(text, '\n'))) text++;
    size_t len = text ? strcspn(text, "\n") : 0;
    snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), text ? text : "");
    return buf;
}

static void test_test_cmd_failing_cases_exit_1_with_every_failed_expectation(void **state)
{
    (void)state;
    char *out, *err, line[1024];
    int rc = e2e_engine("test '" DIR "/failing.lua'", &out, &err);
    assert_int_equal(rc, 1);
    assert_string_equal(line_of(out, 0, line, sizeof line), "PASS passes");
    assert_string_equal(line_of(out, 1, line, sizeof line),
                        "FAIL wrong values: revenue = 1700, expected 1800; status of cac = "
                        "met_target, expected met_minimum (" DIR "/failing.test.lua:4)");
    /* the reason a KPI has no value is the evaluator's wording: only its frame is checked */
    line_of(out, 2, line, sizeof line);
    assert_int_equal(strncmp(line, "FAIL no data: revenue = no data (", 33), 0);
    assert_non_null(strstr(line, "), expected 100 (" DIR "/failing.test.lua:9)"));
    assert_string_equal(line_of(out, 3, line, sizeof line),
                        "FAIL malformed fixture: " DIR "/fixtures/ragged.csv:3:1: data.orders: "
                        "expected 3 fields, found 2 (" DIR "/failing.test.lua:11)");
    assert_string_equal(line_of(out, 4, line, sizeof line),
                        "FAIL a KPI fails on this data: the rule set failed on this data (the "
                        "error is above) (" DIR "/failing.test.lua:14)");
    assert_string_equal(line_of(out, 5, line, sizeof line), "1 passed, 4 failed");
    assert_string_equal(line_of(out, 6, line, sizeof line), "");
    /* the KPI's own error, at its file:line in the rule set */
    assert_non_null(strstr(err, DIR "/shop.lua:18: kpi 'new_customers'"));
    assert_non_null(strstr(err, "customer_id"));
    tu_free(out);
    tu_free(err);
}

/* ---- errors in the test file -------------------------------------------------------------- */

static void test_test_cmd_unknown_kpi_in_expect_suggests_the_closest(void **state)
{
    (void)state;
    assert_script_error("unknown_kpi",
                        "test 'typo': unknown KPI 'revnue' (did you mean 'revenue'?)", 2);
}

static void test_test_cmd_unknown_source_in_data_suggests_the_closest(void **state)
{
    (void)state;
    assert_script_error("unknown_source",
                        "test 'typo': unknown source 'order' (did you mean 'orders'?)", 2);
}

static void test_test_cmd_missing_fixture_file_exits_3(void **state)
{
    (void)state;
    assert_script_error("bad_fixture",
                        "test 'missing file': data.spend: cannot read fixture '" DIR
                        "/fixtures/nope.csv': No such file or directory",
                        2);
}

static void test_test_cmd_syntax_error_exits_3_with_line(void **state)
{
    (void)state;
    assert_script_error("syntax", "'}' expected (to close '{' at line 2) near 'expect'", 4);
}

static void test_test_cmd_unknown_status_suggests_the_closest(void **state)
{
    (void)state;
    assert_script_error(
        "bad_status", "expect.status.cac: unknown status 'met_targt' (did you mean 'met_target'?)",
        2);
}

static void test_test_cmd_unknown_field_suggests_the_closest(void **state)
{
    (void)state;
    assert_script_error("bad_field", "test 'typo': unknown field 'expct' (did you mean 'expect'?)",
                        2);
}

static void test_test_cmd_test_without_body_exits_3(void **state)
{
    (void)state;
    assert_script_error("pending", "test 'no body' is missing its definition { ... }", 2);
}

static void test_test_cmd_duplicate_name_exits_3(void **state)
{
    (void)state;
    assert_script_error("duplicate",
                        "test 'twice' is already declared at " DIR "/duplicate.test.lua:2", 3);
}

static void test_test_cmd_bad_period_exits_3(void **state)
{
    (void)state;
    assert_script_error("bad_period",
                        "test 'month 13': period '2024-13': '2024-13' is not a period", 2);
}

static void test_test_cmd_expected_value_must_be_a_number(void **state)
{
    (void)state;
    assert_script_error("bad_value", "test 'a string': expect.orders must be a number, got string",
                        2);
}

static void test_test_cmd_case_without_expect_exits_3(void **state)
{
    (void)state;
    assert_script_error("no_expect", "test 'nothing': missing field 'expect'", 2);
}

static void test_test_cmd_runtime_error_in_test_file_exits_3(void **state)
{
    (void)state;
    assert_script_error("runtime_error", "attempt to index a nil value (local 'x')", 3);
}

/* ---- usage ------------------------------------------------------------------------------------
 */

static void test_test_cmd_usage_errors_exit_2(void **state)
{
    (void)state;
    e2e_assert_error("test", 2, "test: missing the rule set");
    e2e_assert_error("test '" DIR "/data/orders.csv'", 2, "is not a rule set (x.lua)");
    e2e_assert_error("test '" DIR "/shop.lua' --bogus", 2, "test: unknown option '--bogus'");
    e2e_assert_error("test '" DIR "/shop.lua' '" DIR "/failing.lua'", 2, "one file expected");
    e2e_assert_error("test '" DIR "/shop.lua' --data /nonexistent", 2,
                     "--data: '/nonexistent' is not a directory");
}

static void test_test_cmd_missing_test_file_exits_2(void **state)
{
    (void)state;
    e2e_assert_error("test '" DIR "/../diff/base.lua'", 2,
                     "base.test.lua: cannot open the test file");
    e2e_assert_error("test '" DIR "/none.test.lua'", 2, "none.lua: cannot open the rule set");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_test_cmd_retail_sample_cases_pass),
        cmocka_unit_test(test_test_cmd_b2b_sample_cases_pass),
        cmocka_unit_test(test_test_cmd_rule_set_names_its_test_file),
        cmocka_unit_test(test_test_cmd_test_file_names_its_rule_set),
        cmocka_unit_test(test_test_cmd_shop_hand_values_agree_with_sqlite),
        cmocka_unit_test(test_test_cmd_file_without_cases_passes_with_a_note),
        cmocka_unit_test(test_test_cmd_failing_cases_exit_1_with_every_failed_expectation),
        cmocka_unit_test(test_test_cmd_unknown_kpi_in_expect_suggests_the_closest),
        cmocka_unit_test(test_test_cmd_unknown_source_in_data_suggests_the_closest),
        cmocka_unit_test(test_test_cmd_missing_fixture_file_exits_3),
        cmocka_unit_test(test_test_cmd_syntax_error_exits_3_with_line),
        cmocka_unit_test(test_test_cmd_unknown_status_suggests_the_closest),
        cmocka_unit_test(test_test_cmd_unknown_field_suggests_the_closest),
        cmocka_unit_test(test_test_cmd_test_without_body_exits_3),
        cmocka_unit_test(test_test_cmd_duplicate_name_exits_3),
        cmocka_unit_test(test_test_cmd_bad_period_exits_3),
        cmocka_unit_test(test_test_cmd_expected_value_must_be_a_number),
        cmocka_unit_test(test_test_cmd_case_without_expect_exits_3),
        cmocka_unit_test(test_test_cmd_runtime_error_in_test_file_exits_3),
        cmocka_unit_test(test_test_cmd_usage_errors_exit_2),
        cmocka_unit_test(test_test_cmd_missing_test_file_exits_2),
    };
    return cmocka_run_group_tests_name("test_cmd", tests, NULL, NULL);
}
