/*
** e2e_owner.c -- end to end: `kpiengine run FILE --owner NAME` keeps the KPIs whose
** owner is exactly NAME, with the values a full run gives them; an owner the rule set
** does not have exits 2 with "did you mean" or the list of its owners.
**
** The expected KPIs come from reading kpis/b2b.lua: owner = CFO on cac_payback, ltv and
** ltv_cac; the four owners, in the order they first appear, are Head of Sales (revenue),
** Customer Success Lead (customers), Marketing Manager (cac) and CFO (cac_payback).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "e2eutil.h"
#include "testutil.h"

#define RULESET KPI_SOURCE_DIR "/kpis/b2b.lua"

static int group_teardown(void **state)
{
    (void)state;
    e2e_reports_free();
    return 0;
}

static void test_owner_keeps_only_that_owners_kpis(void **state)
{
    (void)state;
    char *out =
        e2e_run_ok("run '%s' --owner CFO --period 2024-06 --format json --no-save", RULESET);
    const char *kpis = e2e_member(out, "kpis");
    assert_int_equal(e2e_length(kpis), 3);
    const char *want[] = {"cac_payback", "ltv", "ltv_cac"};
    char buf[64];
    for (int i = 0; i < 3; i++) {
        const char *k = e2e_element(kpis, i);
        assert_string_equal(e2e_text(k, "id", buf, sizeof buf), want[i]);
        assert_string_equal(e2e_text(k, "owner", buf, sizeof buf), "CFO");
        /* the same value as in the run of every KPI (ltv_cac reads ltv and cac through k) */
        const char *full = e2e_kpi_of(RULESET, "2024-06", want[i]);
        e2e_check_value(want[i], e2e_number(k, "value"), e2e_number(full, "value"));
    }
    tu_free(out);
}

static void test_owner_with_spaces_matches_exactly(void **state)
{
    (void)state;
    char *out = e2e_run_ok(
        "run '%s' --owner 'Customer Success Lead' --period 2024-06 --format json --no-save",
        RULESET);
    const char *kpis = e2e_member(out, "kpis");
    char buf[64];
    assert_int_equal(e2e_length(kpis), 3); /* customers, csat, nps */
    for (int i = 0; i < e2e_length(kpis); i++)
        assert_string_equal(e2e_text(e2e_element(kpis, i), "owner", buf, sizeof buf),
                            "Customer Success Lead");
    tu_free(out);
}

static void test_owner_misspelt_exits_2_with_did_you_mean(void **state)
{
    (void)state;
    char args[600];
    snprintf(args, sizeof args, "run '%s' --owner 'Head of Sale' --no-save", RULESET);
    e2e_assert_error(args, 2,
                     "--owner: no KPI is owned by 'Head of Sale' (did you mean 'Head of Sales'?)");
    snprintf(args, sizeof args, "run '%s' --owner cfo --no-save", RULESET);
    e2e_assert_error(args, 2, "(did you mean 'CFO'?)"); /* exact match: case counts */
}

static void test_owner_unknown_exits_2_listing_the_owners(void **state)
{
    (void)state;
    char args[600];
    snprintf(args, sizeof args, "run '%s' --owner 'Board of Directors' --no-save", RULESET);
    e2e_assert_error(args, 2,
                     "--owner: no KPI is owned by 'Board of Directors'; the owners are: 'Head of "
                     "Sales', 'Customer Success Lead', 'Marketing Manager', 'CFO'");
}

static void test_owner_with_a_schedule_review_keeps_that_owners_kpis(void **state)
{
    (void)state;
    char *out = e2e_run_ok(
        "run '%s' --owner CFO --review quarterly --as-of 2024-07-15 --format json --no-save",
        RULESET);
    const char *kpis = e2e_member(out, "kpis");
    char buf[64];
    assert_int_equal(e2e_length(kpis), 3); /* the three CFO KPIs are all quarterly */
    for (int i = 0; i < e2e_length(kpis); i++)
        assert_string_equal(e2e_text(e2e_element(kpis, i), "owner", buf, sizeof buf), "CFO");
    tu_free(out);
}

static void test_owner_with_a_campaigns_review_exits_2(void **state)
{
    (void)state;
    char args[600];
    snprintf(args, sizeof args, "run '%s' --owner CFO --review campaigns --no-save", RULESET);
    e2e_assert_error(args, 2, "--owner: not with a campaigns review (--review campaigns)");
}

static void test_owner_needs_a_value(void **state)
{
    (void)state;
    char args[600];
    snprintf(args, sizeof args, "run '%s' --owner", RULESET);
    e2e_assert_error(args, 2, "--owner");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_keeps_only_that_owners_kpis),
        cmocka_unit_test(test_owner_with_spaces_matches_exactly),
        cmocka_unit_test(test_owner_misspelt_exits_2_with_did_you_mean),
        cmocka_unit_test(test_owner_unknown_exits_2_listing_the_owners),
        cmocka_unit_test(test_owner_with_a_schedule_review_keeps_that_owners_kpis),
        cmocka_unit_test(test_owner_with_a_campaigns_review_exits_2),
        cmocka_unit_test(test_owner_needs_a_value),
    };
    return cmocka_run_group_tests_name("e2e_owner", tests, NULL, group_teardown);
}
