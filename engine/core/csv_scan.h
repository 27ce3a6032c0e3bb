/*
** csv_scan.h -- the CSV loader's internals, shared by its csv_*.c parts.
**
** The loader parses the text once in the common case and never builds a field index
** (fresh memory is the expensive part of a load). Its passes, each run by every chunk
** on its own thread:
**
**   count   the quote characters and line feeds of every nominal chunk but the last,
**           each thread counting its share of each. The quote parity before a chunk
**           says whether its first byte is inside a quoted field, which gives a record
**           boundary near each chunk's nominal start; the line feeds bound the records
**           a chunk can hold, so every column is allocated once, before any value is
**           read. The last chunk's records are bounded by its size instead (a record
**           of n fields takes at least n bytes): its part of each array is only
**           address space until a row is written, and nothing follows it to be placed.
**   sample  each chunk infers the kinds of its first records; their join plans a type
**           per column (csv_build.c).
**   convert each chunk parses its records once, storing each value as its column's
**           planned type and keeping the statistics pass 1 would keep (csv_colstat).
**           A value that does not fit the plan only marks its column for a second
**           convert pass (csv_colwork.misfit); the final types come from the joined
**           statistics of all values, so they never depend on the sample, and a column
**           whose final type differs from its plan is converted again.
**
** When anything is unusual -- an error anywhere, or a chunk that did not start where
** its predecessor stopped (only possible with stray quotes inside unquoted fields) --
** the result is dropped and the load runs the two-pass way, whose pass 1 is the
** reference for errors:
**
**   pass 1  each chunk walks its records: checks field counts and quoting, validates
**           declared columns and text, and infers a kind per column. Chunks are then
**           chained in file order: a chunk whose start differs from the previous
**           chunk's real end is parsed again from the right place. The first error in
**           file order wins.
**   pass 2  the convert pass above with every column's final type known.
**
** A file is mapped, but the count and convert passes read it with pread into a small
** buffer (csv_read.c). String columns: every chunk interns into its own dict; the
** others are merged in chunk order into chunk 0's, which becomes the column's, so codes
** keep the order of first appearance whatever the thread count. Null rows go to
** per-chunk bitmaps, joined when the row offsets are final.
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

/* Per column and chunk: what its values are, as pass 1 (or a convert pass) saw them. */
typedef struct csv_colstat {
    uint8_t kind;        /* csv_kind */
    int8_t scale;        /* CSV_K_DECIMAL (or a declared decimal): most fraction digits */
    uint64_t max_int;    /* INT/DECIMAL: largest magnitude of an integer part */
    size_t empty;        /* unquoted empty fields: null in every type */
    size_t quoted_empty; /* "" fields: empty string in a string column, else null */
} csv_colstat;

/*
** A string field waiting for its code: a convert pass hashes string fields and
** prefetches their slots as it reads a batch of records, then looks them all up, so
** the cache misses of a batch overlap instead of following one another.
*/
typedef struct csv_pending {
    const char *s;
    dict_key key;
    uint32_t len;
    uint32_t col;
    uint32_t *code; /* where the code goes */
    int escaped;
} csv_pending;

/* The first error of a chunk; the position becomes line and column only when reported. */
typedef struct csv_fail {
    kpi_error_kind kind; /* KPI_OK: none */
    const char *at;      /* where the offending field or record starts; NULL: no position */
    int row;             /* the error is the record's alone: skip_bad_rows may leave it out */
    char message[400];
} csv_fail;

/* A record pass 1 left out (csv_options.skip_bad_rows). */
typedef struct csv_skip {
    const char *record; /* where it starts: the convert pass leaves it out too */
    const char *at;     /* where the reason is */
} csv_skip;

/* One column as the loader will build it. */
typedef struct csv_colspec {
    char *name;
    int declared; /* the caller fixed the type */
    col_type type;
    int scale; /* COL_DECIMAL; a declared -1 is taken from the data */
    int skip;  /* not loaded (csv_options.keep): only tokenized, absent from the table */
} csv_colspec;

/* Everything the chunks share (read-only while they run). */
typedef struct csv_ctx {
    const char *file;
    int fd;                 /* >= 0: data is this file's mapping, read it with pread */
    const char *data, *end; /* the whole input */
    const char *text;       /* after the byte-order mark: line 1, column 1 */
    const char *body;       /* the first data unit */
    char delim, mark;
    const char *date_format;
    size_t ncols;
    csv_colspec *cols;
    int skip_bad_rows;                            /* csv_options.skip_bad_rows */
    struct csv_rejects *rejects;                  /* csv_options.rejects */
    int *read_twice;                              /* csv_options.read_twice */
    void (*progress)(double fraction, void *arg); /* csv_options.progress */
    void *progress_arg;
    struct csv_chunk *chunks; /* all of them, for the progress of the whole pass */
    size_t nchunks;
} csv_ctx;

/* How a convert pass treats a column (csv_colwork.mode). */
enum {
    CSV_M_SKIP,   /* only tokenized: another pass converts it */
    CSV_M_INFER,  /* values only vote, as in pass 1: no type fits them yet */
    CSV_M_STRING, /* interned into the chunk's dict */
    CSV_M_VALUE   /* parsed and stored as `type` */
};

/* A recent string of a column with few strings (csv_chunk.c). */
typedef struct csv_recent {
    uint64_t prefix;  /* first 8 bytes, zero-padded */
    const char *text; /* the dict's copy; NULL: an empty entry */
    uint32_t len, code;
} csv_recent;

/* A column in one chunk's convert pass. */
typedef struct csv_colwork {
    uint8_t mode;
    uint8_t type;          /* col_type of the column's array */
    uint8_t kind;          /* VALUE: the csv_kind every stored value joins to */
    uint8_t tentative;     /* STRING planned with no value seen: each new string votes */
    uint8_t guard;         /* VALUE, a number: a value the date format reads is a date, no fit */
    uint8_t declared;      /* a value that does not fit is an error */
    uint8_t fixed;         /* DECIMAL: values are read at `scale` (declared, or a final type) */
    uint8_t misfit;        /* a value did not fit: the column is converted again */
    uint8_t narrow;        /* STRING: one-byte codes (CSV_NARROW_NULL and up do not fit) */
    int scale;             /* DECIMAL: the array's scale */
    uint32_t strings;      /* STRING: codes handed out so far (a larger code is a new string) */
    uint64_t bound;        /* DECIMAL: magnitudes below it change no statistic (csv_infer.c) */
    csv_recent recent[16]; /* STRING, few strings: the last ones seen, by a hash of prefix */
    void *data;            /* the chunk's first row in the column's array */
    uint64_t *nulls;       /* the chunk's rows: bit clear = null; allocated at the first null */
    char last[16];         /* DATE: the previous value's text and day, reused when repeated */
    size_t last_len;       /* 0: none */
    int32_t last_day;
} csv_colwork;

/* A field: content without the quotes, "" escapes still doubled when `escaped`. */
typedef struct csv_field {
    const char *start; /* first byte, the opening quote when quoted */
    const char *s;
    size_t len;
    int quoted, escaped;
} csv_field;

/*
** The strings a chunk's sample met in a column, as hashes, up to CSV_SAMPLE_STRINGS: a
** column whose samples all met fewer is planned with one-byte codes (csv_build.c).
*/
#define CSV_SAMPLE_STRINGS 32
typedef struct csv_colsample {
    uint32_t hash[CSV_SAMPLE_STRINGS];
    uint8_t n;    /* distinct hashes in hash[] */
    uint8_t many; /* more than CSV_SAMPLE_STRINGS */
} csv_colsample;

typedef struct csv_chunk csv_chunk;
struct csv_chunk {
    const csv_ctx *ctx;
    const char *nominal; /* count: quotes and line feeds in [nominal, next chunk's nominal) */
    const char *nominal_end;
    size_t quotes, newlines; /* all chunks but the last: those in [nominal, nominal_end) */
    size_t *counted;         /* the count task's results: quotes and line feeds of its share
                                of nominal chunk i at [2i] and [2i + 1] (csv_chunk_count) */
    const char *start, *limit; /* units starting in [start, limit) */
    const char *stop;          /* after the chunk's last unit */
    size_t nrows, row0;
    size_t cap;           /* rows the chunk's part of the arrays holds */
    csv_colstat *stats;   /* ncols */
    csv_colwork *work;    /* ncols */
    csv_colsample *sample; /* ncols: filled by csv_chunk_sample */
    size_t done;           /* the file offset this chunk has read up to (atomic) */
    csv_skip *skips;       /* records pass 1 left out, in order (skip_bad_rows) */
    size_t nskips, skips_cap, next_skip;
    char (*reasons)[200];  /* why, for the first CSV_MAX_REJECTS of them */
    csv_colstat *saved;    /* skip_bad_rows: the statistics before the record at hand */
    double next_report;    /* chunk 0 with a progress callback: when to report next */
    int sampling;          /* csv_chunk_sample is running */
    dict **dicts;         /* per column: the chunk's strings (string columns only) */
    int own_codes;        /* codes are the chunk's own, remapped after the pass (all but chunk 0) */
    csv_pending *pending; /* string fields of the current batch */
    size_t npending, pending_cap;
    char *scratch; /* unescaped text of a quoted field with "" inside */
    size_t scratch_cap;
    char *inbuf; /* a file's bytes read with pread (csv_ctx.fd) */
    size_t inbuf_cap;
    const char *readable; /* the end of the bytes at hand: a string's hash may load up to it */
    csv_field *fields;    /* the fields of the record being converted */
    const char *mask_at;  /* 64 bytes of the window whose delimiters, line feeds and */
    uint64_t mask;        /* quotes past the last record read are the bits of mask */
    csv_fail fail;
};

#define CSV_NULL_CODE UINT32_MAX /* a null row of a string column, before remapping */
#define CSV_NARROW_NULL 255u     /* the same in a column of one-byte codes */

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
/*
** A number no float can hold ("1e309") is bad data wherever it stands, even in a text
** column: 0, or -1 with fail set at the field.
*/
int csv_check_range(const csv_ctx *x, size_t col, const csv_field *f, csv_fail *fail);
/* Pass 1, a non-empty field: infer (undeclared) or check (declared). 0, or -1 with fail. */
int csv_infer_field(const csv_ctx *x, size_t col, const csv_field *f, csv_colstat *st,
                    csv_fail *fail);
int csv_check_field(const csv_ctx *x, size_t col, const csv_field *f, csv_colstat *st,
                    csv_fail *fail);
/* The vote of one non-empty value of an undeclared column, joined into st. */
void csv_vote(const csv_ctx *x, const char *s, size_t len, csv_colstat *st);
void csv_stat_join(csv_colstat *into, const csv_colstat *from);
/* The type an undeclared column gets from its joined statistics. */
col_type csv_stat_type(const csv_colstat *st, int *scale);
/* The kind whose values a column of type t stores. */
csv_kind csv_type_kind(col_type t);
/*
** A convert pass, a non-empty field of a CSV_M_VALUE column: store it at row (of the
** chunk) and keep its statistics. A value that does not fit an undeclared column marks
** it misfit and switches it to CSV_M_INFER. 0, or -1 with ch->fail set.
*/
int csv_value_field(csv_chunk *ch, size_t col, size_t row, const csv_field *f);

/*
** csv_read.c: the bytes of the passes over every byte. csv_chunk_count, run by chunk k
** of n: the k-th of n equal shares of each nominal chunk but the last, into ch->counted.
*/
void csv_chunk_count(csv_chunk *ch);
/* Line feeds in [p, end). */
size_t csv_count_newlines(const char *p, const char *end);

/* Unread text at hand: buf holds the text from offset `off` (text in memory: all of it). */
typedef struct csv_window {
    const char *buf;
    const char *p, *end;
    size_t off;
    int last; /* end is the end of the text */
} csv_window;

/* A window starting at text position `from`; 0, or -1 with ch->fail set. */
int csv_window_open(csv_chunk *ch, csv_window *w, const char *from);
/* Keep [p, end) and read more after it (nothing when w->last); 0, or -1 with ch->fail set. */
int csv_window_more(csv_chunk *ch, csv_window *w);

/* The text position of a byte of the window. */
CSV_INLINE const char *csv_window_text(const csv_ctx *x, const csv_window *w, const char *p)
{
    return x->data + w->off + (size_t)(p - w->buf);
}

/* csv_chunk.c: passes over one chunk; each sets ch->fail on error. */
/* First unit start after `from`, given whether `from` is inside a quoted field. */
const char *csv_unit_after(const char *from, const char *end, int in_quotes);
void csv_chunk_sample(csv_chunk *ch);
void csv_chunk_infer(csv_chunk *ch);
void csv_chunk_convert(csv_chunk *ch);

/* csv_pool.c: worker threads, one per chunk (chunk 0 runs on the caller's thread). */
#define CSV_MAX_THREADS 64

typedef struct csv_pool csv_pool;
/* Start workers for chunks 1..n-1; NULL when out of memory. */
csv_pool *csv_pool_start(csv_chunk *chunks, size_t n);
/* Run task on every chunk and wait for all of them. */
void csv_pool_run(csv_pool *p, void (*task)(csv_chunk *));
void csv_pool_stop(csv_pool *p);

/* csv.c: an error of a chunk as the caller sees it (file, line, column). */
void csv_report(const csv_ctx *x, const csv_fail *f, kpi_error *err);
/*
** Line and column (in characters) of p, counting from *from (at line *line, whose first
** byte is *line_start; start with x->data, 1 and x->text), which moves to p: positions
** met in file order cost one pass over the text in all.
*/
void csv_locate_from(const csv_ctx *x, const char **from, long *line, const char **line_start,
                     const char *p, long *col);
int csv_out_of_memory(const csv_ctx *x, kpi_error *err);

/* csv_build.c: the table from the planned chunks; NULL and err filled on failure. */
table *csv_build(csv_ctx *x, csv_pool *pool, csv_chunk *chunks, size_t n, const char *name,
                 kpi_error *err);

#endif
