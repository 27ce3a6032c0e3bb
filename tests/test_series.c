/*
** test_series.c -- keyed series: keys from groups in byte order, arithmetic aligned by
** key (missing, null, zero divisor and non-finite give no value), top, find and total.
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
/* The engine's allocations are checked through kpi_alloc.h; the test's own buffers use
   the C library. */
#undef malloc
#undef calloc
#undef realloc
#undef free

#include "agg.h"
#include "group.h"
#include "kpi_alloc.h"
#include "select.h"
#include "series.h"
#include "table.h"

/* A series of n keys (sorted by the caller); NAN marks no value. Keys are the series'. */
static series *make(const char *const *keys, const double *vals, size_t n)
{
    series *s = series_new(n);
    assert_non_null(s);
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++) {
        s->keys[i] = kpi_strdup(keys[i]);
        s->has[i] = !isnan(vals[i]);
        s->vals[i] = s->has[i] ? vals[i] : 0;
    }
    return s;
}

/* Assert s is exactly keys -> vals (NAN: present without a value). */
static void assert_series(const series *s, const char *const *keys, const double *vals, size_t n)
{
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(s->keys[i], keys[i]);
        if (isnan(vals[i])) {
            assert_false(s->has[i]);
        } else {
            assert_true(s->has[i]);
            if (!(fabs(s->vals[i] - vals[i]) <= 1e-12 * fmax(1, fabs(vals[i]))))
                fail_msg("%s: got %.17g, want %.17g", keys[i], s->vals[i], vals[i]);
        }
    }
}

static void test_series_new_has_room_and_no_values(void **state)
{
    (void)state;
    series *s = series_new(3);
    assert_int_equal(s->n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_null(s->keys[i]);
        assert_false(s->has[i]);
    }
    series_free(s);
    series *e = series_new(0);
    assert_int_equal(e->n, 0);
    series_free(e);
}

static void test_series_from_groups_sorts_keys_by_bytes(void **state)
{
    (void)state;
    const int64_t ids[] = {9, 10, -1, 9, 0};
    table *t = table_new("g", 5);
    column *c = table_add_column(t, "n", COL_INT64, 0);
    memcpy(c->v.i64, ids, sizeof ids);
    column_set_null(c, 5, 4);
    selection all;
    selection_all(t, &all);
    grouping g;
    kpi_error err;
    int col = 0;
    assert_int_equal(group_build(t, &all, &col, 1, &g, &err), 0);
    assert_int_equal(g.ngroups, 4); /* null, -1, 9, 10: numeric order */
    agg_value vals[4] = {{1, 0}, {2, 0}, {3, 0}, {0, 1}};
    series *s = series_from_groups(t, &g, vals, &err);
    assert_non_null(s);
    const char *keys[] = {"", "-1", "10", "9"};
    const double want[] = {1, 2, NAN, 3};
    assert_series(s, keys, want, 4);
    series_free(s);
    group_free(&g);
    table_free(t);
}

static void test_series_from_groups_with_two_keys(void **state)
{
    (void)state;
    table *t = table_new("g", 3);
    table_add_column(t, "a", COL_STRING, 0);
    table_add_column(t, "b", COL_INT64, 0);
    column *a = &t->cols[0], *b = &t->cols[1];
    const char *texts[] = {"x", "x", "y"};
    const int64_t nums[] = {2, 10, 1};
    for (size_t i = 0; i < 3; i++) {
        a->v.code[i] = dict_intern(a->dict, texts[i], 1);
        b->v.i64[i] = nums[i];
    }
    selection all;
    selection_all(t, &all);
    grouping g;
    kpi_error err;
    int cols[] = {0, 1};
    assert_int_equal(group_build(t, &all, cols, 2, &g, &err), 0);
    agg_value vals[3] = {{2, 0}, {10, 0}, {1, 0}};
    series *s = series_from_groups(t, &g, vals, &err);
    const char *keys[] = {"x|10", "x|2", "y|1"};
    const double want[] = {10, 2, 1};
    assert_series(s, keys, want, 3);
    series_free(s);
    group_free(&g);
    table_free(t);
}

static void test_series_from_groups_with_colliding_keys_is_error(void **state)
{
    (void)state;
    table *t = table_new("g", 2);
    column *c = table_add_column(t, "s", COL_STRING, 0);
    c->v.code[0] = dict_intern(c->dict, "", 0); /* an empty text ... */
    column_set_null(c, 2, 1);                   /* ... and a null both read "" */
    selection all;
    selection_all(t, &all);
    grouping g;
    kpi_error err;
    int col = 0;
    assert_int_equal(group_build(t, &all, &col, 1, &g, &err), 0);
    agg_value vals[2] = {{1, 0}, {2, 0}};
    assert_null(series_from_groups(t, &g, vals, &err));
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_non_null(strstr(err.message, "two groups have the same key ''"));
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    group_free(&g);
    table_free(t);
}

static void test_series_binop_aligns_by_key_union(void **state)
{
    (void)state;
    const char *ak[] = {"a", "b", "c"}, *bk[] = {"b", "c", "d"};
    const double av[] = {1, 2, 3}, bv[] = {10, 0, 5};
    series *a = make(ak, av, 3), *b = make(bk, bv, 3);
    kpi_error err;
    series *sum = series_binop(a, b, '+', &err), *quo = series_binop(a, b, '/', &err);
    series *dif = series_binop(b, a, '-', &err), *prod = series_binop(a, b, '*', &err);
    const char *keys[] = {"a", "b", "c", "d"};
    const double ws[] = {NAN, 12, 3, NAN}, wq[] = {NAN, 0.2, NAN, NAN}, wd[] = {NAN, 8, -3, NAN},
                 wp[] = {NAN, 20, 0, NAN};
    assert_series(sum, keys, ws, 4);
    assert_series(quo, keys, wq, 4); /* c: 3 / 0 has no value */
    assert_series(dif, keys, wd, 4);
    assert_series(prod, keys, wp, 4);
    series_free(a), series_free(b), series_free(sum), series_free(quo), series_free(dif),
        series_free(prod);
}

static void test_series_null_or_non_finite_gives_no_value(void **state)
{
    (void)state;
    const char *k[] = {"a", "b"};
    const double av[] = {NAN, 1e308}, bv[] = {4, 10};
    series *a = make(k, av, 2), *b = make(k, bv, 2);
    kpi_error err;
    series *p = series_binop(a, b, '*', &err);
    const double want[] = {NAN, NAN};
    assert_series(p, k, want, 2);
    series_free(a), series_free(b), series_free(p);
}

static void test_series_scalar_both_orders(void **state)
{
    (void)state;
    const char *k[] = {"a", "b", "c"};
    const double v[] = {4, 0, NAN};
    series *s = make(k, v, 3);
    kpi_error err;
    series *minus = series_scalar(s, 1, '-', 0, &err), *from = series_scalar(s, 1, '-', 1, &err);
    series *over = series_scalar(s, 2, '/', 1, &err), *by0 = series_scalar(s, 0, '/', 0, &err);
    const double wm[] = {3, -1, NAN}, wf[] = {-3, 1, NAN}, wo[] = {0.5, NAN, NAN},
                 wz[] = {NAN, NAN, NAN};
    assert_series(minus, k, wm, 3);
    assert_series(from, k, wf, 3);
    assert_series(over, k, wo, 3); /* 2 / 0 has no value */
    assert_series(by0, k, wz, 3);
    series_free(s), series_free(minus), series_free(from), series_free(over), series_free(by0);
}

static void test_series_unknown_operator_is_error(void **state)
{
    (void)state;
    const char *k[] = {"a"};
    const double v[] = {1};
    series *s = make(k, v, 1);
    kpi_error err;
    assert_null(series_binop(s, s, '%', &err));
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message, "unknown operator '%' on series");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    assert_null(series_scalar(s, 2, '^', 0, &err));
    assert_int_equal(err.kind, KPI_EUSAGE);
    series_free(s);
}

static void test_series_find_exact_keys(void **state)
{
    (void)state;
    const char *k[] = {"", "b", "bb", "c"};
    const double v[] = {1, 2, 3, 4};
    series *s = make(k, v, 4);
    assert_int_equal(series_find(s, "bb", 2), 2);
    assert_int_equal(series_find(s, "b", 1), 1);
    assert_int_equal(series_find(s, "bbx", 2), 2); /* only len bytes count */
    assert_int_equal(series_find(s, "", 0), 0);
    assert_int_equal(series_find(s, "a", 1), -1);
    assert_int_equal(series_find(s, "d", 1), -1);
    series_free(s);
}

static void test_series_top_by_value_then_key(void **state)
{
    (void)state;
    const char *k[] = {"a", "b", "c", "d", "e"};
    const double v[] = {5, 7, 7, NAN, 1};
    series *s = make(k, v, 5);
    kpi_error err;
    series *top3 = series_top(s, 3, &err), *top9 = series_top(s, 9, &err),
           *top0 = series_top(s, 0, &err);
    const char *k3[] = {"b", "c", "a"}, *k9[] = {"b", "c", "a", "e"};
    const double v3[] = {7, 7, 5}, v9[] = {7, 7, 5, 1};
    assert_series(top3, k3, v3, 3);
    assert_series(top9, k9, v9, 4);
    assert_int_equal(top0->n, 0);
    /* a top series is in value order; lookups and arithmetic still go by key */
    assert_int_equal(series_find(top9, "e", 1), 3);
    assert_int_equal(series_find(top9, "a", 1), 2);
    series *sum = series_binop(top3, s, '+', &err);
    const double ws[] = {10, 14, 14, NAN, NAN};
    assert_series(sum, k, ws, 5);
    series_free(s), series_free(top3), series_free(top9), series_free(top0), series_free(sum);
}

static void test_series_total_skips_no_values(void **state)
{
    (void)state;
    const char *k[] = {"a", "b", "c", "d"};
    const double v[] = {1e100, NAN, 1, -1e100};
    series *s = make(k, v, 4);
    int has = 0;
    assert_true(series_total(s, &has) == 1); /* compensated: a plain sum gives 0 */
    assert_true(has);
    series_free(s);
    const double none[] = {NAN, NAN};
    series *e = make(k, none, 2);
    has = 1;
    assert_true(series_total(e, &has) == 0);
    assert_false(has);
    series_free(e);
}

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

static void test_series_out_of_memory_fails_cleanly(void **state)
{
    (void)state;
    const char *ak[] = {"a", "b", "c"}, *bk[] = {"b", "c", "d"};
    const double av[] = {1, 2, 3}, bv[] = {10, 0, 5};
    series *a = make(ak, av, 3), *b = make(bk, bv, 3);
    for (int op = 0; op < 3; op++) {
        series *r = NULL;
        for (long n = 0; !r; n++) {
            kpi_error err;
            kpi_test_fail_after(n);
            r = op == 0   ? series_binop(a, b, '+', &err)
                : op == 1 ? series_scalar(a, 2, '*', 0, &err)
                          : series_top(b, 2, &err);
            kpi_test_fail_after(-1);
            if (!r) assert_int_equal(err.kind, KPI_ENOMEM);
        }
        series_free(r);
    }
    series_free(a), series_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series_new_has_room_and_no_values),
        cmocka_unit_test(test_series_from_groups_sorts_keys_by_bytes),
        cmocka_unit_test(test_series_from_groups_with_two_keys),
        cmocka_unit_test(test_series_from_groups_with_colliding_keys_is_error),
        cmocka_unit_test(test_series_binop_aligns_by_key_union),
        cmocka_unit_test(test_series_null_or_non_finite_gives_no_value),
        cmocka_unit_test(test_series_scalar_both_orders),
        cmocka_unit_test(test_series_unknown_operator_is_error),
        cmocka_unit_test(test_series_find_exact_keys),
        cmocka_unit_test(test_series_top_by_value_then_key),
        cmocka_unit_test(test_series_total_skips_no_values),
        cmocka_unit_test_teardown(test_series_out_of_memory_fails_cleanly, allow_allocations),
    };
    return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
