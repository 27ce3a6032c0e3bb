/*
** test_lua_columns.c -- which columns a CSV source loads (dsl.h, dsl.words): those the
** rule set's files name, its time column and its declared ones; any other column is
** loaded when a KPI first reaches it through a name built at run time, with the same
** values. Expected values are worked out by hand from the small files written here.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lua/dsl.h"
#include "lua/rules.h"
#include "testutil.h"

static const char ORDERS[] = "date,customer,amount,note,region\n"
                             "2024-07-01,C1,100.50,a,north\n"
                             "2024-07-02,C2,200.25,b,south\n"
                             "2024-07-15,C1,50.00,c,north\n"
                             "2024-08-01,C3,10.00,d,south\n";

static period july(void)
{
    period p;
    kpi_error err;
    assert_int_equal(period_parse("2024-07", &p, &err), 0);
    return p;
}

/* Open the rule set text (with orders.csv beside it) and evaluate July into rep. */
static rules *evaluate(const char *text, report *rep)
{
    tu_write_file("orders.csv", ORDERS, (size_t)-1);
    const char *path = tu_write_file("cols.lua", text, (size_t)-1);
    kpi_error err;
    char buf[1400];
    rules *r = rules_open(path, NULL, &err);
    if (!r) fail_msg("%s", kpi_error_format(&err, buf, sizeof buf));
    if (rules_evaluate(r, july(), rep, &err) != 0)
        fail_msg("%s", kpi_error_format(&err, buf, sizeof buf));
    return r;
}

static const column *column_of(rules *r, const char *name)
{
    const table *t = rules_dsl(r)->sources[0]->t;
    assert_non_null(t);
    int col = table_find(t, name);
    assert_true(col >= 0);
    return &t->cols[col];
}

static void test_columns_named_nowhere_are_not_loaded(void **state)
{
    (void)state;
    report rep;
    rules *r =
        evaluate("local o = source 'orders' { csv = 'orders.csv', time = 'date' }\n"
                 "kpi 'revenue' { unit = 'VND', better = 'higher', minimum = 1, target = 2,\n"
                 "  value = function(p) return o:during(p):sum 'amount' end }\n",
                 &rep);
    assert_true(tu_close(rep.kpis[0].value, 350.75, 1e-9));
    assert_false(column_of(r, "date")->absent);
    assert_false(column_of(r, "amount")->absent);
    assert_true(column_of(r, "note")->absent);
    assert_true(column_of(r, "region")->absent);
    assert_true(column_of(r, "customer")->absent);
    report_free(&rep);
    rules_close(r);
}

static void test_a_column_reached_by_a_built_name_is_loaded_when_used(void **state)
{
    (void)state;
    report rep;
    rules *r = evaluate(
        "local o = source 'orders' { csv = 'orders.csv', time = 'date' }\n"
        "local function col(a, b) return a .. b end\n"
        "kpi 'buyers' { unit = 'count', better = 'higher', minimum = 1, target = 2,\n"
        "  value = function(p) return o:during(p):distinct(col('cust', 'omer')) end,\n"
        "  breakdown = function(p) return o:during(p):by(col('reg', 'ion')):count() end }\n",
        &rep);
    const kpi_result *k = &rep.kpis[0];
    assert_true(tu_close(k->value, 2, 1e-9));
    assert_int_equal(k->nitems, 2);
    for (size_t i = 0; i < k->nitems; i++) {
        const breakdown_item *b = &k->items[i];
        if (strcmp(b->key, "north") == 0)
            assert_true(tu_close(b->value, 2, 1e-9));
        else if (strcmp(b->key, "south") == 0)
            assert_true(tu_close(b->value, 1, 1e-9));
        else
            fail_msg("unexpected key %s", b->key);
    }
    assert_false(column_of(r, "customer")->absent);
    assert_false(column_of(r, "region")->absent);
    assert_true(column_of(r, "note")->absent);
    report_free(&rep);
    rules_close(r);
}

static void test_a_column_named_only_in_a_required_file_is_loaded(void **state)
{
    (void)state;
    tu_write_file("lib.lua", "return { buyers = function(v) return v:distinct 'customer' end }\n",
                  (size_t)-1);
    report rep;
    rules *r =
        evaluate("local lib = require 'lib'\n"
                 "local o = source 'orders' { csv = 'orders.csv', time = 'date' }\n"
                 "kpi 'buyers' { unit = 'count', better = 'higher', minimum = 1, target = 2,\n"
                 "  value = function(p) return lib.buyers(o:during(p)) end }\n",
                 &rep);
    assert_true(tu_close(rep.kpis[0].value, 2, 1e-9));
    assert_false(column_of(r, "customer")->absent);
    assert_true(column_of(r, "note")->absent);
    report_free(&rep);
    rules_close(r);
}

static void test_the_command_line_gets_every_column_of_a_source(void **state)
{
    (void)state;
    report rep;
    rules *r = evaluate("local o = source 'orders' { csv = 'orders.csv', time = 'date' }\n"
                        "kpi 'n' { unit = 'count', better = 'higher', minimum = 1, target = 2,\n"
                        "  value = function(p) return o:during(p):count() end }\n",
                        &rep);
    assert_true(column_of(r, "note")->absent);
    kpi_error err;
    const table *t = rules_source_table(r, "orders", &err);
    assert_non_null(t);
    for (size_t i = 0; i < t->ncols; i++)
        assert_false(t->cols[i].absent);
    int note = table_find(t, "note");
    assert_string_equal(dict_str(t->cols[note].dict, column_code(&t->cols[note], 3)), "d");
    report_free(&rep);
    rules_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_named_nowhere_are_not_loaded),
        cmocka_unit_test(test_a_column_reached_by_a_built_name_is_loaded_when_used),
        cmocka_unit_test(test_a_column_named_only_in_a_required_file_is_loaded),
        cmocka_unit_test(test_the_command_line_gets_every_column_of_a_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
