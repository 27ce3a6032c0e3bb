/*
** e2e_rejects.c -- bad rows through the command line: on_error = "fail" (the default)
** stops at the first bad row with its file:line:column; on_error = "skip" leaves bad rows
** out, says so on stderr, in the table and in the JSON ("rejected"), and --rejects FILE
** lists each one. The values are those of the good rows alone, worked out by hand.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

/* July 2024: good rows 100 + 250 + 50 = 400; line 3 is ragged, line 5 has a bad amount. */
static const char orders[] = "day,amount\n"
                             "2024-07-01,100\n"
                             "2024-07-02,7,extra\n"
                             "2024-07-03,250\n"
                             "2024-07-04,lots\n"
                             "2024-07-05,50\n";

/* Write the rule set (on_error given as Lua text, or NULL) and its data; returns its path. */
static const char *write_rules(const char *on_error)
{
    char text[1024];
    snprintf(text, sizeof text,
             "local orders = source \"orders\" { csv = \"orders.csv\", time = \"day\",\n"
             "  columns = { amount = \"int\" }%s%s }\n"
             "kpi \"revenue\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
             "  value = function(p) return orders:during(p):sum \"amount\" end }\n",
             on_error ? ", on_error = " : "", on_error ? on_error : "");
    tu_write_file("orders.csv", orders, (size_t)-1);
    return tu_write_file("rejects.lua", text, (size_t)-1);
}

static void test_rejects_default_fails_at_the_first_bad_row(void **state)
{
    (void)state;
    char args[1200];
    snprintf(args, sizeof args, "run '%s' --period 2024-07 --no-save --no-cache",
             write_rules(NULL));
    e2e_assert_error(args, 4, "orders.csv:3:");
    e2e_assert_error(args, 4, "expected 2 fields, found 3");
}

static void test_rejects_skip_leaves_bad_rows_out_and_says_so(void **state)
{
    (void)state;
    char args[1400], *out, *err;
    const char *rules = write_rules("\"skip\"");
    snprintf(args, sizeof args,
             "run '%s' --period 2024-07 --no-save --format json --rejects '%s/bad.csv'", rules,
             tu_tmpdir());
    assert_int_equal(e2e_engine(args, &out, &err), 0);
    const char *kpis = e2e_member(out, "kpis");
    assert_true(tu_close(e2e_number(e2e_with(kpis, "id", "revenue"), "value"), 400, 0));
    const char *rejected = e2e_member(out, "rejected");
    assert_int_equal(e2e_length(rejected), 1);
    assert_true(e2e_string_is(e2e_member(e2e_element(rejected, 0), "source"), "orders"));
    assert_true(tu_close(e2e_number(e2e_element(rejected, 0), "rows"), 2, 0));
    if (!strstr(err, "warning: source 'orders': 2 bad rows"))
        fail_msg("no warning on stderr:\n%s", err);
    tu_free(out);
    tu_free(err);

    char cmd[700], *list;
    snprintf(cmd, sizeof cmd, "cat '%s/bad.csv'", tu_tmpdir());
    assert_int_equal(tu_run(cmd, &list, NULL), 0);
    assert_non_null(strstr(list, "source,file,line,column,message\n"));
    assert_non_null(strstr(list, "\"orders\","));
    assert_non_null(strstr(list, ",3,14,\"expected 2 fields, found 3\""));
    assert_non_null(strstr(list, ",5,12,"));
    assert_non_null(strstr(list, "lots"));
    tu_free(list);
}

static void test_rejects_skip_shows_in_the_table(void **state)
{
    (void)state;
    char args[1200];
    snprintf(args, sizeof args, "run '%s' --period 2024-07 --no-save --format table",
             write_rules("\"skip\""));
    char *out = e2e_run_ok("%s", args);
    if (!strstr(out, "orders: 2 bad rows of") || !strstr(out, "left out (on_error = \"skip\")"))
        fail_msg("no line about the rows left out:\n%s", out);
    tu_free(out);
}

static void test_rejects_on_error_must_be_fail_or_skip(void **state)
{
    (void)state;
    char args[1200];
    snprintf(args, sizeof args, "run '%s' --period 2024-07 --no-save", write_rules("\"ignore\""));
    e2e_assert_error(args, 3, "on_error must be \"fail\" or \"skip\", not \"ignore\"");
    e2e_assert_error(args, 3, "rejects.lua:1:");
}

static void test_rejects_skip_is_refused_on_a_sqlite_source(void **state)
{
    (void)state;
    char cmd[1200], args[1200];
    snprintf(cmd, sizeof cmd, "sqlite3 '%s/shop.db' 'CREATE TABLE o(day TEXT, amount INT);'",
             tu_tmpdir());
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    const char *rules = tu_write_file(
        "sqlite_skip.lua",
        "local o = source \"o\" { sqlite = \"shop.db\", table = \"o\", time = \"day\",\n"
        "  on_error = \"skip\" }\n"
        "kpi \"n\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
        "  value = function(p) return o:during(p):count() end }\n",
        (size_t)-1);
    snprintf(args, sizeof args, "run '%s' --period 2024-07 --no-save", rules);
    e2e_assert_error(args, 3, "on_error = \"skip\" only applies to csv sources");
    e2e_assert_error(args, 3, "sqlite_skip.lua:1:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_default_fails_at_the_first_bad_row),
        cmocka_unit_test(test_rejects_skip_leaves_bad_rows_out_and_says_so),
        cmocka_unit_test(test_rejects_skip_shows_in_the_table),
        cmocka_unit_test(test_rejects_on_error_must_be_fail_or_skip),
        cmocka_unit_test(test_rejects_skip_is_refused_on_a_sqlite_source),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    e2e_reports_free();
    return rc;
}
