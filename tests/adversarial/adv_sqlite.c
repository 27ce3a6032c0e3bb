/*
** adv_sqlite.c -- hostile SQLite sources through the real command line: files that are
** not databases or are damaged, a database another connection holds locked, and
** queries that fail (bad SQL, unknown tables, errors while running, statements that
** would write).
**
** A file that cannot be read as a database is a data error (exit 4) naming it; a lock
** held by another connection is a data error after the busy timeout (5 s), never a
** hang; a query that fails is the rule set's error (exit 3) at the source's line,
** naming the database and SQLite's message.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "advutil.h"
#include "e2eutil.h"
#include "testutil.h"

#define QUICK 10.0

static const char orders_sql[] = "CREATE TABLE t (day TEXT, amount INTEGER);\n"
                                 "INSERT INTO t VALUES ('2024-08-01', 5), ('2024-08-02', 6),\n"
                                 "  ('2024-07-31', 7);\n";

/* A fresh database tu_tmpdir()/name made by sql; returns its path. */
static const char *make_db(const char *name, const char *sql)
{
    const char *path = adv_path(name);
    unlink(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", path, msg);
    sqlite3_close(db);
    return path;
}

/*
** A rule set named name reading db (line 2: source "o" with the given query or table
** field, time column "day"), with KPI "k" (lines 3-4) summing amount in the period.
*/
static const char *db_rules(const char *name, const char *db, const char *what)
{
    char body[2048];
    snprintf(body, sizeof body,
             "local o = source \"o\" { sqlite = \"%s\", %s, time = \"day\" }\n"
             "kpi \"k\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
             "  value = function(p) return o:during(p):sum \"amount\" end }\n",
             db, what);
    return adv_rules(name, body);
}

static const char *const all_rows = "query = \"SELECT day, amount FROM t\"";

/*
** Run the rule set: exit code, both texts in stderr (the position and the message),
** nothing on stdout, within max_seconds; returns how long it took.
*/
static double fails_with(const char *rules, int code, const char *where, const char *message,
                         double max_seconds)
{
    char args[2048], *out, *err;
    snprintf(args, sizeof args, "run '%s' --no-save --period 2024-08", rules);
    double started = adv_seconds();
    int rc = e2e_engine(args, &out, &err);
    double took = adv_seconds() - started;
    if (rc != code || !strstr(err, where) || !strstr(err, message))
        fail_msg("%s: exit %d, stderr '%s' (expected %d, '%s' and '%s')", rules, rc, err, code,
                 where, message);
    assert_string_equal(out, "");
    if (took > max_seconds) fail_msg("%s took %.1f s (bound %.1f s)", rules, took, max_seconds);
    tu_free(out);
    tu_free(err);
    return took;
}

/* ---- files that are not databases --------------------------------------------------------- */

static void test_adv_sqlite_text_file_is_not_a_database(void **state)
{
    (void)state;
    char text[4096];
    memset(text, 'x', sizeof text);
    tu_write_file("text.db", text, sizeof text);
    fails_with(db_rules("text_db.lua", "text.db", all_rows), ADV_DATA,
               "text.db: source 'o': ", "not a SQLite database", QUICK);
    tu_write_file("orders_csv.db", "day,amount\n2024-08-01,5\n", (size_t)-1);
    fails_with(db_rules("csv_db.lua", "orders_csv.db", all_rows), ADV_DATA,
               "orders_csv.db: source 'o': ", "not a SQLite database", QUICK);
}

static void test_adv_sqlite_damaged_database_says_so(void **state)
{
    (void)state;
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TABLE t (day TEXT, amount INTEGER);\n"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)\n"
             "INSERT INTO t SELECT '2024-08-01', i FROM n;\n");
    const char *path = make_db("damaged.db", sql);
    /* overwrite the start of every page after the schema with garbage */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    char junk[64];
    memset(junk, 0xff, sizeof junk);
    for (long at = 2 * 4096; fseek(f, at, SEEK_SET) == 0 && at < 40 * 4096; at += 4096)
        fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    fails_with(db_rules("damaged.lua", "damaged.db", all_rows), ADV_DATA,
               "damaged.db: source 'o': ", "database is damaged", QUICK);
}

static void test_adv_sqlite_missing_file_and_folder(void **state)
{
    (void)state;
    fails_with(db_rules("missing_db.lua", "missing.db", all_rows), ADV_DATA,
               "missing.db: source 'o': ", "cannot open database: No such file or directory",
               QUICK);
    adv_mkdir("folder.db");
    fails_with(db_rules("folder_db.lua", "folder.db", all_rows), ADV_DATA,
               "folder.db: source 'o': ", "cannot open database: it is a directory", QUICK);
}

/* ---- locks --------------------------------------------------------------------------------- */

static void test_adv_sqlite_locked_database_fails_after_the_busy_timeout(void **state)
{
    (void)state;
    const char *path = make_db("locked.db", orders_sql);
    sqlite3 *holder;
    assert_int_equal(sqlite3_open(path, &holder), SQLITE_OK);
    /* a rollback-journal database under an exclusive lock: no other connection may read */
    assert_int_equal(sqlite3_exec(holder,
                                  "PRAGMA journal_mode = DELETE; BEGIN EXCLUSIVE;\n"
                                  "INSERT INTO t VALUES ('2024-08-03', 100);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    const char *rules = db_rules("locked.lua", "locked.db", all_rows);
    double took = fails_with(rules, ADV_DATA, "locked.db: source 'o': ",
                             "database is locked by another connection (gave up after waiting 5 s "
                             "for it)",
                             30.0);
    assert_true(took >= 4.5); /* it waited for the lock, as long as the busy timeout */
    assert_int_equal(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(holder);
    /* once released, the same rule set reads the database */
    char *json = adv_run_json(rules, "--period 2024-08", QUICK);
    assert_true(adv_kpi_value(json, "k") == 5 + 6);
    tu_free(json);
}

static void test_adv_sqlite_wal_writer_does_not_block_the_read(void **state)
{
    (void)state;
    const char *path = make_db("wal.db", orders_sql);
    sqlite3 *writer;
    assert_int_equal(sqlite3_open(path, &writer), SQLITE_OK);
    assert_int_equal(sqlite3_exec(writer,
                                  "PRAGMA journal_mode = WAL; BEGIN IMMEDIATE;\n"
                                  "INSERT INTO t VALUES ('2024-08-03', 100);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    /* a reader sees the last committed state at once: the open transaction is not in it */
    char *json = adv_run_json(db_rules("wal.lua", "wal.db", all_rows), "--period 2024-08", QUICK);
    assert_true(adv_kpi_value(json, "k") == 5 + 6);
    tu_free(json);
    assert_int_equal(sqlite3_exec(writer, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(writer);
}

/* ---- queries that fail ------------------------------------------------------------------------
 */

static void test_adv_sqlite_query_syntax_error_is_the_rule_sets(void **state)
{
    (void)state;
    make_db("q.db", orders_sql);
    fails_with(db_rules("q_syntax.lua", "q.db", "query = \"SELEC day, amount FROM t\""), ADV_SCRIPT,
               "q_syntax.lua:2: source 'o': the query failed on ",
               "q.db: near \"SELEC\": syntax error", QUICK);
    fails_with(db_rules("q_column.lua", "q.db", "query = \"SELECT day, amount, nope FROM t\""),
               ADV_SCRIPT, "q_column.lua:2: source 'o': the query failed on ",
               "q.db: no such column: nope", QUICK);
    fails_with(db_rules("q_table.lua", "q.db", "table = \"nope\""), ADV_SCRIPT,
               "q_table.lua:2: source 'o': cannot read the table on ", "q.db: no such table: nope",
               QUICK);
}

static void test_adv_sqlite_query_failing_while_it_runs_is_the_rule_sets(void **state)
{
    (void)state;
    make_db("q_run.db", orders_sql);
    /* abs() of the least int64 overflows on the first row */
    fails_with(db_rules("q_overflow.lua", "q_run.db",
                        "query = \"SELECT day, abs(-9223372036854775807 - 1 + amount - amount) "
                        "AS amount FROM t\""),
               ADV_SCRIPT, "q_overflow.lua:2: source 'o': the query failed on ",
               "q_run.db: integer overflow", QUICK);
}

static void test_adv_sqlite_query_may_only_read(void **state)
{
    (void)state;
    const char *path = make_db("q_write.db", orders_sql);
    fails_with(
        db_rules("q_delete.lua", "q_write.db", "query = \"DELETE FROM t RETURNING day, amount\""),
        ADV_SCRIPT, "q_delete.lua:2: source 'o': the query failed on ",
        "the query must only read data (a SELECT)", QUICK);
    fails_with(
        db_rules("q_two.lua", "q_write.db", "query = \"SELECT day, amount FROM t; DROP TABLE t\""),
        ADV_SCRIPT, "q_two.lua:2: source 'o': the query failed on ",
        "the query must be a single statement", QUICK);
    assert_true(tu_oracle(path, NULL, "SELECT count(*) FROM t") == 3); /* nothing was written */
}

static void test_adv_sqlite_value_that_does_not_fit_names_row_and_column(void **state)
{
    (void)state;
    make_db("q_type.db", "CREATE TABLE t (day TEXT, amount);\n"
                         "INSERT INTO t VALUES ('2024-08-01', 5), ('2024-08-02', 'lots');\n");
    fails_with(db_rules("q_type.lua", "q_type.db",
                        "query = \"SELECT day, amount FROM t\", columns = { amount = \"int\" }"),
               ADV_DATA, "q_type.db: source 'o': ",
               "row 2, column 'amount': 'lots' does not fit the declared type int", QUICK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adv_sqlite_text_file_is_not_a_database),
        cmocka_unit_test(test_adv_sqlite_damaged_database_says_so),
        cmocka_unit_test(test_adv_sqlite_missing_file_and_folder),
        cmocka_unit_test(test_adv_sqlite_locked_database_fails_after_the_busy_timeout),
        cmocka_unit_test(test_adv_sqlite_wal_writer_does_not_block_the_read),
        cmocka_unit_test(test_adv_sqlite_query_syntax_error_is_the_rule_sets),
        cmocka_unit_test(test_adv_sqlite_query_failing_while_it_runs_is_the_rule_sets),
        cmocka_unit_test(test_adv_sqlite_query_may_only_read),
        cmocka_unit_test(test_adv_sqlite_value_that_does_not_fit_names_row_and_column),
    };
    return cmocka_run_group_tests_name("adversarial sqlite", tests, NULL, NULL);
}
