/*
** main.c -- the kpiengine command line: subcommands, options and exit codes.
**
**   kpiengine run FILE.lua [options]    evaluate a rule set for one period
**   kpiengine inspect FILE.csv | FILE.db (--table T | --query SQL)
**   kpiengine --help | --version
**
** Exit codes (DESIGN section 4): 0 done; 1 a KPI below its minimum (only with
** --fail-below); 2 usage (bad option, missing argument, a file named on the command
** line that does not exist); 3 script error; 4 data error (malformed data, a file
** that cannot be read or written, out of memory). Messages go to stderr as
** "kpiengine: file:line:column: message"; data goes to stdout or to -o FILE, which
** is replaced atomically so a failed run never leaves a half-written report.
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

#include "core/csv.h"
#include "core/kpi_alloc.h"
#include "core/kpi_error.h"
#include "core/period.h"
#include "core/sqlsrc.h"
#include "lua/rules.h"
#include "model/report.h"
#include "out/render.h"
#include "out/summary.h"

#ifndef KPI_VERSION
#define KPI_VERSION "0"
#endif

enum { EXIT_DONE = 0, EXIT_BELOW = 1, EXIT_USAGE = 2, EXIT_SCRIPT = 3, EXIT_DATA = 4 };

static const char usage_text[] =
    "usage: kpiengine run FILE.lua [options]\n"
    "       kpiengine inspect FILE.csv\n"
    "       kpiengine inspect FILE.db (--table T | --query SQL)\n"
    "       kpiengine --help | --version\n"
    "\n"
    "run: evaluate every KPI of a rule set for one period and report it.\n"
    "  --period P          2024-08, 2024-Q3, 2024-W35, 2024 or 2024-08-01..2024-08-15\n"
    "                      (default: the latest complete period of the data)\n"
    "  --data DIR          read the sources' files under DIR instead of the rule set's folder\n"
    "  --format F          table (default) or json\n"
    "  -o, --output FILE   write the report to FILE (replaced atomically) instead of stdout\n"
    "  --fail-below        exit 1 when a KPI is below its minimum\n"
    "  --no-color          no colours (also off when NO_COLOR is set or stdout is not a terminal)\n"
    "  --verbose           timings on stderr and engine frames in script tracebacks\n"
    "  Options also take the form --option=value.\n"
    "\n"
    "inspect: load a CSV file, or a SQLite table or query, and describe it: rows, load\n"
    "  time, memory against the file size, and per column its type, nulls, distinct\n"
    "  strings and the range of numbers and dates.\n"
    "\n"
    "exit codes: 0 done, 1 a KPI below its minimum (with --fail-below), 2 usage,\n"
    "            3 script error, 4 data error\n";

/* Print "kpiengine: <message>" and the hint to --help; returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kpiengine: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'kpiengine --help' for more information.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* Print an engine error and map its kind to the exit code. */
static int engine_error(const kpi_error *err)
{
    char buf[1200];
    fprintf(stderr, "kpiengine: %s\n", kpi_error_format(err, buf, sizeof buf));
    switch (err->kind) {
    case KPI_EUSAGE:
        return EXIT_USAGE;
    case KPI_ESCRIPT:
        return EXIT_SCRIPT;
    default:
        return EXIT_DATA; /* EDATA, EIO, ERANGE, ENOMEM: the data cannot be processed */
    }
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
** Match argv[*i] against option `name` that takes a value, as "name VALUE" or
** "name=VALUE". Returns 1 and sets *value (advancing *i) on a match, 0 when argv[*i]
** is another option, -1 after reporting a missing value.
*/
static int take_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        if (**value) return 1;
    } else if (arg[n] != '\0') {
        return 0;
    } else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
        *value = argv[++*i];
        return 1;
    }
    usage_error("option '%s' needs a value", name);
    return -1;
}

/* Match a flag (an option without a value). 1 on a match, 0 if not, -1 after an error. */
static int take_flag(const char *arg, const char *name, int *flag)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '=') {
        usage_error("option '%s' takes no value", name);
        return -1;
    }
    if (arg[n] != '\0') return 0;
    *flag = 1;
    return 1;
}

/* A file named on the command line must exist and be a regular file. */
static int check_input_file(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return usage_error("%s: cannot open %s: %s", path, what, strerror(errno));
    if (!S_ISREG(st.st_mode)) return usage_error("%s: %s is not a regular file", path, what);
    return EXIT_DONE;
}

/* ---- output ------------------------------------------------------------ */

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Make the rename itself durable; failure only weakens durability, so it is ignored. */
static void sync_parent_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

/*
** Write text to path atomically: a temporary file beside it, flushed to disk, then
** renamed over path. On failure the temporary file is removed and path untouched.
*/
static int write_atomic(const char *path, const char *text, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) goto fail;
    if (write_all(fd, text, len) != 0 || fsync(fd) != 0) goto fail;
    int rc = close(fd);
    fd = -1;
    if (rc != 0 || rename(tmp, path) != 0) goto fail;
    sync_parent_dir(path);
    return EXIT_DONE;
fail:;
    int saved = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    fprintf(stderr, "kpiengine: %s: cannot write the report: %s\n", path, strerror(saved));
    return EXIT_DATA;
}

static int write_output(const char *path, const char *text, size_t len)
{
    if (path && strcmp(path, "-") != 0) return write_atomic(path, text, len);
    if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "kpiengine: cannot write the report to stdout: %s\n", strerror(errno));
        return EXIT_DATA;
    }
    return EXIT_DONE;
}

/* ---- run --------------------------------------------------------------- */

typedef struct run_args {
    const char *file;
    const char *period;
    const char *data_dir;
    const char *format;
    const char *output;
    int verbose, no_color, fail_below, help;
} run_args;

/* One option at argv[*i]: 1 when taken, 0 when not an option of run, -1 on an error. */
static int run_option(int argc, char **argv, int *i, run_args *a)
{
    const char *arg = argv[*i];
    int r;
    if ((r = take_value(argc, argv, i, "--period", &a->period))) return r;
    if ((r = take_value(argc, argv, i, "--data", &a->data_dir))) return r;
    if ((r = take_value(argc, argv, i, "--format", &a->format))) return r;
    if ((r = take_value(argc, argv, i, "--output", &a->output))) return r;
    if ((r = take_value(argc, argv, i, "-o", &a->output))) return r;
    if ((r = take_flag(arg, "--verbose", &a->verbose))) return r;
    if ((r = take_flag(arg, "--no-color", &a->no_color))) return r;
    if ((r = take_flag(arg, "--fail-below", &a->fail_below))) return r;
    if ((r = take_flag(arg, "--help", &a->help))) return r;
    return take_flag(arg, "-h", &a->help);
}

static int parse_run_args(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = "table";
    int options_done = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = 1;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            int r = run_option(argc, argv, &i, a);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("run: unknown option '%s'", arg);
        } else if (a->file) {
            return usage_error("run: one rule-set file expected, got '%s' and '%s'", a->file, arg);
        } else {
            a->file = arg;
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file) return usage_error("run: missing the rule-set file (kpiengine run FILE.lua)");
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0)
        return usage_error("run: unknown format '%s' (expected table or json)", a->format);
    return EXIT_DONE;
}

/* Check what can be checked before running any Lua: files, folders and the period. */
static int check_run_args(const run_args *a, period *p)
{
    int rc = check_input_file(a->file, "the rule set");
    if (rc != EXIT_DONE) return rc;
    struct stat st;
    if (a->data_dir && (stat(a->data_dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return usage_error("--data: '%s' is not a directory", a->data_dir);
    if (a->period) {
        kpi_error err;
        kpi_error_clear(&err);
        if (period_parse(a->period, p, &err) != 0) return usage_error("--period: %s", err.message);
    }
    return EXIT_DONE;
}

static int use_color(const run_args *a)
{
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (a->no_color || (no_color && no_color[0])) return 0;
    if (a->output && strcmp(a->output, "-") != 0) return 0;
    if (term && strcmp(term, "dumb") == 0) return 0;
    return isatty(STDOUT_FILENO);
}

/* EXIT_BELOW when asked to and a KPI is below its minimum (naming them on stderr). */
static int below_minimum_code(const run_args *a, const report *rep)
{
    size_t below = 0;
    for (size_t i = 0; i < rep->nkpis; i++)
        below += rep->kpis[i].status == STATUS_BELOW_MINIMUM;
    if (!a->fail_below || below == 0) return EXIT_DONE;
    fprintf(stderr, "kpiengine: %zu KPI%s below minimum:", below, below == 1 ? "" : "s");
    for (size_t i = 0; i < rep->nkpis; i++)
        if (rep->kpis[i].status == STATUS_BELOW_MINIMUM) fprintf(stderr, " %s", rep->kpis[i].id);
    fputc('\n', stderr);
    return EXIT_BELOW;
}

static int render_and_write(const run_args *a, const report *rep)
{
    size_t len = 0;
    char *text;
    if (strcmp(a->format, "json") == 0) {
        text = render_json(rep, &len);
    } else {
        render_options ro = {use_color(a)};
        text = render_table(rep, &ro, &len);
    }
    if (!text) {
        fputs("kpiengine: out of memory while rendering the report\n", stderr);
        return EXIT_DATA;
    }
    int rc = write_output(a->output, text, len);
    kpi_free(text);
    return rc;
}

/* Open, choose the period, evaluate. Fills *rep; returns an exit code. */
static int evaluate(const run_args *a, period p, report *rep)
{
    rules_options ro;
    rules_options_init(&ro);
    ro.data_dir = a->data_dir;
    ro.verbose = a->verbose;
    kpi_error err;
    kpi_error_clear(&err);
    double t0 = seconds_now();
    rules *rs = rules_open(a->file, &ro, &err);
    if (!rs) return engine_error(&err);
    double t1 = seconds_now();
    if (!a->period && rules_default_period(rs, &p, &err) != 0) {
        rules_close(rs);
        return engine_error(&err);
    }
    int rc = rules_evaluate(rs, p, rep, &err);
    rules_close(rs);
    if (rc != 0) return engine_error(&err);
    if (a->verbose) {
        char label[64];
        fprintf(stderr, "kpiengine: %s: loaded in %.1f ms; %zu KPIs for %s in %.1f ms\n", a->file,
                (t1 - t0) * 1e3, rep->nkpis, period_label(p, label, sizeof label),
                (seconds_now() - t1) * 1e3);
    }
    return EXIT_DONE;
}

static int cmd_run(int argc, char **argv)
{
    run_args a;
    int rc = parse_run_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        fputs(usage_text, stdout);
        return EXIT_DONE;
    }
    period p = {GRAIN_MONTH, 0, 0};
    if ((rc = check_run_args(&a, &p)) != EXIT_DONE) return rc;
    report rep;
    memset(&rep, 0, sizeof rep);
    if ((rc = evaluate(&a, p, &rep)) != EXIT_DONE) {
        report_free(&rep);
        return rc;
    }
    rc = render_and_write(&a, &rep);
    if (rc == EXIT_DONE) rc = below_minimum_code(&a, &rep);
    report_free(&rep);
    return rc;
}

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

static int cmd_inspect(int argc, char **argv)
{
    inspect_args a;
    int rc = parse_inspect_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        fputs(usage_text, stdout);
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

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("missing a command (run or inspect)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("kpiengine %s\n", KPI_VERSION);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "inspect") == 0) return cmd_inspect(argc - 2, argv + 2);
    if (cmd[0] == '-') return usage_error("unknown option '%s'", cmd);
    return usage_error("unknown command '%s'", cmd);
}
