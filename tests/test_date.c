/*
** test_date.c -- calendar arithmetic and date text (engine/core/date.c).
**
** Oracles: the C library's UTC calendar (timegm, gmtime_r, strftime %G %V %u) for
** every day of a wide range, sqlite3's julianday() for a sample, and dates known by
** heart (1970-01-01 is day 0, 2000-03-01 follows 2000-02-29).
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "date.h"
#include "kpi_alloc.h"
#include "table.h"
#include "testutil.h"

#define S(lit) lit, sizeof(lit) - 1

static void test_date_epoch_and_known_days(void **state)
{
    (void)state;
    assert_int_equal(date_from_civil(1970, 1, 1), 0);
    assert_int_equal(date_from_civil(1969, 12, 31), -1);
    assert_int_equal(date_from_civil(2000, 3, 1) - date_from_civil(2000, 2, 28), 2);
    assert_int_equal(date_from_civil(2100, 3, 1) - date_from_civil(2100, 2, 28), 1);
    assert_int_equal(date_from_civil(2024, 8, 1), 19936); /* 1722470400 / 86400 */
    int y, m, d;
    date_to_civil(-719468, &y, &m, &d); /* the algorithms' origin: 0000-03-01 */
    assert_int_equal(y, 0);
    assert_int_equal(m, 3);
    assert_int_equal(d, 1);
}

static void test_date_civil_matches_libc_for_every_day_1600_2400(void **state)
{
    (void)state;
    for (int32_t day = date_from_civil(1600, 1, 1); day <= date_from_civil(2400, 12, 31); day++) {
        time_t t = (time_t)day * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        int y, m, d;
        date_to_civil(day, &y, &m, &d);
        if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || d != tm.tm_mday)
            fail_msg("day %d: %d-%d-%d, libc %d-%d-%d", day, y, m, d, tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday);
        if (date_from_civil(y, m, d) != day) fail_msg("round trip of day %d", day);
        if (date_iso_weekday(day) != (tm.tm_wday == 0 ? 7 : tm.tm_wday))
            fail_msg("weekday of day %d", day);
    }
}

static void test_date_iso_week_matches_libc_strftime(void **state)
{
    (void)state;
    for (int32_t day = date_from_civil(1899, 12, 1); day <= date_from_civil(2101, 1, 31); day++) {
        time_t t = (time_t)day * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        char buf[32];
        strftime(buf, sizeof buf, "%G %V", &tm);
        int ly, lw, y, w;
        assert_int_equal(sscanf(buf, "%d %d", &ly, &lw), 2);
        date_iso_week(day, &y, &w);
        if (y != ly || w != lw) fail_msg("day %d: %d-W%d, libc %s", day, y, w, buf);
        if (date_iso_weekday(day) == 1 && date_from_iso_week(y, w) != day)
            fail_msg("monday of %d-W%d", y, w);
    }
}

static void test_date_iso_week_year_boundaries(void **state)
{
    (void)state;
    int y, w;
    date_iso_week(date_from_civil(2024, 12, 30), &y, &w);
    assert_int_equal(y, 2025);
    assert_int_equal(w, 1);
    date_iso_week(date_from_civil(2021, 1, 3), &y, &w);
    assert_int_equal(y, 2020);
    assert_int_equal(w, 53);
    assert_int_equal(date_from_iso_week(2021, 1), date_from_civil(2021, 1, 4));
    assert_int_equal(date_from_iso_week(2020, 53), date_from_civil(2020, 12, 28));
    assert_int_equal(date_from_iso_week(2025, 1), date_from_civil(2024, 12, 30));
    assert_int_equal(date_iso_weeks_in_year(2020), 53);
    assert_int_equal(date_iso_weeks_in_year(2015), 53);
    assert_int_equal(date_iso_weeks_in_year(2021), 52);
    assert_int_equal(date_iso_weeks_in_year(2024), 52);
    assert_int_equal(date_iso_weeks_in_year(2026), 53);
}

static void test_date_days_in_month_and_leap_rules(void **state)
{
    (void)state;
    assert_int_equal(date_days_in_month(2024, 2), 29);
    assert_int_equal(date_days_in_month(2023, 2), 28);
    assert_int_equal(date_days_in_month(2100, 2), 28);
    assert_int_equal(date_days_in_month(2000, 2), 29);
    assert_int_equal(date_days_in_month(2024, 4), 30);
    assert_int_equal(date_days_in_month(2024, 12), 31);
    assert_int_equal(date_days_in_month(2024, 13), 0);
    assert_true(date_is_valid(2024, 2, 29));
    assert_false(date_is_valid(2023, 2, 29));
    assert_false(date_is_valid(2024, 0, 1));
    assert_false(date_is_valid(2024, 6, 31));
}

static void test_date_julianday_agrees_with_sqlite(void **state)
{
    (void)state;
    const char *days[] = {"1970-01-01", "1900-02-28", "2000-02-29",
                          "2024-08-31", "1601-01-01", "2399-12-31"};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT CAST(julianday('%s') - 2440587.5 AS INTEGER);", days[i]);
        int32_t got;
        assert_int_equal(date_parse_iso(days[i], 10, &got), 0);
        assert_int_equal(got, (int32_t)tu_oracle(":memory:", NULL, sql));
    }
}

static void test_date_parse_iso_strict_form(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(date_parse_iso(S("2024-08-05"), &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
    const char *bad[] = {"2024-8-05",       "2024/08/05",  "2024-08-5",  "24-08-05",
                         "2024-08-05 ",     " 2024-08-05", "2024-13-01", "2024-00-10",
                         "2024-08-00",      "2024-08-32",  "",           "abcd-ef-gh",
                         "2024-08-05T00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(date_parse_iso(bad[i], strlen(bad[i]), &d), DATE_SYNTAX);
}

static void test_date_parse_iso_nonexistent_days(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(date_parse_iso(S("2024-02-30"), &d), DATE_NOEXIST);
    assert_int_equal(date_parse_iso(S("2023-02-29"), &d), DATE_NOEXIST);
    assert_int_equal(date_parse_iso(S("2100-02-29"), &d), DATE_NOEXIST);
    assert_int_equal(date_parse_iso(S("2024-04-31"), &d), DATE_NOEXIST);
    assert_int_equal(date_parse_iso(S("2000-02-29"), &d), 0);
    assert_int_equal(date_parse_iso(S("2024-02-29"), &d), 0);
}

static void test_date_parse_timestamp_forms(void **state)
{
    (void)state;
    int64_t base = (int64_t)date_from_civil(2024, 8, 5) * 86400;
    int64_t s;
    assert_int_equal(date_parse_timestamp(S("2024-08-05T13:45"), &s), 0);
    assert_true(s == base + 13 * 3600 + 45 * 60);
    assert_int_equal(date_parse_timestamp(S("2024-08-05 13:45:07"), &s), 0);
    assert_true(s == base + 13 * 3600 + 45 * 60 + 7);
    assert_int_equal(date_parse_timestamp(S("2024-08-05T13:45:07.123456"), &s), 0);
    assert_true(s == base + 13 * 3600 + 45 * 60 + 7);
    assert_int_equal(date_parse_timestamp(S("2024-08-05T13:45:07Z"), &s), 0);
    assert_true(s == base + 13 * 3600 + 45 * 60 + 7);
    assert_int_equal(date_parse_timestamp(S("2024-08-05T00:00:00.5z"), &s), 0);
    assert_true(s == base);
}

static void test_date_parse_timestamp_applies_zone(void **state)
{
    (void)state;
    int64_t base = (int64_t)date_from_civil(2024, 8, 5) * 86400;
    int64_t s;
    assert_int_equal(date_parse_timestamp(S("2024-08-05T07:00:00+07:00"), &s), 0);
    assert_true(s == base);
    assert_int_equal(date_parse_timestamp(S("2024-08-05T07:00+0700"), &s), 0);
    assert_true(s == base);
    /* Crossing midnight backwards: 01:30 at -05:30 is 07:00 UTC. */
    assert_int_equal(date_parse_timestamp(S("2024-08-05 01:30:00-05:30"), &s), 0);
    assert_true(s == base + 7 * 3600);
    /* 02:00 at +07:00 is the previous UTC day. */
    assert_int_equal(date_parse_timestamp(S("2024-08-05T02:00:00+07:00"), &s), 0);
    assert_int_equal(date_of_timestamp(s), date_from_civil(2024, 8, 4));
}

static void test_date_parse_timestamp_rejects_bad_forms(void **state)
{
    (void)state;
    const char *bad[] = {"2024-08-05",         "2024-08-05T",           "2024-08-05T1:00",
                         "2024-08-05T24:00",   "2024-08-05T12:60",      "2024-08-05T12:00:60",
                         "2024-08-05X12:00",   "2024-08-05T12:00:0",    "2024-08-05T12:00:00.",
                         "2024-08-05T12:00+7", "2024-08-05T12:00+07:0", "2024-08-05T12:00Z0",
                         "2024-08-05T12:00 ",  "2024-13-05T12:00",      "2024-08-05T12:00+24:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t s;
        if (date_parse_timestamp(bad[i], strlen(bad[i]), &s) != DATE_SYNTAX)
            fail_msg("accepted '%s'", bad[i]);
    }
    int64_t s;
    assert_int_equal(date_parse_timestamp(S("2023-02-29T10:00"), &s), DATE_NOEXIST);
}

static void test_date_parse_format_conversions(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(date_parse_format(S("05/08/2024"), "%d/%m/%Y", &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
    assert_int_equal(date_parse_format(S("5/8/2024"), "%d/%m/%Y", &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
    assert_int_equal(date_parse_format(S("08.05.24"), "%m.%d.%y", &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
    assert_int_equal(date_parse_format(S("05-AUG-2024"), "%d-%b-%Y", &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
    assert_int_equal(date_parse_format(S("dec 31 1999"), "%b %d %Y", &d), 0);
    assert_int_equal(d, date_from_civil(1999, 12, 31));
    assert_int_equal(date_parse_format(S("20240805"), "%Y%m%d", &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
    assert_int_equal(date_parse_format(S("2024%08%05"), "%Y%%%m%%%d", &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
}

static void test_date_parse_format_rejects_and_checks_days(void **state)
{
    (void)state;
    int32_t d;
    assert_int_equal(date_parse_format(S("30/02/2024"), "%d/%m/%Y", &d), DATE_NOEXIST);
    assert_int_equal(date_parse_format(S("29/02/2023"), "%d/%m/%Y", &d), DATE_NOEXIST);
    assert_int_equal(date_parse_format(S("2024-08-05"), "%d/%m/%Y", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(S("05/13/2024"), "%d/%m/%Y", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(S("05/08/2024x"), "%d/%m/%Y", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(S("05/08/24"), "%d/%m/%Y", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(S("05-Agu-2024"), "%d-%b-%Y", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(S("05/08"), "%d/%m", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(S("05/08/2024"), "%d/%m/%Q", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(S("05/08/2024"), "%d/%m/%Y%", &d), DATE_SYNTAX);
}

static void test_date_format_iso_and_timestamp(void **state)
{
    (void)state;
    char buf[20];
    date_format_iso(date_from_civil(2024, 2, 29), buf);
    assert_string_equal(buf, "2024-02-29");
    date_format_iso(date_from_civil(1, 1, 1), buf);
    assert_string_equal(buf, "0001-01-01");
    date_format_timestamp((int64_t)date_from_civil(2024, 8, 5) * 86400 + 3723, buf);
    assert_string_equal(buf, "2024-08-05 01:02:03");
    date_format_timestamp(-1, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59");
}

static void test_date_of_timestamp_floors_before_1970(void **state)
{
    (void)state;
    assert_int_equal(date_of_timestamp(0), 0);
    assert_int_equal(date_of_timestamp(86399), 0);
    assert_int_equal(date_of_timestamp(86400), 1);
    assert_int_equal(date_of_timestamp(-1), -1);
    assert_int_equal(date_of_timestamp(-86400), -1);
    assert_int_equal(date_of_timestamp(-86401), -2);
}

/*
** Regression: a day past the int32 range wrapped around (2^31 days after 1970 came back
** as 2^31 days before it); now it saturates.
*/
static void test_date_of_timestamp_saturates_past_int32_days(void **state)
{
    (void)state;
    assert_int_equal(date_of_timestamp(INT64_C(86400) * INT32_MAX + 86399), INT32_MAX);
    assert_int_equal(date_of_timestamp(INT64_C(86400) * ((int64_t)INT32_MAX + 1)), INT32_MAX);
    assert_int_equal(date_of_timestamp(INT64_C(86400) * INT32_MIN), INT32_MIN);
    assert_int_equal(date_of_timestamp(INT64_C(86400) * INT32_MIN - 1), INT32_MIN);
    assert_int_equal(date_of_timestamp(INT64_MAX), INT32_MAX);
    assert_int_equal(date_of_timestamp(INT64_MIN), INT32_MIN);
}

/*
** Regression: formatting INT64_MIN computed day * 86400 below INT64_MIN (undefined), and
** far timestamps printed a wrapped day. Text has years 0000..9999: beyond, it clamps to
** the first or last second, as date_format_iso clamps days. 253402300799 is
** 9999-12-31 23:59:59 and -62167219200 is 0000-01-01 00:00:00 (sqlite3's unixepoch).
*/
static void test_date_format_timestamp_clamps_far_values(void **state)
{
    (void)state;
    char buf[20];
    date_format_timestamp(INT64_C(253402300799), buf);
    assert_string_equal(buf, "9999-12-31 23:59:59");
    date_format_timestamp(INT64_C(-62167219200), buf);
    assert_string_equal(buf, "0000-01-01 00:00:00");
    date_format_timestamp(INT64_C(253402300800), buf);
    assert_string_equal(buf, "9999-12-31 23:59:59");
    date_format_timestamp(INT64_C(-62167219201), buf);
    assert_string_equal(buf, "0000-01-01 00:00:00");
    date_format_timestamp(INT64_MAX, buf);
    assert_string_equal(buf, "9999-12-31 23:59:59");
    date_format_timestamp(INT64_MIN, buf);
    assert_string_equal(buf, "0000-01-01 00:00:00");
    date_format_timestamp(INT64_MIN + 1, buf);
    assert_string_equal(buf, "0000-01-01 00:00:00");
}

/* A one-column STRING table of the given values (NULL = null). */
static table *text_table(const char *const *values, size_t n)
{
    table *t = table_new("t", n);
    assert_non_null(t);
    column *c = table_add_column(t, "day", COL_STRING, 0);
    assert_non_null(c);
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) {
            assert_int_equal(column_set_null(c, n, i), 0);
            continue;
        }
        c->v.code[i] = dict_intern(c->dict, values[i], strlen(values[i]));
    }
    return t;
}

static void test_date_convert_column_to_date(void **state)
{
    (void)state;
    const char *v[] = {"2024-08-05", NULL, "2024-08-01", "2024-08-05"};
    table *t = text_table(v, 4);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, NULL, &err), 0);
    column *c = &t->cols[0];
    assert_int_equal(c->type, COL_DATE);
    assert_null(c->dict);
    assert_int_equal(c->v.date[0], date_from_civil(2024, 8, 5));
    assert_false(column_is_valid(c, 1));
    assert_int_equal(c->v.date[1], 0);
    assert_int_equal(c->v.date[2], date_from_civil(2024, 8, 1));
    assert_int_equal(c->v.date[3], date_from_civil(2024, 8, 5));
    /* Converting again is a no-op. */
    assert_int_equal(date_convert_column(t, 0, NULL, &err), 0);
    table_free(t);
}

static void test_date_convert_column_mixed_gives_timestamp(void **state)
{
    (void)state;
    const char *v[] = {"2024-08-05", "2024-08-05 10:30:00", NULL};
    table *t = text_table(v, 3);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, NULL, &err), 0);
    column *c = &t->cols[0];
    assert_int_equal(c->type, COL_TIMESTAMP);
    int64_t base = (int64_t)date_from_civil(2024, 8, 5) * 86400;
    assert_true(c->v.i64[0] == base);
    assert_true(c->v.i64[1] == base + 10 * 3600 + 30 * 60);
    assert_false(column_is_valid(c, 2));
    table_free(t);
}

static void test_date_convert_column_with_format(void **state)
{
    (void)state;
    const char *v[] = {"05/08/2024", "31/12/2023"};
    table *t = text_table(v, 2);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, "%d/%m/%Y", &err), 0);
    assert_int_equal(t->cols[0].type, COL_DATE);
    assert_int_equal(t->cols[0].v.date[0], date_from_civil(2024, 8, 5));
    assert_int_equal(t->cols[0].v.date[1], date_from_civil(2023, 12, 31));
    table_free(t);
}

static void test_date_convert_column_bad_value_names_row(void **state)
{
    (void)state;
    const char *v[] = {"2024-08-05", NULL, "2024-08-06", "2024-13-01", "junk"};
    table *t = text_table(v, 5);
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(date_convert_column(t, 0, NULL, &err), -1);
    assert_int_equal(err.kind, KPI_EDATA);
    assert_int_equal(err.line, 4);
    assert_int_equal(err.column, 0);
    assert_non_null(strstr(err.message, "'2024-13-01' is not a date (expected YYYY-MM-DD)"));
    /* The column is left as it was. */
    assert_int_equal(t->cols[0].type, COL_STRING);
    assert_non_null(t->cols[0].dict);
    assert_string_equal(dict_str(t->cols[0].dict, t->cols[0].v.code[3]), "2024-13-01");
    table_free(t);
}

static void test_date_convert_column_nonexistent_day(void **state)
{
    (void)state;
    const char *v[] = {"2024-02-28", "2024-02-29", "2024-02-30"};
    table *t = text_table(v, 3);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, NULL, &err), -1);
    assert_int_equal(err.kind, KPI_EDATA);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "'2024-02-30' is not a calendar day"));
    assert_int_equal(t->cols[0].type, COL_STRING);
    table_free(t);
}

static void test_date_convert_column_bad_after_times_says_timestamp(void **state)
{
    (void)state;
    const char *v[] = {"2024-08-05 10:00", "2024-08-05 25:00"};
    table *t = text_table(v, 2);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, NULL, &err), -1);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "'2024-08-05 25:00' is not a timestamp"));
    table_free(t);
}

static void test_date_convert_column_format_error_names_format(void **state)
{
    (void)state;
    const char *v[] = {"05/08/2024", "5 Aug 2024"};
    table *t = text_table(v, 2);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, "%d/%m/%Y", &err), -1);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "'5 Aug 2024' is not a date (expected %d/%m/%Y"));
    table_free(t);
}

static void test_date_convert_column_rejects_numbers(void **state)
{
    (void)state;
    table *t = table_new("t", 1);
    assert_non_null(table_add_column(t, "n", COL_INT64, 0));
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, NULL, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_non_null(strstr(err.message, "column 'n' is int, not text"));
    assert_int_equal(err.line, 0);
    table_free(t);
}

static void test_date_parse_timestamp_fraction_then_zone(void **state)
{
    (void)state;
    int64_t base = (int64_t)date_from_civil(2024, 1, 1) * 86400;
    int64_t s;
    assert_int_equal(date_parse_timestamp(S("2024-01-01T00:30:15.999+01:00"), &s), 0);
    assert_true(s == base - 1800 + 15);
    assert_int_equal(date_parse_timestamp(S("2024-01-01t00:00:00.1Z"), &s), 0);
    assert_true(s == base);
    /* 23:30 at -01:00 on Dec 31 is the next year's first half hour in UTC. */
    assert_int_equal(date_parse_timestamp(S("2023-12-31 23:30-0100"), &s), 0);
    assert_true(s == base + 1800);
    assert_true(s == (int64_t)tu_oracle(":memory:", NULL,
                                        "SELECT unixepoch('2023-12-31 23:30:00-01:00');"));
}

static void test_date_parsers_read_only_len_bytes(void **state)
{
    (void)state;
    /* Unterminated arrays: the sanitizer build catches any read past len. */
    const char iso[10] = {'2', '0', '2', '4', '-', '0', '8', '-', '0', '5'};
    const char ts[16] = {'2', '0', '2', '4', '-', '0', '8', '-',
                         '0', '5', 'T', '1', '3', ':', '4', '5'};
    const char fmt[6] = {'5', '/', '8', '/', '2', '4'};
    int32_t d;
    int64_t s;
    assert_int_equal(date_parse_iso(iso, sizeof iso, &d), 0);
    assert_int_equal(date_parse_timestamp(ts, sizeof ts, &s), 0);
    assert_int_equal(date_parse_timestamp(iso, sizeof iso, &s), DATE_SYNTAX);
    assert_int_equal(date_parse_format(fmt, sizeof fmt, "%d/%m/%y", &d), 0);
    assert_int_equal(d, date_from_civil(2024, 8, 5));
    assert_int_equal(date_parse_format(fmt, 3, "%d/%m/%y", &d), DATE_SYNTAX);
    assert_int_equal(date_parse_format(fmt, 2, "%d/%b", &d), DATE_SYNTAX);
}

static void test_date_convert_column_many_rows_few_days(void **state)
{
    (void)state;
    /* 100000 rows over 31 distinct days: the day sum checks every row. */
    enum { N = 100000 };
    table *t = table_new("t", N);
    column *c = table_add_column(t, "day", COL_STRING, 0);
    assert_non_null(c);
    long long expect = 0;
    for (size_t i = 0; i < N; i++) {
        char buf[11];
        int day = (int)(i * 7 % 31) + 1;
        snprintf(buf, sizeof buf, "2024-07-%02d", day);
        c->v.code[i] = dict_intern(c->dict, buf, 10);
        expect += date_from_civil(2024, 7, day);
    }
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, NULL, &err), 0);
    long long sum = 0;
    for (size_t i = 0; i < N; i++)
        sum += t->cols[0].v.date[i];
    assert_true(sum == expect);
    table_free(t);
}

static void test_date_convert_column_format_nonexistent_day(void **state)
{
    (void)state;
    const char *v[] = {"28/02/2023", "29/02/2023"};
    table *t = text_table(v, 2);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, "%d/%m/%Y", &err), -1);
    assert_int_equal(err.kind, KPI_EDATA);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 0);
    assert_non_null(strstr(err.message, "'29/02/2023' is not a calendar day"));
    table_free(t);
}

static void test_date_convert_column_quotes_long_values_shortened(void **state)
{
    (void)state;
    char longv[200];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    const char *v[] = {longv};
    table *t = text_table(v, 1);
    kpi_error err;
    assert_int_equal(date_convert_column(t, 0, NULL, &err), -1);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "xxx...' is not a date"));
    assert_true(strlen(err.message) < 120);
    table_free(t);
}

/* An out-of-memory failure at any allocation of a conversion leaves the column whole. */
static void test_date_convert_column_out_of_memory_leaks_nothing(void **state)
{
    (void)state;
    const char *v[] = {"2024-08-05", NULL, "2024-08-01 10:00", "2024-08-05"};
    for (long n = 0;; n++) {
        table *t = text_table(v, 4);
        kpi_error err;
        kpi_error_clear(&err);
        kpi_test_fail_after(n);
        int rc = date_convert_column(t, 0, NULL, &err);
        kpi_test_fail_after(-1);
        const column *c = &t->cols[0];
        if (rc == 0) {
            assert_int_equal(c->type, COL_TIMESTAMP);
            assert_true(c->v.i64[2] == (int64_t)date_from_civil(2024, 8, 1) * 86400 + 36000);
            table_free(t);
            break;
        }
        assert_int_equal(err.kind, KPI_ENOMEM);
        assert_string_equal(err.message, "out of memory converting column 'day'");
        assert_int_equal(c->type, COL_STRING); /* untouched: still its text */
        assert_string_equal(dict_str(c->dict, c->v.code[0]), "2024-08-05");
        table_free(t);
    }
}

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_epoch_and_known_days),
        cmocka_unit_test(test_date_civil_matches_libc_for_every_day_1600_2400),
        cmocka_unit_test(test_date_iso_week_matches_libc_strftime),
        cmocka_unit_test(test_date_iso_week_year_boundaries),
        cmocka_unit_test(test_date_days_in_month_and_leap_rules),
        cmocka_unit_test(test_date_julianday_agrees_with_sqlite),
        cmocka_unit_test(test_date_parse_iso_strict_form),
        cmocka_unit_test(test_date_parse_iso_nonexistent_days),
        cmocka_unit_test(test_date_parse_timestamp_forms),
        cmocka_unit_test(test_date_parse_timestamp_applies_zone),
        cmocka_unit_test(test_date_parse_timestamp_rejects_bad_forms),
        cmocka_unit_test(test_date_parse_format_conversions),
        cmocka_unit_test(test_date_parse_format_rejects_and_checks_days),
        cmocka_unit_test(test_date_format_iso_and_timestamp),
        cmocka_unit_test(test_date_of_timestamp_floors_before_1970),
        cmocka_unit_test(test_date_convert_column_to_date),
        cmocka_unit_test(test_date_convert_column_mixed_gives_timestamp),
        cmocka_unit_test(test_date_convert_column_with_format),
        cmocka_unit_test(test_date_convert_column_bad_value_names_row),
        cmocka_unit_test(test_date_convert_column_nonexistent_day),
        cmocka_unit_test(test_date_convert_column_bad_after_times_says_timestamp),
        cmocka_unit_test(test_date_convert_column_format_error_names_format),
        cmocka_unit_test(test_date_convert_column_rejects_numbers),
        cmocka_unit_test(test_date_parse_timestamp_fraction_then_zone),
        cmocka_unit_test(test_date_parsers_read_only_len_bytes),
        cmocka_unit_test(test_date_convert_column_many_rows_few_days),
        cmocka_unit_test(test_date_convert_column_format_nonexistent_day),
        cmocka_unit_test(test_date_convert_column_quotes_long_values_shortened),
        cmocka_unit_test(test_date_of_timestamp_saturates_past_int32_days),
        cmocka_unit_test(test_date_format_timestamp_clamps_far_values),
        cmocka_unit_test_teardown(test_date_convert_column_out_of_memory_leaks_nothing,
                                  allow_allocations),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
