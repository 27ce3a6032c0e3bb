/*
** dsl_source.c -- `source "name" { ... }`: declaring a CSV or SQLite source, keeping
** its path inside the data root, and loading it on first use.
**
** A source is loaded by dsl_source_table() the first time a KPI (or the default period)
** needs it: csv_load or sqlsrc_load, then the time column: text is converted with
** date_convert_column (ISO, or the source's date_format) and table_set_time chooses it.
** A failed load is remembered, so every later use reports the same error.
*/
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/kpi_alloc.h"
#include "core/sqlsrc.h"
#include "api.h"
#include "dsl.h"
#include "lkpi.h"
#include "sandbox.h"
#include "suggest.h"

static const char *const source_fields[] = {API_SOURCE_FIELDS(API_FIELD_NAME) NULL};

enum {
    ST_CSV,
    ST_SQLITE,
    ST_QUERY,
    ST_TABLE,
    ST_TIME,
    ST_DELIMITER,
    ST_DECIMAL,
    ST_DATE_FORMAT,
    ST_ENCODING,
    ST_DESCRIPTION,
    ST_ON_ERROR,
    ST_N
};

/* The fields of one source declaration, checked but not yet committed. */
typedef struct source_decl {
    const char *text[ST_N];
    int header; /* -1 absent */
    size_t ncolumns;
    char path[PATH_MAX];
} source_decl;

/* ---- paths ------------------------------------------------------------------------------- */

static int outside(const dsl *d, const char *what, const char *rel, kpi_error *err)
{
    return kpi_error_set(err, KPI_ESCRIPT, NULL, 0, 0,
                         "%s: path '%s' is outside the data folder %s", what, rel, d->root);
}

/* Whether the ".." parts of rel climb above its start. */
static int climbs_out(const char *rel)
{
    long depth = 0;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0) return 1;
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            depth++;
        }
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

/*
** Whether path, its symbolic links followed, is below the data root. A path that does
** not resolve (no such file yet) passes: opening it fails later with its own message,
** and the source is checked again just before it is read.
*/
static int resolves_inside(const dsl *d, const char *path)
{
    char *real = realpath(path, NULL);
    if (!real) return 1;
    size_t len = strlen(d->root);
    int inside = strcmp(d->root, "/") == 0 ||
                 (strncmp(real, d->root, len) == 0 && (real[len] == '/' || real[len] == '\0'));
    free(real);
    return inside;
}

int dsl_resolve_path(const dsl *d, const char *what, const char *rel, char *out, size_t size,
                     kpi_error *err)
{
    if (!rel[0]) return kpi_error_set(err, KPI_ESCRIPT, NULL, 0, 0, "%s: the path is empty", what);
    if (rel[0] == '/')
        return kpi_error_set(err, KPI_ESCRIPT, NULL, 0, 0,
                             "%s: path '%s' is absolute; give it relative to the data folder %s",
                             what, rel, d->root);
    if (climbs_out(rel)) return outside(d, what, rel, err);
    int n = strcmp(d->root_shown, ".") == 0 ? snprintf(out, size, "%s", rel)
                                            : snprintf(out, size, "%s/%s", d->root_shown, rel);
    if (n < 0 || (size_t)n >= size)
        return kpi_error_set(err, KPI_ESCRIPT, NULL, 0, 0, "%s: path '%s' is too long", what, rel);
    return resolves_inside(d, out) ? 0 : outside(d, what, rel, err);
}

/* ---- reading the declaration --------------------------------------------------------------- */

static int parse_type(lua_State *L, const char *what, const char *col, const char *type,
                      column_decl *out)
{
    static const char *const types[] = {"int",       "float",  "decimal", "date",
                                        "timestamp", "string", "bool",    NULL};
    if (table_type_parse(type, &out->type, &out->scale) == 0) return 0;
    suggest s;
    suggest_init(&s, type);
    for (const char *const *t = types; *t; t++)
        suggest_add(&s, *t);
    if (suggest_result(&s))
        return luaL_error(L, "%s: column '%s': unknown type '%s' (did you mean '%s'?)", what, col,
                          type, suggest_result(&s));
    return luaL_error(L,
                      "%s: column '%s': unknown type '%s' (int, float, decimal, decimal(2), date, "
                      "timestamp, string or bool)",
                      what, col, type);
}

/* columns = { name = "type", ... }: check every entry; returns how many. */
static size_t read_columns(lua_State *L, const char *what)
{
    int t = lua_getfield(L, 1, "columns");
    size_t n = 0;
    if (t == LUA_TTABLE) {
        for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
            if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
                luaL_error(L, "%s: columns are written name = \"type\"", what);
            column_decl c;
            parse_type(L, what, lua_tostring(L, -2), lua_tostring(L, -1), &c);
            n++;
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "%s: columns must be a table { name = \"type\" }, got %s", what,
                   l_kpi_typename(L, -1));
    }
    lua_pop(L, 1); /* pop columns */
    return n;
}

static void check_csv_options(lua_State *L, const char *what, const source_decl *c)
{
    const char *delim = c->text[ST_DELIMITER], *dec = c->text[ST_DECIMAL];
    if (delim && (strlen(delim) != 1 || strchr("\"\r\n", delim[0])))
        luaL_error(L, "%s: delimiter must be one character (such as \",\", \";\" or \"\\t\")",
                   what);
    if (dec && strcmp(dec, ".") != 0 && strcmp(dec, ",") != 0)
        luaL_error(L, "%s: decimal must be \".\" or \",\"", what);
    if ((delim ? delim[0] : ',') == (dec ? dec[0] : '.'))
        luaL_error(L, "%s: the delimiter and the decimal mark must differ", what);
}

static void read_source(lua_State *L, dsl *d, const char *what, source_decl *c)
{
    static const char *const names[ST_N] = {"csv",      "sqlite",      "query",   "table",
                                            "time",     "delimiter",   "decimal", "date_format",
                                            "encoding", "description", "on_error"};
    for (int i = 0; i < ST_N; i++) {
        c->text[i] = NULL;
        if (dsl_opt_string(L, 1, what, names[i], &c->text[i]) == 2)
            luaL_error(L, "%s: field '%s' must be a string", what, names[i]);
    }
    int t = lua_getfield(L, 1, "header");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        luaL_error(L, "%s: field 'header' must be true or false", what);
    c->header = t == LUA_TNIL ? -1 : lua_toboolean(L, -1);
    lua_pop(L, 1);
    const char *csv = c->text[ST_CSV], *db = c->text[ST_SQLITE];
    if (!csv == !db)
        luaL_error(L, "%s: give either csv = \"file.csv\" or sqlite = \"file.db\"", what);
    if (csv && (c->text[ST_QUERY] || c->text[ST_TABLE]))
        luaL_error(L, "%s: query and table only apply to sqlite sources", what);
    if (db && !c->text[ST_QUERY] == !c->text[ST_TABLE])
        luaL_error(L, "%s: give either query = \"SELECT ...\" or table = \"name\"", what);
    if (db && (c->text[ST_DELIMITER] || c->text[ST_DECIMAL] || c->header >= 0))
        luaL_error(L, "%s: delimiter, decimal and header only apply to csv sources", what);
    if (csv) check_csv_options(L, what, c);
    const char *on_error = c->text[ST_ON_ERROR];
    if (on_error && strcmp(on_error, "fail") != 0 && strcmp(on_error, "skip") != 0)
        luaL_error(L, "%s: on_error must be \"fail\" or \"skip\", not \"%s\"", what, on_error);
    if (db && on_error && strcmp(on_error, "skip") == 0)
        luaL_error(L, "%s: on_error = \"skip\" only applies to csv sources", what);
    const char *enc = c->text[ST_ENCODING];
    if (enc && strcasecmp(enc, "utf-8") != 0 && strcasecmp(enc, "utf8") != 0)
        luaL_error(L, "%s: encoding '%s' is not supported (only utf-8)", what, enc);
    c->ncolumns = read_columns(L, what);
    kpi_error err;
    if (dsl_resolve_path(d, what, csv ? csv : db, c->path, sizeof c->path, &err) != 0)
        luaL_error(L, "%s", err.message);
}

/* ---- committing ---------------------------------------------------------------------------- */

/* Drop a source's spec and table, keeping its name and number. */
static void clear_spec(dsl_source *s)
{
    char **texts[] = {&s->csv,  &s->sqlite,      &s->query, &s->table_name,
                      &s->time, &s->date_format, &s->path,  &s->file};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        kpi_free(*texts[i]);
        *texts[i] = NULL;
    }
    for (size_t i = 0; i < s->ncolumns; i++)
        kpi_free((char *)s->columns[i].name);
    kpi_free(s->columns);
    s->columns = NULL;
    s->ncolumns = 0;
    table_free(s->t);
    s->t = NULL;
    s->failed = 0;
    csv_rejects_free(&s->rejects);
}

void dsl_source_free(dsl_source *s)
{
    if (!s) return;
    clear_spec(s);
    kpi_free(s->name);
    kpi_free(s);
}

static void commit_columns(lua_State *L, dsl_source *s, size_t n)
{
    if (n == 0) return;
    if (!(s->columns = kpi_calloc(n, sizeof *s->columns))) luaL_error(L, "out of memory");
    lua_getfield(L, 1, "columns");
    for (lua_pushnil(L); lua_next(L, -2) && s->ncolumns < n; lua_pop(L, 1)) {
        column_decl *c = &s->columns[s->ncolumns];
        table_type_parse(lua_tostring(L, -1), &c->type, &c->scale);
        char *name = NULL;
        dsl_set_string(L, &name, lua_tostring(L, -2));
        c->name = name;
        s->ncolumns++;
    }
    lua_pop(L, 1); /* pop columns */
}

static void commit_source(lua_State *L, dsl_source *s, const source_decl *c)
{
    dsl_set_string(L, &s->csv, c->text[ST_CSV]);
    dsl_set_string(L, &s->sqlite, c->text[ST_SQLITE]);
    dsl_set_string(L, &s->query, c->text[ST_QUERY]);
    dsl_set_string(L, &s->table_name, c->text[ST_TABLE]);
    dsl_set_string(L, &s->time, c->text[ST_TIME]);
    dsl_set_string(L, &s->date_format, c->text[ST_DATE_FORMAT]);
    dsl_set_string(L, &s->path, c->path);
    s->delimiter = c->text[ST_DELIMITER] ? c->text[ST_DELIMITER][0] : ',';
    s->decimal = c->text[ST_DECIMAL] ? c->text[ST_DECIMAL][0] : '.';
    s->header = c->header != 0;
    s->skip_bad_rows = c->text[ST_ON_ERROR] && strcmp(c->text[ST_ON_ERROR], "skip") == 0;
    commit_columns(L, s, c->ncolumns);
    int line;
    dsl_set_string(L, &s->file, dsl_caller(L, &line));
    s->line = line;
}

static dsl_source *find_source(const dsl *d, const char *name)
{
    for (size_t i = 0; i < d->nsources; i++)
        if (strcmp(d->sources[i]->name, name) == 0) return d->sources[i];
    return NULL;
}

static int source_declarer(lua_State *L)
{
    dsl *d = sandbox_user(L);
    const char *name = lua_tostring(L, lua_upvalueindex(1));
    char what[160];
    snprintf(what, sizeof what, "source '%s'", name);
    dsl_declaring(L, d, what);
    if (!lua_istable(L, 1))
        luaL_error(L, "%s: expected a table: source \"%s\" { csv = ... }", what, name);
    dsl_check_fields(L, 1, what, source_fields);
    dsl_source *s = find_source(d, name);
    if (s) dsl_check_redeclared(L, what, s->file, s->line);
    source_decl *c = lua_newuserdatauv(L, sizeof *c, 0); /* too big for the C stack frame */
    read_source(L, d, what, c);
    if (s) {
        dsl_cache_wait(d); /* a queued save may still read the old table */
        clear_spec(s);
        l_view_cache_clear(L); /* cached views hold rows of the old table */
    } else {
        d->sources = dsl_grow(L, d->sources, d->nsources, sizeof *d->sources);
        if (!(s = kpi_calloc(1, sizeof *s))) luaL_error(L, "out of memory");
        d->sources[d->nsources++] = s;
        s->id = (int)d->nsources;
        dsl_set_string(L, &s->name, name);
        sandbox_add_name(L, name);
    }
    commit_source(L, s, c);
    l_table_push(L, s->id);
    return 1;
}

int dsl_source_decl(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING || lua_rawlen(L, 1) == 0 || lua_rawlen(L, 1) > 120)
        luaL_error(L, "source: expected a name: source \"name\" { csv = ... }");
    char what[160];
    snprintf(what, sizeof what, "source '%s'", lua_tostring(L, 1));
    dsl_expect_body(L, sandbox_user(L), what);
    lua_settop(L, 1);
    lua_pushcclosure(L, source_declarer, 1);
    return 1;
}

/* ---- loading ------------------------------------------------------------------------------- */

/* Put "source 'x': " before err's message and its path when the loader gave none. */
static void name_error(const dsl_source *s, kpi_error *err)
{
    kpi_error was = *err;
    kpi_error_set(err, was.kind, was.file[0] ? was.file : s->path, was.line, was.column,
                  "source '%s': %s", s->name, was.message);
}

/*
** The loader's error, named for the source. A SQLite query that does not run (bad SQL,
** unknown table or column, a value it cannot compute) is part of the rule set: a script
** error at the declaration, naming the database.
*/
static void loader_error(const dsl_source *s, kpi_error *err)
{
    if (s->sqlite && err->kind == KPI_EUSAGE) {
        kpi_error was = *err;
        kpi_error_set(err, KPI_ESCRIPT, s->file, s->line, 0, "source '%s': %s on %s: %s", s->name,
                      s->query ? "the query failed" : "cannot read the table", s->path,
                      was.message);
        return;
    }
    name_error(s, err);
}

static int missing_time_column(const dsl_source *s, const table *t, kpi_error *err)
{
    suggest sg;
    suggest_init(&sg, s->time);
    for (size_t i = 0; i < t->ncols; i++)
        suggest_add(&sg, t->cols[i].name);
    char hint[200] = "";
    if (suggest_result(&sg))
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", suggest_result(&sg));
    return kpi_error_set(err, KPI_ESCRIPT, s->file, s->line, 0,
                         "source '%s': time column '%s' is not in %s%s", s->name, s->time, s->path,
                         hint);
}

/*
** The line and column (in characters) where field `field` (0-based) of data record
** `record` (1-based) starts in a CSV source, read again from the file as csv.h parses
** it: a byte-order mark, quoted fields with newlines, CRLF or LF, blank lines skipped,
** the header not counted. Only on the error path: the loaded table keeps no positions.
** Leaves *line at 0 when the file cannot be read or is shorter.
*/
static void csv_position(const dsl_source *s, long record, int field, long *line, long *col_out)
{
    FILE *f = fopen(s->path, "rb");
    if (!f) return;
    long ln = 1, col = 1, rec = s->header ? 0 : 1;
    int c, fld = 0, quoted = 0, at_start = 1, field_start = 1;
    if (getc(f) != 0xEF || getc(f) != 0xBB || getc(f) != 0xBF) rewind(f);
    while (rec <= record && (c = getc(f)) != EOF) {
        if (c == '\r' && !quoted) { /* CRLF is one line break */
            int next = getc(f);
            if (next == '\n')
                c = '\n';
            else if (next != EOF)
                ungetc(next, f);
        }
        if (at_start && c == '\n') { /* a blank line is no record */
            ln++;
            continue;
        }
        if (field_start && rec == record && fld == field) {
            *line = ln;
            *col_out = col;
            break;
        }
        at_start = field_start = 0;
        if (c == '\n') {
            ln++;
            col = 1;
            if (!quoted) {
                rec++;
                fld = 0;
                at_start = field_start = 1;
            }
            continue;
        }
        if (c == '"') {
            quoted = !quoted;
        } else if (c == s->delimiter && !quoted) {
            fld++;
            field_start = 1;
        }
        if ((c & 0xC0) != 0x80) col++; /* UTF-8 continuation bytes are part of a character */
    }
    fclose(f);
}

/* Convert a text time column and choose it. */
static int set_time(const dsl_source *s, table *t, kpi_error *err)
{
    int col = table_find(t, s->time);
    if (col < 0) return missing_time_column(s, t, err);
    if (t->cols[col].type == COL_STRING && date_convert_column(t, col, s->date_format, err) != 0) {
        kpi_error was = *err;
        if (s->csv) {
            long line = 0, at = 0;
            csv_position(s, was.line, col, &line, &at);
            return kpi_error_set(err, KPI_EDATA, s->path, line, at,
                                 "source '%s': time column '%s': %s", s->name, s->time,
                                 was.message);
        }
        return kpi_error_set(err, KPI_EDATA, s->path, 0, 0,
                             "source '%s': time column '%s', result row %ld: %s", s->name, s->time,
                             was.line, was.message);
    }
    if (table_set_time(t, s->time, err) != 0) {
        err->kind = KPI_EDATA;
        name_error(s, err);
        return -1;
    }
    return 0;
}

void dsl_sqlsrc_options(const dsl_source *s, sqlsrc_options *o)
{
    sqlsrc_options_init(o);
    o->query = s->query;
    o->table = s->table_name;
    o->date_format = s->date_format;
    o->columns = s->columns;
    o->ncolumns = s->ncolumns;
}

static table *load(const dsl *d, dsl_source *s, kpi_error *err)
{
    table *t;
    if ((t = dsl_cache_load(d, s))) return t;
    if (s->csv) {
        t = dsl_load_csv(d, s, NULL, err);
    } else {
        sqlsrc_options o;
        dsl_sqlsrc_options(s, &o);
        t = sqlsrc_load(s->path, s->name, &o, err);
    }
    if (!t) {
        loader_error(s, err);
        return NULL;
    }
    if (s->csv && t->ncols == 0) { /* no header, no record: nothing a KPI could read */
        table_free(t);
        kpi_error_set(err, KPI_EDATA, s->path, 0, 0,
                      "source '%s': the file is empty (no header line, no records)", s->name);
        return NULL;
    }
    if (s->time && set_time(s, t, err) != 0) {
        table_free(t);
        return NULL;
    }
    dsl_cache_save(d, s, t);
    return t;
}

/* ---- sources loaded ahead ------------------------------------------------------------------ */

/*
** One load alone leaves a core idle at times: while a CSV file's chunks are joined,
** between files, and all through a SQLite query, which runs on one core. So when an
** evaluation starts, DSL_PREFETCH_THREADS threads take the sources not loaded yet (the
** SQLite ones first, then in declaration order) and load each as dsl_source_table would
** (into s->t, or s->failed and s->error), while the KPIs run. A KPI that reads a source
** waits for that source alone, or loads it itself when no thread has taken it yet.
** Sources the KPIs never read are loaded all the same: sources are declared to be read.
** Cache saves go to the queue, which takes jobs from any thread.
**
** d->prefetch_lock guards a prefetched source's `taken`, `ready` and what its load sets
** (t, failed, error), and the words (dsl_note_words may run while a thread decides which
** columns to load). `prefetched` is the evaluating thread's alone: set by dsl_prefetch,
** cleared by dsl_prefetch_wait once the threads are joined.
*/

/*
** The next source of the prefetch no thread has taken, marked taken; NULL when none.
** SQLite sources go first: a query runs on one core from start to end, so one started
** last would finish alone while the other core idles.
*/
static dsl_source *take_next(dsl *d)
{
    for (int sqlite_pass = 1; sqlite_pass >= 0; sqlite_pass--)
        for (size_t i = 0; i < d->nsources; i++) {
            dsl_source *s = d->sources[i];
            if (s->prefetched && !s->taken && (s->sqlite != NULL) == sqlite_pass) {
                s->taken = 1;
                return s;
            }
        }
    return NULL;
}

/* Load s, taken by this thread, and tell the waiting ones. */
static void load_taken(dsl *d, dsl_source *s)
{
    kpi_error err;
    kpi_error_clear(&err);
    table *t = load(d, s, &err);
    pthread_mutex_lock(&d->prefetch_lock);
    if (!(s->t = t)) {
        s->failed = 1;
        s->error = err;
    }
    s->ready = 1;
    pthread_cond_broadcast(&d->prefetch_ready);
    pthread_mutex_unlock(&d->prefetch_lock);
}

static void *prefetch_main(void *arg)
{
    dsl *d = arg;
    for (;;) {
        pthread_mutex_lock(&d->prefetch_lock);
        dsl_source *s = take_next(d);
        pthread_mutex_unlock(&d->prefetch_lock);
        if (!s) return NULL;
        load_taken(d, s);
    }
}

void dsl_prefetch(dsl *d)
{
    if (d->prefetch_started) return;
    d->prefetch_started = 1;
    int any = 0;
    for (size_t i = 0; i < d->nsources; i++) {
        dsl_source *s = d->sources[i];
        /* A path that left the data folder is dsl_source_table's to report. */
        s->prefetched = !s->t && !s->failed && resolves_inside(d, s->path);
        s->taken = s->ready = 0;
        any |= s->prefetched;
    }
    if (any && pthread_mutex_init(&d->prefetch_lock, NULL) == 0) {
        if (pthread_cond_init(&d->prefetch_ready, NULL) == 0) {
            d->prefetch_running = 1; /* before the threads start: dsl_note_words reads it */
            for (int i = 0; i < DSL_PREFETCH_THREADS; i++)
                if (pthread_create(&d->prefetch_threads[d->nprefetch], NULL, prefetch_main, d) == 0)
                    d->nprefetch++;
            if (d->nprefetch) return;
            d->prefetch_running = 0;
            pthread_cond_destroy(&d->prefetch_ready);
        }
        pthread_mutex_destroy(&d->prefetch_lock);
    }
    for (size_t i = 0; i < d->nsources; i++) /* no thread: each loads when first read */
        d->sources[i]->prefetched = 0;
}

/*
** s belongs to the prefetch: wait until it is loaded, or load it on this thread when no
** prefetch thread has taken it yet.
*/
static void wait_prefetched(dsl *d, dsl_source *s)
{
    pthread_mutex_lock(&d->prefetch_lock);
    int mine = !s->taken;
    s->taken = 1;
    while (!mine && !s->ready)
        pthread_cond_wait(&d->prefetch_ready, &d->prefetch_lock);
    pthread_mutex_unlock(&d->prefetch_lock);
    if (mine) load_taken(d, s);
}

void dsl_prefetch_wait(dsl *d)
{
    if (!d->prefetch_running) return;
    for (int i = 0; i < d->nprefetch; i++)
        pthread_join(d->prefetch_threads[i], NULL);
    d->nprefetch = 0;
    d->prefetch_running = 0;
    pthread_cond_destroy(&d->prefetch_ready);
    pthread_mutex_destroy(&d->prefetch_lock);
    for (size_t i = 0; i < d->nsources; i++)
        d->sources[i]->prefetched = 0;
}

/* The lock is the rule set's, not part of its value: taken through a const pointer too. */
void dsl_words_lock(const dsl *d)
{
    if (d->prefetch_running) pthread_mutex_lock((pthread_mutex_t *)&d->prefetch_lock);
}

void dsl_words_unlock(const dsl *d)
{
    if (d->prefetch_running) pthread_mutex_unlock((pthread_mutex_t *)&d->prefetch_lock);
}

/* ---- a source's table ---------------------------------------------------------------------- */

const table *dsl_source_table(lua_State *L, dsl *d, int id, kpi_error *err)
{
    if (id < 1 || (size_t)id > d->nsources)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "no source number %d", id), NULL;
    dsl_source *s = d->sources[id - 1];
    if (s->prefetched) {
        if (L) sandbox_pause(L); /* loading data is not the script's time */
        wait_prefetched(d, s);
        if (L) sandbox_resume(L);
    }
    if (s->t) return s->t;
    if (s->failed) {
        *err = s->error;
        return NULL;
    }
    kpi_error_clear(err);
    if (!resolves_inside(d, s->path)) /* a link may have changed since the declaration */
        kpi_error_set(err, KPI_ESCRIPT, s->file, s->line, 0,
                      "source '%s': path '%s' is outside the data folder %s", s->name,
                      s->csv ? s->csv : s->sqlite, d->root);
    if (L) sandbox_pause(L); /* loading data is not the script's time */
    if (err->kind == KPI_OK) s->t = load(d, s, err);
    if (L) sandbox_resume(L);
    if (!s->t) {
        s->failed = 1;
        s->error = *err;
    }
    return s->t;
}
