/*
** e2e_history.c -- the results store as `kpiengine run` writes it and `kpiengine
** history` reads it: where runs are saved, --no-save and --db, previous values taken
** from the store, a save that fails, two runs at once, a run killed while saving, and
** the history command against the store's own tables.
**
** Each test works in its own folder: a small rule set over a generated orders.csv.
** Expected KPI values come from sqlite3 on the same CSV (the oracle); what was saved is
** read from the store with sqlite3, never through the engine.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

#define ENGINE KPI_BINARY_DIR "/kpiengine"
#define TOL    1e-9

static const char rules_text[] =
    "ruleset { name = \"History test\", currency = \"VND\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"orders.csv\", time = \"date\" }\n"
    "kpi \"revenue\" { unit = \"VND\", better = \"higher\", additive = true,\n"
    "  minimum = 60000, target = 70000,\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n"
    "kpi \"orders\" { unit = \"count\", better = \"higher\", minimum = 50, target = 65,\n"
    "  value = function(p) return orders:during(p):count() end }\n"
    "kpi \"basket\" { unit = \"VND\", better = \"lower\", minimum = 1200, target = 1000,\n"
    "  value = function(p) return orders:during(p):avg \"amount\" end }\n";

/*
** orders.csv from 2024-05-01 to 2024-09-30: day d has 1 + d % 3 orders of
** 500 + (d * 37 + k * 11) % 1000 each.
*/
static void write_orders(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot write %s", path);
    fputs("date,amount\n", f);
    int32_t first = 19844; /* 2024-05-01 */
    for (int d = 0; d < 153; d++) {
        int32_t day = first + d;
        /* civil date of day, by hand: days from 2024-05-01 through the months */
        static const int lengths[] = {31, 30, 31, 31, 30};
        int m = 0, dd = d;
        while (dd >= lengths[m])
            dd -= lengths[m++];
        for (int k = 0; k < 1 + d % 3; k++)
            fprintf(f, "2024-%02d-%02d,%d\n", 5 + m, dd + 1, 500 + (d * 37 + k * 11) % 1000);
        (void)day;
    }
    fclose(f);
}

/* A fresh folder name with the rule set and its data; returns the rule set's path. */
static const char *setup(const char *name)
{
    e2e_make_folder(name);
    write_orders(e2e_path_in(name, "orders.csv"));
    e2e_write_text(e2e_path_in(name, "rules.lua"), rules_text);
    return e2e_path_in(name, "rules.lua");
}

/* The oracle on the test folder's orders.csv. */
static double oracle(const char *name, const char *sql)
{
    char setup_cmd[700];
    snprintf(setup_cmd, sizeof setup_cmd, ".import --csv '%s' orders",
             e2e_path_in(name, "orders.csv"));
    return tu_oracle(":memory:", setup_cmd, sql);
}

static double oracle_revenue(const char *name, const char *from, const char *to)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT sum(amount) FROM orders WHERE date BETWEEN '%s' AND '%s'",
             from, to);
    return oracle(name, sql);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void assert_contains(const char *text, const char *part)
{
    if (!strstr(text, part)) fail_msg("'%s' not in:\n%s", part, text);
}

/* ---- saving -------------------------------------------------------------------------- */

static void test_run_saves_each_run_in_the_store_beside_the_rule_set(void **state)
{
    (void)state;
    const char *rules = setup("saves");
    tu_free(e2e_run_ok("run '%s' --period 2024-06", rules));
    const char *db = e2e_path_in("saves", ".kpiengine/results.db");
    assert_true(exists(db));
    char *runs = tu_oracle_text(db, NULL,
                                "SELECT id, ruleset, period_grain, period_label, period_start,"
                                " period_end, coalesce(review, '-'), coalesce(as_of, '-'),"
                                " length(file_hash) FROM runs");
    assert_string_equal(runs, "1|History test|month|2024-06|2024-06-01|2024-06-30|-|-|64");
    tu_free(runs);
    char cmd[800], *hash;
    snprintf(cmd, sizeof cmd, "sha256sum '%s' | cut -c1-64", rules);
    assert_int_equal(tu_run(cmd, &hash, NULL), 0);
    hash[64] = '\0';
    char *saved = tu_oracle_text(db, NULL, "SELECT file_hash FROM runs");
    assert_string_equal(saved, hash);
    tu_free(saved);
    tu_free(hash);
    double revenue = tu_oracle(db, NULL, "SELECT value FROM results WHERE kpi = 'revenue'");
    assert_true(tu_close(revenue, oracle_revenue("saves", "2024-06-01", "2024-06-30"), TOL));
    double orders = tu_oracle(db, NULL, "SELECT value FROM results WHERE kpi = 'orders'");
    assert_true(orders ==
                oracle("saves", "SELECT count(*) FROM orders WHERE date LIKE '2024-06-%'"));
    double basket = tu_oracle(db, NULL, "SELECT value FROM results WHERE kpi = 'basket'");
    assert_true(tu_close(
        basket, oracle("saves", "SELECT avg(amount) FROM orders WHERE date LIKE '2024-06-%'"),
        TOL));
    char *positions = tu_oracle_text(db, NULL,
                                     "SELECT group_concat(kpi) FROM"
                                     " (SELECT kpi FROM results ORDER BY position)");
    assert_string_equal(positions, "revenue,orders,basket");
    tu_free(positions);
}

static void test_run_no_save_writes_nothing_and_db_saves_elsewhere(void **state)
{
    (void)state;
    const char *rules = setup("nosave");
    tu_free(e2e_run_ok("run '%s' --period 2024-06 --no-save", rules));
    assert_false(exists(e2e_path_in("nosave", ".kpiengine")));
    tu_free(e2e_run_ok("run '%s' --period 2024-06 --db '%s'", rules,
                       e2e_path_in("nosave", "other.db")));
    assert_false(exists(e2e_path_in("nosave", ".kpiengine")));
    assert_true(tu_oracle(e2e_path_in("nosave", "other.db"), NULL, "SELECT count(*) FROM runs") ==
                1);
    tu_free(e2e_run_ok("run '%s' --period=2024-07 --db='%s'", rules,
                       e2e_path_in("nosave", "other.db")));
    assert_true(tu_oracle(e2e_path_in("nosave", "other.db"), NULL, "SELECT count(*) FROM runs") ==
                2);
}

/* Append rows to the folder's orders.csv (a late correction of the data). */
static void append_orders(const char *name, const char *rows)
{
    FILE *f = fopen(e2e_path_in(name, "orders.csv"), "ab");
    if (!f) fail_msg("cannot append to orders.csv");
    fputs(rows, f);
    fclose(f);
}

static void test_run_previous_comes_from_the_store_when_it_has_it(void **state)
{
    (void)state;
    const char *rules = setup("previous");
    const char *db = e2e_path_in("previous", ".kpiengine/results.db");
    tu_free(e2e_run_ok("run '%s' --period 2024-06", rules));
    double june_reported = oracle_revenue("previous", "2024-06-01", "2024-06-30");
    append_orders("previous", "2024-06-15,99999\n"); /* June's data changes afterwards */
    double june_now = oracle_revenue("previous", "2024-06-01", "2024-06-30");
    double july = oracle_revenue("previous", "2024-07-01", "2024-07-31");
    char *json = e2e_run_ok("run '%s' --period 2024-07 --format json", rules);
    const char *k = e2e_with(e2e_member(json, "kpis"), "id", "revenue");
    assert_true(tu_close(e2e_number(k, "value"), july, TOL));
    assert_true(tu_close(e2e_number(k, "previous"), june_reported, TOL)); /* what June reported */
    assert_true(tu_close(e2e_number(k, "change"), (july - june_reported) / june_reported, 1e-12));
    tu_free(json);
    /* a KPI the store has no value for keeps the data's: a new store knows nothing */
    json = e2e_run_ok("run '%s' --period 2024-07 --format json --no-save --db '%s'", rules,
                      e2e_path_in("previous", "fresh.db"));
    k = e2e_with(e2e_member(json, "kpis"), "id", "revenue");
    assert_true(tu_close(e2e_number(k, "previous"), june_now, TOL));
    tu_free(json);
    assert_true(tu_oracle(db, NULL, "SELECT count(*) FROM runs") == 2);
}

static void test_run_failed_save_exits_4_without_a_report(void **state)
{
    (void)state;
    const char *rules = setup("failsave");
    e2e_write_text(e2e_path_in("failsave", "notes.txt"),
                   "not a database, just some notes of the analyst\n"
                   "with a second line that is long enough to count\n");
    char args[2000], *out, *err;
    snprintf(args, sizeof args, "run '%s' --period 2024-06 --db '%s' -o '%s'", rules,
             e2e_path_in("failsave", "notes.txt"), e2e_path_in("failsave", "report.txt"));
    assert_int_equal(e2e_engine(args, &out, &err), 4);
    assert_contains(err, "notes.txt: not a results store: the file is not a SQLite database");
    assert_contains(err, "the results were not saved (use --no-save");
    assert_string_equal(out, "");
    assert_false(exists(e2e_path_in("failsave", "report.txt")));
    tu_free(out);
    tu_free(err);
    snprintf(args, sizeof args, "run '%s' --period 2024-06 --db '%s/missing/deeper/r.db'", rules,
             tu_tmpdir());
    assert_int_equal(e2e_engine(args, &out, &err), 4);
    assert_contains(err, "cannot create folder");
    assert_string_equal(out, "");
    tu_free(out);
    tu_free(err);
}

/* ---- concurrency and kills ---------------------------------------------------------------- */

static void test_two_runs_at_once_both_land(void **state)
{
    (void)state;
    const char *rules = setup("together");
    for (int round = 0; round < 6; round++) {
        char db[600], cmd[3000];
        snprintf(db, sizeof db, "%s/together/r%d.db", tu_tmpdir(), round);
        /* round 0..5 start with no store: both runs also race to create it */
        snprintf(cmd, sizeof cmd,
                 "'%s' run '%s' --period 2024-06 --db '%s' >/dev/null & "
                 "'%s' run '%s' --period 2024-07 --db '%s' >/dev/null & "
                 "wait %%1; a=$?; wait %%2; b=$?; exit $((a + b))",
                 ENGINE, rules, db, ENGINE, rules, db);
        char *err;
        int rc = tu_run(cmd, NULL, &err);
        if (rc != 0) fail_msg("round %d: exit %d: %s", round, rc, err);
        tu_free(err);
        char *got = tu_oracle_text(db, NULL,
                                   "PRAGMA integrity_check; SELECT group_concat(period_label, ',')"
                                   " FROM (SELECT period_label FROM runs ORDER BY period_label);"
                                   " SELECT count(*) FROM results");
        assert_string_equal(got, "ok\n2024-06,2024-07\n6");
        tu_free(got);
    }
}

/* A rule set of many KPIs, so a save takes long enough for a kill to land inside it. */
static const char *setup_big(const char *name)
{
    setup(name);
    e2e_write_text(e2e_path_in(name, "big.lua"),
                   "ruleset { name = \"Big\", grain = \"month\" }\n"
                   "local orders = source \"orders\" { csv = \"orders.csv\", time = \"date\" }\n"
                   "for i = 1, 400 do\n"
                   "  kpi(\"k\" .. i) { better = \"higher\", minimum = i, target = 2 * i,\n"
                   "    value = function(p) return orders:during(p):count() + i end,\n"
                   "    breakdown = function(p) return { a = i, b = 2 * i } end }\n"
                   "end\n");
    return e2e_path_in(name, "big.lua");
}

static void test_run_killed_while_saving_leaves_whole_runs(void **state)
{
    (void)state;
    const char *rules = setup_big("killed");
    const char *db = e2e_path_in("killed", "k.db");
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --period 2024-06 --db '%s' --format json >/dev/null",
             ENGINE, rules, db);
    double t0 = tu_oracle(":memory:", NULL, "SELECT unixepoch('subsec')");
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    double took = tu_oracle(":memory:", NULL, "SELECT unixepoch('subsec')") - t0;
    int killed = 0;
    for (int i = 0; i < 16; i++) {
        /* what the store holds before this run: it must still hold exactly that after */
        char *before = tu_oracle_text(db, NULL,
                                      "SELECT max(id), count(*), total(value) FROM results"
                                      " JOIN runs ON runs.id = run_id");
        long long last_run = atoll(before);
        /* kill from half-way through a run to its end, where the save is */
        double delay = took * (0.5 + 0.5 * (double)((i * 7) % 16) / 16.0);
        snprintf(cmd, sizeof cmd,
                 "'%s' run '%s' --period 2024-06 --db '%s' >/dev/null & p=$!; sleep %.4f;"
                 " kill -9 $p 2>/dev/null; wait $p; echo $?",
                 ENGINE, rules, db, delay);
        char *out;
        tu_run(cmd, &out, NULL);
        killed += atoi(out) == 137;
        tu_free(out);
        char *got = tu_oracle_text(db, NULL,
                                   "PRAGMA integrity_check; PRAGMA foreign_key_check;"
                                   " SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM"
                                   " results WHERE run_id = r.id) <> 400;"
                                   " SELECT count(*) FROM results WHERE run_id NOT IN"
                                   " (SELECT id FROM runs)");
        if (strcmp(got, "ok\n0\n0") != 0) fail_msg("after kill %d the store holds:\n%s", i, got);
        tu_free(got);
        char sql[300];
        snprintf(sql, sizeof sql,
                 "SELECT max(id), count(*), total(value) FROM results JOIN runs ON runs.id = run_id"
                 " WHERE run_id <= %lld",
                 last_run);
        got = tu_oracle_text(db, NULL, sql);
        if (strcmp(got, before) != 0)
            fail_msg("after kill %d the earlier runs hold %s, not %s", i, got, before);
        tu_free(got);
        tu_free(before);
    }
    if (killed == 0) fail_msg("no run was killed (a run took %.3f s)", took);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --period 2024-07 --db '%s' >/dev/null", ENGINE, rules,
             db);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0); /* and the store takes the next run */
    assert_true(tu_oracle(db, NULL, "SELECT count(*) FROM runs WHERE period_label = '2024-07'") ==
                1);
}

/* ---- history ----------------------------------------------------------------------------- */

/* The value saved for kpi in the latest run of period label, read from the store. */
static double saved_value(const char *db, const char *kpi, const char *label)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT r.value FROM results r JOIN runs u ON u.id = r.run_id WHERE r.kpi = '%s'"
             " AND u.period_label = '%s' ORDER BY u.as_of IS NULL DESC, u.id DESC LIMIT 1",
             kpi, label);
    return tu_oracle(db, NULL, sql);
}

static void test_history_matches_what_was_saved(void **state)
{
    (void)state;
    const char *rules = setup("history");
    const char *db = e2e_path_in("history", ".kpiengine/results.db");
    const char *months[] = {"2024-05", "2024-06", "2024-07", "2024-08"};
    for (int i = 0; i < 4; i++)
        tu_free(e2e_run_ok("run '%s' --period %s", rules, months[i]));
    append_orders("history", "2024-06-20,50000\n");
    tu_free(e2e_run_ok("run '%s' --period 2024-06", rules)); /* the rerun of June wins */
    char *json = e2e_run_ok("history '%s' --format json", rules);
    const char *kpis = e2e_member(json, "kpis");
    assert_int_equal(e2e_length(kpis), 3);
    const char *ids[] = {"revenue", "orders", "basket"};
    for (int k = 0; k < 3; k++) {
        const char *series = e2e_element(kpis, k);
        char id[32], status[32], saved_status[64];
        assert_string_equal(e2e_text(series, "id", id, sizeof id), ids[k]);
        const char *points = e2e_member(series, "history");
        assert_int_equal(e2e_length(points), 4);
        for (int i = 0; i < 4; i++) {
            const char *pt = e2e_element(points, i);
            char label[32], sql[400];
            e2e_text(e2e_member(pt, "period"), "label", label, sizeof label);
            assert_string_equal(label, months[i]);
            assert_true(tu_close(e2e_number(pt, "value"), saved_value(db, ids[k], label), TOL));
            snprintf(sql, sizeof sql,
                     "SELECT r.status FROM results r JOIN runs u ON u.id = r.run_id"
                     " WHERE r.kpi = '%s' AND u.period_label = '%s' ORDER BY u.id DESC LIMIT 1",
                     ids[k], label);
            char *s = tu_oracle_text(db, NULL, sql);
            snprintf(saved_status, sizeof saved_status, "%s", s);
            tu_free(s);
            assert_string_equal(e2e_text(pt, "status", status, sizeof status), saved_status);
        }
    }
    /* June's point is the rerun, which counted the late order */
    const char *june = e2e_element(e2e_member(e2e_element(kpis, 0), "history"), 1);
    assert_true(tu_close(e2e_number(june, "value"),
                         oracle_revenue("history", "2024-06-01", "2024-06-30"), TOL));
    assert_true(e2e_number(june, "run") == 5);
    tu_free(json);
}

static void test_history_table_has_a_sparkline_and_last_n(void **state)
{
    (void)state;
    const char *rules = setup("spark");
    const char *months[] = {"2024-05", "2024-06", "2024-07"};
    for (int i = 0; i < 3; i++)
        tu_free(e2e_run_ok("run '%s' --period %s", rules, months[i]));
    char *table = e2e_run_ok("history '%s' orders", rules);
    assert_contains(table, "History test · history · ");
    assert_contains(table, "orders · month · ");
    /*
    ** Orders per month from the oracle, drawn as sparkline.h says: the height of each
    ** between the lowest (▁, level 0) and the highest (█, level 7), rounded.
    */
    static const char *const blocks[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double n[3];
    for (int i = 0; i < 3; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM orders WHERE date LIKE '%s-%%'", months[i]);
        n[i] = oracle("spark", sql);
    }
    double lo = fmin(n[0], fmin(n[1], n[2])), hi = fmax(n[0], fmax(n[1], n[2]));
    assert_true(hi > lo);
    char expect[64] = "orders · month · ";
    for (int i = 0; i < 3; i++)
        strcat(expect, blocks[(int)lround((n[i] - lo) / (hi - lo) * 7)]);
    strcat(expect, "\n");
    assert_contains(table, expect);
    assert_contains(table, "Period");
    assert_contains(table, "2024-05");
    assert_null(strstr(table, "revenue"));
    tu_free(table);
    char *json = e2e_run_ok("history '%s' basket --last 2 --format json", rules);
    const char *points = e2e_member(e2e_element(e2e_member(json, "kpis"), 0), "history");
    assert_int_equal(e2e_length(points), 2);
    char label[32];
    assert_string_equal(
        e2e_text(e2e_member(e2e_element(points, 0), "period"), "label", label, sizeof label),
        "2024-06");
    tu_free(json);
}

static void test_history_bad_input_is_reported(void **state)
{
    (void)state;
    const char *rules = setup("history_bad");
    char args[1500];
    snprintf(args, sizeof args, "history '%s'", rules);
    e2e_assert_error(args, 4, "no results store at");
    tu_free(e2e_run_ok("run '%s' --period 2024-06", rules));
    snprintf(args, sizeof args, "history '%s' revnue", rules);
    e2e_assert_error(args, 2, "has no KPI 'revnue' (did you mean 'revenue'?)");
    snprintf(args, sizeof args, "history '%s' --last 0", rules);
    e2e_assert_error(args, 2, "--last: '0' is not a number of periods");
    snprintf(args, sizeof args, "history '%s' --format xml", rules);
    e2e_assert_error(args, 2, "history: unknown format 'xml'");
    e2e_assert_error("history", 2, "history: missing the rule-set file");
    snprintf(args, sizeof args, "history '%s' revenue orders", rules);
    e2e_assert_error(args, 2, "at most one KPI expected, got 'orders'");
}

/* ---- a period in progress ------------------------------------------------------------- */

static void test_run_to_date_is_saved_and_gives_way_to_the_whole_period(void **state)
{
    (void)state;
    const char *rules = setup("to_date");
    const char *db = e2e_path_in("to_date", ".kpiengine/results.db");
    tu_free(e2e_run_ok("run '%s' --as-of 2024-08-15", rules));
    char *runs = tu_oracle_text(db, NULL, "SELECT period_label, as_of FROM runs");
    assert_string_equal(runs, "2024-08|2024-08-15");
    tu_free(runs);
    assert_true(tu_close(saved_value(db, "revenue", "2024-08"),
                         oracle_revenue("to_date", "2024-08-01", "2024-08-15"), TOL));
    char *table = e2e_run_ok("history '%s' revenue", rules);
    assert_contains(table, "2024-08 (to 2024-08-15)");
    tu_free(table);
    tu_free(e2e_run_ok("run '%s' --period 2024-08", rules));
    tu_free(e2e_run_ok("run '%s' --as-of 2024-08-20", rules)); /* a later run to date */
    char *json = e2e_run_ok("history '%s' revenue --format json", rules);
    const char *pt =
        e2e_element(e2e_member(e2e_element(e2e_member(json, "kpis"), 0), "history"), 0);
    assert_true(tu_close(e2e_number(pt, "value"),
                         oracle_revenue("to_date", "2024-08-01", "2024-08-31"), TOL));
    assert_true(e2e_is_null(e2e_member(pt, "as_of")));
    tu_free(json);
    json = e2e_run_ok("run '%s' --period 2024-09 --format json --no-save", rules);
    const char *k = e2e_with(e2e_member(json, "kpis"), "id", "revenue");
    assert_true(tu_close(e2e_number(k, "previous"),
                         oracle_revenue("to_date", "2024-08-01", "2024-08-31"), TOL));
    tu_free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_saves_each_run_in_the_store_beside_the_rule_set),
        cmocka_unit_test(test_run_no_save_writes_nothing_and_db_saves_elsewhere),
        cmocka_unit_test(test_run_previous_comes_from_the_store_when_it_has_it),
        cmocka_unit_test(test_run_failed_save_exits_4_without_a_report),
        cmocka_unit_test(test_two_runs_at_once_both_land),
        cmocka_unit_test(test_run_killed_while_saving_leaves_whole_runs),
        cmocka_unit_test(test_history_matches_what_was_saved),
        cmocka_unit_test(test_history_table_has_a_sparkline_and_last_n),
        cmocka_unit_test(test_history_bad_input_is_reported),
        cmocka_unit_test(test_run_to_date_is_saved_and_gives_way_to_the_whole_period),
    };
    return cmocka_run_group_tests_name("e2e_history", tests, NULL, NULL);
}
