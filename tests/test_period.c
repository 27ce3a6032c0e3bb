/*
** test_period.c -- review periods (engine/core/period.c).
**
** Expected days are written as calendar dates (date_from_civil is tested against libc
** in test_date.c); lengths and week boundaries are facts of the Gregorian calendar.
*/
#include <stdio.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "date.h"
#include "period.h"
#include "testutil.h"

#define D(y, m, d) date_from_civil((y), (m), (d))

static period parse_ok(const char *s)
{
    period p;
    kpi_error err;
    kpi_error_clear(&err);
    if (period_parse(s, &p, &err) != 0) fail_msg("'%s': %s", s, err.message);
    return p;
}

static void assert_period(period p, period_grain g, int32_t start, int32_t stop)
{
    assert_int_equal(p.grain, g);
    assert_int_equal(p.start, start);
    assert_int_equal(p.stop, stop);
}

static void assert_label(period p, const char *expect)
{
    char buf[32];
    assert_string_equal(period_label(p, buf, sizeof buf), expect);
}

static void assert_parse_error(const char *s, const char *message)
{
    period p;
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(period_parse(s, &p, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    if (!strstr(err.message, message)) fail_msg("'%s': got \"%s\"", s, err.message);
}

static void test_period_parse_each_form(void **state)
{
    (void)state;
    assert_period(parse_ok("2024-08"), GRAIN_MONTH, D(2024, 8, 1), D(2024, 9, 1));
    assert_period(parse_ok("2024-Q3"), GRAIN_QUARTER, D(2024, 7, 1), D(2024, 10, 1));
    assert_period(parse_ok("2024-W35"), GRAIN_WEEK, D(2024, 8, 26), D(2024, 9, 2));
    assert_period(parse_ok("2024"), GRAIN_YEAR, D(2024, 1, 1), D(2025, 1, 1));
    assert_period(parse_ok("2024-08-05"), GRAIN_DAY, D(2024, 8, 5), D(2024, 8, 6));
    assert_period(parse_ok("2024-08-01..2024-08-15"), GRAIN_RANGE, D(2024, 8, 1), D(2024, 8, 16));
    assert_period(parse_ok("2024-08-01..2024-08-01"), GRAIN_RANGE, D(2024, 8, 1), D(2024, 8, 2));
}

static void test_period_labels_round_trip(void **state)
{
    (void)state;
    const char *labels[] = {"2024-08",  "2024-Q3",    "2024-W35",
                            "2024",     "2024-08-05", "2024-08-01..2024-08-15",
                            "2020-W53", "2025-W01",   "0999-Q1"};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        assert_label(parse_ok(labels[i]), labels[i]);
}

static void test_period_month_ends_and_leap_years(void **state)
{
    (void)state;
    assert_int_equal(period_days(parse_ok("2024-02")), 29);
    assert_int_equal(period_days(parse_ok("2023-02")), 28);
    assert_int_equal(period_days(parse_ok("2100-02")), 28);
    assert_int_equal(period_days(parse_ok("2000-02")), 29);
    assert_int_equal(period_days(parse_ok("2024-04")), 30);
    assert_int_equal(period_days(parse_ok("2024-12")), 31);
    assert_int_equal(period_days(parse_ok("2024")), 366);
    assert_int_equal(period_days(parse_ok("2100")), 365);
    assert_int_equal(period_days(parse_ok("2000")), 366);
    assert_int_equal(period_days(parse_ok("2024-Q1")), 91);
    assert_int_equal(period_days(parse_ok("2023-Q1")), 90);
    assert_int_equal(period_days(parse_ok("2024-W10")), 7);
    assert_period(parse_ok("2024-12"), GRAIN_MONTH, D(2024, 12, 1), D(2025, 1, 1));
}

static void test_period_iso_weeks_at_year_boundaries(void **state)
{
    (void)state;
    assert_period(parse_ok("2020-W53"), GRAIN_WEEK, D(2020, 12, 28), D(2021, 1, 4));
    assert_period(parse_ok("2021-W01"), GRAIN_WEEK, D(2021, 1, 4), D(2021, 1, 11));
    assert_period(parse_ok("2025-W01"), GRAIN_WEEK, D(2024, 12, 30), D(2025, 1, 6));
    assert_label(period_containing(GRAIN_WEEK, D(2024, 12, 30)), "2025-W01");
    assert_label(period_containing(GRAIN_WEEK, D(2021, 1, 3)), "2020-W53");
    assert_label(period_containing(GRAIN_WEEK, D(2021, 1, 4)), "2021-W01");
    assert_label(period_shift(parse_ok("2020-W52"), 1), "2020-W53");
    assert_label(period_shift(parse_ok("2020-W53"), 1), "2021-W01");
    assert_label(period_prev(parse_ok("2021-W01")), "2020-W53");
    assert_label(period_prev(parse_ok("2025-W01")), "2024-W52");
}

static void test_period_week_53_only_when_the_year_has_it(void **state)
{
    (void)state;
    parse_ok("2015-W53");
    parse_ok("2026-W53");
    assert_parse_error("2021-W53", "'2021-W53' is not a period: 2021 has only 52 ISO weeks");
    assert_parse_error("2024-W53", "2024 has only 52 ISO weeks");
    assert_parse_error("2024-W00", "expected 2024-08, 2024-Q3");
    assert_parse_error("2024-W54", "expected 2024-08, 2024-Q3");
}

static void test_period_containing_each_grain(void **state)
{
    (void)state;
    int32_t day = D(2024, 8, 5); /* a Monday */
    assert_period(period_containing(GRAIN_DAY, day), GRAIN_DAY, day, day + 1);
    assert_period(period_containing(GRAIN_WEEK, day), GRAIN_WEEK, day, day + 7);
    assert_period(period_containing(GRAIN_WEEK, D(2024, 8, 11)), GRAIN_WEEK, day, day + 7);
    assert_period(period_containing(GRAIN_MONTH, D(2024, 8, 31)), GRAIN_MONTH, D(2024, 8, 1),
                  D(2024, 9, 1));
    assert_period(period_containing(GRAIN_QUARTER, D(2024, 12, 31)), GRAIN_QUARTER, D(2024, 10, 1),
                  D(2025, 1, 1));
    assert_period(period_containing(GRAIN_YEAR, D(1969, 7, 20)), GRAIN_YEAR, D(1969, 1, 1),
                  D(1970, 1, 1));
    assert_period(period_containing(GRAIN_MONTH, D(1969, 12, 31)), GRAIN_MONTH, D(1969, 12, 1),
                  D(1970, 1, 1));
}

static void test_period_month_shift_across_years(void **state)
{
    (void)state;
    assert_label(period_shift(parse_ok("2024-11"), 2), "2025-01");
    assert_label(period_shift(parse_ok("2024-01"), -1), "2023-12");
    assert_label(period_shift(parse_ok("2024-03"), -14), "2023-01");
    assert_label(period_shift(parse_ok("2024-08"), 0), "2024-08");
    assert_label(period_shift(parse_ok("2024-08"), 1200), "2124-08");
    assert_period(period_prev(parse_ok("2024-03")), GRAIN_MONTH, D(2024, 2, 1), D(2024, 3, 1));
}

static void test_period_quarter_shift_across_years(void **state)
{
    (void)state;
    assert_label(period_shift(parse_ok("2024-Q4"), 1), "2025-Q1");
    assert_label(period_prev(parse_ok("2024-Q1")), "2023-Q4");
    assert_label(period_shift(parse_ok("2024-Q2"), -6), "2022-Q4");
    assert_label(period_shift(parse_ok("2024-Q3"), 5), "2025-Q4");
    assert_period(period_shift(parse_ok("2024-Q4"), 1), GRAIN_QUARTER, D(2025, 1, 1),
                  D(2025, 4, 1));
}

static void test_period_day_and_year_shift(void **state)
{
    (void)state;
    assert_label(period_shift(parse_ok("2024-02-28"), 2), "2024-03-01");
    assert_label(period_prev(parse_ok("2024-01-01")), "2023-12-31");
    assert_label(period_shift(parse_ok("2024"), -1), "2023");
    assert_period(period_shift(parse_ok("1999"), 1), GRAIN_YEAR, D(2000, 1, 1), D(2001, 1, 1));
}

static void test_period_range_shifts_by_its_length(void **state)
{
    (void)state;
    period r = parse_ok("2024-08-01..2024-08-15");
    assert_int_equal(period_days(r), 15);
    assert_label(period_prev(r), "2024-07-17..2024-07-31");
    assert_label(period_shift(r, 1), "2024-08-16..2024-08-30");
    assert_label(period_shift(r, -2), "2024-07-02..2024-07-16");
    period one = parse_ok("2024-03-01..2024-03-01");
    assert_label(period_prev(one), "2024-02-29..2024-02-29");
}

static void test_period_latest_complete(void **state)
{
    (void)state;
    /* The last day closes its month: that month is complete. */
    assert_label(period_latest_complete(GRAIN_MONTH, D(2024, 8, 31)), "2024-08");
    assert_label(period_latest_complete(GRAIN_MONTH, D(2024, 8, 30)), "2024-07");
    assert_label(period_latest_complete(GRAIN_MONTH, D(2024, 2, 29)), "2024-02");
    assert_label(period_latest_complete(GRAIN_MONTH, D(2024, 2, 28)), "2024-01");
    assert_label(period_latest_complete(GRAIN_MONTH, D(2024, 1, 1)), "2023-12");
    assert_label(period_latest_complete(GRAIN_QUARTER, D(2024, 9, 30)), "2024-Q3");
    assert_label(period_latest_complete(GRAIN_QUARTER, D(2024, 9, 29)), "2024-Q2");
    assert_label(period_latest_complete(GRAIN_QUARTER, D(2024, 1, 15)), "2023-Q4");
    assert_label(period_latest_complete(GRAIN_WEEK, D(2024, 9, 1)), "2024-W35"); /* Sunday */
    assert_label(period_latest_complete(GRAIN_WEEK, D(2024, 8, 31)), "2024-W34");
    assert_label(period_latest_complete(GRAIN_WEEK, D(2021, 1, 3)), "2020-W53");
    assert_label(period_latest_complete(GRAIN_YEAR, D(2024, 12, 31)), "2024");
    assert_label(period_latest_complete(GRAIN_YEAR, D(2024, 12, 30)), "2023");
    assert_label(period_latest_complete(GRAIN_DAY, D(2024, 8, 5)), "2024-08-05");
}

static void test_period_parse_rejects_malformed_labels(void **state)
{
    (void)state;
    const char *expected = "is not a period: expected 2024-08, 2024-Q3, 2024-W35, 2024, "
                           "2024-08-05 or 2024-08-01..2024-08-15";
    const char *bad[] = {"2024-13",
                         "2024-00",
                         "2024-Q5",
                         "2024-Q0",
                         "2024-W5",
                         "24",
                         "",
                         "2024-8",
                         "2024/08",
                         "august",
                         "2024-08-1",
                         "2024-",
                         "20245",
                         "2024-13-01",
                         "2024-08-01..",
                         "..2024-08-01",
                         "2024-08-01..2024-08",
                         " 2024-08",
                         "2024-08 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char msg[256];
        snprintf(msg, sizeof msg, "'%s' %s", bad[i], expected);
        assert_parse_error(bad[i], msg);
    }
}

static void test_period_parse_rejects_nonexistent_days(void **state)
{
    (void)state;
    assert_parse_error("2024-02-30",
                       "'2024-02-30' is not a period: 2024-02-30 is not a calendar day");
    assert_parse_error("2023-02-29", "2023-02-29 is not a calendar day");
    assert_parse_error("2024-08-01..2024-09-31", "2024-09-31 is not a calendar day");
}

static void test_period_parse_rejects_reversed_range(void **state)
{
    (void)state;
    assert_parse_error("2024-08-15..2024-08-01",
                       "'2024-08-15..2024-08-01' is not a period: the range ends before it starts");
}

static void test_period_grain_names(void **state)
{
    (void)state;
    const char *names[] = {"day", "week", "month", "quarter", "year", "range"};
    const char *adverbs[] = {"daily", "weekly", "monthly", "quarterly", "yearly"};
    for (int g = GRAIN_DAY; g <= GRAIN_RANGE; g++) {
        period_grain parsed;
        assert_string_equal(period_grain_name((period_grain)g), names[g]);
        assert_int_equal(period_grain_parse(names[g], &parsed), 0);
        assert_int_equal(parsed, g);
        if (g < GRAIN_RANGE) {
            assert_int_equal(period_grain_parse(adverbs[g], &parsed), 0);
            assert_int_equal(parsed, g);
        }
    }
    period_grain g;
    assert_int_equal(period_grain_parse("fortnight", &g), -1);
    assert_int_equal(period_grain_parse("Month", &g), -1);
    assert_int_equal(period_grain_parse("", &g), -1);
}

static void test_period_shift_walks_every_month_and_week(void **state)
{
    (void)state;
    /* Consecutive periods tile the calendar: each starts where the previous stopped. */
    period m = parse_ok("1999-01"), w = parse_ok("1999-W01"), q = parse_ok("1999-Q1");
    for (int i = 0; i < 400; i++) {
        period mn = period_shift(m, 1), wn = period_shift(w, 1), qn = period_shift(q, 1);
        assert_int_equal(mn.start, m.stop);
        assert_int_equal(wn.start, w.stop);
        assert_int_equal(qn.start, q.stop);
        assert_int_equal(period_prev(mn).start, m.start);
        assert_int_equal(period_prev(wn).start, w.start);
        assert_int_equal(date_iso_weekday(wn.start), 1);
        assert_int_equal(m.start, period_shift(parse_ok("1999-01"), i).start);
        m = mn;
        w = wn;
        q = qn;
    }
    assert_label(m, "2032-05");
    assert_int_equal(period_shift(parse_ok("1999-W01"), 400).start, w.start);
}

/*
** Regression: periods at the ends of the int32 day range overflowed (day + 1 and
** monday + 7 past INT32_MAX were undefined) or wrapped (a month's end past the range came
** back millions of years in the past). Bounds now saturate. Day INT32_MAX is Friday
** 5881580-07-11 and INT32_MIN is Tuesday -5877641-06-23 (worked out with whole 400-year
** cycles of 146097 days from 1970-01-01, outside this code).
*/
static void test_period_containing_saturates_at_the_int32_day_range(void **state)
{
    (void)state;
    assert_period(period_containing(GRAIN_DAY, INT32_MAX), GRAIN_DAY, INT32_MAX, INT32_MAX);
    assert_period(period_containing(GRAIN_WEEK, INT32_MAX), GRAIN_WEEK, INT32_MAX - 4, INT32_MAX);
    assert_period(period_containing(GRAIN_MONTH, INT32_MAX), GRAIN_MONTH, INT32_MAX - 10,
                  INT32_MAX);
    /* 5881580 is a leap year: January 1st is 31+29+31+30+31+30+10 = 192 days before July 11. */
    assert_period(period_containing(GRAIN_YEAR, INT32_MAX), GRAIN_YEAR, INT32_MAX - 192, INT32_MAX);
    assert_period(period_containing(GRAIN_DAY, INT32_MIN), GRAIN_DAY, INT32_MIN, INT32_MIN + 1);
    /* Tuesday: its Monday is one day before the range. */
    assert_period(period_containing(GRAIN_WEEK, INT32_MIN), GRAIN_WEEK, INT32_MIN, INT32_MIN + 6);
    assert_period(period_containing(GRAIN_QUARTER, INT32_MIN), GRAIN_QUARTER, INT32_MIN,
                  INT32_MIN + 8);
    assert_period(period_containing(GRAIN_YEAR, INT32_MIN), GRAIN_YEAR, INT32_MIN, INT32_MIN + 192);
}

static void test_period_absurd_shifts_saturate(void **state)
{
    (void)state;
    period aug = parse_ok("2024-08");
    assert_period(period_shift(aug, INT32_MAX), GRAIN_MONTH, INT32_MAX, INT32_MAX);
    assert_period(period_shift(aug, INT32_MIN), GRAIN_MONTH, INT32_MIN, INT32_MIN);
    assert_period(period_shift(parse_ok("2024"), INT32_MAX), GRAIN_YEAR, INT32_MAX, INT32_MAX);
    assert_period(period_shift(parse_ok("2024-W35"), INT32_MAX), GRAIN_WEEK, INT32_MAX, INT32_MAX);
    /* A day shifted back 2^31 days is still inside the range: exact. */
    assert_period(period_shift(parse_ok("2024-08-05"), INT32_MIN), GRAIN_DAY,
                  D(2024, 8, 5) + INT32_MIN, D(2024, 8, 6) + INT32_MIN);
    assert_period(period_shift(parse_ok("2024-08-05"), INT32_MAX), GRAIN_DAY, INT32_MAX, INT32_MAX);
    assert_period(period_shift(parse_ok("2024-08-01..2024-08-10"), INT32_MAX), GRAIN_RANGE,
                  INT32_MAX, INT32_MAX);
    /* A shift that stays inside the range is exact, however many eras it crosses. */
    assert_period(period_shift(aug, 12 * 400 * 1000), GRAIN_MONTH,
                  (int32_t)(D(2024, 8, 1) + 146097 * 1000),
                  (int32_t)(D(2024, 9, 1) + 146097 * 1000));
    assert_period(period_shift(aug, -12 * 400 * 1000), GRAIN_MONTH,
                  (int32_t)(D(2024, 8, 1) - 146097 * 1000),
                  (int32_t)(D(2024, 9, 1) - 146097 * 1000));
}

static void test_period_days_of_the_widest_period(void **state)
{
    (void)state;
    period all = {GRAIN_RANGE, INT32_MIN, INT32_MAX};
    assert_int_equal(period_days(all), INT32_MAX); /* 2^32 - 1 days does not fit: saturated */
    period empty = {GRAIN_RANGE, INT32_MIN, INT32_MIN};
    assert_int_equal(period_days(empty), 0);
    char buf[64];
    period_label(empty, buf, sizeof buf); /* must not compute INT32_MIN - 1 */
    assert_string_equal(buf, "0000-01-01..0000-01-01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_parse_each_form),
        cmocka_unit_test(test_period_labels_round_trip),
        cmocka_unit_test(test_period_month_ends_and_leap_years),
        cmocka_unit_test(test_period_iso_weeks_at_year_boundaries),
        cmocka_unit_test(test_period_week_53_only_when_the_year_has_it),
        cmocka_unit_test(test_period_containing_each_grain),
        cmocka_unit_test(test_period_month_shift_across_years),
        cmocka_unit_test(test_period_quarter_shift_across_years),
        cmocka_unit_test(test_period_day_and_year_shift),
        cmocka_unit_test(test_period_range_shifts_by_its_length),
        cmocka_unit_test(test_period_latest_complete),
        cmocka_unit_test(test_period_parse_rejects_malformed_labels),
        cmocka_unit_test(test_period_parse_rejects_nonexistent_days),
        cmocka_unit_test(test_period_parse_rejects_reversed_range),
        cmocka_unit_test(test_period_grain_names),
        cmocka_unit_test(test_period_shift_walks_every_month_and_week),
        cmocka_unit_test(test_period_containing_saturates_at_the_int32_day_range),
        cmocka_unit_test(test_period_absurd_shifts_saturate),
        cmocka_unit_test(test_period_days_of_the_widest_period),
    };
    return cmocka_run_group_tests_name("period", tests, NULL, NULL);
}
