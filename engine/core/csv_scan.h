/*
** csv_scan.h -- the CSV loader's internals, shared by csv.c, csv_chunk.c and csv_infer.c.
**
** The loader reads the text twice and never builds a field index (fresh memory is the
** expensive part of a load):
**
**   pass 0  each chunk of the body counts its quote characters; the parity before a
**           chunk says whether its first byte is inside a quoted field, which gives a
**           record boundary near each chunk's nominal start.
**   pass 1  each chunk walks its records: checks field counts and quoting, validates
**           declared columns and text, and infers a kind per column (csv_colstat).
**           Chunks are then chained in file order: a chunk whose start differs from
**           the previous chunk's real end (only possible with stray quotes inside
**           unquoted fields) is parsed again from the right place. The first error in
**           file order wins.
**   pass 2  columns are allocated once at the final row count and each chunk converts
**           its own row range. String columns: chunk 0 interns into the column's dict,
**           the others into their own, merged afterwards in chunk order so codes keep
**           the order of first appearance whatever the thread count.
**
** A "unit" of the text is a record or a blank line (skipped). Units start at the body
** or after a newline outside quotes.
*/
#ifndef KPI_CSV_SCAN_H
#define KPI_CSV_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dict.h"
#include "kpi_error.h"
#include "table.h"

#define CSV_INLINE static inline __attribute__((always_inline))

/* What a column's values are, as far as seen. Numeric kinds join by taking the larger. */
typedef enum csv_kind {
    CSV_K_NONE, /* no value yet */
    CSV_K_BOOL,
    CSV_K_INT,
    CSV_K_DECIMAL,
    CSV_K_FLOAT,
    CSV_K_DATE,
    CSV_K_TIMESTAMP,
    CSV_K_STRING
} csv_kind;

/* Per column and chunk, from pass 1. */
typedef struct csv_colstat {
    uint8_t kind;        /* csv_kind */
    int8_t scale;        /* CSV_K_DECIMAL (or a declared decimal): most fraction digits */
    uint64_t max_int;    /* INT/DECIMAL: largest magnitude of an integer part */
    size_t empty;        /* unquoted empty fields: null in every type */
    size_t quoted_empty; /* "" fields: empty string in a string column, else null */
} csv_colstat;

/* One column as the loader will build it. */
typedef struct csv_colspec {
    char *name;
    int declared; /* the caller fixed the type */
    col_type type;
    int scale; /* COL_DECIMAL; a declared -1 is taken from the data */
} csv_colspec;

/*
** A chunk's string map: text -> dense code in order of first appearance (csv_strmap.c).
** With a mirror dict, new strings are interned there too and codes are the dict's.
*/
typedef struct csv_strmeta {
    uint64_t prefix; /* as in its slot: merging needs no second hash */
    uint32_t hash, len;
} csv_strmeta;

typedef struct csv_strmap {
    struct csv_strslot *slots;
    uint32_t mask, count, cap;
    const char **text; /* code -> string: in the input, the mirror dict or the arena */
    csv_strmeta *meta; /* code -> its hash, prefix and length */
    struct arena_block *arena;
    dict *mirror;
} csv_strmap;

typedef struct csv_strslot {
    uint64_t prefix; /* first 8 bytes, zero-padded */
    uint32_t hash;   /* low 32 bits of the hash; the slot index is taken from them */
    uint32_t code1;  /* code + 1; 0 = empty */
} csv_strslot;

int csv_strmap_init(csv_strmap *m, dict *mirror);
void csv_strmap_free(csv_strmap *m);
/* Code of s (added when new); `stable`: s outlives the map, no copy needed. DICT_NONE when out of
 * memory. */
uint32_t csv_strmap_intern(csv_strmap *m, const char *s, size_t len, int stable);
/* The same with the hash and prefix from csv_strmap_hash. */
#define csv_strmap_slot(m, hash) (&(m)->slots[(hash) & (m)->mask]) /* for prefetching */
uint32_t csv_strmap_intern_hashed(csv_strmap *m, const char *s, size_t len, int stable,
                                  uint32_t hash, uint64_t prefix);

/*
** Hash of s and its first 8 bytes zero-padded (the prefix a slot keeps). Bytes up to
** `readable` may be loaded (and ignored) past the end of s: a word load instead of a
** short copy for the string's tail.
*/
CSV_INLINE uint32_t csv_strmap_hash(const char *s, size_t len, const char *readable,
                                    uint64_t *prefix)
{
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ull, w = 0;
    size_t i = 0, rest;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 29;
    }
    if (len >= 8) memcpy(prefix, s, 8);
    rest = len - i;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (readable - (s + i) >= 8) {
        memcpy(&w, s + i, 8);
        w &= rest ? ~0ull >> (64 - 8 * rest) : 0;
    } else
#endif
    {
        w = 0;
        memcpy(&w, s + i, rest);
    }
    if (len < 8) *prefix = w;
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 32;
    return (uint32_t)h;
}

/*
** A string field waiting for its code: pass 2 hashes string fields and prefetches
** their slots as it reads a batch of records, then looks them all up, so the cache
** misses of a batch overlap instead of following one another.
*/
typedef struct csv_pending {
    const char *s;
    uint32_t len, hash;
    uint64_t prefix;
    uint32_t *code; /* where the code goes */
    csv_strmap *map;
    int escaped;
} csv_pending;

/* The first error of a chunk; the position becomes line and column only when reported. */
typedef struct csv_fail {
    kpi_error_kind kind; /* KPI_OK: none */
    const char *at;      /* where the offending field or record starts; NULL: no position */
    char message[400];
} csv_fail;

/* Everything the chunks share (read-only while they run). */
typedef struct csv_ctx {
    const char *file;
    const char *data, *end; /* the whole input */
    const char *text;       /* after the byte-order mark: line 1, column 1 */
    const char *body;       /* the first data unit */
    char delim, mark;
    const char *date_format;
    size_t ncols;
    csv_colspec *cols;
    table *t; /* pass 2: the table being filled */
} csv_ctx;

typedef struct csv_chunk csv_chunk;
struct csv_chunk {
    const csv_ctx *ctx;
    void (*task)(csv_chunk *); /* what the chunk's thread runs */
    const char *nominal;       /* pass 0: counts quotes in [nominal, next chunk's nominal) */
    const char *nominal_end;
    size_t quotes;
    const char *start, *limit; /* pass 1: units starting in [start, limit) */
    const char *stop;          /* pass 1: after the chunk's last unit */
    size_t nrows, row0;
    csv_colstat *stats;   /* ncols */
    csv_strmap *maps;     /* pass 2: per column (used by string columns only) */
    int own_codes;        /* codes are the chunk's own, remapped after pass 2 (all chunks but 0) */
    csv_pending *pending; /* pass 2: string fields of the current batch */
    size_t npending, pending_cap;
    char *scratch; /* unescaped text of a quoted field with "" inside */
    size_t scratch_cap;
    csv_fail fail;
};

/* A field: content without the quotes, "" escapes still doubled when `escaped`. */
typedef struct csv_field {
    const char *start; /* first byte, the opening quote when quoted */
    const char *s;
    size_t len;
    int quoted, escaped;
} csv_field;

#define CSV_NULL_CODE UINT32_MAX /* a null row of a string column, before remapping */

enum { CSV_MORE, CSV_LAST, CSV_EUNTERMINATED, CSV_EAFTERQUOTE };

/* The first delimiter or line feed at or after q, or end. */
CSV_INLINE const char *csv_field_end(const char *q, const char *end, char delim)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Eight bytes at a time: the lowest zero byte of w ^ pattern is exact. */
    const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
    const uint64_t dl = ones * (unsigned char)delim, nl = ones * '\n';
    for (; end - q >= 8; q += 8) {
        uint64_t w, a, b;
        memcpy(&w, q, 8);
        a = w ^ dl;
        b = w ^ nl;
        uint64_t hit = (((a - ones) & ~a) | ((b - ones) & ~b)) & high;
        if (hit) return q + (__builtin_ctzll(hit) >> 3);
    }
#endif
    while (q < end && *q != delim && *q != '\n')
        q++;
    return q;
}

/* The field at *pos (pos < end or pos == end for an empty last field); advances past it. */
CSV_INLINE int csv_next_field(const char **pos, const char *end, char delim, csv_field *f)
{
    const char *p = *pos, *q;
    f->start = p;
    if (p < end && *p == '"') {
        f->escaped = 0;
        for (q = p + 1;; q += 2) {
            q = memchr(q, '"', (size_t)(end - q));
            if (!q) return CSV_EUNTERMINATED;
            if (q + 1 == end || q[1] != '"') break;
            f->escaped = 1;
        }
        f->s = p + 1;
        f->len = (size_t)(q - p - 1);
        f->quoted = 1;
        q++;
        if (q == end) {
            *pos = q;
            return CSV_LAST;
        }
        if (*q == delim) {
            *pos = q + 1;
            return CSV_MORE;
        }
        if (*q == '\r' && q + 1 < end && q[1] == '\n')
            q++;
        else if (*q == '\r' && q + 1 == end) {
            *pos = end;
            return CSV_LAST;
        }
        if (*q != '\n') return CSV_EAFTERQUOTE;
        *pos = q + 1;
        return CSV_LAST;
    }
    q = csv_field_end(p, end, delim);
    f->s = p;
    f->quoted = f->escaped = 0;
    if (q < end && *q == delim) {
        f->len = (size_t)(q - p);
        *pos = q + 1;
        return CSV_MORE;
    }
    f->len = (size_t)(q - p);
    if (f->len && q[-1] == '\r') f->len--;
    *pos = q < end ? q + 1 : q;
    return CSV_LAST;
}

/* Length of the blank line at p (LF, CRLF, or a lone CR at the end), 0 when p starts a record. */
CSV_INLINE size_t csv_blank_line(const char *p, const char *end)
{
    if (*p == '\n') return 1;
    if (*p == '\r' && (p + 1 == end || p[1] == '\n')) return (size_t)(p + 1 == end ? 1 : 2);
    return 0;
}

/* csv_infer.c: values. */
void csv_fail_set(csv_fail *fail, kpi_error_kind kind, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 0 for valid UTF-8 without NUL; else -1 with fail filled for column `col`. */
int csv_check_text(const csv_ctx *x, size_t col, const csv_field *f, csv_fail *fail);
/* Pass 1, a non-empty field: infer (undeclared) or check (declared). 0, or -1 with fail. */
int csv_infer_field(const csv_ctx *x, size_t col, const csv_field *f, csv_colstat *st,
                    csv_fail *fail);
int csv_check_field(const csv_ctx *x, size_t col, const csv_field *f, csv_colstat *st,
                    csv_fail *fail);
void csv_stat_join(csv_colstat *into, const csv_colstat *from);
/* The type an undeclared column gets from its joined statistics. */
col_type csv_stat_type(const csv_colstat *st, int *scale);
/* Pass 2: store a non-empty field of a column that is not a string column, at row. 0, or -1 with
 * fail. */
int csv_store_field(csv_chunk *ch, size_t col, size_t row, const csv_field *f);

/* csv_chunk.c: passes over one chunk; each sets ch->fail on error. */
void csv_chunk_count_quotes(csv_chunk *ch);
/* First unit start after `from`, given whether `from` is inside a quoted field. */
const char *csv_unit_after(const char *from, const char *end, int in_quotes);
void csv_chunk_infer(csv_chunk *ch);
void csv_chunk_convert(csv_chunk *ch);

#endif
