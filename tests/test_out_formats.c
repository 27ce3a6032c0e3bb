/*
** test_out_formats.c -- the Markdown and CSV reports (out/render.h) and the table of
** renderers, on hand-built reports; the HTML report is in test_out_html.c.
**
** Expected texts were written from render.h, numfmt.h and the conventions of each
** format (GitHub Markdown tables, RFC 4180 and OWASP's advice on CSV injection),
** never copied from a renderer's output.
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
#include "model/report.h"
#include "out/render.h"
#include "report_fixture.h"

/* ---- checking texts ------------------------------------------------------------ */

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part)) fail_msg("expected to find\n  %s\nin\n%.3000s", part, text);
}

/* ---- Markdown -------------------------------------------------------------------------------- */

static void test_md_is_a_table_in_vietnamese(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "Bán lẻ – ABC", "vi");
    kpi_result *k = rf_add_kpi(&r, "revenue", "Doanh thu", "VND", BETTER_HIGHER, 350e6, 450e6);
    rf_set_value(k, 515355382.5, STATUS_MET_TARGET);
    rf_set_previous(k, 478044025, 0.078);
    rf_add_item(k, "web", 400e6, STATUS_NO_DATA)->graded = 0;
    k = rf_add_kpi(&r, "conv", "Chuyển đổi", "%", BETTER_HIGHER, 0.1, 0.14);
    rf_set_value(k, 0.125, STATUS_MET_MINIMUM);
    rf_add_item(k, "email", 0.08, STATUS_BELOW_MINIMUM);
    k = rf_add_kpi(&r, "roi", "ROI", "%", BETTER_HIGHER, NAN, 1.5);
    k->reason = kpi_strdup("no campaign");
    render_options o = {0, NULL};
    size_t len;
    char *md = render_md(&r, &o, &len);
    assert_non_null(md);
    const char *expected =
        "# Bảng điểm KPI: Bán lẻ – ABC\n"
        "\n"
        "**Kỳ báo cáo:** Tháng 8/2024 (01/08/2024 – 31/08/2024) · **Tệp:** kpis/retail.lua\n"
        "\n"
        "| KPI | Giá trị | Tối thiểu | Mục tiêu | Trạng thái | Kỳ trước | Thay đổi |\n"
        "|:---|---:|---:|---:|:---|---:|---:|\n"
        "| Doanh thu | 515.355.383 ₫ | 350.000.000 ₫ | 450.000.000 ₫ | ✔ đạt mục tiêu | "
        "478.044.025 ₫ | +7,8% |\n"
        "| ↳ web | 400.000.000 ₫ |  |  |  |  |  |\n"
        "| Chuyển đổi | 12,5% | 10,0% | 14,0% | ● đạt mức tối thiểu | – | – |\n"
        "| ↳ email | 8,0% |  |  | ✖ dưới mức tối thiểu |  |  |\n"
        "| ROI | – | – | 150,0% | – không có dữ liệu | – | – |\n"
        "\n"
        "**3 KPI:** ✔ 1 đạt mục tiêu · ● 1 đạt mức tối thiểu · ✖ 0 dưới mức tối thiểu · "
        "– 1 không có dữ liệu\n"
        "\n"
        "Lý do không có dữ liệu:\n"
        "\n"
        "- **ROI**: no campaign\n";
    assert_string_equal(md, expected);
    assert_int_equal(len, strlen(expected));
    kpi_free(md);
    rf_end_report(&r);
}

static void test_md_in_english_uses_international_numbers(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "B2B", "vi");
    kpi_result *k = rf_add_kpi(&r, "revenue", "Revenue", "VND", BETTER_HIGHER, 2.5e9, 4e9);
    rf_set_value(k, 4655500000, STATUS_MET_TARGET);
    render_options o = {0, "en"};
    size_t len;
    char *md = render_report("md", &r, &o, &len);
    assert_non_null(md);
    assert_contains(md, "**Period:** August 2024 (1 Aug 2024 – 31 Aug 2024) · **File:** "
                        "kpis/retail.lua\n");
    assert_contains(md, "| Revenue | 4,655,500,000 VND | 2,500,000,000 VND | 4,000,000,000 VND | "
                        "✔ met target | – | – |\n");
    assert_contains(md, "**1 KPI:** ✔ 1 met target");
    kpi_free(md);
    rf_end_report(&r);
}

static void test_md_escapes_markup_and_line_breaks(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "en");
    rf_add_kpi(&r, "x", "a|b *c* <d> _e_ [f](g)\nh", "count", BETTER_HIGHER, 1, 2);
    size_t len;
    char *md = render_md(&r, NULL, &len);
    assert_non_null(md);
    assert_contains(md, "| a\\|b \\*c\\* \\<d\\> \\_e\\_ \\[f\\](g) h | – | 1 | 2 |");
    kpi_free(md);
    rf_end_report(&r);
}

/* ---- CSV
 * ------------------------------------------------------------------------------------------ */

static void csv_report(report *r)
{
    rf_start_report(r, "Retail – ABC", "vi");
    kpi_result *k = rf_add_kpi(r, "cac", "CAC", "VND", BETTER_LOWER, 250000, 180000);
    rf_set_value(k, 171234.5, STATUS_MET_TARGET);
    rf_set_previous(k, 190000, -0.0987);
    rf_set_text(&k->owner, "Marketing");
    rf_set_text(&k->review, "monthly");
    rf_add_item(k, "social", 150000, STATUS_MET_TARGET);
    rf_add_item(k, "web", 200000, STATUS_NO_DATA)->graded = 0;
    k = rf_add_kpi(r, "churn", "Churn", "%", BETTER_LOWER, NAN, 0.1);
    k->reason = kpi_strdup("no rows");
}

static void test_csv_has_stable_columns_and_a_row_per_kpi_and_item(void **state)
{
    (void)state;
    report r;
    csv_report(&r);
    size_t len;
    char *csv = render_csv(&r, &len);
    assert_non_null(csv);
    const char *expected =
        "row,ruleset,period,start,end,kpi,title,item,unit,better,value,minimum,target,status,"
        "previous,change,owner,review,reason\r\n"
        "kpi,Retail – ABC,2024-08,2024-08-01,2024-08-31,cac,CAC,,VND,lower,171234.5,250000,"
        "180000,met_target,190000,-0.0987,Marketing,monthly,\r\n"
        "item,Retail – ABC,2024-08,2024-08-01,2024-08-31,cac,CAC,social,VND,lower,150000,250000,"
        "180000,met_target,,,,,\r\n"
        "item,Retail – ABC,2024-08,2024-08-01,2024-08-31,cac,CAC,web,VND,lower,200000,,,,,,,,\r\n"
        "kpi,Retail – ABC,2024-08,2024-08-01,2024-08-31,churn,Churn,,%,lower,,,0.1,no_data,,,,,"
        "no rows\r\n";
    assert_string_equal(csv, expected);
    assert_int_equal(len, strlen(expected));
    kpi_free(csv);
    rf_end_report(&r);
}

static void test_csv_is_the_same_in_every_language(void **state)
{
    (void)state;
    report r;
    csv_report(&r);
    render_options vi = {0, "vi"}, en = {1, "en"};
    size_t a_len, b_len;
    char *a = render_report("csv", &r, &vi, &a_len), *b = render_report("csv", &r, &en, &b_len);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    kpi_free(a);
    kpi_free(b);
    rf_end_report(&r);
}

static void test_csv_quotes_commas_quotes_and_line_breaks(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "en");
    rf_add_kpi(&r, "x", "Revenue, \"net\"", "count", BETTER_HIGHER, 1, 2)->reason =
        kpi_strdup("line 1\nline 2");
    size_t len;
    char *csv = render_csv(&r, &len);
    assert_non_null(csv);
    assert_contains(csv, ",x,\"Revenue, \"\"net\"\"\",,count,");
    assert_contains(csv, ",\"line 1\nline 2\"\r\n");
    kpi_free(csv);
    rf_end_report(&r);
}

static void test_csv_formula_cells_are_defused_but_numbers_stay(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "=cmd|' /C calc'!A0", "en");
    kpi_result *k = rf_add_kpi(&r, "x", "+SUM(A1:A9)", "count", BETTER_HIGHER, 1, 2);
    rf_add_item(k, "@HYPERLINK(\"x\")", 1, STATUS_MET_MINIMUM);
    rf_add_item(k, "-1.5e3", 2, STATUS_MET_MINIMUM);
    rf_add_item(k, "+42", 3, STATUS_MET_MINIMUM);
    rf_add_item(k, "-x", 4, STATUS_MET_MINIMUM);
    rf_add_item(k, "\tcmd", 5, STATUS_MET_MINIMUM);
    rf_add_item(k, "-", 6, STATUS_MET_MINIMUM);
    size_t len;
    char *csv = render_csv(&r, &len);
    assert_non_null(csv);
    assert_contains(csv, "\r\nkpi,'=cmd|' /C calc'!A0,");
    assert_contains(csv, ",x,'+SUM(A1:A9),");
    assert_contains(csv, ",\"'@HYPERLINK(\"\"x\"\")\",");
    assert_contains(csv, ",-1.5e3,count,");
    assert_contains(csv, ",+42,count,");
    assert_contains(csv, ",'-x,count,");
    assert_contains(csv, ",'\tcmd,count,");
    assert_contains(csv, ",'-,count,");
    kpi_free(csv);
    rf_end_report(&r);
}

/* ---- the table of renderers
 * ---------------------------------------------------------------------- */

static void test_render_knows_html_md_and_csv(void **state)
{
    (void)state;
    assert_true(render_format_known("html"));
    assert_true(render_format_known("md"));
    assert_true(render_format_known("csv"));
    assert_false(render_format_known("pdf"));
    assert_string_equal(render_format_names(), "table, json, csv, md, html");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md_is_a_table_in_vietnamese),
        cmocka_unit_test(test_md_in_english_uses_international_numbers),
        cmocka_unit_test(test_md_escapes_markup_and_line_breaks),
        cmocka_unit_test(test_csv_has_stable_columns_and_a_row_per_kpi_and_item),
        cmocka_unit_test(test_csv_is_the_same_in_every_language),
        cmocka_unit_test(test_csv_quotes_commas_quotes_and_line_breaks),
        cmocka_unit_test(test_csv_formula_cells_are_defused_but_numbers_stay),
        cmocka_unit_test(test_render_knows_html_md_and_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
