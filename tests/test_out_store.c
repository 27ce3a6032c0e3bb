/*
** test_out_store.c -- the results store: schema, saving a run, history, previous
** values, and what a killed or concurrent run leaves behind.
**
** The sqlite3 shell reads the same database file as the oracle: what was saved is
** checked with its queries, never by reading it back through the store. Expected
** values are the ones put into the hand-built reports; SHA-256 digests come from
** `sha256sum`. Processes that save run in forked children, which open their own
** connection (a SQLite connection must not cross a fork).
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "model/report.h"
#include "out/store.h"
#include "testutil.h"

/* ---- fixtures ------------------------------------------------------------- */

/* A fresh "<tmp>/<name>/.kpiengine/results.db"; <tmp>/<name> exists, .kpiengine does not. */
static const char *fresh_db(const char *name)
{
    static char path[8][512];
    static int next;
    char *p = path[next++ & 7];
    snprintf(p, 512, "%s/%s", tu_tmpdir(), name);
    if (mkdir(p, 0777) != 0) fail_msg("mkdir %s: %s", p, strerror(errno));
    snprintf(p, 512, "%s/%s/.kpiengine/results.db", tu_tmpdir(), name);
    return p;
}

static void fill_kpi(kpi_result *k, const char *id, kpi_better better, double value, double minimum,
                     double target)
{
    memset(k, 0, sizeof *k);
    k->id = id ? kpi_strdup(id) : NULL;
    k->title = kpi_strdup(id ? id : "");
    k->unit = kpi_strdup("VND");
    k->owner = kpi_strdup("");
    k->review = kpi_strdup("");
    k->file = kpi_strdup("kpis/retail.lua");
    k->better = better;
    k->minimum = minimum;
    k->target = target;
    k->has_value = 1;
    k->value = value;
    k->status = status_grade(better, minimum, target, 1, value);
}

static kpi_result *add_kpi(report *r, const char *id, kpi_better better, double value,
                           double minimum, double target)
{
    r->kpis = kpi_realloc(r->kpis, (r->nkpis + 1) * sizeof *r->kpis);
    assert_non_null(r->kpis);
    kpi_result *k = &r->kpis[r->nkpis++];
    fill_kpi(k, id, better, value, minimum, target);
    return k;
}

static breakdown_item *add_item(kpi_result *k, const char *key, int has, double value,
                                kpi_status status)
{
    k->items = kpi_realloc(k->items, (k->nitems + 1) * sizeof *k->items);
    assert_non_null(k->items);
    breakdown_item *it = &k->items[k->nitems++];
    it->key = kpi_strdup(key);
    it->has_value = has;
    it->value = value;
    it->status = status;
    it->graded = 1;
    return it;
}

static void start_report(report *r, const char *ruleset, const char *label)
{
    kpi_error err;
    memset(r, 0, sizeof *r);
    r->ruleset = kpi_strdup(ruleset);
    r->file = kpi_strdup("kpis/retail.lua");
    r->currency = kpi_strdup("VND");
    r->locale = kpi_strdup("vi");
    assert_int_equal(period_parse(label, &r->period, &err), 0);
}

/* A report of revenue (higher is better) then cac (lower is better): not alphabetical. */
static void two_kpi_report(report *r, const char *ruleset, const char *label, double revenue,
                           double cac)
{
    start_report(r, ruleset, label);
    add_kpi(r, "revenue", BETTER_HIGHER, revenue, 900, 1200);
    add_kpi(r, "cac", BETTER_LOWER, cac, 250000, 180000);
}

static long long save(const char *db, const report *r, const store_run_info *info)
{
    kpi_error err;
    long long id = -1;
    store *s = store_open(db, &err);
    if (!s) fail_msg("store_open: %s", err.message);
    if (store_save_run(s, r, info, &id, &err) != 0) fail_msg("store_save_run: %s", err.message);
    store_close(s);
    return id;
}

static void save_two(const char *db, const char *ruleset, const char *label, double revenue,
                     double cac)
{
    report r;
    two_kpi_report(&r, ruleset, label, revenue, cac);
    save(db, &r, NULL);
    report_free(&r);
}

static void assert_oracle_text(const char *db, const char *sql, const char *expected)
{
    char *got = tu_oracle_text(db, NULL, sql);
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "SQL: %s\nexpected:\n%s\ngot:\n%s\n", sql, expected, got);
        tu_free(got);
        fail();
    }
    tu_free(got);
}

static void assert_store_error(const kpi_error *err, kpi_error_kind kind, const char *file,
                               const char *message)
{
    assert_int_equal(err->kind, kind);
    assert_string_equal(err->file, file);
    assert_int_equal(err->line, 0);
    assert_int_equal(err->column, 0);
    if (!strstr(err->message, message)) fail_msg("'%s' not in '%s'", message, err->message);
}

/* ---- opening ---------------------------------------------------------------- */

static void test_store_open_creates_folder_and_schema(void **state)
{
    (void)state;
    const char *db = fresh_db("creates");
    kpi_error err;
    store *s = store_open(db, &err);
    assert_non_null(s);
    assert_string_equal(store_path(s), db);
    store_close(s);
    assert_oracle_text(db, "PRAGMA user_version", "2");
    assert_oracle_text(db, "PRAGMA application_id", "1263552837");
    assert_oracle_text(db, "PRAGMA journal_mode", "wal");
    assert_oracle_text(db,
                       "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' "
                       "ORDER BY name",
                       "table|results\nindex|results_kpi_period\ntable|runs\n"
                       "index|runs_ruleset_period");
    assert_oracle_text(db, "SELECT group_concat(name) FROM pragma_index_info('results_kpi_period')",
                       "kpi,period_label");
}

static void test_store_open_makes_only_one_folder_level(void **state)
{
    (void)state;
    char db[512];
    snprintf(db, sizeof db, "%s/missing/deeper/results.db", tu_tmpdir());
    kpi_error err;
    assert_null(store_open(db, &err));
    assert_store_error(&err, KPI_EIO, db, "cannot create folder");
    assert_non_null(strstr(err.message, "No such file or directory"));
}

static void test_store_open_text_file_is_not_a_database(void **state)
{
    (void)state;
    const char *text = "date,amount\n2024-08-01,100\n2024-08-02,250\n2024-08-03,75\n"
                       "2024-08-04,300\n2024-08-05,125\n";
    const char *db = tu_write_file("orders_not_db.csv", text, (size_t)-1);
    kpi_error err;
    assert_null(store_open(db, &err));
    assert_store_error(&err, KPI_EDATA, db,
                       "not a results store: the file is not a SQLite database");
    /* the file is left as it was */
    FILE *f = fopen(db, "rb");
    char buf[256] = {0};
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof buf - 1, f), strlen(text));
    fclose(f);
    assert_string_equal(buf, text);
}

static void test_store_open_other_programs_database_is_refused(void **state)
{
    (void)state;
    const char *db = fresh_db("foreign");
    char *dir = kpi_strndup(db, strlen(db) - strlen("/results.db"));
    mkdir(dir, 0777);
    kpi_free(dir);
    tu_free(tu_oracle_text(db, NULL, "CREATE TABLE customers(id, name); SELECT 1"));
    kpi_error err;
    assert_null(store_open(db, &err));
    assert_store_error(&err, KPI_EDATA, db, "not a results store: a SQLite database of another");
    assert_oracle_text(db, "PRAGMA journal_mode", "delete"); /* not switched to WAL */
    assert_oracle_text(db, "SELECT count(*) FROM sqlite_schema", "1");
}

static void test_store_open_newer_schema_is_refused(void **state)
{
    (void)state;
    const char *db = fresh_db("newer");
    kpi_error err;
    store_close(store_open(db, &err));
    tu_free(tu_oracle_text(db, NULL, "PRAGMA user_version = 7; SELECT 1"));
    assert_null(store_open(db, &err));
    assert_store_error(&err, KPI_EDATA, db, "written by a newer kpiengine (schema 7;");
}

static void test_store_open_existing_never_creates(void **state)
{
    (void)state;
    const char *db = fresh_db("existing");
    kpi_error err;
    struct stat st;
    assert_null(store_open_existing(db, &err));
    assert_store_error(&err, KPI_EIO, db, "no results store at");
    assert_int_not_equal(stat(db, &st), 0);
    store_close(store_open(db, &err));
    store *s = store_open_existing(db, &err);
    assert_non_null(s);
    store_close(s);
}

static void test_store_reopen_keeps_runs_and_counts_on(void **state)
{
    (void)state;
    const char *db = fresh_db("reopen");
    report r;
    two_kpi_report(&r, "Retail", "2024-08", 1000, 200000);
    assert_int_equal(save(db, &r, NULL), 1);
    assert_int_equal(save(db, &r, NULL), 2);
    report_free(&r);
    assert_oracle_text(db, "SELECT count(*) FROM runs; SELECT count(*) FROM results", "2\n4");
}

/* ---- saving ------------------------------------------------------------------- */

static void test_store_save_run_reads_back_with_sqlite3(void **state)
{
    (void)state;
    const char *db = fresh_db("readback");
    report r;
    start_report(&r, "Retail – ABC", "2024-08");
    kpi_result *k = add_kpi(&r, "revenue", BETTER_HIGHER, 1200.5, 900, 1200);
    kpi_free(k->title);
    k->title = kpi_strdup("Doanh thu bán hàng");
    add_kpi(&r, "cac", BETTER_LOWER, 200000, 250000, 180000);
    store_run_info info = {"ab12", "2024-09-01T08:30:00Z", "0.1.0", "monthly"};
    assert_int_equal(save(db, &r, &info), 1);
    report_free(&r);
    assert_oracle_text(db,
                       "SELECT id, ruleset, file, file_hash, currency, period_grain, period_label,"
                       " period_start, period_end, started, engine_version, review FROM runs",
                       "1|Retail – ABC|kpis/retail.lua|ab12|VND|month|2024-08|2024-08-01|"
                       "2024-08-31|2024-09-01T08:30:00Z|0.1.0|monthly");
    assert_oracle_text(db,
                       "SELECT run_id, kpi, position, title, unit, better, period_label, value,"
                       " minimum, target, status, reason IS NULL, breakdown IS NULL"
                       " FROM results ORDER BY position",
                       "1|revenue|1|Doanh thu bán hàng|VND|higher|2024-08|1200.5|900.0|1200.0|"
                       "met_target|1|1\n"
                       "1|cac|2|cac|VND|lower|2024-08|200000.0|250000.0|180000.0|met_minimum|1|1");
}

static void test_store_save_run_defaults_started_and_version(void **state)
{
    (void)state;
    const char *db = fresh_db("defaults");
    report r;
    two_kpi_report(&r, "Retail", "2024-W35", 1000, 200000);
    time_t before = time(NULL);
    save(db, &r, NULL);
    time_t after = time(NULL);
    report_free(&r);
    assert_oracle_text(db,
                       "SELECT file_hash IS NULL, review IS NULL, period_grain, period_start,"
                       " period_end, length(started), started GLOB "
                       "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z',"
                       " engine_version <> '' FROM runs",
                       "1|1|week|2024-08-26|2024-09-01|20|1|1");
    double started = tu_oracle(db, NULL, "SELECT unixepoch(started) FROM runs");
    assert_true(started >= (double)before && started <= (double)after);
}

static void test_store_save_no_data_and_unset_levels_are_null(void **state)
{
    (void)state;
    const char *db = fresh_db("nulls");
    report r;
    start_report(&r, "Retail", "2024-08");
    kpi_result *k = add_kpi(&r, "margin", BETTER_HIGHER, 0, 0.2, NAN);
    k->has_value = 0;
    k->status = STATUS_NO_DATA;
    k->reason = kpi_strdup("division by zero: revenue is 0");
    k = add_kpi(&r, "ratio", BETTER_HIGHER, INFINITY, NAN, 1);
    k->status = STATUS_MET_TARGET; /* a non-finite value is no data whatever it says */
    save(db, &r, NULL);
    report_free(&r);
    assert_oracle_text(db,
                       "SELECT kpi, value IS NULL, minimum, target IS NULL, status, reason"
                       " FROM results ORDER BY position",
                       "margin|1|0.2|1|no_data|division by zero: revenue is 0\n"
                       "ratio|1||0|no_data|");
}

static void test_store_save_breakdown_is_json_array(void **state)
{
    (void)state;
    const char *db = fresh_db("breakdown");
    report r;
    two_kpi_report(&r, "Retail", "2024-08", 1000, 200000);
    add_item(&r.kpis[1], "Mạng xã hội \"VIP\"", 1, 150000, STATUS_MET_TARGET);
    add_item(&r.kpis[1], "search", 0, 0, STATUS_NO_DATA);
    add_item(&r.kpis[1], "tv", 1, 260000.25, STATUS_BELOW_MINIMUM);
    add_item(&r.kpis[0], "web", 1, 700, STATUS_NO_DATA)->graded = 0; /* a part of a sum */
    save(db, &r, NULL);
    report_free(&r);
    assert_oracle_text(db,
                       "SELECT kpi, breakdown IS NULL, coalesce(json_valid(breakdown), 0),"
                       " json_array_length(breakdown) FROM results ORDER BY position",
                       "revenue|0|1|1\ncac|0|1|3");
    assert_oracle_text(db,
                       "SELECT j.value ->> 'key', j.value ->> 'value', j.value ->> 'status'"
                       " FROM results, json_each(results.breakdown) j WHERE kpi = 'cac'"
                       " ORDER BY j.key",
                       "Mạng xã hội \"VIP\"|150000|met_target\nsearch||no_data\n"
                       "tv|260000.25|below_minimum");
    assert_oracle_text(db, "SELECT breakdown FROM results WHERE kpi = 'revenue'",
                       "[{\"key\": \"web\", \"value\": 700, \"status\": null}]");
}

static void assert_save_fails_and_leaves_store(const char *db, report *r, const char *message)
{
    kpi_error err;
    store *s = store_open(db, &err);
    assert_non_null(s);
    long long id = -1;
    assert_int_equal(store_save_run(s, r, NULL, &id, &err), -1);
    assert_store_error(&err, KPI_EDATA, db, message);
    assert_int_equal(id, -1);
    report_free(r);
    two_kpi_report(r, "Retail", "2024-09", 1000, 200000); /* the store still takes runs */
    assert_int_equal(store_save_run(s, r, NULL, &id, &err), 0);
    report_free(r);
    store_close(s);
    assert_oracle_text(db, "SELECT group_concat(period_label) FROM runs", "2024-07,2024-09");
    assert_oracle_text(db, "SELECT count(*), count(DISTINCT run_id) FROM results", "4|2");
    assert_oracle_text(db, "PRAGMA integrity_check", "ok");
}

static void test_store_save_duplicate_kpi_rolls_back_the_run(void **state)
{
    (void)state;
    const char *db = fresh_db("duplicate");
    save_two(db, "Retail", "2024-07", 1000, 200000);
    report r;
    two_kpi_report(&r, "Retail", "2024-08", 1000, 200000);
    add_kpi(&r, "orders", BETTER_HIGHER, 5, 1, 2);
    add_kpi(&r, "revenue", BETTER_HIGHER, 5, 1, 2);
    assert_save_fails_and_leaves_store(db, &r,
                                       "cannot save the run: KPI \"revenue\" appears twice");
}

static void test_store_save_kpi_without_id_rolls_back_the_run(void **state)
{
    (void)state;
    const char *db = fresh_db("noid");
    save_two(db, "Retail", "2024-07", 1000, 200000);
    report r;
    two_kpi_report(&r, "Retail", "2024-08", 1000, 200000);
    add_kpi(&r, NULL, BETTER_HIGHER, 5, 1, 2);
    assert_save_fails_and_leaves_store(db, &r, "cannot save the run: NOT NULL constraint failed");
}

/* ---- history and previous ------------------------------------------------------ */

typedef struct seen_row {
    char kpi[32], grain[16], label[32], start[16], end[16], reason[64];
    int has_value;
    double value, minimum;
    kpi_better better;
    kpi_status status;
    long long run_id;
    char as_of[16];
} seen_row;

typedef struct seen {
    seen_row rows[32];
    int n;
    int stop_after; /* 0: never stop */
} seen;

static int collect(const store_history_row *row, void *ud)
{
    seen *s = ud;
    assert_true(s->n < 32);
    seen_row *out = &s->rows[s->n++];
    snprintf(out->kpi, sizeof out->kpi, "%s", row->kpi);
    snprintf(out->grain, sizeof out->grain, "%s", row->period_grain);
    snprintf(out->label, sizeof out->label, "%s", row->period_label);
    snprintf(out->start, sizeof out->start, "%s", row->period_start);
    snprintf(out->end, sizeof out->end, "%s", row->period_end);
    snprintf(out->reason, sizeof out->reason, "%s", row->reason ? row->reason : "-");
    out->has_value = row->has_value;
    out->value = row->value;
    out->minimum = row->minimum;
    out->better = row->better;
    out->status = row->status;
    out->run_id = row->run_id;
    snprintf(out->as_of, sizeof out->as_of, "%s", row->as_of ? row->as_of : "-");
    return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

/* The rows as "kpi@label=value" joined by spaces, for one comparison per test. */
static const char *seen_text(const seen *s)
{
    static char text[1024];
    size_t len = 0;
    text[0] = '\0';
    for (int i = 0; i < s->n; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s@%s=%g", i ? " " : "",
                                s->rows[i].kpi, s->rows[i].label, s->rows[i].value);
    return text;
}

static store *open_ok(const char *db)
{
    kpi_error err;
    store *s = store_open(db, &err);
    if (!s) fail_msg("store_open: %s", err.message);
    return s;
}

static void test_store_history_orders_by_period_start_in_ruleset_order(void **state)
{
    (void)state;
    const char *db = fresh_db("order");
    save_two(db, "Retail", "2024-03", 3, 30);
    save_two(db, "Retail", "2024-01", 1, 10);
    save_two(db, "Retail", "2023-12", 12, 120);
    save_two(db, "Retail", "2024-02", 2, 20);
    store *s = open_ok(db);
    seen got = {0};
    kpi_error err;
    assert_int_equal(store_history(s, "Retail", NULL, 0, collect, &got, &err), 0);
    store_close(s);
    assert_string_equal(seen_text(&got), "revenue@2023-12=12 revenue@2024-01=1 revenue@2024-02=2 "
                                         "revenue@2024-03=3 cac@2023-12=120 cac@2024-01=10 "
                                         "cac@2024-02=20 cac@2024-03=30");
    assert_string_equal(got.rows[0].grain, "month");
    assert_string_equal(got.rows[0].start, "2023-12-01");
    assert_string_equal(got.rows[0].end, "2023-12-31");
    assert_int_equal(got.rows[4].better, BETTER_LOWER);
    assert_int_equal(got.rows[0].status, STATUS_BELOW_MINIMUM);
    assert_int_equal(got.rows[4].status, STATUS_MET_TARGET);
}

static void test_store_history_latest_run_of_a_period_wins(void **state)
{
    (void)state;
    const char *db = fresh_db("latest");
    save_two(db, "Retail", "2024-01", 1, 10);
    save_two(db, "Retail", "2024-02", 2, 20);
    save_two(db, "Retail", "2024-01", 1000, 190000);
    store *s = open_ok(db);
    seen got = {0};
    kpi_error err;
    assert_int_equal(store_history(s, "Retail", "revenue", 0, collect, &got, &err), 0);
    store_close(s);
    assert_string_equal(seen_text(&got), "revenue@2024-01=1000 revenue@2024-02=2");
    assert_int_equal(got.rows[0].run_id, 3);
    assert_int_equal(got.rows[0].status, STATUS_MET_MINIMUM);
    assert_int_equal(got.rows[1].run_id, 2);
}

static void test_store_history_last_n_kpi_and_ruleset_filters(void **state)
{
    (void)state;
    const char *db = fresh_db("filters");
    const char *months[] = {"2024-01", "2024-02", "2024-03", "2024-04", "2024-05"};
    for (int i = 0; i < 5; i++)
        save_two(db, "Retail", months[i], i + 1, (i + 1) * 10);
    save_two(db, "B2B", "2024-06", 99, 990);
    save_two(db, "Retail", "2024-Q1", 6, 60);
    store *s = open_ok(db);
    kpi_error err;
    seen got = {0};
    assert_int_equal(store_history(s, "Retail", "cac", 2, collect, &got, &err), 0);
    assert_string_equal(seen_text(&got), "cac@2024-04=40 cac@2024-05=50 cac@2024-Q1=60");
    memset(&got, 0, sizeof got);
    assert_int_equal(store_history(s, "B2B", NULL, 0, collect, &got, &err), 0);
    assert_string_equal(seen_text(&got), "revenue@2024-06=99 cac@2024-06=990");
    memset(&got, 0, sizeof got);
    assert_int_equal(store_history(s, "Nobody", NULL, 0, collect, &got, &err), 0);
    assert_int_equal(store_history(s, "Retail", "nothing", 0, collect, &got, &err), 0);
    assert_int_equal(got.n, 0);
    store_close(s);
}

static void test_store_history_callback_stops_the_walk(void **state)
{
    (void)state;
    const char *db = fresh_db("stop");
    save_two(db, "Retail", "2024-01", 1, 10);
    save_two(db, "Retail", "2024-02", 2, 20);
    store *s = open_ok(db);
    seen got = {.stop_after = 3};
    kpi_error err;
    assert_int_equal(store_history(s, "Retail", NULL, 0, collect, &got, &err), 7);
    assert_int_equal(got.n, 3);
    store_close(s);
}

static void test_store_history_gives_no_data_with_reason(void **state)
{
    (void)state;
    const char *db = fresh_db("nodata");
    report r;
    start_report(&r, "Retail", "2024-08");
    kpi_result *k = add_kpi(&r, "margin", BETTER_HIGHER, 0, NAN, 0.3);
    k->has_value = 0;
    k->status = STATUS_NO_DATA;
    k->reason = kpi_strdup("no orders in 2024-08");
    save(db, &r, NULL);
    report_free(&r);
    store *s = open_ok(db);
    seen got = {0};
    kpi_error err;
    assert_int_equal(store_history(s, "Retail", NULL, 0, collect, &got, &err), 0);
    store_close(s);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.rows[0].has_value, 0);
    assert_true(isnan(got.rows[0].minimum));
    assert_int_equal(got.rows[0].status, STATUS_NO_DATA);
    assert_string_equal(got.rows[0].reason, "no orders in 2024-08");
}

static void previous_of(store *s, const char *ruleset, const char *kpi, const char *label,
                        int expect_has, double expect_value)
{
    kpi_error err;
    period p;
    double value = -1;
    int has = -1;
    assert_int_equal(period_parse(label, &p, &err), 0);
    assert_int_equal(store_previous(s, ruleset, kpi, &p, &value, &has, &err), 0);
    assert_int_equal(has, expect_has);
    if (expect_has) assert_true(value == expect_value);
}

static void test_store_previous_is_the_latest_run_of_the_period_before(void **state)
{
    (void)state;
    const char *db = fresh_db("previous");
    save_two(db, "Retail", "2024-07", 5, 50);
    save_two(db, "Retail", "2024-07", 6, 60);
    save_two(db, "Retail", "2024-08", 7, 70);
    save_two(db, "Retail", "2023-W52", 52, 520);
    save_two(db, "Retail", "2024-08-01..2024-08-10", 10, 100);
    save_two(db, "Other", "2024-09", 9, 90);
    store *s = open_ok(db);
    previous_of(s, "Retail", "revenue", "2024-08", 1, 6);
    previous_of(s, "Retail", "cac", "2024-09", 1, 70);
    previous_of(s, "Retail", "revenue", "2024-07", 0, 0);   /* 2024-06 never ran */
    previous_of(s, "Retail", "revenue", "2024-Q3", 0, 0);   /* no quarter ran */
    previous_of(s, "Retail", "orders", "2024-08", 0, 0);    /* no such KPI */
    previous_of(s, "Other", "revenue", "2024-10", 1, 9);    /* rule sets kept apart */
    previous_of(s, "Retail", "revenue", "2024-W01", 1, 52); /* across the year */
    previous_of(s, "Retail", "cac", "2024-08-11..2024-08-20", 1, 100);
    store_close(s);
}

static void test_store_previous_without_data_has_none(void **state)
{
    (void)state;
    const char *db = fresh_db("previous_nodata");
    save_two(db, "Retail", "2024-07", 5, 50);
    report r;
    two_kpi_report(&r, "Retail", "2024-07", 0, 50);
    r.kpis[0].has_value = 0; /* the rerun of July had no revenue: it wins */
    save(db, &r, NULL);
    report_free(&r);
    store *s = open_ok(db);
    previous_of(s, "Retail", "revenue", "2024-08", 0, 0);
    previous_of(s, "Retail", "cac", "2024-08", 1, 50);
    store_close(s);
}

static void test_store_fill_previous_sets_previous_and_change(void **state)
{
    (void)state;
    const char *db = fresh_db("fill_previous");
    report r;
    start_report(&r, "Retail", "2024-07");
    add_kpi(&r, "revenue", BETTER_HIGHER, 1000, 900, 1200);
    add_kpi(&r, "cac", BETTER_LOWER, 200000, 250000, 180000);
    add_kpi(&r, "orders", BETTER_HIGHER, 0, 1, 2);
    save(db, &r, NULL);
    report_free(&r);
    start_report(&r, "Retail", "2024-08");
    add_kpi(&r, "revenue", BETTER_HIGHER, 1100, 900, 1200);
    add_kpi(&r, "cac", BETTER_LOWER, 171234.5, 250000, 180000)->has_value = 0;
    add_kpi(&r, "orders", BETTER_HIGHER, 5, 1, 2);
    kpi_result *k = add_kpi(&r, "margin", BETTER_HIGHER, 0.3, 0.1, 0.2);
    k->has_previous = 1; /* computed by the run itself: kept */
    k->previous = 0.25;
    add_kpi(&r, "new_kpi", BETTER_HIGHER, 1, 1, 2);
    store *s = open_ok(db);
    kpi_error err;
    assert_int_equal(store_fill_previous(s, &r, &err), 0);
    store_close(s);
    assert_true(r.kpis[0].has_previous && r.kpis[0].previous == 1000);
    assert_true(r.kpis[0].has_change && tu_close(r.kpis[0].change, 0.1, 1e-12));
    assert_true(r.kpis[1].has_previous && r.kpis[1].previous == 200000);
    assert_false(r.kpis[1].has_change); /* no value this period */
    assert_true(r.kpis[2].has_previous && r.kpis[2].previous == 0);
    assert_false(r.kpis[2].has_change); /* a zero base has no relative change */
    assert_true(r.kpis[3].has_previous && r.kpis[3].previous == 0.25);
    assert_false(r.kpis[3].has_change);
    assert_false(r.kpis[4].has_previous);
    assert_false(r.kpis[4].has_change);
    report_free(&r);
}

static void test_store_fill_previous_prefers_the_saved_value(void **state)
{
    (void)state;
    const char *db = fresh_db("prefers_saved");
    report r;
    start_report(&r, "Retail", "2024-07");
    add_kpi(&r, "margin", BETTER_HIGHER, 0.2, 0.1, 0.3);
    save(db, &r, NULL);
    report_free(&r);
    start_report(&r, "Retail", "2024-08");
    kpi_result *k = add_kpi(&r, "margin", BETTER_HIGHER, 0.3, 0.1, 0.3);
    k->has_previous = 1; /* what the data says today about July */
    k->previous = 0.25;
    k->has_change = 1;
    k->change = 0.2;
    store *s = open_ok(db);
    kpi_error err;
    assert_int_equal(store_fill_previous(s, &r, &err), 0);
    store_close(s);
    assert_true(r.kpis[0].has_previous && r.kpis[0].previous == 0.2); /* what July reported */
    assert_true(r.kpis[0].has_change && tu_close(r.kpis[0].change, 0.5, 1e-12));
    report_free(&r);
}

/* A report of revenue only, for period label, counted up to as_of when as_of is not NULL. */
static void save_revenue(const char *db, const char *label, double revenue, const char *as_of)
{
    report r;
    start_report(&r, "Retail", label);
    add_kpi(&r, "revenue", BETTER_HIGHER, revenue, 900, 1200);
    if (as_of) {
        r.in_progress = r.has_as_of = 1;
        assert_int_equal(date_parse_iso(as_of, strlen(as_of), &r.as_of), 0);
    }
    save(db, &r, NULL);
    report_free(&r);
}

static void test_store_run_in_progress_yields_to_the_whole_period(void **state)
{
    (void)state;
    const char *db = fresh_db("in_progress");
    save_revenue(db, "2024-07", 5, NULL);
    save_revenue(db, "2024-08", 3, "2024-08-15");
    assert_oracle_text(db, "SELECT id, period_label, coalesce(as_of, '-') FROM runs",
                       "1|2024-07|-\n2|2024-08|2024-08-15");
    store *s = open_ok(db);
    seen got = {0};
    kpi_error err;
    assert_int_equal(store_history(s, "Retail", "revenue", 0, collect, &got, &err), 0);
    assert_string_equal(seen_text(&got), "revenue@2024-07=5 revenue@2024-08=3");
    assert_string_equal(got.rows[1].as_of, "2024-08-15");
    assert_string_equal(got.rows[0].as_of, "-");
    previous_of(s, "Retail", "revenue", "2024-09", 0, 0); /* August is not over: no previous */
    store_close(s);
    save_revenue(db, "2024-08", 9, NULL);
    save_revenue(db, "2024-08", 4, "2024-08-20"); /* a later run to date does not replace it */
    s = open_ok(db);
    memset(&got, 0, sizeof got);
    assert_int_equal(store_history(s, "Retail", "revenue", 0, collect, &got, &err), 0);
    assert_string_equal(seen_text(&got), "revenue@2024-07=5 revenue@2024-08=9");
    assert_int_equal(got.rows[1].run_id, 3);
    previous_of(s, "Retail", "revenue", "2024-09", 1, 9);
    store_close(s);
}

/* The schema of version 1, as the first kpiengine with a store wrote it. */
static const char schema_v1[] =
    "CREATE TABLE runs(id INTEGER PRIMARY KEY AUTOINCREMENT, ruleset TEXT NOT NULL,"
    " file TEXT NOT NULL, file_hash TEXT, currency TEXT NOT NULL DEFAULT '',"
    " period_grain TEXT NOT NULL, period_label TEXT NOT NULL, period_start TEXT NOT NULL,"
    " period_end TEXT NOT NULL, started TEXT NOT NULL, engine_version TEXT NOT NULL,"
    " review TEXT);"
    "CREATE TABLE results(run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " kpi TEXT NOT NULL, position INTEGER NOT NULL, title TEXT NOT NULL, unit TEXT NOT NULL,"
    " better TEXT NOT NULL, period_label TEXT NOT NULL, value REAL, minimum REAL,"
    " target REAL, status TEXT NOT NULL, reason TEXT, breakdown TEXT,"
    " PRIMARY KEY (run_id, kpi));"
    "CREATE INDEX results_kpi_period ON results(kpi, period_label);"
    "CREATE INDEX runs_ruleset_period ON runs(ruleset, period_grain, period_label);"
    "PRAGMA application_id = 1263552837; PRAGMA user_version = 1;"
    "INSERT INTO runs VALUES (1, 'Retail', 'kpis/retail.lua', NULL, 'VND', 'month',"
    " '2024-07', '2024-07-01', '2024-07-31', '2024-08-01T00:00:00Z', '0.1.0', NULL);"
    "INSERT INTO results VALUES (1, 'revenue', 1, 'revenue', 'VND', 'higher', '2024-07',"
    " 1000, 900, 1200, 'met_minimum', NULL, NULL);"
    "SELECT 1";

static void test_store_version_1_store_is_brought_up_to_date(void **state)
{
    (void)state;
    const char *db = fresh_db("version1");
    char *dir = kpi_strndup(db, strlen(db) - strlen("/results.db"));
    mkdir(dir, 0777);
    kpi_free(dir);
    tu_free(tu_oracle_text(db, NULL, schema_v1));
    save_revenue(db, "2024-08", 1100, "2024-08-10");
    assert_oracle_text(db, "PRAGMA user_version", "2");
    assert_oracle_text(db, "SELECT id, period_label, coalesce(as_of, '-') FROM runs",
                       "1|2024-07|-\n2|2024-08|2024-08-10");
    store *s = open_ok(db);
    previous_of(s, "Retail", "revenue", "2024-08", 1, 1000); /* the old run still counts */
    store_close(s);
    assert_oracle_text(db, "PRAGMA integrity_check", "ok");
}

static void test_store_save_runs_lands_all_or_nothing(void **state)
{
    (void)state;
    const char *db = fresh_db("save_runs");
    report r[3];
    two_kpi_report(&r[0], "Retail", "2024-06-01..2024-06-14", 1, 10);
    two_kpi_report(&r[1], "Retail", "2024-06-15..2024-06-30", 2, 20);
    two_kpi_report(&r[2], "Retail", "2024-07-01..2024-07-30", 3, 30);
    add_kpi(&r[2], "revenue", BETTER_HIGHER, 5, 1, 2); /* the last one cannot be saved */
    const report *all[3] = {&r[0], &r[1], &r[2]};
    store_run_info info = {NULL, NULL, NULL, "campaigns"};
    kpi_error err;
    long long first = -1;
    store *s = open_ok(db);
    assert_int_equal(store_save_runs(s, all, 3, &info, &first, &err), -1);
    assert_store_error(&err, KPI_EDATA, db, "KPI \"revenue\" appears twice");
    assert_int_equal(first, -1);
    assert_oracle_text(db, "SELECT count(*) FROM runs; SELECT count(*) FROM results", "0\n0");
    assert_int_equal(store_save_runs(s, all, 2, &info, &first, &err), 0);
    store_close(s);
    assert_int_equal(first, 1);
    assert_oracle_text(db, "SELECT id, period_grain, period_label, review FROM runs",
                       "1|range|2024-06-01..2024-06-14|campaigns\n"
                       "2|range|2024-06-15..2024-06-30|campaigns");
    assert_oracle_text(db, "SELECT count(*), total(value) FROM results", "4|33.0");
    for (int i = 0; i < 3; i++)
        report_free(&r[i]);
}

static void test_store_fill_history_gives_saved_values_oldest_first(void **state)
{
    (void)state;
    const char *db = fresh_db("fill_history");
    save_two(db, "Retail", "2024-03", 3, 30);
    save_two(db, "Retail", "2024-05", 5, 50);
    report r;
    two_kpi_report(&r, "Retail", "2024-06", 0, 60);
    r.kpis[0].has_value = 0; /* June had no revenue */
    save(db, &r, NULL);
    report_free(&r);
    save_two(db, "Retail", "2024-07", 7, 70);
    save_revenue(db, "2024-08", 8, "2024-08-05"); /* August itself is never history */
    two_kpi_report(&r, "Retail", "2024-08", 8, 80);
    add_kpi(&r, "orders", BETTER_HIGHER, 1, 1, 2);
    store *s = open_ok(db);
    kpi_error err;
    assert_int_equal(store_fill_history(s, &r, 6, &err), 0); /* 2024-02 .. 2024-07 */
    store_close(s);
    assert_int_equal(r.kpis[0].nhistory, 5); /* February was never saved: left out */
    const double *h = r.kpis[0].history;
    assert_true(h[0] == 3 && isnan(h[1]) && h[2] == 5 && isnan(h[3]) && h[4] == 7);
    assert_int_equal(r.kpis[1].nhistory, 5);
    assert_true(r.kpis[1].history[3] == 60);
    assert_null(r.kpis[2].history);
    assert_int_equal(r.kpis[2].nhistory, 0);
    for (size_t i = 0; i < r.nkpis; i++) { /* freed here whether or not report_free does */
        kpi_free(r.kpis[i].history);
        r.kpis[i].history = NULL;
    }
    report_free(&r);
}

/* ---- the file hash --------------------------------------------------------------- */

static void test_store_hash_file_matches_sha256sum(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 3, 55, 56, 63, 64, 65, 119, 120, 1000, 100000};
    char *content = malloc(100000);
    assert_non_null(content);
    for (size_t i = 0; i < 100000; i++)
        content[i] = (char)("abc"[i % 3] + (i / 7) % 5);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        const char *path = tu_write_file("hash.bin", content, sizes[i]);
        char hex[STORE_HASH_HEX], cmd[600], *out = NULL;
        kpi_error err;
        assert_int_equal(store_hash_file(path, hex, &err), 0);
        snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
        assert_int_equal(tu_run(cmd, &out, NULL), 0);
        out[64] = '\0';
        assert_string_equal(hex, out);
        if (sizes[i] == 3) /* FIPS 180-2 example for "abc" */
            assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                                     "b00361a396177a9cb410ff61f20015ad");
        tu_free(out);
    }
    free(content);
}

static void test_store_hash_missing_file_is_an_error(void **state)
{
    (void)state;
    char path[512], hex[STORE_HASH_HEX];
    snprintf(path, sizeof path, "%s/no_such_rules.lua", tu_tmpdir());
    kpi_error err;
    assert_int_equal(store_hash_file(path, hex, &err), -1);
    assert_store_error(&err, KPI_EIO, path, "cannot read the rule set to hash it: No such file");
}

/* ---- crashes and concurrency ----------------------------------------------------- */

#define BIG_KPIS 500

/* BIG_KPIS KPIs with two breakdown items each: a save that takes a few milliseconds. */
static void big_report(report *r, const char *ruleset, int seq)
{
    char id[32];
    start_report(r, ruleset, "2024-08");
    r->kpis = kpi_calloc(BIG_KPIS, sizeof *r->kpis);
    if (!r->kpis) _exit(4); /* also runs in children, where cmocka cannot report */
    for (int i = 0; i < BIG_KPIS; i++) {
        snprintf(id, sizeof id, "kpi_%04d", i);
        kpi_result *k = &r->kpis[r->nkpis++];
        fill_kpi(k, id, BETTER_HIGHER, seq * 10000.0 + i, 100, 200);
        k->items = kpi_calloc(2, sizeof *k->items);
        if (!k->items) _exit(4);
        k->nitems = 2;
        k->items[0] = (breakdown_item){kpi_strdup("north"), i * 0.5, 1, STATUS_MET_TARGET, 1};
        k->items[1] = (breakdown_item){kpi_strdup("south"), i * 0.25, 1, STATUS_MET_MINIMUM, 1};
    }
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/*
** Save r again and again (runs times; 0: until killed): 'b' on the pipe before each
** save, 'e' after, so the parent knows whether its kill landed in the middle of one.
** Never returns.
*/
static void saver_child(const char *db, const report *r, int runs, int progress_fd)
{
    kpi_error err;
    store *s = store_open(db, &err);
    if (!s) {
        fprintf(stderr, "child: %s\n", err.message);
        _exit(1);
    }
    if (progress_fd >= 0 && write(progress_fd, "o", 1) != 1) _exit(1);
    for (int i = 0; runs == 0 || i < runs; i++) {
        if (progress_fd >= 0 && write(progress_fd, "b", 1) != 1) _exit(1);
        if (store_save_run(s, r, NULL, NULL, &err) != 0) {
            fprintf(stderr, "child: %s\n", err.message);
            _exit(1);
        }
        if (progress_fd >= 0 && write(progress_fd, "e", 1) != 1) _exit(1);
    }
    store_close(s);
    _exit(0);
}

/* Read progress bytes until `saves` saves have completed ('e'). */
static void wait_for_saves(int fd, int saves)
{
    char byte;
    while (saves > 0) {
        assert_int_equal(read(fd, &byte, 1), 1);
        saves -= byte == 'e';
    }
}

/* The last progress byte of a dead child, or 0. */
static char last_progress(int fd)
{
    char buf[256], last = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        last = buf[n - 1];
    return last;
}

/* Whole runs only: every run has BIG_KPIS results and no result lacks its run. */
static void assert_whole_runs(const char *db)
{
    char sql[400];
    snprintf(sql, sizeof sql,
             "PRAGMA integrity_check; PRAGMA foreign_key_check;"
             " SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM results"
             " WHERE run_id = r.id) <> %d;"
             " SELECT count(*) FROM results WHERE run_id NOT IN (SELECT id FROM runs)",
             BIG_KPIS);
    assert_oracle_text(db, sql, "ok\n0\n0");
}

/*
** After a kill: the database is sound, holds whole runs only, and the runs up to
** `runs` hold what they held (`before`: their results' count and sum). Moves `runs`
** and `before` on to what the store holds now.
*/
static void check_after_kill(const char *db, long long *runs, char *before, size_t size)
{
    char sql[600], expected[200];
    snprintf(sql, sizeof sql,
             "PRAGMA integrity_check; PRAGMA foreign_key_check;"
             " SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM results"
             " WHERE run_id = r.id) <> %d;"
             " SELECT count(*) FROM results WHERE run_id NOT IN (SELECT id FROM runs);"
             " SELECT count(*), total(value) FROM results WHERE run_id <= %lld;"
             " SELECT max(id) FROM runs; SELECT count(*), total(value) FROM results",
             BIG_KPIS, *runs);
    snprintf(expected, sizeof expected, "ok\n0\n0\n%s\n", before);
    char *got = tu_oracle_text(db, NULL, sql);
    if (strncmp(got, expected, strlen(expected)) != 0)
        fail_msg("expected the store to start with\n%s\ngot:\n%s", expected, got);
    const char *rest = got + strlen(expected);
    *runs = strtoll(rest, NULL, 10);
    snprintf(before, size, "%s", strchr(rest, '\n') + 1);
    tu_free(got);
}

static void test_store_killed_mid_save_leaves_store_as_before(void **state)
{
    (void)state;
    const char *db = fresh_db("killed");
    report r;
    big_report(&r, "Retail", 1); /* built once: the children inherit it */
    kpi_error err;
    store *s = open_ok(db);
    double took[3]; /* the median of three saves: fsync times jump around */
    for (int i = 0; i < 3; i++) {
        double start = seconds();
        assert_int_equal(store_save_run(s, &r, NULL, NULL, &err), 0);
        took[i] = seconds() - start;
    }
    double lo = fmin(took[0], fmin(took[1], took[2])), hi = fmax(took[0], fmax(took[1], took[2]));
    long save_us = (long)((took[0] + took[1] + took[2] - lo - hi) * 1e6);
    store_close(s);
    int mid_save = 0;
    long long runs = 3;
    char before[100];
    snprintf(before, sizeof before, "%d|%.1f", 3 * BIG_KPIS,
             3 * (BIG_KPIS * 10000.0 + BIG_KPIS * (BIG_KPIS - 1) / 2.0));
    for (int i = 0; i < 20; i++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            saver_child(db, &r, 0, fds[1]);
        }
        close(fds[1]);
        wait_for_saves(fds[0], i % 3); /* then kill 1/10 to 1 save later, in a fixed order */
        sleep_us(save_us * ((i * 7) % 10 + 1) / 10);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status));
        mid_save += last_progress(fds[0]) == 'b';
        close(fds[0]);
        check_after_kill(db, &runs, before, sizeof before);
    }
    report_free(&r);
    if (mid_save < 10) fail_msg("only %d of 20 kills landed during a save", mid_save);
    assert_true(runs >= 3 + 19); /* the 0 + 1 + 2 + 0 + ... saves waited for, at least */
    save_two(db, "Retail", "2024-09", 1, 1); /* and the store takes the next run */
    assert_oracle_text(db, "PRAGMA integrity_check", "ok");
}

static void test_store_two_processes_saving_at_once_both_land(void **state)
{
    (void)state;
    const char *db = fresh_db("concurrent");
    report r[2];
    big_report(&r[0], "Retail", 1);
    big_report(&r[1], "B2B", 2);
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t pids[2];
    for (int c = 0; c < 2; c++) {
        pids[c] = fork();
        assert_true(pids[c] >= 0);
        if (pids[c] == 0) {
            char ready;
            close(go[1]);
            if (read(go[0], &ready, 1) != 0) _exit(2); /* EOF: both children start now */
            saver_child(db, &r[c], 3, -1);
        }
    }
    close(go[0]);
    close(go[1]); /* both creating the store and saving at the same moment */
    for (int c = 0; c < 2; c++) {
        int status;
        assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    report_free(&r[0]);
    report_free(&r[1]);
    assert_whole_runs(db);
    assert_oracle_text(db, "SELECT ruleset, count(*) FROM runs GROUP BY ruleset ORDER BY ruleset",
                       "B2B|3\nRetail|3");
}

/* Two runs on a machine where the store does not exist yet: both set it up, both land. */
static void test_store_two_processes_creating_the_store_at_once_both_land(void **state)
{
    (void)state;
    for (int round = 0; round < 12; round++) {
        char name[32];
        snprintf(name, sizeof name, "create_%d", round);
        const char *db = fresh_db(name);
        int go[2];
        pid_t pids[2];
        assert_int_equal(pipe(go), 0);
        for (int c = 0; c < 2; c++) {
            pids[c] = fork();
            assert_true(pids[c] >= 0);
            if (pids[c] == 0) {
                char ready;
                report r;
                close(go[1]);
                if (read(go[0], &ready, 1) != 0) _exit(2);
                two_kpi_report(&r, c == 0 ? "Retail" : "B2B", "2024-08", 1, 1);
                saver_child(db, &r, 1, -1);
            }
        }
        close(go[0]);
        close(go[1]);
        for (int c = 0; c < 2; c++) {
            int status;
            assert_int_equal(waitpid(pids[c], &status, 0), pids[c]);
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_oracle_text(db, "SELECT count(*) FROM runs; PRAGMA user_version", "2\n2");
    }
}

/* The child saves while the parent holds the write lock for 0.4 s: it waits, then lands. */
static void test_store_save_waits_while_another_process_writes(void **state)
{
    (void)state;
    const char *db = fresh_db("busy");
    save_two(db, "Retail", "2024-07", 1, 1);
    int locked[2];
    assert_int_equal(pipe(locked), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        report r;
        kpi_error err;
        char byte;
        close(locked[1]);
        two_kpi_report(&r, "Retail", "2024-08", 2, 2);
        store *s = store_open(db, &err);
        if (!s || read(locked[0], &byte, 1) != 1) _exit(1);
        double start = seconds();
        if (store_save_run(s, &r, NULL, NULL, &err) != 0) _exit(2);
        _exit(seconds() - start >= 0.3 ? 0 : 3); /* 3: it did not wait for the lock */
    }
    close(locked[0]);
    sqlite3 *other; /* opened after the fork: a connection must not cross it */
    assert_int_equal(sqlite3_open(db, &other), SQLITE_OK);
    sqlite3_busy_timeout(other, 5000); /* the child may be opening the store right now */
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(write(locked[1], "l", 1), 1);
    sleep_us(400000);
    assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    close(locked[1]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_oracle_text(db, "SELECT group_concat(period_label) FROM runs", "2024-07,2024-08");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_open_creates_folder_and_schema),
        cmocka_unit_test(test_store_open_makes_only_one_folder_level),
        cmocka_unit_test(test_store_open_text_file_is_not_a_database),
        cmocka_unit_test(test_store_open_other_programs_database_is_refused),
        cmocka_unit_test(test_store_open_newer_schema_is_refused),
        cmocka_unit_test(test_store_open_existing_never_creates),
        cmocka_unit_test(test_store_reopen_keeps_runs_and_counts_on),
        cmocka_unit_test(test_store_save_run_reads_back_with_sqlite3),
        cmocka_unit_test(test_store_save_run_defaults_started_and_version),
        cmocka_unit_test(test_store_save_no_data_and_unset_levels_are_null),
        cmocka_unit_test(test_store_save_breakdown_is_json_array),
        cmocka_unit_test(test_store_save_duplicate_kpi_rolls_back_the_run),
        cmocka_unit_test(test_store_save_kpi_without_id_rolls_back_the_run),
        cmocka_unit_test(test_store_history_orders_by_period_start_in_ruleset_order),
        cmocka_unit_test(test_store_history_latest_run_of_a_period_wins),
        cmocka_unit_test(test_store_history_last_n_kpi_and_ruleset_filters),
        cmocka_unit_test(test_store_history_callback_stops_the_walk),
        cmocka_unit_test(test_store_history_gives_no_data_with_reason),
        cmocka_unit_test(test_store_previous_is_the_latest_run_of_the_period_before),
        cmocka_unit_test(test_store_previous_without_data_has_none),
        cmocka_unit_test(test_store_fill_previous_sets_previous_and_change),
        cmocka_unit_test(test_store_fill_previous_prefers_the_saved_value),
        cmocka_unit_test(test_store_run_in_progress_yields_to_the_whole_period),
        cmocka_unit_test(test_store_version_1_store_is_brought_up_to_date),
        cmocka_unit_test(test_store_save_runs_lands_all_or_nothing),
        cmocka_unit_test(test_store_fill_history_gives_saved_values_oldest_first),
        cmocka_unit_test(test_store_hash_file_matches_sha256sum),
        cmocka_unit_test(test_store_hash_missing_file_is_an_error),
        cmocka_unit_test(test_store_killed_mid_save_leaves_store_as_before),
        cmocka_unit_test(test_store_two_processes_saving_at_once_both_land),
        cmocka_unit_test(test_store_two_processes_creating_the_store_at_once_both_land),
        cmocka_unit_test(test_store_save_waits_while_another_process_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
