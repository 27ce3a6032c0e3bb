/*
** test_sqlsrc.c -- loading SQLite tables and queries (engine/core/sqlsrc.c).
**
** Each test builds its database with the sqlite3 shell and checks what was loaded
** against sqlite3 running the matching SQL on the same file (tu_oracle).
*/
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "date.h"
#include "kpi_alloc.h"
#include "sqlsrc.h"
#include "table_fixture.h"
#include "testutil.h"

/* Text from tu_oracle_text comes from the C library's malloc, not the test allocator. */
static void free_text(char *p)
{
#undef free
    free(p);
#define free test_free
}

/* Create tu_tmpdir()/name afresh from SQL run by the sqlite3 shell; returns its path. */
static const char *make_db(const char *name, const char *sql)
{
    static char paths[4][512];
    static int next;
    char *db = paths[next++ & 3];
    snprintf(db, 512, "%s/%s", tu_tmpdir(), name);
    char sqlname[300], cmd[1400];
    snprintf(sqlname, sizeof sqlname, "%s.sql", name);
    const char *sqlpath = tu_write_file(sqlname, sql, (size_t)-1);
    snprintf(cmd, sizeof cmd, "rm -f '%s' && sqlite3 -bail '%s' < '%s'", db, db, sqlpath);
    if (tu_run(cmd, NULL, NULL) != 0) fail_msg("sqlite3 failed on %s", sqlpath);
    return db;
}

static table *load_query(const char *db, const char *query, kpi_error *err)
{
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.query = query;
    kpi_error_clear(err);
    return sqlsrc_load(db, "t", &o, err);
}

static double col_sum(const column *c, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += column_number(c, i);
    return s;
}

static void assert_error(const kpi_error *err, kpi_error_kind kind, const char *file,
                         const char *message)
{
    assert_int_equal(err->kind, kind);
    assert_string_equal(err->file, file);
    assert_int_equal(err->line, 0);
    assert_int_equal(err->column, 0);
    if (!strstr(err->message, message))
        fail_msg("expected \"%s\" in \"%s\"", message, err->message);
}

static const char orders_sql[] =
    "CREATE TABLE orders(id INTEGER, amount REAL, day TEXT, ts TEXT, customer TEXT, note TEXT,"
    " qty);"
    "INSERT INTO orders VALUES"
    " (1, 10.5, '2024-08-01', '2024-08-01 10:00:00', 'alice', NULL, 3),"
    " (2, 20.25, '2024-08-02', '2024-08-02T11:30:00Z', 'bob', 'x', 4),"
    " (3, NULL, '2024-08-02', '2024-08-03', 'alice', NULL, NULL);";

static void test_sqlsrc_table_types_inferred_from_values(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "orders";
    kpi_error err;
    table *t = sqlsrc_load(db, NULL, &o, &err);
    assert_non_null(t);
    assert_string_equal(t->name, "orders");
    assert_int_equal(t->nrows, 3);
    assert_int_equal(t->ncols, 7);
    assert_int_equal(tf_col(t, "id")->type, COL_INT64);
    assert_int_equal(tf_col(t, "amount")->type, COL_FLOAT64);
    assert_int_equal(tf_col(t, "day")->type, COL_DATE);
    assert_int_equal(tf_col(t, "ts")->type, COL_TIMESTAMP);
    assert_int_equal(tf_col(t, "customer")->type, COL_STRING);
    assert_int_equal(tf_col(t, "note")->type, COL_STRING);
    assert_int_equal(tf_col(t, "qty")->type, COL_INT64);
    assert_int_equal(t->time_col, -1);
    table_free(t);
}

static void test_sqlsrc_values_match_sqlite(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    kpi_error err;
    table *t = load_query(db, "SELECT * FROM orders", &err);
    assert_non_null(t);
    size_t n = t->nrows;
    assert_true(col_sum(tf_col(t, "id"), n) == tu_oracle(db, NULL, "SELECT sum(id) FROM orders;"));
    assert_true(col_sum(tf_col(t, "amount"), n) ==
                tu_oracle(db, NULL, "SELECT sum(amount) FROM orders;"));
    assert_true(col_sum(tf_col(t, "day"), n) ==
                tu_oracle(db, NULL, "SELECT sum(julianday(day) - 2440587.5) FROM orders;"));
    assert_true(col_sum(tf_col(t, "ts"), n) ==
                tu_oracle(db, NULL, "SELECT sum(unixepoch(ts)) FROM orders;"));
    assert_int_equal(dict_count(tf_col(t, "customer")->dict),
                     (uint32_t)tu_oracle(db, NULL, "SELECT count(DISTINCT customer) FROM orders;"));
    const column *c = tf_col(t, "customer");
    assert_string_equal(dict_str(c->dict, c->v.code[1]), "bob");
    table_free(t);
}

static void test_sqlsrc_nulls_are_invalid_and_zero(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    kpi_error err;
    table *t = load_query(db, "SELECT * FROM orders", &err);
    assert_non_null(t);
    const column *amount = tf_col(t, "amount"), *note = tf_col(t, "note"), *qty = tf_col(t, "qty");
    assert_int_equal(amount->nnull, 1);
    assert_false(column_is_valid(amount, 2));
    assert_true(amount->v.f64[2] == 0.0);
    assert_int_equal(note->nnull,
                     (size_t)tu_oracle(db, NULL, "SELECT count(*) - count(note) FROM orders;"));
    assert_false(column_is_valid(note, 0));
    assert_true(column_is_valid(note, 1));
    assert_int_equal(qty->nnull, 1);
    assert_int_equal(qty->v.i64[2], 0);
    assert_null(tf_col(t, "id")->valid);
    assert_int_equal(tf_col(t, "id")->nnull, 0);
    table_free(t);
}

static void test_sqlsrc_query_aggregates_match_sqlite(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    const char *q = "SELECT customer, sum(amount) AS total, count(*) AS n FROM orders "
                    "GROUP BY customer ORDER BY customer";
    kpi_error err;
    table *t = load_query(db, q, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(tf_col(t, "n")->type, COL_INT64);
    assert_int_equal(tf_col(t, "total")->type, COL_FLOAT64);
    assert_true(tf_col(t, "total")->v.f64[0] ==
                tu_oracle(db, NULL, "SELECT sum(amount) FROM orders WHERE customer = 'alice';"));
    assert_int_equal(
        tf_col(t, "n")->v.i64[0],
        (int64_t)tu_oracle(db, NULL, "SELECT count(*) FROM orders WHERE customer = 'alice';"));
    table_free(t);
}

static void test_sqlsrc_large_table_grows_and_matches_sqlite(void **state)
{
    (void)state;
    const char *db =
        make_db("big.db", "CREATE TABLE big(id INTEGER, region TEXT, amount REAL, day TEXT);"
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 100000) INSERT INTO big SELECT i, 'r' || (i % 7),"
                          " CASE WHEN i % 10 = 0 THEN NULL ELSE (i % 1000) / 4.0 END,"
                          " date('2024-01-01', '+' || (i % 366) || ' days') FROM n;");
    kpi_error err;
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "big";
    table *t = sqlsrc_load(db, "big", &o, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, (size_t)tu_oracle(db, NULL, "SELECT count(*) FROM big;"));
    assert_true(col_sum(tf_col(t, "id"), t->nrows) ==
                tu_oracle(db, NULL, "SELECT sum(id) FROM big;"));
    assert_true(tu_close(col_sum(tf_col(t, "amount"), t->nrows),
                         tu_oracle(db, NULL, "SELECT sum(amount) FROM big;"), 1e-12));
    assert_int_equal(tf_col(t, "amount")->nnull,
                     (size_t)tu_oracle(db, NULL, "SELECT count(*) - count(amount) FROM big;"));
    assert_int_equal(tf_col(t, "day")->type, COL_DATE);
    assert_true(col_sum(tf_col(t, "day"), t->nrows) ==
                tu_oracle(db, NULL, "SELECT sum(julianday(day) - 2440587.5) FROM big;"));
    assert_int_equal(dict_count(tf_col(t, "region")->dict),
                     (uint32_t)tu_oracle(db, NULL, "SELECT count(DISTINCT region) FROM big;"));
    /* Row order is the query's: spot-check the last row. */
    char *last = tu_oracle_text(db, NULL, "SELECT day FROM big WHERE id = 100000;");
    char buf[11];
    date_format_iso(tf_col(t, "day")->v.date[t->nrows - 1], buf);
    assert_string_equal(buf, last);
    free_text(last);
    table_free(t);
}

static void test_sqlsrc_integer_then_real_becomes_float(void **state)
{
    (void)state;
    const char *db = make_db("mix.db", "CREATE TABLE m(v); INSERT INTO m VALUES (1), (NULL), (2),"
                                       " (2.5), (9007199254740993);");
    kpi_error err;
    table *t = load_query(db, "SELECT v FROM m", &err);
    assert_non_null(t);
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_FLOAT64);
    assert_true(v->v.f64[0] == 1.0);
    assert_true(v->v.f64[1] == 0.0);
    assert_true(v->v.f64[2] == 2.0);
    assert_true(v->v.f64[3] == 2.5);
    assert_true(col_sum(v, 4) ==
                tu_oracle(db, NULL, "SELECT sum(CAST(v AS REAL)) FROM m WHERE rowid < 5;"));
    assert_true(
        v->v.f64[4] ==
        tu_oracle(db, NULL, "SELECT printf('%.17g', CAST(v AS REAL)) FROM m WHERE rowid = 5;"));
    table_free(t);
}

static void test_sqlsrc_numbers_then_text_become_strings_as_sqlite_renders(void **state)
{
    (void)state;
    const char *db = make_db("mixtext.db", "CREATE TABLE m(v); INSERT INTO m VALUES (1), (2.5),"
                                           " (NULL), (0.1), (1e20), (3), ('2024-08-01'), (-7);");
    kpi_error err;
    table *t = load_query(db, "SELECT v FROM m", &err);
    assert_non_null(t);
    const column *v = tf_col(t, "v");
    /* Mixed numbers and text stay text, even when some text looks like a date. */
    assert_int_equal(v->type, COL_STRING);
    char *expect = tu_oracle_text(db, NULL, "SELECT ifnull(CAST(v AS TEXT), '<null>') FROM m;");
    char *line = expect;
    for (size_t i = 0; i < t->nrows; i++) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        const char *got = column_is_valid(v, i) ? dict_str(v->dict, v->v.code[i]) : "<null>";
        assert_string_equal(got, line);
        line = nl ? nl + 1 : line + strlen(line);
    }
    free_text(expect);
    table_free(t);
}

/*
** Text values are interned in batches (their lookups overlap): over many batches, with
** a column that turns to text after 100 numbers, every row's string is sqlite3's and
** codes still follow first appearance.
*/
static void test_sqlsrc_text_in_many_batches_keeps_values_and_code_order(void **state)
{
    (void)state;
    const char *db =
        make_db("batches.db",
                "CREATE TABLE m(a, b);"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)"
                " INSERT INTO m SELECT 'k' || (i * 7919 % 997),"
                " CASE WHEN i <= 100 THEN i WHEN i % 50 = 0 THEN NULL ELSE 'x' || (i % 13) END"
                " FROM n;");
    kpi_error err;
    table *t = load_query(db, "SELECT a, b FROM m ORDER BY rowid", &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 5000);
    const char *names[] = {"a", "b"};
    const char *sql[] = {"SELECT a FROM m ORDER BY rowid;",
                         "SELECT ifnull(CAST(b AS TEXT), '<null>') FROM m ORDER BY rowid;"};
    for (int k = 0; k < 2; k++) {
        const column *c = tf_col(t, names[k]);
        assert_int_equal(c->type, COL_STRING);
        dict *order = dict_new(); /* codes in order of first appearance, from sqlite3's rows */
        char *expect = tu_oracle_text(db, NULL, sql[k]);
        char *line = expect;
        for (size_t i = 0; i < t->nrows; i++) {
            char *nl = strchr(line, '\n');
            if (nl) *nl = '\0';
            if (column_is_valid(c, i)) {
                uint32_t code = column_code(c, i);
                assert_string_equal(dict_str(c->dict, code), line);
                assert_int_equal(code, dict_intern(order, line, strlen(line)));
            } else {
                assert_string_equal(line, "<null>");
            }
            line = nl ? nl + 1 : line + strlen(line);
        }
        assert_int_equal(dict_count(c->dict), dict_count(order));
        dict_free(order);
        free_text(expect);
    }
    table_free(t);
}

static void test_sqlsrc_all_null_columns_typed_by_declaration(void **state)
{
    (void)state;
    const char *db = make_db("nulls.db", "CREATE TABLE z(a INTEGER, b DOUBLE, c VARCHAR(10), "
                                         "d DATE, e DATETIME, f); INSERT INTO z VALUES "
                                         "(NULL, NULL, NULL, NULL, NULL, NULL);");
    kpi_error err;
    table *t = load_query(db, "SELECT * FROM z", &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 1);
    assert_int_equal(tf_col(t, "a")->type, COL_INT64);
    assert_int_equal(tf_col(t, "b")->type, COL_FLOAT64);
    assert_int_equal(tf_col(t, "c")->type, COL_STRING);
    assert_non_null(tf_col(t, "c")->dict);
    assert_int_equal(tf_col(t, "d")->type, COL_DATE);
    assert_int_equal(tf_col(t, "e")->type, COL_TIMESTAMP);
    assert_int_equal(tf_col(t, "f")->type, COL_STRING);
    for (size_t i = 0; i < t->ncols; i++)
        assert_int_equal(t->cols[i].nnull, 1);
    table_free(t);
}

static void test_sqlsrc_empty_result_has_typed_columns(void **state)
{
    (void)state;
    const char *db = make_db("empty.db", "CREATE TABLE e(a INTEGER, b REAL, c TEXT);");
    kpi_error err;
    table *t = load_query(db, "SELECT a, b, c, a + 1 AS expr FROM e", &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 0);
    assert_int_equal(t->ncols, 4);
    assert_int_equal(tf_col(t, "a")->type, COL_INT64);
    assert_int_equal(tf_col(t, "b")->type, COL_FLOAT64);
    assert_int_equal(tf_col(t, "c")->type, COL_STRING);
    assert_int_equal(tf_col(t, "expr")->type, COL_STRING);
    table_free(t);
}

static void test_sqlsrc_text_dates_in_date_format(void **state)
{
    (void)state;
    const char *db = make_db("fmt.db", "CREATE TABLE f(day TEXT, other TEXT); INSERT INTO f VALUES"
                                       " ('05/08/2024', 'a'), ('31/12/2023', NULL);");
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "f";
    o.date_format = "%d/%m/%Y";
    kpi_error err;
    table *t = sqlsrc_load(db, "f", &o, &err);
    assert_non_null(t);
    assert_int_equal(tf_col(t, "day")->type, COL_DATE);
    assert_int_equal(tf_col(t, "day")->v.date[0], date_from_civil(2024, 8, 5));
    assert_int_equal(tf_col(t, "day")->v.date[1], date_from_civil(2023, 12, 31));
    assert_int_equal(tf_col(t, "other")->type, COL_STRING);
    table_free(t);
}

static void test_sqlsrc_blobs_load_as_strings(void **state)
{
    (void)state;
    const char *db =
        make_db("blob.db", "CREATE TABLE b(v BLOB); INSERT INTO b VALUES (x'00ff41');");
    kpi_error err;
    table *t = load_query(db, "SELECT v FROM b", &err);
    assert_non_null(t);
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_STRING);
    assert_int_equal(dict_len(v->dict, v->v.code[0]), 3);
    assert_memory_equal(dict_str(v->dict, v->v.code[0]), "\x00\xff\x41", 3);
    table_free(t);
}

static const char declared_sql[] =
    "CREATE TABLE d(amount TEXT, price REAL, mixed, day TEXT, unix INTEGER, jd REAL, flag,"
    " code INTEGER);"
    "INSERT INTO d VALUES"
    " ('12.34', 19.99, 3, '05/08/2024', 1722470400, julianday('2024-08-05 12:00:00'), 'yes', 42),"
    " ('-0.5', 0.125, '1.5', '2024-08-06', 1722556799, julianday('1969-12-31 23:00:00'), 'FALSE',"
    " 7),"
    " ('7', NULL, 2.25, NULL, NULL, NULL, 1, NULL),"
    " (NULL, 3, NULL, '2024-08-07 23:59:59', -1, 2440587.5, 0, -3);";

static table *load_declared(const char *db, kpi_error *err)
{
    static const column_decl decl[] = {
        {"amount", COL_DECIMAL, 2}, {"price", COL_DECIMAL, 2},  {"mixed", COL_DECIMAL, -1},
        {"day", COL_DATE, 0},       {"unix", COL_TIMESTAMP, 0}, {"jd", COL_TIMESTAMP, 0},
        {"flag", COL_BOOL, 0},      {"code", COL_STRING, 0},
    };
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "d";
    o.date_format = "%d/%m/%Y";
    o.columns = decl;
    o.ncolumns = sizeof decl / sizeof *decl;
    kpi_error_clear(err);
    return sqlsrc_load(db, "d", &o, err);
}

static void test_sqlsrc_declared_decimals_exact(void **state)
{
    (void)state;
    const char *db = make_db("declared.db", declared_sql);
    kpi_error err;
    table *t = load_declared(db, &err);
    if (!t) fail_msg("%s", err.message);
    const column *amount = tf_col(t, "amount"), *price = tf_col(t, "price"),
                 *mixed = tf_col(t, "mixed");
    assert_int_equal(amount->type, COL_DECIMAL);
    assert_int_equal(amount->scale, 2);
    assert_int_equal(amount->v.i64[0], 1234);
    assert_int_equal(amount->v.i64[1], -50);
    assert_int_equal(amount->v.i64[2], 700);
    assert_false(column_is_valid(amount, 3));
    /* REAL values are rounded to the scale, as sqlite's round() does. */
    int64_t sum = 0;
    for (size_t i = 0; i < t->nrows; i++)
        sum += price->v.i64[i];
    assert_int_equal(sum, (int64_t)tu_oracle(db, NULL, "SELECT sum(round(price * 100)) FROM d;"));
    assert_int_equal(price->v.i64[1], 13);
    /* An inferred scale takes the most fraction digits seen, rescaling earlier rows. */
    assert_int_equal(mixed->scale, 2);
    assert_int_equal(mixed->v.i64[0], 300);
    assert_int_equal(mixed->v.i64[1], 150);
    assert_int_equal(mixed->v.i64[2], 225);
    table_free(t);
}

static void test_sqlsrc_declared_dates_times_bools_strings(void **state)
{
    (void)state;
    const char *db = make_db("declared.db", declared_sql);
    kpi_error err;
    table *t = load_declared(db, &err);
    if (!t) fail_msg("%s", err.message);
    const column *day = tf_col(t, "day"), *unix = tf_col(t, "unix"), *jd = tf_col(t, "jd");
    const column *flag = tf_col(t, "flag"), *code = tf_col(t, "code");
    assert_int_equal(day->type, COL_DATE);
    assert_int_equal(day->v.date[0], date_from_civil(2024, 8, 5));
    assert_int_equal(day->v.date[1], date_from_civil(2024, 8, 6));
    assert_int_equal(day->v.date[3], date_from_civil(2024, 8, 7));
    assert_int_equal(unix->type, COL_TIMESTAMP);
    assert_true(col_sum(unix, t->nrows) == tu_oracle(db, NULL, "SELECT sum(unix) FROM d;"));
    assert_true(col_sum(jd, t->nrows) ==
                tu_oracle(db, NULL, "SELECT sum(unixepoch(jd, 'julianday')) FROM d;"));
    assert_int_equal(flag->type, COL_BOOL);
    assert_int_equal(flag->v.b[0], 1);
    assert_int_equal(flag->v.b[1], 0);
    assert_int_equal(flag->v.b[2], 1);
    assert_int_equal(flag->v.b[3], 0);
    assert_int_equal(code->type, COL_STRING);
    assert_string_equal(dict_str(code->dict, code->v.code[0]), "42");
    assert_false(column_is_valid(code, 2));
    table_free(t);
}

static void test_sqlsrc_declared_date_from_unix_seconds(void **state)
{
    (void)state;
    const char *db = make_db("unix.db", "CREATE TABLE u(t INTEGER); INSERT INTO u VALUES"
                                        " (1722470400), (1722556799), (-1);");
    static const column_decl decl[] = {{"t", COL_DATE, 0}};
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.query = "SELECT t FROM u";
    o.columns = decl;
    o.ncolumns = 1;
    kpi_error err;
    table *t = sqlsrc_load(db, "u", &o, &err);
    assert_non_null(t);
    assert_true(
        col_sum(tf_col(t, "t"), t->nrows) ==
        tu_oracle(db, NULL, "SELECT sum(julianday(date(t, 'unixepoch')) - 2440587.5) FROM u;"));
    table_free(t);
}

static void assert_declared_error(const char *name, const char *sql, column_decl decl,
                                  const char *message)
{
    const char *db = make_db(name, sql);
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "x";
    o.columns = &decl;
    o.ncolumns = 1;
    kpi_error err;
    kpi_error_clear(&err);
    assert_null(sqlsrc_load(db, "x", &o, &err));
    assert_error(&err, KPI_EDATA, db, message);
}

static void test_sqlsrc_declared_int_rejects_text_naming_row_and_column(void **state)
{
    (void)state;
    assert_declared_error("badint.db", "CREATE TABLE x(n); INSERT INTO x VALUES (1), ('abc'), (3);",
                          (column_decl){"n", COL_INT64, 0},
                          "row 2, column 'n': 'abc' does not fit the declared type int");
    assert_declared_error("badint2.db", "CREATE TABLE x(n); INSERT INTO x VALUES (1), (2.5);",
                          (column_decl){"n", COL_INT64, 0},
                          "row 2, column 'n': '2.5' does not fit the declared type int");
}

static void test_sqlsrc_declared_decimal_rejects_extra_digits(void **state)
{
    (void)state;
    assert_declared_error("baddec.db",
                          "CREATE TABLE x(m TEXT); INSERT INTO x VALUES ('1.5'), ('1.234');",
                          (column_decl){"m", COL_DECIMAL, 2},
                          "row 2, column 'm': '1.234' does not fit the declared type decimal(2)");
    assert_declared_error("baddec2.db",
                          "CREATE TABLE x(m); INSERT INTO x VALUES (92233720368547759);",
                          (column_decl){"m", COL_DECIMAL, 2},
                          "row 1, column 'm': '92233720368547759' does not fit the declared "
                          "type decimal(2)");
}

static void test_sqlsrc_declared_date_rejects_nonexistent_day(void **state)
{
    (void)state;
    assert_declared_error("baddate.db",
                          "CREATE TABLE x(d TEXT); INSERT INTO x VALUES ('2024-02-29'),"
                          " ('2024-02-30');",
                          (column_decl){"d", COL_DATE, 0},
                          "row 2, column 'd': '2024-02-30' does not fit the declared type date");
    assert_declared_error("badbool.db", "CREATE TABLE x(b); INSERT INTO x VALUES (2);",
                          (column_decl){"b", COL_BOOL, 0},
                          "row 1, column 'b': '2' does not fit the declared type bool");
}

static void test_sqlsrc_declared_column_missing_from_result(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    static const column_decl decl[] = {{"amount", COL_DECIMAL, 2}};
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.query = "SELECT id FROM orders";
    o.columns = decl;
    o.ncolumns = 1;
    kpi_error err;
    assert_null(sqlsrc_load(db, "t", &o, &err));
    assert_error(&err, KPI_EUSAGE, db, "declared column 'amount' is not in the query result");
}

static void test_sqlsrc_table_name_is_quoted(void **state)
{
    (void)state;
    const char *db = make_db("quote.db", "CREATE TABLE \"we\"\"ird name\"(x INTEGER);"
                                         "CREATE TABLE t(x INTEGER);"
                                         "INSERT INTO \"we\"\"ird name\" VALUES (5);");
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "we\"ird name";
    kpi_error err;
    table *t = sqlsrc_load(db, NULL, &o, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 1);
    assert_int_equal(tf_col(t, "x")->v.i64[0], 5);
    table_free(t);
    o.table = "t\"; DROP TABLE t; --";
    assert_null(sqlsrc_load(db, NULL, &o, &err));
    assert_error(&err, KPI_EUSAGE, db, "no such table: t\"; DROP TABLE t; --");
    assert_true(tu_oracle(db, NULL, "SELECT count(*) FROM sqlite_schema WHERE name = 't';") == 1);
}

static void test_sqlsrc_missing_file(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/absent.db", tu_tmpdir());
    kpi_error err;
    assert_null(load_query(path, "SELECT 1", &err));
    assert_error(&err, KPI_EIO, path, "cannot open database: No such file or directory");
    /* Read-only: the missing file is not created. */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test ! -e '%s'", path);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
}

static void test_sqlsrc_directory_is_not_a_database(void **state)
{
    (void)state;
    kpi_error err;
    assert_null(load_query(tu_tmpdir(), "SELECT 1", &err));
    assert_error(&err, KPI_EIO, tu_tmpdir(), "cannot open database: it is a directory");
}

static void test_sqlsrc_text_file_is_not_a_database(void **state)
{
    (void)state;
    const char *path = tu_write_file("orders.csv",
                                     "id,amount,day\n1,10.5,2024-08-01\n2,20.25,2024-08-02\n"
                                     "3,7.75,2024-08-03\n4,1.00,2024-08-04\n5,2.00,2024-08-05\n",
                                     (size_t)-1);
    kpi_error err;
    assert_null(load_query(path, "SELECT 1", &err));
    assert_error(&err, KPI_EDATA, path, "not a SQLite database");
}

static void test_sqlsrc_no_such_table(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "nope";
    kpi_error err;
    assert_null(sqlsrc_load(db, NULL, &o, &err));
    assert_error(&err, KPI_EUSAGE, db, "no such table: nope");
}

static void test_sqlsrc_query_syntax_error_gives_sqlite_message(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    kpi_error err;
    assert_null(load_query(db, "SELEC id FROM orders", &err));
    assert_error(&err, KPI_EUSAGE, db, "near \"SELEC\": syntax error");
    assert_null(load_query(db, "SELECT nosuch FROM orders", &err));
    assert_error(&err, KPI_EUSAGE, db, "no such column: nosuch");
}

static void test_sqlsrc_query_must_be_one_read_statement(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    kpi_error err;
    assert_null(load_query(db, "SELECT 1; SELECT 2", &err));
    assert_error(&err, KPI_EUSAGE, db, "the query must be a single statement");
    assert_null(load_query(db, "DELETE FROM orders", &err));
    assert_error(&err, KPI_EUSAGE, db, "the query must only read data (a SELECT)");
    assert_null(load_query(db, "  -- nothing", &err));
    assert_error(&err, KPI_EUSAGE, db, "the query is empty");
    table *t = load_query(db, "SELECT count(*) AS n FROM orders; -- trailing comment", &err);
    assert_non_null(t);
    assert_int_equal(t->cols[0].v.i64[0], 3);
    table_free(t);
    assert_true(tu_oracle(db, NULL, "SELECT count(*) FROM orders;") == 3);
}

static void test_sqlsrc_needs_query_or_table(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    kpi_error err;
    assert_null(sqlsrc_load(db, NULL, &o, &err));
    assert_error(&err, KPI_EUSAGE, db, "a SQLite source needs a query or a table");
}

static void test_sqlsrc_locked_database_times_out(void **state)
{
    (void)state;
    const char *db = make_db("locked.db", orders_sql);
    sqlite3 *writer;
    assert_int_equal(sqlite3_open(db, &writer), SQLITE_OK);
    assert_int_equal(sqlite3_exec(writer, "BEGIN EXCLUSIVE; INSERT INTO orders(id) VALUES (99);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "orders";
    o.busy_timeout_ms = 50;
    kpi_error err;
    kpi_error_clear(&err);
    table *t = sqlsrc_load(db, NULL, &o, &err);
    sqlite3_exec(writer, "ROLLBACK;", NULL, NULL, NULL);
    sqlite3_close(writer);
    assert_null(t);
    assert_error(&err, KPI_EIO, db, "database is locked");
    /* Once the lock is gone the same load works. */
    t = sqlsrc_load(db, NULL, &o, &err);
    assert_non_null(t);
    assert_int_equal(t->nrows, 3);
    table_free(t);
}

static void test_sqlsrc_options_defaults(void **state)
{
    (void)state;
    sqlsrc_options o;
    memset(&o, 0x5a, sizeof o);
    sqlsrc_options_init(&o);
    assert_null(o.query);
    assert_null(o.table);
    assert_null(o.date_format);
    assert_null(o.columns);
    assert_int_equal(o.ncolumns, 0);
    assert_int_equal(o.busy_timeout_ms, 5000);
}

static void test_sqlsrc_text_with_a_non_date_stays_string(void **state)
{
    (void)state;
    const char *db = make_db("notdates.db", "CREATE TABLE n(d TEXT); INSERT INTO n VALUES"
                                            " ('2024-08-01'), ('2024-02-30'), ('2024-08-03');");
    kpi_error err;
    table *t = load_query(db, "SELECT d FROM n", &err);
    assert_non_null(t);
    const column *d = tf_col(t, "d");
    assert_int_equal(d->type, COL_STRING);
    assert_string_equal(dict_str(d->dict, d->v.code[1]), "2024-02-30");
    table_free(t);
}

static void test_sqlsrc_reads_wal_database(void **state)
{
    (void)state;
    const char *db = make_db("wal.db", "PRAGMA journal_mode = WAL; CREATE TABLE w(x INTEGER);"
                                       " INSERT INTO w VALUES (1), (2), (39);");
    kpi_error err;
    table *t = load_query(db, "SELECT x FROM w", &err);
    if (!t) fail_msg("%s", err.message);
    assert_true(col_sum(tf_col(t, "x"), t->nrows) == tu_oracle(db, NULL, "SELECT sum(x) FROM w;"));
    table_free(t);
}

static void test_sqlsrc_error_while_stepping_is_reported(void **state)
{
    (void)state;
    const char *db = make_db("orders.db", orders_sql);
    kpi_error err;
    assert_null(load_query(db, "SELECT id, abs(id - 9223372036854775807 - 2) FROM orders", &err));
    assert_error(&err, KPI_EUSAGE, db, "integer overflow");
}

/*
** Regression: a declared date took any INTEGER as unix seconds, so microseconds since
** 1970 (1.7e15) became a day past the int32 range, stored wrapped around as a date in
** another millennium. Declared dates and timestamps now keep to SQLite's own date
** range, 0000-01-01 00:00:00 (-62167219200) to 9999-12-31 23:59:59 (253402300799).
*/
static void test_sqlsrc_declared_dates_outside_years_0_to_9999_do_not_fit(void **state)
{
    (void)state;
    assert_declared_error("farday.db",
                          "CREATE TABLE x(t INTEGER); INSERT INTO x VALUES (1722470400),"
                          " (1722470400000000);",
                          (column_decl){"t", COL_DATE, 0},
                          "row 2, column 't': '1722470400000000' does not fit the declared type "
                          "date");
    assert_declared_error("farts.db",
                          "CREATE TABLE x(t INTEGER); INSERT INTO x VALUES (253402300800);",
                          (column_decl){"t", COL_TIMESTAMP, 0},
                          "row 1, column 't': '253402300800' does not fit the declared type "
                          "timestamp");
    assert_declared_error("farjd.db", "CREATE TABLE x(t REAL); INSERT INTO x VALUES (5373484.5);",
                          (column_decl){"t", COL_DATE, 0},
                          "row 1, column 't': '5373484.5' does not fit the declared type date");
    assert_declared_error("early.db",
                          "CREATE TABLE x(t INTEGER); INSERT INTO x VALUES (-62167219201);",
                          (column_decl){"t", COL_TIMESTAMP, 0},
                          "row 1, column 't': '-62167219201' does not fit the declared type "
                          "timestamp");
}

static void test_sqlsrc_declared_timestamps_at_the_ends_of_the_range_load(void **state)
{
    (void)state;
    const char *db = make_db("ends.db", "CREATE TABLE e(t INTEGER); INSERT INTO e VALUES"
                                        " (-62167219200), (253402300799);");
    static const column_decl decl[] = {{"t", COL_TIMESTAMP, 0}};
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "e";
    o.columns = decl;
    o.ncolumns = 1;
    kpi_error err;
    table *t = sqlsrc_load(db, "e", &o, &err);
    if (!t) fail_msg("%s", err.message);
    char *expect = tu_oracle_text(db, NULL, "SELECT datetime(t, 'unixepoch') FROM e;");
    char got[64], buf[20];
    date_format_timestamp(t->cols[0].v.i64[0], buf);
    snprintf(got, sizeof got, "%s\n", buf);
    date_format_timestamp(t->cols[0].v.i64[1], buf);
    strcat(got, buf);
    assert_string_equal(got, expect);
    free_text(expect);
    table_free(t);
}

/*
** Regression: a column of INTEGER, then REAL, then TEXT rendered its integers from the
** doubles they had become: 9223372036854775807 went through 2^63 and came back (an
** out-of-range cast) as -9223372036854775808, and 2^53 + 1 lost its last digit.
*/
static void test_sqlsrc_big_integers_before_reals_and_text_render_exactly(void **state)
{
    (void)state;
    const char *db = make_db("bigmix.db", "CREATE TABLE m(v); INSERT INTO m VALUES"
                                          " (9223372036854775807), (9007199254740993), (2.5),"
                                          " (-9223372036854775808), ('x');");
    kpi_error err;
    table *t = load_query(db, "SELECT v FROM m", &err);
    assert_non_null(t);
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_STRING);
    char *expect = tu_oracle_text(db, NULL, "SELECT CAST(v AS TEXT) FROM m;");
    char got[200] = "";
    for (size_t i = 0; i < t->nrows; i++) {
        if (i) strcat(got, "\n");
        strcat(got, dict_str(v->dict, v->v.code[i]));
    }
    assert_string_equal(got, expect);
    free_text(expect);
    table_free(t);
}

/* The same column without the text stays REAL: its integers become doubles at the end. */
static void test_sqlsrc_integers_among_reals_become_doubles(void **state)
{
    (void)state;
    const char *db = make_db("intreal.db", "CREATE TABLE m(v); INSERT INTO m VALUES"
                                           " (7), (NULL), (2.5), (-3), (9007199254740993);");
    kpi_error err;
    table *t = load_query(db, "SELECT v FROM m", &err);
    assert_non_null(t);
    const column *v = tf_col(t, "v");
    assert_int_equal(v->type, COL_FLOAT64);
    assert_true(v->v.f64[0] == 7.0);
    assert_false(column_is_valid(v, 1));
    assert_true(v->v.f64[1] == 0.0);
    assert_true(v->v.f64[2] == 2.5);
    assert_true(v->v.f64[3] == -3.0);
    /* 2^53 + 1 has no double: it becomes the nearest one, as SQLite's own CAST gives. */
    assert_true(v->v.f64[4] == 9007199254740992.0);
    assert_true(
        v->v.f64[4] ==
        tu_oracle(db, NULL, "SELECT printf('%.17g', CAST(v AS REAL)) FROM m WHERE rowid = 5;"));
    table_free(t);
}

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

/* An out-of-memory failure at any allocation fails the load cleanly and leaks nothing. */
static void test_sqlsrc_out_of_memory_at_every_allocation_leaks_nothing(void **state)
{
    (void)state;
    char sql[8192] = "CREATE TABLE m(i, r, s, d, n, dec TEXT, ts); INSERT INTO m VALUES";
    for (int k = 0; k < 1500; k += 50) {
        char row[256];
        snprintf(row, sizeof row,
                 "%s (%d, %d.5, 'name%d', '2024-08-%02d', %s, '%d.25', '2024-08-01 10:00:%02d')",
                 k ? "," : "", k, k, k % 7, 1 + k % 28, k % 3 ? "NULL" : "1", k, k % 60);
        strcat(sql, row);
    }
    strcat(sql, "; INSERT INTO m SELECT * FROM m; INSERT INTO m SELECT * FROM m;"
                " INSERT INTO m SELECT * FROM m; INSERT INTO m SELECT * FROM m;"
                " INSERT INTO m SELECT * FROM m; INSERT INTO m SELECT 1, 'y', 3, 'x', NULL, 1, 2;");
    const char *db = make_db("oom.db", sql);
    static const column_decl decl[] = {{"dec", COL_DECIMAL, -1}, {"ts", COL_TIMESTAMP, 0}};
    sqlsrc_options o;
    sqlsrc_options_init(&o);
    o.table = "m";
    o.columns = decl;
    o.ncolumns = 2;
    long n = 0;
    for (;; n++) {
        kpi_error err;
        kpi_error_clear(&err);
        kpi_test_fail_after(n);
        table *t = sqlsrc_load(db, "m", &o, &err);
        kpi_test_fail_after(-1);
        if (t) {
            assert_int_equal(t->nrows, 961);
            /* The last row's texts turn numbers (r) and dates (d) into strings. */
            assert_int_equal(tf_col(t, "r")->type, COL_STRING);
            assert_int_equal(tf_col(t, "d")->type, COL_STRING);
            assert_int_equal(tf_col(t, "ts")->type, COL_TIMESTAMP);
            table_free(t);
            break;
        }
        assert_int_equal(err.kind, KPI_ENOMEM);
        assert_string_equal(err.file, db);
        assert_string_equal(err.message, "out of memory");
    }
    assert_true(n > 20); /* the walk did meet failures on the way */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlsrc_table_types_inferred_from_values),
        cmocka_unit_test(test_sqlsrc_values_match_sqlite),
        cmocka_unit_test(test_sqlsrc_nulls_are_invalid_and_zero),
        cmocka_unit_test(test_sqlsrc_query_aggregates_match_sqlite),
        cmocka_unit_test(test_sqlsrc_large_table_grows_and_matches_sqlite),
        cmocka_unit_test(test_sqlsrc_integer_then_real_becomes_float),
        cmocka_unit_test(test_sqlsrc_numbers_then_text_become_strings_as_sqlite_renders),
        cmocka_unit_test(test_sqlsrc_text_in_many_batches_keeps_values_and_code_order),
        cmocka_unit_test(test_sqlsrc_all_null_columns_typed_by_declaration),
        cmocka_unit_test(test_sqlsrc_empty_result_has_typed_columns),
        cmocka_unit_test(test_sqlsrc_text_dates_in_date_format),
        cmocka_unit_test(test_sqlsrc_blobs_load_as_strings),
        cmocka_unit_test(test_sqlsrc_declared_decimals_exact),
        cmocka_unit_test(test_sqlsrc_declared_dates_times_bools_strings),
        cmocka_unit_test(test_sqlsrc_declared_date_from_unix_seconds),
        cmocka_unit_test(test_sqlsrc_declared_int_rejects_text_naming_row_and_column),
        cmocka_unit_test(test_sqlsrc_declared_decimal_rejects_extra_digits),
        cmocka_unit_test(test_sqlsrc_declared_date_rejects_nonexistent_day),
        cmocka_unit_test(test_sqlsrc_declared_column_missing_from_result),
        cmocka_unit_test(test_sqlsrc_table_name_is_quoted),
        cmocka_unit_test(test_sqlsrc_missing_file),
        cmocka_unit_test(test_sqlsrc_directory_is_not_a_database),
        cmocka_unit_test(test_sqlsrc_text_file_is_not_a_database),
        cmocka_unit_test(test_sqlsrc_no_such_table),
        cmocka_unit_test(test_sqlsrc_query_syntax_error_gives_sqlite_message),
        cmocka_unit_test(test_sqlsrc_query_must_be_one_read_statement),
        cmocka_unit_test(test_sqlsrc_needs_query_or_table),
        cmocka_unit_test(test_sqlsrc_locked_database_times_out),
        cmocka_unit_test(test_sqlsrc_options_defaults),
        cmocka_unit_test(test_sqlsrc_text_with_a_non_date_stays_string),
        cmocka_unit_test(test_sqlsrc_reads_wal_database),
        cmocka_unit_test(test_sqlsrc_error_while_stepping_is_reported),
        cmocka_unit_test(test_sqlsrc_declared_dates_outside_years_0_to_9999_do_not_fit),
        cmocka_unit_test(test_sqlsrc_declared_timestamps_at_the_ends_of_the_range_load),
        cmocka_unit_test(test_sqlsrc_big_integers_before_reals_and_text_render_exactly),
        cmocka_unit_test(test_sqlsrc_integers_among_reals_become_doubles),
        cmocka_unit_test_teardown(test_sqlsrc_out_of_memory_at_every_allocation_leaks_nothing,
                                  allow_allocations),
    };
    return cmocka_run_group_tests_name("sqlsrc", tests, NULL, NULL);
}
