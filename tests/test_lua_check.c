/*
** test_lua_check.c -- the rule-set check (engine/lua/check*.c) as a library: the list
** of findings (order, duplicates, one-line messages) and the findings the command-line
** tests do not reach: cycles, values and breakdowns of the wrong type, a limit hit,
** a time column that is not there, malformed data, due dates, campaigns reviews, unknown
** globals in code no KPI ran, and that a declaration table the rule set shares is
** checked each time it is used.
**
** Rule sets are small files in the temporary folder with a small orders CSV beside
** them; the expected file:line of each finding is counted by hand from the text.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lua/check.h"
#include "testutil.h"

static const char orders_csv[] = "date,customer_id,channel,amount\n"
                                 "2024-05-03,C1,web,120.50\n"
                                 "2024-05-10,C2,shop,80.00\n"
                                 "2024-06-02,C3,web,300.00\n"
                                 "2024-07-01,C5,web,10.00\n";

/* The rule-set header every test file starts with: lines 1 and 2. */
#define HEAD                                                                                       \
    "ruleset { name = \"t\", currency = \"VND\" }\n"                                               \
    "local orders = source \"orders\" { csv = \"orders.csv\", time = \"date\" }\n"

/* Write the rule set text as name in the temporary folder (with orders.csv) and check it. */
static const char *check_text(const char *name, const char *text, const rules_options *o,
                              check_report *rep)
{
    tu_write_file("orders.csv", orders_csv, (size_t)-1);
    const char *path = tu_write_file(name, text, (size_t)-1);
    kpi_error err;
    if (check_ruleset(path, o, rep, &err) != 0) fail_msg("check_ruleset: %s", err.message);
    check_sort(rep);
    return path;
}

/* The finding at line whose message holds text; fails the test when there is none. */
static const check_finding *finding(const check_report *rep, long line, const char *text)
{
    for (size_t i = 0; i < rep->n; i++)
        if (rep->items[i].line == line && strstr(rep->items[i].message, text))
            return &rep->items[i];
    for (size_t i = 0; i < rep->n; i++)
        print_message("  %s:%ld: %s\n", rep->items[i].file, rep->items[i].line,
                      rep->items[i].message);
    fail_msg("no finding at line %ld with '%s'", line, text);
    return NULL;
}

/* ---- the list of findings ----------------------------------------------------------------- */

static void test_check_sort_orders_by_file_then_line_and_drops_duplicates(void **state)
{
    (void)state;
    check_report r;
    memset(&r, 0, sizeof r);
    assert_int_equal(check_add(&r, CHECK_ERROR, 0, "b.lua", 3, "x"), 0);
    assert_int_equal(check_add(&r, CHECK_WARNING, 0, "a.lua", 9, "y"), 0);
    assert_int_equal(check_add(&r, CHECK_ERROR, 0, "a.lua", 2, "z"), 0);
    assert_int_equal(check_add(&r, CHECK_ERROR, 1, "a.lua", 2, "w"), 0);
    assert_int_equal(check_add(&r, CHECK_ERROR, 0, "a.lua", 2, "z"), 0);
    check_sort(&r);
    assert_int_equal(r.n, 4);
    const char *want[][2] = {{"a.lua", "z"}, {"a.lua", "w"}, {"a.lua", "y"}, {"b.lua", "x"}};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(r.items[i].file, want[i][0]);
        assert_string_equal(r.items[i].message, want[i][1]);
    }
    assert_int_equal(check_count(&r, CHECK_ERROR), 3);
    assert_int_equal(check_count(&r, CHECK_WARNING), 1);
    assert_true(check_has_data_error(&r));
    check_report_free(&r);
}

static void test_check_add_keeps_one_line_and_a_file(void **state)
{
    (void)state;
    check_report r;
    memset(&r, 0, sizeof r);
    assert_int_equal(check_add(&r, CHECK_ERROR, 0, NULL, -4, "first %d\ntraceback", 1), 0);
    assert_string_equal(r.items[0].message, "first 1");
    assert_string_equal(r.items[0].file, "?");
    assert_int_equal(r.items[0].line, 0);
    assert_false(check_has_data_error(&r));
    check_report_free(&r);
}

/* ---- loading ----------------------------------------------------------------------------------
 */

static void test_check_clean_rule_set_counts_its_declarations(void **state)
{
    (void)state;
    check_report r;
    check_text("clean.lua",
               HEAD "kpi \"n\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) return orders:during(p):count() end }\n"
                    "review \"monthly\" { every = \"month\" }\n",
               NULL, &r);
    assert_int_equal(r.n, 0);
    assert_true(r.loaded);
    assert_int_equal(r.nkpis, 1);
    assert_int_equal(r.nsources, 1);
    assert_int_equal(r.nreviews, 1);
    check_report_free(&r);
}

static void test_check_rule_set_without_kpis_is_an_error_about_the_file(void **state)
{
    (void)state;
    check_report r;
    const char *path = check_text("empty.lua", HEAD, NULL, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.items[0].file, path);
    assert_non_null(finding(&r, 0, "the rule set declares no kpi"));
    check_report_free(&r);
}

static void test_check_top_level_error_stops_the_load(void **state)
{
    (void)state;
    check_report r;
    const char *path =
        check_text("toplevel.lua", HEAD "local x = nil\nlocal y = x.field\n", NULL, &r);
    assert_false(r.loaded);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.items[0].file, path);
    assert_non_null(finding(&r, 4, "attempt to index a nil value (local 'x')"));
    check_report_free(&r);
}

static void test_check_shared_declaration_table_is_checked_at_each_use(void **state)
{
    (void)state;
    check_report r;
    check_text("shared.lua",
               HEAD "local spec = { unit = \"count\", better = \"higher\", minimum = 1,\n"
                    "  target = 2, tagret = 3, value = function(p) return 1 end }\n"
                    "kpi \"a\" (spec)\n"
                    "kpi \"b\" (spec)\n",
               NULL, &r);
    /* the check repairs a copy: the rule set's own table still has the bad field */
    assert_non_null(finding(&r, 5, "kpi 'a': unknown field 'tagret' (did you mean 'target'?)"));
    assert_non_null(finding(&r, 6, "kpi 'b': unknown field 'tagret' (did you mean 'target'?)"));
    assert_int_equal(r.n, 2);
    check_report_free(&r);
}

static void test_check_due_that_is_not_a_date_is_an_error(void **state)
{
    (void)state;
    check_report r;
    check_text("due.lua",
               HEAD "kpi \"n\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  due = \"2024-02-30\", value = function(p) return 1 end }\n",
               NULL, &r);
    assert_int_equal(finding(&r, 3, "kpi 'n': due must be a date")->severity, CHECK_ERROR);
    check_report_free(&r);
}

static void test_check_campaigns_review_naming_no_source_suggests(void **state)
{
    (void)state;
    check_report r;
    check_text("campaigns.lua",
               HEAD "source \"campaigns\" { csv = \"orders.csv\" }\n"
                    "kpi \"n\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) return 1 end }\n"
                    "review \"c\" { campaigns = \"campains\", before = 7 }\n",
               NULL, &r);
    assert_non_null(finding(&r, 6,
                            "review 'c': campaigns names no declared source 'campains' (did you "
                            "mean 'campaigns'?)"));
    check_report_free(&r);
}

/* ---- evaluation -------------------------------------------------------------------------------
 */

static void test_check_cycle_is_reported_by_the_kpi_that_closes_it(void **state)
{
    (void)state;
    check_report r;
    check_text("cycle.lua",
               HEAD "kpi \"a\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p, k) return k.b end }\n"
                    "kpi \"b\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p, k) return k.a end }\n",
               NULL, &r);
    assert_non_null(finding(&r, 6, "kpi 'b': cycle between KPIs: a -> b -> a"));
    assert_int_equal(r.n, 1);
    check_report_free(&r);
}

static void test_check_values_and_breakdowns_of_the_wrong_type(void **state)
{
    (void)state;
    check_report r;
    check_text("types.lua",
               HEAD "kpi \"a\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) return \"many\" end }\n"
                    "kpi \"b\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) return 1 end, breakdown = function(p) return 42 end }\n"
                    "kpi \"c\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) return orders:during(p):by \"channel\":count() end }\n",
               NULL, &r);
    assert_non_null(finding(&r, 3, "kpi 'a': value returned string, expected a number or nil"));
    assert_non_null(finding(&r, 5, "kpi 'b': breakdown returned number, expected a Series"));
    assert_non_null(finding(&r, 7, "(a Series belongs in breakdown)"));
    assert_int_equal(r.n, 3);
    check_report_free(&r);
}

static void test_check_missing_value_is_no_data_not_a_finding(void **state)
{
    (void)state;
    check_report r;
    check_text("nodata.lua",
               HEAD "kpi \"a\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) return orders:during(p):where { channel = \"tv\" }\n"
                    "                             :sum \"amount\" / 2 end }\n",
               NULL, &r);
    assert_int_equal(r.n, 0);
    check_report_free(&r);
}

static void test_check_declaring_inside_a_kpi_is_an_error(void **state)
{
    (void)state;
    check_report r;
    check_text("late.lua",
               HEAD "kpi \"a\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p)\n"
                    "    kpi \"z\" { value = function() return 1 end }\n"
                    "    return 1 end }\n",
               NULL, &r);
    assert_non_null(finding(&r, 5, "declarations are only allowed while the rule set loads"));
    check_report_free(&r);
}

static void test_check_limit_hit_stops_the_evaluation(void **state)
{
    (void)state;
    rules_options o;
    rules_options_init(&o);
    o.max_instructions = 200000;
    check_report r;
    check_text("spin.lua",
               HEAD "kpi \"a\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) while true do end end }\n"
                    "kpi \"b\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) return \"never evaluated\" end }\n",
               &o, &r);
    assert_non_null(finding(&r, 4, "instruction limit"));
    assert_non_null(strstr(r.items[0].message, "(the check stopped here)"));
    assert_int_equal(r.n, 1);
    check_report_free(&r);
}

static void test_check_scan_finds_unknown_globals_in_modules_only(void **state)
{
    (void)state;
    const char *module = tu_write_file("helpers.lua",
                                       "local M = {}\n"
                                       "function M.unused(t) return tabel.concat(t) end\n"
                                       "function M.init() CONFIG = 1 end\n"
                                       "return M\n",
                                       (size_t)-1);
    check_report r;
    check_text("scan.lua",
               HEAD "local h = require \"helpers\"\n"
                    "kpi \"a\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
                    "  value = function(p) if p.grain == \"year\" then return CONFIG end\n"
                    "    return 1 end }\n",
               NULL, &r);
    /* CONFIG is assigned by a function never called: defined, so not reported */
    const check_finding *f = finding(&r, 2, "unknown global 'tabel' (did you mean 'table'?)");
    assert_string_equal(f->file, module);
    assert_int_equal(r.n, 1);
    check_report_free(&r);
}

/* ---- sources ----------------------------------------------------------------------------------
 */

static void test_check_missing_time_column_is_a_rule_set_error(void **state)
{
    (void)state;
    check_report r;
    check_text("timecol.lua",
               "ruleset { name = \"t\" }\n"
               "local orders = source \"orders\" { csv = \"orders.csv\", time = \"dat\" }\n"
               "kpi \"n\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
               "  value = function(p) return orders:during(p):count() end }\n",
               NULL, &r);
    const check_finding *f = finding(&r, 2, "time column 'dat' is not in");
    assert_non_null(strstr(f->message, "(did you mean 'date'?)"));
    assert_int_equal(f->data, 0);
    assert_int_equal(r.n, 1);
    check_report_free(&r);
}

static void test_check_malformed_data_is_shown_in_the_data_file(void **state)
{
    (void)state;
    const char *csv =
        tu_write_file("bad.csv", "date,amount\n2024-05-01,10\n2024-05-02\n", (size_t)-1);
    check_report r;
    check_text("badcsv.lua",
               "ruleset { name = \"t\" }\n"
               "local orders = source \"orders\" { csv = \"bad.csv\", time = \"date\" }\n"
               "kpi \"n\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
               "  value = function(p) return orders:during(p):count() end }\n",
               NULL, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.items[0].file, csv);
    assert_int_equal(r.items[0].line, 3);
    assert_non_null(strstr(r.items[0].message, "source 'orders': expected 2 fields, found 1"));
    assert_true(check_has_data_error(&r));
    check_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_sort_orders_by_file_then_line_and_drops_duplicates),
        cmocka_unit_test(test_check_add_keeps_one_line_and_a_file),
        cmocka_unit_test(test_check_clean_rule_set_counts_its_declarations),
        cmocka_unit_test(test_check_rule_set_without_kpis_is_an_error_about_the_file),
        cmocka_unit_test(test_check_top_level_error_stops_the_load),
        cmocka_unit_test(test_check_shared_declaration_table_is_checked_at_each_use),
        cmocka_unit_test(test_check_due_that_is_not_a_date_is_an_error),
        cmocka_unit_test(test_check_campaigns_review_naming_no_source_suggests),
        cmocka_unit_test(test_check_cycle_is_reported_by_the_kpi_that_closes_it),
        cmocka_unit_test(test_check_values_and_breakdowns_of_the_wrong_type),
        cmocka_unit_test(test_check_missing_value_is_no_data_not_a_finding),
        cmocka_unit_test(test_check_declaring_inside_a_kpi_is_an_error),
        cmocka_unit_test(test_check_limit_hit_stops_the_evaluation),
        cmocka_unit_test(test_check_scan_finds_unknown_globals_in_modules_only),
        cmocka_unit_test(test_check_missing_time_column_is_a_rule_set_error),
        cmocka_unit_test(test_check_malformed_data_is_shown_in_the_data_file),
    };
    return cmocka_run_group_tests_name("lua_check", tests, NULL, NULL);
}
