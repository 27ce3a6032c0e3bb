/*
** test_out_schedule.c -- due dates of reviews (engine/model/schedule.c): month ends,
** leap years, ISO weeks (53-week years), year boundaries and business days.
**
** Every expected date is worked out by hand from the calendar: weekdays are noted
** next to each one (2024-09-01 is a Sunday, so the first business day of September
** 2024 is Monday the 2nd). Periods and dates are written as labels and parsed, so the
** test reads like the schedule a person would write down.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/period.h"
#include "model/schedule.h"
#include "testutil.h"

static period P(const char *label)
{
    period p;
    kpi_error err;
    if (period_parse(label, &p, &err) != 0) fail_msg("bad period %s: %s", label, err.message);
    return p;
}

static int32_t D(const char *iso)
{
    int32_t day;
    if (date_parse_iso(iso, strlen(iso), &day) != 0) fail_msg("bad date %s", iso);
    return day;
}

static schedule_rule rule(period_grain every, int day, int business)
{
    schedule_rule r = {every, day, business};
    return r;
}

static void assert_due(schedule_rule r, const char *period_label, const char *expected)
{
    char got[16];
    date_format_iso(schedule_due(&r, P(period_label)), got);
    if (strcmp(got, expected) != 0)
        fail_msg("every %s day %d%s: review of %s due %s, expected %s", period_grain_name(r.every),
                 r.day, r.business ? " business" : "", period_label, got, expected);
}

static void assert_latest(schedule_rule r, const char *as_of, const char *expected)
{
    char got[64];
    period_label(schedule_latest_due(&r, D(as_of)), got, sizeof got);
    if (strcmp(got, expected) != 0)
        fail_msg("every %s day %d: latest due by %s is %s, expected %s", period_grain_name(r.every),
                 r.day, as_of, got, expected);
}

/* ---- due dates -------------------------------------------------------------------------- */

static void test_schedule_monthly_is_due_the_first_of_next_month(void **state)
{
    (void)state;
    assert_due(rule(GRAIN_MONTH, 0, 0), "2024-01", "2024-02-01");
    assert_due(rule(GRAIN_MONTH, 0, 0), "2024-02", "2024-03-01");
    assert_due(rule(GRAIN_MONTH, 0, 0), "2024-12", "2025-01-01"); /* year boundary */
    assert_due(rule(GRAIN_MONTH, 5, 0), "2024-08", "2024-09-05");
    assert_due(rule(GRAIN_MONTH, 5, 0), "2023-12", "2024-01-05");
}

static void test_schedule_day_past_month_end_is_the_last_day(void **state)
{
    (void)state;
    schedule_rule r = rule(GRAIN_MONTH, 31, 0);
    assert_due(r, "2024-01", "2024-02-29"); /* 2024 is a leap year */
    assert_due(r, "2023-01", "2023-02-28");
    assert_due(r, "2100-01", "2100-02-28"); /* divisible by 100, not by 400: not leap */
    assert_due(r, "2000-01", "2000-02-29"); /* divisible by 400: leap */
    assert_due(r, "2024-03", "2024-04-30");
    assert_due(r, "2024-07", "2024-08-31");
    assert_due(rule(GRAIN_MONTH, 30, 0), "2024-01", "2024-02-29");
    assert_due(rule(GRAIN_MONTH, 29, 0), "2023-01", "2023-02-28");
}

static void test_schedule_quarterly_and_yearly_follow_the_period(void **state)
{
    (void)state;
    assert_due(rule(GRAIN_QUARTER, 0, 0), "2024-Q4", "2025-01-01");
    assert_due(rule(GRAIN_QUARTER, 15, 0), "2024-Q4", "2025-01-15");
    assert_due(rule(GRAIN_QUARTER, 31, 0), "2024-Q1", "2024-04-30");
    assert_due(rule(GRAIN_QUARTER, 10, 0), "2024-Q3", "2024-10-10");
    assert_due(rule(GRAIN_YEAR, 0, 0), "2023", "2024-01-01");
    assert_due(rule(GRAIN_YEAR, 10, 0), "2024", "2025-01-10");
}

static void test_schedule_weekly_is_due_in_the_next_iso_week(void **state)
{
    (void)state;
    /* 2024-W52 is Monday 2024-12-23 .. Sunday 12-29; the next week is 2025-W01 */
    assert_due(rule(GRAIN_WEEK, 0, 0), "2024-W52", "2024-12-30");
    assert_due(rule(GRAIN_WEEK, 5, 0), "2024-W52", "2025-01-03"); /* a Friday */
    assert_due(rule(GRAIN_WEEK, 7, 0), "2024-W52", "2025-01-05"); /* a Sunday */
    /* 53-week years: 2020-W53 ends Sunday 2021-01-03, 2026-W53 ends Sunday 2027-01-03 */
    assert_due(rule(GRAIN_WEEK, 0, 0), "2020-W53", "2021-01-04");
    assert_due(rule(GRAIN_WEEK, 0, 0), "2026-W53", "2027-01-04");
    /* 2025-W01 starts Monday 2024-12-30, in the previous calendar year */
    assert_due(rule(GRAIN_WEEK, 1, 0), "2025-W01", "2025-01-06");
}

static void test_schedule_daily_is_due_the_next_day(void **state)
{
    (void)state;
    assert_due(rule(GRAIN_DAY, 0, 0), "2024-02-28", "2024-02-29");
    assert_due(rule(GRAIN_DAY, 0, 0), "2024-02-29", "2024-03-01");
    assert_due(rule(GRAIN_DAY, 0, 0), "2024-12-31", "2025-01-01");
    /* business: Friday 2024-08-30's review is due on Monday 09-02 */
    assert_due(rule(GRAIN_DAY, 0, 1), "2024-08-30", "2024-09-02");
    assert_due(rule(GRAIN_DAY, 0, 1), "2024-08-29", "2024-08-30");
}

static void test_schedule_business_day_of_month_skips_weekends(void **state)
{
    (void)state;
    assert_due(rule(GRAIN_MONTH, 0, 1), "2024-08", "2024-09-02"); /* Sep 1 is a Sunday */
    assert_due(rule(GRAIN_MONTH, 1, 1), "2024-05", "2024-06-03"); /* Jun 1 is a Saturday */
    assert_due(rule(GRAIN_MONTH, 3, 1), "2024-08", "2024-09-04"); /* Mon 2, Tue 3, Wed 4 */
    assert_due(rule(GRAIN_MONTH, 1, 1), "2024-06", "2024-07-01"); /* Jul 1 is a Monday */
    /* July 2024 has 23 business days (1-5, 8-12, 15-19, 22-26, 29-31) */
    assert_due(rule(GRAIN_MONTH, 22, 1), "2024-06", "2024-07-30");
    assert_due(rule(GRAIN_MONTH, 23, 1), "2024-06", "2024-07-31");
    /* February 2025 has 20 (3-7, 10-14, 17-21, 24-28): the 23rd is its last, Fri 28 */
    assert_due(rule(GRAIN_MONTH, 23, 1), "2025-01", "2025-02-28");
    assert_due(rule(GRAIN_QUARTER, 2, 1), "2024-Q2", "2024-07-02");
    assert_due(rule(GRAIN_YEAR, 1, 1), "2022", "2023-01-02"); /* Jan 1 2023 is a Sunday */
}

/* ---- the latest review due by a date ------------------------------------------------------ */

static void test_schedule_latest_due_waits_for_the_due_day(void **state)
{
    (void)state;
    assert_latest(rule(GRAIN_MONTH, 5, 0), "2024-09-04", "2024-07");
    assert_latest(rule(GRAIN_MONTH, 5, 0), "2024-09-05", "2024-08");
    assert_latest(rule(GRAIN_MONTH, 0, 0), "2024-01-01", "2023-12");
    assert_latest(rule(GRAIN_MONTH, 0, 0), "2023-12-31", "2023-11");
    assert_latest(rule(GRAIN_MONTH, 31, 0), "2024-03-30", "2024-01"); /* Feb's is due Mar 31 */
    assert_latest(rule(GRAIN_MONTH, 31, 0), "2024-03-31", "2024-02");
    assert_latest(rule(GRAIN_QUARTER, 0, 0), "2024-03-31", "2023-Q4");
    assert_latest(rule(GRAIN_QUARTER, 0, 0), "2024-04-01", "2024-Q1");
    assert_latest(rule(GRAIN_YEAR, 0, 0), "2024-12-31", "2023");
    assert_latest(rule(GRAIN_YEAR, 0, 0), "2025-01-01", "2024");
}

static void test_schedule_latest_due_across_iso_weeks_and_business_days(void **state)
{
    (void)state;
    assert_latest(rule(GRAIN_WEEK, 0, 0), "2024-12-29", "2024-W51"); /* W52 due Mon 12-30 */
    assert_latest(rule(GRAIN_WEEK, 0, 0), "2024-12-30", "2024-W52");
    assert_latest(rule(GRAIN_WEEK, 0, 0), "2021-01-04", "2020-W53");
    assert_latest(rule(GRAIN_WEEK, 3, 0), "2025-01-07", "2024-W52"); /* W01 due Wed 01-08 */
    assert_latest(rule(GRAIN_DAY, 0, 0), "2024-03-01", "2024-02-29");
    /* Sunday 09-01: Friday 08-30 is due Monday, so Thursday 08-29 is the latest */
    assert_latest(rule(GRAIN_DAY, 0, 1), "2024-09-01", "2024-08-29");
    assert_latest(rule(GRAIN_DAY, 0, 1), "2024-09-02", "2024-08-30");
    assert_latest(rule(GRAIN_MONTH, 0, 1), "2024-09-01", "2024-07"); /* Aug's due Mon 09-02 */
    assert_latest(rule(GRAIN_MONTH, 0, 1), "2024-09-02", "2024-08");
}

/* ---- reviews due between two dates -------------------------------------------------------- */

static void assert_between(schedule_rule r, const char *from, const char *to, const char *expected)
{
    period out[64];
    size_t n = schedule_between(&r, D(from), D(to), out, 64);
    char got[1024] = "";
    for (size_t i = 0; i < n && i < 64; i++) {
        char label[64];
        size_t used = strlen(got);
        snprintf(got + used, sizeof got - used, "%s%s", i ? " " : "",
                 period_label(out[i], label, sizeof label));
    }
    if (strcmp(got, expected) != 0)
        fail_msg("every %s from %s to %s: '%s', expected '%s'", period_grain_name(r.every), from,
                 to, got, expected);
}

static void test_schedule_between_lists_each_review_once_in_order(void **state)
{
    (void)state;
    assert_between(rule(GRAIN_MONTH, 5, 0), "2024-01-01", "2024-12-31",
                   "2023-12 2024-01 2024-02 2024-03 2024-04 2024-05 2024-06 2024-07 2024-08 "
                   "2024-09 2024-10 2024-11");
    assert_between(rule(GRAIN_MONTH, 5, 0), "2024-01-05", "2024-01-05", "2023-12");
    assert_between(rule(GRAIN_MONTH, 5, 0), "2024-01-06", "2024-02-04", "");
    assert_between(rule(GRAIN_QUARTER, 0, 0), "2024-01-01", "2024-12-31",
                   "2023-Q4 2024-Q1 2024-Q2 2024-Q3");
    assert_between(rule(GRAIN_WEEK, 0, 0), "2024-12-25", "2025-01-10", "2024-W52 2025-W01");
    assert_between(rule(GRAIN_WEEK, 0, 0), "2020-12-28", "2021-01-11",
                   "2020-W52 2020-W53 2021-W01");
    /* Friday 08-30 to Tuesday 09-03: Thursday's, Friday's and Monday's reviews */
    assert_between(rule(GRAIN_DAY, 0, 1), "2024-08-30", "2024-09-03",
                   "2024-08-29 2024-08-30 2024-09-02");
    assert_between(rule(GRAIN_DAY, 0, 0), "2024-02-28", "2024-03-01",
                   "2024-02-27 2024-02-28 2024-02-29");
    assert_between(rule(GRAIN_MONTH, 0, 0), "2024-02-01", "2024-01-01", ""); /* to before from */
}

static void test_schedule_between_counts_past_the_room_given(void **state)
{
    (void)state;
    schedule_rule r = rule(GRAIN_DAY, 0, 0);
    period out[2];
    /* 2024 has 366 days, each reviewed the next day: Dec 31 2023 .. Dec 30 2024 */
    assert_int_equal(schedule_between(&r, D("2024-01-01"), D("2024-12-31"), out, 2), 366);
    char label[64];
    assert_string_equal(period_label(out[0], label, sizeof label), "2023-12-31");
    assert_string_equal(period_label(out[1], label, sizeof label), "2024-01-01");
    assert_int_equal(schedule_between(&r, D("2024-01-01"), D("2024-12-31"), NULL, 0), 366);
}

/* ---- checks ------------------------------------------------------------------------------- */

static void assert_check_fails(schedule_rule r, const char *message)
{
    char why[200] = "";
    assert_int_equal(schedule_check(&r, why, sizeof why), -1);
    if (!strstr(why, message)) fail_msg("'%s' not in '%s'", message, why);
}

static void test_schedule_check_refuses_days_the_grain_has_not(void **state)
{
    (void)state;
    char why[200];
    schedule_rule ok[] = {rule(GRAIN_MONTH, 31, 0), rule(GRAIN_WEEK, 7, 0), rule(GRAIN_DAY, 0, 1),
                          rule(GRAIN_MONTH, 23, 1), rule(GRAIN_WEEK, 5, 1), rule(GRAIN_YEAR, 0, 0)};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_int_equal(schedule_check(&ok[i], why, sizeof why), 0);
    assert_check_fails(rule(GRAIN_DAY, 2, 0), "day does not apply to a daily review");
    assert_check_fails(rule(GRAIN_WEEK, 8, 0),
                       "day must be a weekday from 1 (Monday) to 7 (Sunday) for a week review");
    assert_check_fails(rule(GRAIN_WEEK, 6, 1),
                       "day must be a business weekday from 1 (Monday) to 5 (Friday)");
    assert_check_fails(rule(GRAIN_MONTH, 24, 1),
                       "day must be a business day of the month from 1 to 23 for a month review");
    assert_check_fails(rule(GRAIN_QUARTER, 32, 0), "day must be a day from 1 to 31");
    assert_check_fails(rule(GRAIN_RANGE, 0, 0), "every must be day, week, month, quarter or year");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_monthly_is_due_the_first_of_next_month),
        cmocka_unit_test(test_schedule_day_past_month_end_is_the_last_day),
        cmocka_unit_test(test_schedule_quarterly_and_yearly_follow_the_period),
        cmocka_unit_test(test_schedule_weekly_is_due_in_the_next_iso_week),
        cmocka_unit_test(test_schedule_daily_is_due_the_next_day),
        cmocka_unit_test(test_schedule_business_day_of_month_skips_weekends),
        cmocka_unit_test(test_schedule_latest_due_waits_for_the_due_day),
        cmocka_unit_test(test_schedule_latest_due_across_iso_weeks_and_business_days),
        cmocka_unit_test(test_schedule_between_lists_each_review_once_in_order),
        cmocka_unit_test(test_schedule_between_counts_past_the_room_given),
        cmocka_unit_test(test_schedule_check_refuses_days_the_grain_has_not),
    };
    return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
