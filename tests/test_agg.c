/*
** test_agg.c -- aggregation kernels against sqlite3 on the same rows, plus hand-checked
** medians and quantiles (sqlite3 has none built in), overflow, nulls and empty input.
*/
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* The engine's allocations are checked through kpi_alloc.h; the test's own buffers (and
   testutil's, which is built without the test allocator) use the C library. */
#undef malloc
#undef calloc
#undef realloc
#undef free

#include "agg.h"
#include "group.h"
#include "kpi_alloc.h"
#include "select.h"
#include "table.h"
#include "testutil.h"

#define NROWS     3000
#define DAY_2024  19723 /* 2024-01-01: 54 * 365 + 13 leap days after 1970-01-01 */
#define SETUP_LEN 1200

enum { C_ID, C_AMOUNT, C_PRICE, C_CHANNEL, C_DAY, C_FLAG, C_TS };

static const char *const channels[] = {"ads", "email", "Email", "social", "tiktok", "zalo",
                                       "a",   "ab",    "b",     "search", "sms",    "ví"};

typedef struct fixture {
    table *t;
    char setup[SETUP_LEN]; /* the sqlite3 dot command importing the same rows as t */
} fixture;

static uint64_t rng;

static uint64_t splitmix64(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t n)
{
    return splitmix64() % n;
}

/* Day d of 2024 (0-based) as YYYY-MM-DD, computed here, not by date.c. */
static void day_text(int d, char *buf)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m = 0;
    while (d >= mdays[m])
        d -= mdays[m++];
    sprintf(buf, "2024-%02d-%02d", m + 1, d + 1);
}

static void csv_row(FILE *f, const table *t, size_t r)
{
    const column *c = t->cols;
    char buf[32];
    if (column_is_valid(&c[C_ID], r)) fprintf(f, "%" PRId64, c[C_ID].v.i64[r]);
    fputc(',', f);
    if (column_is_valid(&c[C_AMOUNT], r)) {
        int64_t v = c[C_AMOUNT].v.i64[r], mag = v < 0 ? -v : v;
        fprintf(f, "%s%" PRId64 ".%02" PRId64, v < 0 ? "-" : "", mag / 100, mag % 100);
    }
    fputc(',', f);
    if (column_is_valid(&c[C_PRICE], r)) fprintf(f, "%.17g", c[C_PRICE].v.f64[r]);
    fputc(',', f);
    if (column_is_valid(&c[C_CHANNEL], r))
        fputs(dict_str(c[C_CHANNEL].dict, c[C_CHANNEL].v.code[r]), f);
    fputc(',', f);
    if (column_is_valid(&c[C_DAY], r)) day_text(c[C_DAY].v.date[r] - DAY_2024, buf), fputs(buf, f);
    fputc(',', f);
    if (column_is_valid(&c[C_FLAG], r)) fputs(c[C_FLAG].v.b[r] ? "true" : "false", f);
    fputc(',', f);
    if (column_is_valid(&c[C_TS], r)) {
        int64_t s = c[C_TS].v.i64[r] - (int64_t)DAY_2024 * 86400;
        day_text((int)(s / 86400), buf);
        s %= 86400;
        fprintf(f, "%s %02d:%02d:%02d", buf, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    }
    fputc('\n', f);
}

static void fill_row(table *t, size_t r)
{
    column *c = t->cols;
    c[C_ID].v.i64[r] = (int64_t)rnd(1051) - 50;
    c[C_AMOUNT].v.i64[r] = (int64_t)rnd(10100001) - 100000;
    c[C_PRICE].v.f64[r] = (double)rnd(1000000) / 1000.0 + (double)rnd(7) * 1e-9;
    const char *ch = channels[rnd(sizeof channels / sizeof *channels)];
    c[C_CHANNEL].v.code[r] = dict_intern(c[C_CHANNEL].dict, ch, strlen(ch));
    c[C_DAY].v.date[r] = DAY_2024 + (int32_t)rnd(366);
    c[C_FLAG].v.b[r] = (uint8_t)rnd(2);
    c[C_TS].v.i64[r] = (int64_t)DAY_2024 * 86400 + (int64_t)rnd(366 * 86400);
    for (int k = C_ID; k <= C_TS; k++)
        if (rnd(100) < 6) assert_int_equal(column_set_null(&c[k], t->nrows, r), 0);
}

static int setup_random(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    rng = 42;
    fx->t = table_new("orders", NROWS);
    table_add_column(fx->t, "id", COL_INT64, 0);
    table_add_column(fx->t, "amount", COL_DECIMAL, 2);
    table_add_column(fx->t, "price", COL_FLOAT64, 0);
    table_add_column(fx->t, "channel", COL_STRING, 0);
    table_add_column(fx->t, "day", COL_DATE, 0);
    table_add_column(fx->t, "flag", COL_BOOL, 0);
    table_add_column(fx->t, "ts", COL_TIMESTAMP, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/agg.csv", tu_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("id,amount,price,channel,day,flag,ts\n", f);
    for (size_t r = 0; r < NROWS; r++) {
        fill_row(fx->t, r);
        csv_row(f, fx->t, r);
    }
    fclose(f);
    /* the dict caches its byte order on first use; build it here so that cache is the
       fixture's allocation, not a leak of whichever test first asks for it */
    assert_non_null(dict_rank(fx->t->cols[C_CHANNEL].dict));
    snprintf(fx->setup, sizeof fx->setup,
             ".import --csv %s raw\n"
             "CREATE VIEW t AS SELECT rowid - 1 AS r, CAST(NULLIF(id,'') AS INTEGER) AS id,"
             " CAST(REPLACE(NULLIF(amount,''),'.','') AS INTEGER) AS cents,"
             " CAST(NULLIF(price,'') AS REAL) AS price, NULLIF(channel,'') AS channel,"
             " NULLIF(day,'') AS day, NULLIF(flag,'') AS flag, NULLIF(ts,'') AS ts FROM raw;",
             path);
    *state = fx;
    return 0;
}

static int teardown_random(void **state)
{
    fixture *fx = *state;
    table_free(fx->t);
    free(fx);
    return 0;
}

static double oracle(const fixture *fx, const char *sql)
{
    return tu_oracle(":memory:", fx->setup, sql);
}

static agg_value run1(const table *t, const selection *sel, agg_kind kind, int col, double q)
{
    agg_value v = {-1, -1};
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(agg_run(t, sel, NULL, kind, col, q, &v, &err), 0);
    return v;
}

static agg_value run_all(const table *t, agg_kind kind, int col, double q)
{
    selection all;
    selection_all(t, &all);
    return run1(t, &all, kind, col, q);
}

static void assert_near(double got, double want)
{
    if (!tu_close(got, want, 1e-9)) fail_msg("got %.17g, want %.17g", got, want);
}

/* ---- ungrouped, against sqlite3 ----------------------------------------------------- */

static void test_agg_count_counts_rows_with_nulls(void **state)
{
    fixture *fx = *state;
    agg_value v = run_all(fx->t, AGG_COUNT, -1, 0);
    assert_false(v.is_null);
    assert_true(v.value == oracle(fx, "SELECT COUNT(*) FROM t;"));
}

static void test_agg_sum_int_matches_sqlite(void **state)
{
    fixture *fx = *state;
    agg_value v = run_all(fx->t, AGG_SUM, C_ID, 0);
    assert_false(v.is_null);
    assert_true(v.value == oracle(fx, "SELECT SUM(id) FROM t;"));
}

static void test_agg_sum_decimal_is_exact(void **state)
{
    fixture *fx = *state;
    agg_value v = run_all(fx->t, AGG_SUM, C_AMOUNT, 0);
    /* both sides: the exact sum of cents, divided by 100 once */
    assert_true(v.value == oracle(fx, "SELECT SUM(cents) / 100.0 FROM t;"));
}

static void test_agg_sum_float_matches_sqlite(void **state)
{
    fixture *fx = *state;
    assert_near(run_all(fx->t, AGG_SUM, C_PRICE, 0).value, oracle(fx, "SELECT SUM(price) FROM t;"));
}

static void test_agg_sum_bool_counts_true(void **state)
{
    fixture *fx = *state;
    assert_true(run_all(fx->t, AGG_SUM, C_FLAG, 0).value ==
                oracle(fx, "SELECT COUNT(*) FROM t WHERE flag = 'true';"));
}

static void test_agg_avg_matches_sqlite(void **state)
{
    fixture *fx = *state;
    assert_near(run_all(fx->t, AGG_AVG, C_ID, 0).value, oracle(fx, "SELECT AVG(id) FROM t;"));
    assert_near(run_all(fx->t, AGG_AVG, C_AMOUNT, 0).value,
                oracle(fx, "SELECT AVG(cents) / 100.0 FROM t;"));
    assert_near(run_all(fx->t, AGG_AVG, C_PRICE, 0).value, oracle(fx, "SELECT AVG(price) FROM t;"));
}

static void test_agg_min_max_match_sqlite(void **state)
{
    fixture *fx = *state;
    assert_true(run_all(fx->t, AGG_MIN, C_ID, 0).value == oracle(fx, "SELECT MIN(id) FROM t;"));
    assert_true(run_all(fx->t, AGG_MAX, C_ID, 0).value == oracle(fx, "SELECT MAX(id) FROM t;"));
    assert_true(run_all(fx->t, AGG_MIN, C_AMOUNT, 0).value ==
                oracle(fx, "SELECT MIN(cents) / 100.0 FROM t;"));
    assert_true(run_all(fx->t, AGG_MAX, C_AMOUNT, 0).value ==
                oracle(fx, "SELECT MAX(cents) / 100.0 FROM t;"));
    assert_near(run_all(fx->t, AGG_MIN, C_PRICE, 0).value, oracle(fx, "SELECT MIN(price) FROM t;"));
    assert_near(run_all(fx->t, AGG_MAX, C_PRICE, 0).value, oracle(fx, "SELECT MAX(price) FROM t;"));
}

static void test_agg_min_max_of_dates_are_day_numbers(void **state)
{
    fixture *fx = *state;
    assert_true(run_all(fx->t, AGG_MIN, C_DAY, 0).value ==
                oracle(fx, "SELECT julianday(MIN(day)) - 2440587.5 FROM t;"));
    assert_true(run_all(fx->t, AGG_MAX, C_DAY, 0).value ==
                oracle(fx, "SELECT julianday(MAX(day)) - 2440587.5 FROM t;"));
    assert_true(run_all(fx->t, AGG_MAX, C_TS, 0).value ==
                oracle(fx, "SELECT unixepoch(MAX(ts)) FROM t;"));
}

static void test_agg_distinct_matches_sqlite(void **state)
{
    fixture *fx = *state;
    assert_true(run_all(fx->t, AGG_DISTINCT, C_CHANNEL, 0).value ==
                oracle(fx, "SELECT COUNT(DISTINCT channel) FROM t;"));
    assert_true(run_all(fx->t, AGG_DISTINCT, C_ID, 0).value ==
                oracle(fx, "SELECT COUNT(DISTINCT id) FROM t;"));
    assert_true(run_all(fx->t, AGG_DISTINCT, C_DAY, 0).value ==
                oracle(fx, "SELECT COUNT(DISTINCT day) FROM t;"));
    assert_true(run_all(fx->t, AGG_DISTINCT, C_PRICE, 0).value ==
                oracle(fx, "SELECT COUNT(DISTINCT price) FROM t;"));
    assert_true(run_all(fx->t, AGG_DISTINCT, C_FLAG, 0).value == 2);
}

/* The value sqlite3 sorts to position pos (0-based) among the non-null values of expr. */
static double nth_value(const fixture *fx, const char *expr, long pos)
{
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM t WHERE %s IS NOT NULL ORDER BY 1 LIMIT 1 OFFSET %ld;", expr, expr,
             pos);
    return oracle(fx, sql);
}

/* quantile_cont computed from sqlite3's sort: lerp between positions floor and ceil. */
static double sorted_quantile(const fixture *fx, const char *expr, double q)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(%s) FROM t;", expr);
    long n = (long)oracle(fx, sql);
    double pos = q * (double)(n - 1);
    long lo = (long)floor(pos);
    double a = nth_value(fx, expr, lo), b = pos > lo ? nth_value(fx, expr, lo + 1) : a;
    return a + (pos - lo) * (b - a);
}

static void test_agg_median_matches_sqlite_sort(void **state)
{
    fixture *fx = *state;
    assert_near(run_all(fx->t, AGG_MEDIAN, C_ID, 0).value, sorted_quantile(fx, "id", 0.5));
    assert_near(run_all(fx->t, AGG_MEDIAN, C_PRICE, 0).value, sorted_quantile(fx, "price", 0.5));
    assert_near(run_all(fx->t, AGG_MEDIAN, C_AMOUNT, 0).value,
                sorted_quantile(fx, "cents", 0.5) / 100.0);
}

static void test_agg_quantiles_match_sqlite_sort(void **state)
{
    fixture *fx = *state;
    const double qs[] = {0, 0.1, 0.25, 0.333, 0.9, 1};
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        assert_near(run_all(fx->t, AGG_QUANTILE, C_ID, qs[i]).value,
                    sorted_quantile(fx, "id", qs[i]));
        assert_near(run_all(fx->t, AGG_QUANTILE, C_AMOUNT, qs[i]).value,
                    sorted_quantile(fx, "cents", qs[i]) / 100.0);
    }
}

static void test_agg_on_row_list_matches_sqlite(void **state)
{
    fixture *fx = *state;
    selection sel = {kpi_array_alloc(NROWS, sizeof(uint32_t)), 0, 0, 0};
    for (uint32_t r = 0; r < NROWS; r += 3)
        sel.rows[sel.n++] = r;
    assert_true(run1(fx->t, &sel, AGG_SUM, C_AMOUNT, 0).value ==
                oracle(fx, "SELECT SUM(cents) / 100.0 FROM t WHERE r % 3 = 0;"));
    assert_true(run1(fx->t, &sel, AGG_COUNT, -1, 0).value ==
                oracle(fx, "SELECT COUNT(*) FROM t WHERE r % 3 = 0;"));
    assert_true(run1(fx->t, &sel, AGG_DISTINCT, C_ID, 0).value ==
                oracle(fx, "SELECT COUNT(DISTINCT id) FROM t WHERE r % 3 = 0;"));
    assert_true(run1(fx->t, &sel, AGG_MAX, C_ID, 0).value ==
                oracle(fx, "SELECT MAX(id) FROM t WHERE r % 3 = 0;"));
    selection_free(&sel);
}

/* ---- grouped, against sqlite3 --------------------------------------------------------- */

/* Run kind over t grouped by cols; compare each group with the row of `sql` in order
   (sqlite3 orders NULL first and text by bytes, as groups are ordered). Each row of sql
   is "key|value" where key is "k1" or "k1|k2". */
static void check_grouped(const fixture *fx, const int *cols, int ncols, agg_kind kind, int col,
                          double scale, const char *sql)
{
    selection all;
    selection_all(fx->t, &all);
    grouping g;
    kpi_error err;
    assert_int_equal(group_build(fx->t, &all, cols, ncols, &g, &err), 0);
    agg_value *out = calloc(g.ngroups, sizeof *out);
    assert_int_equal(agg_run(fx->t, &all, &g, kind, col, 0.5, out, &err), 0);
    char *text = tu_oracle_text(":memory:", fx->setup, sql), *line = text, *next;
    size_t k = 0;
    for (; line && *line; line = next, k++) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char key[128];
        group_key_text(fx->t, &g, k, key, sizeof key);
        char *bar = strrchr(line, '|');
        *bar = '\0';
        assert_string_equal(key, line);
        assert_true(k < g.ngroups);
        if (bar[1] == '\0')
            assert_true(out[k].is_null);
        else
            assert_near(out[k].value, strtod(bar + 1, NULL) / scale);
    }
    assert_int_equal(k, g.ngroups);
    free(text);
    free(out);
    group_free(&g);
}

static void test_agg_grouped_sum_by_string_matches_sqlite(void **state)
{
    int cols[] = {C_CHANNEL};
    check_grouped(
        *state, cols, 1, AGG_SUM, C_AMOUNT, 100,
        "SELECT IFNULL(channel, ''), SUM(cents) FROM t GROUP BY channel ORDER BY channel;");
}

static void test_agg_grouped_count_by_int_matches_sqlite(void **state)
{
    int cols[] = {C_ID};
    check_grouped(*state, cols, 1, AGG_COUNT, -1, 1,
                  "SELECT IFNULL(id, ''), COUNT(*) FROM t GROUP BY id ORDER BY id;");
}

static void test_agg_grouped_by_two_keys_matches_sqlite(void **state)
{
    int cols[] = {C_CHANNEL, C_FLAG};
    check_grouped(*state, cols, 2, AGG_SUM, C_ID, 1,
                  "SELECT IFNULL(channel, '') || '|' || IFNULL(flag, ''), SUM(id) FROM t"
                  " GROUP BY channel, flag ORDER BY channel, flag;");
}

static void test_agg_grouped_avg_min_max_distinct_match_sqlite(void **state)
{
    int cols[] = {C_CHANNEL};
    const char *order = " FROM t GROUP BY channel ORDER BY channel;";
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT IFNULL(channel, ''), AVG(price)%s", order);
    check_grouped(*state, cols, 1, AGG_AVG, C_PRICE, 1, sql);
    snprintf(sql, sizeof sql, "SELECT IFNULL(channel, ''), MIN(id)%s", order);
    check_grouped(*state, cols, 1, AGG_MIN, C_ID, 1, sql);
    snprintf(sql, sizeof sql, "SELECT IFNULL(channel, ''), MAX(cents)%s", order);
    check_grouped(*state, cols, 1, AGG_MAX, C_AMOUNT, 100, sql);
    snprintf(sql, sizeof sql, "SELECT IFNULL(channel, ''), COUNT(DISTINCT id)%s", order);
    check_grouped(*state, cols, 1, AGG_DISTINCT, C_ID, 1, sql);
}

static void test_agg_grouped_distinct_strings_matches_sqlite(void **state)
{
    int cols[] = {C_DAY};
    check_grouped(
        *state, cols, 1, AGG_DISTINCT, C_CHANNEL, 1,
        "SELECT IFNULL(day, ''), COUNT(DISTINCT channel) FROM t GROUP BY day ORDER BY day;");
}

static void test_agg_grouped_median_of_each_group(void **state)
{
    fixture *fx = *state;
    int cols[] = {C_FLAG};
    selection all;
    selection_all(fx->t, &all);
    grouping g;
    kpi_error err;
    assert_int_equal(group_build(fx->t, &all, cols, 1, &g, &err), 0);
    assert_int_equal(g.ngroups, 3); /* null, false, true */
    agg_value out[3];
    assert_int_equal(agg_run(fx->t, &all, &g, AGG_MEDIAN, C_ID, 0, out, &err), 0);
    const char *where[] = {"flag IS NULL", "flag = 'false'", "flag = 'true'"};
    for (int k = 0; k < 3; k++) {
        char n_sql[200], v_sql[300];
        snprintf(n_sql, sizeof n_sql, "SELECT COUNT(id) FROM t WHERE %s;", where[k]);
        long n = (long)oracle(fx, n_sql);
        snprintf(v_sql, sizeof v_sql,
                 "SELECT AVG(id) FROM (SELECT id FROM t WHERE %s AND id IS NOT NULL ORDER BY id"
                 " LIMIT %ld OFFSET %ld);",
                 where[k], 2 - n % 2, (n - 1) / 2);
        assert_near(out[k].value, oracle(fx, v_sql));
    }
    group_free(&g);
}

/* ---- hand-made inputs ------------------------------------------------------------- */

/* A one-column table of the given values; NAN marks a null. */
static table *int_table(const double *vals, size_t n, col_type type, int scale)
{
    table *t = table_new("hand", n);
    column *c = table_add_column(t, "amount", type, scale);
    for (size_t i = 0; i < n; i++) {
        if (isnan(vals[i]))
            column_set_null(c, n, i);
        else if (type == COL_FLOAT64)
            c->v.f64[i] = vals[i];
        else
            c->v.i64[i] = (int64_t)vals[i];
    }
    return t;
}

static void test_agg_median_even_count_is_mean_of_middle_two(void **state)
{
    (void)state;
    const double v[] = {4, 1, 3, 2};
    table *t = int_table(v, 4, COL_INT64, 0);
    assert_true(run_all(t, AGG_MEDIAN, 0, 0).value == 2.5);
    table_free(t);
}

static void test_agg_median_odd_count_is_middle(void **state)
{
    (void)state;
    const double v[] = {7, NAN, 1, 100, 3, 3};
    table *t = int_table(v, 6, COL_INT64, 0);
    assert_true(run_all(t, AGG_MEDIAN, 0, 0).value == 3); /* 1 3 3 7 100 */
    table_free(t);
}

static void test_agg_quantile_interpolates_linearly(void **state)
{
    (void)state;
    const double v[] = {3, 1, 4, 2};
    table *t = int_table(v, 4, COL_INT64, 0);
    assert_true(run_all(t, AGG_QUANTILE, 0, 0.25).value == 1.75);
    assert_true(run_all(t, AGG_QUANTILE, 0, 0).value == 1);
    assert_true(run_all(t, AGG_QUANTILE, 0, 1).value == 4);
    assert_true(run_all(t, AGG_QUANTILE, 0, 0.5).value == 2.5);
    assert_true(run_all(t, AGG_QUANTILE, 0, 0.9).value == 3.7); /* pos 2.7: 3 + 0.7 */
    table_free(t);
}

static void test_agg_median_of_decimals_is_scaled(void **state)
{
    (void)state;
    const double v[] = {125, 250}; /* 1.25 and 2.50 */
    table *t = int_table(v, 2, COL_DECIMAL, 2);
    assert_true(run_all(t, AGG_MEDIAN, 0, 0).value == 1.875);
    table_free(t);
}

static void test_agg_median_of_negative_floats(void **state)
{
    (void)state;
    const double v[] = {-0.5, -2.25, 10, -0.0, 0.0};
    table *t = int_table(v, 5, COL_FLOAT64, 0);
    assert_true(run_all(t, AGG_MEDIAN, 0, 0).value == 0); /* -2.25 -0.5 0 0 10 */
    assert_true(run_all(t, AGG_MIN, 0, 0).value == -2.25);
    assert_true(run_all(t, AGG_DISTINCT, 0, 0).value == 4); /* -0.0 is 0.0 */
    table_free(t);
}

static void test_agg_median_with_many_equal_values(void **state)
{
    (void)state;
    size_t n = 10001;
    double *v = malloc(n * sizeof *v);
    size_t below = 0;
    for (size_t i = 0; i < n; i++)
        v[i] = (double)(i % 7), below += i % 7 < 3;
    /* residues 0,1,2 fill 4287 slots (1429 each), so the 5001st value is a 3 */
    assert_int_equal(below, 4287);
    table *t = int_table(v, n, COL_INT64, 0);
    assert_true(run_all(t, AGG_MEDIAN, 0, 0).value == 3);
    table_free(t);
    free(v);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Enough values to take the radix sort path, spread over negative and large numbers. */
static void test_agg_distinct_of_many_ints(void **state)
{
    (void)state;
    size_t n = 50000;
    table *t = table_new("many", n);
    column *c = table_add_column(t, "id", COL_INT64, 0);
    int64_t *copy = malloc(n * sizeof *copy);
    for (size_t i = 0; i < n; i++) {
        c->v.i64[i] = ((int64_t)rnd(30000) - 15000) * 1000003 * (rnd(2) ? 1 : 1000000);
        copy[i] = c->v.i64[i];
    }
    qsort(copy, n, sizeof *copy, cmp_i64);
    size_t want = 0;
    for (size_t i = 0; i < n; i++)
        want += i == 0 || copy[i] != copy[i - 1];
    assert_true(run_all(t, AGG_DISTINCT, 0, 0).value == (double)want);
    free(copy);
    table_free(t);
}

/* Many groups times many strings: counted from sorted (group, code) pairs, not flags. */
static void test_agg_grouped_distinct_of_many_strings(void **state)
{
    (void)state;
    size_t n = 20000, ngroups = 100, nstrings = 5000;
    table *t = table_new("many", n);
    table_add_column(t, "g", COL_INT64, 0);
    table_add_column(t, "s", COL_STRING, 0);
    column *gc = &t->cols[0], *sc = &t->cols[1];
    uint8_t *seen = calloc(ngroups * nstrings, 1);
    for (size_t i = 0; i < n; i++) {
        size_t k = rnd(ngroups), v = rnd(nstrings);
        char text[16];
        snprintf(text, sizeof text, "s%zu", v);
        gc->v.i64[i] = (int64_t)k;
        sc->v.code[i] = dict_intern(sc->dict, text, strlen(text));
        seen[k * nstrings + v] = 1;
    }
    selection all;
    selection_all(t, &all);
    grouping g;
    kpi_error err;
    int col = 0;
    assert_int_equal(group_build(t, &all, &col, 1, &g, &err), 0);
    assert_int_equal(g.ngroups, ngroups);
    agg_value out[100];
    assert_int_equal(agg_run(t, &all, &g, AGG_DISTINCT, 1, 0, out, &err), 0);
    for (size_t k = 0; k < ngroups; k++) {
        size_t want = 0;
        for (size_t v = 0; v < nstrings; v++)
            want += seen[k * nstrings + v];
        assert_true(out[k].value == (double)want);
    }
    free(seen);
    group_free(&g);
    table_free(t);
}

static void test_agg_quantile_outside_0_1_is_usage_error(void **state)
{
    (void)state;
    const double v[] = {1, 2};
    table *t = int_table(v, 2, COL_INT64, 0);
    selection all;
    selection_all(t, &all);
    agg_value out;
    kpi_error err;
    assert_int_equal(agg_run(t, &all, NULL, AGG_QUANTILE, 0, 1.5, &out, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_non_null(strstr(err.message, "between 0 and 1, not 1.5"));
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    assert_int_equal(agg_run(t, &all, NULL, AGG_QUANTILE, 0, -0.1, &out, &err), -1);
    assert_int_equal(agg_run(t, &all, NULL, AGG_QUANTILE, 0, NAN, &out, &err), -1);
    table_free(t);
}

static void test_agg_sum_overflow_is_range_error(void **state)
{
    (void)state;
    const double v[] = {9.2e18, 9.2e18};
    table *t = int_table(v, 2, COL_INT64, 0);
    selection all;
    selection_all(t, &all);
    agg_value out;
    kpi_error err;
    assert_int_equal(agg_run(t, &all, NULL, AGG_SUM, 0, 0, &out, &err), -1);
    assert_int_equal(err.kind, KPI_ERANGE);
    assert_string_equal(err.message, "sum of 'amount' overflows");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    assert_int_equal(agg_run(t, &all, NULL, AGG_AVG, 0, 0, &out, &err), -1);
    assert_int_equal(err.kind, KPI_ERANGE);
    table_free(t);
}

static void test_agg_sum_near_int64_max_is_exact(void **state)
{
    (void)state;
    table *t = table_new("big", 3);
    column *c = table_add_column(t, "n", COL_INT64, 0);
    c->v.i64[0] = INT64_MAX - 10;
    c->v.i64[1] = 7;
    c->v.i64[2] = -20;
    /* the exact integer sum, rounded once to a double (not three rounded partial sums) */
    assert_true(run_all(t, AGG_SUM, 0, 0).value == (double)(INT64_MAX - 23));
    table_free(t);
}

static void test_agg_float_sum_is_compensated(void **state)
{
    (void)state;
    const double v[] = {1.0, 1e100, 1.0, -1e100};
    table *t = int_table(v, 4, COL_FLOAT64, 0);
    assert_true(run_all(t, AGG_SUM, 0, 0).value == 2.0); /* a plain sum gives 0 */
    table_free(t);
}

static void test_agg_nulls_are_skipped_but_counted_by_count(void **state)
{
    (void)state;
    const double v[] = {NAN, 10, NAN, 20};
    table *t = int_table(v, 4, COL_INT64, 0);
    assert_true(run_all(t, AGG_SUM, 0, 0).value == 30);
    assert_true(run_all(t, AGG_AVG, 0, 0).value == 15);
    assert_true(run_all(t, AGG_COUNT, 0, 0).value == 4);
    assert_true(run_all(t, AGG_DISTINCT, 0, 0).value == 2);
    assert_true(run_all(t, AGG_MIN, 0, 0).value == 10);
    table_free(t);
}

static void test_agg_all_null_column_gives_null(void **state)
{
    (void)state;
    const double v[] = {NAN, NAN};
    table *t = int_table(v, 2, COL_INT64, 0);
    for (agg_kind k = AGG_SUM; k <= AGG_MAX; k++)
        assert_true(run_all(t, k, 0, 0).is_null);
    assert_true(run_all(t, AGG_MEDIAN, 0, 0).is_null);
    assert_false(run_all(t, AGG_DISTINCT, 0, 0).is_null);
    assert_true(run_all(t, AGG_DISTINCT, 0, 0).value == 0);
    table_free(t);
}

static void test_agg_over_no_rows_is_null_and_count_zero(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3};
    table *t = int_table(v, 3, COL_INT64, 0);
    selection none = {NULL, 0, 1, 1};
    for (agg_kind k = AGG_SUM; k < AGG_NKINDS; k++) {
        if (k == AGG_DISTINCT) continue;
        assert_true(run1(t, &none, k, 0, 0.5).is_null);
    }
    agg_value c = run1(t, &none, AGG_COUNT, 0, 0);
    assert_false(c.is_null);
    assert_true(c.value == 0);
    table_free(t);
}

static void test_agg_grouped_over_no_groups_writes_nothing(void **state)
{
    (void)state;
    const double v[] = {1, 2};
    table *t = int_table(v, 2, COL_INT64, 0);
    selection none = {NULL, 0, 0, 0};
    grouping g;
    kpi_error err;
    int col = 0;
    assert_int_equal(group_build(t, &none, &col, 1, &g, &err), 0);
    assert_int_equal(g.ngroups, 0);
    agg_value out = {42, 0};
    for (agg_kind k = AGG_COUNT; k < AGG_NKINDS; k++)
        assert_int_equal(agg_run(t, &none, &g, k, 0, 0.5, &out, &err), 0);
    assert_true(out.value == 42);
    group_free(&g);
    table_free(t);
}

static void test_agg_text_column_type_errors(void **state)
{
    fixture *fx = *state;
    selection all;
    selection_all(fx->t, &all);
    agg_value out;
    kpi_error err;
    assert_int_equal(agg_run(fx->t, &all, NULL, AGG_SUM, C_CHANNEL, 0, &out, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message, "cannot sum text column 'channel'");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    assert_int_equal(agg_run(fx->t, &all, NULL, AGG_AVG, C_DAY, 0, &out, &err), -1);
    assert_string_equal(err.message, "cannot average date column 'day'");
    assert_int_equal(agg_run(fx->t, &all, NULL, AGG_MEDIAN, C_CHANNEL, 0, &out, &err), -1);
    assert_string_equal(err.message, "cannot take the median of text column 'channel'");
    assert_int_equal(agg_run(fx->t, &all, NULL, AGG_MAX, C_CHANNEL, 0, &out, &err), -1);
    assert_int_equal(agg_run(fx->t, &all, NULL, AGG_SUM, 99, 0, &out, &err), -1);
    assert_non_null(strstr(err.message, "no column number 99"));
    /* kernels called directly check the same */
    assert_int_equal(agg_builtins[AGG_SUM].kernel(fx->t, &all, NULL, C_CHANNEL, 0, &out, &err), -1);
    assert_string_equal(err.message, "cannot sum text column 'channel'");
}

static void test_agg_count_ignores_column(void **state)
{
    fixture *fx = *state;
    assert_true(run_all(fx->t, AGG_COUNT, -1, 0).value == NROWS);
    assert_true(run_all(fx->t, AGG_COUNT, C_CHANNEL, 0).value == NROWS);
}

static void test_agg_registry_rows_match_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < AGG_NKINDS; k++) {
        assert_int_equal(agg_builtins[k].kind, k);
        assert_ptr_equal(agg_lookup(agg_builtins[k].name), &agg_builtins[k]);
        assert_non_null(agg_builtins[k].kernel);
        assert_non_null(strstr(agg_builtins[k].signature, agg_builtins[k].name));
        assert_true(strlen(agg_builtins[k].doc) > 10);
    }
    assert_null(agg_lookup("mode"));
    assert_int_equal(agg_lookup("count")->takes_column, 0);
    assert_int_equal(agg_lookup("quantile")->takes_fraction, 1);
    assert_int_equal(agg_lookup("sum")->takes_fraction, 0);
}

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

static void test_agg_out_of_memory_fails_cleanly(void **state)
{
    fixture *fx = *state;
    selection all;
    selection_all(fx->t, &all);
    grouping g;
    kpi_error err;
    int col = C_CHANNEL;
    assert_int_equal(group_build(fx->t, &all, &col, 1, &g, &err), 0);
    agg_value *out = calloc(g.ngroups, sizeof *out);
    const int cols[] = {C_AMOUNT, C_PRICE, C_ID, C_CHANNEL};
    for (agg_kind kind = AGG_COUNT; kind < AGG_NKINDS; kind++) {
        for (size_t c = 0; c < 4; c++) {
            if (cols[c] == C_CHANNEL && kind != AGG_DISTINCT) continue;
            for (int grouped = 0; grouped < 2; grouped++) {
                for (long n = 0;; n++) {
                    kpi_test_fail_after(n);
                    int rc =
                        agg_run(fx->t, &all, grouped ? &g : NULL, kind, cols[c], 0.3, out, &err);
                    kpi_test_fail_after(-1);
                    if (rc == 0) break;
                    assert_int_equal(err.kind, KPI_ENOMEM);
                }
            }
        }
    }
    free(out);
    group_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agg_count_counts_rows_with_nulls),
        cmocka_unit_test(test_agg_sum_int_matches_sqlite),
        cmocka_unit_test(test_agg_sum_decimal_is_exact),
        cmocka_unit_test(test_agg_sum_float_matches_sqlite),
        cmocka_unit_test(test_agg_sum_bool_counts_true),
        cmocka_unit_test(test_agg_avg_matches_sqlite),
        cmocka_unit_test(test_agg_min_max_match_sqlite),
        cmocka_unit_test(test_agg_min_max_of_dates_are_day_numbers),
        cmocka_unit_test(test_agg_distinct_matches_sqlite),
        cmocka_unit_test(test_agg_median_matches_sqlite_sort),
        cmocka_unit_test(test_agg_quantiles_match_sqlite_sort),
        cmocka_unit_test(test_agg_on_row_list_matches_sqlite),
        cmocka_unit_test(test_agg_grouped_sum_by_string_matches_sqlite),
        cmocka_unit_test(test_agg_grouped_count_by_int_matches_sqlite),
        cmocka_unit_test(test_agg_grouped_by_two_keys_matches_sqlite),
        cmocka_unit_test(test_agg_grouped_avg_min_max_distinct_match_sqlite),
        cmocka_unit_test(test_agg_grouped_distinct_strings_matches_sqlite),
        cmocka_unit_test(test_agg_grouped_median_of_each_group),
        cmocka_unit_test(test_agg_median_even_count_is_mean_of_middle_two),
        cmocka_unit_test(test_agg_median_odd_count_is_middle),
        cmocka_unit_test(test_agg_quantile_interpolates_linearly),
        cmocka_unit_test(test_agg_median_of_decimals_is_scaled),
        cmocka_unit_test(test_agg_median_of_negative_floats),
        cmocka_unit_test(test_agg_median_with_many_equal_values),
        cmocka_unit_test(test_agg_distinct_of_many_ints),
        cmocka_unit_test(test_agg_grouped_distinct_of_many_strings),
        cmocka_unit_test(test_agg_quantile_outside_0_1_is_usage_error),
        cmocka_unit_test(test_agg_sum_overflow_is_range_error),
        cmocka_unit_test(test_agg_sum_near_int64_max_is_exact),
        cmocka_unit_test(test_agg_float_sum_is_compensated),
        cmocka_unit_test(test_agg_nulls_are_skipped_but_counted_by_count),
        cmocka_unit_test(test_agg_all_null_column_gives_null),
        cmocka_unit_test(test_agg_over_no_rows_is_null_and_count_zero),
        cmocka_unit_test(test_agg_grouped_over_no_groups_writes_nothing),
        cmocka_unit_test(test_agg_text_column_type_errors),
        cmocka_unit_test(test_agg_count_ignores_column),
        cmocka_unit_test(test_agg_registry_rows_match_kinds),
        cmocka_unit_test_teardown(test_agg_out_of_memory_fails_cleanly, allow_allocations),
    };
    return cmocka_run_group_tests(tests, setup_random, teardown_random);
}
