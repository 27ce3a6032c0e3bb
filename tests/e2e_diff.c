/*
** e2e_diff.c -- `kpiengine diff A.lua B.lua`: what differs between two rule sets.
**
** tests/data/diff: base.lua; moved.lua, the same rule set laid out differently (no
** difference); changed.lua, which differs from base.lua in each way a rule set can,
** once; retail_client.lua, a client variant that extends kpis/retail.lua, lowers CAC's
** floor, counts CAC on paid channels only and adds a KPI. Values compared with
** --period come from sqlite3 on the same CSV files (the retail variant) or are worked
** out by hand from the tiny files of tests/data/diff/data.
*/
#include <math.h>
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

#define DIR     KPI_TEST_DATA "/diff"
#define BASE    DIR "/base.lua"
#define CHANGED DIR "/changed.lua"
#define RETAIL  KPI_SOURCE_DIR "/kpis/retail.lua"
#define CLIENT  DIR "/retail_client.lua"

/* Run kpiengine with args, expect exit code; returns stdout (tu_free it). */
static char *diff_run(const char *args, int code)
{
    char *out, *err;
    int rc = e2e_engine(args, &out, &err);
    if (rc != code) fail_msg("kpiengine %s: exit %d (expected %d)\n%s", args, rc, code, err);
    tu_free(err);
    return out;
}

/* The element of differences with this kind, name and field (NULL: none); fails if none. */
static const char *item(const char *json, const char *kind, const char *name, const char *field)
{
    const char *list = e2e_member(json, "differences");
    for (int i = 0; i < e2e_length(list); i++) {
        const char *it = e2e_element(list, i);
        const char *f = e2e_member(it, "field");
        if (e2e_string_is(e2e_member(it, "kind"), kind) &&
            e2e_string_is(e2e_member(it, "name"), name) &&
            (field ? e2e_string_is(f, field) : e2e_is_null(f)))
            return it;
    }
    fail_msg("no difference %s %s %s in\n%s", kind, name, field ? field : "", json);
    return NULL;
}

/* Assert an item's change and its two values as text ("" for null, strings unquoted). */
static void assert_item(const char *json, const char *kind, const char *name, const char *field,
                        const char *change, const char *a, const char *b)
{
    const char *it = item(json, kind, name, field);
    char buf[256];
    assert_string_equal(e2e_text(it, "change", buf, sizeof buf), change);
    const char *va = e2e_member(it, "a"), *vb = e2e_member(it, "b");
    if (a) {
        if (*va == '"')
            assert_string_equal(e2e_text(it, "a", buf, sizeof buf), a);
        else
            assert_int_equal(strncmp(va, a, strlen(a)), 0);
    } else {
        assert_true(e2e_is_null(va));
    }
    if (b) {
        if (*vb == '"')
            assert_string_equal(e2e_text(it, "b", buf, sizeof buf), b);
        else
            assert_int_equal(strncmp(vb, b, strlen(b)), 0);
    } else {
        assert_true(e2e_is_null(vb));
    }
}

/* ---- the same ------------------------------------------------------------------------------ */

static void test_diff_of_a_file_with_itself_exits_0_and_prints_no_differences(void **state)
{
    (void)state;
    char *out = diff_run("diff '" RETAIL "' '" RETAIL "'", 0);
    assert_string_equal(out, "no differences in the declarations\n");
    tu_free(out);
}

static void test_diff_ignores_layout_comments_and_indentation(void **state)
{
    (void)state;
    char *out = diff_run("diff '" BASE "' '" DIR "/moved.lua' --format json", 0);
    assert_true(e2e_string_is(e2e_member(out, "same"), "true") ||
                strncmp(e2e_member(out, "same"), "true", 4) == 0);
    assert_int_equal(e2e_length(e2e_member(out, "differences")), 0);
    tu_free(out);
}

static void test_diff_same_values_with_period_exits_0(void **state)
{
    (void)state;
    char *out = diff_run("diff '" BASE "' '" DIR "/moved.lua' --period 2024-06", 0);
    assert_non_null(strstr(out, "no differences in the values"));
    tu_free(out);
}

/* ---- every kind of difference -----------------------------------------------------------------
 */

static char *changed_json(void)
{
    return diff_run("diff '" BASE "' '" CHANGED "' --format json", 1);
}

static void test_diff_finds_ruleset_field_change(void **state)
{
    (void)state;
    char *j = changed_json();
    assert_item(j, "ruleset", "name", NULL, "changed", "Diff shop", "Diff shop 2");
    tu_free(j);
}

static void test_diff_finds_every_kpi_field_change(void **state)
{
    (void)state;
    char *j = changed_json();
    assert_item(j, "kpi", "revenue", "title", "changed", "Revenue", "Net revenue");
    assert_item(j, "kpi", "revenue", "unit", "changed", "VND", "USD");
    assert_item(j, "kpi", "revenue", "minimum", "changed", "1000", "1200");
    assert_item(j, "kpi", "revenue", "target", "changed", "2000", "2500");
    assert_item(j, "kpi", "revenue", "owner", "changed", "Sales", "Finance");
    assert_item(j, "kpi", "revenue", "review", "changed", "monthly", "quarterly");
    assert_item(j, "kpi", "revenue", "additive", "changed", "true", "false");
    assert_item(j, "kpi", "revenue", "due", "changed", NULL, "2024-12-31");
    assert_item(j, "kpi", "spend", "better", "changed", "lower", "higher");
    tu_free(j);
}

static void test_diff_finds_formula_change_with_both_places(void **state)
{
    (void)state;
    char *j = changed_json();
    assert_item(j, "kpi", "orders", "value", "formula", DIR "/base.lua:16", DIR "/changed.lua:17");
    assert_item(j, "kpi", "orders", "breakdown", "changed", NULL, DIR "/changed.lua:18");
    tu_free(j);
    char *out = diff_run("diff '" BASE "' '" CHANGED "'", 1);
    assert_non_null(strstr(out, "~ kpi orders: formula changed (value): " DIR "/base.lua:16 -> " DIR
                                "/changed.lua:17\n"));
    assert_non_null(
        strstr(out, "~ kpi orders: breakdown: (none) -> function at " DIR "/changed.lua:18\n"));
    tu_free(out);
}

static void test_diff_finds_kpis_added_and_removed(void **state)
{
    (void)state;
    char *j = changed_json();
    assert_item(j, "kpi", "aov", NULL, "removed", NULL, NULL);
    assert_item(j, "kpi", "repeat_buyers", NULL, "added", NULL, NULL);
    tu_free(j);
    char *out = diff_run("diff '" BASE "' '" CHANGED "'", 1);
    assert_non_null(strstr(out, "- kpi aov (" DIR "/base.lua:21)\n"));
    assert_non_null(strstr(out, "+ kpi repeat_buyers (" DIR "/changed.lua:23)\n"));
    tu_free(out);
}

static void test_diff_finds_source_changes(void **state)
{
    (void)state;
    char *j = changed_json();
    assert_item(j, "source", "spend", "csv", "changed", "data/spend.csv", "data/spend2.csv");
    assert_item(j, "source", "spend", "time", "changed", "date", "day");
    assert_item(j, "source", "spend", "delimiter", "changed", ",", ";");
    assert_item(j, "source", "orders", "columns", "changed", "amount = decimal(2)",
                "amount = decimal(3)");
    assert_item(j, "source", "survey", "query", "changed", "SELECT score FROM survey",
                "SELECT score FROM survey WHERE score > 0");
    assert_item(j, "source", "visits", NULL, "removed", NULL, NULL);
    assert_item(j, "source", "returns", NULL, "added", NULL, NULL);
    tu_free(j);
}

static void test_diff_finds_review_changes(void **state)
{
    (void)state;
    char *j = changed_json();
    assert_item(j, "review", "monthly", "every", "changed", "month", "week");
    assert_item(j, "review", "quarterly", "day", "changed", "5", "10");
    assert_item(j, "review", "weekly", NULL, "removed", NULL, NULL);
    assert_item(j, "review", "yearly", NULL, "added", NULL, NULL);
    tu_free(j);
}

static void test_diff_counts_every_difference_once(void **state)
{
    (void)state;
    char *j = changed_json();
    /* 1 ruleset + 9 kpi fields + 2 functions + 2 kpis + 7 sources + 4 reviews + 2 spend
       levels (minimum, target swapped with better) */
    assert_int_equal(e2e_length(e2e_member(j, "differences")), 27);
    assert_int_equal(strncmp(e2e_member(j, "same"), "false", 5), 0);
    tu_free(j);
}

/* ---- values for a period --------------------------------------------------------------------- */

static void test_diff_values_for_a_period(void **state)
{
    (void)state;
    char *j = diff_run("diff '" BASE "' '" CHANGED "' --period 2024-06 --format json", 1);
    char buf[64];
    assert_string_equal(e2e_text(j, "period", buf, sizeof buf), "2024-06");
    const char *values = e2e_member(j, "values");
    /* data/spend.csv: 400 + 200 in June; data/spend2.csv: 700 */
    const char *spend = e2e_with(values, "id", "spend");
    assert_true(e2e_number(e2e_member(spend, "a"), "value") == 600);
    assert_true(e2e_number(e2e_member(spend, "b"), "value") == 700);
    assert_true(e2e_number(spend, "change") == 100);
    /* the same orders: 400 + 1000 + 300 */
    const char *revenue = e2e_with(values, "id", "revenue");
    assert_true(e2e_number(e2e_member(revenue, "a"), "value") == 1700);
    assert_true(e2e_number(e2e_member(revenue, "b"), "value") == 1700);
    /* aov only in A, repeat_buyers only in B (C1 bought in May and June: 1) */
    assert_true(e2e_is_null(e2e_member(e2e_with(values, "id", "aov"), "b")));
    const char *repeat = e2e_with(values, "id", "repeat_buyers");
    assert_true(e2e_is_null(e2e_member(repeat, "a")));
    assert_true(e2e_number(e2e_member(repeat, "b"), "value") == 1);
    tu_free(j);
}

/* ---- a client variant made with extends ----------------------------------------------------- */

static void test_diff_client_variant_shows_threshold_formula_and_new_kpi(void **state)
{
    (void)state;
    char *out = diff_run("diff '" RETAIL "' '" CLIENT "'", 1);
    assert_non_null(strstr(out, "~ kpi cac: minimum: 500000 -> 400000\n"));
    assert_non_null(
        strstr(out, "~ kpi cac: formula changed (value): " KPI_SOURCE_DIR "/kpis/retail.lua:"));
    assert_non_null(strstr(out, " -> " CLIENT ":10-14\n"));
    assert_non_null(strstr(out, "+ kpi paid_spend (" CLIENT ":17)\n"));
    assert_non_null(strstr(out, "\n3 differences\n"));
    tu_free(out);
}

static void test_diff_client_variant_values_match_sqlite(void **state)
{
    (void)state;
    char *j = diff_run("diff '" RETAIL "' '" CLIENT "' --data '" KPI_SOURCE_DIR
                       "/kpis' --period 2024-06 --format json",
                       1);
    const char *data = KPI_SOURCE_DIR "/kpis/data/retail";
    char setup[1024];
    snprintf(setup, sizeof setup,
             ".import --csv \"%s/orders.csv\" orders\n.import --csv \"%s/spend.csv\" spend", data,
             data);
#define JUNE " date >= '2024-06-01' AND date < '2024-07-01' "
#define NEW_CUST                                                                                   \
    "(SELECT count(DISTINCT customer_id) FROM orders WHERE" JUNE                                   \
    "AND customer_id NOT IN (SELECT customer_id FROM orders WHERE date < '2024-06-01'))"
    double all = tu_oracle(":memory:", setup,
                           "SELECT (SELECT sum(cost) FROM spend WHERE" JUNE ") * 1.0 /" NEW_CUST);
    double paid = tu_oracle(":memory:", setup,
                            "SELECT (SELECT sum(cost) FROM spend WHERE" JUNE
                            "AND channel <> 'organic') * 1.0 /" NEW_CUST);
    double paid_spend = tu_oracle(
        ":memory:", setup, "SELECT sum(cost) FROM spend WHERE" JUNE "AND channel <> 'organic'");
    double revenue = tu_oracle(":memory:", setup, "SELECT sum(amount) FROM orders WHERE" JUNE);
    const char *values = e2e_member(j, "values");
    const char *cac = e2e_with(values, "id", "cac");
    e2e_check_value("cac in A", e2e_number(e2e_member(cac, "a"), "value"), all);
    e2e_check_value("cac in B", e2e_number(e2e_member(cac, "b"), "value"), paid);
    const char *rev = e2e_with(values, "id", "revenue");
    e2e_check_value("revenue in A", e2e_number(e2e_member(rev, "a"), "value"), revenue);
    e2e_check_value("revenue in B", e2e_number(e2e_member(rev, "b"), "value"), revenue);
    assert_int_equal(strncmp(e2e_member(rev, "same"), "true", 4), 0);
    const char *ps = e2e_with(values, "id", "paid_spend");
    e2e_check_value("paid_spend in B", e2e_number(e2e_member(ps, "b"), "value"), paid_spend);
    assert_true(e2e_is_null(e2e_member(ps, "a")));
    tu_free(j);
#undef JUNE
#undef NEW_CUST
}

/* ---- errors -------------------------------------------------------------------------------------
 */

static void test_diff_usage_errors_exit_2(void **state)
{
    (void)state;
    e2e_assert_error("diff '" BASE "'", 2, "diff: two rule sets expected");
    e2e_assert_error("diff '" BASE "' '" BASE "' '" BASE "'", 2, "got a third");
    e2e_assert_error("diff '" BASE "' '" BASE "' --format xml", 2, "unknown format 'xml'");
    e2e_assert_error("diff '" BASE "' '" DIR "/none.lua'", 2, "none.lua: cannot open the rule set");
    e2e_assert_error("diff '" BASE "' '" BASE "' --period 2024-13", 2, "--period:");
    e2e_assert_error("diff '" BASE "' '" BASE "' --bogus", 2, "diff: unknown option '--bogus'");
}

static void test_diff_script_error_in_either_exits_3(void **state)
{
    (void)state;
    e2e_assert_error("diff '" BASE "' '" KPI_TEST_DATA "/ruletest/syntax.test.lua'", 3,
                     "syntax.test.lua:4:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_of_a_file_with_itself_exits_0_and_prints_no_differences),
        cmocka_unit_test(test_diff_ignores_layout_comments_and_indentation),
        cmocka_unit_test(test_diff_same_values_with_period_exits_0),
        cmocka_unit_test(test_diff_finds_ruleset_field_change),
        cmocka_unit_test(test_diff_finds_every_kpi_field_change),
        cmocka_unit_test(test_diff_finds_formula_change_with_both_places),
        cmocka_unit_test(test_diff_finds_kpis_added_and_removed),
        cmocka_unit_test(test_diff_finds_source_changes),
        cmocka_unit_test(test_diff_finds_review_changes),
        cmocka_unit_test(test_diff_counts_every_difference_once),
        cmocka_unit_test(test_diff_values_for_a_period),
        cmocka_unit_test(test_diff_client_variant_shows_threshold_formula_and_new_kpi),
        cmocka_unit_test(test_diff_client_variant_values_match_sqlite),
        cmocka_unit_test(test_diff_usage_errors_exit_2),
        cmocka_unit_test(test_diff_script_error_in_either_exits_3),
    };
    return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}
