/*
** test_table.c -- typed columnar tables (engine/core/table.c).
**
** Expected values follow from the layout table.h documents (element sizes, one bit
** per row in 64-bit words) and from values worked out by hand.
*/
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kpi_alloc.h"
#include "table.h"

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

static void test_table_new_has_no_columns_and_no_time(void **state)
{
    (void)state;
    char name[] = "orders";
    table *t = table_new(name, 5);
    assert_non_null(t);
    name[0] = 'X'; /* the table keeps its own copy */
    assert_string_equal(t->name, "orders");
    assert_int_equal(t->nrows, 5);
    assert_int_equal(t->ncols, 0);
    assert_int_equal(t->time_col, -1);
    assert_int_equal(t->time_sorted, 0);
    table_free(t);
    t = table_new(NULL, 0);
    assert_string_equal(t->name, "");
    table_free(t);
}

static void test_table_add_column_zero_filled_and_valid(void **state)
{
    (void)state;
    table *t = table_new("t", 100);
    column *c = table_add_column(t, "amount", COL_DECIMAL, 2);
    assert_non_null(c);
    assert_int_equal(c->type, COL_DECIMAL);
    assert_int_equal(c->scale, 2);
    assert_null(c->valid);
    assert_null(c->dict);
    for (size_t i = 0; i < 100; i++) {
        assert_int_equal(c->v.i64[i], 0);
        assert_true(column_is_valid(c, i));
    }
    /* Each check before the next add: adding a column may move the column array. */
    column *s = table_add_column(t, "region", COL_STRING, 7);
    assert_non_null(s->dict);
    assert_int_equal(dict_count(s->dict), 0);
    assert_int_equal(s->scale, 0); /* a scale only means something for decimals */
    column *d = table_add_column(t, "day", COL_DATE, 0);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(d->v.date[i], 0);
    column *b = table_add_column(t, "paid", COL_BOOL, 0);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(b->v.b[i], 0);
    assert_int_equal(t->ncols, 4);
    assert_string_equal(t->cols[0].name, "amount");
    assert_string_equal(t->cols[3].name, "paid");
    table_free(t);
}

static void test_table_add_column_to_empty_table(void **state)
{
    (void)state;
    table *t = table_new("empty", 0);
    assert_non_null(table_add_column(t, "x", COL_FLOAT64, 0));
    assert_non_null(table_add_column(t, "s", COL_STRING, 0));
    assert_int_equal(t->ncols, 2);
    table_free(t);
}

static void test_table_find_columns_by_exact_name(void **state)
{
    (void)state;
    table *t = table_new("t", 1);
    table_add_column(t, "id", COL_INT64, 0);
    table_add_column(t, "amount", COL_FLOAT64, 0);
    assert_int_equal(table_find(t, "id"), 0);
    assert_int_equal(table_find(t, "amount"), 1);
    assert_int_equal(table_find(t, "Amount"), -1);
    assert_int_equal(table_find(t, "amoun"), -1);
    assert_int_equal(table_find(t, ""), -1);
    table_free(t);
}

static void test_table_set_null_marks_bitmap_and_counts(void **state)
{
    (void)state;
    table *t = table_new("t", 130);
    column *c = table_add_column(t, "x", COL_INT64, 0);
    const size_t nulls[] = {0, 63, 64, 129};
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(column_set_null(c, t->nrows, nulls[k]), 0);
    assert_non_null(c->valid);
    assert_int_equal(c->nnull, 4);
    assert_int_equal(column_set_null(c, t->nrows, 64), 0); /* twice is still one null */
    assert_int_equal(c->nnull, 4);
    for (size_t i = 0; i < 130; i++) {
        int is_null = i == 0 || i == 63 || i == 64 || i == 129;
        if (column_is_valid(c, i) == is_null) fail_msg("row %zu", i);
    }
    /* Row i is bit i % 64 of word i / 64: rows 0 and 63 in word 0, 64 in word 1, 129 in word 2. */
    assert_true(c->valid[0] == ~((uint64_t)1 | (uint64_t)1 << 63));
    assert_true((c->valid[1] & 1) == 0);
    assert_true((c->valid[2] >> 1 & 1) == 0);
    table_free(t);
}

/* Regression: column_set_null left the old value in the slot, against table.h's invariant. */
static void test_table_set_null_zeroes_the_slot(void **state)
{
    (void)state;
    table *t = table_new("t", 3);
    const col_type types[] = {COL_INT64, COL_FLOAT64, COL_DATE, COL_STRING, COL_BOOL};
    for (int k = 0; k < 5; k++)
        assert_non_null(table_add_column(t, "c", types[k], 0));
    /* Taken after all the adds: adding a column may move the column array. */
    column *i64 = &t->cols[0], *f64 = &t->cols[1], *day = &t->cols[2], *str = &t->cols[3],
           *flag = &t->cols[4];
    i64->v.i64[1] = 42;
    f64->v.f64[1] = 2.5;
    day->v.date[1] = 19936;
    str->v.code[1] = dict_intern(str->dict, "x", 1) + 7;
    flag->v.b[1] = 1;
    for (size_t k = 0; k < t->ncols; k++)
        assert_int_equal(column_set_null(&t->cols[k], 3, 1), 0);
    assert_int_equal(i64->v.i64[1], 0);
    assert_true(f64->v.f64[1] == 0.0);
    assert_int_equal(day->v.date[1], 0);
    assert_int_equal(str->v.code[1], 0);
    assert_int_equal(flag->v.b[1], 0);
    i64->v.i64[2] = 9; /* neighbours are untouched */
    assert_int_equal(column_set_null(i64, 3, 1), 0);
    assert_int_equal(i64->v.i64[2], 9);
    table_free(t);
}

static void test_table_column_number_by_type(void **state)
{
    (void)state;
    table *t = table_new("t", 2);
    table_add_column(t, "m", COL_DECIMAL, 2);
    table_add_column(t, "d", COL_DATE, 0);
    table_add_column(t, "ts", COL_TIMESTAMP, 0);
    table_add_column(t, "b", COL_BOOL, 0);
    table_add_column(t, "s", COL_STRING, 0);
    column *dec = &t->cols[0], *day = &t->cols[1], *ts = &t->cols[2], *flag = &t->cols[3],
           *str = &t->cols[4];
    dec->v.i64[0] = -12345;
    day->v.date[0] = -3;
    ts->v.i64[0] = 1722470400;
    flag->v.b[0] = 1;
    str->v.code[0] = dict_intern(str->dict, "5", 1);
    assert_true(column_number(dec, 0) == -123.45);
    assert_true(column_number(day, 0) == -3.0);
    assert_true(column_number(ts, 0) == 1722470400.0);
    assert_true(column_number(flag, 0) == 1.0);
    assert_true(column_number(str, 0) == 0.0);
    dec->v.i64[1] = 77;
    column_set_null(dec, 2, 1);
    assert_true(column_number(dec, 1) == 0.0);
    table_free(t);
}

static void test_table_pow10_exact_to_18(void **state)
{
    (void)state;
    assert_int_equal(table_pow10(0), 1);
    assert_int_equal(table_pow10(2), 100);
    assert_int_equal(table_pow10(9), 1000000000);
    assert_true(table_pow10(18) == INT64_C(1000000000000000000));
}

/* A one-column table of dates (INT32_MIN = null). */
static table *date_table(const int32_t *days, size_t n)
{
    table *t = table_new("orders", n);
    column *c = table_add_column(t, "day", COL_DATE, 0);
    for (size_t i = 0; i < n; i++) {
        if (days[i] == INT32_MIN)
            assert_int_equal(column_set_null(c, n, i), 0);
        else
            c->v.date[i] = days[i];
    }
    return t;
}

static void test_table_set_time_sorted_with_ties(void **state)
{
    (void)state;
    const int32_t days[] = {-5, 0, 0, 7, 7, 19936};
    table *t = date_table(days, 6);
    kpi_error err;
    assert_int_equal(table_set_time(t, "day", &err), 0);
    assert_int_equal(t->time_col, 0);
    assert_int_equal(t->time_sorted, 1);
    table_free(t);
}

static void test_table_set_time_unsorted(void **state)
{
    (void)state;
    const int32_t days[] = {1, 2, 3, 2, 4};
    table *t = date_table(days, 5);
    kpi_error err;
    assert_int_equal(table_set_time(t, "day", &err), 0);
    assert_int_equal(t->time_col, 0);
    assert_int_equal(t->time_sorted, 0);
    table_free(t);
}

static void test_table_set_time_with_a_null_is_not_sorted(void **state)
{
    (void)state;
    const int32_t days[] = {1, 2, INT32_MIN, 3};
    table *t = date_table(days, 4);
    kpi_error err;
    assert_int_equal(table_set_time(t, "day", &err), 0);
    assert_int_equal(t->time_sorted, 0);
    table_free(t);
}

static void test_table_set_time_on_timestamps(void **state)
{
    (void)state;
    table *t = table_new("events", 3);
    column *c = table_add_column(t, "at", COL_TIMESTAMP, 0);
    c->v.i64[0] = -1;
    c->v.i64[1] = INT64_C(5000000000); /* past 2^32: compared as int64, not truncated */
    c->v.i64[2] = INT64_C(5000000001);
    kpi_error err;
    assert_int_equal(table_set_time(t, "at", &err), 0);
    assert_int_equal(t->time_sorted, 1);
    /* Below row 1; compared as int32, row 1 (5000000000 - 2^32 = 705032704) would not be. */
    c->v.i64[2] = INT64_C(705032705);
    assert_int_equal(table_set_time(t, "at", &err), 0);
    assert_int_equal(t->time_sorted, 0);
    table_free(t);
}

static void test_table_set_time_empty_and_single_row_are_sorted(void **state)
{
    (void)state;
    kpi_error err;
    table *t = date_table(NULL, 0);
    assert_int_equal(table_set_time(t, "day", &err), 0);
    assert_int_equal(t->time_sorted, 1);
    table_free(t);
    const int32_t one[] = {3};
    t = date_table(one, 1);
    assert_int_equal(table_set_time(t, "day", &err), 0);
    assert_int_equal(t->time_sorted, 1);
    table_free(t);
}

static void test_table_set_time_missing_column_is_an_error(void **state)
{
    (void)state;
    const int32_t days[] = {1};
    table *t = date_table(days, 1);
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(table_set_time(t, "when", &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message, "time column 'when' not found in 'orders'");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    assert_int_equal(t->time_col, -1);
    table_free(t);
}

static void test_table_set_time_needs_dates_or_timestamps(void **state)
{
    (void)state;
    table *t = table_new("orders", 1);
    table_add_column(t, "amount", COL_FLOAT64, 0);
    table_add_column(t, "date", COL_STRING, 0);
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(table_set_time(t, "amount", &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message,
                        "time column 'amount' of 'orders' holds float values, not dates or "
                        "timestamps");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    assert_int_equal(table_set_time(t, "date", &err), -1);
    assert_non_null(strstr(err.message, "holds string values"));
    assert_int_equal(t->time_col, -1);
    table_free(t);
}

static void test_table_type_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"int", "float", "decimal", "date", "timestamp", "string", "bool"};
    for (int i = COL_INT64; i <= COL_BOOL; i++) {
        assert_string_equal(table_type_name((col_type)i), names[i]);
        col_type t = COL_BOOL;
        int scale = 5;
        assert_int_equal(table_type_parse(names[i], &t, &scale), 0);
        assert_int_equal(t, i);
        assert_int_equal(scale, -1);
    }
    assert_string_equal(table_type_name((col_type)99), "?");
}

static void test_table_type_parse_aliases_and_scales(void **state)
{
    (void)state;
    const struct {
        const char *text;
        col_type type;
        int scale;
    } cases[] = {
        {"integer", COL_INT64, -1},     {"number", COL_FLOAT64, -1},
        {"double", COL_FLOAT64, -1},    {"text", COL_STRING, -1},
        {"boolean", COL_BOOL, -1},      {"decimal(0)", COL_DECIMAL, 0},
        {"decimal(2)", COL_DECIMAL, 2}, {"decimal(9)", COL_DECIMAL, 9},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        col_type t;
        int scale;
        if (table_type_parse(cases[i].text, &t, &scale) != 0) fail_msg("%s", cases[i].text);
        assert_int_equal(t, cases[i].type);
        assert_int_equal(scale, cases[i].scale);
    }
}

/* Regression: sscanf("decimal(%d)") took spaces and signs, and overflowed on long numbers. */
static void test_table_type_parse_rejects_malformed(void **state)
{
    (void)state;
    const char *bad[] = {"decimal(10)",
                         "decimal(-1)",
                         "decimal( 2)",
                         "decimal(+2)",
                         "decimal(2 )",
                         "decimal(99999999999)",
                         "decimal(2",
                         "decimal(2)x",
                         "decimal()",
                         "decimal(",
                         "Decimal",
                         "INT",
                         "",
                         "float64",
                         "date "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        col_type t;
        int scale;
        if (table_type_parse(bad[i], &t, &scale) != -1) fail_msg("'%s' was accepted", bad[i]);
    }
}

static void test_table_memory_counts_arrays_bitmaps_and_dicts(void **state)
{
    (void)state;
    table *t = table_new("t", 1000);
    size_t base = table_memory(t);
    assert_true(base >= sizeof(table));
    column *c = table_add_column(t, "x", COL_INT64, 0);
    assert_int_equal(column_memory(c, 1000), 8000);
    column_set_null(c, 1000, 3);
    assert_int_equal(column_memory(&t->cols[0], 1000), 8000 + 16 * 8); /* ceil(1000/64) words */
    column *d = table_add_column(t, "d", COL_DATE, 0);
    assert_int_equal(column_memory(d, 1000), 4000);
    column *b = table_add_column(t, "b", COL_BOOL, 0);
    assert_int_equal(column_memory(b, 1000), 1000);
    column *s = table_add_column(t, "s", COL_STRING, 0);
    dict_intern(s->dict, "abc", 3);
    assert_int_equal(column_memory(s, 1000), 4000 + dict_memory(s->dict));
    assert_int_equal(table_memory(t), sizeof(table) + 4 * sizeof(column) + 8128 + 4000 + 1000 +
                                          4000 + dict_memory(s->dict));
    table_free(t);
}

static void test_table_out_of_memory_at_every_allocation_leaks_nothing(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        kpi_test_fail_after(n);
        table *t = table_new("t", 200);
        int ok = t && table_add_column(t, "a", COL_INT64, 0) &&
                 table_add_column(t, "s", COL_STRING, 0) &&
                 column_set_null(&t->cols[0], 200, 5) == 0 && table_add_column(t, "d", COL_DATE, 0);
        kpi_test_fail_after(-1);
        if (t) {
            /* Whatever was added is whole: names, arrays, dictionaries. */
            for (size_t i = 0; i < t->ncols; i++) {
                assert_non_null(t->cols[i].name);
                assert_non_null(t->cols[i].v.ptr);
                assert_true((t->cols[i].type == COL_STRING) == (t->cols[i].dict != NULL));
            }
        }
        table_free(t);
        if (ok) break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_new_has_no_columns_and_no_time),
        cmocka_unit_test(test_table_add_column_zero_filled_and_valid),
        cmocka_unit_test(test_table_add_column_to_empty_table),
        cmocka_unit_test(test_table_find_columns_by_exact_name),
        cmocka_unit_test(test_table_set_null_marks_bitmap_and_counts),
        cmocka_unit_test(test_table_set_null_zeroes_the_slot),
        cmocka_unit_test(test_table_column_number_by_type),
        cmocka_unit_test(test_table_pow10_exact_to_18),
        cmocka_unit_test(test_table_set_time_sorted_with_ties),
        cmocka_unit_test(test_table_set_time_unsorted),
        cmocka_unit_test(test_table_set_time_with_a_null_is_not_sorted),
        cmocka_unit_test(test_table_set_time_on_timestamps),
        cmocka_unit_test(test_table_set_time_empty_and_single_row_are_sorted),
        cmocka_unit_test(test_table_set_time_missing_column_is_an_error),
        cmocka_unit_test(test_table_set_time_needs_dates_or_timestamps),
        cmocka_unit_test(test_table_type_names_round_trip),
        cmocka_unit_test(test_table_type_parse_aliases_and_scales),
        cmocka_unit_test(test_table_type_parse_rejects_malformed),
        cmocka_unit_test(test_table_memory_counts_arrays_bitmaps_and_dicts),
        cmocka_unit_test_teardown(test_table_out_of_memory_at_every_allocation_leaks_nothing,
                                  allow_allocations),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
