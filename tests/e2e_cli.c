/*
** e2e_cli.c -- the built kpiengine binary, driven as a user drives it.
**
** Usage errors must exit 2 with a message naming the problem and the hint to
** --help; `inspect` must agree with sqlite3 (the oracle) on the same CSV file;
** `run` must exit 3 on a script error and 4 on a data error, write -o FILE
** atomically (an existing file survives a failed run) and exit 1 with --fail-below.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

#define ORDERS "cli_orders.csv"

/* Assert a usage error: exit 2, the message, the hint and nothing on stdout. */
static void assert_usage_error(const char *args, const char *message)
{
    char *out, *err;
    int rc = e2e_engine(args, &out, &err);
    if (rc != 2 || !strstr(err, message) || !strstr(err, "kpiengine --help"))
        fail_msg("kpiengine %s: exit %d, stderr '%s' (expected 2 and '%s')", args, rc, err,
                 message);
    assert_non_null(strstr(err, "kpiengine: "));
    assert_string_equal(out, "");
    free(out);
    free(err);
}

/* ---- usage --------------------------------------------------------------- */

static void test_cli_version_prints_name_and_version(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(e2e_engine("--version", &out, &err), 0);
    assert_true(strncmp(out, "kpiengine ", 10) == 0);
    assert_true(out[10] >= '0' && out[10] <= '9');
    assert_string_equal(err, "");
    free(out);
    free(err);
}

static void test_cli_help_describes_every_subcommand(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(e2e_engine("--help", &out, &err), 0);
    assert_non_null(strstr(out, "kpiengine run FILE.lua"));
    assert_non_null(strstr(out, "kpiengine inspect FILE.csv"));
    assert_non_null(strstr(out, "--period"));
    assert_non_null(strstr(out, "--fail-below"));
    assert_non_null(strstr(out, "exit codes"));
    free(out);
    free(err);
}

static void test_cli_without_command_is_a_usage_error(void **state)
{
    (void)state;
    assert_usage_error("", "missing a command");
    assert_usage_error("frobnicate", "unknown command 'frobnicate'");
    assert_usage_error("--frobnicate", "unknown option '--frobnicate'");
}

static void test_run_option_errors_exit_2(void **state)
{
    (void)state;
    const char *rules = tu_write_file("usage.lua", "ruleset { name = \"u\" }\n", (size_t)-1);
    char args[1024];
    assert_usage_error("run", "missing the rule-set file");
    snprintf(args, sizeof args, "run '%s' --bogus", rules);
    assert_usage_error(args, "unknown option '--bogus'");
    snprintf(args, sizeof args, "run '%s' --format", rules);
    assert_usage_error(args, "option '--format' needs a value");
    snprintf(args, sizeof args, "run '%s' --format=xml", rules);
    assert_usage_error(args, "unknown format 'xml'");
    snprintf(args, sizeof args, "run '%s' --period", rules);
    assert_usage_error(args, "option '--period' needs a value");
    snprintf(args, sizeof args, "run '%s' --fail-below=yes", rules);
    assert_usage_error(args, "option '--fail-below' takes no value");
    snprintf(args, sizeof args, "run '%s' other.lua", rules);
    assert_usage_error(args, "one rule-set file expected");
    snprintf(args, sizeof args, "run '%s' --data /nonexistent/dir", rules);
    assert_usage_error(args, "--data: '/nonexistent/dir' is not a directory");
}

static void test_run_bad_period_exits_2_naming_the_option(void **state)
{
    (void)state;
    const char *rules = tu_write_file("period.lua", "ruleset { name = \"p\" }\n", (size_t)-1);
    char args[1024];
    snprintf(args, sizeof args, "run '%s' --period 2024-13", rules);
    assert_usage_error(args, "--period: ");
    snprintf(args, sizeof args, "run '%s' --period=last-month", rules);
    assert_usage_error(args, "--period: ");
}

static void test_run_missing_rule_set_exits_2(void **state)
{
    (void)state;
    assert_usage_error("run /nonexistent/rules.lua",
                       "/nonexistent/rules.lua: cannot open the rule set: No such file");
}

/* ---- inspect ------------------------------------------------------------- */

/* The whitespace-separated fields of the line of text that starts with "name ". */
static int line_fields(const char *text, const char *name, char fields[8][64])
{
    char key[80], line[512];
    snprintf(key, sizeof key, "\n%s ", name);
    const char *at = strstr(text, key);
    if (!at) fail_msg("no line for '%s' in:\n%s", name, text);
    at++;
    size_t len = strcspn(at, "\n");
    snprintf(line, sizeof line, "%.*s", (int)len, at);
    int n = 0;
    for (char *f = strtok(line, " "); f && n < 8; f = strtok(NULL, " "))
        snprintf(fields[n++], 64, "%s", f);
    return n;
}

/* A count as printed ("1,234") as a number. */
static double count_of(const char *s)
{
    char digits[64];
    size_t n = 0;
    for (; *s && n + 1 < sizeof digits; s++)
        if (*s != ',') digits[n++] = *s;
    digits[n] = '\0';
    return strtod(digits, NULL);
}

static char *inspect_orders(void)
{
    char args[1024], *out, *err;
    snprintf(args, sizeof args, "inspect '%s'", tu_data(ORDERS));
    int rc = e2e_engine(args, &out, &err);
    if (rc != 0) fail_msg("inspect failed (%d): %s", rc, err);
    free(err);
    return out;
}

static void test_inspect_csv_counts_match_sqlite(void **state)
{
    (void)state;
    char setup[1024], fields[8][64];
    snprintf(setup, sizeof setup, ".import --csv '%s' t", tu_data(ORDERS));
    char *out = inspect_orders();
    assert_int_equal(line_fields(out, "rows", fields), 2);
    assert_true(count_of(fields[1]) == tu_oracle(":memory:", setup, "SELECT count(*) FROM t"));
    const char *strings[] = {"customer", "channel"};
    for (size_t i = 0; i < 2; i++) {
        char sql[256];
        assert_int_equal(line_fields(out, strings[i], fields), 6);
        assert_string_equal(fields[1], "string");
        snprintf(sql, sizeof sql, "SELECT sum(%s = '') FROM t", strings[i]);
        assert_true(count_of(fields[2]) == tu_oracle(":memory:", setup, sql));
        snprintf(sql, sizeof sql, "SELECT count(DISTINCT %s) FROM t WHERE %s <> ''", strings[i],
                 strings[i]);
        assert_true(count_of(fields[3]) == tu_oracle(":memory:", setup, sql));
    }
    free(out);
}

static void test_inspect_csv_ranges_match_sqlite(void **state)
{
    (void)state;
    char setup[1024], fields[8][64];
    snprintf(setup, sizeof setup, ".import --csv '%s' t", tu_data(ORDERS));
    char *out = inspect_orders();
    struct {
        const char *column, *type, *cast;
    } numbers[] = {{"order_id", "int", "INTEGER"},
                   {"amount", "decimal(2)", "REAL"},
                   {"qty", "int", "INTEGER"}};
    for (size_t i = 0; i < 3; i++) {
        char sql[256];
        assert_int_equal(line_fields(out, numbers[i].column, fields), 6);
        assert_string_equal(fields[1], numbers[i].type);
        snprintf(sql, sizeof sql, "SELECT sum(%s = '') FROM t", numbers[i].column);
        assert_true(count_of(fields[2]) == tu_oracle(":memory:", setup, sql));
        snprintf(sql, sizeof sql, "SELECT min(CAST(%s AS %s)) FROM t WHERE %s <> ''",
                 numbers[i].column, numbers[i].cast, numbers[i].column);
        assert_true(tu_close(strtod(fields[4], NULL), tu_oracle(":memory:", setup, sql), 1e-12));
        snprintf(sql, sizeof sql, "SELECT max(CAST(%s AS %s)) FROM t WHERE %s <> ''",
                 numbers[i].column, numbers[i].cast, numbers[i].column);
        assert_true(tu_close(strtod(fields[5], NULL), tu_oracle(":memory:", setup, sql), 1e-12));
    }
    assert_int_equal(line_fields(out, "ordered_at", fields), 6);
    assert_string_equal(fields[1], "date");
    char *lo = tu_oracle_text(":memory:", setup, "SELECT min(ordered_at) FROM t");
    char *hi = tu_oracle_text(":memory:", setup, "SELECT max(ordered_at) FROM t");
    assert_string_equal(fields[4], lo);
    assert_string_equal(fields[5], hi);
    free(lo);
    free(hi);
    assert_non_null(strstr(out, "\nload     "));
    assert_non_null(strstr(out, "\nmemory   "));
    free(out);
}

/* A SQLite copy of the orders (all columns TEXT, as sqlite3's .import makes them). */
static const char *orders_db(void)
{
    static char path[512];
    char setup[1024];
    snprintf(path, sizeof path, "%s/orders.db", tu_tmpdir());
    remove(path);
    snprintf(setup, sizeof setup, ".import --csv '%s' orders", tu_data(ORDERS));
    free(tu_oracle_text(path, setup, "SELECT 1"));
    return path;
}

static void test_inspect_sqlite_table_and_query_count_rows_as_sqlite(void **state)
{
    (void)state;
    const char *db = orders_db();
    char args[1024], *out, *err, fields[8][64];
    snprintf(args, sizeof args, "inspect '%s' --table orders", db);
    assert_int_equal(e2e_engine(args, &out, &err), 0);
    assert_int_equal(line_fields(out, "rows", fields), 2);
    assert_true(count_of(fields[1]) == tu_oracle(db, NULL, "SELECT count(*) FROM orders"));
    assert_non_null(strstr(out, "source   table orders\n"));
    free(out);
    free(err);
    const char *sql = "SELECT * FROM orders WHERE channel = 'email'";
    snprintf(args, sizeof args, "inspect '%s' --query=\"%s\"", db, sql);
    assert_int_equal(e2e_engine(args, &out, &err), 0);
    assert_int_equal(line_fields(out, "rows", fields), 2);
    assert_true(count_of(fields[1]) == tu_oracle(db, NULL,
                                                 "SELECT count(*) FROM orders "
                                                 "WHERE channel = 'email'"));
    free(out);
    free(err);
}

static void test_inspect_usage_errors_exit_2(void **state)
{
    (void)state;
    char args[1024];
    const char *db = orders_db();
    assert_usage_error("inspect", "missing the file");
    assert_usage_error("inspect /nonexistent.csv", "/nonexistent.csv: cannot open the file");
    snprintf(args, sizeof args, "inspect '%s' --table orders", tu_data(ORDERS));
    assert_usage_error(args, "is not a SQLite database");
    snprintf(args, sizeof args, "inspect '%s'", db);
    assert_usage_error(args, "give --table T or --query SQL (tables: orders)");
    snprintf(args, sizeof args, "inspect '%s' --table orders --query 'SELECT 1'", db);
    assert_usage_error(args, "give --table or --query, not both");
    snprintf(args, sizeof args, "inspect '%s' --table", db);
    assert_usage_error(args, "option '--table' needs a value");
}

static void test_inspect_malformed_csv_exits_4_with_position(void **state)
{
    (void)state;
    const char *bad =
        tu_write_file("ragged.csv", "day,amount\n2024-08-01,5\n2024-08-02\n", (size_t)-1);
    char args[1024], *out, *err;
    snprintf(args, sizeof args, "inspect '%s'", bad);
    assert_int_equal(e2e_engine(args, &out, &err), 4);
    assert_non_null(strstr(err, "kpiengine: "));
    assert_non_null(strstr(err, "ragged.csv:3:"));
    assert_non_null(strstr(err, "expected 2 fields, found 1"));
    assert_string_equal(out, "");
    free(out);
    free(err);
}

/* ---- run ----------------------------------------------------------------- */

static const char retail_rules[] =
    "ruleset { name = \"CLI test\", currency = \"VND\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"" ORDERS "\", time = \"ordered_at\" }\n"
    "kpi \"revenue\" { title = \"Doanh thu\", unit = \"VND\", better = \"higher\",\n"
    "  minimum = 1000, target = 2000,\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n"
    "kpi \"orders\" { unit = \"count\", better = \"higher\", minimum = 1e9, target = 2e9,\n"
    "  value = function(p) return orders:during(p):count() end }\n";

/* Run the retail rule set on tests/data with extra args. */
static int run_retail(const char *extra, char **out, char **err)
{
    const char *rules = tu_write_file("retail.lua", retail_rules, (size_t)-1);
    char args[2048];
    snprintf(args, sizeof args, "run '%s' --no-save --data '%s' %s", rules, tu_data(""), extra);
    return e2e_engine(args, out, err);
}

/* The number after "key": in the JSON object of KPI id. */
static double json_kpi_number(const char *json, const char *id, const char *key)
{
    char pattern[128];
    snprintf(pattern, sizeof pattern, "{\"id\": \"%s\"", id);
    const char *kpi = strstr(json, pattern);
    if (!kpi) fail_msg("no KPI '%s' in %s", id, json);
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *at = strstr(kpi, pattern);
    if (!at) fail_msg("no '%s' for KPI '%s'", key, id);
    return strtod(at + strlen(pattern), NULL);
}

static void test_run_json_values_match_sqlite(void **state)
{
    (void)state;
    char *out, *err, setup[1024];
    int rc = run_retail("--period 2024-07 --format json", &out, &err);
    if (rc != 0) fail_msg("run failed (%d): %s", rc, err);
    assert_non_null(strstr(out, "\"period\": {\"grain\": \"month\", \"label\": \"2024-07\", "
                                "\"start\": \"2024-07-01\", \"end\": \"2024-07-31\"}"));
    snprintf(setup, sizeof setup, ".import --csv '%s' t", tu_data(ORDERS));
    const char *during = " FROM t WHERE ordered_at >= '2024-07-01' AND ordered_at < '2024-08-01'";
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT sum(CAST(amount AS REAL))%s", during);
    assert_true(tu_close(json_kpi_number(out, "revenue", "value"),
                         tu_oracle(":memory:", setup, sql), 1e-9));
    snprintf(sql, sizeof sql, "SELECT count(*)%s", during);
    assert_true(json_kpi_number(out, "orders", "value") == tu_oracle(":memory:", setup, sql));
    assert_non_null(strstr(out, "\"status\": \"below_minimum\""));
    free(out);
    free(err);
}

static void test_run_table_has_words_and_no_colour_when_not_a_terminal(void **state)
{
    (void)state;
    char *out, *err;
    int rc = run_retail("--period 2024-07", &out, &err);
    if (rc != 0) fail_msg("run failed (%d): %s", rc, err);
    assert_non_null(strstr(out, "CLI test · "));
    assert_non_null(strstr(out, "2024-07 (2024-07-01 to 2024-07-31)"));
    assert_non_null(strstr(out, "Doanh thu"));
    assert_non_null(strstr(out, "✖ below minimum"));
    assert_null(strchr(out, '\x1b'));
    free(out);
    free(err);
}

static void test_run_fail_below_exits_1_only_when_asked(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(run_retail("--period 2024-07 --fail-below", &out, &err), 1);
    assert_non_null(strstr(err, "below minimum: orders"));
    free(out);
    free(err);
    assert_int_equal(run_retail("--period 2024-07", &out, &err), 0);
    free(out);
    free(err);
}

static void test_run_script_error_exits_3_with_file_and_line(void **state)
{
    (void)state;
    const char *rules = tu_write_file("broken.lua",
                                      "ruleset { name = \"Broken\" }\n"
                                      "-- the next line is not Lua\n"
                                      "kpi \"x\" { value = = 1 }\n",
                                      (size_t)-1);
    char args[1024], *out, *err;
    snprintf(args, sizeof args, "run '%s' --no-save", rules);
    assert_int_equal(e2e_engine(args, &out, &err), 3);
    assert_non_null(strstr(err, "kpiengine: "));
    assert_non_null(strstr(err, "broken.lua:3:"));
    assert_string_equal(out, "");
    free(out);
    free(err);
}

static void test_run_data_error_exits_4_with_position(void **state)
{
    (void)state;
    tu_write_file("ragged_orders.csv", "ordered_at,amount\n2024-08-01,5\n2024-08-02\n", (size_t)-1);
    const char *rules = tu_write_file(
        "ragged.lua",
        "ruleset { name = \"Ragged\", grain = \"month\" }\n"
        "local o = source \"o\" { csv = \"ragged_orders.csv\", time = \"ordered_at\" }\n"
        "kpi \"n\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
        "  value = function(p) return o:during(p):count() end }\n",
        (size_t)-1);
    char args[1024], *out, *err;
    snprintf(args, sizeof args, "run '%s' --no-save --period 2024-08", rules);
    assert_int_equal(e2e_engine(args, &out, &err), 4);
    assert_non_null(strstr(err, "ragged_orders.csv:3:"));
    assert_non_null(strstr(err, "expected 2 fields, found 1"));
    free(out);
    free(err);
}

/* Whether tu_tmpdir() holds a leftover temporary report ("*.tmp.<pid>"). */
static int has_temp_files(void)
{
    char cmd[600], *out;
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '\\.tmp\\.' || true", tu_tmpdir());
    tu_run(cmd, &out, NULL);
    int n = atoi(out);
    free(out);
    return n;
}

static void test_run_output_file_is_replaced_only_on_success(void **state)
{
    (void)state;
    const char *report = tu_write_file("report.json", "old report\n", (size_t)-1);
    const char *broken = tu_write_file("broken2.lua", "ruleset {\n", (size_t)-1);
    char args[1024], *out, *err;
    snprintf(args, sizeof args, "run '%s' --no-save -o '%s'", broken, report);
    assert_int_equal(e2e_engine(args, &out, &err), 3);
    free(out);
    free(err);
    snprintf(args, sizeof args, "cat '%s'", report);
    assert_int_equal(tu_run(args, &out, NULL), 0);
    assert_string_equal(out, "old report\n");
    free(out);
    snprintf(args, sizeof args, "--period 2024-07 --format=json -o '%s'", report);
    assert_int_equal(run_retail(args, &out, &err), 0);
    assert_string_equal(out, "");
    free(out);
    free(err);
    snprintf(args, sizeof args, "cat '%s'", report);
    assert_int_equal(tu_run(args, &out, NULL), 0);
    assert_true(strncmp(out, "{\"ruleset\": \"CLI test\"", 22) == 0);
    free(out);
    assert_int_equal(has_temp_files(), 0);
}

static void test_run_output_write_failure_exits_4_and_leaves_no_temp_file(void **state)
{
    (void)state;
    char args[1024], *out, *err;
    /* the target is a directory: the temporary file is written, the rename fails */
    snprintf(args, sizeof args, "mkdir -p '%s/taken'", tu_tmpdir());
    assert_int_equal(tu_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "--period 2024-07 -o '%s/taken'", tu_tmpdir());
    assert_int_equal(run_retail(args, &out, &err), 4);
    assert_non_null(strstr(err, "cannot write the report"));
    free(out);
    free(err);
    assert_int_equal(has_temp_files(), 0);
    assert_int_equal(run_retail("--period 2024-07 -o /nonexistent/dir/r.json", &out, &err), 4);
    assert_non_null(strstr(err, "/nonexistent/dir/r.json: cannot write the report"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_version_prints_name_and_version),
        cmocka_unit_test(test_cli_help_describes_every_subcommand),
        cmocka_unit_test(test_cli_without_command_is_a_usage_error),
        cmocka_unit_test(test_run_option_errors_exit_2),
        cmocka_unit_test(test_run_bad_period_exits_2_naming_the_option),
        cmocka_unit_test(test_run_missing_rule_set_exits_2),
        cmocka_unit_test(test_inspect_csv_counts_match_sqlite),
        cmocka_unit_test(test_inspect_csv_ranges_match_sqlite),
        cmocka_unit_test(test_inspect_sqlite_table_and_query_count_rows_as_sqlite),
        cmocka_unit_test(test_inspect_usage_errors_exit_2),
        cmocka_unit_test(test_inspect_malformed_csv_exits_4_with_position),
        cmocka_unit_test(test_run_json_values_match_sqlite),
        cmocka_unit_test(test_run_table_has_words_and_no_colour_when_not_a_terminal),
        cmocka_unit_test(test_run_fail_below_exits_1_only_when_asked),
        cmocka_unit_test(test_run_script_error_exits_3_with_file_and_line),
        cmocka_unit_test(test_run_data_error_exits_4_with_position),
        cmocka_unit_test(test_run_output_file_is_replaced_only_on_success),
        cmocka_unit_test(test_run_output_write_failure_exits_4_and_leaves_no_temp_file),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
