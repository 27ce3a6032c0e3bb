/*
** test_select.c -- filters on every column type against sqlite3 running the same WHERE
** on the same rows (compared by count, sum and sum of squares of the row numbers),
** operand errors, and time filters on sorted and unsorted time columns.
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
   testutil's, built without the test allocator) use the C library. */
#undef malloc
#undef calloc
#undef realloc
#undef free

#include "kpi_alloc.h"
#include "select.h"
#include "table.h"
#include "testutil.h"

#define NROWS    3000
#define DAY_2024 19723 /* 2024-01-01: 54 * 365 + 13 leap days after 1970-01-01 */

enum { C_ID, C_AMOUNT, C_PRICE, C_CHANNEL, C_DAY, C_FLAG, C_TS };

static const char *const channels[] = {"ads", "email", "Email", "social", "tiktok", "zalo",
                                       "a",   "ab",    "b",     "search", "sms",    "ví"};

typedef struct fixture {
    table *t;
    char setup[1200];
} fixture;

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return (z ^ (z >> 31)) % n;
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

static void csv_row(FILE *f, const column *c, size_t r)
{
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
    if (column_is_valid(&c[C_DAY], r)) {
        day_text(c[C_DAY].v.date[r] - DAY_2024, buf);
        fputs(buf, f);
    }
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
    c[C_AMOUNT].v.i64[r] = (int64_t)rnd(601) - 300; /* -3.00 .. 3.00: values repeat */
    c[C_PRICE].v.f64[r] = (double)rnd(100000) / 1000.0 + (double)rnd(7) * 1e-9;
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
    rng = 7;
    fx->t = table_new("orders", NROWS);
    table_add_column(fx->t, "id", COL_INT64, 0);
    table_add_column(fx->t, "amount", COL_DECIMAL, 2);
    table_add_column(fx->t, "price", COL_FLOAT64, 0);
    table_add_column(fx->t, "channel", COL_STRING, 0);
    table_add_column(fx->t, "day", COL_DATE, 0);
    table_add_column(fx->t, "flag", COL_BOOL, 0);
    table_add_column(fx->t, "ts", COL_TIMESTAMP, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/select.csv", tu_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("id,amount,price,channel,day,flag,ts\n", f);
    for (size_t r = 0; r < NROWS; r++) {
        fill_row(fx->t, r);
        csv_row(f, fx->t->cols, r);
    }
    fclose(f);
    /* the dict caches its byte order on first use: make that the fixture's allocation */
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

static kpi_value num(double x)
{
    return (kpi_value){VAL_NUMBER, x, NULL, 0, 0};
}

static kpi_value str(const char *s)
{
    return (kpi_value){VAL_STRING, 0, s, strlen(s), 0};
}

static kpi_value boolean(int b)
{
    return (kpi_value){VAL_BOOL, 0, NULL, 0, b};
}

/* The selection's rows must be ascending and match sqlite3's rows for `where`. */
static void assert_rows(const fixture *fx, const selection *sel, const char *where)
{
    unsigned long long sum = 0, sq = 0;
    for (size_t i = 0; i < sel->n; i++) {
        size_t r = selection_row(sel, i);
        if (i) assert_true(r > selection_row(sel, i - 1));
        sum += r;
        sq += (unsigned long long)r * r;
    }
    char sql[600], want[200], got[200];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*), IFNULL(SUM(r), 0), IFNULL(SUM(r * r), 0) FROM t WHERE %s;", where);
    char *text = tu_oracle_text(":memory:", fx->setup, sql);
    snprintf(want, sizeof want, "%s", text);
    free(text);
    snprintf(got, sizeof got, "%zu|%llu|%llu", sel->n, sum, sq);
    if (strcmp(got, want) != 0) fail_msg("WHERE %s: engine %s, sqlite3 %s", where, got, want);
}

/* Filter every row of the fixture by col op vals and compare with sqlite3's where. */
static void check(const fixture *fx, int col, filter_op op, const kpi_value *vals, size_t n,
                  const char *where)
{
    selection all, out;
    selection_all(fx->t, &all);
    kpi_error err;
    kpi_error_clear(&err);
    if (select_where(fx->t, &all, col, op, vals, n, &out, &err) != 0)
        fail_msg("WHERE %s: %s", where, err.message);
    assert_rows(fx, &out, where);
    selection_free(&out);
}

static void check1(const fixture *fx, int col, filter_op op, kpi_value v, const char *where)
{
    check(fx, col, op, &v, 1, where);
}

static void test_select_all_covers_every_row(void **state)
{
    fixture *fx = *state;
    selection all;
    selection_all(fx->t, &all);
    assert_null(all.rows);
    assert_int_equal(all.n, NROWS);
    assert_int_equal(all.lo, 0);
    assert_int_equal(all.hi, NROWS);
    assert_rows(fx, &all, "1");
    selection_free(&all);
    assert_int_equal(all.n, 0);
}

static void test_select_op_parse_accepts_lua_and_sql_spellings(void **state)
{
    (void)state;
    const char *text[] = {"=", "==", "!=", "~=", "<", "<=", ">", ">="};
    const filter_op want[] = {FILTER_EQ, FILTER_EQ, FILTER_NE, FILTER_NE,
                              FILTER_LT, FILTER_LE, FILTER_GT, FILTER_GE};
    for (size_t i = 0; i < 8; i++) {
        filter_op op = FILTER_IN;
        assert_int_equal(select_op_parse(text[i], &op), 0);
        assert_int_equal(op, want[i]);
    }
    filter_op op;
    assert_int_equal(select_op_parse("<>", &op), -1);
    assert_int_equal(select_op_parse("", &op), -1);
    assert_int_equal(select_op_parse("=<", &op), -1);
}

static void test_select_int_comparisons_match_sqlite(void **state)
{
    fixture *fx = *state;
    check1(fx, C_ID, FILTER_EQ, num(500), "id = 500");
    check1(fx, C_ID, FILTER_NE, num(500), "id != 500");
    check1(fx, C_ID, FILTER_LT, num(500), "id < 500");
    check1(fx, C_ID, FILTER_LE, num(500), "id <= 500");
    check1(fx, C_ID, FILTER_GT, num(-3), "id > -3");
    check1(fx, C_ID, FILTER_GE, num(-3), "id >= -3");
}

static void test_select_int_with_fractional_operand(void **state)
{
    fixture *fx = *state;
    check1(fx, C_ID, FILTER_LT, num(2.5), "id < 2.5");
    check1(fx, C_ID, FILTER_GE, num(2.5), "id >= 2.5");
    check1(fx, C_ID, FILTER_EQ, num(2.5), "id = 2.5");
    check1(fx, C_ID, FILTER_NE, num(2.5), "id != 2.5");
    check1(fx, C_ID, FILTER_GT, num(-2.5), "id > -2.5");
    check1(fx, C_ID, FILTER_LE, num(1e300), "id <= 1e300");
    check1(fx, C_ID, FILTER_GT, num(1e300), "id > 1e300");
    check1(fx, C_ID, FILTER_GT, num(-1e300), "id > -1e300");
}

static void test_select_int_in_list_matches_sqlite(void **state)
{
    kpi_value v[] = {num(1), num(500), num(2.5), num(-50), num(500), num(7)};
    check(*state, C_ID, FILTER_IN, v, 6, "id IN (1, 500, -50, 7)");
}

static void test_select_decimal_compares_exactly(void **state)
{
    fixture *fx = *state;
    /* 1.99 is not a double; scaled to cents it is exactly 199 */
    check1(fx, C_AMOUNT, FILTER_EQ, num(1.99), "cents = 199");
    check1(fx, C_AMOUNT, FILTER_NE, num(1.99), "cents != 199");
    check1(fx, C_AMOUNT, FILTER_LE, num(-0.07), "cents <= -7");
    check1(fx, C_AMOUNT, FILTER_GT, num(0.1), "cents > 10");
    kpi_value v[] = {num(0.29), num(0.57), num(-1.1), num(0.575)};
    check(fx, C_AMOUNT, FILTER_IN, v, 4, "cents IN (29, 57, -110)");
}

static void test_select_decimal_operand_with_more_decimals_compares_as_double(void **state)
{
    fixture *fx = *state;
    check1(fx, C_AMOUNT, FILTER_GT, num(1.995), "cents / 100.0 > 1.995");
    check1(fx, C_AMOUNT, FILTER_LE, num(1.995), "cents / 100.0 <= 1.995");
    check1(fx, C_AMOUNT, FILTER_GE, num(1.995), "cents >= 200");
    check1(fx, C_AMOUNT, FILTER_LT, num(-0.001), "cents < 0");
    check1(fx, C_AMOUNT, FILTER_EQ, num(1.995), "0");
    check1(fx, C_AMOUNT, FILTER_NE, num(1.995), "cents IS NOT NULL");
}

static void test_select_float_comparisons_match_sqlite(void **state)
{
    fixture *fx = *state;
    const column *c = &fx->t->cols[C_PRICE];
    size_t r = 17;
    while (!column_is_valid(c, r))
        r++;
    double x = c->v.f64[r];
    char where[200];
    const char *ops[] = {"=", "!=", "<", "<=", ">", ">="};
    for (filter_op op = FILTER_EQ; op <= FILTER_GE; op++) {
        snprintf(where, sizeof where, "price %s (SELECT price FROM t WHERE r = %zu)", ops[op], r);
        check1(fx, C_PRICE, op, num(x), where);
    }
    kpi_value v[] = {num(x), num(-1)};
    snprintf(where, sizeof where, "price IN (SELECT price FROM t WHERE r = %zu)", r);
    check(fx, C_PRICE, FILTER_IN, v, 2, where);
}

static void test_select_string_equality_and_in_match_sqlite(void **state)
{
    fixture *fx = *state;
    check1(fx, C_CHANNEL, FILTER_EQ, str("email"), "channel = 'email'");
    check1(fx, C_CHANNEL, FILTER_NE, str("email"), "channel != 'email'");
    check1(fx, C_CHANNEL, FILTER_EQ, str("ví"), "channel = 'ví'");
    kpi_value v[] = {str("email"), str("ads"), str("nope"), str("ads")};
    check(fx, C_CHANNEL, FILTER_IN, v, 4, "channel IN ('email', 'ads')");
}

static void test_select_string_absent_from_dict_matches_nothing(void **state)
{
    fixture *fx = *state;
    check1(fx, C_CHANNEL, FILTER_EQ, str("zzz"), "0");
    check1(fx, C_CHANNEL, FILTER_NE, str("zzz"), "channel IS NOT NULL");
    kpi_value v[] = {str("zzz"), str("EMAIL")};
    check(fx, C_CHANNEL, FILTER_IN, v, 2, "0");
}

static void test_select_string_ordering_is_by_bytes(void **state)
{
    fixture *fx = *state;
    const char *operands[] = {"b", "ab", "abc", "Email", "", "zzz", "ví"};
    const char *ops[] = {"<", "<=", ">", ">="};
    for (size_t i = 0; i < sizeof operands / sizeof *operands; i++) {
        for (filter_op op = FILTER_LT; op <= FILTER_GE; op++) {
            char where[100];
            snprintf(where, sizeof where, "channel %s '%s'", ops[op - FILTER_LT], operands[i]);
            check1(fx, C_CHANNEL, op, str(operands[i]), where);
        }
    }
}

static void test_select_date_against_iso_text(void **state)
{
    fixture *fx = *state;
    check1(fx, C_DAY, FILTER_GE, str("2024-03-01"), "day >= '2024-03-01'");
    check1(fx, C_DAY, FILTER_LT, str("2024-03-01"), "day < '2024-03-01'");
    check1(fx, C_DAY, FILTER_EQ, str("2024-02-29"), "day = '2024-02-29'");
    check1(fx, C_DAY, FILTER_NE, str("2024-02-29"), "day != '2024-02-29'");
    kpi_value v[] = {str("2024-01-01"), str("2024-12-31")};
    check(fx, C_DAY, FILTER_IN, v, 2, "day IN ('2024-01-01', '2024-12-31')");
}

static void test_select_date_against_timestamp_text(void **state)
{
    fixture *fx = *state;
    /* a date is its midnight: 2024-03-01 < 2024-03-01 12:00 but 2024-03-02 is not */
    check1(fx, C_DAY, FILTER_LT, str("2024-03-01 12:00"), "day <= '2024-03-01'");
    check1(fx, C_DAY, FILTER_GT, str("2024-03-01T12:00:00"), "day >= '2024-03-02'");
    check1(fx, C_DAY, FILTER_EQ, str("2024-03-01 00:00:00"), "day = '2024-03-01'");
    check1(fx, C_DAY, FILTER_EQ, str("2024-03-01 00:00:01"), "0");
}

static void test_select_timestamp_against_date_and_timestamp_text(void **state)
{
    fixture *fx = *state;
    check1(fx, C_TS, FILTER_GE, str("2024-03-01"), "ts >= '2024-03-01 00:00:00'");
    check1(fx, C_TS, FILTER_LT, str("2024-06-01T10:00:00"), "ts < '2024-06-01 10:00:00'");
    check1(fx, C_TS, FILTER_GT, str("2024-06-01 10:00"), "ts > '2024-06-01 10:00:00'");
}

static void test_select_bool_filters(void **state)
{
    fixture *fx = *state;
    check1(fx, C_FLAG, FILTER_EQ, boolean(1), "flag = 'true'");
    check1(fx, C_FLAG, FILTER_NE, boolean(1), "flag = 'false'");
    check1(fx, C_FLAG, FILTER_LT, boolean(1), "flag = 'false'");
    check1(fx, C_FLAG, FILTER_GE, boolean(0), "flag IS NOT NULL");
    kpi_value v[] = {boolean(0), boolean(1)};
    check(fx, C_FLAG, FILTER_IN, v, 2, "flag IS NOT NULL");
}

static void test_select_in_with_no_values_matches_nothing(void **state)
{
    check(*state, C_ID, FILTER_IN, NULL, 0, "0");
    check(*state, C_CHANNEL, FILTER_IN, NULL, 0, "0");
}

static void test_select_chained_filters_on_row_lists(void **state)
{
    fixture *fx = *state;
    selection all, a, b, c;
    selection_all(fx->t, &all);
    kpi_error err;
    kpi_value ch = str("email"), id = num(100), day = str("2024-07-01");
    assert_int_equal(select_where(fx->t, &all, C_CHANNEL, FILTER_EQ, &ch, 1, &a, &err), 0);
    assert_non_null(a.rows);
    assert_int_equal(select_where(fx->t, &a, C_ID, FILTER_GT, &id, 1, &b, &err), 0);
    assert_int_equal(select_where(fx->t, &b, C_DAY, FILTER_LT, &day, 1, &c, &err), 0);
    assert_rows(fx, &c, "channel = 'email' AND id > 100 AND day < '2024-07-01'");
    selection_free(&a);
    selection_free(&b);
    selection_free(&c);
}

static void test_select_empty_input_gives_empty(void **state)
{
    fixture *fx = *state;
    selection none = {NULL, 0, 5, 5}, out;
    kpi_error err;
    kpi_value v = num(1);
    assert_int_equal(select_where(fx->t, &none, C_ID, FILTER_GE, &v, 1, &out, &err), 0);
    assert_int_equal(out.n, 0);
    assert_null(out.rows);
}

static void test_select_type_error_names_column_and_operand(void **state)
{
    fixture *fx = *state;
    selection all, out;
    selection_all(fx->t, &all);
    kpi_error err;
    kpi_value v = num(5);
    assert_int_equal(select_where(fx->t, &all, C_CHANNEL, FILTER_EQ, &v, 1, &out, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message,
                        "column 'channel' holds text; cannot compare it with the number 5");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    v = str("abc");
    assert_int_equal(select_where(fx->t, &all, C_AMOUNT, FILTER_LT, &v, 1, &out, &err), -1);
    assert_string_equal(err.message,
                        "column 'amount' holds numbers; cannot compare it with the text 'abc'");
    v = num(1);
    assert_int_equal(select_where(fx->t, &all, C_FLAG, FILTER_EQ, &v, 1, &out, &err), -1);
    assert_non_null(strstr(err.message, "holds true/false values"));
    kpi_value list[] = {num(1), str("x")};
    assert_int_equal(select_where(fx->t, &all, C_ID, FILTER_IN, list, 2, &out, &err), -1);
    assert_non_null(strstr(err.message, "the text 'x'"));
}

static void test_select_non_date_text_is_error(void **state)
{
    fixture *fx = *state;
    selection all, out;
    selection_all(fx->t, &all);
    kpi_error err;
    kpi_value v = str("2024-13-01");
    assert_int_equal(select_where(fx->t, &all, C_DAY, FILTER_GE, &v, 1, &out, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message, "'2024-13-01' is not a date (YYYY-MM-DD)");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
    v = num(20240101);
    assert_int_equal(select_where(fx->t, &all, C_TS, FILTER_GE, &v, 1, &out, &err), -1);
    assert_non_null(strstr(err.message, "column 'ts' holds timestamps"));
}

static void test_select_wrong_operand_count_or_column_is_error(void **state)
{
    fixture *fx = *state;
    selection all, out;
    selection_all(fx->t, &all);
    kpi_error err;
    kpi_value v[] = {num(1), num(2)};
    assert_int_equal(select_where(fx->t, &all, C_ID, FILTER_EQ, v, 2, &out, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_non_null(strstr(err.message, "takes one value, not 2"));
    assert_int_equal(select_where(fx->t, &all, 42, FILTER_EQ, v, 1, &out, &err), -1);
    assert_non_null(strstr(err.message, "no column number 42"));
}

/* ---- hand-made tables ---------------------------------------------------------------- */

static void test_select_range_kept_when_every_row_matches(void **state)
{
    (void)state;
    table *t = table_new("n", 10);
    column *c = table_add_column(t, "x", COL_INT64, 0);
    for (int i = 0; i < 10; i++)
        c->v.i64[i] = i;
    selection in = {NULL, 6, 2, 8}, out;
    kpi_error err;
    kpi_value v = num(0);
    assert_int_equal(select_where(t, &in, 0, FILTER_GE, &v, 1, &out, &err), 0);
    assert_null(out.rows);
    assert_int_equal(out.lo, 2);
    assert_int_equal(out.hi, 8);
    assert_int_equal(out.n, 6);
    v = num(5);
    assert_int_equal(select_where(t, &in, 0, FILTER_LT, &v, 1, &out, &err), 0);
    assert_int_equal(out.n, 3); /* rows 2, 3, 4 */
    assert_int_equal(selection_row(&out, 0), 2);
    assert_int_equal(selection_row(&out, 2), 4);
    selection_free(&out);
    table_free(t);
}

static void test_select_nulls_never_match(void **state)
{
    (void)state;
    table *t = table_new("n", 4);
    table_add_column(t, "x", COL_INT64, 0);
    table_add_column(t, "s", COL_STRING, 0);
    column *c = &t->cols[0], *s = &t->cols[1]; /* adding a column may move the others */
    for (int i = 0; i < 4; i++) {
        c->v.i64[i] = 0; /* a null slot holds 0 too: it must still not match = 0 */
        s->v.code[i] = dict_intern(s->dict, "a", 1);
    }
    column_set_null(c, 4, 1);
    column_set_null(s, 4, 2);
    selection all, out;
    selection_all(t, &all);
    kpi_error err;
    kpi_value zero = num(0), one = num(1), a = str("a"), b = str("b");
    const struct {
        int col;
        filter_op op;
        kpi_value *v;
    } cases[] = {{0, FILTER_EQ, &zero}, {0, FILTER_NE, &one}, {0, FILTER_LE, &zero},
                 {1, FILTER_EQ, &a},    {1, FILTER_NE, &b},   {1, FILTER_LT, &b}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(
            select_where(t, &all, cases[i].col, cases[i].op, cases[i].v, 1, &out, &err), 0);
        assert_int_equal(out.n, 3);
        for (size_t j = 0; j < 3; j++)
            assert_int_not_equal(selection_row(&out, j), cases[i].col ? 2 : 1);
        selection_free(&out);
    }
    table_free(t);
}

static void test_select_int_extremes(void **state)
{
    (void)state;
    table *t = table_new("n", 3);
    column *c = table_add_column(t, "x", COL_INT64, 0);
    c->v.i64[0] = INT64_MIN;
    c->v.i64[1] = 0;
    c->v.i64[2] = INT64_MAX;
    selection all, out;
    selection_all(t, &all);
    kpi_error err;
    kpi_value big = num(9.3e18), small = num(-9.3e18), nan = num(NAN);
    assert_int_equal(select_where(t, &all, 0, FILTER_LT, &big, 1, &out, &err), 0);
    assert_int_equal(out.n, 3);
    assert_int_equal(select_where(t, &all, 0, FILTER_GT, &small, 1, &out, &err), 0);
    assert_int_equal(out.n, 3);
    assert_int_equal(select_where(t, &all, 0, FILTER_GE, &big, 1, &out, &err), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(select_where(t, &all, 0, FILTER_EQ, &nan, 1, &out, &err), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(select_where(t, &all, 0, FILTER_NE, &nan, 1, &out, &err), 0);
    assert_int_equal(out.n, 3);
    table_free(t);
}

/* ---- time filters ------------------------------------------------------------------ */

/* n rows of non-decreasing dates (or timestamps) from 2024-01-01; when shuffled, the
   same rows in another order, with "orig" giving each row's sorted position. */
static table *time_table(size_t n, col_type type, int shuffled)
{
    table *t = table_new("events", n);
    table_add_column(t, "at", type, 0);
    table_add_column(t, "orig", COL_INT64, 0);
    column *tc = &t->cols[0], *orig = &t->cols[1]; /* adding a column may move the others */
    rng = 99;
    int64_t v = type == COL_DATE ? DAY_2024 : (int64_t)DAY_2024 * 86400;
    for (size_t i = 0; i < n; i++) {
        v += type == COL_DATE ? (int64_t)rnd(3) : (int64_t)rnd(40000);
        if (type == COL_DATE)
            tc->v.date[i] = (int32_t)v;
        else
            tc->v.i64[i] = v;
        orig->v.i64[i] = (int64_t)i;
    }
    for (size_t i = n; shuffled && i > 1; i--) {
        size_t j = rnd(i);
        int64_t o = orig->v.i64[i - 1];
        orig->v.i64[i - 1] = orig->v.i64[j];
        orig->v.i64[j] = o;
        if (type == COL_DATE) {
            int32_t d = tc->v.date[i - 1];
            tc->v.date[i - 1] = tc->v.date[j];
            tc->v.date[j] = d;
        } else {
            int64_t s = tc->v.i64[i - 1];
            tc->v.i64[i - 1] = tc->v.i64[j];
            tc->v.i64[j] = s;
        }
    }
    kpi_error err;
    assert_int_equal(table_set_time(t, "at", &err), 0);
    assert_int_equal(t->time_sorted, !shuffled);
    return t;
}

/* The sorted positions ("orig") of sel's rows, sorted: a canonical form of the rows. */
static int64_t *positions(const table *t, const selection *sel)
{
    int64_t *p = malloc((sel->n + 1) * sizeof *p);
    for (size_t i = 0; i < sel->n; i++)
        p[i] = t->cols[1].v.i64[selection_row(sel, i)];
    for (size_t i = 1; i < sel->n; i++)
        for (size_t j = i; j > 0 && p[j - 1] > p[j]; j--) {
            int64_t x = p[j];
            p[j] = p[j - 1];
            p[j - 1] = x;
        }
    return p;
}

static void check_time_both_ways(col_type type, int32_t start, int32_t stop, size_t want)
{
    table *sorted = time_table(2000, type, 0), *shuffled = time_table(2000, type, 1);
    selection all, a, b;
    kpi_error err;
    selection_all(sorted, &all);
    assert_int_equal(select_time(sorted, &all, start, stop, &a, &err), 0);
    assert_null(a.rows); /* binary search: the result is a range */
    selection_all(shuffled, &all);
    assert_int_equal(select_time(shuffled, &all, start, stop, &b, &err), 0);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.n, want);
    int64_t *pa = positions(sorted, &a), *pb = positions(shuffled, &b);
    for (size_t i = 0; i < a.n; i++)
        assert_int_equal(pa[i], pb[i]);
    free(pa);
    free(pb);
    selection_free(&a);
    selection_free(&b);
    table_free(sorted);
    table_free(shuffled);
}

/* Rows of the sorted time table within [start, stop), counted by brute force. */
static size_t count_days(col_type type, int32_t start, int32_t stop)
{
    table *t = time_table(2000, type, 0);
    size_t n = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        int64_t d = type == COL_DATE ? t->cols[0].v.date[i] : t->cols[0].v.i64[i];
        if (type != COL_DATE) d = d / 86400; /* positive seconds: truncation is floor */
        n += d >= start && d < stop;
    }
    table_free(t);
    return n;
}

static void test_select_time_sorted_and_unsorted_give_same_rows(void **state)
{
    (void)state;
    int32_t start = DAY_2024 + 300, stop = DAY_2024 + 900;
    size_t want = count_days(COL_DATE, start, stop);
    assert_true(want > 100);
    check_time_both_ways(COL_DATE, start, stop, want);
}

static void test_select_time_on_timestamps_counts_by_day(void **state)
{
    (void)state;
    int32_t start = DAY_2024 + 20, stop = DAY_2024 + 300;
    size_t want = count_days(COL_TIMESTAMP, start, stop);
    assert_true(want > 100);
    check_time_both_ways(COL_TIMESTAMP, start, stop, want);
}

static void test_select_time_open_ends_and_empty_period(void **state)
{
    (void)state;
    int32_t mid = DAY_2024 + 500;
    check_time_both_ways(COL_DATE, INT32_MIN, mid, count_days(COL_DATE, INT32_MIN, mid));
    check_time_both_ways(COL_DATE, mid, INT32_MAX, count_days(COL_DATE, mid, INT32_MAX));
    check_time_both_ways(COL_DATE, INT32_MIN, INT32_MAX, 2000);
    check_time_both_ways(COL_DATE, mid, mid, 0);
    check_time_both_ways(COL_DATE, DAY_2024 - 50, DAY_2024, 0);
}

static void test_select_time_on_row_list_scans(void **state)
{
    (void)state;
    table *t = time_table(2000, COL_DATE, 0);
    selection odd = {kpi_array_alloc(1000, sizeof(uint32_t)), 1000, 0, 0}, out;
    for (uint32_t i = 0; i < 1000; i++)
        odd.rows[i] = 2 * i + 1;
    kpi_error err;
    int32_t start = DAY_2024 + 300, stop = DAY_2024 + 900;
    assert_int_equal(select_time(t, &odd, start, stop, &out, &err), 0);
    size_t want = 0;
    for (size_t i = 1; i < 2000; i += 2)
        want += t->cols[0].v.date[i] >= start && t->cols[0].v.date[i] < stop;
    assert_int_equal(out.n, want);
    for (size_t i = 0; i < out.n; i++)
        assert_int_equal(selection_row(&out, i) % 2, 1);
    selection_free(&out);
    selection_free(&odd);
    table_free(t);
}

static void test_select_time_skips_null_times(void **state)
{
    (void)state;
    table *t = table_new("e", 3);
    column *c = table_add_column(t, "at", COL_DATE, 0);
    c->v.date[0] = c->v.date[2] = DAY_2024;
    column_set_null(c, 3, 1); /* its slot holds day 0, but it must not count */
    kpi_error err;
    assert_int_equal(table_set_time(t, "at", &err), 0);
    assert_int_equal(t->time_sorted, 0);
    selection all, out;
    selection_all(t, &all);
    assert_int_equal(select_time(t, &all, INT32_MIN, INT32_MAX, &out, &err), 0);
    assert_int_equal(out.n, 2);
    selection_free(&out);
    table_free(t);
}

static void test_select_time_without_time_column_is_error(void **state)
{
    fixture *fx = *state;
    selection all, out;
    selection_all(fx->t, &all);
    kpi_error err;
    assert_int_equal(select_time(fx->t, &all, 0, 10, &out, &err), -1);
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_string_equal(err.message, "table 'orders' has no time column");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
}

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

/* Every allocation failure is reported as out of memory and leaks nothing (cmocka's
   allocator checks); with enough allocations each filter succeeds. */
static void test_select_out_of_memory_fails_cleanly(void **state)
{
    fixture *fx = *state;
    kpi_value names[] = {str("email"), str("ads")}, ids[] = {num(1), num(2)}, b = str("b");
    const struct {
        int col;
        filter_op op;
        kpi_value *v;
        size_t n;
    } cases[] = {{C_CHANNEL, FILTER_IN, names, 2},
                 {C_ID, FILTER_IN, ids, 2},
                 {C_CHANNEL, FILTER_LT, &b, 1},
                 {C_PRICE, FILTER_IN, ids, 2}};
    selection all, out;
    selection_all(fx->t, &all);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (long n = 0;; n++) {
            kpi_error err;
            kpi_test_fail_after(n);
            int rc = select_where(fx->t, &all, cases[i].col, cases[i].op, cases[i].v, cases[i].n,
                                  &out, &err);
            kpi_test_fail_after(-1);
            if (rc == 0) break;
            assert_int_equal(err.kind, KPI_ENOMEM);
        }
        selection_free(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_all_covers_every_row),
        cmocka_unit_test(test_select_op_parse_accepts_lua_and_sql_spellings),
        cmocka_unit_test(test_select_int_comparisons_match_sqlite),
        cmocka_unit_test(test_select_int_with_fractional_operand),
        cmocka_unit_test(test_select_int_in_list_matches_sqlite),
        cmocka_unit_test(test_select_decimal_compares_exactly),
        cmocka_unit_test(test_select_decimal_operand_with_more_decimals_compares_as_double),
        cmocka_unit_test(test_select_float_comparisons_match_sqlite),
        cmocka_unit_test(test_select_string_equality_and_in_match_sqlite),
        cmocka_unit_test(test_select_string_absent_from_dict_matches_nothing),
        cmocka_unit_test(test_select_string_ordering_is_by_bytes),
        cmocka_unit_test(test_select_date_against_iso_text),
        cmocka_unit_test(test_select_date_against_timestamp_text),
        cmocka_unit_test(test_select_timestamp_against_date_and_timestamp_text),
        cmocka_unit_test(test_select_bool_filters),
        cmocka_unit_test(test_select_in_with_no_values_matches_nothing),
        cmocka_unit_test(test_select_chained_filters_on_row_lists),
        cmocka_unit_test(test_select_empty_input_gives_empty),
        cmocka_unit_test(test_select_type_error_names_column_and_operand),
        cmocka_unit_test(test_select_non_date_text_is_error),
        cmocka_unit_test(test_select_wrong_operand_count_or_column_is_error),
        cmocka_unit_test(test_select_range_kept_when_every_row_matches),
        cmocka_unit_test(test_select_nulls_never_match),
        cmocka_unit_test(test_select_int_extremes),
        cmocka_unit_test(test_select_time_sorted_and_unsorted_give_same_rows),
        cmocka_unit_test(test_select_time_on_timestamps_counts_by_day),
        cmocka_unit_test(test_select_time_open_ends_and_empty_period),
        cmocka_unit_test(test_select_time_on_row_list_scans),
        cmocka_unit_test(test_select_time_skips_null_times),
        cmocka_unit_test(test_select_time_without_time_column_is_error),
        cmocka_unit_test_teardown(test_select_out_of_memory_fails_cleanly, allow_allocations),
    };
    return cmocka_run_group_tests_name("select", tests, setup_random, teardown_random);
}
