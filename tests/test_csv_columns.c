/*
** test_csv_columns.c -- what the CSV loader keeps of a column: only the columns asked
** for (csv_options.keep), and string codes in one, two or four bytes (table.h
** code_bytes) whatever the thread count. Expected values are worked out from the
** generated text.
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
#include "kpi_alloc.h"
#include "table_fixture.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------- */

static table *load_opts(const char *text, const csv_options *o, kpi_error *err)
{
    kpi_error_clear(err);
    return csv_load_buffer("t.csv", NULL, text, strlen(text), o, err);
}

static csv_options threads_opts(int threads)
{
    csv_options o;
    csv_options_init(&o);
    o.threads = threads;
    o.min_chunk = 4096; /* small inputs still split */
    return o;
}

/* keep callback: the names in the NULL-terminated list arg. */
static int keep_listed(const char *name, void *arg)
{
    for (const char *const *n = arg; *n; n++)
        if (strcmp(*n, name) == 0) return 1;
    return 0;
}

/* Text of `rows` records "i,<label of i>" under header "n,s". */
static char *labelled_rows(size_t rows, const char *(*label)(size_t, char *))
{
    size_t cap = 32 + rows * 40, used = 0;
    char *text = malloc(cap), buf[32];
    assert_non_null(text);
    used += (size_t)snprintf(text, cap, "n,s\n");
    for (size_t i = 0; i < rows; i++)
        used += (size_t)snprintf(text + used, cap - used, "%zu,%s\n", i, label(i, buf));
    return text;
}

/* ---- keep ------------------------------------------------------------------------- */

static void test_csv_keep_loads_only_the_columns_asked_for(void **state)
{
    (void)state;
    const char *keep[] = {"a", "c", NULL};
    for (int threads = 1; threads <= 3; threads++) {
        csv_options o = threads_opts(threads);
        o.keep = keep_listed;
        o.keep_arg = (void *)keep;
        kpi_error err;
        table *t = load_opts("a,b,c\n1,x,2.5\n2,y,3.5\n3,z,\n", &o, &err);
        assert_non_null(t);
        assert_int_equal(t->ncols, 3);
        assert_int_equal(t->nrows, 3);
        const column *a = tf_col(t, "a"), *b = tf_col(t, "b"), *c = tf_col(t, "c");
        assert_false(a->absent);
        assert_true(b->absent);
        assert_null(b->v.ptr);
        assert_null(b->dict);
        assert_int_equal(column_memory(b, t->nrows), 0);
        assert_int_equal(a->type, COL_INT64);
        assert_int_equal(a->v.i64[2], 3);
        assert_int_equal(c->type, COL_DECIMAL);
        assert_int_equal(c->v.i64[1], 35);
        assert_int_equal(c->nnull, 1);
        table_free(t);
    }
}

static void test_csv_keep_still_checks_the_records_of_skipped_columns(void **state)
{
    (void)state;
    const char *keep[] = {"a", NULL};
    csv_options o = threads_opts(1);
    o.keep = keep_listed;
    o.keep_arg = (void *)keep;
    kpi_error err;
    table *t = load_opts("a,b\n1,x\n2,\"y\n", &o, &err);
    assert_null(t);
    assert_int_equal(err.kind, KPI_EDATA);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 3);
    assert_non_null(strstr(err.message, "unterminated quoted field"));
    t = load_opts("a,b\n1,x\n2\n", &o, &err);
    assert_null(t);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "expected 2 fields, found 1"));
}

static void test_csv_keep_skips_a_declared_column_without_checking_its_values(void **state)
{
    (void)state;
    const char *keep[] = {"a", NULL};
    column_decl decl[] = {{"b", COL_INT64, 0}};
    csv_options o = threads_opts(1);
    o.keep = keep_listed;
    o.keep_arg = (void *)keep;
    o.columns = decl;
    o.ncolumns = 1;
    kpi_error err;
    table *t = load_opts("a,b\n1,not a number\n", &o, &err);
    assert_non_null(t);
    assert_true(tf_col(t, "b")->absent);
    assert_int_equal(tf_col(t, "a")->v.i64[0], 1);
    table_free(t);
}

/* ---- code widths ------------------------------------------------------------------ */

static const char *three_labels(size_t i, char *buf)
{
    static const char *const names[] = {"email", "social", "search"};
    (void)buf;
    return i % 7 == 6 ? "" : names[(i / 2) % 3]; /* every 7th is null */
}

static void test_csv_few_strings_take_one_byte_codes(void **state)
{
    (void)state;
    enum { ROWS = 20000 };
    char *text = labelled_rows(ROWS, three_labels);
    for (int threads = 1; threads <= 3; threads++) {
        csv_options o = threads_opts(threads);
        kpi_error err;
        table *t = load_opts(text, &o, &err);
        assert_non_null(t);
        const column *s = tf_col(t, "s");
        assert_int_equal(s->code_bytes, 1);
        assert_int_equal(dict_count(s->dict), 3);
        assert_int_equal(s->nnull, ROWS / 7);
        char buf[32];
        for (size_t r = 0; r < ROWS; r++) {
            const char *want = three_labels(r, buf);
            const char *got = tf_str_at(t, "s", r);
            if (want[0] == '\0') {
                if (got || s->v.code8[r] != 0) fail_msg("row %zu should be null with code 0", r);
            } else if (!got || strcmp(got, want) != 0) {
                fail_msg("threads %d row %zu: '%s', not '%s'", threads, r, got, want);
            }
        }
        assert_int_equal(column_memory(s, t->nrows),
                         ROWS + (ROWS + 63) / 64 * 8 + dict_memory(s->dict));
        table_free(t);
    }
    free(text);
}

/* Two strings in the first 5000 records (all of every sample), then 300 new ones. */
static const char *late_labels(size_t i, char *buf)
{
    if (i < 5000) return i % 2 ? "odd" : "even";
    snprintf(buf, 32, "s%zu", i % 300);
    return buf;
}

static void test_csv_one_byte_codes_widen_when_strings_pass_255(void **state)
{
    (void)state;
    enum { ROWS = 12000 };
    char *text = labelled_rows(ROWS, late_labels);
    for (int threads = 1; threads <= 3; threads++) {
        csv_options o = threads_opts(threads);
        kpi_error err;
        table *t = load_opts(text, &o, &err);
        assert_non_null(t);
        const column *s = tf_col(t, "s");
        assert_int_equal(dict_count(s->dict), 302);
        assert_int_equal(s->code_bytes, 2);
        /* codes in order of first appearance: even, odd, s200 (row 5000), s201, ... */
        assert_string_equal(dict_str(s->dict, 2), "s200");
        char buf[32];
        for (size_t r = 0; r < ROWS; r++)
            if (strcmp(tf_str_at(t, "s", r), late_labels(r, buf)) != 0)
                fail_msg("threads %d row %zu: '%s'", threads, r, tf_str_at(t, "s", r));
        table_free(t);
    }
    free(text);
}

static const char *unique_labels(size_t i, char *buf)
{
    snprintf(buf, 32, "C%07zu", (i * 7919) % 70001);
    return buf;
}

static void test_csv_many_strings_keep_four_byte_codes(void **state)
{
    (void)state;
    enum { ROWS = 70001 };
    char *text = labelled_rows(ROWS, unique_labels);
    csv_options o = threads_opts(2);
    kpi_error err;
    table *t = load_opts(text, &o, &err);
    assert_non_null(t);
    const column *s = tf_col(t, "s");
    assert_int_equal(dict_count(s->dict), ROWS); /* 7919 is prime: every label differs */
    assert_int_equal(s->code_bytes, 0);
    char buf[32];
    for (size_t r = 0; r < ROWS; r += 997)
        assert_string_equal(tf_str_at(t, "s", r), unique_labels(r, buf));
    table_free(t);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_keep_loads_only_the_columns_asked_for),
        cmocka_unit_test(test_csv_keep_still_checks_the_records_of_skipped_columns),
        cmocka_unit_test(test_csv_keep_skips_a_declared_column_without_checking_its_values),
        cmocka_unit_test(test_csv_few_strings_take_one_byte_codes),
        cmocka_unit_test(test_csv_one_byte_codes_widen_when_strings_pass_255),
        cmocka_unit_test(test_csv_many_strings_keep_four_byte_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
