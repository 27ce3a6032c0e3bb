/*
** sqlsrc.c -- load a SQLite query result into a typed table; see sqlsrc.h.
**
** One pass over the statement (a query can be expensive, so it is never run twice).
** Every result column collects its values in an array of 8-byte slots that grows
** geometrically; a slot holds an int64, a double, a dict code, days or seconds. At the
** end each array is compacted in place to its final element size and handed to the
** table, so no value is copied into a second fresh array. Text values are interned in
** batches (struct pending), so that the cache misses of their dict lookups overlap.
**
** An undeclared column's kind follows its values as SQLite's own affinity would: it
** starts as whatever it first sees, INTEGER widens to REAL (earlier slots converted
** once), and any TEXT or BLOB makes it text (earlier numbers rendered as SQLite renders
** them). A column that saw only text is then offered to date_convert_column: all
** dates give DATE, dates and times give TIMESTAMP, anything else stays STRING.
** A declared column converts each value straight to its type and reports the first
** value that does not fit by result row and column name. Declared dates and timestamps
** take what SQLite's date functions take: ISO text (or the date format), an INTEGER as
** unix seconds, a REAL as a Julian day number, in the years 0000..9999.
*/
#include "sqlsrc.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "kpi_alloc.h"
#include "parse.h"

#define FIRST_CAPACITY  1024 /* rows; a multiple of 64 so bitmaps grow by whole words */
#define PENDING_STRINGS 32   /* text values whose dict lookups overlap (see dict.h) */
#define UNIX_EPOCH_JD   2440587.5
#define FIRST_SECOND    INT64_C(-62167219200) /* 0000-01-01 00:00:00 */
#define LAST_SECOND     INT64_C(253402300799) /* 9999-12-31 23:59:59 */

typedef union slot {
    int64_t i;
    double f;
} slot;

typedef enum seen_kind { SEEN_NOTHING, SEEN_INT, SEEN_FLOAT, SEEN_TEXT } seen_kind;

typedef struct builder {
    const char *name;        /* sqlite3_column_name: valid until the statement is finalized */
    const column_decl *decl; /* NULL: inferred */
    seen_kind seen;          /* inferred columns: what the values so far require */
    int mixed;               /* inferred text column that also held numbers or blobs */
    int scale;               /* declared decimals: the scale of the slots */
    slot *slots;
    uint64_t *valid; /* NULL until the first null */
    uint64_t *ints;  /* inferred REAL columns: rows that still hold an INTEGER (as int64) */
    size_t nnull;
    dict *dict;
} builder;

/*
** A text value waiting for its code: SQLite's text lives only until the next step, so it
** is copied (loader.text), hashed and its dict slot prefetched; flush_strings interns
** the batch in order, the cache misses of its lookups overlapping.
*/
typedef struct pending {
    builder *b;
    size_t row;
    size_t at, len; /* the copy in loader.text */
    dict_key key;
} pending;

typedef struct loader {
    const char *path;
    const sqlsrc_options *o;
    sqlite3 *db;
    sqlite3_stmt *stmt;
    builder *cols;
    int ncols;
    size_t nrows, cap;
    pending pend[PENDING_STRINGS];
    int npend;
    char *text; /* the pending values' bytes */
    size_t text_used, text_cap;
    kpi_error *err;
} loader;

void sqlsrc_options_init(sqlsrc_options *o)
{
    memset(o, 0, sizeof *o);
    o->busy_timeout_ms = 5000;
}

static int oom(loader *L)
{
    return kpi_error_set(L->err, KPI_ENOMEM, L->path, 0, 0, "out of memory");
}

/* Map a SQLite failure to an error naming the database file. */
static int sql_error(loader *L, int rc)
{
    const char *msg = L->db ? sqlite3_errmsg(L->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return kpi_error_set(L->err, KPI_EDATA, L->path, 0, 0, "not a SQLite database");
    case SQLITE_CORRUPT:
        return kpi_error_set(L->err, KPI_EDATA, L->path, 0, 0, "database is damaged: %s", msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        /* Another connection holds a lock: say so, and how long was waited for it. */
        return kpi_error_set(L->err, KPI_EIO, L->path, 0, 0,
                             "database is locked by another connection (gave up after waiting "
                             "%g s for it)",
                             (L->o->busy_timeout_ms > 0 ? L->o->busy_timeout_ms : 0) / 1000.0);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PERM:
        return kpi_error_set(L->err, KPI_EIO, L->path, 0, 0, "%s", msg);
    case SQLITE_NOMEM:
        return oom(L);
    default:
        return kpi_error_set(L->err, KPI_EUSAGE, L->path, 0, 0, "%s", msg);
    }
}

static int open_db(loader *L)
{
    struct stat st;
    if (stat(L->path, &st) != 0 || access(L->path, R_OK) != 0)
        return kpi_error_set(L->err, KPI_EIO, L->path, 0, 0, "cannot open database: %s",
                             strerror(errno));
    if (S_ISDIR(st.st_mode))
        return kpi_error_set(L->err, KPI_EIO, L->path, 0, 0,
                             "cannot open database: it is a directory");
    int rc = sqlite3_open_v2(L->path, &L->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) return sql_error(L, rc);
    sqlite3_busy_timeout(L->db, L->o->busy_timeout_ms > 0 ? L->o->busy_timeout_ms : 0);
    /* Read the header now: a query that touches no table would never notice a non-database. */
    rc = sqlite3_exec(L->db, "PRAGMA schema_version", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(L, rc);
}

/* Prepare exactly one read-only statement. */
static int prepare(loader *L, const char *sql)
{
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(L->db, sql, -1, &L->stmt, &tail);
    if (rc != SQLITE_OK) return sql_error(L, rc);
    if (!L->stmt) return kpi_error_set(L->err, KPI_EUSAGE, L->path, 0, 0, "the query is empty");
    sqlite3_stmt *next = NULL;
    rc = sqlite3_prepare_v2(L->db, tail, -1, &next, NULL);
    sqlite3_finalize(next);
    if (rc != SQLITE_OK || next)
        return kpi_error_set(L->err, KPI_EUSAGE, L->path, 0, 0,
                             "the query must be a single statement");
    if (!sqlite3_stmt_readonly(L->stmt))
        return kpi_error_set(L->err, KPI_EUSAGE, L->path, 0, 0,
                             "the query must only read data (a SELECT)");
    if (sqlite3_column_count(L->stmt) == 0)
        return kpi_error_set(L->err, KPI_EUSAGE, L->path, 0, 0, "the query returns no columns");
    return 0;
}

/* One builder per result column, tied to its declaration when there is one. */
static int setup_columns(loader *L)
{
    L->ncols = sqlite3_column_count(L->stmt);
    L->cols = kpi_calloc((size_t)L->ncols, sizeof *L->cols);
    if (!L->cols) return oom(L);
    for (int i = 0; i < L->ncols; i++) {
        builder *b = &L->cols[i];
        b->name = sqlite3_column_name(L->stmt, i);
        if (!b->name) return oom(L);
        for (size_t d = 0; d < L->o->ncolumns; d++)
            if (strcmp(L->o->columns[d].name, b->name) == 0) b->decl = &L->o->columns[d];
        if (b->decl && b->decl->type == COL_DECIMAL)
            b->scale = b->decl->scale > 0 ? b->decl->scale : 0;
    }
    for (size_t d = 0; d < L->o->ncolumns; d++) {
        int found = 0;
        for (int i = 0; i < L->ncols; i++)
            found |= L->cols[i].decl == &L->o->columns[d];
        if (!found)
            return kpi_error_set(L->err, KPI_EUSAGE, L->path, 0, 0,
                                 "declared column '%s' is not in the query result",
                                 L->o->columns[d].name);
        if (L->o->columns[d].type == COL_DECIMAL && L->o->columns[d].scale > DECIMAL_MAX_SCALE)
            return kpi_error_set(L->err, KPI_EUSAGE, L->path, 0, 0,
                                 "column '%s': decimal scale %d is over the maximum %d",
                                 L->o->columns[d].name, L->o->columns[d].scale, DECIMAL_MAX_SCALE);
    }
    return 0;
}

/* A bitmap of cap bits grown from old_cap bits (NULL: new), the new words all ones or zeros. */
static uint64_t *bitmap_grow(uint64_t *bm, size_t old_cap, size_t cap, int ones)
{
    uint64_t *v = kpi_array_realloc(bm, old_cap / 64, cap / 64, sizeof *v);
    if (v) memset(v + old_cap / 64, ones ? 0xff : 0, (cap - old_cap) / 64 * sizeof *v);
    return v;
}

static int grow(loader *L)
{
    size_t cap = L->cap ? L->cap * 2 : FIRST_CAPACITY;
    for (int i = 0; i < L->ncols; i++) {
        builder *b = &L->cols[i];
        slot *s = kpi_array_realloc(b->slots, L->cap, cap, sizeof *s);
        if (!s) return oom(L);
        b->slots = s;
        uint64_t *v = b->valid ? bitmap_grow(b->valid, L->cap, cap, 1) : NULL;
        if (v) b->valid = v;
        uint64_t *n = b->ints ? bitmap_grow(b->ints, L->cap, cap, 0) : NULL;
        if (n) b->ints = n;
        if ((b->valid && !v) || (b->ints && !n)) return oom(L);
    }
    L->cap = cap;
    return 0;
}

static int set_null(loader *L, builder *b, size_t row)
{
    if (!b->valid && !(b->valid = bitmap_grow(NULL, 0, L->cap, 1))) return oom(L);
    b->valid[row >> 6] &= ~((uint64_t)1 << (row & 63));
    b->nnull++;
    b->slots[row].i = 0;
    return 0;
}

static int is_valid(const builder *b, size_t row)
{
    return !b->valid || (b->valid[row >> 6] >> (row & 63)) & 1;
}

static int held_int(const builder *b, size_t row)
{
    return b->seen == SEEN_INT || (b->ints && (b->ints[row >> 6] >> (row & 63)) & 1);
}

/* Note that row of a REAL column held an INTEGER. */
static int mark_int(loader *L, builder *b, size_t row)
{
    if (!b->ints && !(b->ints = bitmap_grow(NULL, 0, L->cap, 0))) return oom(L);
    b->ints[row >> 6] |= (uint64_t)1 << (row & 63);
    return 0;
}

/* The value's text (a number rendered as SQLite renders it); len set. */
static const char *value_text(loader *L, int col, size_t *len)
{
    const char *s;
    if (sqlite3_column_type(L->stmt, col) == SQLITE_BLOB)
        s = sqlite3_column_blob(L->stmt, col);
    else
        s = (const char *)sqlite3_column_text(L->stmt, col);
    *len = (size_t)sqlite3_column_bytes(L->stmt, col);
    return s ? s : "";
}

/* Give the pending values their codes, in the order they came. */
static int flush_strings(loader *L)
{
    for (int i = 0; i < L->npend; i++) {
        const pending *p = &L->pend[i];
        uint32_t code = dict_intern_key(p->b->dict, L->text + p->at, p->len, p->key);
        if (code == DICT_NONE) return oom(L);
        p->b->slots[p->row].i = code;
    }
    L->npend = 0;
    L->text_used = 0;
    return 0;
}

/* Row `row` of b holds the text s[0..len): its code is set by the next flush_strings. */
static int intern(loader *L, builder *b, size_t row, const char *s, size_t len)
{
    if (L->npend == PENDING_STRINGS && flush_strings(L)) return -1;
    if (len > L->text_cap - L->text_used) {
        size_t cap = L->text_cap ? L->text_cap * 2 : 4096;
        while (cap - L->text_used < len)
            cap *= 2;
        char *text = kpi_realloc(L->text, cap);
        if (!text) return oom(L);
        L->text = text;
        L->text_cap = cap;
    }
    char *copy = L->text + L->text_used;
    memcpy(copy, s, len);
    pending *p = &L->pend[L->npend++];
    *p = (pending){.b = b,
                   .row = row,
                   .at = L->text_used,
                   .len = len,
                   .key = dict_hash(copy, len, copy + len)};
    L->text_used += len;
    dict_prefetch(b->dict, p->key.hash);
    return 0;
}

/* An inferred numeric column meets text: render its earlier numbers into the dict. */
static int become_text(loader *L, builder *b, size_t row)
{
    b->dict = dict_new();
    if (!b->dict) return oom(L);
    b->mixed = b->seen != SEEN_NOTHING;
    for (size_t r = 0; r < row; r++) {
        if (!is_valid(b, r)) continue;
        char buf[64];
        if (held_int(b, r))
            snprintf(buf, sizeof buf, "%lld", (long long)b->slots[r].i);
        else
            sqlite3_snprintf(sizeof buf, buf, "%!.15g", b->slots[r].f);
        if (intern(L, b, r, buf, strlen(buf))) return -1;
    }
    b->seen = SEEN_TEXT;
    return 0;
}

static int take_inferred(loader *L, builder *b, int col, size_t row, int type)
{
    /*
    ** A REAL column keeps its INTEGER rows as int64 (marked in ints) until the end: a
    ** later TEXT renders them exactly, as SQLite would, which a double past 2^53 cannot.
    */
    if (type == SQLITE_INTEGER && b->seen != SEEN_TEXT) {
        if (b->seen == SEEN_NOTHING) b->seen = SEEN_INT;
        b->slots[row].i = sqlite3_column_int64(L->stmt, col);
        return b->seen == SEEN_INT ? 0 : mark_int(L, b, row);
    }
    if (type == SQLITE_FLOAT && b->seen != SEEN_TEXT) {
        for (size_t r = 0; b->seen == SEEN_INT && r < row; r++)
            if (is_valid(b, r) && mark_int(L, b, r)) return -1;
        b->seen = SEEN_FLOAT;
        b->slots[row].f = sqlite3_column_double(L->stmt, col);
        return 0;
    }
    if (b->seen != SEEN_TEXT && become_text(L, b, row)) return -1;
    b->mixed |= type != SQLITE_TEXT;
    size_t len;
    const char *s = value_text(L, col, &len);
    return intern(L, b, row, s, len);
}

static int does_not_fit(loader *L, builder *b, int col, size_t row)
{
    size_t len;
    const char *s = value_text(L, col, &len);
    int shown = len > 60 ? 60 : (int)len;
    char type[24];
    if (b->decl->type == COL_DECIMAL && b->decl->scale >= 0)
        snprintf(type, sizeof type, "decimal(%d)", b->decl->scale);
    else
        snprintf(type, sizeof type, "%s", table_type_name(b->decl->type));
    return kpi_error_set(L->err, KPI_EDATA, L->path, 0, 0,
                         "row %zu, column '%s': '%.*s%s' does not fit the declared type %s",
                         row + 1, b->name, shown, s, len > 60 ? "..." : "", type);
}

/* Seconds since 1970 of a SQLite date value: text, unix seconds, or a Julian day number. */
static int parse_seconds(loader *L, int col, int type, int64_t *secs)
{
    if (type == SQLITE_INTEGER) {
        *secs = sqlite3_column_int64(L->stmt, col);
        return 0;
    }
    if (type == SQLITE_FLOAT) {
        double s = (sqlite3_column_double(L->stmt, col) - UNIX_EPOCH_JD) * 86400.0;
        if (!(fabs(s) < 9e15)) return -1;
        *secs = llround(s);
        return 0;
    }
    size_t len;
    const char *s = value_text(L, col, &len);
    int32_t day;
    if ((L->o->date_format && date_parse_format(s, len, L->o->date_format, &day) == 0) ||
        date_parse_iso(s, len, &day) == 0) {
        *secs = (int64_t)day * 86400;
        return 0;
    }
    return date_parse_timestamp(s, len, secs) ? -1 : 0;
}

/*
** As parse_seconds, inside the years 0000..9999 that SQLite's date functions (and the
** engine's date text) cover: unix seconds in milli- or microseconds would otherwise
** load as dates tens of thousands of years away, or wrap around the int32 day range.
*/
static int to_seconds(loader *L, int col, int type, int64_t *secs)
{
    if (parse_seconds(L, col, type, secs)) return -1;
    return *secs >= FIRST_SECOND && *secs <= LAST_SECOND ? 0 : -1;
}

/* Rescale an inferred-scale decimal column's earlier slots up to `scale`. */
static int rescale(builder *b, size_t row, int scale)
{
    int64_t f = table_pow10(scale - b->scale);
    for (size_t r = 0; r < row; r++)
        if (__builtin_mul_overflow(b->slots[r].i, f, &b->slots[r].i)) return -1;
    b->scale = scale;
    return 0;
}

static int to_decimal(loader *L, builder *b, int col, size_t row, int type, int64_t *out)
{
    int64_t p = table_pow10(b->scale);
    if (type == SQLITE_INTEGER)
        return __builtin_mul_overflow(sqlite3_column_int64(L->stmt, col), p, out) ? -1 : 0;
    if (type == SQLITE_FLOAT && b->decl->scale >= 0) {
        double v = sqlite3_column_double(L->stmt, col) * (double)p;
        if (!(fabs(v) < 9.2e18)) return -1;
        *out = llround(v);
        return 0;
    }
    size_t len;
    const char *s = value_text(L, col, &len);
    if (b->decl->scale >= 0) return parse_decimal_at(s, len, '.', b->scale, out) ? -1 : 0;
    int scale;
    if (parse_decimal(s, len, '.', out, &scale)) return -1;
    if (scale > b->scale) return rescale(b, row, scale);
    return __builtin_mul_overflow(*out, table_pow10(b->scale - scale), out) ? -1 : 0;
}

static int to_int(loader *L, int col, int type, int64_t *out)
{
    if (type == SQLITE_INTEGER) {
        *out = sqlite3_column_int64(L->stmt, col);
        return 0;
    }
    if (type == SQLITE_FLOAT) {
        double v = sqlite3_column_double(L->stmt, col);
        if (!(v >= -9.2e18 && v <= 9.2e18) || v != (double)(int64_t)v) return -1;
        *out = (int64_t)v;
        return 0;
    }
    size_t len;
    const char *s = value_text(L, col, &len);
    return parse_int64(s, len, out) ? -1 : 0;
}

static int to_bool(loader *L, int col, int type, int64_t *out)
{
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
        double v = sqlite3_column_double(L->stmt, col);
        if (v != 0 && v != 1) return -1;
        *out = v == 1;
        return 0;
    }
    size_t len;
    const char *s = value_text(L, col, &len);
    uint8_t v;
    if (len == 1 && (s[0] == '0' || s[0] == '1'))
        v = (uint8_t)(s[0] - '0');
    else if (parse_bool(s, len, &v))
        return -1;
    *out = v;
    return 0;
}

static int take_declared(loader *L, builder *b, int col, size_t row, int type)
{
    slot *s = &b->slots[row];
    int rc = 0;
    switch (b->decl->type) {
    case COL_INT64:
        rc = to_int(L, col, type, &s->i);
        break;
    case COL_DECIMAL:
        rc = to_decimal(L, b, col, row, type, &s->i);
        break;
    case COL_TIMESTAMP:
        rc = to_seconds(L, col, type, &s->i);
        break;
    case COL_BOOL:
        rc = to_bool(L, col, type, &s->i);
        break;
    case COL_DATE:
        if (!(rc = to_seconds(L, col, type, &s->i))) s->i = date_of_timestamp(s->i);
        break;
    case COL_FLOAT64:
        if (type == SQLITE_TEXT) {
            size_t len;
            const char *t = value_text(L, col, &len);
            rc = parse_double(t, len, '.', &s->f) ? -1 : 0;
        } else {
            s->f = type == SQLITE_BLOB ? NAN : sqlite3_column_double(L->stmt, col);
            rc = type == SQLITE_BLOB ? -1 : 0;
        }
        break;
    case COL_STRING: {
        if (!b->dict && !(b->dict = dict_new())) return oom(L);
        size_t len;
        const char *t = value_text(L, col, &len);
        return intern(L, b, row, t, len);
    }
    }
    return rc ? does_not_fit(L, b, col, row) : 0;
}

static int read_rows(loader *L)
{
    int rc;
    while ((rc = sqlite3_step(L->stmt)) == SQLITE_ROW) {
        if (L->nrows == TABLE_MAX_ROWS)
            return kpi_error_set(L->err, KPI_ERANGE, L->path, 0, 0, "more than %u rows",
                                 (unsigned)TABLE_MAX_ROWS);
        if (L->nrows == L->cap && grow(L)) return -1;
        size_t row = L->nrows;
        for (int i = 0; i < L->ncols; i++) {
            builder *b = &L->cols[i];
            int type = sqlite3_column_type(L->stmt, i);
            int failed = type == SQLITE_NULL ? set_null(L, b, row)
                         : b->decl           ? take_declared(L, b, i, row, type)
                                             : take_inferred(L, b, i, row, type);
            if (failed) return -1;
        }
        L->nrows++;
    }
    if (rc != SQLITE_DONE) return sql_error(L, rc);
    return flush_strings(L);
}

/* The type of a column that held only NULLs, from its declaration as SQLite reads one. */
static col_type type_of_decltype(const char *decl)
{
    static const struct {
        const char *pattern;
        col_type type;
    } rules[] = {
        {"%INT%", COL_INT64},          {"%REAL%", COL_FLOAT64},        {"%FLOA%", COL_FLOAT64},
        {"%DOUB%", COL_FLOAT64},       {"%NUMERIC%", COL_FLOAT64},     {"%DECIMAL%", COL_FLOAT64},
        {"%DATETIME%", COL_TIMESTAMP}, {"%TIMESTAMP%", COL_TIMESTAMP}, {"%DATE%", COL_DATE}};
    for (size_t i = 0; decl && i < sizeof rules / sizeof *rules; i++)
        if (sqlite3_strlike(rules[i].pattern, decl, 0) == 0) return rules[i].type;
    return COL_STRING;
}

static col_type final_type(const loader *L, int i, int *scale)
{
    const builder *b = &L->cols[i];
    *scale = 0;
    if (b->decl) {
        *scale = b->scale;
        return b->decl->type;
    }
    switch (b->seen) {
    case SEEN_INT:
        return COL_INT64;
    case SEEN_FLOAT:
        return COL_FLOAT64;
    case SEEN_TEXT:
        return COL_STRING;
    case SEEN_NOTHING:
        break;
    }
    return type_of_decltype(sqlite3_column_decltype(L->stmt, i));
}

/*
** Narrow the 8-byte slots to the column's element size in place. Writing element r
** touches bytes below 8r + 8 only after slot r has been read, so nothing is clobbered.
*/
static void compact(slot *slots, size_t n, col_type type)
{
    char *base = (char *)slots;
    for (size_t r = 0; r < n; r++) {
        int64_t v = slots[r].i;
        if (type == COL_DATE) {
            int32_t d = (int32_t)v;
            memcpy(base + r * sizeof d, &d, sizeof d);
        } else if (type == COL_STRING) {
            uint32_t code = (uint32_t)v;
            memcpy(base + r * sizeof code, &code, sizeof code);
        } else if (type == COL_BOOL) {
            base[r] = (char)v;
        } else {
            return; /* already 8 bytes wide */
        }
    }
}

/* An inferred REAL column's INTEGER rows become doubles now that it stays numeric. */
static void ints_to_doubles(builder *b, size_t n)
{
    for (size_t r = 0; r < n; r++)
        if ((b->ints[r >> 6] >> (r & 63)) & 1) b->slots[r].f = (double)b->slots[r].i;
}

/* Hand each builder's arrays to a new table (the builders keep nothing). */
static table *build_table(loader *L, const char *name)
{
    /* Zero rows while adding columns, so table_add_column sizes no array we would discard. */
    table *t = table_new(name, 0);
    if (!t) return oom(L), NULL;
    for (int i = 0; i < L->ncols; i++) {
        builder *b = &L->cols[i];
        int scale;
        col_type type = final_type(L, i, &scale);
        column *c = table_add_column(t, b->name, type, scale);
        if (!c) {
            table_free(t);
            return oom(L), NULL;
        }
        if (b->slots) {
            if (type == COL_FLOAT64 && b->ints) ints_to_doubles(b, L->nrows);
            compact(b->slots, L->nrows, type);
            kpi_array_free(c->v.ptr);
            c->v.ptr = b->slots;
            b->slots = NULL;
        }
        c->valid = b->valid;
        c->nnull = b->nnull;
        b->valid = NULL;
        if (type == COL_STRING && b->dict) {
            dict_free(c->dict);
            c->dict = b->dict;
            b->dict = NULL;
        }
    }
    t->nrows = L->nrows;
    return t;
}

/* Undeclared columns of text only become DATE or TIMESTAMP when every value is one. */
static int infer_dates(loader *L, table *t)
{
    for (int i = 0; i < L->ncols; i++) {
        const builder *b = &L->cols[i];
        if (b->decl || b->seen != SEEN_TEXT || b->mixed) continue;
        kpi_error not_dates;
        kpi_error_clear(&not_dates);
        if (date_convert_column(t, i, L->o->date_format, &not_dates) &&
            not_dates.kind == KPI_ENOMEM)
            return oom(L);
    }
    return 0;
}

static void loader_free(loader *L)
{
    for (int i = 0; L->cols && i < L->ncols; i++) {
        kpi_array_free(L->cols[i].slots);
        kpi_array_free(L->cols[i].valid);
        kpi_array_free(L->cols[i].ints);
        dict_free(L->cols[i].dict);
    }
    kpi_free(L->cols);
    kpi_free(L->text);
    sqlite3_finalize(L->stmt);
    sqlite3_close(L->db);
}

table *sqlsrc_load(const char *path, const char *name, const sqlsrc_options *o, kpi_error *err)
{
    sqlsrc_options defaults;
    if (!o) {
        sqlsrc_options_init(&defaults);
        o = &defaults;
    }
    loader L = {.path = path, .o = o, .err = err};
    if (!o->query && !o->table) {
        kpi_error_set(err, KPI_EUSAGE, path, 0, 0, "a SQLite source needs a query or a table");
        return NULL;
    }
    /* %w doubles embedded double quotes: any table name is one quoted identifier. */
    char *sql = o->query ? NULL : sqlite3_mprintf("SELECT * FROM \"%w\"", o->table);
    table *t = NULL;
    if (!o->query && !sql)
        oom(&L);
    else if (open_db(&L) == 0 && prepare(&L, o->query ? o->query : sql) == 0 &&
             setup_columns(&L) == 0 && read_rows(&L) == 0)
        t = build_table(&L, name ? name : o->table ? o->table : "query");
    if (t && infer_dates(&L, t)) {
        table_free(t);
        t = NULL;
    }
    loader_free(&L);
    sqlite3_free(sql);
    return t;
}
