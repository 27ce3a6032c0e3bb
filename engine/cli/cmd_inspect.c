/*
** cmd_inspect.c -- `kpiengine inspect FILE`: load one CSV file, SQLite table or query
** and describe it.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"
#include "core/csv.h"
#include "core/kpi_alloc.h"
#include "core/sqlsrc.h"
#include "out/summary.h"

/* ---- inspect ----------------------------------------------------------- */

typedef struct inspect_args {
    const char *file;
    const char *table;
    const char *query;
    int help;
} inspect_args;

static int parse_inspect_args(int argc, char **argv, inspect_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int r = 0;
        if (arg[0] == '-' && arg[1] != '\0') {
            if (!(r = take_value(argc, argv, &i, "--table", &a->table)) &&
                !(r = take_value(argc, argv, &i, "--query", &a->query)) &&
                !(r = take_flag(arg, "--help", &a->help)))
                r = take_flag(arg, "-h", &a->help);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("inspect: unknown option '%s'", arg);
        } else if (a->file) {
            return usage_error("inspect: one file expected, got '%s' and '%s'", a->file, arg);
        } else {
            a->file = arg;
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file) return usage_error("inspect: missing the file (kpiengine inspect FILE.csv)");
    if (a->table && a->query) return usage_error("inspect: give --table or --query, not both");
    return EXIT_DONE;
}

/* Whether the file starts with SQLite's header string. */
static int is_sqlite_file(const char *path)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, magic, sizeof head) == 0;
}

/* The tables and views of a SQLite file, for a hint ("csat, orders"); "" when unknown. */
static void sqlite_tables(const char *path, char *buf, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    size_t len = 0;
    buf[0] = '\0';
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                           "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW && len + 1 < size) {
            int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                             (const char *)sqlite3_column_text(st, 0));
            if (n < 0) break;
            len += (size_t)n;
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Load the file as CSV or SQLite as it is; NULL + err (or a usage message: *rc set). */
static table *inspect_load(const inspect_args *a, kpi_error *err, int *rc)
{
    int sqlite = is_sqlite_file(a->file);
    *rc = EXIT_DONE;
    if (sqlite && !a->table && !a->query) {
        char tables[400];
        sqlite_tables(a->file, tables, sizeof tables);
        *rc = usage_error("inspect: %s is a SQLite database: give --table T or --query SQL%s%s%s",
                          a->file, tables[0] ? " (tables: " : "", tables, tables[0] ? ")" : "");
        return NULL;
    }
    if (!sqlite && (a->table || a->query)) {
        *rc = usage_error("inspect: %s is not a SQLite database (--table and --query are for "
                          "SQLite files)",
                          a->file);
        return NULL;
    }
    if (!sqlite) {
        csv_options co;
        csv_options_init(&co);
        return csv_load(a->file, NULL, &co, err);
    }
    sqlsrc_options so;
    sqlsrc_options_init(&so);
    so.table = a->table;
    so.query = a->query;
    return sqlsrc_load(a->file, a->table ? a->table : "query", &so, err);
}

int cmd_inspect(int argc, char **argv)
{
    inspect_args a;
    int rc = parse_inspect_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        cli_help();
        return EXIT_DONE;
    }
    if ((rc = check_input_file(a.file, "the file")) != EXIT_DONE) return rc;
    struct stat st;
    summary_source src = {a.file, NULL, stat(a.file, &st) == 0 ? (double)st.st_size : -1, 0};
    char detail[600];
    if (a.table) snprintf(detail, sizeof detail, "table %s", a.table);
    if (a.table || a.query) src.detail = a.table ? detail : "query";
    kpi_error err;
    kpi_error_clear(&err);
    double t0 = seconds_now();
    table *t = inspect_load(&a, &err, &rc);
    src.load_seconds = seconds_now() - t0;
    if (!t) return rc != EXIT_DONE ? rc : engine_error(&err);
    size_t len;
    char *text = summary_render(t, &src, &len);
    table_free(t);
    if (!text) {
        fputs("kpiengine: out of memory while describing the table\n", stderr);
        return EXIT_DATA;
    }
    rc = write_output(NULL, text, len);
    kpi_free(text);
    return rc;
}
