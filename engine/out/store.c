/*
** store.c -- the results store: opening and migrating the database, saving a run;
** see store.h. Reading history and previous values back is in store_read.c, the file
** hash in store_hash.c.
**
** Opening checks what the file is before changing anything: a file that is not a
** SQLite database, or a database of another program (another application_id, or
** tables but no kpiengine schema version), is refused rather than switched to WAL
** and filled with our tables. Schema changes are a list of migrations applied in
** order under one write lock; PRAGMA user_version counts those applied, so a store
** written by an older kpiengine is brought up to date and one from a newer kpiengine
** is refused instead of being misread.
**
** Durability: WAL with synchronous=FULL. A run is one transaction, so FULL costs one
** fsync of the WAL per `kpiengine run` -- milliseconds against a run that loads data
** -- and buys that a run reported as saved survives a power cut too. NORMAL only
** pays off for many small transactions, which this store never has; either setting
** keeps the database consistent after a killed process.
*/
#define _POSIX_C_SOURCE 200809L
#include "out/store.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "out/render.h"
#include "out/store_impl.h"
#include "out/textfmt.h"

#ifndef KPI_VERSION
#define KPI_VERSION "0"
#endif

#define STORE_APPLICATION_ID 0x4B504945 /* "KPIE" */

/* migrations[i] takes the schema from version i to i + 1. Append; never edit a shipped one. */
static const char *const migrations[] = {
    "CREATE TABLE runs("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  ruleset TEXT NOT NULL, file TEXT NOT NULL, file_hash TEXT,"
    "  currency TEXT NOT NULL DEFAULT '',"
    "  period_grain TEXT NOT NULL, period_label TEXT NOT NULL,"
    "  period_start TEXT NOT NULL, period_end TEXT NOT NULL,"
    "  started TEXT NOT NULL, engine_version TEXT NOT NULL, review TEXT);"
    "CREATE TABLE results("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  kpi TEXT NOT NULL, position INTEGER NOT NULL,"
    "  title TEXT NOT NULL, unit TEXT NOT NULL, better TEXT NOT NULL,"
    "  period_label TEXT NOT NULL,"
    "  value REAL, minimum REAL, target REAL,"
    "  status TEXT NOT NULL, reason TEXT, breakdown TEXT,"
    "  PRIMARY KEY (run_id, kpi));"
    "CREATE INDEX results_kpi_period ON results(kpi, period_label);"
    "CREATE INDEX runs_ruleset_period ON runs(ruleset, period_grain, period_label);",
    /* 2: a run of a period still in progress keeps the last day it counted */
    "ALTER TABLE runs ADD COLUMN as_of TEXT;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof *migrations))

static const char insert_run_sql[] =
    "INSERT INTO runs(ruleset, file, file_hash, currency, period_grain, period_label,"
    " period_start, period_end, started, engine_version, review, as_of)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char insert_result_sql[] =
    "INSERT INTO results(run_id, kpi, position, title, unit, better, period_label, value,"
    " minimum, target, status, reason, breakdown)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

static kpi_error_kind store_error_kind(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOMEM:
        return KPI_ENOMEM;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
        return KPI_EDATA;
    default:
        return KPI_EIO;
    }
}

int store_fail(store *s, int rc, const char *what, kpi_error *err)
{
    if ((rc & 0xff) == SQLITE_NOTADB)
        return kpi_error_set(err, KPI_EDATA, s->path, 0, 0,
                             "not a results store: the file is not a SQLite database");
    if ((rc & 0xff) == SQLITE_NOMEM) /* also ours (a breakdown's JSON): errmsg may not say it */
        return kpi_error_set(err, KPI_ENOMEM, s->path, 0, 0, "%s: out of memory", what);
    if ((rc & 0xff) == SQLITE_BUSY)
        return kpi_error_set(err, KPI_EIO, s->path, 0, 0,
                             "%s: another process kept the results store locked for over %d s",
                             what, STORE_BUSY_TIMEOUT_MS / 1000);
    return kpi_error_set(err, store_error_kind(rc), s->path, 0, 0, "%s: %s", what,
                         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

/*
** Crash testing (tests/e2e_store_kill.c): with KPI_STORE_KILL_AT=k in the environment
** the process kills itself with SIGKILL just before its k-th step that writes the store
** (setting it up, BEGIN, each INSERT, COMMIT) or just after its last COMMIT, so a test
** can stop a save at every step. Without the variable it does nothing.
*/
static void kill_point(void)
{
    static long left = -1;
    if (left < 0) {
        const char *at = getenv("KPI_STORE_KILL_AT");
        left = at ? atol(at) : 0;
        if (left < 0) left = 0;
    }
    if (left > 0 && --left == 0) raise(SIGKILL);
}

/* Run SQL that returns no rows of interest. */
static int exec_sql(store *s, const char *sql, const char *what, kpi_error *err)
{
    kill_point();
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, what, err);
}

/*
** The integers of a one-row query ("PRAGMA user_version"): n columns into out. One
** statement reads one snapshot, so values read together are consistent even while
** another process sets the store up.
*/
static int query_ints(store *s, const char *sql, long long *out, int n, kpi_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        for (int i = 0; i < n; i++)
            out[i] = sqlite3_column_int64(st, i);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, "cannot read the store's schema", err);
}

/* The folder of path, one level only: a mistyped --db deep path is an error, not a tree. */
static int make_folder(const char *path, kpi_error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    size_t n = (size_t)(slash - path);
    char dir[1024];
    if (n >= sizeof dir)
        return kpi_error_set(err, KPI_EIO, path, 0, 0, "the path of the results store is too long");
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) return 0;
    return kpi_error_set(err, KPI_EIO, path, 0, 0,
                         "cannot create folder %s for the results store: %s", dir, strerror(errno));
}

/*
** Whether the database is ours, by its markers: a fresh (empty) database to set up or
** a kpiengine store this build can read return 0; anything else -1 with err.
*/
static int check_identity(store *s, kpi_error *err)
{
    long long marks[3];
    if (query_ints(s,
                   "SELECT (SELECT application_id FROM pragma_application_id),"
                   " (SELECT user_version FROM pragma_user_version),"
                   " (SELECT count(*) FROM sqlite_schema)",
                   marks, 3, err))
        return -1;
    long long app = marks[0], version = marks[1], objects = marks[2];
    if (app == 0 && version == 0 && objects == 0) return 0;
    if (app != STORE_APPLICATION_ID)
        return kpi_error_set(err, KPI_EDATA, s->path, 0, 0,
                             "not a results store: a SQLite database of another program");
    if (version > SCHEMA_VERSION)
        return kpi_error_set(err, KPI_EDATA, s->path, 0, 0,
                             "the results store was written by a newer kpiengine (schema %lld; "
                             "this one knows up to %d)",
                             version, SCHEMA_VERSION);
    return 0;
}

/* Apply the missing migrations under the write lock; another process may have just done it. */
static int migrate(store *s, kpi_error *err)
{
    long long version = 0;
    if (exec_sql(s, "BEGIN IMMEDIATE", "cannot lock the results store to set it up", err))
        return -1;
    if (check_identity(s, err) || query_ints(s, "PRAGMA user_version", &version, 1, err)) goto fail;
    for (int v = (int)version; v < SCHEMA_VERSION; v++)
        if (exec_sql(s, migrations[v], "cannot set up the results store", err)) goto fail;
    char pragmas[96];
    snprintf(pragmas, sizeof pragmas, "PRAGMA application_id = %d; PRAGMA user_version = %d",
             STORE_APPLICATION_ID, SCHEMA_VERSION);
    if (exec_sql(s, pragmas, "cannot set up the results store", err) ||
        exec_sql(s, "COMMIT", "cannot set up the results store", err))
        goto fail;
    return 0;
fail:
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/*
** Switching a new store to WAL takes an exclusive lock. When two processes set up the
** store at once, SQLite may answer BUSY at once instead of calling the busy handler
** (waiting could deadlock), so retry here for as long as a writer would wait.
*/
static int use_wal(store *s, kpi_error *err)
{
    int rc;
    for (int waited = 0;; waited += 10) {
        kill_point();
        rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || waited >= STORE_BUSY_TIMEOUT_MS) break;
        sqlite3_sleep(10);
    }
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, "cannot switch the results store to WAL", err);
}

/*
** Connection settings, then the schema; the identity is checked before WAL touches the
** file. A file system without shared memory keeps the rollback journal: a run is still
** one atomic transaction and writers still wait for each other, only readers block.
*/
static int setup(store *s, kpi_error *err)
{
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    long long version = 0;
    if (check_identity(s, err)) return -1;
    if (use_wal(s, err) ||
        exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
                 "cannot configure the results store", err) ||
        query_ints(s, "PRAGMA user_version", &version, 1, err))
        return -1;
    if (version < SCHEMA_VERSION && migrate(s, err)) return -1;
    int rc = sqlite3_prepare_v3(s->db, insert_run_sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &s->insert_run, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(s->db, insert_result_sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &s->insert_result, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, rc, "cannot prepare the results store", err);
}

static store *open_store(const char *path, int create, kpi_error *err)
{
    struct stat st;
    if (!create && stat(path, &st) != 0) {
        kpi_error_set(err, KPI_EIO, path, 0, 0, "no results store at %s: %s", path,
                      strerror(errno));
        return NULL;
    }
    if (create && make_folder(path, err)) return NULL;
    store *s = kpi_calloc(1, sizeof *s);
    if (!s || !(s->path = kpi_strdup(path))) {
        kpi_free(s);
        kpi_error_set(err, KPI_ENOMEM, path, 0, 0, "out of memory opening the results store");
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        kpi_error_set(err, store_error_kind(rc), path, 0, 0, "cannot open the results store: %s",
                      s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        store_close(s);
        return NULL;
    }
    if (setup(s, err)) {
        store_close(s);
        return NULL;
    }
    return s;
}

store *store_open(const char *path, kpi_error *err)
{
    return open_store(path, 1, err);
}

store *store_open_existing(const char *path, kpi_error *err)
{
    return open_store(path, 0, err);
}

void store_close(store *s)
{
    if (!s) return;
    sqlite3_finalize(s->insert_run);
    sqlite3_finalize(s->insert_result);
    sqlite3_finalize(s->previous);
    sqlite3_close_v2(s->db);
    kpi_free(s->path);
    kpi_free(s);
}

const char *store_path(const store *s)
{
    return s->path;
}

int store_bind_text(sqlite3_stmt *st, int i, const char *text)
{
    return text ? sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

/* A level or value that is NaN or infinite is "not there": NULL. */
static int bind_number(sqlite3_stmt *st, int i, int has, double v)
{
    return has && isfinite(v) ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

/* Step an INSERT to its end and make the statement ready for the next one. */
static int step_insert(sqlite3_stmt *st)
{
    kill_point();
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* "2024-09-01T08:30:00Z" for now, into buf (at least 21 bytes). */
static const char *now_iso(char *buf)
{
    date_format_timestamp((int64_t)time(NULL), buf);
    buf[10] = 'T';
    strcpy(buf + 19, "Z");
    return buf;
}

static int insert_run(store *s, const report *r, const store_run_info *info)
{
    char label[64], start[16], end[16], now[24], as_of[16];
    sqlite3_stmt *st = s->insert_run;
    date_format_iso(r->period.start, start);
    date_format_iso(r->period.stop - 1, end); /* stop is exclusive; end is the last day inside */
    int rc = store_bind_text(st, 1, r->ruleset ? r->ruleset : "");
    if (rc == SQLITE_OK) rc = store_bind_text(st, 2, r->file ? r->file : "");
    if (rc == SQLITE_OK) rc = store_bind_text(st, 3, info ? info->file_hash : NULL);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 4, r->currency ? r->currency : "");
    if (rc == SQLITE_OK) rc = store_bind_text(st, 5, period_grain_name(r->period.grain));
    if (rc == SQLITE_OK) rc = store_bind_text(st, 6, period_label(r->period, label, sizeof label));
    if (rc == SQLITE_OK) rc = store_bind_text(st, 7, start);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 8, end);
    if (rc == SQLITE_OK)
        rc = store_bind_text(st, 9, info && info->started ? info->started : now_iso(now));
    if (rc == SQLITE_OK)
        rc = store_bind_text(st, 10,
                             info && info->engine_version ? info->engine_version : KPI_VERSION);
    if (rc == SQLITE_OK)
        rc = store_bind_text(st, 11, info && info->review ? info->review : r->review);
    if (r->in_progress && r->has_as_of) date_format_iso(r->as_of, as_of);
    if (rc == SQLITE_OK)
        rc = store_bind_text(st, 12, r->in_progress && r->has_as_of ? as_of : NULL);
    if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(st);
        return rc;
    }
    return step_insert(st);
}

/* The breakdown as the JSON array of the report; NULL in *json when the KPI has none. */
static int breakdown_json(const kpi_result *k, textbuf *b)
{
    if (k->nitems == 0) return SQLITE_OK;
    render_json_breakdown(b, k);
    return b->failed ? SQLITE_NOMEM : SQLITE_OK;
}

static int insert_result(store *s, long long run_id, const char *label, size_t position,
                         const kpi_result *k)
{
    sqlite3_stmt *st = s->insert_result;
    int has = k->has_value && isfinite(k->value);
    textbuf json;
    textbuf_init(&json);
    int rc = sqlite3_bind_int64(st, 1, run_id);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 2, k->id);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)position);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 4, k->title ? k->title : k->id);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 5, k->unit ? k->unit : "");
    if (rc == SQLITE_OK) rc = store_bind_text(st, 6, better_name(k->better));
    if (rc == SQLITE_OK) rc = store_bind_text(st, 7, label);
    if (rc == SQLITE_OK) rc = bind_number(st, 8, has, k->value);
    if (rc == SQLITE_OK) rc = bind_number(st, 9, 1, k->minimum);
    if (rc == SQLITE_OK) rc = bind_number(st, 10, 1, k->target);
    if (rc == SQLITE_OK)
        rc = store_bind_text(st, 11, status_name(has ? k->status : STATUS_NO_DATA));
    if (rc == SQLITE_OK) rc = store_bind_text(st, 12, has ? NULL : k->reason);
    if (rc == SQLITE_OK) rc = breakdown_json(k, &json);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 13, json.data);
    textbuf_free(&json);
    if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(st);
        return rc;
    }
    return step_insert(st);
}

/* One report as one run, inside the caller's transaction: 0, or -1 and err. */
static int save_one(store *s, const report *r, const store_run_info *info, long long *run_id,
                    kpi_error *err)
{
    char label[64];
    const char *what = "cannot save the run";
    int rc = insert_run(s, r, info);
    long long id = sqlite3_last_insert_rowid(s->db);
    period_label(r->period, label, sizeof label);
    for (size_t i = 0; rc == SQLITE_OK && i < r->nkpis; i++) {
        rc = insert_result(s, id, label, i + 1, &r->kpis[i]);
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return kpi_error_set(err, KPI_EDATA, s->path, 0, 0,
                                 "%s: KPI \"%s\" appears twice in the report", what, r->kpis[i].id);
    }
    if (rc != SQLITE_OK) return store_fail(s, rc, what, err);
    *run_id = id;
    return 0;
}

int store_save_runs(store *s, const report *const *reports, size_t n, const store_run_info *info,
                    long long *first_id, kpi_error *err)
{
    long long id = 0, first = 0;
    kill_point();
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return store_fail(s, rc, "cannot lock the results store", err);
    for (size_t i = 0; i < n; i++) {
        if (save_one(s, reports[i], info, &id, err)) goto rollback;
        if (i == 0) first = id;
    }
    kill_point();
    rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, rc, "cannot save the run", err);
        goto rollback;
    }
    kill_point();
    if (first_id) *first_id = first;
    return 0;
rollback:
    /* SQLite may already have rolled back (a full disk, an I/O error); ROLLBACK then fails. */
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_save_run(store *s, const report *r, const store_run_info *info, long long *run_id,
                   kpi_error *err)
{
    return store_save_runs(s, &r, 1, info, run_id, err);
}
