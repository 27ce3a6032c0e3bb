/*
** fuzz_rules.c -- the rule-set loader (engine/lua/rules.h) on arbitrary rule-set text.
**
** The input is written as rules.lua in a fixture folder made once per process and
** loaded with rules_open under small instruction, memory and time limits, so a loop
** or a runaway allocation in the text is an error, not a hang. When it loads, its
** reviews are read and it is evaluated for its default period and for 2024-06.
**
** The fixture holds data.csv (date,customer_id,channel,amount), data.db (table t) and
** lib/util.lua. When built with KPI_SOURCE_DIR it also holds the .lua files of kpis/lib and a thin
** sample (every n-th line, about 40 rows) of each file of kpis/data/{retail,b2b}, so
** the sample rule sets -- in the seed corpus -- load and evaluate as they do for users.
*/
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lua/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SAMPLE_ROWS 40

static char fixture[512];

static const char data_csv[] = "date,customer_id,channel,amount\n"
                               "2024-05-03,C1,web,120.50\n"
                               "2024-05-20,C2,shop,80\n"
                               "2024-06-01,C1,web,99.99\n"
                               "2024-06-15,C3,\"web, mobile\",15\n"
                               "2024-06-30,,shop,\n"
                               "2024-07-02,C2,web,42.10\n";

static const char util_lua[] =
    "local M = {}\n"
    "function M.div(a, b) if a and b and b ~= 0 then return a / b end end\n"
    "return M\n";

static const char data_sql[] = "CREATE TABLE t(day TEXT, account TEXT, score INTEGER);"
                               "INSERT INTO t VALUES('2024-05-04','A1',4),('2024-06-10','A2',5),"
                               "('2024-06-11','A1',NULL),('2024-07-01','A3',2);";

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz_rules: %s %s\n", what, path);
    abort();
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || (len && fwrite(text, 1, len, f) != len) || fclose(f) != 0) die("cannot write", path);
}

static const char *join(char *buf, size_t size, const char *a, const char *b)
{
    snprintf(buf, size, "%s/%s", a, b);
    return buf;
}

static void make_db(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die("cannot build", path);
    sqlite3_close(db);
}

#ifdef KPI_SOURCE_DIR
/* A thin sample of a CSV: the header and every n-th line, about SAMPLE_ROWS of them. */
static void sample_csv(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) die("cannot sample", from);
    long lines = 0;
    int c;
    while ((c = getc(in)) != EOF)
        lines += c == '\n';
    long every = lines / SAMPLE_ROWS > 1 ? lines / SAMPLE_ROWS : 1, line = 0;
    rewind(in);
    while ((c = getc(in)) != EOF) {
        if (line == 0 || line % every == 0) putc(c, out);
        line += c == '\n';
    }
    fclose(in);
    if (fclose(out) != 0) die("cannot write", to);
}

/* The same for a SQLite database: every table, one row in 50. */
static void sample_db(const char *from, const char *to)
{
    char sql[4096];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS src", from);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(to, &db) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT name FROM src.sqlite_schema WHERE type = 'table'", -1, &st,
                           NULL) != SQLITE_OK)
        die("cannot sample", from);
    while (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(sql, sizeof sql,
                 "CREATE TABLE main.\"%s\" AS SELECT * FROM src.\"%s\" WHERE rowid %% 50 = 1",
                 (const char *)sqlite3_column_text(st, 0),
                 (const char *)sqlite3_column_text(st, 0));
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die("cannot sample", from);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Every file of dir `from` ending in ext, into `to`, through copy. */
static void copy_dir(const char *from, const char *to, const char *ext,
                     void (*copy)(const char *, const char *))
{
    DIR *d = opendir(from);
    if (!d) return;
    struct dirent *e;
    char a[1024], b[1024];
    mkdir(to, 0777);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name), k = strlen(ext);
        if (n <= k || strcmp(e->d_name + n - k, ext) != 0) continue;
        copy(join(a, sizeof a, from, e->d_name), join(b, sizeof b, to, e->d_name));
    }
    closedir(d);
}

static void copy_text(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) die("cannot copy", from);
    int c;
    while ((c = getc(in)) != EOF)
        putc(c, out);
    fclose(in);
    if (fclose(out) != 0) die("cannot write", to);
}

static void add_samples(void)
{
    static const char *const sets[] = {"retail", "b2b"};
    char a[1024], b[1024];
    copy_dir(KPI_SOURCE_DIR "/kpis/lib", join(b, sizeof b, fixture, "lib"), ".lua", copy_text);
    mkdir(join(b, sizeof b, fixture, "data"), 0777);
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/kpis/data/%s", KPI_SOURCE_DIR, sets[i]);
        snprintf(b, sizeof b, "%s/data/%s", fixture, sets[i]);
        copy_dir(a, b, ".csv", sample_csv);
        copy_dir(a, b, ".db", sample_db);
    }
}
#endif

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_fixture(void)
{
    nftw(fixture, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_fixture(void)
{
    const char *tmp = getenv("TMPDIR");
    char buf[1024];
    snprintf(fixture, sizeof fixture, "%s/fuzz_rules.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fixture)) die("cannot create", fixture);
    atexit(remove_fixture);
    write_file(join(buf, sizeof buf, fixture, "data.csv"), data_csv, sizeof data_csv - 1);
    make_db(join(buf, sizeof buf, fixture, "data.db"), data_sql);
    mkdir(join(buf, sizeof buf, fixture, "lib"), 0777);
    write_file(join(buf, sizeof buf, fixture, "lib/util.lua"), util_lua, sizeof util_lua - 1);
#ifdef KPI_SOURCE_DIR
    add_samples();
#endif
}

/* What the command line reads of a loaded rule set, then an evaluation of period p. */
static void exercise(rules *r, period p)
{
    kpi_error err;
    report rep;
    for (size_t i = 0; i < rules_review_count(r); i++) {
        rules_review rv;
        size_t idx[256];
        rules_review_get(r, i, &rv);
        if (rules_kpi_count(r) <= sizeof idx / sizeof *idx)
            (void)rules_review_kpis(r, rv.name, idx);
    }
    if (rules_evaluate(r, p, &rep, &err) == 0) report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[1024];
    if (!fixture[0]) make_fixture();
    write_file(join(path, sizeof path, fixture, "rules.lua"), (const char *)data, size);

    rules_options o;
    rules_options_init(&o);
    o.max_instructions = 2000000;
    o.max_memory = 32u << 20;
    o.timeout_seconds = 2;
    kpi_error err;
    rules *r = rules_open(path, &o, &err);
    if (!r) {
        if (err.kind == KPI_OK || err.message[0] == '\0') die("a failed load set no error", path);
        return 0;
    }
    period p;
    if (rules_default_period(r, &p, &err) == 0) exercise(r, p);
    if (period_parse("2024-06", &p, &err) == 0) exercise(r, p);
    rules_close(r);
    return 0;
}
