/*
** test_out_render.c -- the JSON and table renderers, their text helpers and the
** inspect summary, on hand-built reports and tables.
**
** Expected texts were written from DESIGN section 4 and render.h; the table
** layouts were laid out independently (column widths counted by hand and checked
** with Python's unicodedata widths), never copied from the renderer's output.
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

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "core/table.h"
#include "model/report.h"
#include "out/render.h"
#include "report_fixture.h"
#include "out/summary.h"
#include "out/textfmt.h"

/* ---- building reports ---------------------------------------------------- */

static void start_report(report *r, const char *name, const char *file, period p)
{
    rf_start_report_in(r, name, file, p, "vi");
}

/* The report of DESIGN section 4's example, with a KPI at each kind of status. */
static void retail_report(report *r)
{
    start_report(r, "Retail – ABC", "kpis/retail.lua", rf_month_2024_08());
    kpi_result *cac =
        rf_add_kpi(r, "cac", "Chi phí có được khách hàng", "VND", BETTER_LOWER, 250000, 180000);
    rf_set_value(cac, 171234.5, STATUS_MET_TARGET);
    cac->has_previous = 1, cac->previous = 190000;
    cac->has_change = 1, cac->change = -0.0987;
    kpi_free(cac->owner);
    kpi_free(cac->review);
    cac->owner = kpi_strdup("Trưởng phòng marketing");
    cac->review = kpi_strdup("monthly");
    rf_add_item(cac, "social", 150000, STATUS_MET_TARGET);
    rf_add_item(cac, "search", 260000, STATUS_BELOW_MINIMUM);
    kpi_result *nc = rf_add_kpi(r, "new_customers", NULL, "count", BETTER_HIGHER, 300, 400);
    rf_set_value(nc, 350, STATUS_MET_MINIMUM);
    kpi_result *roas = rf_add_kpi(r, "roas", "Return on ad spend", "ratio", BETTER_HIGHER, 2, NAN);
    roas->status = STATUS_NO_DATA;
    roas->reason = kpi_strdup("spend is zero");
    roas->has_previous = 1, roas->previous = 1.5;
}

/* ---- JSON ---------------------------------------------------------------- */

static void test_json_report_has_the_design_shape_and_key_order(void **state)
{
    (void)state;
    report r;
    retail_report(&r);
    size_t len;
    char *json = render_json(&r, &len);
    assert_non_null(json);
    assert_string_equal(
        json,
        "{\"ruleset\": \"Retail – ABC\", \"file\": \"kpis/retail.lua\",\n"
        " \"period\": {\"grain\": \"month\", \"label\": \"2024-08\", \"start\": \"2024-08-01\", "
        "\"end\": \"2024-08-31\"},\n"
        " \"kpis\": [\n"
        "  {\"id\": \"cac\", \"title\": \"Chi phí có được khách hàng\", \"unit\": \"VND\", "
        "\"better\": \"lower\", \"value\": 171234.5, \"minimum\": 250000, \"target\": 180000, "
        "\"status\": \"met_target\", \"previous\": 190000, \"change\": -0.0987, \"breakdown\": "
        "[{\"key\": \"social\", \"value\": 150000, \"status\": \"met_target\"}, {\"key\": "
        "\"search\", \"value\": 260000, \"status\": \"below_minimum\"}], \"owner\": \"Trưởng "
        "phòng marketing\", \"review\": \"monthly\", \"reason\": null, \"pace\": null, "
        "\"due\": null},\n"
        "  {\"id\": \"new_customers\", \"title\": \"new_customers\", \"unit\": \"count\", "
        "\"better\": \"higher\", \"value\": 350, \"minimum\": 300, \"target\": 400, \"status\": "
        "\"met_minimum\", \"previous\": null, \"change\": null, \"breakdown\": [], \"owner\": "
        "null, \"review\": null, \"reason\": null, \"pace\": null, \"due\": null},\n"
        "  {\"id\": \"roas\", \"title\": \"Return on ad spend\", \"unit\": \"ratio\", \"better\": "
        "\"higher\", \"value\": null, \"minimum\": 2, \"target\": null, \"status\": \"no_data\", "
        "\"previous\": 1.5, \"change\": null, \"breakdown\": [], \"owner\": null, \"review\": "
        "null, \"reason\": \"spend is zero\", \"pace\": null, \"due\": null}\n"
        " ],\n"
        " \"review\": null, \"as_of\": null, \"in_progress\": false, \"period_days\": 31, "
        "\"days_counted\": 31, \"rejected\": []}\n");
    assert_int_equal(len, strlen(json));
    kpi_free(json);
    report_free(&r);
}

static void test_json_report_without_kpis_has_an_empty_list(void **state)
{
    (void)state;
    report r;
    period week = {GRAIN_WEEK, date_from_civil(2024, 8, 26), date_from_civil(2024, 9, 2)};
    start_report(&r, "Empty", "e.lua", week);
    char *json = render_json(&r, NULL);
    assert_string_equal(json, "{\"ruleset\": \"Empty\", \"file\": \"e.lua\",\n"
                              " \"period\": {\"grain\": \"week\", \"label\": \"2024-W35\", "
                              "\"start\": \"2024-08-26\", \"end\": \"2024-09-01\"},\n"
                              " \"kpis\": [],\n"
                              " \"review\": null, \"as_of\": null, \"in_progress\": false, "
                              "\"period_days\": 7, \"days_counted\": 7, \"rejected\": []}\n");
    kpi_free(json);
    report_free(&r);
}

static void test_json_string_escapes_controls_and_keeps_utf8(void **state)
{
    (void)state;
    textbuf b;
    textbuf_init(&b);
    text_json_string(&b, "a\"b\\c\n\t\x01\x1f\x7f é 売 \xe2\x80\xa8 end");
    text_json_string(&b, NULL);
    char *s = textbuf_finish(&b, NULL);
    assert_string_equal(s, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\x7f é 売 \\u2028 end\"null");
    kpi_free(s);
}

static void test_json_string_replaces_invalid_utf8_bytes(void **state)
{
    (void)state;
    textbuf b;
    textbuf_init(&b);
    /* a stray continuation byte, a truncated sequence, an overlong '/', a surrogate */
    text_json_string(&b, "x\x80y\xe2\x82z\xc0\xafw\xed\xa0\x80v");
    char *s = textbuf_finish(&b, NULL);
    assert_string_equal(s, "\"x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffdw\\ufffd\\ufffd\\ufffdv\"");
    kpi_free(s);
}

static void test_json_numbers_are_shortest_round_trip_and_null_when_missing(void **state)
{
    (void)state;
    textbuf b;
    textbuf_init(&b);
    const double values[] = {0.1, 1.0 / 3, 0.1 + 0.2, 1e21, 250000, -0.0987, 123456789012345678.0};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        text_json_number(&b, 1, values[i]);
        textbuf_puts(&b, " ");
    }
    text_json_number(&b, 0, 5);
    textbuf_puts(&b, " ");
    text_json_number(&b, 1, NAN);
    textbuf_puts(&b, " ");
    text_json_number(&b, 1, -INFINITY);
    char *s = textbuf_finish(&b, NULL);
    assert_string_equal(s, "0.1 0.3333333333333333 0.30000000000000004 1e+21 250000 -0.0987 "
                           "1.2345678901234568e+17 null null null");
    kpi_free(s);
}

/* ---- table --------------------------------------------------------------- */

static void test_table_report_is_aligned_with_words_and_symbols(void **state)
{
    (void)state;
    report r;
    retail_report(&r);
    render_options o = {.lang = "en"};
    char *text = render_table(&r, &o, NULL);
    assert_non_null(text);
    assert_string_equal(
        text,
        "Retail – ABC · kpis/retail.lua · 2024-08 (2024-08-01 to 2024-08-31)\n"
        "\n"
        "KPI                               Value      Minimum       Target  Status              "
        "Previous  Change\n"
        "--------------------------  -----------  -----------  -----------  ---------------  "
        "-----------  ------\n"
        "Chi phí có được khách hàng  171,235 VND  250,000 VND  180,000 VND  ✔ met target     "
        "190,000 VND   -9.9%\n"
        "  social                    150,000 VND                            ✔ met target\n"
        "  search                    260,000 VND                            ✖ below minimum\n"
        "new_customers                       350          300          400  ● met minimum     "
        "         –       –\n"
        "Return on ad spend                    –       200.0%            –  – no data         "
        "    150.0%       –\n"
        "  ↳ spend is zero\n"
        "\n"
        "3 KPIs: 1 met target, 1 met minimum, 0 below minimum, 1 no data\n");
    kpi_free(text);
    report_free(&r);
}

static void test_table_aligns_combining_marks_and_wide_characters(void **state)
{
    (void)state;
    report r;
    period q3 = {GRAIN_QUARTER, date_from_civil(2024, 7, 1), date_from_civil(2024, 10, 1)};
    start_report(&r, "Wide", "w.lua", q3);
    /* "Doanh thu bán hàng" in NFD: each accent is a combining mark after its letter */
    kpi_result *k = rf_add_kpi(&r, "revenue", "Doanh thu ba\xcc\x81n ha\xcc\x80ng", "VND",
                               BETTER_HIGHER, 1e6, 1.5e6);
    rf_set_value(k, 1.2e6, STATUS_MET_MINIMUM);
    k = rf_add_kpi(&r, "margin", "売上高", "%", BETTER_HIGHER, 0.1, 0.2);
    rf_set_value(k, 0.125, STATUS_MET_MINIMUM);
    k->has_previous = 1, k->previous = 0.125, k->has_change = 1, k->change = 0;
    k = rf_add_kpi(&r, "abc", NULL, "days", BETTER_LOWER, 3, 2);
    rf_set_value(k, 3.25, STATUS_BELOW_MINIMUM);
    render_options en = {.lang = "en"};
    char *text = render_table(&r, &en, NULL);
    assert_string_equal(
        text,
        "Wide · w.lua · 2024-Q3 (2024-07-01 to 2024-09-30)\n"
        "\n"
        "KPI                         Value        Minimum         Target  Status           "
        "Previous  Change\n"
        "------------------  -------------  -------------  -------------  ---------------  "
        "--------  ------\n"
        "Doanh thu ba\xcc\x81n ha\xcc\x80ng  1,200,000 VND  1,000,000 VND  1,500,000 VND  "
        "● met minimum           –       –\n"
        "売上高                      12.5%          10.0%          20.0%  ● met minimum       "
        "12.5%    0.0%\n"
        "abc                     3.25 days         3 days         2 days  ✖ below minimum      "
        "   –       –\n"
        "\n"
        "3 KPIs: 0 met target, 2 met minimum, 1 below minimum, 0 no data\n");
    kpi_free(text);
    report_free(&r);
}

/* The rule set's locale "vi" chooses Vietnamese words, numbers and dates. */
static void test_table_speaks_the_rule_sets_language(void **state)
{
    (void)state;
    report r;
    retail_report(&r);
    char *text = render_table(&r, NULL, NULL);
    const char *expected[] = {
        "Retail – ABC · kpis/retail.lua · Tháng 8/2024 (01/08/2024 – 31/08/2024)\n",
        "Giá trị",
        "Tối thiểu",
        "Mục tiêu",
        "Trạng thái",
        "Kỳ trước",
        "Thay đổi",
        "171.235 ₫",
        "250.000 ₫",
        "✔ đạt mục tiêu",
        "-9,9%",
        "200,0%",
        "3 KPI: 1 đạt mục tiêu, 1 đạt mức tối thiểu, 0 dưới mức tối thiểu, 1 không có dữ liệu\n"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!strstr(text, expected[i])) fail_msg("no '%s' in:\n%s", expected[i], text);
    assert_null(strstr(text, "VND"));
    kpi_free(text);
    render_options en = {.lang = "en"};
    text = render_table(&r, &en, NULL);
    assert_non_null(strstr(text, "171,235 VND"));
    assert_non_null(strstr(text, "✔ met target"));
    kpi_free(text);
    report_free(&r);
}

static void test_table_colours_only_when_asked_and_keeps_the_words(void **state)
{
    (void)state;
    report r;
    retail_report(&r);
    render_options on = {.color = 1, .lang = "en"}, off = {.color = 0, .lang = "en"};
    char *plain = render_table(&r, &off, NULL);
    char *colored = render_table(&r, &on, NULL);
    assert_null(strchr(plain, '\x1b'));
    assert_non_null(strstr(colored, "\x1b[32m✔ met target\x1b[0m"));
    assert_non_null(strstr(colored, "\x1b[31m✖ below minimum\x1b[0m"));
    assert_non_null(strstr(colored, "\x1b[33m● met minimum\x1b[0m"));
    assert_non_null(strstr(colored, "\x1b[2m– no data\x1b[0m"));
    kpi_free(plain);
    kpi_free(colored);
    report_free(&r);
}

static void test_table_report_without_kpis_says_so(void **state)
{
    (void)state;
    report r;
    start_report(&r, "Empty", "e.lua", rf_month_2024_08());
    render_options en = {.lang = "en"};
    char *text = render_table(&r, &en, NULL);
    assert_string_equal(text, "Empty · e.lua · 2024-08 (2024-08-01 to 2024-08-31)\n\n"
                              "No KPIs in this rule set.\n");
    kpi_free(text);
    report_free(&r);
}

/* ---- text helpers -------------------------------------------------------- */

static void test_display_width_counts_columns_not_bytes(void **state)
{
    (void)state;
    assert_int_equal(text_width("abc", 3), 3);
    assert_int_equal(text_width("bán", strlen("bán")), 3);         /* NFC */
    assert_int_equal(text_width("ba\xcc\x81n", 5), 3);             /* NFD */
    assert_int_equal(text_width("Trưởng", strlen("Trưởng")), 6);   /* NFC, stacked marks */
    assert_int_equal(text_width("u\xcc\x9b\xcc\x89", 5), 1);       /* u + horn + hook */
    assert_int_equal(text_width("売上高", strlen("売上高")), 6);   /* CJK: 2 each */
    assert_int_equal(text_width("ＡＢ", strlen("ＡＢ")), 4);       /* fullwidth */
    assert_int_equal(text_width("✔ ● ✖ –", strlen("✔ ● ✖ –")), 7); /* the status symbols */
    assert_int_equal(text_width("a\xff"
                                "b",
                                3),
                     3); /* invalid byte: 1 */
    assert_int_equal(text_width("", 0), 0);
}

static void test_table_numbers_follow_their_unit(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(text_unit_value(1234.6, "count", "", buf, sizeof buf), "1,235");
    assert_string_equal(text_unit_value(-1234567, "count", "", buf, sizeof buf), "-1,234,567");
    assert_string_equal(text_unit_value(0.4567, "%", "", buf, sizeof buf), "45.7%");
    assert_string_equal(text_unit_value(1.5, "ratio", "", buf, sizeof buf), "150.0%");
    assert_string_equal(text_unit_value(171234.5, "VND", "VND", buf, sizeof buf), "171,235 VND");
    assert_string_equal(text_unit_value(1234.5, "USD", "", buf, sizeof buf), "1,234.50 USD");
    assert_string_equal(text_unit_value(1234, "USD", "", buf, sizeof buf), "1,234 USD");
    assert_string_equal(text_unit_value(9.999, "EUR", "", buf, sizeof buf), "10 EUR");
    assert_string_equal(text_unit_value(1234.5, "đ", "đ", buf, sizeof buf), "1,234.50 đ");
    assert_string_equal(text_unit_value(3.25, "days", "", buf, sizeof buf), "3.25 days");
    assert_string_equal(text_unit_value(3.5, "days", "", buf, sizeof buf), "3.5 days");
    assert_string_equal(text_unit_value(0.001234, "h", "", buf, sizeof buf), "0.00123 h");
    assert_string_equal(text_unit_value(1234567.891, "", "", buf, sizeof buf), "1,234,567.89");
    assert_string_equal(text_unit_value(-0.0001, "count", "", buf, sizeof buf), "0");
}

static void test_change_is_a_signed_percentage(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(text_change(-0.0987, buf, sizeof buf), "-9.9%");
    assert_string_equal(text_change(0.5, buf, sizeof buf), "+50.0%");
    assert_string_equal(text_change(0, buf, sizeof buf), "0.0%");
    assert_string_equal(text_change(-0.0001, buf, sizeof buf), "0.0%");
    assert_string_equal(text_change(12.3456, buf, sizeof buf), "+1,234.6%");
}

static void test_grouping_rounds_half_away_from_zero(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(text_grouped(0.5, 0, buf, sizeof buf), "1");
    assert_string_equal(text_grouped(-2.5, 0, buf, sizeof buf), "-3");
    assert_string_equal(text_grouped(999999.995, 2, buf, sizeof buf), "1,000,000.00");
    assert_string_equal(text_grouped(100, 0, buf, sizeof buf), "100");
    assert_string_equal(text_grouped(1000, 0, buf, sizeof buf), "1,000");
    assert_string_equal(text_grouped(2e18, 0, buf, sizeof buf), "2e+18");
}

static void test_byte_counts_use_binary_units(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(text_bytes(812, buf, sizeof buf), "812 B");
    assert_string_equal(text_bytes(24576, buf, sizeof buf), "24.0 KiB");
    assert_string_equal(text_bytes(3.5 * 1048576, buf, sizeof buf), "3.5 MiB");
}

/* ---- inspect summary ----------------------------------------------------- */

/* Four rows: id int, amount decimal(2), name string, day date, ratio float, flag bool. */
static table *sample_table(void)
{
    table *t = table_new("sample", 4);
    assert_non_null(t);
    /* add every column first: adding one may move the column array */
    assert_non_null(table_add_column(t, "id", COL_INT64, 0));
    assert_non_null(table_add_column(t, "amount", COL_DECIMAL, 2));
    assert_non_null(table_add_column(t, "name", COL_STRING, 0));
    assert_non_null(table_add_column(t, "day", COL_DATE, 0));
    assert_non_null(table_add_column(t, "ratio", COL_FLOAT64, 0));
    assert_non_null(table_add_column(t, "flag", COL_BOOL, 0));
    column *id = &t->cols[0], *amount = &t->cols[1], *name = &t->cols[2];
    column *day = &t->cols[3], *ratio = &t->cols[4], *flag = &t->cols[5];
    const int64_t ids[4] = {7, -3, 12, 0}, cents[4] = {12345, -5, 0, 99};
    const char *names[4] = {"b", "a", "b", NULL};
    const double ratios[4] = {0.1, 2.5, -1e-3, 0};
    for (size_t i = 0; i < 4; i++) {
        id->v.i64[i] = ids[i];
        amount->v.i64[i] = cents[i];
        if (names[i]) name->v.code[i] = dict_intern(name->dict, names[i], 1);
        day->v.date[i] = date_from_civil(2024, 7 + (int)i % 2, 15 - (int)i);
        ratio->v.f64[i] = ratios[i];
        flag->v.b[i] = i & 1;
    }
    assert_int_equal(column_set_null(id, 4, 3), 0);
    assert_int_equal(column_set_null(amount, 4, 2), 0);
    assert_int_equal(column_set_null(name, 4, 3), 0);
    assert_int_equal(column_set_null(ratio, 4, 3), 0);
    return t;
}

static void test_summary_counts_nulls_distinct_and_ranges(void **state)
{
    (void)state;
    table *t = sample_table();
    summary_column s;
    assert_int_equal(summary_column_stats(t, 0, &s), 0);
    assert_int_equal(s.nulls, 1);
    assert_false(s.has_distinct);
    assert_string_equal(s.min, "-3");
    assert_string_equal(s.max, "12");
    assert_int_equal(summary_column_stats(t, 1, &s), 0);
    assert_string_equal(s.min, "-0.05");
    assert_string_equal(s.max, "123.45");
    assert_int_equal(summary_column_stats(t, 2, &s), 0);
    assert_int_equal(s.nulls, 1);
    assert_true(s.has_distinct);
    assert_int_equal(s.distinct, 2);
    assert_false(s.has_range);
    assert_int_equal(summary_column_stats(t, 3, &s), 0);
    assert_int_equal(s.nulls, 0);
    assert_string_equal(s.min, "2024-07-13"); /* rows: 07-15, 08-14, 07-13, 08-12 */
    assert_string_equal(s.max, "2024-08-14");
    assert_int_equal(summary_column_stats(t, 4, &s), 0);
    assert_string_equal(s.min, "-0.001");
    assert_string_equal(s.max, "2.5");
    assert_int_equal(summary_column_stats(t, 5, &s), 0);
    assert_false(s.has_range);
    table_free(t);
}

static void test_summary_text_lists_every_column(void **state)
{
    (void)state;
    table *t = sample_table();
    summary_source src = {"data/sample.csv", NULL, 2048, 0.00123};
    char *text = summary_render(t, &src, NULL);
    assert_non_null(text);
    char mem[32], expected[2048];
    text_bytes((double)table_memory(t), mem, sizeof mem);
    snprintf(expected, sizeof expected,
             "file     data/sample.csv\n"
             "rows     4\n"
             "columns  6\n"
             "load     1.23 ms\n"
             "memory   %s in columns, file 2.0 KiB (%.1f%% of the file)\n"
             "\n"
             "column  type        nulls  distinct  min         max\n"
             "id      int             1         –  -3          12\n"
             "amount  decimal(2)      1         –  -0.05       123.45\n"
             "name    string          1         2  –           –\n"
             "day     date            0         –  2024-07-13  2024-08-14\n"
             "ratio   float           1         –  -0.001      2.5\n"
             "flag    bool            0         –  –           –\n",
             mem, 100.0 * (double)table_memory(t) / 2048);
    assert_string_equal(text, expected);
    kpi_free(text);
    table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_report_has_the_design_shape_and_key_order),
        cmocka_unit_test(test_json_report_without_kpis_has_an_empty_list),
        cmocka_unit_test(test_json_string_escapes_controls_and_keeps_utf8),
        cmocka_unit_test(test_json_string_replaces_invalid_utf8_bytes),
        cmocka_unit_test(test_json_numbers_are_shortest_round_trip_and_null_when_missing),
        cmocka_unit_test(test_table_report_is_aligned_with_words_and_symbols),
        cmocka_unit_test(test_table_aligns_combining_marks_and_wide_characters),
        cmocka_unit_test(test_table_speaks_the_rule_sets_language),
        cmocka_unit_test(test_table_colours_only_when_asked_and_keeps_the_words),
        cmocka_unit_test(test_table_report_without_kpis_says_so),
        cmocka_unit_test(test_display_width_counts_columns_not_bytes),
        cmocka_unit_test(test_table_numbers_follow_their_unit),
        cmocka_unit_test(test_change_is_a_signed_percentage),
        cmocka_unit_test(test_grouping_rounds_half_away_from_zero),
        cmocka_unit_test(test_byte_counts_use_binary_units),
        cmocka_unit_test(test_summary_counts_nulls_distinct_and_ranges),
        cmocka_unit_test(test_summary_text_lists_every_column),
    };
    return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
