/*
** e2e_store_kill.c -- the results store survives a `kpiengine run` killed at every step
** of a save, and several runs writing at once all land (DESIGN section 5).
**
** The kills are deterministic: KPI_STORE_KILL_AT=k makes kpiengine kill itself with
** SIGKILL just before its k-th step that writes the store (see engine/out/store.c), and
** k goes 1, 2, ... until a run gets through. After every kill the store must open
** (sqlite3 and `kpiengine history`), pass PRAGMA integrity_check, hold every run that
** completed before, unchanged, and no part of the killed one. What the store holds is
** read with sqlite3, never through the engine.
*/
#define _POSIX_C_SOURCE 200809L
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

#define ENGINE   KPI_BINARY_DIR "/kpiengine"
#define NKPIS    6
#define MAX_KILL 200 /* far more steps than a save of NKPIS results takes */

static const char rules_text[] =
    "ruleset { name = \"Kill test\", currency = \"VND\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"orders.csv\", time = \"date\" }\n"
    "source \"campaigns\" { csv = \"campaigns.csv\" }\n"
    "for i = 1, 6 do\n"
    "  kpi(\"k\" .. i) { better = \"higher\", minimum = 10 * i, target = 20 * i,\n"
    "    value = function(p) return orders:during(p):count() + i end,\n"
    "    breakdown = function(p) return orders:during(p):by \"channel\":sum \"amount\" end }\n"
    "end\n"
    "review \"campaigns\" { campaigns = \"campaigns\", before = 7, after = 7 }\n";

static const char campaigns_csv[] = "name,start,end\n"
                                    "Summer,2024-06-01,2024-06-20\n"
                                    "Autumn,2024-08-10,2024-08-31\n";

/* orders.csv, 2024-05-01 .. 2024-09-30: day d has 1 + d % 3 orders on two channels. */
static void write_orders(const char *path)
{
    static const int lengths[] = {31, 30, 31, 31, 30};
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot write %s", path);
    fputs("date,channel,amount\n", f);
    for (int m = 0, d = 0; m < 5; m++)
        for (int day = 1; day <= lengths[m]; day++, d++)
            for (int k = 0; k < 1 + d % 3; k++)
                fprintf(f, "2024-%02d-%02d,%s,%d\n", 5 + m, day, k % 2 ? "web" : "shop",
                        100 + (d * 37 + k * 11) % 900);
    fclose(f);
}

/* A fresh folder with the rule set and its data; returns the rule set's path. */
static const char *setup(const char *name)
{
    e2e_make_folder(name);
    write_orders(e2e_path_in(name, "orders.csv"));
    e2e_write_text(e2e_path_in(name, "campaigns.csv"), campaigns_csv);
    e2e_write_text(e2e_path_in(name, "rules.lua"), rules_text);
    return e2e_path_in(name, "rules.lua");
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Every saved value, run by run: what a later kill must leave exactly as it is. */
static char *snapshot(const char *db)
{
    return tu_oracle_text(db, NULL,
                          "SELECT r.id || ' ' || r.period_label || ' ' || coalesce(r.review, '-')"
                          " || ': ' || group_concat(s.kpi || '=' || coalesce(s.value, 'null')"
                          " || coalesce(s.breakdown, ''), ' ')"
                          " FROM runs r JOIN results s ON s.run_id = r.id"
                          " GROUP BY r.id ORDER BY r.id");
}

/* Whether db has the store's tables yet (a store killed while set up may not). */
static int has_tables(const char *db)
{
    return exists(db) &&
           tu_oracle(db, NULL, "SELECT count(*) FROM sqlite_schema WHERE name = 'runs'") == 1;
}

/* The runs the store holds, whole or not. */
static int count_runs(const char *db)
{
    return has_tables(db) ? (int)tu_oracle(db, NULL, "SELECT count(*) FROM runs") : 0;
}

/*
** The store at db after a kill: it opens, it is intact, it holds `runs` whole runs and
** nothing else, and what it held before (`before`, a snapshot) is still there as it was.
*/
static void check_store(const char *rules, const char *db, int runs, const char *before, int k)
{
    if (!has_tables(db)) {
        if (runs) fail_msg("kill at step %d: the store lost its tables", k);
        if (exists(db)) {
            char *ok = tu_oracle_text(db, NULL, "PRAGMA integrity_check");
            if (strcmp(ok, "ok") != 0) fail_msg("kill at step %d: the new store: %s", k, ok);
            tu_free(ok);
        }
        return;
    }
    char sql[600];
    snprintf(sql, sizeof sql,
             "PRAGMA integrity_check; PRAGMA foreign_key_check;"
             " SELECT count(*) FROM runs;"
             " SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM results"
             " WHERE run_id = r.id) <> %d;"
             " SELECT count(*) FROM results WHERE run_id NOT IN (SELECT id FROM runs)",
             NKPIS);
    char *got = tu_oracle_text(db, NULL, sql), want[64];
    snprintf(want, sizeof want, "ok\n%d\n0\n0", runs);
    if (strcmp(got, want) != 0) fail_msg("kill at step %d: the store holds\n%s", k, got);
    tu_free(got);
    if (runs == 0) return;
    got = snapshot(db);
    size_t n = strlen(before);
    if (n && (strncmp(got, before, n) != 0 || (got[n] != '\0' && got[n] != '\n')))
        fail_msg("kill at step %d: the earlier runs became\n%s\nnot\n%s", k, got, before);
    tu_free(got);
    char cmd[2000], *err;
    snprintf(cmd, sizeof cmd, "'%s' history '%s' --db '%s' >/dev/null", ENGINE, rules, db);
    if (tu_run(cmd, NULL, &err) != 0) fail_msg("kill at step %d: history fails: %s", k, err);
    tu_free(err);
}

/*
** Run `args` killed at step 1, 2, ... until its save completes (the last kill point is
** just after COMMIT, so that run is killed too, with its save done); after each kill the
** store must be as check_store says. *runs counts the whole runs saved; one completed run
** adds `adds` of them. Returns the step at which the save was complete.
*/
static int kill_at_every_step(const char *rules, const char *db, const char *args, int *runs,
                              int adds)
{
    char *before = *runs ? snapshot(db) : NULL;
    for (int k = 1; k <= MAX_KILL; k++) {
        char cmd[3000], *err;
        snprintf(cmd, sizeof cmd,
                 "KPI_STORE_KILL_AT=%d NO_COLOR= '%s' run '%s' --db '%s' %s >/dev/null & wait $!",
                 k, ENGINE, rules, db, args);
        int rc = tu_run(cmd, NULL, &err);
        if (rc != 0 && rc != 128 + 9) fail_msg("kill at step %d: exit %d: %s", k, rc, err);
        tu_free(err);
        /* killed after its last COMMIT (the last step), the run is saved; before, it is not */
        int saved = rc == 0 || count_runs(db) > *runs;
        if (rc == 0 && count_runs(db) != *runs + adds)
            fail_msg("step %d: the run completed but the store holds %d runs", k, count_runs(db));
        if (saved) *runs += adds;
        check_store(rules, db, *runs, before ? before : "", k);
        if (saved) {
            tu_free(before);
            return k;
        }
    }
    fail_msg("the run was still killed at step %d", MAX_KILL);
    return 0;
}

static void test_new_store_survives_a_kill_at_every_step(void **state)
{
    (void)state;
    const char *rules = setup("fresh");
    const char *db = e2e_path_in("fresh", "store/results.db");
    int runs = 0;
    /* the first run also creates the folder, the file and the schema */
    int steps = kill_at_every_step(rules, db, "--period 2024-06", &runs, 1);
    /* the kills up to the schema's COMMIT hit the set-up; once the schema is there a run
       goes WAL, setup, BEGIN, one run, NKPIS results, COMMIT, after */
    assert_true(steps >= NKPIS + 5);
    assert_int_equal(runs, 1);
}

static void test_store_with_runs_survives_a_kill_at_every_step(void **state)
{
    (void)state;
    const char *rules = setup("kept");
    const char *db = e2e_path_in("kept", "results.db");
    int runs = 0;
    tu_free(e2e_run_ok("run '%s' --db '%s' --period 2024-05", rules, db));
    tu_free(e2e_run_ok("run '%s' --db '%s' --period 2024-06", rules, db));
    runs = 2;
    int steps = kill_at_every_step(rules, db, "--period 2024-07", &runs, 1);
    assert_true(steps >= NKPIS + 5); /* WAL, setup, BEGIN, one run, NKPIS results, COMMIT, after */
    kill_at_every_step(rules, db, "--period 2024-07", &runs, 1); /* a rerun of a period */
    assert_int_equal(runs, 4);
    assert_true(tu_oracle(db, NULL, "SELECT count(*) FROM runs WHERE period_label = '2024-07'") ==
                2);
}

/* A campaigns review saves every window of every campaign in one transaction. */
static void test_campaign_review_windows_land_all_or_none(void **state)
{
    (void)state;
    const char *rules = setup("campaigns");
    const char *db = e2e_path_in("campaigns", "results.db");
    int runs = 0;
    tu_free(e2e_run_ok("run '%s' --db '%s' --period 2024-05", rules, db));
    runs = 1;
    /* two campaigns, each before, during and after: six reports */
    int steps = kill_at_every_step(rules, db, "--review campaigns --as-of 2024-09-30", &runs, 6);
    assert_true(steps >= 6 * (NKPIS + 1) + 5);
    assert_int_equal(runs, 7);
    assert_true(tu_oracle(db, NULL, "SELECT count(*) FROM runs WHERE review = 'campaigns'") == 6);
}

/* n runs of different periods at once on db; all must exit 0. */
static void run_together(const char *rules, const char *db, int n, const char *extra_env)
{
    char cmd[6000] = "";
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len +=
            (size_t)snprintf(cmd + len, sizeof cmd - len,
                             "NO_COLOR= '%s' run '%s' --period 2024-%02d --db '%s' >/dev/null & ",
                             ENGINE, rules, 5 + i % 4, db);
    if (extra_env)
        len += (size_t)snprintf(cmd + len, sizeof cmd - len,
                                "%s '%s' run '%s' --period 2024-09 --db '%s' >/dev/null 2>&1 & ",
                                extra_env, ENGINE, rules, db);
    snprintf(cmd + len, sizeof cmd - len,
             "fails=0; for i in $(seq %d); do wait %%$i || fails=$((fails + 1)); done; wait; exit "
             "$fails",
             n);
    char *err;
    int rc = tu_run(cmd, NULL, &err);
    if (rc != 0) fail_msg("%d of %d runs at once failed: %s", rc, n, err);
    tu_free(err);
}

static void test_concurrent_writers_all_land(void **state)
{
    (void)state;
    const char *rules = setup("together");
    for (int round = 0; round < 3; round++) {
        char db[600], want[64];
        snprintf(db, sizeof db, "%s/together/r%d.db", tu_tmpdir(), round);
        /* no store yet: the four runs also race to create it; then four more on it */
        run_together(rules, db, 4, NULL);
        run_together(rules, db, 4, NULL);
        char *got = tu_oracle_text(db, NULL,
                                   "PRAGMA integrity_check; SELECT count(*) FROM runs;"
                                   " SELECT count(*) FROM results;"
                                   " SELECT count(DISTINCT period_label) FROM runs");
        snprintf(want, sizeof want, "ok\n8\n%d\n4", 8 * NKPIS);
        if (strcmp(got, want) != 0) fail_msg("round %d: the store holds\n%s", round, got);
        tu_free(got);
    }
}

/* A writer killed while it holds the write lock does not keep the others out. */
static void test_writer_killed_holding_the_lock_leaves_the_others_to_land(void **state)
{
    (void)state;
    const char *rules = setup("lockkill");
    const char *db = e2e_path_in("lockkill", "results.db");
    tu_free(e2e_run_ok("run '%s' --db '%s' --period 2024-05", rules, db));
    for (int k = 4; k <= 7; k++) {
        char env[64];
        /* steps 4..7 of a run on an existing store fall between its BEGIN and COMMIT */
        snprintf(env, sizeof env, "KPI_STORE_KILL_AT=%d", k);
        run_together(rules, db, 3, env);
    }
    char *got = tu_oracle_text(db, NULL,
                               "PRAGMA integrity_check; SELECT count(*) FROM runs;"
                               " SELECT count(*) FROM runs WHERE period_label = '2024-09';"
                               " SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM results"
                               " WHERE run_id = r.id) <> 6");
    assert_string_equal(got, "ok\n13\n0\n0");
    tu_free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_store_survives_a_kill_at_every_step),
        cmocka_unit_test(test_store_with_runs_survives_a_kill_at_every_step),
        cmocka_unit_test(test_campaign_review_windows_land_all_or_none),
        cmocka_unit_test(test_concurrent_writers_all_land),
        cmocka_unit_test(test_writer_killed_holding_the_lock_leaves_the_others_to_land),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
