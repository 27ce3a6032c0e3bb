/*
** test_lua_prefetch.c -- sources loaded ahead (dsl_prefetch, dsl_source.c): an
** evaluation starts loading every source, CSV and SQLite, on threads of their own, so a
** source no KPI reads is loaded too (and its error kept until a KPI reads it); what a
** KPI reads, and the error it gets, are those of a load on first use. Expected values
** come from sqlite3 on the same files (tu_oracle).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lua/dsl.h"
#include "lua/rules.h"
#include "testutil.h"

static const char ORDERS[] = "date,amount\n"
                             "2024-07-01,100\n"
                             "2024-07-20,50\n"
                             "2024-08-01,7\n";

static const char SURVEY[] = "CREATE TABLE survey(day TEXT, score INTEGER);\n"
                             "INSERT INTO survey VALUES ('2024-07-03', 5), ('2024-07-09', 2),\n"
                             "  ('2024-07-30', 4), ('2024-08-02', 1);\n";

/* The rule set: orders.csv, survey.db (with the query and more fields given), the KPIs. */
static const char *write_rules_with(const char *query, const char *more, const char *kpis)
{
    char text[4000], cmd[1200];
    tu_write_file("orders.csv", ORDERS, (size_t)-1);
    const char *sql = tu_write_file("survey.sql", SURVEY, (size_t)-1);
    snprintf(cmd, sizeof cmd, "cd '%s' && rm -f survey.db && sqlite3 -bail survey.db < '%s'",
             tu_tmpdir(), sql);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    snprintf(text, sizeof text,
             "local orders = source 'orders' { csv = 'orders.csv', time = 'date' }\n"
             "local survey = source 'survey' { sqlite = 'survey.db', query = \"%s\"%s }\n"
             "%s",
             query, more, kpis);
    return tu_write_file("prefetch.lua", text, (size_t)-1);
}

static const char *write_rules(const char *query, const char *kpis)
{
    return write_rules_with(query, ", time = 'day'", kpis);
}

static const char REVENUE[] =
    "kpi 'revenue' { unit = 'VND', better = 'higher', minimum = 1, target = 2,\n"
    "  value = function(p) return orders:during(p):sum 'amount' end }\n";

static const char SATISFIED[] =
    "kpi 'satisfied' { unit = 'count', better = 'higher', minimum = 1, target = 2,\n"
    "  value = function(p) return survey:during(p):where { score = 4 }:count()\n"
    "    + survey:during(p):where { score = 5 }:count() end }\n";

/* The oracle: July's revenue from orders.csv, July's satisfied answers from survey.db. */
static double july_revenue(void)
{
    char setup[700];
    snprintf(setup, sizeof setup, ".import --csv '%s/orders.csv' orders", tu_tmpdir());
    return tu_oracle(":memory:", setup,
                     "SELECT sum(amount) FROM orders "
                     "WHERE date BETWEEN '2024-07-01' AND '2024-07-31'");
}

static double july_satisfied(void)
{
    char db[600];
    snprintf(db, sizeof db, "%s/survey.db", tu_tmpdir());
    return tu_oracle(db, NULL,
                     "SELECT count(*) FROM survey WHERE day BETWEEN '2024-07-01' AND '2024-07-31' "
                     "AND score IN (4, 5)");
}

static period july(void)
{
    period p;
    kpi_error err;
    assert_int_equal(period_parse("2024-07", &p, &err), 0);
    return p;
}

static rules *open_ok(const char *path)
{
    kpi_error err;
    char buf[1400];
    rules *r = rules_open(path, NULL, &err);
    if (!r) fail_msg("%s", kpi_error_format(&err, buf, sizeof buf));
    return r;
}

static void test_a_sqlite_source_no_kpi_reads_is_loaded_ahead(void **state)
{
    (void)state;
    rules *r = open_ok(write_rules("SELECT day, score FROM survey", REVENUE));
    dsl *d = rules_dsl(r);
    assert_null(d->sources[1]->t); /* nothing loads before an evaluation */
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), 0);
    assert_true(tu_close(rep.kpis[0].value, july_revenue(), 0));
    const table *survey = d->sources[1]->t;
    assert_non_null(survey); /* loaded although only the CSV source was read */
    assert_int_equal(survey->nrows, 4);
    assert_int_equal(d->sources[1]->prefetched, 0);
    report_free(&rep);
    rules_close(r);
}

static void test_a_kpi_reads_the_source_loaded_ahead(void **state)
{
    (void)state;
    rules *r = open_ok(write_rules("SELECT day, score FROM survey", SATISFIED));
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), 0);
    assert_true(tu_close(rep.kpis[0].value, july_satisfied(), 0));
    report_free(&rep);
    rules_close(r);
}

static void test_a_kpi_reading_a_broken_source_gets_its_error(void **state)
{
    (void)state;
    char kpis[1000];
    snprintf(kpis, sizeof kpis, "%s%s", REVENUE, SATISFIED);
    rules *r = open_ok(write_rules("SELECT day, score FROM no_such_table", kpis));
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), -1);
    /* As without the thread: the declaration's place, the source and SQLite's words. */
    assert_int_equal(err.kind, KPI_ESCRIPT);
    assert_non_null(strstr(err.file, "prefetch.lua"));
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "source 'survey': the query failed on"));
    assert_non_null(strstr(err.message, "survey.db: no such table: no_such_table"));
    rules_close(r);
}

static void test_an_unread_broken_source_fails_nothing(void **state)
{
    (void)state;
    rules *r = open_ok(write_rules("SELECT day, score FROM no_such_table", REVENUE));
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), 0);
    assert_true(tu_close(rep.kpis[0].value, july_revenue(), 0));
    assert_int_equal(rules_dsl(r)->sources[1]->failed, 1); /* tried, kept for a reader */
    report_free(&rep);
    rules_close(r);
}

static void test_the_default_period_waits_for_the_sources_loaded_ahead(void **state)
{
    (void)state;
    /* An untimed survey: the search reads the orders only, the thread loads the survey. */
    rules *r = open_ok(write_rules_with("SELECT day, score FROM survey", "", REVENUE));
    period p;
    kpi_error err;
    assert_int_equal(rules_default_period(r, &p, &err), 0);
    period want = july(); /* the orders end on 2024-08-01: July is the last whole month */
    assert_int_equal(p.start, want.start);
    assert_int_equal(p.stop, want.stop);
    const dsl *d = rules_dsl(r);
    assert_int_equal(d->prefetch_running, 0);
    assert_non_null(d->sources[1]->t);
    assert_int_equal(d->sources[1]->t->nrows, 4);
    rules_close(r);
}

/* ---- CSV sources ---------------------------------------------------------------------- */

/* Visits, a third source (CSV) no KPI of REVENUE reads, with the given text. */
static const char *write_rules_and_visits(const char *visits, const char *kpis)
{
    char more[2000];
    tu_write_file("visits.csv", visits, (size_t)-1);
    snprintf(more, sizeof more,
             "local visits = source 'visits' { csv = 'visits.csv', time = 'date' }\n%s", kpis);
    return write_rules("SELECT day, score FROM survey", more);
}

static const char VISITS[] = "date,page\n2024-07-01,/\n2024-07-02,/sale\n2024-08-09,/\n";
static const char RAGGED_VISITS[] = "date,page\n2024-07-01,/\n2024-07-02\n";

static const char VISIT_COUNT[] =
    "kpi 'visits' { unit = 'count', better = 'higher', minimum = 1, target = 2,\n"
    "  value = function(p) return visits:during(p):count() end }\n";

static void test_a_csv_source_no_kpi_reads_is_loaded_ahead(void **state)
{
    (void)state;
    rules *r = open_ok(write_rules_and_visits(VISITS, REVENUE));
    dsl *d = rules_dsl(r);
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), 0);
    assert_true(tu_close(rep.kpis[0].value, july_revenue(), 0));
    const table *visits = d->sources[2]->t;
    assert_non_null(visits); /* loaded although no KPI reads it */
    assert_int_equal(visits->nrows, 3);
    assert_non_null(d->sources[1]->t); /* and the SQLite one */
    for (size_t i = 0; i < d->nsources; i++)
        assert_int_equal(d->sources[i]->prefetched, 0);
    report_free(&rep);
    rules_close(r);
}

static void test_a_kpi_reading_a_broken_csv_source_loaded_ahead_gets_its_error(void **state)
{
    (void)state;
    char kpis[1000];
    snprintf(kpis, sizeof kpis, "%s%s", REVENUE, VISIT_COUNT);
    rules *r = open_ok(write_rules_and_visits(RAGGED_VISITS, kpis));
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), -1);
    /* As a load on first use says it: the file, the record's line and column. */
    assert_int_equal(err.kind, KPI_EDATA);
    assert_non_null(strstr(err.file, "visits.csv"));
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 1);
    assert_non_null(strstr(err.message, "source 'visits': expected 2 fields, found 1"));
    rules_close(r);
}

static void test_an_unread_broken_csv_source_fails_nothing(void **state)
{
    (void)state;
    rules *r = open_ok(write_rules_and_visits(RAGGED_VISITS, REVENUE));
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), 0);
    assert_true(tu_close(rep.kpis[0].value, july_revenue(), 0));
    assert_int_equal(rules_dsl(r)->sources[2]->failed, 1); /* tried, kept for a reader */
    report_free(&rep);
    rules_close(r);
}

/* Every source read by a KPI at once: each value is the one sqlite3 gives. */
static void test_kpis_reading_every_source_loaded_ahead_get_their_values(void **state)
{
    (void)state;
    char kpis[1000];
    snprintf(kpis, sizeof kpis, "%s%s%s", REVENUE, SATISFIED, VISIT_COUNT);
    rules *r = open_ok(write_rules_and_visits(VISITS, kpis));
    report rep;
    kpi_error err;
    assert_int_equal(rules_evaluate(r, july(), &rep, &err), 0);
    char setup[700];
    snprintf(setup, sizeof setup, ".import --csv '%s/visits.csv' visits", tu_tmpdir());
    double visits = tu_oracle(":memory:", setup,
                              "SELECT count(*) FROM visits "
                              "WHERE date BETWEEN '2024-07-01' AND '2024-07-31'");
    assert_true(tu_close(rep.kpis[0].value, july_revenue(), 0));
    assert_true(tu_close(rep.kpis[1].value, july_satisfied(), 0));
    assert_true(tu_close(rep.kpis[2].value, visits, 0));
    report_free(&rep);
    rules_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_sqlite_source_no_kpi_reads_is_loaded_ahead),
        cmocka_unit_test(test_a_kpi_reads_the_source_loaded_ahead),
        cmocka_unit_test(test_a_kpi_reading_a_broken_source_gets_its_error),
        cmocka_unit_test(test_an_unread_broken_source_fails_nothing),
        cmocka_unit_test(test_the_default_period_waits_for_the_sources_loaded_ahead),
        cmocka_unit_test(test_a_csv_source_no_kpi_reads_is_loaded_ahead),
        cmocka_unit_test(test_a_kpi_reading_a_broken_csv_source_loaded_ahead_gets_its_error),
        cmocka_unit_test(test_an_unread_broken_csv_source_fails_nothing),
        cmocka_unit_test(test_kpis_reading_every_source_loaded_ahead_get_their_values),
    };
    return cmocka_run_group_tests_name("lua_prefetch", tests, NULL, NULL);
}
