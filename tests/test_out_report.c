/*
** test_out_report.c -- statuses (DESIGN section 4) and the report's memory.
**
** Expected grades come from the rule as written in the design: for "higher",
** value >= target -> met_target, value >= minimum -> met_minimum, else
** below_minimum; for "lower" the comparisons reverse. Boundaries are tested exactly
** at each level and one representable double beyond it.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/kpi_alloc.h"
#include "model/report.h"

static void test_status_higher_above_target_is_met_target(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 1, 401), STATUS_MET_TARGET);
}

static void test_status_higher_exactly_at_target_is_met_target(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 1, 400), STATUS_MET_TARGET);
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 1, nextafter(400, 0)),
                     STATUS_MET_MINIMUM);
}

static void test_status_higher_between_levels_is_met_minimum(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 1, 350), STATUS_MET_MINIMUM);
}

static void test_status_higher_exactly_at_minimum_is_met_minimum(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_HIGHER, 9e8, 1.2e9, 1, 9e8), STATUS_MET_MINIMUM);
}

static void test_status_higher_just_below_minimum_is_below_minimum(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_HIGHER, 9e8, 1.2e9, 1, nextafter(9e8, 0)),
                     STATUS_BELOW_MINIMUM);
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 1, -5), STATUS_BELOW_MINIMUM);
}

static void test_status_lower_below_target_is_met_target(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_LOWER, 250000, 180000, 1, 171234.5), STATUS_MET_TARGET);
}

static void test_status_lower_exactly_at_target_is_met_target(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_LOWER, 250000, 180000, 1, 180000), STATUS_MET_TARGET);
    assert_int_equal(status_grade(BETTER_LOWER, 250000, 180000, 1, nextafter(180000, 1e9)),
                     STATUS_MET_MINIMUM);
}

static void test_status_lower_exactly_at_minimum_is_met_minimum(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_LOWER, 250000, 180000, 1, 250000), STATUS_MET_MINIMUM);
}

static void test_status_lower_above_minimum_is_below_minimum(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_LOWER, 250000, 180000, 1, nextafter(250000, 1e9)),
                     STATUS_BELOW_MINIMUM);
}

static void test_status_without_value_is_no_data(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 0, 500), STATUS_NO_DATA);
    assert_int_equal(status_grade(BETTER_LOWER, 300, 400, 0, 0), STATUS_NO_DATA);
}

static void test_status_nan_or_infinite_value_is_no_data(void **state)
{
    (void)state;
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 1, NAN), STATUS_NO_DATA);
    assert_int_equal(status_grade(BETTER_HIGHER, 300, 400, 1, INFINITY), STATUS_NO_DATA);
    assert_int_equal(status_grade(BETTER_LOWER, 300, 400, 1, -INFINITY), STATUS_NO_DATA);
}

static void test_status_unset_levels_are_never_reached_nor_fallen_below(void **state)
{
    (void)state;
    /* no target: the best grade is met_minimum */
    assert_int_equal(status_grade(BETTER_HIGHER, 300, NAN, 1, 1e12), STATUS_MET_MINIMUM);
    assert_int_equal(status_grade(BETTER_HIGHER, 300, NAN, 1, 1), STATUS_BELOW_MINIMUM);
    /* no minimum: nothing is below it */
    assert_int_equal(status_grade(BETTER_LOWER, NAN, 10, 1, 1e12), STATUS_MET_MINIMUM);
    assert_int_equal(status_grade(BETTER_LOWER, NAN, 10, 1, 10), STATUS_MET_TARGET);
}

static void test_status_and_better_names_are_the_json_words(void **state)
{
    (void)state;
    assert_string_equal(status_name(STATUS_NO_DATA), "no_data");
    assert_string_equal(status_name(STATUS_BELOW_MINIMUM), "below_minimum");
    assert_string_equal(status_name(STATUS_MET_MINIMUM), "met_minimum");
    assert_string_equal(status_name(STATUS_MET_TARGET), "met_target");
    assert_string_equal(better_name(BETTER_HIGHER), "higher");
    assert_string_equal(better_name(BETTER_LOWER), "lower");
}

static void test_report_free_releases_every_string_and_array(void **state)
{
    (void)state;
    report r;
    memset(&r, 0, sizeof r);
    r.ruleset = kpi_strdup("Retail");
    r.file = kpi_strdup("kpis/retail.lua");
    r.currency = kpi_strdup("VND");
    r.locale = kpi_strdup("vi");
    r.nkpis = 2;
    r.kpis = kpi_calloc(2, sizeof *r.kpis);
    for (size_t i = 0; i < 2; i++) {
        kpi_result *k = &r.kpis[i];
        k->id = kpi_strdup("cac");
        k->title = kpi_strdup("CAC");
        k->unit = kpi_strdup("VND");
        k->owner = kpi_strdup("");
        k->review = kpi_strdup("monthly");
        k->file = kpi_strdup("kpis/retail.lua");
        k->reason = i ? kpi_strdup("spend is zero") : NULL;
        k->nitems = i ? 0 : 2;
        k->items = i ? NULL : kpi_calloc(2, sizeof *k->items);
        for (size_t j = 0; j < k->nitems; j++)
            k->items[j].key = kpi_strdup("social");
    }
    report_free(&r);
    assert_null(r.kpis);
    assert_int_equal(r.nkpis, 0);
    assert_null(r.ruleset);
    report_free(&r); /* a freed report can be freed again */
    report_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_higher_above_target_is_met_target),
        cmocka_unit_test(test_status_higher_exactly_at_target_is_met_target),
        cmocka_unit_test(test_status_higher_between_levels_is_met_minimum),
        cmocka_unit_test(test_status_higher_exactly_at_minimum_is_met_minimum),
        cmocka_unit_test(test_status_higher_just_below_minimum_is_below_minimum),
        cmocka_unit_test(test_status_lower_below_target_is_met_target),
        cmocka_unit_test(test_status_lower_exactly_at_target_is_met_target),
        cmocka_unit_test(test_status_lower_exactly_at_minimum_is_met_minimum),
        cmocka_unit_test(test_status_lower_above_minimum_is_below_minimum),
        cmocka_unit_test(test_status_without_value_is_no_data),
        cmocka_unit_test(test_status_nan_or_infinite_value_is_no_data),
        cmocka_unit_test(test_status_unset_levels_are_never_reached_nor_fallen_below),
        cmocka_unit_test(test_status_and_better_names_are_the_json_words),
        cmocka_unit_test(test_report_free_releases_every_string_and_array),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
