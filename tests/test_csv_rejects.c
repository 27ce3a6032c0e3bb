/*
** test_csv_rejects.c -- the CSV loader's skip_bad_rows: a bad record is left out and
** counted, with its line, column and reason, whatever the thread count; what is left
** is the table of the good records alone (the bad ones do not vote on column types);
** quoting errors still fail the load. Expected values are worked out by hand.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "csv.h"
#include "table_fixture.h"
#include "testutil.h"

static table *load_skipping(const char *text, int threads, csv_rejects *rj, kpi_error *err)
{
    csv_options o;
    csv_options_init(&o);
    o.threads = threads;
    o.min_chunk = 64; /* even small texts split */
    o.skip_bad_rows = 1;
    o.rejects = rj;
    kpi_error_clear(err);
    return csv_load_buffer("t.csv", NULL, text, strlen(text), &o, err);
}

static void assert_reject(const csv_rejects *rj, size_t i, long line, long col, const char *says)
{
    assert_true(i < rj->nitems);
    assert_int_equal(rj->items[i].line, line);
    assert_int_equal(rj->items[i].column, col);
    if (!strstr(rj->items[i].message, says))
        fail_msg("reject %zu says '%s', not '%s'", i, rj->items[i].message, says);
}

static void test_rejects_ragged_rows_are_left_out_and_counted(void **state)
{
    (void)state;
    const char text[] = "n,v\n1,10\n2,20,extra\n3,30\n4\n5,50\n";
    for (int threads = 1; threads <= 3; threads++) {
        csv_rejects rj;
        kpi_error err;
        table *t = load_skipping(text, threads, &rj, &err);
        if (!t) fail_msg("%s", err.message);
        assert_int_equal(t->nrows, 3);
        const column *n = tf_col(t, "n"), *v = tf_col(t, "v");
        assert_int_equal(n->type, COL_INT64);
        int64_t want_n[] = {1, 3, 5}, want_v[] = {10, 30, 50};
        for (size_t r = 0; r < 3; r++) {
            assert_int_equal(n->v.i64[r], want_n[r]);
            assert_int_equal(v->v.i64[r], want_v[r]);
        }
        assert_int_equal(rj.count, 2);
        assert_int_equal(rj.nitems, 2);
        assert_reject(&rj, 0, 3, 6, "expected 2 fields, found 3");
        assert_reject(&rj, 1, 5, 1, "expected 2 fields, found 1");
        csv_rejects_free(&rj);
        table_free(t);
    }
}

static void test_rejects_bad_rows_do_not_vote_on_types(void **state)
{
    (void)state;
    /* the ragged row's "x" would make v text; the bad UTF-8 row's bytes are never read */
    const char text[] = "n,v\n1,2\n3,x,9\n4,\xff\xfe\n5,6\n";
    csv_rejects rj;
    kpi_error err;
    table *t = load_skipping(text, 1, &rj, &err);
    if (!t) fail_msg("%s", err.message);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(tf_col(t, "v")->type, COL_INT64);
    assert_int_equal(tf_col(t, "v")->v.i64[1], 6);
    assert_int_equal(rj.count, 2);
    assert_reject(&rj, 0, 3, 5, "expected 2 fields, found 3");
    assert_reject(&rj, 1, 4, 3, "UTF-8");
    csv_rejects_free(&rj);
    table_free(t);
}

static void test_rejects_value_that_does_not_fit_its_declared_type(void **state)
{
    (void)state;
    column_decl decl[] = {{"v", COL_INT64, 0}};
    csv_options o;
    csv_options_init(&o);
    o.columns = decl;
    o.ncolumns = 1;
    o.skip_bad_rows = 1;
    csv_rejects rj;
    o.rejects = &rj;
    kpi_error err;
    const char text[] = "d,v\n\"a\nb\",1\nc,one\ne,3\n"; /* a quoted line break before */
    table *t = csv_load_buffer("t.csv", NULL, text, strlen(text), &o, &err);
    if (!t) fail_msg("%s", err.message);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(tf_col(t, "v")->v.i64[1], 3);
    assert_int_equal(rj.count, 1);
    assert_reject(&rj, 0, 4, 3, "one");
    csv_rejects_free(&rj);
    table_free(t);
}

static void test_rejects_quoting_errors_still_fail(void **state)
{
    (void)state;
    csv_rejects rj;
    kpi_error err;
    table *t = load_skipping("n,v\n1,2\n3,\"4\n5,6\n", 1, &rj, &err);
    assert_null(t);
    assert_int_equal(err.kind, KPI_EDATA);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "unterminated quoted field"));
    csv_rejects_free(&rj);
}

static void test_rejects_none_in_a_good_file(void **state)
{
    (void)state;
    csv_rejects rj;
    kpi_error err;
    table *t = load_skipping("n,v\n1,2\n3,4\n", 2, &rj, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(rj.count, 0);
    assert_int_equal(rj.nitems, 0);
    csv_rejects_free(&rj);
    table_free(t);
}

static void test_rejects_all_counted_the_first_ones_described(void **state)
{
    (void)state;
    enum { BAD = CSV_MAX_REJECTS + 2000 };
    size_t cap = 32 + (size_t)BAD * 24, used = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    used += (size_t)snprintf(text, cap, "n,v\n");
    for (int i = 0; i < BAD; i++) /* a good row, then a bad one */
        used += (size_t)snprintf(text + used, cap - used, "%d,1\n%d\n", i, i);
    for (int threads = 1; threads <= 2; threads++) {
        csv_rejects rj;
        kpi_error err;
        table *t = load_skipping(text, threads, &rj, &err);
        if (!t) fail_msg("%s", err.message);
        assert_int_equal(t->nrows, BAD);
        assert_int_equal(rj.count, BAD);
        assert_int_equal(rj.nitems, CSV_MAX_REJECTS);
        assert_reject(&rj, 0, 3, 1, "found 1");
        assert_reject(&rj, CSV_MAX_REJECTS - 1, 1 + 2 * CSV_MAX_REJECTS, 1, "found 1");
        csv_rejects_free(&rj);
        table_free(t);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_ragged_rows_are_left_out_and_counted),
        cmocka_unit_test(test_rejects_bad_rows_do_not_vote_on_types),
        cmocka_unit_test(test_rejects_value_that_does_not_fit_its_declared_type),
        cmocka_unit_test(test_rejects_quoting_errors_still_fail),
        cmocka_unit_test(test_rejects_none_in_a_good_file),
        cmocka_unit_test(test_rejects_all_counted_the_first_ones_described),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
