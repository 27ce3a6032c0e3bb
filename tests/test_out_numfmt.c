/*
** test_out_numfmt.c -- numbers, money, percentages, dates and periods in Vietnamese
** and international formats (out/numfmt.h), and the words of the reports (out/i18n.h).
**
** Expected texts were written by hand from the conventions: Vietnamese groups
** thousands with '.' and marks decimals with ',' ("1.234.567,89"), writes the dong
** sign after the amount ("1.234.568 ₫"), names large amounts in nghìn / triệu / tỷ
** and dates day first ("31/12/2024"); the international form is "1,234,567.89 VND".
** Rounding is half away from zero at the digits shown (numfmt.h); ties are chosen
** on values a double holds exactly (2.5, 1.25), where printf would round to even.
*/
#include <locale.h>
#include <math.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/date.h"
#include "core/kpi_error.h"
#include "core/period.h"
#include "out/i18n.h"
#include "out/numfmt.h"

#define VI I18N_VI
#define EN I18N_EN

static char buf[NUMFMT_SIZE];

/* ---- numbers ------------------------------------------------------------------ */

static void test_number_groups_thousands_by_language(void **state)
{
    (void)state;
    assert_string_equal(numfmt_number(VI, 1234567.891, 2, buf, sizeof buf), "1.234.567,89");
    assert_string_equal(numfmt_number(EN, 1234567.891, 2, buf, sizeof buf), "1,234,567.89");
    assert_string_equal(numfmt_number(VI, 999, 0, buf, sizeof buf), "999");
    assert_string_equal(numfmt_number(VI, 1000, 0, buf, sizeof buf), "1.000");
    assert_string_equal(numfmt_number(EN, -1234, 1, buf, sizeof buf), "-1,234.0");
}

static void test_number_rounds_half_away_from_zero(void **state)
{
    (void)state;
    assert_string_equal(numfmt_number(VI, 1234567.5, 0, buf, sizeof buf), "1.234.568");
    assert_string_equal(numfmt_number(EN, 2.5, 0, buf, sizeof buf), "3");
    assert_string_equal(numfmt_number(EN, -2.5, 0, buf, sizeof buf), "-3");
    assert_string_equal(numfmt_number(EN, 0.5, 0, buf, sizeof buf), "1");
    assert_string_equal(numfmt_number(VI, 1.25, 1, buf, sizeof buf), "1,3");
    assert_string_equal(numfmt_number(EN, 9.995, 0, buf, sizeof buf), "10");
}

static void test_number_that_rounds_to_zero_has_no_sign(void **state)
{
    (void)state;
    assert_string_equal(numfmt_number(VI, -0.004, 2, buf, sizeof buf), "0,00");
    assert_string_equal(numfmt_number(EN, -0.0, 0, buf, sizeof buf), "0");
}

static void test_number_beyond_two_to_the_53_has_no_fraction(void **state)
{
    (void)state;
    assert_string_equal(numfmt_number(EN, 1e20, 2, buf, sizeof buf), "100,000,000,000,000,000,000");
    assert_string_equal(numfmt_number(VI, 1e16, 0, buf, sizeof buf), "10.000.000.000.000.000");
}

static void test_not_a_number_shows_a_dash(void **state)
{
    (void)state;
    assert_string_equal(numfmt_number(VI, NAN, 0, buf, sizeof buf), "–");
    assert_string_equal(numfmt_money(EN, INFINITY, "VND", buf, sizeof buf), "–");
    assert_string_equal(numfmt_value(VI, -INFINITY, "count", NULL, buf, sizeof buf), "–");
    assert_string_equal(numfmt_compact(VI, NAN, "VND", buf, sizeof buf), "–");
}

static void test_plain_drops_trailing_zeros_and_keeps_small_values(void **state)
{
    (void)state;
    assert_string_equal(numfmt_plain(VI, 3.5, buf, sizeof buf), "3,5");
    assert_string_equal(numfmt_plain(EN, 3.456, buf, sizeof buf), "3.46");
    assert_string_equal(numfmt_plain(VI, 1234, buf, sizeof buf), "1.234");
    assert_string_equal(numfmt_plain(VI, 0.001234, buf, sizeof buf), "0,00123");
    assert_string_equal(numfmt_plain(EN, 0.0000001, buf, sizeof buf), "0");
}

/* ---- money, percentages, changes ------------------------------------------------- */

static void test_money_vnd_in_vietnamese_uses_the_dong_sign(void **state)
{
    (void)state;
    assert_string_equal(numfmt_money(VI, 1234567.5, "VND", buf, sizeof buf), "1.234.568 ₫");
    assert_string_equal(numfmt_money(VI, 1234567, "VND", buf, sizeof buf), "1.234.567 ₫");
}

static void test_money_international_uses_the_code(void **state)
{
    (void)state;
    assert_string_equal(numfmt_money(EN, 1234567.5, "VND", buf, sizeof buf), "1,234,568 VND");
    assert_string_equal(numfmt_money(EN, 1234.5, "USD", buf, sizeof buf), "1,234.50 USD");
    assert_string_equal(numfmt_money(VI, 1234.5, "USD", buf, sizeof buf), "1.234,50 USD");
    assert_string_equal(numfmt_money(EN, 12, "USD", buf, sizeof buf), "12 USD");
    assert_string_equal(numfmt_money(EN, 1500.4, "JPY", buf, sizeof buf), "1,500 JPY");
    assert_string_equal(numfmt_money(EN, 12.5, "", buf, sizeof buf), "12.50");
}

static void test_percent_uses_the_language_decimal_mark(void **state)
{
    (void)state;
    assert_string_equal(numfmt_percent(VI, 0.125, 1, buf, sizeof buf), "12,5%");
    assert_string_equal(numfmt_percent(EN, 0.125, 1, buf, sizeof buf), "12.5%");
    assert_string_equal(numfmt_percent(VI, 1.5, 0, buf, sizeof buf), "150%");
}

static void test_change_is_signed_with_one_decimal(void **state)
{
    (void)state;
    assert_string_equal(numfmt_change(VI, -0.0987, buf, sizeof buf), "-9,9%");
    assert_string_equal(numfmt_change(EN, 0.5, buf, sizeof buf), "+50.0%");
    assert_string_equal(numfmt_change(VI, 0, buf, sizeof buf), "0,0%");
    assert_string_equal(numfmt_change(EN, -0.00001, buf, sizeof buf), "0.0%");
    assert_string_equal(numfmt_change(EN, 12.3456, buf, sizeof buf), "+1,234.6%");
}

/* ---- compact ------------------------------------------------------------------------ */

static void test_compact_names_the_scale_in_vietnamese(void **state)
{
    (void)state;
    assert_string_equal(numfmt_compact(VI, 1.25e9, "VND", buf, sizeof buf), "1,25 tỷ ₫");
    assert_string_equal(numfmt_compact(VI, 350e6, "VND", buf, sizeof buf), "350 triệu ₫");
    assert_string_equal(numfmt_compact(VI, 1.5e9, "VND", buf, sizeof buf), "1,5 tỷ ₫");
    assert_string_equal(numfmt_compact(VI, 12345, NULL, buf, sizeof buf), "12,3 nghìn");
    assert_string_equal(numfmt_compact(VI, -2.5e9, "VND", buf, sizeof buf), "-2,5 tỷ ₫");
    assert_string_equal(numfmt_compact(VI, 3.2e12, "VND", buf, sizeof buf), "3,2 nghìn tỷ ₫");
}

static void test_compact_international_uses_letters(void **state)
{
    (void)state;
    assert_string_equal(numfmt_compact(EN, 1.25e9, "VND", buf, sizeof buf), "1.25B VND");
    assert_string_equal(numfmt_compact(EN, 350e6, "VND", buf, sizeof buf), "350M VND");
    assert_string_equal(numfmt_compact(EN, 1234, NULL, buf, sizeof buf), "1.23K");
    assert_string_equal(numfmt_compact(EN, 515355382.5, "VND", buf, sizeof buf), "515M VND");
}

static void test_compact_rounding_up_moves_to_the_next_scale(void **state)
{
    (void)state;
    assert_string_equal(numfmt_compact(VI, 999.6e6, "VND", buf, sizeof buf), "1 tỷ ₫");
    assert_string_equal(numfmt_compact(EN, 999999, NULL, buf, sizeof buf), "1M");
    assert_string_equal(numfmt_compact(EN, 999.7, NULL, buf, sizeof buf), "1K");
}

static void test_compact_below_a_thousand_and_beyond_the_last_scale(void **state)
{
    (void)state;
    assert_string_equal(numfmt_compact(VI, 999, "VND", buf, sizeof buf), "999 ₫");
    assert_string_equal(numfmt_compact(EN, 12.5, NULL, buf, sizeof buf), "12.5");
    assert_string_equal(numfmt_compact(VI, 5e15, "VND", buf, sizeof buf), "5.000 nghìn tỷ ₫");
}

/* ---- values by unit ------------------------------------------------------------------- */

static void test_value_follows_the_unit(void **state)
{
    (void)state;
    assert_string_equal(numfmt_value(VI, 1013, "count", "VND", buf, sizeof buf), "1.013");
    assert_string_equal(numfmt_value(VI, 0.0375, "%", "VND", buf, sizeof buf), "3,8%");
    assert_string_equal(numfmt_value(EN, 0.5, "ratio", "VND", buf, sizeof buf), "50.0%");
    assert_string_equal(numfmt_value(EN, 0.25, "percent", NULL, buf, sizeof buf), "25.0%");
    assert_string_equal(numfmt_value(VI, 171234.5, "VND", "VND", buf, sizeof buf), "171.235 ₫");
    assert_string_equal(numfmt_value(EN, 3.456, "days", "VND", buf, sizeof buf), "3.46 days");
    assert_string_equal(numfmt_value(VI, 3.5, "ngày", "VND", buf, sizeof buf), "3,5 ngày");
    assert_string_equal(numfmt_value(EN, 42, "", "VND", buf, sizeof buf), "42");
    assert_string_equal(numfmt_value(EN, 42, NULL, NULL, buf, sizeof buf), "42");
    assert_string_equal(numfmt_value(EN, 9.5, "EUR", "VND", buf, sizeof buf), "9.50 EUR");
}

static void test_value_short_compacts_money_from_a_million(void **state)
{
    (void)state;
    assert_string_equal(numfmt_value_short(VI, 515355382.5, "VND", "VND", buf, sizeof buf),
                        "515 triệu ₫");
    assert_string_equal(numfmt_value_short(VI, 508741.7, "VND", "VND", buf, sizeof buf),
                        "508.742 ₫");
    assert_string_equal(numfmt_value_short(VI, 250000, "count", "VND", buf, sizeof buf),
                        "250 nghìn");
    assert_string_equal(numfmt_value_short(EN, 99999, "count", "VND", buf, sizeof buf), "99,999");
    assert_string_equal(numfmt_value_short(EN, 0.5, "%", "VND", buf, sizeof buf), "50.0%");
}

static void test_money_and_percent_units_are_recognised(void **state)
{
    (void)state;
    assert_true(numfmt_is_money("VND", "VND"));
    assert_true(numfmt_is_money("USD", ""));
    assert_true(numfmt_is_money("đồng", "đồng"));
    assert_false(numfmt_is_money("days", "VND"));
    assert_false(numfmt_is_money("Usd", NULL));
    assert_true(numfmt_is_percent("%"));
    assert_false(numfmt_is_percent("count"));
    assert_false(numfmt_is_percent(NULL));
}

/* ---- dates and periods ----------------------------------------------------------------- */

static void test_date_is_day_first_in_vietnamese(void **state)
{
    (void)state;
    int32_t d = date_from_civil(2024, 12, 31);
    assert_string_equal(numfmt_date(VI, d, buf, sizeof buf), "31/12/2024");
    assert_string_equal(numfmt_date(EN, d, buf, sizeof buf), "31 Dec 2024");
    assert_string_equal(numfmt_date(VI, date_from_civil(2024, 8, 5), buf, sizeof buf),
                        "05/08/2024");
}

static void test_datetime_shows_the_offset_from_utc(void **state)
{
    (void)state;
    int64_t local = (int64_t)date_from_civil(2026, 11, 23) * 86400 + 18 * 3600 + 35 * 60 + 59;
    assert_string_equal(numfmt_datetime(VI, local, 420, buf, sizeof buf),
                        "23/11/2026 18:35 (UTC+07:00)");
    assert_string_equal(numfmt_datetime(EN, local, 0, buf, sizeof buf), "23 Nov 2026 18:35 (UTC)");
    assert_string_equal(numfmt_datetime(EN, local, -330, buf, sizeof buf),
                        "23 Nov 2026 18:35 (UTC-05:30)");
    assert_string_equal(numfmt_datetime(EN, -60, 0, buf, sizeof buf), "31 Dec 1969 23:59 (UTC)");
}

static period parse(const char *label)
{
    period p;
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(period_parse(label, &p, &err), 0);
    return p;
}

static void test_period_names_by_grain(void **state)
{
    (void)state;
    static const struct {
        const char *label, *vi, *en;
    } cases[] = {
        {"2024-08", "Tháng 8/2024", "August 2024"},
        {"2024-12", "Tháng 12/2024", "December 2024"},
        {"2024-Q3", "Quý 3/2024", "Q3 2024"},
        {"2024-W35", "Tuần 35/2024", "Week 35, 2024"},
        {"2020-W53", "Tuần 53/2020", "Week 53, 2020"},
        {"2024", "Năm 2024", "2024"},
        {"2024-08-05", "Ngày 05/08/2024", "5 Aug 2024"},
        {"2024-08-01..2024-08-15", "01/08/2024 – 15/08/2024", "1 Aug 2024 – 15 Aug 2024"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        period p = parse(cases[i].label);
        assert_string_equal(numfmt_period(VI, p, buf, sizeof buf), cases[i].vi);
        assert_string_equal(numfmt_period(EN, p, buf, sizeof buf), cases[i].en);
    }
}

static void test_period_days_are_first_and_last_inside(void **state)
{
    (void)state;
    period p = parse("2024-02");
    assert_string_equal(numfmt_period_days(VI, p, buf, sizeof buf), "01/02/2024 – 29/02/2024");
    assert_string_equal(numfmt_period_days(EN, p, buf, sizeof buf), "1 Feb 2024 – 29 Feb 2024");
}

/* ---- buffers and the C locale ------------------------------------------------------------ */

static void test_short_buffer_is_cut_at_a_character_boundary(void **state)
{
    (void)state;
    char small[12]; /* "1.234.567 ₫" needs 14 bytes: the 3-byte ₫ cannot fit whole */
    assert_string_equal(numfmt_money(VI, 1234567, "VND", small, sizeof small), "1.234.567 ");
    char tiny[1];
    assert_string_equal(numfmt_number(EN, 5, 0, tiny, sizeof tiny), "");
}

static void test_formatting_leaves_the_c_locale_alone(void **state)
{
    (void)state;
    numfmt_money(VI, 1234567.5, "VND", buf, sizeof buf);
    numfmt_percent(VI, 0.125, 1, buf, sizeof buf);
    numfmt_period(VI, parse("2024-08"), buf, sizeof buf);
    assert_string_equal(setlocale(LC_ALL, NULL), "C");
}

/* ---- words ---------------------------------------------------------------------------- */

static void test_language_is_the_option_then_the_locale(void **state)
{
    (void)state;
    assert_int_equal(i18n_pick("vi", NULL), I18N_VI);
    assert_int_equal(i18n_pick(NULL, "vi"), I18N_VI);
    assert_int_equal(i18n_pick(NULL, "vi-VN"), I18N_VI);
    assert_int_equal(i18n_pick(NULL, "vi_VN"), I18N_VI);
    assert_int_equal(i18n_pick("VI", "en"), I18N_VI);
    assert_int_equal(i18n_pick("en", "vi"), I18N_EN);
    assert_int_equal(i18n_pick(NULL, "vietnam"), I18N_EN);
    assert_int_equal(i18n_pick(NULL, ""), I18N_EN);
    assert_int_equal(i18n_pick(NULL, NULL), I18N_EN);
    assert_string_equal(i18n_code(I18N_VI), "vi");
    assert_string_equal(i18n_code(I18N_EN), "en");
}

static void test_status_words_in_both_languages(void **state)
{
    (void)state;
    assert_string_equal(i18n_status(VI, STATUS_MET_TARGET), "đạt mục tiêu");
    assert_string_equal(i18n_status(VI, STATUS_MET_MINIMUM), "đạt mức tối thiểu");
    assert_string_equal(i18n_status(VI, STATUS_BELOW_MINIMUM), "dưới mức tối thiểu");
    assert_string_equal(i18n_status(VI, STATUS_NO_DATA), "không có dữ liệu");
    assert_string_equal(i18n_status(EN, STATUS_BELOW_MINIMUM), "below minimum");
    assert_string_equal(i18n_status_label(VI, STATUS_MET_TARGET), "Đạt mục tiêu");
    assert_string_equal(i18n_status_label(EN, STATUS_NO_DATA), "No data");
}

static void test_every_label_exists_in_both_languages(void **state)
{
    (void)state;
    for (int key = 0; key < I18N_KEY_COUNT; key++) {
        assert_true(i18n_text(EN, (i18n_key)key)[0] != '\0');
        assert_true(i18n_text(VI, (i18n_key)key)[0] != '\0');
    }
    assert_string_equal(i18n_text(VI, I18N_VALUE), "Giá trị");
    assert_string_equal(i18n_text(EN, I18N_TARGET), "Target");
    assert_string_equal(i18n_text(EN, I18N_KEY_COUNT), "");
}

static void test_kpi_count_has_a_plural_in_english_only(void **state)
{
    (void)state;
    assert_string_equal(i18n_kpi_count(EN, 1, buf, sizeof buf), "1 KPI");
    assert_string_equal(i18n_kpi_count(EN, 22, buf, sizeof buf), "22 KPIs");
    assert_string_equal(i18n_kpi_count(VI, 22, buf, sizeof buf), "22 KPI");
}

static void test_utf8_length_rejects_malformed_sequences(void **state)
{
    (void)state;
    unsigned long cp;
    assert_int_equal(i18n_utf8_length((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(i18n_utf8_length((const unsigned char *)"₫", 3, &cp), 3);
    assert_int_equal(cp, 0x20AB);
    assert_int_equal(i18n_utf8_length((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(i18n_utf8_length((const unsigned char *)"\x80", 1, &cp), 0);
    assert_int_equal(i18n_utf8_length((const unsigned char *)"\xC0\xAF", 2, &cp), 0);
    assert_int_equal(i18n_utf8_length((const unsigned char *)"\xED\xA0\x80", 3, &cp), 0);
    assert_int_equal(i18n_utf8_length((const unsigned char *)"\xE2\x82", 2, &cp), 0);
    assert_int_equal(i18n_utf8_length((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_groups_thousands_by_language),
        cmocka_unit_test(test_number_rounds_half_away_from_zero),
        cmocka_unit_test(test_number_that_rounds_to_zero_has_no_sign),
        cmocka_unit_test(test_number_beyond_two_to_the_53_has_no_fraction),
        cmocka_unit_test(test_not_a_number_shows_a_dash),
        cmocka_unit_test(test_plain_drops_trailing_zeros_and_keeps_small_values),
        cmocka_unit_test(test_money_vnd_in_vietnamese_uses_the_dong_sign),
        cmocka_unit_test(test_money_international_uses_the_code),
        cmocka_unit_test(test_percent_uses_the_language_decimal_mark),
        cmocka_unit_test(test_change_is_signed_with_one_decimal),
        cmocka_unit_test(test_compact_names_the_scale_in_vietnamese),
        cmocka_unit_test(test_compact_international_uses_letters),
        cmocka_unit_test(test_compact_rounding_up_moves_to_the_next_scale),
        cmocka_unit_test(test_compact_below_a_thousand_and_beyond_the_last_scale),
        cmocka_unit_test(test_value_follows_the_unit),
        cmocka_unit_test(test_value_short_compacts_money_from_a_million),
        cmocka_unit_test(test_money_and_percent_units_are_recognised),
        cmocka_unit_test(test_date_is_day_first_in_vietnamese),
        cmocka_unit_test(test_datetime_shows_the_offset_from_utc),
        cmocka_unit_test(test_period_names_by_grain),
        cmocka_unit_test(test_period_days_are_first_and_last_inside),
        cmocka_unit_test(test_short_buffer_is_cut_at_a_character_boundary),
        cmocka_unit_test(test_formatting_leaves_the_c_locale_alone),
        cmocka_unit_test(test_language_is_the_option_then_the_locale),
        cmocka_unit_test(test_status_words_in_both_languages),
        cmocka_unit_test(test_every_label_exists_in_both_languages),
        cmocka_unit_test(test_kpi_count_has_a_plural_in_english_only),
        cmocka_unit_test(test_utf8_length_rejects_malformed_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
