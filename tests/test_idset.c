/*
** test_idset.c -- id sets: building from string and integer columns (nulls dropped,
** repeats merged), set algebra on known sets, sets outliving their tables, and a
** "new customers" count against sqlite3's EXCEPT.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* The engine's allocations are checked through kpi_alloc.h; the test's own buffers (and
   testutil's, built without the test allocator) use the C library. */
#undef malloc
#undef calloc
#undef realloc
#undef free

#include "idset.h"
#include "kpi_alloc.h"
#include "select.h"
#include "table.h"
#include "testutil.h"

#define NONE INT64_MIN /* marks a null in int_table's input */

static table *string_table(const char *const *texts, size_t n)
{
    table *t = table_new("s", n);
    column *c = table_add_column(t, "customer", COL_STRING, 0);
    for (size_t i = 0; i < n; i++) {
        if (texts[i])
            c->v.code[i] = dict_intern(c->dict, texts[i], strlen(texts[i]));
        else
            column_set_null(c, n, i);
    }
    return t;
}

static table *int_table(const int64_t *vals, size_t n, col_type type)
{
    table *t = table_new("i", n);
    column *c = table_add_column(t, "customer", type, type == COL_DECIMAL ? 2 : 0);
    for (size_t i = 0; i < n; i++) {
        if (vals[i] == NONE)
            column_set_null(c, n, i);
        else if (type == COL_DATE)
            c->v.date[i] = (int32_t)vals[i];
        else
            c->v.i64[i] = vals[i];
    }
    return t;
}

static idset *set_of(const table *t)
{
    selection all;
    selection_all(t, &all);
    kpi_error err;
    idset *s = idset_from_column(t, &all, 0, &err);
    if (!s) fail_msg("%s", err.message);
    return s;
}

static idset *ints(const int64_t *vals, size_t n)
{
    table *t = int_table(vals, n, COL_INT64);
    idset *s = set_of(t);
    table_free(t); /* the set keeps its own copy */
    return s;
}

static idset *strs(const char *const *texts, size_t n)
{
    table *t = string_table(texts, n);
    idset *s = set_of(t);
    table_free(t);
    return s;
}

static void assert_ints(const idset *s, const int64_t *want, size_t n)
{
    assert_int_equal(idset_count(s), n);
    for (size_t i = 0; i < n; i++)
        assert_true(idset_has_int(s, want[i]));
}

static void test_idset_from_strings_drops_nulls_and_repeats(void **state)
{
    (void)state;
    const char *texts[] = {"C002", NULL, "C001", "C002", "c001", "C10"};
    idset *s = strs(texts, 6);
    assert_int_equal(idset_count(s), 4);
    assert_true(idset_has_string(s, "C001", 4));
    assert_true(idset_has_string(s, "c001", 4));
    assert_true(idset_has_string(s, "C10", 3));
    assert_false(idset_has_string(s, "C1", 2));
    assert_false(idset_has_string(s, "C0020", 5));
    assert_false(idset_has_string(s, "", 0));
    assert_false(idset_has_int(s, 1));
    idset_free(s);
}

static void test_idset_from_ints_sorts_and_merges_repeats(void **state)
{
    (void)state;
    const int64_t vals[] = {5, -3, NONE, 5, 1000000000000, -3, INT64_MAX, 0};
    idset *s = ints(vals, 8);
    const int64_t want[] = {-3, 0, 5, 1000000000000, INT64_MAX};
    assert_ints(s, want, 5);
    assert_false(idset_has_int(s, 4));
    assert_false(idset_has_string(s, "5", 1));
    idset_free(s);
}

static void test_idset_over_a_row_list(void **state)
{
    (void)state;
    const int64_t vals[] = {1, 2, 3, 4, 5, 6};
    table *t = int_table(vals, 6, COL_INT64);
    selection sel = {kpi_array_alloc(2, sizeof(uint32_t)), 2, 0, 0};
    sel.rows[0] = 1, sel.rows[1] = 4;
    kpi_error err;
    idset *s = idset_from_column(t, &sel, 0, &err);
    const int64_t want[] = {2, 5};
    assert_ints(s, want, 2);
    idset_free(s);
    selection_free(&sel);
    table_free(t);
}

static void test_idset_int_algebra_on_known_sets(void **state)
{
    (void)state;
    const int64_t av[] = {1, 2, 3, 5}, bv[] = {7, 5, 2};
    idset *a = ints(av, 4), *b = ints(bv, 3);
    kpi_error err;
    idset *d = idset_diff(a, b, &err), *i = idset_intersect(a, b, &err),
          *u = idset_union(a, b, &err);
    const int64_t dw[] = {1, 3}, iw[] = {2, 5}, uw[] = {1, 2, 3, 5, 7};
    assert_ints(d, dw, 2);
    assert_ints(i, iw, 2);
    assert_ints(u, uw, 5);
    assert_false(idset_has_int(d, 2));
    idset *bd = idset_diff(b, a, &err);
    const int64_t bdw[] = {7};
    assert_ints(bd, bdw, 1);
    idset_free(a), idset_free(b), idset_free(d), idset_free(i), idset_free(u), idset_free(bd);
}

static void test_idset_string_algebra_across_tables(void **state)
{
    (void)state;
    /* different tables, different dictionaries and codes: sets compare by text */
    const char *at[] = {"ann", "bob", "cy", "bob"}, *bt[] = {"dee", "cy", "ann", "zed", NULL};
    idset *a = strs(at, 4), *b = strs(bt, 5);
    kpi_error err;
    idset *d = idset_diff(a, b, &err), *i = idset_intersect(a, b, &err),
          *u = idset_union(a, b, &err);
    assert_int_equal(idset_count(d), 1);
    assert_true(idset_has_string(d, "bob", 3));
    assert_int_equal(idset_count(i), 2);
    assert_true(idset_has_string(i, "ann", 3));
    assert_true(idset_has_string(i, "cy", 2));
    assert_int_equal(idset_count(u), 5);
    const char *all[] = {"ann", "bob", "cy", "dee", "zed"};
    for (size_t k = 0; k < 5; k++)
        assert_true(idset_has_string(u, all[k], strlen(all[k])));
    /* retention: (cur * prev):count() / prev:count() */
    assert_int_equal(idset_count(i) * 4, idset_count(b) * 2);
    idset_free(a), idset_free(b), idset_free(d), idset_free(i), idset_free(u);
}

/* Sets of one table combine code by code, outlive it, and then meet another table's set. */
static void test_idset_same_table_sets_outlive_it_and_meet_other_tables(void **state)
{
    (void)state;
    const char *texts[] = {"ann", "bob", "cy", "dee", "bob", "eve"};
    table *t = string_table(texts, 6);
    selection first = {NULL, 3, 0, 3}, rest = {NULL, 3, 3, 6};
    kpi_error err;
    idset *a = idset_from_column(t, &first, 0, &err), *b = idset_from_column(t, &rest, 0, &err);
    assert_non_null(a);
    assert_non_null(b);
    table_free(t); /* the sets hold the dictionary */
    idset *fresh = idset_diff(b, a, &err), *both = idset_union(a, b, &err);
    assert_int_equal(idset_count(fresh), 2); /* dee, eve */
    assert_true(idset_has_string(fresh, "eve", 3));
    assert_false(idset_has_string(fresh, "bob", 3));
    assert_int_equal(idset_count(both), 5);
    const char *other[] = {"eve", "zed", "dee", "ann"};
    idset *o = strs(other, 4);
    idset *i = idset_intersect(fresh, o, &err), *u = idset_union(o, both, &err);
    assert_int_equal(idset_count(i), 2);
    assert_true(idset_has_string(i, "dee", 3));
    assert_true(idset_has_string(i, "eve", 3));
    assert_int_equal(idset_count(u), 6);
    assert_true(idset_has_string(u, "zed", 3));
    idset_free(a), idset_free(b), idset_free(fresh), idset_free(both);
    idset_free(o), idset_free(i), idset_free(u);
}

static void test_idset_with_empty_sets(void **state)
{
    (void)state;
    const int64_t none[] = {NONE, NONE}, some[] = {4, 2};
    idset *e = ints(none, 2), *s = ints(some, 2);
    kpi_error err;
    assert_int_equal(idset_count(e), 0);
    idset *x = idset_union(e, s, &err), *y = idset_intersect(s, e, &err),
          *z = idset_diff(s, e, &err);
    idset *w = idset_diff(e, s, &err);
    assert_int_equal(idset_count(x), 2);
    assert_int_equal(idset_count(y), 0);
    assert_int_equal(idset_count(z), 2);
    assert_int_equal(idset_count(w), 0);
    idset_free(e), idset_free(s), idset_free(x), idset_free(y), idset_free(z), idset_free(w);
    const char *no_text[] = {NULL};
    idset *es = strs(no_text, 1);
    assert_int_equal(idset_count(es), 0);
    assert_false(idset_has_string(es, "", 0));
    idset_free(es);
}

static void test_idset_mixing_text_and_numbers_is_error(void **state)
{
    (void)state;
    const int64_t v[] = {1};
    const char *texts[] = {"1"};
    idset *a = ints(v, 1), *b = strs(texts, 1);
    kpi_error err;
    assert_null(idset_union(a, b, &err));
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message, "cannot combine ids of text and number columns");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    assert_null(idset_diff(b, a, &err));
    assert_null(idset_intersect(a, b, &err));
    idset_free(a), idset_free(b);
}

static void test_idset_from_date_column_is_integer_set(void **state)
{
    (void)state;
    const int64_t days[] = {19936, -1, 19936, NONE};
    table *t = int_table(days, 4, COL_DATE);
    idset *s = set_of(t);
    const int64_t want[] = {-1, 19936};
    assert_ints(s, want, 2);
    idset_free(s);
    table_free(t);
}

static void test_idset_from_decimal_or_float_is_error(void **state)
{
    (void)state;
    const int64_t v[] = {1};
    table *t = int_table(v, 1, COL_DECIMAL);
    selection all;
    selection_all(t, &all);
    kpi_error err;
    assert_null(idset_from_column(t, &all, 0, &err));
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(
        err.message, "column 'customer' holds decimal numbers; ids must be text or whole numbers");
    assert_int_equal(err.line, 0);
    assert_null(idset_from_column(t, &all, 3, &err));
    assert_non_null(strstr(err.message, "no column number 3"));
    table_free(t);
}

static uint64_t rng = 11;

static uint64_t rnd(uint64_t n)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) % n;
}

/* new customers of a period: ids during it minus ids before it, as sqlite3's EXCEPT. */
static void check_new_customers(col_type type)
{
    size_t n = 4000, cut = 2500;
    table *t = table_new("orders", n);
    table_add_column(t, "customer", type, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/ids.csv", tu_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("customer\n", f);
    column *c = &t->cols[0];
    for (size_t r = 0; r < n; r++) {
        int64_t id = (int64_t)rnd(1500) - 700;
        char text[32];
        snprintf(text, sizeof text, "C%" PRId64, id);
        if (type == COL_STRING)
            c->v.code[r] = dict_intern(c->dict, text, strlen(text));
        else
            c->v.i64[r] = id;
        if (rnd(40) == 0) column_set_null(c, n, r);
        if (column_is_valid(c, r)) fputs(type == COL_STRING ? text : text + 1, f);
        fputc('\n', f);
    }
    fclose(f);
    selection before = {NULL, cut, 0, cut}, during = {NULL, n - cut, cut, n};
    kpi_error err;
    idset *b = idset_from_column(t, &before, 0, &err), *d = idset_from_column(t, &during, 0, &err);
    idset *fresh = idset_diff(d, b, &err), *kept = idset_intersect(d, b, &err);
    char setup[700], sql[400];
    snprintf(setup, sizeof setup,
             ".import --csv %s raw\n"
             "CREATE VIEW t AS SELECT rowid - 1 AS r, NULLIF(customer, '') AS c FROM raw;",
             path);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM (SELECT c FROM t WHERE r >= %zu AND c IS NOT NULL"
             " EXCEPT SELECT c FROM t WHERE r < %zu);",
             cut, cut);
    assert_int_equal(idset_count(fresh), (size_t)tu_oracle(":memory:", setup, sql));
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM (SELECT c FROM t WHERE r >= %zu AND c IS NOT NULL"
             " INTERSECT SELECT c FROM t WHERE r < %zu);",
             cut, cut);
    assert_int_equal(idset_count(kept), (size_t)tu_oracle(":memory:", setup, sql));
    snprintf(sql, sizeof sql, "SELECT COUNT(DISTINCT c) FROM t WHERE r < %zu;", cut);
    assert_int_equal(idset_count(b), (size_t)tu_oracle(":memory:", setup, sql));
    idset_free(b), idset_free(d), idset_free(fresh), idset_free(kept);
    table_free(t);
}

static void test_idset_new_customers_match_sqlite_except_for_text_ids(void **state)
{
    (void)state;
    check_new_customers(COL_STRING);
}

static void test_idset_new_customers_match_sqlite_except_for_int_ids(void **state)
{
    (void)state;
    check_new_customers(COL_INT64);
}

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

static void test_idset_out_of_memory_fails_cleanly(void **state)
{
    (void)state;
    const char *texts[] = {"b", "a", NULL, "c"};
    const int64_t vals[] = {3, 1, NONE, 2};
    table *ts = string_table(texts, 4), *ti = int_table(vals, 4, COL_INT64);
    assert_non_null(dict_sorted(ts->cols[0].dict));
    selection all;
    selection_all(ts, &all);
    idset *s = NULL, *i = NULL, *u = NULL;
    kpi_error err;
    for (long n = 0; !s || !i; n++) {
        idset_free(s), idset_free(i);
        kpi_test_fail_after(n);
        s = idset_from_column(ts, &all, 0, &err);
        i = idset_from_column(ti, &all, 0, &err);
        kpi_test_fail_after(-1);
        if (!s || !i) assert_int_equal(err.kind, KPI_ENOMEM);
    }
    for (long n = 0; !u; n++) {
        kpi_test_fail_after(n);
        u = idset_union(s, s, &err);
        kpi_test_fail_after(-1);
        if (!u) assert_int_equal(err.kind, KPI_ENOMEM);
    }
    assert_int_equal(idset_count(u), 3);
    idset_free(s), idset_free(i), idset_free(u);
    table_free(ts), table_free(ti);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idset_from_strings_drops_nulls_and_repeats),
        cmocka_unit_test(test_idset_from_ints_sorts_and_merges_repeats),
        cmocka_unit_test(test_idset_over_a_row_list),
        cmocka_unit_test(test_idset_int_algebra_on_known_sets),
        cmocka_unit_test(test_idset_string_algebra_across_tables),
        cmocka_unit_test(test_idset_same_table_sets_outlive_it_and_meet_other_tables),
        cmocka_unit_test(test_idset_with_empty_sets),
        cmocka_unit_test(test_idset_mixing_text_and_numbers_is_error),
        cmocka_unit_test(test_idset_from_date_column_is_integer_set),
        cmocka_unit_test(test_idset_from_decimal_or_float_is_error),
        cmocka_unit_test(test_idset_new_customers_match_sqlite_except_for_text_ids),
        cmocka_unit_test(test_idset_new_customers_match_sqlite_except_for_int_ids),
        cmocka_unit_test_teardown(test_idset_out_of_memory_fails_cleanly, allow_allocations),
    };
    return cmocka_run_group_tests_name("idset", tests, NULL, NULL);
}
