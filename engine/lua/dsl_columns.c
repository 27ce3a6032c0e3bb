/*
** dsl_columns.c -- what a CSV source loads, and from where.
**
** Columns: only those some file of the rule set names (as a name or a string literal,
** dsl.words), the time column and the declared ones. Reading a client's export, a rule
** set rarely needs its row ids (session_id, lead_id), and those are the columns with a
** string per row: the most costly to load and to keep. A column reached through a name
** built at run time is loaded when first used (dsl_source_column), so a KPI never sees
** less than the file.
**
** From where: the binary column cache (core/colcache.h) when the rule set runs with a
** cache folder (rules_options.cache_dir) and the file is unchanged; else the file, whose
** table is then cached for the next run; SQLite sources the same way. The cache never
** decides an outcome: a cache that cannot be read or written is passed over.
*/
#include <stdio.h>
#include <string.h>

#include "core/colcache.h"
#include "core/colcache_queue.h"
#include "core/csv.h"
#include "core/kpi_alloc.h"
#include "dsl.h"
#include "sandbox.h"

/*
** Bumped when the CSV loader would build a different table from the same file (type
** inference, null rules): older cache files are then stale.
*/
#define LOADER_SCHEMA "csv-table-1"

/* ---- the rule set's words ------------------------------------------------------------------ */

static int is_name_char(unsigned char c)
{
    return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

int dsl_note_words(dsl *d, const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    int rc = 0;
    dsl_words_lock(d);
    while (p < end && rc == 0) {
        const char *start = p;
        if (*p == '"' || *p == '\'') { /* a short string literal: its text, escapes as written */
            char quote = *p++;
            start = p;
            while (p < end && *p != quote && *p != '\n')
                p += *p == '\\' && p + 1 < end ? 2 : 1;
        } else if (is_name_char((unsigned char)*p)) {
            while (p < end && is_name_char((unsigned char)*p))
                p++;
        } else {
            p++;
            continue;
        }
        if (p > start && p - start < 256 &&
            dict_intern(d->words, start, (size_t)(p - start)) == DICT_NONE)
            rc = -1;
        if (p < end && (*p == '"' || *p == '\'')) p++;
    }
    dsl_words_unlock(d);
    return rc;
}

/* ---- loading from the file ------------------------------------------------------------------ */

typedef struct keep_ctx {
    const dsl *d;
    const dsl_source *s;
    const char *only; /* one column (dsl_source_column), or NULL */
} keep_ctx;

/* csv_options.progress: the rule set's progress callback, naming the file. */
static void csv_progress(double fraction, void *arg)
{
    const keep_ctx *k = arg;
    k->d->progress(k->s->path, fraction, k->d->progress_arg);
}

/*
** Whether a CSV source loads column name now: one the rule set's text names, its time
** column or a declared one. A column named nowhere can still be read through a name
** computed at run time: dsl_source_column loads it then.
*/
static int keep_column(const char *name, void *arg)
{
    const keep_ctx *k = arg;
    if (k->only) return strcmp(name, k->only) == 0;
    if (k->s->time && strcmp(name, k->s->time) == 0) return 1;
    for (size_t i = 0; i < k->s->ncolumns; i++)
        if (strcmp(name, k->s->columns[i].name) == 0) return 1;
    dsl_words_lock(k->d);
    int named = dict_find(k->d->words, name, strlen(name)) != DICT_NONE;
    dsl_words_unlock(k->d);
    return named;
}

table *dsl_load_csv(const dsl *d, dsl_source *s, const char *only, kpi_error *err)
{
    csv_options o;
    keep_ctx k = {d, s, only};
    csv_rejects again = {0};
    csv_options_init(&o);
    o.skip_bad_rows = s->skip_bad_rows;
    o.rejects = only ? &again : &s->rejects; /* a column loaded late: the same rows again */
    csv_rejects_free(o.rejects);
    o.delimiter = s->delimiter;
    o.decimal = s->decimal;
    o.date_format = s->date_format;
    o.header = s->header;
    o.columns = s->columns;
    o.ncolumns = s->ncolumns;
    o.keep = keep_column;
    o.keep_arg = &k;
    if (d->progress) {
        o.progress = csv_progress;
        o.progress_arg = &k;
    }
    table *t = csv_load(s->path, s->name, &o, err);
    if (only) csv_rejects_free(&again);
    return t;
}

/* ---- the column cache ------------------------------------------------------------------------ */

/*
** Everything besides the file that decides the table the loader builds from it. A
** SQLite database may hold committed changes in its write-ahead log, which leaves the
** main file as it was: the log's size and time are part of the key.
*/
static void schema_of(const dsl_source *s, char *out, size_t size)
{
    size_t n;
    if (s->csv) {
        n = (size_t)snprintf(out, size, "%s|delim=%d|decimal=%d|header=%d", LOADER_SCHEMA,
                             s->delimiter, s->decimal, s->header);
    } else {
        char wal[4200];
        colcache_stamp st = {0, 0};
        kpi_error err;
        snprintf(wal, sizeof wal, "%s-wal", s->path);
        if (colcache_stamp_of(wal, &st, &err) != 0) st.size = st.mtime_ns = -1;
        n = (size_t)snprintf(out, size, "%s|query=%s|table=%s|wal=%lld:%lld", LOADER_SCHEMA,
                             s->query ? s->query : "", s->table_name ? s->table_name : "",
                             (long long)st.size, (long long)st.mtime_ns);
    }
    if (n < size)
        n += (size_t)snprintf(out + n, size - n, "|format=%s|time=%s",
                              s->date_format ? s->date_format : "", s->time ? s->time : "");
    for (size_t i = 0; i < s->ncolumns && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "|%s=%s(%d)", s->columns[i].name,
                              table_type_name(s->columns[i].type), s->columns[i].scale);
}

/* The cache file of source s (its key in s->cache_schema) into path; 0, or -1 when s has none. */
static int cache_file(const dsl *d, const dsl_source *s, char *path, size_t size)
{
    kpi_error err;
    colcache_key k = {s->path, s->cache_schema};
    if (!d->cache_dir || !s->stamped || s->skip_bad_rows) return -1;
    return colcache_path(d->cache_dir, &k, path, size, &err);
}

table *dsl_cache_load(const dsl *d, dsl_source *s)
{
    char path[4096];
    table *t = NULL;
    kpi_error err;
    /* The key is taken once, with the stamp, before the file is read: a save after the
       load must not describe a file (or write-ahead log) that changed meanwhile. */
    s->stamped = colcache_stamp_of(s->path, &s->stamp, &err) == 0;
    schema_of(s, s->cache_schema, sizeof s->cache_schema);
    if (cache_file(d, s, path, sizeof path)) return NULL; /* skip_bad_rows: rejects not kept */
    colcache_key k = {s->path, s->cache_schema};
    const char *why = NULL;
    int flags = d->cache_verify ? COLCACHE_VERIFY_DATA : 0;
    if (colcache_load(path, &k, flags, &t, &why, &err) != 1) return NULL;
    return t;
}

void dsl_cache_save(const dsl *d, const dsl_source *s, const table *t)
{
    char path[4096];
    kpi_error err;
    colcache_key k = {s->path, s->cache_schema};
    if (cache_file(d, s, path, sizeof path)) return;
    if (d->cache_queue)
        colcache_queue_save(d->cache_queue, path, &k, t, &s->stamp);
    else
        colcache_save(path, &k, t, &s->stamp, &err); /* a cache not written is only slower */
}

void dsl_cache_wait(const dsl *d)
{
    colcache_queue_wait(d->cache_queue);
}

/* ---- a column loaded late -------------------------------------------------------------------- */

int dsl_source_column(lua_State *L, dsl *d, int id, int col, kpi_error *err)
{
    dsl_source *s = d->sources[id - 1];
    column *c = &s->t->cols[col];
    if (!c->absent) return 0;
    if (L) sandbox_pause(L);
    table *more = dsl_load_csv(d, s, c->name, err);
    if (L) sandbox_resume(L);
    if (!more) {
        kpi_error was = *err;
        kpi_error_set(err, was.kind, was.file[0] ? was.file : s->path, was.line, was.column,
                      "source '%s': %s", s->name, was.message);
        return -1;
    }
    int at = table_find(more, c->name);
    if (more->nrows != s->t->nrows || at < 0 || more->cols[at].absent) {
        table_free(more);
        return kpi_error_set(err, KPI_EIO, s->path, 0, 0,
                             "source '%s': the file changed while the rule set ran", s->name);
    }
    column *from = &more->cols[at];
    char *name = c->name; /* the same text: keep the name the table's users hold */
    *c = *from;
    c->name = name;
    kpi_free(from->name);
    memset(from, 0, sizeof *from);
    from->absent = 1;
    table_free(more);
    dsl_cache_save(d, s, s->t); /* the next run finds this column too */
    return 0;
}
