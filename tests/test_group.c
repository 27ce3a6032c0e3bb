/*
** test_group.c -- grouping: key order (bytes for strings, numeric for numbers, null
** first), two keys, key text of every type, and group sizes against sqlite3's GROUP BY.
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

#include "group.h"
#include "kpi_alloc.h"
#include "select.h"
#include "table.h"
#include "testutil.h"

static uint64_t rng = 5;

static uint64_t rnd(uint64_t n)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) % n;
}

/* A table of one string column holding texts[i]; NULL marks a null. */
static table *string_table(const char *const *texts, size_t n)
{
    table *t = table_new("s", n);
    column *c = table_add_column(t, "channel", COL_STRING, 0);
    for (size_t i = 0; i < n; i++) {
        if (texts[i])
            c->v.code[i] = dict_intern(c->dict, texts[i], strlen(texts[i]));
        else
            column_set_null(c, n, i);
    }
    return t;
}

static grouping group_all(const table *t, const int *cols, int ncols)
{
    selection all;
    selection_all(t, &all);
    grouping g;
    kpi_error err;
    kpi_error_clear(&err);
    if (group_build(t, &all, cols, ncols, &g, &err) != 0) fail_msg("%s", err.message);
    return g;
}

static void assert_keys(const table *t, const grouping *g, const char *const *want, size_t n)
{
    assert_int_equal(g->ngroups, n);
    for (size_t k = 0; k < n; k++) {
        char key[64];
        group_key_text(t, g, k, key, sizeof key);
        assert_string_equal(key, want[k]);
    }
}

static void test_group_strings_in_byte_order_null_first(void **state)
{
    (void)state;
    const char *texts[] = {"email", "ads", NULL, "Email", "ads", "ví", "b", NULL, "email"};
    table *t = string_table(texts, 9);
    int col = 0;
    grouping g = group_all(t, &col, 1);
    const char *want[] = {"", "Email", "ads", "b", "email", "ví"};
    assert_keys(t, &g, want, 6);
    const uint32_t gid[] = {4, 2, 0, 1, 2, 5, 3, 0, 4};
    for (size_t i = 0; i < 9; i++)
        assert_int_equal(g.gid[i], gid[i]);
    assert_int_equal(g.first_row[2], 1); /* "ads" first appears at row 1 */
    assert_int_equal(g.first_row[0], 2);
    group_free(&g);
    table_free(t);
}

static void test_group_ints_in_numeric_order(void **state)
{
    (void)state;
    const int64_t vals[] = {10, 9, -1, 10, INT64_MIN, INT64_MAX, 0};
    table *t = table_new("n", 7);
    column *c = table_add_column(t, "n", COL_INT64, 0);
    memcpy(c->v.i64, vals, sizeof vals);
    column_set_null(c, 7, 6);
    int col = 0;
    grouping g = group_all(t, &col, 1);
    const char *want[] = {"", "-9223372036854775808", "-1", "9", "10", "9223372036854775807"};
    assert_keys(t, &g, want, 6);
    assert_int_equal(g.gid[0], g.gid[3]);
    group_free(&g);
    table_free(t);
}

static void test_group_by_two_keys_orders_pairs(void **state)
{
    (void)state;
    table *t = table_new("two", 6);
    table_add_column(t, "channel", COL_STRING, 0);
    table_add_column(t, "flag", COL_BOOL, 0);
    column *s = &t->cols[0], *b = &t->cols[1]; /* adding a column may move the others */
    const char *texts[] = {"b", "a", "b", "a", "b", "a"};
    const uint8_t flags[] = {1, 1, 0, 1, 1, 0};
    for (size_t i = 0; i < 6; i++) {
        s->v.code[i] = dict_intern(s->dict, texts[i], 1);
        b->v.b[i] = flags[i];
    }
    column_set_null(b, 6, 5);
    int cols[] = {0, 1};
    grouping g = group_all(t, cols, 2);
    const char *want[] = {"a|", "a|true", "b|false", "b|true"};
    assert_keys(t, &g, want, 4);
    const uint32_t gid[] = {3, 1, 2, 1, 3, 0};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(g.gid[i], gid[i]);
    assert_int_equal(g.nkeys, 2);
    group_free(&g);
    table_free(t);
}

static void test_group_key_text_of_each_type(void **state)
{
    (void)state;
    table *t = table_new("types", 2);
    table_add_column(t, "d", COL_DATE, 0);
    table_add_column(t, "ts", COL_TIMESTAMP, 0);
    table_add_column(t, "dec", COL_DECIMAL, 2);
    table_add_column(t, "neg", COL_DECIMAL, 3);
    column *c = t->cols;
    c[0].v.date[0] = 19936;                  /* 2024-08-01 */
    c[1].v.i64[0] = 19936LL * 86400 + 37805; /* 10:30:05 */
    c[2].v.i64[0] = 1250;                    /* 12.50 */
    c[3].v.i64[0] = -5;                      /* -0.005 */
    c[0].v.date[1] = -1;                     /* 1969-12-31 */
    c[1].v.i64[1] = -1;                      /* 1969-12-31 23:59:59 */
    c[2].v.i64[1] = -100;                    /* -1.00 */
    column_set_null(&c[3], 2, 1);
    int pairs[][2] = {{0, 1}, {2, 3}};
    const char *want[][2] = {{"1969-12-31|1969-12-31 23:59:59", "2024-08-01|2024-08-01 10:30:05"},
                             {"-1.00|", "12.50|-0.005"}};
    for (int p = 0; p < 2; p++) {
        grouping g = group_all(t, pairs[p], 2);
        assert_keys(t, &g, want[p], 2);
        group_free(&g);
    }
    table_free(t);
}

static void test_group_key_text_truncates_like_snprintf(void **state)
{
    (void)state;
    const char *texts[] = {"marketing"};
    table *t = string_table(texts, 1);
    int col = 0;
    grouping g = group_all(t, &col, 1);
    char buf[5] = "xxxx";
    assert_int_equal(group_key_text(t, &g, 0, buf, sizeof buf), 9);
    assert_string_equal(buf, "mark");
    assert_int_equal(group_key_text(t, &g, 0, NULL, 0), 9);
    group_free(&g);
    table_free(t);
}

static void test_group_by_float_is_error(void **state)
{
    (void)state;
    table *t = table_new("f", 2);
    table_add_column(t, "price", COL_FLOAT64, 0);
    selection all;
    selection_all(t, &all);
    grouping g;
    kpi_error err;
    int col = 0;
    assert_int_equal(group_build(t, &all, &col, 1, &g, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message, "cannot group by float column 'price'");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    int three[] = {0, 0, 0};
    assert_int_equal(group_build(t, &all, three, 3, &g, &err), -1);
    assert_non_null(strstr(err.message, "1 or 2 columns"));
    col = 7;
    assert_int_equal(group_build(t, &all, &col, 1, &g, &err), -1);
    assert_non_null(strstr(err.message, "no column number 7"));
    table_free(t);
}

static void test_group_empty_selection_has_no_groups(void **state)
{
    (void)state;
    const char *texts[] = {"a", "b"};
    table *t = string_table(texts, 2);
    selection none = {NULL, 0, 1, 1};
    grouping g;
    kpi_error err;
    int col = 0;
    assert_int_equal(group_build(t, &none, &col, 1, &g, &err), 0);
    assert_int_equal(g.ngroups, 0);
    char buf[8];
    assert_int_equal(group_key_text(t, &g, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    group_free(&g);
    table_free(t);
}

static void test_group_on_row_list_selection(void **state)
{
    (void)state;
    const char *texts[] = {"x", "y", "z", "y", "x", "w"};
    table *t = string_table(texts, 6);
    selection sel = {kpi_array_alloc(3, sizeof(uint32_t)), 3, 0, 0};
    sel.rows[0] = 1, sel.rows[1] = 3, sel.rows[2] = 4; /* y y x */
    grouping g;
    kpi_error err;
    int col = 0;
    assert_int_equal(group_build(t, &sel, &col, 1, &g, &err), 0);
    const char *want[] = {"x", "y"};
    assert_keys(t, &g, want, 2);
    assert_int_equal(g.gid[0], 1);
    assert_int_equal(g.gid[2], 0);
    assert_int_equal(g.first_row[1], 1);
    assert_int_equal(g.first_row[0], 4);
    group_free(&g);
    selection_free(&sel);
    table_free(t);
}

/* Random rows with many distinct keys; group sizes and order against sqlite3. */
static void test_group_sizes_match_sqlite(void **state)
{
    (void)state;
    size_t n = 6000;
    table *t = table_new("r", n);
    table_add_column(t, "id", COL_INT64, 0);
    table_add_column(t, "day", COL_DATE, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/group.csv", tu_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("id,day\n", f);
    for (size_t r = 0; r < n; r++) {
        t->cols[0].v.i64[r] = (int64_t)rnd(5000) - 2500;
        t->cols[1].v.date[r] = (int32_t)rnd(3);
        if (rnd(50) == 0) column_set_null(&t->cols[0], n, r);
        if (column_is_valid(&t->cols[0], r)) fprintf(f, "%" PRId64, t->cols[0].v.i64[r]);
        fprintf(f, ",%d\n", t->cols[1].v.date[r]);
    }
    fclose(f);
    int cols[] = {1, 0};
    grouping g = group_all(t, cols, 2);
    size_t *size = calloc(g.ngroups, sizeof *size);
    for (size_t i = 0; i < n; i++)
        size[g.gid[i]]++;
    char setup[700];
    snprintf(setup, sizeof setup, ".import --csv %s t", path);
    char *text =
        tu_oracle_text(":memory:", setup,
                       "SELECT CAST(day AS INTEGER) AS d, CAST(NULLIF(id, '') AS INTEGER) AS i,"
                       " COUNT(*) FROM t GROUP BY d, i ORDER BY d, i;");
    char *line = text, *next;
    size_t k = 0;
    for (; *line; line = next, k++) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        else
            next = line + strlen(line);
        assert_true(k < g.ngroups);
        int32_t day = t->cols[1].v.date[g.first_row[k]];
        char want[100];
        if (column_is_valid(&t->cols[0], g.first_row[k]))
            snprintf(want, sizeof want, "%d|%" PRId64 "|%zu", day, t->cols[0].v.i64[g.first_row[k]],
                     size[k]);
        else
            snprintf(want, sizeof want, "%d||%zu", day, size[k]);
        assert_string_equal(line, want);
    }
    assert_int_equal(k, g.ngroups);
    free(text);
    free(size);
    group_free(&g);
    table_free(t);
}

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

static void test_group_out_of_memory_fails_cleanly(void **state)
{
    (void)state;
    size_t n = 3000;
    table *t = table_new("r", n);
    table_add_column(t, "id", COL_INT64, 0);
    table_add_column(t, "s", COL_STRING, 0);
    for (size_t r = 0; r < n; r++) {
        t->cols[0].v.i64[r] = (int64_t)rnd(2000); /* enough keys to grow the hash table */
        char text[8];
        snprintf(text, sizeof text, "k%d", (int)rnd(50));
        t->cols[1].v.code[r] = dict_intern(t->cols[1].dict, text, strlen(text));
    }
    assert_non_null(dict_sorted(t->cols[1].dict));
    selection all;
    selection_all(t, &all);
    int cols[] = {1, 0};
    grouping g;
    for (long k = 0;; k++) {
        kpi_error err;
        kpi_test_fail_after(k);
        int rc = group_build(t, &all, cols, 2, &g, &err);
        kpi_test_fail_after(-1);
        if (rc == 0) break;
        assert_int_equal(err.kind, KPI_ENOMEM);
        assert_null(g.gid);
    }
    assert_true(g.ngroups > 1000);
    group_free(&g);
    table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_strings_in_byte_order_null_first),
        cmocka_unit_test(test_group_ints_in_numeric_order),
        cmocka_unit_test(test_group_by_two_keys_orders_pairs),
        cmocka_unit_test(test_group_key_text_of_each_type),
        cmocka_unit_test(test_group_key_text_truncates_like_snprintf),
        cmocka_unit_test(test_group_by_float_is_error),
        cmocka_unit_test(test_group_empty_selection_has_no_groups),
        cmocka_unit_test(test_group_on_row_list_selection),
        cmocka_unit_test(test_group_sizes_match_sqlite),
        cmocka_unit_test_teardown(test_group_out_of_memory_fails_cleanly, allow_allocations),
    };
    return cmocka_run_group_tests_name("group", tests, NULL, NULL);
}
