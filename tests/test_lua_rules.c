/*
** test_lua_rules.c -- the rule-set language (engine/lua/dsl*.c, eval.c, rules.c):
** require, extends, the k table and evaluation order, no data, declaration checks,
** statuses, periods, sources and script errors, driven through rules_open,
** rules_default_period and rules_evaluate.
**
** Two kinds of rule set: the fixture tests/data/rules_retail (retail.lua, its client
** variant client.lua and their CSV files), whose values are checked against sqlite3
** running the same computation on the same CSV (the oracle), and small files written
** into the temporary folder, one folder per test, whose values are worked out by hand.
** Every bad input asserts the error's kind, file:line and message.
*/
#define _GNU_SOURCE /* symlink */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lua/rules.h"
#include "testutil.h"

/* ---- helpers --------------------------------------------------------------------------------- */

/* Write text to rel below the temporary folder, creating its folders; returns the path. */
static const char *put(const char *rel, const char *text)
{
    char dir[600];
    size_t root = strlen(tu_tmpdir()) + 1;
    snprintf(dir, sizeof dir, "%s/%s", tu_tmpdir(), rel);
    for (char *p = dir + root; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(dir, 0755); /* EEXIST is fine */
        *p = '/';
    }
    return tu_write_file(rel, text, (size_t)-1);
}

static const char *tmp_path(const char *rel)
{
    static char paths[4][600];
    static int next;
    char *p = paths[next++ & 3];
    snprintf(p, 600, "%s/%s", tu_tmpdir(), rel);
    return p;
}

static period period_of(const char *label)
{
    period p;
    kpi_error err;
    if (period_parse(label, &p, &err) != 0) fail_msg("bad period %s", label);
    return p;
}

static rules *open_ok(const char *path, const rules_options *o)
{
    kpi_error err;
    rules *r = rules_open(path, o, &err);
    char buf[1400];
    if (!r) fail_msg("%s", kpi_error_format(&err, buf, sizeof buf));
    return r;
}

/* Open path (options o, may be NULL) and evaluate label into rep. */
static void run_ok(const char *path, const rules_options *o, const char *label, report *rep)
{
    rules *r = open_ok(path, o);
    kpi_error err;
    char buf[1400];
    if (rules_evaluate(r, period_of(label), rep, &err) != 0)
        fail_msg("%s", kpi_error_format(&err, buf, sizeof buf));
    rules_close(r);
}

/* Opening path, or evaluating it for 2024-07, must fail: the error. */
static kpi_error run_fail(const char *path, const rules_options *o)
{
    kpi_error err;
    rules *r = rules_open(path, o, &err);
    if (r) {
        report rep;
        if (rules_evaluate(r, period_of("2024-07"), &rep, &err) == 0) {
            report_free(&rep);
            fail_msg("%s evaluated without an error", path);
        }
        rules_close(r);
    }
    return err;
}

static const kpi_result *kpi_of(const report *rep, const char *id)
{
    for (size_t i = 0; i < rep->nkpis; i++)
        if (strcmp(rep->kpis[i].id, id) == 0) return &rep->kpis[i];
    fail_msg("no kpi '%s' in the report", id);
    return NULL;
}

static const breakdown_item *item_of(const kpi_result *k, const char *key)
{
    for (size_t i = 0; i < k->nitems; i++)
        if (strcmp(k->items[i].key, key) == 0) return &k->items[i];
    fail_msg("kpi '%s' has no breakdown item '%s'", k->id, key);
    return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void check_error(const kpi_error *err, kpi_error_kind kind, const char *file, long line,
                        const char *message)
{
    char buf[1400];
    if (err->kind != kind || !ends_with(err->file, file) || err->line != line ||
        !strstr(err->message, message))
        fail_msg("expected kind %d at %s:%ld with \"%s\"; got kind %d: %s", kind, file, line,
                 message, err->kind, kpi_error_format(err, buf, sizeof buf));
}

static void check_value(const kpi_result *k, double expect)
{
    if (!k->has_value) fail_msg("kpi '%s' has no value: %s", k->id, k->reason);
    if (!tu_close(k->value, expect, 1e-9))
        fail_msg("kpi '%s' is %.10g, expected %.10g", k->id, k->value, expect);
}

/* ---- the oracle on the fixture's CSV files --------------------------------------------------- */

#define JULY "date >= '2024-07-01' AND date < '2024-08-01'"
#define JUNE "date >= '2024-06-01' AND date < '2024-07-01'"

/* sqlite3 imports path as table name; then sql. */
static double oracle_csv(const char *path, const char *name, const char *sql)
{
    char setup[800];
    snprintf(setup, sizeof setup, ".import --csv '%s' %s", path, name);
    return tu_oracle(":memory:", setup, sql);
}

static double orders_sql(const char *sql)
{
    return oracle_csv(tu_data("rules_retail/data/orders.csv"), "orders", sql);
}

static double spend_sql(const char *sql)
{
    return oracle_csv(tu_data("rules_retail/data/spend.csv"), "spend", sql);
}

/* spend_b.csv: ';' separated, dd/mm/yyyy dates, decimal commas; as a table spend(date, cost). */
static double spend_b_sql(const char *where)
{
    char setup[800], sql[600];
    snprintf(setup, sizeof setup,
             ".mode csv\n.separator ;\n.import '%s' raw\n"
             "CREATE TABLE spend AS SELECT substr(day, 7, 4) || '-' || substr(day, 4, 2) || '-' "
             "|| substr(day, 1, 2) AS date, channel, CAST(replace(cost, ',', '.') AS REAL) AS "
             "cost FROM raw;",
             tu_data("rules_retail/data/spend_b.csv"));
    snprintf(sql, sizeof sql, "SELECT sum(cost) FROM spend WHERE %s;", where);
    return tu_oracle(":memory:", setup, sql);
}

/* Customers buying in the month starting at `from` who never bought before it. */
static double new_customers_sql(const char *from, const char *to)
{
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT count(DISTINCT customer_id) FROM orders WHERE date >= '%s' AND date < '%s' "
             "AND customer_id NOT IN (SELECT customer_id FROM orders WHERE date < '%s');",
             from, to, from);
    return orders_sql(sql);
}

/* ---- require --------------------------------------------------------------------------------- */

#define KPI_RETURNING(expr)                                                                        \
    "kpi \"x\" { better = \"higher\", minimum = 1, target = 2,\n"                                  \
    "  value = function(p, k) return " expr " end }\n"

static void test_rules_require_prefers_the_file_next_to_the_rule_set(void **state)
{
    (void)state;
    put("req_next/m.lua", "return { n = 1 }\n");
    put("req_next/lib/m.lua", "return { n = 2 }\n");
    const char *rs = put("req_next/rs.lua", "local m = require \"m\"\n" KPI_RETURNING("m.n"));
    report rep;
    run_ok(rs, NULL, "2024-07", &rep);
    check_value(kpi_of(&rep, "x"), 1);
    report_free(&rep);
}

static void test_rules_require_falls_back_to_lib(void **state)
{
    (void)state;
    put("req_lib/lib/only.lua", "return { n = 2 }\n");
    const char *rs = put("req_lib/rs.lua", "local m = require \"only\"\n" KPI_RETURNING("m.n"));
    report rep;
    run_ok(rs, NULL, "2024-07", &rep);
    check_value(kpi_of(&rep, "x"), 2);
    report_free(&rep);
}

static void test_rules_require_runs_a_module_once(void **state)
{
    (void)state;
    put("req_once/lib/counter.lua", "return { runs = 0 }\n");
    put("req_once/m.lua", "local c = require \"counter\"\nc.runs = c.runs + 1\nreturn {}\n");
    const char *rs =
        put("req_once/rs.lua", "local a = require \"m\"\nlocal b = require \"m\"\n"
                               "local same = rawequal(a, b) and 100 or 0\n" KPI_RETURNING(
                                   "same + require(\"counter\").runs"));
    report rep;
    run_ok(rs, NULL, "2024-07", &rep);
    check_value(kpi_of(&rep, "x"), 101); /* the same value, and the module's body ran once */
    report_free(&rep);
}

static void test_rules_require_missing_module_names_both_places(void **state)
{
    (void)state;
    const char *rs = put("req_missing/rs.lua", "\nlocal m = require \"nope\"\n" KPI_RETURNING("1"));
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "req_missing/rs.lua", 2, "require: module 'nope' not found");
    assert_non_null(strstr(err.message, "req_missing/nope.lua"));
    assert_non_null(strstr(err.message, "req_missing/lib/nope.lua"));
}

/* ---- extends --------------------------------------------------------------------------------- */

static void run_client(report *rep)
{
    run_ok(tu_data("rules_retail/client.lua"), NULL, "2024-07", rep);
}

static void test_rules_extends_overrides_a_kpi_field_by_field(void **state)
{
    (void)state;
    report rep;
    run_client(&rep);
    const kpi_result *k = kpi_of(&rep, "revenue");
    assert_ptr_equal(k, &rep.kpis[0]); /* keeps its place */
    assert_true(k->target == 2000);    /* changed */
    assert_true(k->minimum == 500);    /* kept */
    assert_string_equal(k->owner, ""); /* removed with false */
    assert_string_equal(k->title, "Revenue");
    assert_string_equal(k->review, "monthly");
    check_value(k, orders_sql("SELECT sum(amount) FROM orders WHERE " JULY ";"));
    assert_int_equal(k->status, STATUS_MET_MINIMUM); /* 655.74: above 500, below 2000 */
    assert_true(ends_with(k->file, "rules_retail/client.lua"));
    assert_string_equal(rep.ruleset, "Retail test - client B");
    assert_string_equal(rep.currency, "VND"); /* ruleset merges field by field too */
    report_free(&rep);
}

static void test_rules_extends_replaces_a_source_by_name(void **state)
{
    (void)state;
    report rep;
    run_client(&rep);
    /* cac is the base's KPI; its spend is now client B's file */
    double spend = spend_b_sql(JULY);
    double fresh = new_customers_sql("2024-07-01", "2024-08-01");
    assert_true(fresh == 3);
    check_value(kpi_of(&rep, "cac"), spend / fresh);
    assert_true(tu_close(spend, 1500.25, 1e-12)); /* the oracle read the right file */
    report_free(&rep);
}

static void test_rules_extends_adds_a_kpi(void **state)
{
    (void)state;
    report rep;
    run_client(&rep);
    assert_int_equal(rep.nkpis, 6);
    const kpi_result *k = &rep.kpis[5];
    assert_string_equal(k->id, "spend_share");
    check_value(k,
                spend_b_sql(JULY) / orders_sql("SELECT sum(amount) FROM orders WHERE " JULY ";"));
    assert_int_equal(k->better, BETTER_LOWER);
    report_free(&rep);
}

static void test_rules_extends_after_a_declaration_is_an_error(void **state)
{
    (void)state;
    put("ext_late/base.lua", KPI_RETURNING("1"));
    const char *rs = put("ext_late/rs.lua", "ruleset { name = \"late\" }\nextends \"base.lua\"\n");
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "ext_late/rs.lua", 2,
                "extends must come before the declarations of this file");
}

static void test_rules_same_kpi_twice_in_one_file_names_both_places(void **state)
{
    (void)state;
    const char *rs = put("dup_kpi/rs.lua", KPI_RETURNING("1") "\n" KPI_RETURNING("2"));
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "dup_kpi/rs.lua", 4, "kpi 'x' is already declared at ");
    assert_non_null(strstr(err.message, "dup_kpi/rs.lua:1"));
}

static void test_rules_same_source_twice_in_one_file_names_both_places(void **state)
{
    (void)state;
    put("dup_src/a.csv", "date,v\n2024-07-01,1\n");
    const char *rs = put("dup_src/rs.lua", "source \"a\" { csv = \"a.csv\" }\n"
                                           "source \"a\" { csv = \"a.csv\" }\n" KPI_RETURNING("1"));
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "dup_src/rs.lua", 2, "source 'a' is already declared at ");
    assert_non_null(strstr(err.message, "dup_src/rs.lua:1"));
}

/* ---- k and the order of evaluation ----------------------------------------------------------- */

static void test_rules_k_gives_a_kpi_declared_later(void **state)
{
    (void)state;
    const char *rs =
        put("k_order/rs.lua", "kpi \"a\" { better = \"higher\", minimum = 1, target = 2,\n"
                              "  value = function(p, k) return k.b * 10 + k.b end }\n"
                              "kpi \"b\" { better = \"higher\", minimum = 1, target = 2,\n"
                              "  value = function() return 4 end }\n");
    report rep;
    run_ok(rs, NULL, "2024-07", &rep);
    check_value(kpi_of(&rep, "a"), 44);
    check_value(kpi_of(&rep, "b"), 4);
    assert_string_equal(rep.kpis[0].id, "a"); /* the report keeps declaration order */
    report_free(&rep);
}

static void test_rules_k_through_a_library_function(void **state)
{
    (void)state;
    report rep;
    run_ok(tu_data("rules_retail/retail.lua"), NULL, "2024-07", &rep);
    double revenue = orders_sql("SELECT sum(amount) FROM orders WHERE " JULY ";");
    double n = orders_sql("SELECT count(*) FROM orders WHERE " JULY ";");
    assert_true(n == 6);
    check_value(kpi_of(&rep, "aov"), revenue / n); /* fin.ratio(k.revenue, k.orders) */
    report_free(&rep);
}

static void test_rules_k_cycle_names_the_kpis(void **state)
{
    (void)state;
    const char *rs =
        put("k_cycle/rs.lua", "kpi \"a\" { better = \"higher\", minimum = 1, target = 2,\n"
                              "  value = function(p, k) return k.b end }\n"
                              "kpi \"b\" { better = \"higher\", minimum = 1, target = 2,\n"
                              "  value = function(p, k) return k.a + 1 end }\n");
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "k_cycle/rs.lua", 4, "cycle between KPIs: a -> b -> a");
    assert_non_null(strstr(err.message, "kpi 'b'"));
}

static void test_rules_k_self_reference_is_a_cycle(void **state)
{
    (void)state;
    const char *rs = put("k_self/rs.lua", "\n" KPI_RETURNING("k.x * 2"));
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "k_self/rs.lua", 3, "kpi 'x': cycle between KPIs: x -> x");
}

static void test_rules_k_unknown_kpi_suggests_the_closest(void **state)
{
    (void)state;
    const char *rs =
        put("k_unknown/rs.lua", "kpi \"revenue\" { better = \"higher\", minimum = 1, target = 2,\n"
                                "  value = function() return 5 end }\n" KPI_RETURNING("k.revenu"));
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "k_unknown/rs.lua", 4,
                "kpi 'x': k: unknown kpi 'revenu' (did you mean 'revenue'?)");
}

/* ---- no data --------------------------------------------------------------------------------- */

/* A KPI returning expr evaluates to no data, with a reason containing reason. */
static void expect_no_data(const char *dir, const char *expr, const char *reason)
{
    char rel[100], text[600];
    snprintf(rel, sizeof rel, "%s/o.csv", dir);
    put(rel, "date,amount\n2024-06-10,5\n");
    snprintf(text, sizeof text,
             "local o = source \"o\" { csv = \"o.csv\", time = \"date\" }\n" KPI_RETURNING("%s"),
             expr);
    snprintf(rel, sizeof rel, "%s/rs.lua", dir);
    report rep;
    run_ok(put(rel, text), NULL, "2024-07", &rep);
    const kpi_result *k = kpi_of(&rep, "x");
    assert_int_equal(k->has_value, 0);
    assert_int_equal(k->status, STATUS_NO_DATA);
    if (!k->reason || !strstr(k->reason, reason))
        fail_msg("reason \"%s\", expected \"%s\"", k->reason ? k->reason : "(none)", reason);
    report_free(&rep);
}

static void test_rules_zero_denominator_is_no_data(void **state)
{
    (void)state;
    expect_no_data("nd_zero", "o:during(p:prev()):sum 'amount' / 0", "division by zero");
}

static void test_rules_integer_division_by_zero_is_no_data(void **state)
{
    (void)state;
    expect_no_data("nd_idiv", "7 // 0", "attempt to divide by zero");
}

static void test_rules_zero_over_zero_is_no_data(void **state)
{
    (void)state;
    expect_no_data("nd_nan", "0/0", "division by zero (0/0");
}

static void test_rules_infinity_is_no_data(void **state)
{
    (void)state;
    expect_no_data("nd_inf", "-math.huge", "infinite");
}

static void test_rules_nil_value_is_no_data(void **state)
{
    (void)state;
    expect_no_data("nd_nil", "nil", "value is nil");
}

static void test_rules_aggregate_over_no_rows_is_no_data(void **state)
{
    (void)state;
    expect_no_data("nd_empty", "o:during(p):sum 'amount'", "no rows");
}

static void test_rules_arithmetic_on_an_empty_aggregate_is_no_data(void **state)
{
    (void)state;
    expect_no_data("nd_arith", "o:during(p):sum 'amount' * 2",
                   "attempt to perform arithmetic on a nil value");
}

/* ---- declaration checks ---------------------------------------------------------------------- */

/* The rule set text must fail to load at line with message. */
static void expect_load_error(const char *dir, const char *text, long line, const char *message)
{
    char rel[100];
    snprintf(rel, sizeof rel, "%s/rs.lua", dir);
    kpi_error err = run_fail(put(rel, text), NULL);
    check_error(&err, KPI_ESCRIPT, rel, line, message);
}

static void test_rules_unknown_kpi_field_suggests_the_closest(void **state)
{
    (void)state;
    expect_load_error("f_kpi",
                      "\nkpi \"cac\" { better = \"lower\", minimum = 2, target = 1,\n"
                      "  tagret = 1,\n  value = function() return 1 end }\n",
                      2, "kpi 'cac': unknown field 'tagret' (did you mean 'target'?)");
}

static void test_rules_unknown_ruleset_field_suggests_the_closest(void **state)
{
    (void)state;
    expect_load_error("f_ruleset", "ruleset { nmae = \"x\" }\n" KPI_RETURNING("1"), 1,
                      "ruleset: unknown field 'nmae' (did you mean 'name'?)");
}

static void test_rules_unknown_source_field_suggests_the_closest(void **state)
{
    (void)state;
    expect_load_error("f_source", KPI_RETURNING("1") "source \"o\" { cvs = \"o.csv\" }\n", 3,
                      "source 'o': unknown field 'cvs' (did you mean 'csv'?)");
}

static void test_rules_unknown_review_field_suggests_the_closest(void **state)
{
    (void)state;
    expect_load_error("f_review", KPI_RETURNING("1") "review \"r\" {\n  evrey = \"month\" }\n", 3,
                      "review 'r': unknown field 'evrey' (did you mean 'every'?)");
}

static void test_rules_kpi_without_its_table_is_an_error(void **state)
{
    (void)state;
    /* the error is found at the next declaration, and names where the first one is */
    expect_load_error("f_nobody", "\nkpi \"y\"\n" KPI_RETURNING("1"), 3, "kpi 'y' (");
    kpi_error err = run_fail(tmp_path("f_nobody/rs.lua"), NULL);
    if (!strstr(err.message, "f_nobody/rs.lua:2) is missing its definition { ... }"))
        fail_msg("%s", err.message);
}

static void test_rules_kpi_without_value_is_an_error(void **state)
{
    (void)state;
    expect_load_error("f_novalue", "kpi \"x\" { better = \"higher\", minimum = 1, target = 2 }\n",
                      1, "kpi 'x': missing field 'value'");
}

static void test_rules_kpi_without_better_is_an_error(void **state)
{
    (void)state;
    expect_load_error("f_nobetter",
                      "kpi \"x\" { minimum = 1, target = 2, value = function() return 1 end }\n", 1,
                      "kpi 'x': missing field 'better' (\"higher\" or \"lower\")");
}

static void test_rules_source_without_csv_or_sqlite_is_an_error(void **state)
{
    (void)state;
    expect_load_error("f_nofile", "source \"o\" { time = \"date\" }\n" KPI_RETURNING("1"), 1,
                      "source 'o': give either csv = \"file.csv\" or sqlite = \"file.db\"");
}

static void test_rules_minimum_of_the_wrong_type_is_an_error(void **state)
{
    (void)state;
    expect_load_error("f_type",
                      "kpi \"x\" { better = \"higher\", minimum = \"abc\", target = 2,\n"
                      "  value = function() return 1 end }\n",
                      1, "kpi 'x': field 'minimum' must be a number, got string");
}

static void test_rules_additive_of_the_wrong_type_is_an_error(void **state)
{
    (void)state;
    expect_load_error(
        "f_additive",
        "kpi \"x\" { better = \"higher\", minimum = 1, target = 2, additive = \"yes\",\n"
        "  value = function() return 1 end }\n",
        1, "kpi 'x': field 'additive' must be true or false, got string");
}

/* ---- statuses -------------------------------------------------------------------------------- */

/* Rule set with one KPI per value, all with the same levels. */
static void grade(const char *dir, const char *better, const char *minimum, const char *target,
                  report *rep)
{
    static const char *const values[] = {"v_target", "20", "v_above", "25",    "v_min", "10",
                                         "v_mid",    "15", "v_below", "9.999", "v_nil", "nil"};
    char text[2000] = "", rel[100];
    for (size_t i = 0; i < sizeof values / sizeof *values; i += 2) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used,
                 "kpi \"%s\" { better = \"%s\", minimum = %s, target = %s,\n"
                 "  value = function() return %s end }\n",
                 values[i], better, minimum, target, values[i + 1]);
    }
    snprintf(rel, sizeof rel, "%s/rs.lua", dir);
    run_ok(put(rel, text), NULL, "2024-07", rep);
}

static void test_rules_status_higher_at_the_boundaries(void **state)
{
    (void)state;
    report rep;
    grade("st_higher", "higher", "10", "20", &rep);
    assert_int_equal(kpi_of(&rep, "v_target")->status, STATUS_MET_TARGET); /* = target */
    assert_int_equal(kpi_of(&rep, "v_above")->status, STATUS_MET_TARGET);
    assert_int_equal(kpi_of(&rep, "v_mid")->status, STATUS_MET_MINIMUM);
    assert_int_equal(kpi_of(&rep, "v_min")->status, STATUS_MET_MINIMUM); /* = minimum */
    assert_int_equal(kpi_of(&rep, "v_below")->status, STATUS_BELOW_MINIMUM);
    assert_int_equal(kpi_of(&rep, "v_nil")->status, STATUS_NO_DATA);
    report_free(&rep);
}

static void test_rules_status_lower_at_the_boundaries(void **state)
{
    (void)state;
    report rep;
    /* better = lower with minimum 20 (the worst acceptable) and target 10 */
    grade("st_lower", "lower", "20", "10", &rep);
    assert_int_equal(kpi_of(&rep, "v_below")->status, STATUS_MET_TARGET); /* 9.999 < 10 */
    assert_int_equal(kpi_of(&rep, "v_min")->status, STATUS_MET_TARGET);   /* 10 = target */
    assert_int_equal(kpi_of(&rep, "v_mid")->status, STATUS_MET_MINIMUM);
    assert_int_equal(kpi_of(&rep, "v_target")->status, STATUS_MET_MINIMUM);  /* 20 = minimum */
    assert_int_equal(kpi_of(&rep, "v_above")->status, STATUS_BELOW_MINIMUM); /* 25 > 20 */
    assert_int_equal(kpi_of(&rep, "v_nil")->status, STATUS_NO_DATA);
    report_free(&rep);
}

/* ---- periods --------------------------------------------------------------------------------- */

static void test_rules_previous_period_value_and_change(void **state)
{
    (void)state;
    report rep;
    run_ok(tu_data("rules_retail/retail.lua"), NULL, "2024-07", &rep);
    const kpi_result *k = kpi_of(&rep, "revenue");
    double cur = orders_sql("SELECT sum(amount) FROM orders WHERE " JULY ";");
    double prev = orders_sql("SELECT sum(amount) FROM orders WHERE " JUNE ";");
    check_value(k, cur);
    assert_true(k->has_previous && tu_close(k->previous, prev, 1e-9));
    assert_true(k->has_change && tu_close(k->change, (cur - prev) / prev, 1e-9));
    /* cac in June, through k.new_customers of June: 1220 / 2 */
    const kpi_result *cac = kpi_of(&rep, "cac");
    double june = spend_sql("SELECT sum(cost) FROM spend WHERE " JUNE ";") /
                  new_customers_sql("2024-06-01", "2024-07-01");
    assert_true(cac->has_previous && tu_close(cac->previous, june, 1e-9));
    report_free(&rep);
}

static void test_rules_no_previous_data_gives_no_change(void **state)
{
    (void)state;
    report rep;
    run_ok(tu_data("rules_retail/retail.lua"), NULL, "2024-05", &rep);
    const kpi_result *k = kpi_of(&rep, "revenue");
    check_value(k, orders_sql("SELECT sum(amount) FROM orders WHERE date LIKE '2024-05-%';"));
    assert_int_equal(k->has_previous, 0); /* no orders in April */
    assert_int_equal(k->has_change, 0);
    report_free(&rep);
}

static void test_rules_default_period_is_the_latest_complete_month(void **state)
{
    (void)state;
    rules *r = open_ok(tu_data("rules_retail/retail.lua"), NULL);
    period p;
    kpi_error err;
    assert_int_equal(rules_default_period(r, &p, &err), 0);
    /* the latest day in the data (both sources) is in August, which is not over */
    char setup[600], label[32];
    snprintf(setup, sizeof setup, ".import --csv '%s' orders",
             tu_data("rules_retail/data/orders.csv"));
    char *last = tu_oracle_text(":memory:", setup, "SELECT max(date) FROM orders;");
    assert_string_equal(last, "2024-08-09");
    tu_free(last);
    assert_string_equal(period_label(p, label, sizeof label), "2024-07");
    assert_int_equal(p.grain, GRAIN_MONTH);
    rules_close(r);
}

static void test_rules_default_period_counts_a_period_ending_on_the_last_day(void **state)
{
    (void)state;
    put("dp_full/o.csv", "date,amount\n2024-06-15,1\n2024-07-31,2\n");
    const char *rs =
        put("dp_full/rs.lua", "ruleset { grain = \"quarter\" }\n"
                              "local o = source \"o\" { csv = \"o.csv\", time = \"date\" }\n"
                              "source \"older\" { csv = \"o.csv\" }\n" KPI_RETURNING("1"));
    rules *r = open_ok(rs, NULL);
    period p;
    kpi_error err;
    char label[32];
    assert_int_equal(rules_default_period(r, &p, &err), 0);
    /* quarter grain: Q3 is not over on 2024-07-31, so the latest complete one is Q2 */
    assert_string_equal(period_label(p, label, sizeof label), "2024-Q2");
    rules_close(r);
    put("dp_full/rs2.lua",
        "local o = source \"o\" { csv = \"o.csv\", time = \"date\" }\n" KPI_RETURNING("1"));
    r = open_ok(tmp_path("dp_full/rs2.lua"), NULL);
    assert_int_equal(rules_default_period(r, &p, &err), 0);
    assert_string_equal(period_label(p, label, sizeof label), "2024-07"); /* July is whole */
    rules_close(r);
}

/* ---- sources --------------------------------------------------------------------------------- */

static void test_rules_source_path_climbing_out_is_refused(void **state)
{
    (void)state;
    put("outside.csv", "date,amount\n2024-07-01,1\n");
    expect_load_error("src_up", "\nsource \"o\" { csv = \"data/../../outside.csv\" }\n", 2,
                      "source 'o': path 'data/../../outside.csv' is outside the data folder");
}

static void test_rules_source_absolute_path_is_refused(void **state)
{
    (void)state;
    char text[800];
    snprintf(text, sizeof text, "source \"o\" { csv = \"%s\" }\n", tmp_path("outside.csv"));
    put("outside.csv", "date,amount\n2024-07-01,1\n");
    expect_load_error("src_abs", text, 1, "source 'o': path '/");
    kpi_error err = run_fail(tmp_path("src_abs/rs.lua"), NULL);
    assert_non_null(strstr(err.message, "is absolute"));
}

static void test_rules_source_symlink_leaving_the_root_is_refused(void **state)
{
    (void)state;
    put("outside.csv", "date,amount\n2024-07-01,1\n");
    put("src_link/x", "");
    unlink(tmp_path("src_link/link.csv"));
    if (symlink(tmp_path("outside.csv"), tmp_path("src_link/link.csv")) != 0)
        fail_msg("cannot make a symbolic link");
    expect_load_error("src_link", "source \"o\" { csv = \"link.csv\" }\n" KPI_RETURNING("1"), 1,
                      "source 'o': path 'link.csv' is outside the data folder");
}

static void test_rules_data_dir_holds_the_sources(void **state)
{
    (void)state;
    const char *rs =
        put("dd/rules/rs.lua", "local o = source \"orders\" { csv = \"data/orders.csv\", time = "
                               "\"date\" }\n" KPI_RETURNING("o:during(p):sum 'amount'"));
    rules_options o;
    rules_options_init(&o);
    o.data_dir = tu_data("rules_retail");
    report rep;
    run_ok(rs, &o, "2024-07", &rep);
    check_value(kpi_of(&rep, "x"), orders_sql("SELECT sum(amount) FROM orders WHERE " JULY ";"));
    report_free(&rep);
    /* without it the same path is looked for next to the rule set */
    kpi_error err = run_fail(rs, NULL);
    assert_int_equal(err.kind, KPI_EIO);
    assert_true(ends_with(err.file, "dd/rules/data/orders.csv"));
}

static void test_rules_source_that_fails_to_load_is_a_data_error(void **state)
{
    (void)state;
    put("src_bad/bad.csv", "date,amount\n2024-07-01,10\n2024-07-02,abc\n");
    const char *rs = put(
        "src_bad/rs.lua",
        "local o = source \"o\" { csv = \"bad.csv\", time = \"date\",\n"
        "  columns = { amount = \"decimal(2)\" } }\n" KPI_RETURNING("o:during(p):sum 'amount'"));
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_EDATA, "src_bad/bad.csv", 3, "source 'o': ");
    assert_int_equal(err.column, 12); /* "abc" starts at the 12th character */
}

/* ---- script errors --------------------------------------------------------------------------- */

static const char *script_error_rule_set(void)
{
    put("err/o.csv", "date,amount\n2024-07-01,1\n");
    put("err/lib/calc.lua", "local M = {}\n"
                            "function M.total(t, p)\n"
                            "  return t:during(p):sum \"amuont\"\n"
                            "end\n"
                            "return M\n");
    return put("err/rs.lua", "local calc = require \"calc\"\n"
                             "local o = source \"o\" { csv = \"o.csv\", time = \"date\" }\n"
                             "kpi \"x\" { better = \"higher\", minimum = 1, target = 2,\n"
                             "  value = function(p) local v = calc.total(o, p); return v end }\n");
}

static void test_rules_script_error_names_the_user_file_line_and_kpi(void **state)
{
    (void)state;
    kpi_error err = run_fail(script_error_rule_set(), NULL);
    check_error(&err, KPI_ESCRIPT, "err/lib/calc.lua", 3, "kpi 'x': ");
    assert_non_null(strstr(err.message, "amuont"));
    assert_non_null(strstr(err.message, "did you mean 'amount'?"));
    if (!strstr(err.message, "err/rs.lua:4")) fail_msg("%s", err.message); /* the caller */
    if (strstr(err.message, "[C]") || strstr(err.message, "engine/lua"))
        fail_msg("engine frames in: %s", err.message);
}

static void test_rules_script_error_shows_engine_frames_when_verbose(void **state)
{
    (void)state;
    rules_options o;
    rules_options_init(&o);
    o.verbose = 1;
    kpi_error err = run_fail(script_error_rule_set(), &o);
    check_error(&err, KPI_ESCRIPT, "err/lib/calc.lua", 3, "kpi 'x': ");
    assert_non_null(strstr(err.message, "[C]"));
}

static void test_rules_error_at_load_names_the_file_and_line(void **state)
{
    (void)state;
    const char *rs = put("err_load/rs.lua", KPI_RETURNING("1") "local t = nil\nlocal n = #t\n");
    kpi_error err = run_fail(rs, NULL);
    check_error(&err, KPI_ESCRIPT, "err_load/rs.lua", 4, "attempt to get length of a nil value");
    if (strstr(err.message, "[C]") || strstr(err.message, "engine/lua"))
        fail_msg("engine frames in: %s", err.message);
}

/* ---- additive KPIs --------------------------------------------------------------------------- */

static void run_additive(const char *additive, report *rep)
{
    char text[800];
    snprintf(text, sizeof text,
             "local o = source \"orders\" { csv = \"data/orders.csv\", time = \"date\" }\n"
             "kpi \"revenue\" { better = \"higher\", minimum = 500, target = 700, %s\n"
             "  value = function(p) return o:during(p):sum \"amount\" end,\n"
             "  breakdown = function(p) return o:during(p):by \"channel\":sum \"amount\" end }\n",
             additive);
    rules_options o;
    rules_options_init(&o);
    o.data_dir = tu_data("rules_retail");
    run_ok(put("add/rs.lua", text), &o, "2024-07", rep);
}

static void test_rules_additive_kpi_items_are_not_graded(void **state)
{
    (void)state;
    report rep;
    run_additive("additive = true,", &rep);
    const kpi_result *k = kpi_of(&rep, "revenue");
    assert_int_equal(k->additive, 1);
    assert_int_equal(k->status, STATUS_MET_MINIMUM); /* the total is still graded */
    assert_int_equal(k->nitems, 3);
    const char *keys[] = {"shop", "social", "web"};
    for (size_t i = 0; i < 3; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT sum(amount) FROM orders WHERE " JULY " AND channel = '%s';", keys[i]);
        const breakdown_item *it = item_of(k, keys[i]);
        assert_true(it->has_value && tu_close(it->value, orders_sql(sql), 1e-9));
        assert_int_equal(it->graded, 0);
    }
    report_free(&rep);
}

static void test_rules_kpi_items_are_graded_by_default(void **state)
{
    (void)state;
    report rep;
    run_additive("", &rep);
    const kpi_result *k = kpi_of(&rep, "revenue");
    assert_int_equal(k->additive, 0);
    /* July by channel: shop 80 + 19.99, social 60, web 150.25 + 300 + 45.5: all below 500 */
    for (size_t i = 0; i < k->nitems; i++) {
        assert_int_equal(k->items[i].graded, 1);
        assert_int_equal(k->items[i].status, STATUS_BELOW_MINIMUM);
    }
    report_free(&rep);
    run_ok(tu_data("rules_retail/retail.lua"), NULL, "2024-07", &rep);
    /* cac per channel (lower; minimum 600, target 450): web 1000, shop 500, social 240 */
    k = kpi_of(&rep, "cac");
    assert_int_equal(item_of(k, "web")->status, STATUS_BELOW_MINIMUM);
    assert_int_equal(item_of(k, "shop")->status, STATUS_MET_MINIMUM);
    assert_int_equal(item_of(k, "social")->status, STATUS_MET_TARGET);
    assert_true(tu_close(
        item_of(k, "web")->value,
        spend_sql("SELECT sum(cost) FROM spend WHERE " JULY " AND channel = 'web';"), 1e-9));
    report_free(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_require_prefers_the_file_next_to_the_rule_set),
        cmocka_unit_test(test_rules_require_falls_back_to_lib),
        cmocka_unit_test(test_rules_require_runs_a_module_once),
        cmocka_unit_test(test_rules_require_missing_module_names_both_places),
        cmocka_unit_test(test_rules_extends_overrides_a_kpi_field_by_field),
        cmocka_unit_test(test_rules_extends_replaces_a_source_by_name),
        cmocka_unit_test(test_rules_extends_adds_a_kpi),
        cmocka_unit_test(test_rules_extends_after_a_declaration_is_an_error),
        cmocka_unit_test(test_rules_same_kpi_twice_in_one_file_names_both_places),
        cmocka_unit_test(test_rules_same_source_twice_in_one_file_names_both_places),
        cmocka_unit_test(test_rules_k_gives_a_kpi_declared_later),
        cmocka_unit_test(test_rules_k_through_a_library_function),
        cmocka_unit_test(test_rules_k_cycle_names_the_kpis),
        cmocka_unit_test(test_rules_k_self_reference_is_a_cycle),
        cmocka_unit_test(test_rules_k_unknown_kpi_suggests_the_closest),
        cmocka_unit_test(test_rules_zero_denominator_is_no_data),
        cmocka_unit_test(test_rules_integer_division_by_zero_is_no_data),
        cmocka_unit_test(test_rules_zero_over_zero_is_no_data),
        cmocka_unit_test(test_rules_infinity_is_no_data),
        cmocka_unit_test(test_rules_nil_value_is_no_data),
        cmocka_unit_test(test_rules_aggregate_over_no_rows_is_no_data),
        cmocka_unit_test(test_rules_arithmetic_on_an_empty_aggregate_is_no_data),
        cmocka_unit_test(test_rules_unknown_kpi_field_suggests_the_closest),
        cmocka_unit_test(test_rules_unknown_ruleset_field_suggests_the_closest),
        cmocka_unit_test(test_rules_unknown_source_field_suggests_the_closest),
        cmocka_unit_test(test_rules_unknown_review_field_suggests_the_closest),
        cmocka_unit_test(test_rules_kpi_without_its_table_is_an_error),
        cmocka_unit_test(test_rules_kpi_without_value_is_an_error),
        cmocka_unit_test(test_rules_kpi_without_better_is_an_error),
        cmocka_unit_test(test_rules_source_without_csv_or_sqlite_is_an_error),
        cmocka_unit_test(test_rules_minimum_of_the_wrong_type_is_an_error),
        cmocka_unit_test(test_rules_additive_of_the_wrong_type_is_an_error),
        cmocka_unit_test(test_rules_status_higher_at_the_boundaries),
        cmocka_unit_test(test_rules_status_lower_at_the_boundaries),
        cmocka_unit_test(test_rules_previous_period_value_and_change),
        cmocka_unit_test(test_rules_no_previous_data_gives_no_change),
        cmocka_unit_test(test_rules_default_period_is_the_latest_complete_month),
        cmocka_unit_test(test_rules_default_period_counts_a_period_ending_on_the_last_day),
        cmocka_unit_test(test_rules_source_path_climbing_out_is_refused),
        cmocka_unit_test(test_rules_source_absolute_path_is_refused),
        cmocka_unit_test(test_rules_source_symlink_leaving_the_root_is_refused),
        cmocka_unit_test(test_rules_data_dir_holds_the_sources),
        cmocka_unit_test(test_rules_source_that_fails_to_load_is_a_data_error),
        cmocka_unit_test(test_rules_script_error_names_the_user_file_line_and_kpi),
        cmocka_unit_test(test_rules_script_error_shows_engine_frames_when_verbose),
        cmocka_unit_test(test_rules_error_at_load_names_the_file_and_line),
        cmocka_unit_test(test_rules_additive_kpi_items_are_not_graded),
        cmocka_unit_test(test_rules_kpi_items_are_graded_by_default),
    };
    return cmocka_run_group_tests_name("lua_rules", tests, NULL, NULL);
}
