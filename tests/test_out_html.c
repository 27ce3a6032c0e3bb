/*
** test_out_html.c -- the HTML report (out/render.h: render_html) on hand-built
** reports.
**
** Expected texts were written from render.h and numfmt.h, never copied from the
** renderer's output. Bullet-graph positions were worked
** out by hand: the axis runs from 0 to the largest of value, levels and previous
** value plus 12%, and a mark sits at value / axis end, written with two decimals.
** The HTML is checked piece by piece (what a reader or a browser depends on);
** e2e_html opens whole reports in Chromium.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* 2026-09-21 14:13:20 UTC (Python: datetime.fromtimestamp(1790000000, timezone.utc)). */
#define GENERATED 1790000000LL

/* ---- rendering and checking ------------------------------------------------------ */

static char *html_of(const report *r, const char *lang)
{
    render_options o = {0, lang};
    size_t len = 0;
    char *text = render_html_at(r, &o, GENERATED, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    return text;
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part)) fail_msg("expected to find\n  %s\nin\n%.3000s", part, text);
}

static void assert_lacks(const char *text, const char *part)
{
    const char *at = strstr(text, part);
    if (at) fail_msg("did not expect \"%s\" at ...%.80s", part, at);
}

/* Whether a appears before b in text (both present). */
static void assert_before(const char *text, const char *a, const char *b)
{
    const char *pa = strstr(text, a), *pb = strstr(text, b);
    assert_non_null(pa);
    assert_non_null(pb);
    assert_true(pa < pb);
}

static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

/* A report with one KPI of each status, in Vietnamese. */
static void four_statuses(report *r)
{
    rf_start_report(r, "Bán lẻ – Cửa hàng ABC", "vi");
    kpi_result *k = rf_add_kpi(r, "revenue", "Doanh thu", "VND", BETTER_HIGHER, 350e6, 450e6);
    rf_set_value(k, 515355382.5, STATUS_MET_TARGET);
    rf_set_previous(k, 478044025, 0.078);
    k = rf_add_kpi(r, "aov", "Giá trị đơn hàng", "VND", BETTER_HIGHER, 450000, 520000);
    rf_set_value(k, 508741.7, STATUS_MET_MINIMUM);
    k = rf_add_kpi(r, "csat", "CSAT", "%", BETTER_HIGHER, 0.75, 0.85);
    rf_set_value(k, 0.725, STATUS_BELOW_MINIMUM);
    k = rf_add_kpi(r, "roi", "ROI", "%", BETTER_HIGHER, 0.5, 1.5);
    k->reason = kpi_strdup("no rows in the period");
}

/* ---- HTML: the page ------------------------------------------------------------- */

static void test_html_is_one_document_in_the_report_language(void **state)
{
    (void)state;
    report r;
    four_statuses(&r);
    char *html = html_of(&r, NULL);
    const char *start = "<!DOCTYPE html>\n<html lang=\"vi\">\n";
    assert_memory_equal(html, start, strlen(start));
    assert_contains(html, "<meta charset=\"utf-8\">");
    assert_contains(html, "default-src 'none'");
    assert_contains(html, "<style>");
    assert_contains(html, "@page{size:A4");
    assert_contains(html, "</html>\n");
    kpi_free(html);
    html = html_of(&r, "en");
    assert_contains(html, "<html lang=\"en\">");
    assert_contains(html, "KPI scorecard");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_header_names_client_rule_set_period_and_time(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    report r;
    four_statuses(&r);
    char *html = html_of(&r, NULL);
    assert_contains(html, "<h1>Cửa hàng ABC</h1>");
    assert_contains(html, "<p class=\"period\"><span class=\"pn\">Tháng 8/2024</span> "
                          "<span class=\"pd\">01/08/2024 – 31/08/2024</span>");
    assert_contains(html, "<dt>Khách hàng</dt><dd>Cửa hàng ABC</dd>");
    assert_contains(html, "<dt>Bộ KPI</dt><dd>Bán lẻ</dd>");
    assert_contains(html, "<dt>Tệp</dt><dd>kpis&#47;retail.lua</dd>");
    assert_contains(html, "<dt>Lập lúc</dt><dd>21/09/2026 14:13 (UTC)</dd>");
    kpi_free(html);
    setenv("TZ", "<+07>-7", 1); /* POSIX form of UTC+7, with no zone files needed */
    tzset();
    html = html_of(&r, "en");
    assert_contains(html, "<dt>Generated</dt><dd>21 Sep 2026 21:13 (UTC+07:00)</dd>");
    kpi_free(html);
    setenv("TZ", "UTC", 1);
    tzset();
    rf_end_report(&r);
}

static void test_html_rule_set_without_a_client_is_the_heading(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "Retail-ABC", "en");
    char *html = html_of(&r, NULL);
    assert_contains(html, "<h1>Retail-ABC</h1>");
    assert_contains(html, "<dt>Rule set</dt><dd>Retail-ABC</dd>");
    assert_lacks(html, "<dt>Client</dt>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_summary_counts_kpis_by_status(void **state)
{
    (void)state;
    report r;
    four_statuses(&r);
    rf_add_kpi(&r, "extra", NULL, "count", BETTER_HIGHER, 1, 2)->status = STATUS_NO_DATA;
    char *html = html_of(&r, NULL);
    assert_contains(html, "<span>· 5 KPI</span>");
    assert_contains(html, "<b>1</b> đạt mục tiêu</li>");
    assert_contains(html, "<b>1</b> đạt mức tối thiểu</li>");
    assert_contains(html, "<b>1</b> dưới mức tối thiểu</li>");
    assert_contains(html, "<b>2</b> không có dữ liệu</li>");
    /* the stacked bar: 1, 1, 1 and 2 of 5 KPIs are 20%, 20%, 20% and 40% */
    assert_contains(html, "<rect class=\"st-met_target\" x=\"0.00%\" width=\"20.00%\"");
    assert_contains(html, "<rect class=\"st-no_data\" x=\"60.00%\" width=\"40.00%\"");
    assert_contains(html, "<title>1 đạt mục tiêu, 1 đạt mức tối thiểu, 1 dưới mức tối thiểu, "
                          "2 không có dữ liệu</title>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_rule_set_without_kpis_says_so(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "Empty", "vi");
    char *html = html_of(&r, NULL);
    assert_contains(html, "<p>Bộ KPI này chưa có KPI nào.</p>");
    assert_lacks(html, "<table>");
    assert_lacks(html, "<article");
    kpi_free(html);
    rf_end_report(&r);
}

/* ---- HTML: cards ------------------------------------------------------------------- */

static void test_html_status_is_a_symbol_a_word_and_a_colour(void **state)
{
    (void)state;
    report r;
    four_statuses(&r);
    char *html = html_of(&r, NULL);
    assert_contains(html, "<article class=\"card st-met_target\" aria-labelledby=\"k1\">");
    assert_contains(html, "<article class=\"card st-below_minimum\" aria-labelledby=\"k3\">");
    assert_contains(html, "<span class=\"sym\" aria-hidden=\"true\">✔</span> Đạt mục tiêu</p>");
    assert_contains(html,
                    "<span class=\"sym\" aria-hidden=\"true\">●</span> Đạt mức tối thiểu</p>");
    assert_contains(html,
                    "<span class=\"sym\" aria-hidden=\"true\">✖</span> Dưới mức tối thiểu</p>");
    assert_contains(html, "<span class=\"sym\" aria-hidden=\"true\">–</span> Không có dữ liệu</p>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_value_is_short_with_the_exact_figure_under_it(void **state)
{
    (void)state;
    report r;
    four_statuses(&r);
    char *html = html_of(&r, NULL);
    assert_contains(html,
                    "<p class=\"value\">515 triệu ₫</p>\n<p class=\"exact\">515.355.383 ₫</p>");
    /* under a million the figure is already exact: no second line */
    assert_contains(html, "<p class=\"value\">508.742 ₫</p>\n</div>");
    kpi_free(html);
    html = html_of(&r, "en");
    assert_contains(html,
                    "<p class=\"value\">515M VND</p>\n<p class=\"exact\">515,355,383 VND</p>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_change_is_good_or_bad_for_the_kpi(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "en");
    kpi_result *up = rf_add_kpi(&r, "revenue", NULL, "VND", BETTER_HIGHER, 1, 2);
    rf_set_value(up, 3, STATUS_MET_TARGET);
    rf_set_previous(up, 2, 0.5);
    kpi_result *cost = rf_add_kpi(&r, "cac", NULL, "VND", BETTER_LOWER, 2, 1);
    rf_set_value(cost, 3, STATUS_BELOW_MINIMUM);
    rf_set_previous(cost, 2, 0.5);
    kpi_result *flat = rf_add_kpi(&r, "flat", NULL, "count", BETTER_LOWER, 2, 1);
    rf_set_value(flat, 2, STATUS_MET_MINIMUM);
    rf_set_previous(flat, 2, 0);
    char *html = html_of(&r, NULL);
    assert_contains(html, "<p class=\"change good\"><span aria-hidden=\"true\">▲</span> +50.0% "
                          "<span class=\"vs\">vs previous period</span></p>");
    assert_contains(html, "<p class=\"change bad\"><span aria-hidden=\"true\">▲</span> +50.0%");
    assert_contains(html, "<p class=\"change flat\"><span aria-hidden=\"true\">→</span> 0.0%");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_bullet_graph_places_value_levels_and_previous(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "en");
    kpi_result *k = rf_add_kpi(&r, "orders", "Orders", "count", BETTER_HIGHER, 40, 60);
    rf_set_value(k, 50, STATUS_MET_MINIMUM);
    rf_set_previous(k, 45, 50.0 / 45 - 1);
    char *html = html_of(&r, NULL);
    /* axis 0 .. 60 * 1.12 = 67.2: 40 -> 59.52%, 60 -> 89.29%, 50 -> 74.40%, 45 -> 66.96% */
    assert_contains(html, "<rect class=\"band band-poor\" x=\"0.00%\" width=\"59.52%\"");
    assert_contains(html, "<rect class=\"band band-ok\" x=\"59.52%\" width=\"29.76%\"");
    assert_contains(html, "<rect class=\"band band-good\" x=\"89.29%\" width=\"10.71%\"");
    assert_contains(html, "<rect class=\"bar\" x=\"0.00%\" width=\"74.40%\" y=\"14\"");
    assert_contains(html, "<line class=\"mk-min\" x1=\"59.52%\" x2=\"59.52%\"");
    assert_contains(html, "<line class=\"mk-tgt\" x1=\"89.29%\" x2=\"89.29%\"");
    assert_contains(html, "<svg class=\"mk-prev\" x=\"66.96%\"");
    assert_contains(html, "<title>Orders: 50; Minimum 40; Target 60; Previous 45</title>");
    assert_contains(html,
                    "<li><i class=\"mk mk-tgt\" aria-hidden=\"true\"></i>Target <b>60</b></li>");
    assert_contains(html, "<li class=\"dir\">↑ higher is better</li>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_bullet_bands_turn_round_when_lower_is_better(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "vi");
    kpi_result *k = rf_add_kpi(&r, "cac", "CAC", "VND", BETTER_LOWER, 500, 300);
    rf_set_value(k, 400, STATUS_MET_MINIMUM);
    char *html = html_of(&r, NULL);
    /* axis 0 .. 500 * 1.12 = 560: good below 300 (53.57%), poor above 500 (89.29%) */
    assert_contains(html, "<rect class=\"band band-good\" x=\"0.00%\" width=\"53.57%\"");
    assert_contains(html, "<rect class=\"band band-ok\" x=\"53.57%\" width=\"35.71%\"");
    assert_contains(html, "<rect class=\"band band-poor\" x=\"89.29%\" width=\"10.71%\"");
    assert_contains(html, "<rect class=\"bar\" x=\"0.00%\" width=\"71.43%\"");
    assert_contains(html, "↓ càng thấp càng tốt");
    assert_lacks(html, "mk-prev\" x=");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_no_data_shows_a_dash_and_the_reason(void **state)
{
    (void)state;
    report r;
    four_statuses(&r);
    char *html = html_of(&r, NULL);
    assert_contains(html, "<p class=\"value\">–</p>");
    assert_contains(html, "<p class=\"reason\"><strong>Lý do không có dữ liệu:</strong> "
                          "no rows in the period</p>");
    assert_contains(html, "<title>ROI: không có dữ liệu; Tối thiểu 50,0%; Mục tiêu 150,0%</title>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_sparkline_draws_history_and_breaks_at_gaps(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "en");
    kpi_result *k = rf_add_kpi(&r, "orders", NULL, "count", BETTER_HIGHER, 1, 2);
    rf_set_value(k, 130, STATUS_MET_TARGET);
    static const double history[] = {100, NAN, 120};
    rf_set_history(k, history, 3);
    char *html = html_of(&r, NULL);
    /* 4 points across 132 - 2*4 px: x = 4, 45.3, 86.7, 128; y from 30 (100) to 4 (130) */
    assert_contains(html, "<svg class=\"spark\" width=\"132\" height=\"34\" viewBox=\"0 0 132 34\" "
                          "role=\"img\"><title>Trend (4): 100 → 130</title>");
    assert_contains(html, "<circle class=\"pt\" cx=\"4.0\" cy=\"30.0\" r=\"1.5\"></circle>");
    assert_contains(html, "<polyline class=\"line\" points=\"86.7,12.7 128.0,4.0\"></polyline>");
    assert_contains(html, "<circle class=\"dot st-met_target\" cx=\"128.0\" cy=\"4.0\"");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_no_history_no_sparkline(void **state)
{
    (void)state;
    report r;
    four_statuses(&r);
    char *html = html_of(&r, NULL);
    assert_lacks(html, "class=\"spark\"");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_breakdown_bars_largest_first_with_status(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "vi");
    kpi_result *k = rf_add_kpi(&r, "conv", "Chuyển đổi", "%", BETTER_HIGHER, 0.15, 0.25);
    rf_set_value(k, 0.2, STATUS_MET_MINIMUM);
    rf_add_item(k, "email", 0.10, STATUS_BELOW_MINIMUM);
    rf_add_item(k, "social", 0.30, STATUS_MET_TARGET);
    rf_add_item(k, "search", 0.20, STATUS_MET_MINIMUM);
    rf_add_item(k, "tv", 0, STATUS_NO_DATA)->has_value = 0;
    char *html = html_of(&r, NULL);
    assert_before(html, "title=\"social\"", "title=\"search\"");
    assert_before(html, "title=\"search\"", "title=\"email\"");
    assert_before(html, "title=\"email\"", "title=\"tv\"");
    /* axis 0 .. 0.30 * 1.04 = 0.312: 0.30 -> 96.15%, minimum 0.15 -> 48.08% */
    assert_contains(html, "<li class=\"st-met_target\"><span class=\"key\" title=\"social\">social"
                          "</span><svg class=\"ibar\" width=\"100%\" height=\"16\" role=\"img\">"
                          "<title>social: 30,0% – đạt mục tiêu</title><rect class=\"bar\" "
                          "x=\"0.00%\" width=\"96.15%\"");
    assert_contains(html, "<line class=\"mk-min\" x1=\"48.08%\"");
    assert_contains(html, "<span class=\"num\">30,0%</span><span class=\"sym\"><span "
                          "aria-hidden=\"true\">✔</span><span class=\"vh\"> đạt mục tiêu</span>");
    assert_contains(html, "<title>tv: – – không có dữ liệu</title>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_items_of_an_additive_kpi_have_no_status(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "vi");
    kpi_result *k = rf_add_kpi(&r, "revenue", "Doanh thu", "VND", BETTER_HIGHER, 350e6, 450e6);
    rf_set_value(k, 400e6, STATUS_MET_MINIMUM);
    k->additive = 1;
    rf_add_item(k, "web", 300e6, STATUS_NO_DATA)->graded = 0;
    rf_add_item(k, "shop", 100e6, STATUS_NO_DATA)->graded = 0;
    char *html = html_of(&r, NULL);
    assert_contains(html, "<h4>Chi tiết <span>(phần của tổng, không xếp loại)</span></h4>");
    assert_contains(html, "<li class=\"ungraded\"><span class=\"key\" title=\"web\">");
    assert_contains(html, "<title>web: 300.000.000 ₫</title>");
    assert_contains(html, "<span class=\"num\">300 triệu ₫</span><span class=\"sym\"></span>");
    /* no level marks on the bars of parts of a sum */
    assert_int_equal(count_of(html, "class=\"mk-min\""), 1); /* the bullet graph's only */
    /* in the table, the items' status cells are empty */
    assert_contains(html, "<th scope=\"row\"><span aria-hidden=\"true\">↳&nbsp;</span>web</th>"
                          "<td class=\"n\">300.000.000 ₫</td><td></td><td></td><td></td>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_breakdown_shows_ten_and_counts_the_rest(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "en");
    kpi_result *k = rf_add_kpi(&r, "visits", NULL, "count", BETTER_HIGHER, 1, 2);
    rf_set_value(k, 100, STATUS_MET_TARGET);
    k->additive = 1;
    for (int i = 0; i < 12; i++) {
        char key[16];
        snprintf(key, sizeof key, "page%02d", i);
        rf_add_item(k, key, i, STATUS_NO_DATA)->graded = 0;
    }
    char *html = html_of(&r, NULL);
    assert_int_equal(count_of(html, "<li class=\"ungraded\">"), 10);
    assert_contains(html, "<p class=\"more\">+ 2 more</p>");
    assert_lacks(html, "title=\"page00\""); /* the two smallest are only in the table */
    assert_contains(html, "</span>page00</th>");
    kpi_free(html);
    rf_end_report(&r);
}

/* ---- HTML: the table, escaping, self-containment ---------------------------------------- */

static void test_html_table_holds_every_figure(void **state)
{
    (void)state;
    report r;
    four_statuses(&r);
    rf_set_text(&r.kpis[0].owner, "Giám đốc");
    char *html = html_of(&r, NULL);
    assert_contains(
        html, "<thead><tr><th scope=\"col\">KPI</th><th scope=\"col\">Giá trị</th>"
              "<th scope=\"col\">Tối thiểu</th><th scope=\"col\">Mục tiêu</th>"
              "<th scope=\"col\">Trạng thái</th><th scope=\"col\">Kỳ trước</th>"
              "<th scope=\"col\">Thay đổi</th><th scope=\"col\" class=\"o\">Phụ trách</th></tr>"
              "</thead>");
    assert_contains(html, "<tr class=\"kpi\"><th scope=\"row\">Doanh thu</th>"
                          "<td class=\"n\">515.355.383 ₫</td><td class=\"n\">350.000.000 ₫</td>"
                          "<td class=\"n\">450.000.000 ₫</td><td class=\"s st-met_target\">"
                          "<span class=\"sym\" aria-hidden=\"true\">✔</span>đạt mục tiêu</td>"
                          "<td class=\"n\">478.044.025 ₫</td><td class=\"n\">+7,8%</td>"
                          "<td class=\"o\">Giám đốc</td></tr>");
    assert_contains(html, "<th scope=\"row\">ROI<span class=\"why\">no rows in the period</span>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_escapes_every_text_from_the_report(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "A & B <i>", "en");
    kpi_result *k =
        rf_add_kpi(&r, "x", "<script>alert(\"1\")</script>", "count", BETTER_HIGHER, 1, 2);
    k->reason = kpi_strdup("it's <b>bold</b>");
    rf_set_text(&k->owner, "Tom & \"Jerry\"");
    rf_add_item(k, "a'b\"c", 1, STATUS_MET_MINIMUM);
    char *html = html_of(&r, NULL);
    assert_lacks(html, "<script");
    assert_lacks(html, "<b>bold");
    assert_contains(html, "&lt;script&gt;alert(&quot;1&quot;)&lt;&#47;script&gt;");
    assert_contains(html, "it&#39;s &lt;b&gt;bold&lt;&#47;b&gt;");
    assert_contains(html, "Tom &amp; &quot;Jerry&quot;");
    assert_contains(html, "title=\"a&#39;b&quot;c\"");
    assert_contains(html, "<h1>A &amp; B &lt;i&gt;</h1>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_never_holds_a_url_even_from_the_data(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "See https://example.com/x", "en");
    rf_set_text(&r.file, "//server/share/kpis.lua");
    kpi_result *k =
        rf_add_kpi(&r, "u", "Visit http://evil.example", "http://unit", BETTER_HIGHER, 1, 2);
    rf_add_item(k, "//cdn.example/a.js", 1, STATUS_MET_MINIMUM);
    char *html = html_of(&r, NULL);
    assert_lacks(html, "http://");
    assert_lacks(html, "https://");
    assert_lacks(html, "//");
    assert_lacks(html, "xmlns");
    assert_lacks(html, "url(");
    assert_lacks(html, "src=");
    assert_lacks(html, "href=");
    assert_contains(html, "&#47;&#47;cdn.example&#47;a.js");
    assert_contains(html, "https:&#47;&#47;example.com&#47;x");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_control_characters_and_bad_utf8_are_cleaned(void **state)
{
    (void)state;
    report r;
    rf_start_report(&r, "R", "en");
    rf_add_kpi(&r, "x",
               "a\x01"
               "b\nc\xff"
               "d",
               "count", BETTER_HIGHER, 1, 2);
    char *html = html_of(&r, NULL);
    assert_contains(html, "<h3 id=\"k1\">ab c\xEF\xBF\xBD"
                          "d</h3>");
    kpi_free(html);
    rf_end_report(&r);
}

static void test_html_generation_time_comes_from_source_date_epoch(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    setenv("SOURCE_DATE_EPOCH", "0", 1);
    report r;
    four_statuses(&r);
    size_t len;
    render_options o = {0, "en"};
    char *html = render_report("html", &r, &o, &len);
    assert_non_null(html);
    assert_contains(html, "<dt>Generated</dt><dd>1 Jan 1970 00:00 (UTC)</dd>");
    kpi_free(html);
    unsetenv("SOURCE_DATE_EPOCH");
    rf_end_report(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_is_one_document_in_the_report_language),
        cmocka_unit_test(test_html_header_names_client_rule_set_period_and_time),
        cmocka_unit_test(test_html_rule_set_without_a_client_is_the_heading),
        cmocka_unit_test(test_html_summary_counts_kpis_by_status),
        cmocka_unit_test(test_html_rule_set_without_kpis_says_so),
        cmocka_unit_test(test_html_status_is_a_symbol_a_word_and_a_colour),
        cmocka_unit_test(test_html_value_is_short_with_the_exact_figure_under_it),
        cmocka_unit_test(test_html_change_is_good_or_bad_for_the_kpi),
        cmocka_unit_test(test_html_bullet_graph_places_value_levels_and_previous),
        cmocka_unit_test(test_html_bullet_bands_turn_round_when_lower_is_better),
        cmocka_unit_test(test_html_no_data_shows_a_dash_and_the_reason),
        cmocka_unit_test(test_html_sparkline_draws_history_and_breaks_at_gaps),
        cmocka_unit_test(test_html_no_history_no_sparkline),
        cmocka_unit_test(test_html_breakdown_bars_largest_first_with_status),
        cmocka_unit_test(test_html_items_of_an_additive_kpi_have_no_status),
        cmocka_unit_test(test_html_breakdown_shows_ten_and_counts_the_rest),
        cmocka_unit_test(test_html_table_holds_every_figure),
        cmocka_unit_test(test_html_escapes_every_text_from_the_report),
        cmocka_unit_test(test_html_never_holds_a_url_even_from_the_data),
        cmocka_unit_test(test_html_control_characters_and_bad_utf8_are_cleaned),
        cmocka_unit_test(test_html_generation_time_comes_from_source_date_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
