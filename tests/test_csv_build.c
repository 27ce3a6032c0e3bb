/*
** test_csv_build.c -- the CSV loader's one-pass load (engine/core/csv_build.c and the
** convert pass of csv_chunk.c, reading files through csv_read.c).
**
** Column types are planned from the first records of each chunk and the text is read
** once; the table must still be the one inference over every value gives. Expected
** values are worked out by hand from the generated text.
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
#include "date.h"
#include "kpi_alloc.h"
#include "table_fixture.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------- */

static table *load_opts(const char *text, size_t len, const csv_options *o, kpi_error *err)
{
    kpi_error_clear(err);
    return csv_load_buffer("t.csv", NULL, text, len == (size_t)-1 ? strlen(text) : len, o, err);
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

static csv_options threads_opts(int threads, size_t min_chunk)
{
    csv_options o;
    csv_options_init(&o);
    o.threads = threads;
    o.min_chunk = min_chunk;
    return o;
}

static csv_options declared(column_decl *decl)
{
    csv_options o;
    csv_options_init(&o);
    o.columns = decl;
    o.ncolumns = 1;
    return o;
}

/* Deterministic pseudo-random numbers (64-bit LCG, high bits). */
static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* ---- types planned from the first records ---------------------------------------- */

/*
** The loader plans each column's type from the first records of every chunk and reads
** the file once; a value later on that does not fit must still give the table that
** inference over all values gives. LATE_ROWS records put row 9000 (and 3000) well past
** the first records of their chunk, with one thread and with two.
*/
#define LATE_ROWS 10000

/* "id,v" records: v is `usual`, but `late` at row `at` (0-based; at >= rows: never). */
static char *late_value_text(size_t rows, size_t at, const char *usual, const char *late)
{
    size_t cap = rows * (strlen(usual) + 24) + strlen(late) + 32, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "id,v\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(s + n, cap - n, "%zu,%s\n", i, i == at ? late : usual);
    return s;
}

/* Load text with one thread and with two; both tables must be the same. */
static table *load_late(const char *text, const csv_options *base)
{
    csv_options one = threads_opts(1, 0), two = threads_opts(2, 4096);
    if (base) {
        one = *base;
        one.threads = 1;
        two = *base;
        two.threads = 2;
        two.min_chunk = 4096;
    }
    kpi_error err;
    table *a = load_opts(text, (size_t)-1, &one, &err);
    if (!a) fail_msg("one thread: %s", err.message);
    table *b = load_opts(text, (size_t)-1, &two, &err);
    if (!b) fail_msg("two threads: %s", err.message);
    tf_assert_same_table(a, b);
    table_free(b);
    return a;
}

static void test_csv_late_decimal_widens_int_column(void **state)
{
    (void)state;
    for (size_t at = 3000; at <= 9000; at += 6000) {
        char *text = late_value_text(LATE_ROWS, at, "7", "2.5");
        table *t = load_late(text, NULL);
        const column *v = tf_col(t, "v");
        assert_int_equal(v->type, COL_DECIMAL);
        assert_int_equal(v->scale, 1);
        assert_true(v->v.i64[0] == 70 && v->v.i64[at] == 25 && v->v.i64[LATE_ROWS - 1] == 70);
        table_free(t);
        free(text);
    }
}

static void test_csv_late_value_with_more_digits_raises_decimal_scale(void **state)
{
    (void)state;
    char *text = late_value_text(LATE_ROWS, 9000, "1.25", "-0.125");
    table *t = load_late(text, NULL);
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_DECIMAL);
    assert_int_equal(v->scale, 3);
    assert_true(v->v.i64[0] == 1250 && v->v.i64[9000] == -125 && v->v.i64[9999] == 1250);
    table_free(t);
    free(text);
}

static void test_csv_late_declared_decimal_takes_the_larger_scale(void **state)
{
    (void)state;
    column_decl decl = {"v", COL_DECIMAL, -1};
    csv_options o = declared(&decl);
    char *text = late_value_text(LATE_ROWS, 9000, "1.5", "2.125");
    table *t = load_late(text, &o);
    assert_int_equal(tf_col(t, "v")->type, COL_DECIMAL);
    assert_int_equal(tf_col(t, "v")->scale, 3);
    assert_true(tf_col(t, "v")->v.i64[0] == 1500 && tf_col(t, "v")->v.i64[9000] == 2125);
    table_free(t);
    free(text);
}

static void test_csv_late_text_makes_number_column_string(void **state)
{
    (void)state;
    char *text = late_value_text(LATE_ROWS, 9000, "12", "n/a");
    table *t = load_late(text, NULL);
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_STRING);
    assert_int_equal(dict_count(v->dict), 2);
    assert_string_equal(dict_str(v->dict, 0), "12"); /* codes in order of first appearance */
    assert_string_equal(tf_str_at(t, "v", 9000), "n/a");
    assert_string_equal(tf_str_at(t, "v", 9001), "12");
    table_free(t);
    free(text);
}

static void test_csv_late_timestamp_widens_date_column(void **state)
{
    (void)state;
    char *text = late_value_text(LATE_ROWS, 9000, "2024-03-01", "2024-03-01 12:00:00");
    table *t = load_late(text, NULL);
    const column *v = tf_col(t, "v");
    int64_t midnight = (int64_t)tf_day("2024-03-01") * 86400;
    assert_int_equal(v->type, COL_TIMESTAMP);
    assert_true(v->v.i64[0] == midnight && v->v.i64[9000] == midnight + 43200);
    table_free(t);
    free(text);
}

static void test_csv_late_huge_integer_makes_column_float(void **state)
{
    (void)state;
    char *text = late_value_text(LATE_ROWS, 9000, "5", "99999999999999999999");
    table *t = load_late(text, NULL);
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_FLOAT64);
    assert_true(v->v.f64[0] == 5.0 && v->v.f64[9000] == 1e20);
    table_free(t);
    free(text);
}

static void test_csv_late_number_that_the_date_format_reads_makes_column_string(void **state)
{
    (void)state;
    csv_options o;
    csv_options_init(&o);
    o.date_format = "%Y%m%d";
    /* 20240105 is a date in this format: int and date join to string. */
    char *text = late_value_text(LATE_ROWS, 9000, "5", "20240105");
    table *t = load_late(text, &o);
    assert_int_equal(tf_col(t, "v")->type, COL_STRING);
    assert_string_equal(tf_str_at(t, "v", 9000), "20240105");
    assert_string_equal(tf_str_at(t, "v", 0), "5");
    table_free(t);
    free(text);
}

/* A column empty in the first `empty` records, then `value`. */
static char *late_start_text(size_t rows, size_t empty, const char *value)
{
    size_t cap = rows * (strlen(value) + 24) + 32, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "id,v\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(s + n, cap - n, "%zu,%s\n", i, i < empty ? "" : value);
    return s;
}

static void test_csv_column_empty_in_first_records_takes_type_of_later_values(void **state)
{
    (void)state;
    char *text = late_start_text(LATE_ROWS, 6000, "42");
    table *t = load_late(text, NULL);
    assert_int_equal(tf_col(t, "v")->type, COL_INT64);
    assert_int_equal(tf_col(t, "v")->nnull, 6000);
    assert_false(column_is_valid(tf_col(t, "v"), 5999));
    assert_true(tf_col(t, "v")->v.i64[6000] == 42);
    table_free(t);
    free(text);
    text = late_start_text(LATE_ROWS, 6000, "\"Năm mới, 2024\"");
    t = load_late(text, NULL);
    assert_int_equal(tf_col(t, "v")->type, COL_STRING);
    assert_int_equal(tf_col(t, "v")->nnull, 6000);
    assert_string_equal(tf_str_at(t, "v", 9999), "Năm mới, 2024");
    table_free(t);
    free(text);
}

static void test_csv_late_invalid_utf8_is_reported_where_it_is(void **state)
{
    (void)state;
    char *text = late_value_text(LATE_ROWS, 9000, "abc", "ab\xff");
    for (int threads = 1; threads <= 2; threads++) {
        csv_options o = threads_opts(threads, 4096);
        /* Row 9000 is line 9002; its v starts after "9000,". */
        expect_error_opts(text, (size_t)-1, &o, KPI_EDATA, 9002, 6, "invalid UTF-8 in column 'v'");
    }
    free(text);
}

static void test_csv_late_ragged_row_is_reported_where_it_is(void **state)
{
    (void)state;
    char *text = late_value_text(LATE_ROWS, 9000, "1", "1,2");
    for (int threads = 1; threads <= 2; threads++) {
        csv_options o = threads_opts(threads, 4096);
        expect_error_opts(text, (size_t)-1, &o, KPI_EDATA, 9002, 8, "expected 2 fields, found 3");
    }
    free(text);
}

/* A file read in pieces: records and fields across the reads, one field longer than a read. */
static void test_csv_file_read_in_pieces_is_the_same_table(void **state)
{
    (void)state;
    size_t cap = 3u << 20, n = 0, long_len = 300000;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "id,note,amount\r\n");
    for (size_t i = 0; i < 40000; i++) {
        if (i == 20000) {
            n += (size_t)snprintf(s + n, cap - n, "%zu,\"", i);
            memset(s + n, 'x', long_len);
            n += long_len;
            n += (size_t)snprintf(s + n, cap - n, "\"\"\n\",1.00\r\n");
            continue;
        }
        n += (size_t)snprintf(s + n, cap - n,
                              i % 7 ? "%zu,plain %zu,%zu.25\r\n"
                                    : "%zu,\"two\nlines %zu\",%zu.25\n\n",
                              i, i % 100, i % 1000);
    }
    const char *path = tu_write_file("pieces.csv", s, n);
    kpi_error err;
    csv_options one = threads_opts(1, 0), three = threads_opts(3, 4096);
    table *mem = load_opts(s, n, &one, &err), *a = csv_load(path, NULL, &one, &err);
    table *b = csv_load(path, NULL, &three, &err);
    assert_non_null(mem);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->nrows, 40000);
    assert_int_equal(tf_col(a, "amount")->type, COL_DECIMAL);
    assert_true(tf_col(a, "amount")->v.i64[7] == 725 && tf_col(a, "amount")->v.i64[20000] == 100);
    assert_string_equal(tf_str_at(a, "note", 14), "two\nlines 14");
    const column *note = tf_col(a, "note");
    assert_int_equal(dict_len(note->dict, column_code(note, 20000)), long_len + 2);
    tf_assert_same_table(mem, a);
    tf_assert_same_table(mem, b);
    table_free(mem);
    table_free(a);
    table_free(b);
    free(s);
}

/*
** Only the chunks before the last are counted; the last one's rows are bounded by its
** bytes (a record of n fields takes at least n bytes). Records of empty fields meet the
** bound exactly: ",,\n" is 3 bytes for 3 fields, and the last ",," ends the file
** without a line feed.
*/
static void test_csv_last_chunk_of_shortest_records_fits_its_bound(void **state)
{
    (void)state;
    size_t full = 3000, empty = 20000, cap = full * 32 + empty * 3 + 64, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "a,b,c\n");
    for (size_t i = 0; i < full; i++)
        n += (size_t)snprintf(s + n, cap - n, "%zu,name %zu,%zu.5\n", i, i % 10, i);
    for (size_t i = 0; i + 1 < empty; i++)
        n += (size_t)snprintf(s + n, cap - n, ",,\n");
    n += (size_t)snprintf(s + n, cap - n, ",,");
    const char *path = tu_write_file("shortest.csv", s, n);
    kpi_error err;
    int twice = -1;
    csv_options one = threads_opts(1, 0);
    one.read_twice = &twice;
    table *a = load_opts(s, n, &one, &err);
    if (!a) fail_msg("one thread: %s", err.message);
    assert_int_equal(twice, 0); /* the bound held: no second read */
    assert_int_equal(a->nrows, full + empty);
    assert_int_equal(tf_col(a, "a")->nnull, empty);
    assert_int_equal(tf_col(a, "c")->v.i64[full - 1], (int64_t)(full - 1) * 10 + 5);
    for (int threads = 2; threads <= 4; threads++) {
        csv_options o = threads_opts(threads, 4096);
        o.read_twice = &twice;
        table *mem = load_opts(s, n, &o, &err);
        if (!mem) fail_msg("%d threads, in memory: %s", threads, err.message);
        assert_int_equal(twice, 0);
        table *file = csv_load(path, NULL, &o, &err);
        if (!file) fail_msg("%d threads, from the file: %s", threads, err.message);
        assert_int_equal(twice, 0);
        tf_assert_same_table(a, mem);
        tf_assert_same_table(a, file);
        table_free(mem);
        table_free(file);
    }
    table_free(a);
    free(s);
}

/* ---- string codes ------------------------------------------------------------------ */

static void test_csv_codes_follow_first_appearance_with_escaped_quotes(void **state)
{
    (void)state;
    kpi_error err;
    table *t = load_opts("c\n\"a\"\"b\"\nx\n\"a\"\"b\"\ny\nx\n", (size_t)-1, NULL, &err);
    assert_non_null(t);
    const column *c = tf_col(t, "c");
    uint32_t expect[] = {0, 1, 0, 2, 1};
    for (size_t r = 0; r < 5; r++)
        assert_int_equal(column_code(c, r), expect[r]);
    assert_string_equal(dict_str(c->dict, 0), "a\"b");
    assert_string_equal(dict_str(c->dict, 2), "y");
    table_free(t);
}

/*
** Many distinct strings, some escaped: a column's first strings are looked up at once,
** later ones in batches; codes must follow first appearance in the file either way.
*/
static void test_csv_codes_follow_first_appearance_past_the_first_strings(void **state)
{
    (void)state;
    enum { ROWS = 6000, DISTINCT = 700 };
    size_t cap = ROWS * 24 + 16, n = 0;
    char *s = malloc(cap), seen[DISTINCT] = {0};
    uint32_t code_of[DISTINCT], next = 0, *expect = malloc(ROWS * sizeof *expect);
    uint64_t seed = 11;
    n += (size_t)snprintf(s, cap, "c\n");
    for (size_t r = 0; r < ROWS; r++) {
        uint32_t k = rnd(&seed) % DISTINCT;
        n += (size_t)snprintf(s + n, cap - n, k % 9 == 0 ? "\"q\"\"%u\"\n" : "s%u\n", k);
        if (!seen[k]) {
            seen[k] = 1;
            code_of[k] = next++;
        }
        expect[r] = code_of[k];
    }
    for (int threads = 1; threads <= 3; threads++) {
        csv_options o = threads_opts(threads, 4096);
        kpi_error err;
        table *t = load_opts(s, n, &o, &err);
        assert_non_null(t);
        const column *c = tf_col(t, "c");
        assert_int_equal(dict_count(c->dict), next);
        for (size_t r = 0; r < ROWS; r++)
            if (column_code(c, r) != expect[r]) fail_msg("threads %d row %zu", threads, r);
        assert_string_equal(dict_str(c->dict, code_of[9]), "q\"9");
        table_free(t);
    }
    free(expect);
    free(s);
}

/* ---- out of memory ----------------------------------------------------------------- */

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

/*
** Allocation n fails (and every later one), for every n until the load succeeds: each
** load either gives the whole table or fails with "out of memory", leaking nothing. Two
** threads, string columns past their first strings, nulls and a late misfit cover the
** one-pass load, the second convert pass and the dict merges.
*/
static void test_csv_out_of_memory_anywhere_fails_cleanly(void **state)
{
    (void)state;
    enum { ROWS = 3000 };
    size_t cap = ROWS * 48 + 32, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s, cap, "id,name,amount,note\n");
    for (size_t i = 0; i < ROWS; i++)
        n += (size_t)snprintf(s + n, cap - n, "%zu,C%04zu,%s,%s\n", i, i % 700,
                              i == 2500 ? "7.125" : "3.50", i % 3 ? "" : "\"a \"\"b\"\"\"");
    csv_options o = threads_opts(2, 4096);
    kpi_error err;
    table *expect = load_opts(s, n, &o, &err);
    assert_non_null(expect);
    assert_int_equal(tf_col(expect, "amount")->scale, 3);
    long tries = 0;
    for (;; tries++) {
        kpi_test_fail_after(tries);
        table *t = load_opts(s, n, &o, &err);
        kpi_test_fail_after(-1);
        if (t) {
            tf_assert_same_table(expect, t);
            table_free(t);
            break;
        }
        assert_int_equal(err.kind, KPI_ENOMEM);
        assert_non_null(strstr(err.message, "out of memory"));
    }
    assert_true(tries > 10); /* the walk did meet failures */
    table_free(expect);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_late_decimal_widens_int_column),
        cmocka_unit_test(test_csv_late_value_with_more_digits_raises_decimal_scale),
        cmocka_unit_test(test_csv_late_declared_decimal_takes_the_larger_scale),
        cmocka_unit_test(test_csv_late_text_makes_number_column_string),
        cmocka_unit_test(test_csv_late_timestamp_widens_date_column),
        cmocka_unit_test(test_csv_late_huge_integer_makes_column_float),
        cmocka_unit_test(test_csv_late_number_that_the_date_format_reads_makes_column_string),
        cmocka_unit_test(test_csv_column_empty_in_first_records_takes_type_of_later_values),
        cmocka_unit_test(test_csv_late_invalid_utf8_is_reported_where_it_is),
        cmocka_unit_test(test_csv_late_ragged_row_is_reported_where_it_is),
        cmocka_unit_test(test_csv_file_read_in_pieces_is_the_same_table),
        cmocka_unit_test(test_csv_last_chunk_of_shortest_records_fits_its_bound),
        cmocka_unit_test(test_csv_codes_follow_first_appearance_with_escaped_quotes),
        cmocka_unit_test(test_csv_codes_follow_first_appearance_past_the_first_strings),
        cmocka_unit_test_teardown(test_csv_out_of_memory_anywhere_fails_cleanly, allow_allocations),
    };
    return cmocka_run_group_tests_name("csv_build", tests, NULL, NULL);
}
