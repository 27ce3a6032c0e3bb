/*
** test_csv.c -- the CSV loader (engine/core/csv.c and its csv_*.c parts).
**
** Expected values are written by hand from the CSV text, or computed by sqlite3 from
** the same file (.import --csv) as the oracle. Parallel loads are forced on small
** inputs with a tiny min_chunk, so chunk boundaries fall inside quoted fields.
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

#include "csv.h"
#include "date.h"
#include "table_fixture.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------- */

static table *load_opts(const char *text, size_t len, const csv_options *o, kpi_error *err)
{
    kpi_error_clear(err);
    return csv_load_buffer("t.csv", NULL, text, len == (size_t)-1 ? strlen(text) : len, o, err);
}

static table *load(const char *text)
{
    kpi_error err;
    table *t = load_opts(text, (size_t)-1, NULL, &err);
    if (!t) fail_msg("load failed: %ld:%ld: %s", err.line, err.column, err.message);
    return t;
}

/* Load that must fail with this kind, position and a message containing `says`. */
static void expect_error_opts(const char *text, size_t len, const csv_options *o,
                              kpi_error_kind kind, long line, long col_no, const char *says)
{
    kpi_error err;
    table *t = load_opts(text, len, o, &err);
    if (t) table_free(t);
    assert_null(t);
    if (!strstr(err.message, says)) fail_msg("message '%s' lacks '%s'", err.message, says);
    assert_int_equal(err.kind, kind);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, col_no);
    assert_string_equal(err.file, "t.csv");
}

static void expect_error(const char *text, long line, long col_no, const char *says)
{
    expect_error_opts(text, (size_t)-1, NULL, KPI_EDATA, line, col_no, says);
}

static csv_options threads_opts(int threads, size_t min_chunk)
{
    csv_options o;
    csv_options_init(&o);
    o.threads = threads;
    o.min_chunk = min_chunk;
    return o;
}

/* Deterministic pseudo-random numbers (64-bit LCG, high bits). */
static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* ---- records and quoting ---------------------------------------------------------- */

static void test_csv_infers_each_column_type(void **state)
{
    (void)state;
    table *t = load("i,d,f,b,day,ts,s\n"
                    "1,2.50,1e3,true,2024-01-05,2024-01-05 10:30:00,x\n"
                    "-7,3.125,0.5,No,2024-02-29,2024-01-06T00:00:01Z,y\n");
    assert_int_equal(t->nrows, 2);
    assert_int_equal(tf_col(t, "i")->type, COL_INT64);
    assert_true(tf_col(t, "i")->v.i64[1] == -7);
    assert_int_equal(tf_col(t, "d")->type, COL_DECIMAL);
    assert_int_equal(tf_col(t, "d")->scale, 3);
    assert_true(tf_col(t, "d")->v.i64[0] == 2500 && tf_col(t, "d")->v.i64[1] == 3125);
    assert_int_equal(tf_col(t, "f")->type, COL_FLOAT64);
    assert_true(tf_col(t, "f")->v.f64[0] == 1000.0 && tf_col(t, "f")->v.f64[1] == 0.5);
    assert_int_equal(tf_col(t, "b")->type, COL_BOOL);
    assert_true(tf_col(t, "b")->v.b[0] == 1 && tf_col(t, "b")->v.b[1] == 0);
    assert_int_equal(tf_col(t, "day")->type, COL_DATE);
    assert_int_equal(tf_col(t, "day")->v.date[1], tf_day("2024-02-29"));
    assert_int_equal(tf_col(t, "ts")->type, COL_TIMESTAMP);
    assert_true(tf_col(t, "ts")->v.i64[0] ==
                (int64_t)tf_day("2024-01-05") * 86400 + 10 * 3600 + 30 * 60);
    assert_true(tf_col(t, "ts")->v.i64[1] == (int64_t)tf_day("2024-01-06") * 86400 + 1);
    assert_string_equal(tf_str_at(t, "s", 1), "y");
    assert_string_equal(t->name, "t");
    table_free(t);
}

static void test_csv_quoted_fields_keep_delimiters_quotes_and_newlines(void **state)
{
    (void)state;
    table *t = load("name,note\n\"Lee, Ann\",\"say \"\"hi\"\"\"\n\"two\nlines\",\"\"\"\"\n");
    assert_int_equal(t->nrows, 2);
    assert_string_equal(tf_str_at(t, "name", 0), "Lee, Ann");
    assert_string_equal(tf_str_at(t, "note", 0), "say \"hi\"");
    assert_string_equal(tf_str_at(t, "name", 1), "two\nlines");
    assert_string_equal(tf_str_at(t, "note", 1), "\"");
    table_free(t);
}

static void test_csv_crlf_and_lf_mixed(void **state)
{
    (void)state;
    table *t = load("a,b\r\n1,x\n2,\"y\"\r\n3,z\r\n");
    assert_int_equal(t->nrows, 3);
    assert_string_equal(t->cols[1].name, "b");
    assert_int_equal(tf_col(t, "a")->type, COL_INT64);
    assert_string_equal(tf_str_at(t, "b", 0), "x");
    assert_string_equal(tf_str_at(t, "b", 1), "y");
    assert_string_equal(tf_str_at(t, "b", 2), "z");
    table_free(t);
}

static void test_csv_last_record_without_newline(void **state)
{
    (void)state;
    table *t = load("a,b\n1,x\n2,\"y\"");
    assert_int_equal(t->nrows, 2);
    assert_string_equal(tf_str_at(t, "b", 1), "y");
    table_free(t);
    t = load("a,b\r\n1,x\r\n2,");
    assert_int_equal(t->nrows, 2);
    assert_null(tf_str_at(t, "b", 1));
    table_free(t);
}

static void test_csv_byte_order_mark_skipped(void **state)
{
    (void)state;
    table *t = load("\xEF\xBB\xBFid,v\n1,2\n");
    assert_string_equal(t->cols[0].name, "id");
    assert_int_equal(tf_col(t, "id")->type, COL_INT64);
    table_free(t);
}

static void test_csv_empty_file_has_no_columns(void **state)
{
    (void)state;
    table *t = load("");
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 0);
    table_free(t);
    t = load("\xEF\xBB\xBF\n\r\n");
    assert_int_equal(t->ncols, 0);
    table_free(t);
}

static void test_csv_header_only_gives_string_columns(void **state)
{
    (void)state;
    column_decl decl = {"n", COL_INT64, -1};
    csv_options o;
    csv_options_init(&o);
    o.columns = &decl;
    o.ncolumns = 1;
    kpi_error err;
    table *t = load_opts("s,n\n", (size_t)-1, &o, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 2);
    assert_int_equal(tf_col(t, "s")->type, COL_STRING);
    assert_int_equal(tf_col(t, "n")->type, COL_INT64);
    table_free(t);
}

static void test_csv_empty_field_is_null_and_quoted_empty_is_empty_string(void **state)
{
    (void)state;
    table *t = load("s,n\n\"\",\"\"\n,\na,1\n");
    assert_string_equal(tf_str_at(t, "s", 0), "");
    assert_null(tf_str_at(t, "s", 1));
    assert_int_equal(tf_col(t, "s")->nnull, 1);
    const column *n = tf_col(t, "n");
    assert_int_equal(n->type, COL_INT64);
    assert_int_equal(n->nnull, 2);
    assert_false(column_is_valid(n, 0));
    assert_false(column_is_valid(n, 1));
    assert_true(n->v.i64[0] == 0 && n->v.i64[2] == 1); /* a null slot holds zero */
    table_free(t);
}

static void test_csv_blank_lines_are_skipped(void **state)
{
    (void)state;
    table *t = load("\na,b\n\n1,2\r\n\r\n3,4\n\n");
    assert_int_equal(t->nrows, 2);
    assert_true(tf_col(t, "b")->v.i64[1] == 4);
    table_free(t);
}

static void test_csv_string_codes_follow_first_appearance(void **state)
{
    (void)state;
    table *t = load("c\nsocial\nemail\nsocial\nsearch\nemail\n");
    const column *c = tf_col(t, "c");
    uint32_t expect[] = {0, 1, 0, 2, 1};
    for (size_t r = 0; r < 5; r++)
        assert_int_equal(column_code(c, r), expect[r]);
    assert_int_equal(dict_count(c->dict), 3);
    assert_string_equal(dict_str(c->dict, 2), "search");
    table_free(t);
}

static void test_csv_load_maps_a_file_named_by_its_base_name(void **state)
{
    (void)state;
    const char *path = tu_write_file("orders.v2.csv", "id,amount\n1,9.5\n2,\n", (size_t)-1);
    kpi_error err;
    table *t = csv_load(path, NULL, NULL, &err);
    assert_non_null(t);
    assert_string_equal(t->name, "orders.v2");
    assert_int_equal(tf_col(t, "amount")->type, COL_DECIMAL);
    assert_int_equal(tf_col(t, "amount")->nnull, 1);
    table_free(t);
    path = tu_write_file("empty.csv", "", 0);
    t = csv_load(path, "named", NULL, &err);
    assert_non_null(t);
    assert_string_equal(t->name, "named");
    assert_int_equal(t->ncols, 0);
    table_free(t);
}

static void test_csv_fixture_with_bom_crlf_and_quotes(void **state)
{
    (void)state;
    kpi_error err;
    table *t = csv_load(tu_data("csv_orders_small.csv"), NULL, NULL, &err);
    if (!t) fail_msg("%s", err.message);
    assert_int_equal(t->nrows, 4);
    assert_string_equal(t->cols[0].name, "order_id");
    assert_int_equal(tf_col(t, "amount")->type, COL_DECIMAL);
    assert_int_equal(tf_col(t, "amount")->scale, 2);
    assert_true(tf_col(t, "amount")->v.i64[2] == 125000);
    assert_int_equal(tf_col(t, "date")->type, COL_DATE);
    assert_string_equal(tf_str_at(t, "customer", 1), "Trần, Bình");
    assert_string_equal(tf_str_at(t, "note", 2), "gift \"wrap\"\nplease");
    assert_null(tf_str_at(t, "note", 3));
    table_free(t);
}

/* ---- inference -------------------------------------------------------------------- */

static void test_csv_int_and_decimal_widen_to_decimal_with_max_scale(void **state)
{
    (void)state;
    table *t = load("v\n3\n1.5\n-2.25\n\n");
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_DECIMAL);
    assert_int_equal(v->scale, 2);
    assert_true(v->v.i64[0] == 300 && v->v.i64[1] == 150 && v->v.i64[2] == -225);
    table_free(t);
}

static void test_csv_decimal_and_float_widen_to_float(void **state)
{
    (void)state;
    table *t = load("v\n1.25\n2e2\n7\n1.0000000001\n");
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_FLOAT64);
    assert_true(v->v.f64[0] == 1.25 && v->v.f64[1] == 200.0 && v->v.f64[2] == 7.0);
    assert_true(v->v.f64[3] == 1.0000000001);
    table_free(t);
}

static void test_csv_mixed_values_become_string(void **state)
{
    (void)state;
    table *t = load("a,b,c\n1,true,2024-01-01\nx,5,7\n");
    assert_int_equal(tf_col(t, "a")->type, COL_STRING);
    assert_int_equal(tf_col(t, "b")->type, COL_STRING);
    assert_int_equal(tf_col(t, "c")->type, COL_STRING);
    assert_string_equal(tf_str_at(t, "a", 0), "1");
    assert_string_equal(tf_str_at(t, "c", 1), "7");
    table_free(t);
}

static void test_csv_date_and_timestamp_widen_to_timestamp(void **state)
{
    (void)state;
    table *t = load("t\n2024-03-01\n2024-03-01 12:00:00\n");
    const column *c = tf_col(t, "t");
    assert_int_equal(c->type, COL_TIMESTAMP);
    assert_true(c->v.i64[0] == (int64_t)tf_day("2024-03-01") * 86400);
    assert_true(c->v.i64[1] == (int64_t)tf_day("2024-03-01") * 86400 + 43200);
    table_free(t);
}

static void test_csv_int_too_large_for_int64_makes_column_float(void **state)
{
    (void)state;
    table *t = load("big,edge\n99999999999999999999,9223372036854775807\n1,-9223372036854775808\n");
    assert_int_equal(tf_col(t, "big")->type, COL_FLOAT64);
    assert_true(tf_col(t, "big")->v.f64[0] == 1e20);
    assert_int_equal(tf_col(t, "edge")->type, COL_INT64);
    assert_true(tf_col(t, "edge")->v.i64[1] == INT64_MIN);
    table_free(t);
}

static void test_csv_decimal_too_wide_for_its_scale_makes_column_float(void **state)
{
    (void)state;
    /* 9e17 at scale 2 is 9e19 hundredths: beyond int64. */
    table *t = load("v,w\n900000000000000000,1.5\n0.25,1.1234567891\n");
    assert_int_equal(tf_col(t, "v")->type, COL_FLOAT64);
    assert_true(tf_col(t, "v")->v.f64[1] == 0.25);
    assert_int_equal(tf_col(t, "w")->type, COL_FLOAT64); /* 10 fraction digits */
    table_free(t);
}

static void test_csv_impossible_day_in_inferred_column_is_string(void **state)
{
    (void)state;
    table *t = load("d\n2024-02-28\n2024-02-30\n");
    assert_int_equal(tf_col(t, "d")->type, COL_STRING);
    assert_string_equal(tf_str_at(t, "d", 1), "2024-02-30");
    table_free(t);
}

static void test_csv_all_null_column_is_string_of_nulls(void **state)
{
    (void)state;
    table *t = load("a,b\n1,\n2,\n");
    assert_int_equal(tf_col(t, "b")->type, COL_STRING);
    assert_int_equal(tf_col(t, "b")->nnull, 2);
    table_free(t);
}

static void test_csv_quoted_numbers_are_inferred(void **state)
{
    (void)state;
    table *t = load("v,w\n\"12\",\"\"\n\"3\",4\n");
    assert_int_equal(tf_col(t, "v")->type, COL_INT64);
    assert_true(tf_col(t, "v")->v.i64[0] == 12);
    assert_int_equal(tf_col(t, "w")->type, COL_INT64); /* "" is null outside string columns */
    assert_int_equal(tf_col(t, "w")->nnull, 1);
    table_free(t);
}

/* ---- options ---------------------------------------------------------------------- */

static void test_csv_semicolon_delimiter_with_comma_decimal_mark(void **state)
{
    (void)state;
    csv_options o;
    csv_options_init(&o);
    o.delimiter = ';';
    o.decimal = ',';
    kpi_error err;
    table *t =
        load_opts("name;amount;rate\n\"a;b\";1.234,50;0,5e1\nc;-3;2\n", (size_t)-1, &o, &err);
    assert_non_null(t);
    assert_string_equal(tf_str_at(t, "name", 0), "a;b");
    assert_int_equal(tf_col(t, "amount")->type, COL_STRING); /* "1.234,50": '.' is no mark here */
    assert_int_equal(tf_col(t, "rate")->type, COL_FLOAT64);
    assert_true(tf_col(t, "rate")->v.f64[0] == 5.0);
    table_free(t);
    t = load_opts("v;w\n1,5;2\n-0,25;3,125\n", (size_t)-1, &o, &err);
    assert_int_equal(tf_col(t, "v")->type, COL_DECIMAL);
    assert_true(tf_col(t, "v")->v.i64[0] == 150 && tf_col(t, "v")->v.i64[1] == -25);
    assert_int_equal(tf_col(t, "w")->scale, 3);
    table_free(t);
}

static void test_csv_date_format_day_month_year(void **state)
{
    (void)state;
    csv_options o;
    csv_options_init(&o);
    o.date_format = "%d/%m/%Y";
    kpi_error err;
    table *t =
        load_opts("d,iso\n05/01/2024,2024-01-05\n29/02/2024,2024-02-29\n", (size_t)-1, &o, &err);
    assert_non_null(t);
    assert_int_equal(tf_col(t, "d")->type, COL_DATE);
    assert_int_equal(tf_col(t, "d")->v.date[0], tf_day("2024-01-05"));
    assert_int_equal(tf_col(t, "d")->v.date[1], tf_day("2024-02-29"));
    assert_int_equal(tf_col(t, "iso")->type, COL_DATE); /* ISO dates stay dates */
    table_free(t);
}

static void test_csv_digit_only_date_format_wins_over_numbers_in_any_order(void **state)
{
    (void)state;
    /* "20240105" is an int and a %Y%m%d date: the format decides, whatever the chunks. */
    const char *text = "d,mixed,n\n20240105,5,7\n20240229,20240301,8\n20231231,6,9\n";
    for (int threads = 1; threads <= 3; threads++) {
        csv_options o = threads_opts(threads, 1);
        o.date_format = "%Y%m%d";
        kpi_error err;
        table *t = load_opts(text, (size_t)-1, &o, &err);
        if (!t) fail_msg("%s", err.message);
        assert_int_equal(tf_col(t, "d")->type, COL_DATE);
        assert_int_equal(tf_col(t, "d")->v.date[1], tf_day("2024-02-29"));
        assert_int_equal(tf_col(t, "mixed")->type, COL_STRING);
        assert_int_equal(tf_col(t, "n")->type, COL_INT64);
        table_free(t);
    }
}

static void test_csv_without_header_names_columns_c1_c2(void **state)
{
    (void)state;
    csv_options o;
    csv_options_init(&o);
    o.header = 0;
    kpi_error err;
    table *t = load_opts("1,x\n2,y\n", (size_t)-1, &o, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 2);
    assert_string_equal(t->cols[0].name, "c1");
    assert_string_equal(t->cols[1].name, "c2");
    assert_true(tf_col(t, "c1")->v.i64[0] == 1);
    table_free(t);
}

static void test_csv_declared_types_override_inference(void **state)
{
    (void)state;
    column_decl decl[] = {{"amount", COL_DECIMAL, 2},
                          {"id", COL_STRING, -1},
                          {"qty", COL_FLOAT64, -1},
                          {"at", COL_TIMESTAMP, -1},
                          {"ok", COL_BOOL, -1}};
    csv_options o;
    csv_options_init(&o);
    o.columns = decl;
    o.ncolumns = 5;
    kpi_error err;
    table *t =
        load_opts("id,amount,qty,at,ok\n007,12.5,3,2024-05-01,yes\n8,7,,2024-05-01 08:00,FALSE\n",
                  (size_t)-1, &o, &err);
    if (!t) fail_msg("%s", err.message);
    assert_string_equal(tf_str_at(t, "id", 0), "007");
    assert_int_equal(tf_col(t, "amount")->type, COL_DECIMAL);
    assert_int_equal(tf_col(t, "amount")->scale, 2);
    assert_true(tf_col(t, "amount")->v.i64[0] == 1250 && tf_col(t, "amount")->v.i64[1] == 700);
    assert_int_equal(tf_col(t, "qty")->type, COL_FLOAT64);
    assert_int_equal(tf_col(t, "qty")->nnull, 1);
    assert_true(tf_col(t, "at")->v.i64[0] == (int64_t)tf_day("2024-05-01") * 86400);
    assert_true(tf_col(t, "at")->v.i64[1] == (int64_t)tf_day("2024-05-01") * 86400 + 8 * 3600);
    assert_true(tf_col(t, "ok")->v.b[0] == 1 && tf_col(t, "ok")->v.b[1] == 0);
    table_free(t);
}

static void test_csv_declared_decimal_takes_its_scale_from_the_data(void **state)
{
    (void)state;
    column_decl decl = {"v", COL_DECIMAL, -1};
    csv_options o;
    csv_options_init(&o);
    o.columns = &decl;
    o.ncolumns = 1;
    kpi_error err;
    table *t = load_opts("v\n1\n2.125\n", (size_t)-1, &o, &err);
    assert_non_null(t);
    assert_int_equal(tf_col(t, "v")->scale, 3);
    assert_true(tf_col(t, "v")->v.i64[0] == 1000 && tf_col(t, "v")->v.i64[1] == 2125);
    table_free(t);
}

/* ---- parallel chunks -------------------------------------------------------------- */

/* Records whose quoted fields hold many newlines, delimiters and escaped quotes. */
static char *quoted_text(size_t rows)
{
    size_t cap = rows * 80 + 64, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "id,text,v\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(s + n, cap - n, "%zu,\"line %zu\n,\"\"more\"\"\n\nend\",%zu.5\n", i,
                              i, i % 7);
    return s;
}

static void test_csv_chunk_boundaries_inside_quoted_newlines(void **state)
{
    (void)state;
    char *text = quoted_text(200);
    char expect[64];
    for (int threads = 2; threads <= 4; threads++) {
        csv_options o = threads_opts(threads, 16);
        kpi_error err;
        table *t = load_opts(text, (size_t)-1, &o, &err);
        if (!t) fail_msg("threads %d: %s", threads, err.message);
        assert_int_equal(t->nrows, 200);
        for (size_t r = 0; r < 200; r += 37) {
            snprintf(expect, sizeof expect, "line %zu\n,\"more\"\n\nend", r);
            assert_string_equal(tf_str_at(t, "text", r), expect);
            assert_true(tf_col(t, "id")->v.i64[r] == (int64_t)r);
            assert_true(tf_col(t, "v")->v.i64[r] == (int64_t)(r % 7) * 10 + 5);
        }
        table_free(t);
    }
    free(text);
}

/* A file of every kind of field, nulls, quotes, CRLF and blank lines. */
static char *mixed_text(size_t rows, uint64_t seed)
{
    static const char *names[] = {
        "An", "\"Lee, Ann\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "Bình", "", "\"\"", "Chi"};
    size_t cap = rows * 120 + 64, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "id,name,amount,day,flag,score\n");
    for (size_t i = 0; i < rows; i++) {
        uint32_t r = rnd(&seed);
        const char *eol = r % 5 == 0 ? "\r\n" : "\n";
        n += (size_t)snprintf(s + n, cap - n, "%zu,%s,%u.%02u,2024-%02u-%02u,%s,%s%s%s", i,
                              names[r % 8], r % 1000, (r >> 10) % 100, 1 + (r >> 3) % 12,
                              1 + (r >> 7) % 28, r & 64 ? "true" : "false",
                              r % 11 == 0 ? ""
                              : r % 3     ? "1.5e2"
                                          : "7",
                              eol, r % 13 == 0 ? "\n" : "");
    }
    return s;
}

static void test_csv_same_table_for_every_thread_count(void **state)
{
    (void)state;
    char *text = mixed_text(3000, 42);
    csv_options one = threads_opts(1, 0);
    kpi_error err;
    table *base = load_opts(text, (size_t)-1, &one, &err);
    if (!base) fail_msg("%s", err.message);
    assert_int_equal(base->nrows, 3000);
    assert_int_equal(tf_col(base, "name")->type, COL_STRING);
    assert_int_equal(tf_col(base, "amount")->type, COL_DECIMAL);
    assert_int_equal(tf_col(base, "day")->type, COL_DATE);
    assert_int_equal(tf_col(base, "score")->type, COL_FLOAT64);
    int counts[] = {2, 3, 4, 7, 16};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        csv_options o = threads_opts(counts[i], 64);
        table *t = load_opts(text, (size_t)-1, &o, &err);
        if (!t) fail_msg("threads %d: %s", counts[i], err.message);
        tf_assert_same_table(base, t);
        table_free(t);
    }
    table_free(base);
    free(text);
}

static void test_csv_stray_quote_inside_unquoted_field_with_threads(void **state)
{
    (void)state;
    /* One quote in an unquoted field flips the quote parity of everything after it. */
    size_t cap = 40000, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text, cap, "id,item\n1,5\" screen\n");
    for (int i = 2; i < 1000; i++)
        n += (size_t)snprintf(text + n, cap - n, i % 10 ? "%d,item %d\n" : "%d,\"a\n%d\"\n", i, i);
    csv_options one = threads_opts(1, 0), four = threads_opts(4, 32);
    kpi_error err;
    table *a = load_opts(text, n, &one, &err), *b = load_opts(text, n, &four, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->nrows, 999);
    assert_string_equal(tf_str_at(a, "item", 0), "5\" screen");
    tf_assert_same_table(a, b);
    table_free(a);
    table_free(b);
    free(text);
}

static void test_csv_first_error_in_file_order_with_threads(void **state)
{
    (void)state;
    size_t cap = 20000, n = 0;
    char *text = malloc(cap);
    n += (size_t)snprintf(text, cap, "a,b\n");
    for (int i = 2; i <= 1000; i++) {
        const char *row = i == 700 ? "1\n" : i == 300 ? "1,2,3\n" : "1,2\n";
        n += (size_t)snprintf(text + n, cap - n, "%s", row);
    }
    for (int threads = 1; threads <= 4; threads++) {
        csv_options o = threads_opts(threads, 16);
        expect_error_opts(text, n, &o, KPI_EDATA, 300, 5, "expected 2 fields, found 3");
    }
    free(text);
}

/* ---- bad input -------------------------------------------------------------------- */

static csv_options declared(column_decl *decl)
{
    csv_options o;
    csv_options_init(&o);
    o.columns = decl;
    o.ncolumns = 1;
    return o;
}

static void test_csv_ragged_row_with_too_few_fields(void **state)
{
    (void)state;
    expect_error("a,b,c\n1,2,3\n4,5\n", 3, 1, "expected 3 fields, found 2");
}

static void test_csv_ragged_row_with_too_many_fields(void **state)
{
    (void)state;
    expect_error("a,b\n1,2\n3,4,5\n", 3, 5, "expected 2 fields, found 3");
}

static void test_csv_unterminated_quote_points_at_its_opening(void **state)
{
    (void)state;
    expect_error("a,b\n1,\"abc\n2,3\n", 2, 3, "unterminated quoted field (opened here)");
    expect_error("\"a,b\n1,2\n", 1, 1, "unterminated quoted field");
}

static void test_csv_character_after_closing_quote(void **state)
{
    (void)state;
    expect_error("a,b\n1,\"x\"y\n", 2, 3, "unexpected character after closing quote");
}

static void test_csv_declared_decimal_rejects_text(void **state)
{
    (void)state;
    column_decl decl = {"amount", COL_DECIMAL, -1};
    csv_options o = declared(&decl);
    expect_error_opts("id,amount\n1,2.5\n2,12x\n", (size_t)-1, &o, KPI_EDATA, 3, 3,
                      "'12x' in column 'amount' is not a decimal");
}

static void test_csv_declared_int_overflow(void **state)
{
    (void)state;
    column_decl decl = {"qty", COL_INT64, -1};
    csv_options o = declared(&decl);
    expect_error_opts("qty\n5\n99999999999999999999\n", (size_t)-1, &o, KPI_EDATA, 3, 1,
                      "'99999999999999999999' in column 'qty' does not fit a 64-bit integer");
}

static void test_csv_declared_date_not_a_calendar_day(void **state)
{
    (void)state;
    column_decl decl = {"date", COL_DATE, -1};
    csv_options o = declared(&decl);
    expect_error_opts("n,date\n1,2024-02-29\n2,2024-02-30\n", (size_t)-1, &o, KPI_EDATA, 3, 3,
                      "'2024-02-30' in column 'date' is not a calendar day");
    expect_error_opts("date\n5/1/2024\n", (size_t)-1, &o, KPI_EDATA, 2, 1,
                      "'5/1/2024' in column 'date' is not a date (expected YYYY-MM-DD)");
}

static void test_csv_declared_decimal_scale_too_small(void **state)
{
    (void)state;
    column_decl decl = {"amount", COL_DECIMAL, 2};
    csv_options o = declared(&decl);
    expect_error_opts("amount\n1.20\n1.234\n", (size_t)-1, &o, KPI_EDATA, 3, 1,
                      "'1.234' in column 'amount' has more than 2 digits after the decimal mark");
}

static void test_csv_declared_bool_and_float_reject_other_values(void **state)
{
    (void)state;
    column_decl b = {"ok", COL_BOOL, -1}, f = {"x", COL_FLOAT64, -1};
    csv_options o = declared(&b);
    expect_error_opts("ok\nyes\nmaybe\n", (size_t)-1, &o, KPI_EDATA, 3, 1,
                      "'maybe' in column 'ok' is not a boolean");
    o = declared(&f);
    expect_error_opts("x\n1e999\n", (size_t)-1, &o, KPI_EDATA, 2, 1,
                      "'1e999' in column 'x' is out of range for a float");
}

static void test_csv_invalid_utf8_in_text(void **state)
{
    (void)state;
    expect_error("id,name\n1,ok\n2,\"b\xff\"\n", 3, 3, "invalid UTF-8 in column 'name'");
    expect_error("name\n\xc3\x28\n", 2, 1, "invalid UTF-8 in column 'name'");
    expect_error("name\n\xed\xa0\x80\n", 2, 1, "invalid UTF-8"); /* a surrogate */
}

static void test_csv_nul_byte_in_data(void **state)
{
    (void)state;
    static const char text[] = "a,b\n1,x\0y\n";
    expect_error_opts(text, sizeof text - 1, NULL, KPI_EDATA, 2, 3, "NUL byte in data");
}

static void test_csv_missing_file_and_directory(void **state)
{
    (void)state;
    kpi_error err;
    assert_null(csv_load("/nonexistent/orders.csv", NULL, NULL, &err));
    assert_int_equal(err.kind, KPI_EIO);
    assert_string_equal(err.file, "/nonexistent/orders.csv");
    assert_non_null(strstr(err.message, "No such file or directory"));
    assert_null(csv_load(tu_tmpdir(), NULL, NULL, &err));
    assert_int_equal(err.kind, KPI_EIO);
    assert_non_null(strstr(err.message, "Is a directory"));
}

static void test_csv_duplicate_and_empty_header_names(void **state)
{
    (void)state;
    expect_error("a,b,a\n1,2,3\n", 1, 5, "duplicate column name 'a' (columns 1 and 3");
    expect_error("a,,c\n1,2,3\n", 1, 3, "column 2 of the header has an empty name");
}

static void test_csv_declared_column_not_in_header(void **state)
{
    (void)state;
    column_decl decl = {"amout", COL_DECIMAL, 2};
    csv_options o = declared(&decl);
    expect_error_opts("id,amount\n1,2\n", (size_t)-1, &o, KPI_EUSAGE, 0, 0,
                      "declared column 'amout' is not in the file (its columns: id, amount)");
}

static void test_csv_error_position_counts_quoted_newlines_and_characters(void **state)
{
    (void)state;
    /* The record "multi\nline" spans lines 2-3; the 'ì' before the bad field is one character. */
    expect_error("name,v\n\"multi\nline\",1\nBình,x,3\n", 4, 8, "expected 2 fields, found 3");
    column_decl decl = {"v", COL_INT64, -1};
    csv_options o = declared(&decl);
    expect_error_opts("name,v\r\n\"a\r\nb\",1\r\nBình,2x\r\n", (size_t)-1, &o, KPI_EDATA, 4, 6,
                      "'2x' in column 'v' is not an integer");
}

static void test_csv_rejects_bad_options(void **state)
{
    (void)state;
    csv_options o;
    csv_options_init(&o);
    o.delimiter = '"';
    kpi_error err;
    assert_null(load_opts("a\n1\n", (size_t)-1, &o, &err));
    assert_int_equal(err.kind, KPI_EUSAGE);
    assert_non_null(strstr(err.message, "delimiter"));
}

/* ---- the oracle ------------------------------------------------------------------- */

/* A retail-like file with quoted names, nulls, CRLF and multi-line notes. */
static const char *write_orders(size_t rows)
{
    static const char *channels[] = {"social", "search", "email", "direct", "referral"};
    size_t cap = rows * 120 + 64, n = 0;
    char *s = malloc(cap);
    uint64_t seed = 7;
    n += (size_t)snprintf(s, cap, "id,customer,channel,amount,qty,date,note\n");
    for (size_t i = 0; i < rows; i++) {
        uint32_t r = rnd(&seed), c = rnd(&seed) % 3000;
        char customer[32], amount[32], qty[16];
        if (r % 50 == 0)
            customer[0] = '\0';
        else
            snprintf(customer, sizeof customer, r % 10 == 1 ? "\"Lee, C%04u\"" : "C%04u", c);
        if (r % 20 == 3)
            amount[0] = '\0';
        else
            snprintf(amount, sizeof amount, "%u.%02u", rnd(&seed) % 5000, rnd(&seed) % 100);
        if (r % 30 == 7)
            qty[0] = '\0';
        else
            snprintf(qty, sizeof qty, "%u", 1 + rnd(&seed) % 9);
        n += (size_t)snprintf(
            s + n, cap - n, "%zu,%s,%s,%s,%s,2024-%02u-%02u,%s%s", i + 1, customer,
            channels[rnd(&seed) % 5], amount, qty, 1 + r % 12, 1 + (r >> 8) % 28,
            r % 17 == 0 ? "\"gift \"\"wrap\"\"\nplease\"" : "ok", r % 4 == 0 ? "\r\n" : "\n");
    }
    const char *path = tu_write_file("orders_oracle.csv", s, n);
    free(s);
    return path;
}

static double oracle(const char *path, const char *sql)
{
    char setup[600];
    snprintf(setup, sizeof setup, ".import --csv %s t", path);
    return tu_oracle(":memory:", setup, sql);
}

static void check_against_oracle(const char *path, const table *t)
{
    const column *amount = tf_col(t, "amount"), *qty = tf_col(t, "qty"),
                 *day_col = tf_col(t, "date");
    const column *customer = tf_col(t, "customer"), *channel = tf_col(t, "channel");
    assert_int_equal(amount->type, COL_DECIMAL);
    assert_int_equal(amount->scale, 2);
    assert_int_equal(qty->type, COL_INT64);
    assert_int_equal(day_col->type, COL_DATE);
    uint32_t email = dict_find(channel->dict, "email", 5);
    int64_t cents = 0, email_cents = 0, units = 0, days = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        cents += amount->v.i64[r]; /* null slots hold zero */
        email_cents += column_code(channel, r) == email ? amount->v.i64[r] : 0;
        units += qty->v.i64[r];
        days += day_col->v.date[r];
    }
    assert_int_equal(t->nrows, (size_t)oracle(path, "SELECT count(*) FROM t;"));
    assert_int_equal(t->nrows - amount->nnull,
                     (size_t)oracle(path, "SELECT count(*) FROM t WHERE amount <> '';"));
    assert_true(
        (double)cents ==
        oracle(path,
               "SELECT sum(CAST(round(amount * 100) AS INTEGER)) FROM t WHERE amount <> '';"));
    assert_true((double)email_cents ==
                oracle(path, "SELECT sum(CAST(round(amount * 100) AS INTEGER)) FROM t "
                             "WHERE amount <> '' AND channel = 'email';"));
    assert_true((double)units == oracle(path, "SELECT sum(CAST(qty AS INTEGER)) FROM t;"));
    assert_true((double)days ==
                oracle(path, "SELECT sum(CAST(julianday(date) - 2440587.5 AS INTEGER)) FROM t;"));
    assert_int_equal(
        dict_count(customer->dict),
        (uint32_t)oracle(path, "SELECT count(DISTINCT customer) FROM t WHERE customer <> '';"));
    assert_int_equal(customer->nnull,
                     (size_t)oracle(path, "SELECT count(*) FROM t WHERE customer = '';"));
    assert_int_equal(dict_count(tf_col(t, "note")->dict), 2);
}

static void test_csv_matches_sqlite_on_generated_orders(void **state)
{
    (void)state;
    const char *path = write_orders(20000);
    char copy[512];
    snprintf(copy, sizeof copy, "%s", path);
    kpi_error err;
    csv_options one = threads_opts(1, 0), four = threads_opts(4, 4096);
    table *a = csv_load(copy, NULL, &one, &err);
    if (!a) fail_msg("%s", err.message);
    check_against_oracle(copy, a);
    table *b = csv_load(copy, NULL, &four, &err);
    if (!b) fail_msg("%s", err.message);
    tf_assert_same_table(a, b);
    table_free(a);
    table_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_infers_each_column_type),
        cmocka_unit_test(test_csv_quoted_fields_keep_delimiters_quotes_and_newlines),
        cmocka_unit_test(test_csv_crlf_and_lf_mixed),
        cmocka_unit_test(test_csv_last_record_without_newline),
        cmocka_unit_test(test_csv_byte_order_mark_skipped),
        cmocka_unit_test(test_csv_empty_file_has_no_columns),
        cmocka_unit_test(test_csv_header_only_gives_string_columns),
        cmocka_unit_test(test_csv_empty_field_is_null_and_quoted_empty_is_empty_string),
        cmocka_unit_test(test_csv_blank_lines_are_skipped),
        cmocka_unit_test(test_csv_string_codes_follow_first_appearance),
        cmocka_unit_test(test_csv_load_maps_a_file_named_by_its_base_name),
        cmocka_unit_test(test_csv_fixture_with_bom_crlf_and_quotes),
        cmocka_unit_test(test_csv_int_and_decimal_widen_to_decimal_with_max_scale),
        cmocka_unit_test(test_csv_decimal_and_float_widen_to_float),
        cmocka_unit_test(test_csv_mixed_values_become_string),
        cmocka_unit_test(test_csv_date_and_timestamp_widen_to_timestamp),
        cmocka_unit_test(test_csv_int_too_large_for_int64_makes_column_float),
        cmocka_unit_test(test_csv_decimal_too_wide_for_its_scale_makes_column_float),
        cmocka_unit_test(test_csv_impossible_day_in_inferred_column_is_string),
        cmocka_unit_test(test_csv_all_null_column_is_string_of_nulls),
        cmocka_unit_test(test_csv_quoted_numbers_are_inferred),
        cmocka_unit_test(test_csv_semicolon_delimiter_with_comma_decimal_mark),
        cmocka_unit_test(test_csv_date_format_day_month_year),
        cmocka_unit_test(test_csv_digit_only_date_format_wins_over_numbers_in_any_order),
        cmocka_unit_test(test_csv_without_header_names_columns_c1_c2),
        cmocka_unit_test(test_csv_declared_types_override_inference),
        cmocka_unit_test(test_csv_declared_decimal_takes_its_scale_from_the_data),
        cmocka_unit_test(test_csv_chunk_boundaries_inside_quoted_newlines),
        cmocka_unit_test(test_csv_same_table_for_every_thread_count),
        cmocka_unit_test(test_csv_stray_quote_inside_unquoted_field_with_threads),
        cmocka_unit_test(test_csv_first_error_in_file_order_with_threads),
        cmocka_unit_test(test_csv_ragged_row_with_too_few_fields),
        cmocka_unit_test(test_csv_ragged_row_with_too_many_fields),
        cmocka_unit_test(test_csv_unterminated_quote_points_at_its_opening),
        cmocka_unit_test(test_csv_character_after_closing_quote),
        cmocka_unit_test(test_csv_declared_decimal_rejects_text),
        cmocka_unit_test(test_csv_declared_int_overflow),
        cmocka_unit_test(test_csv_declared_date_not_a_calendar_day),
        cmocka_unit_test(test_csv_declared_decimal_scale_too_small),
        cmocka_unit_test(test_csv_declared_bool_and_float_reject_other_values),
        cmocka_unit_test(test_csv_invalid_utf8_in_text),
        cmocka_unit_test(test_csv_nul_byte_in_data),
        cmocka_unit_test(test_csv_missing_file_and_directory),
        cmocka_unit_test(test_csv_duplicate_and_empty_header_names),
        cmocka_unit_test(test_csv_declared_column_not_in_header),
        cmocka_unit_test(test_csv_error_position_counts_quoted_newlines_and_characters),
        cmocka_unit_test(test_csv_rejects_bad_options),
        cmocka_unit_test(test_csv_matches_sqlite_on_generated_orders),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
