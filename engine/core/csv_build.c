/*
** csv_build.c -- the CSV loader's table: plans column types from the chunks' samples,
** runs the convert passes and joins the chunks' parts into one table (see csv_scan.h).
**
** The one-pass load writes chunk i's rows from the sum of the capacities of the chunks
** before it (an upper bound of their rows, usually exact). When the real row counts
** differ (blank lines, quoted line feeds), later chunks' rows move down: memory that
** is already touched, unlike a copy into new arrays. Null bitmaps are per chunk until
** the row offsets are final. A column whose final type is not the planned one is
** converted again into new arrays; when the load itself meets anything unusual it is
** redone the two-pass way. Either way the table is the same as the two-pass load's.
*/
#include <stdio.h>

#include "csv.h"
#include "csv_scan.h"
#include "kpi_alloc.h"

/* A column of the table being built. */
typedef struct col_build {
    col_type type;
    int scale;
    uint8_t tentative; /* STRING planned with no value seen: a value may make it another type */
    uint8_t infer;     /* no type planned: its values only vote in the one-pass load */
    uint8_t convert;   /* converted by the coming convert pass */
    uint8_t narrow;    /* STRING with few strings in every sample: one-byte codes */
    void *data;        /* the array (owned until the table takes it) */
    size_t bytes;      /* data's size: rows may stop short of it (see csv_scan.h) */
    uint64_t *valid;
    size_t nnull;
} col_build;

typedef struct build {
    csv_ctx *x;
    csv_pool *pool;
    csv_chunk *chunks;
    size_t n;
    col_build *cols;
    size_t nrows;
    kpi_error *err;
} build;

enum { BUILD_OK, BUILD_FAILED, BUILD_REDO }; /* BUILD_REDO: load again the two-pass way */

static size_t type_size(col_type t)
{
    switch (t) {
    case COL_FLOAT64:
        return sizeof(double);
    case COL_DATE:
        return sizeof(int32_t);
    case COL_STRING:
        return sizeof(uint32_t);
    case COL_BOOL:
        return sizeof(uint8_t);
    case COL_INT64:
    case COL_DECIMAL:
    case COL_TIMESTAMP:
        break;
    }
    return sizeof(int64_t);
}

/* Bytes per value of a column being built. */
static size_t col_width(const col_build *c)
{
    return c->narrow ? 1 : type_size(c->type);
}

static void joined_stats(const build *b, size_t col, csv_colstat *st)
{
    *st = b->chunks[0].stats[col];
    for (size_t i = 1; i < b->n; i++)
        csv_stat_join(st, &b->chunks[i].stats[col]);
}

/* The type of a column from the statistics of all its values (or of a sample). */
static void stat_type(const csv_colspec *cs, const csv_colstat *st, col_type *type, int *scale)
{
    *scale = cs->scale;
    *type = cs->declared ? cs->type : csv_stat_type(st, scale);
    if (*type == COL_DECIMAL && *scale < 0) *scale = st->scale;
}

/* Release what the chunks hold for column col (their dicts and null bitmaps). */
static void release_column(build *b, size_t col)
{
    for (size_t i = 0; i < b->n; i++) {
        csv_colwork *w = &b->chunks[i].work[col];
        if (b->chunks[i].dicts) {
            dict_free(b->chunks[i].dicts[col]);
            b->chunks[i].dicts[col] = NULL;
        }
        kpi_free(w->nulls);
        w->nulls = NULL;
    }
}

/*
** Set up column col for the coming convert pass: a new array of `rows` values of its
** type, chunk i writing from row base[i], and a dict per chunk for a string column.
** `final`: the type is the column's final one, so no value can fail to fit it.
*/
static int prepare_column(build *b, size_t col, size_t rows, const size_t *base, int final)
{
    col_build *c = &b->cols[col];
    const csv_colspec *cs = &b->x->cols[col];
    kpi_array_free(c->data);
    release_column(b, col);
    if (cs->skip) {
        c->data = NULL;
        for (size_t i = 0; i < b->n; i++)
            b->chunks[i].work[col] = (csv_colwork){.mode = CSV_M_SKIP};
        return 0;
    }
    c->data = c->infer ? NULL : kpi_array_alloc(rows ? rows : 1, col_width(c));
    c->bytes = (rows ? rows : 1) * col_width(c);
    if (!c->infer && !c->data) return -1;
    for (size_t i = 0; i < b->n; i++) {
        csv_chunk *ch = &b->chunks[i];
        csv_colwork *w = &ch->work[col];
        int numeric = c->type == COL_INT64 || c->type == COL_DECIMAL || c->type == COL_FLOAT64;
        *w = (csv_colwork){.type = (uint8_t)c->type, .kind = (uint8_t)csv_type_kind(c->type)};
        w->mode = c->infer ? CSV_M_INFER : c->type == COL_STRING ? CSV_M_STRING : CSV_M_VALUE;
        w->tentative = !final && c->tentative;
        w->declared = (uint8_t)cs->declared;
        w->guard = !final && !cs->declared && numeric && b->x->date_format != NULL;
        /* A planned decimal's scale still votes; a final or declared one reads values at it. */
        w->fixed = c->type == COL_DECIMAL && (final || (cs->declared && cs->scale >= 0));
        w->scale = c->scale;
        w->narrow = c->narrow;
        if (c->data) w->data = (char *)c->data + base[i] * col_width(c);
        if (w->mode == CSV_M_STRING && !(ch->dicts[col] = dict_new())) return -1;
    }
    return 0;
}

/* Columns this pass does not convert are only tokenized. */
static void skip_other_columns(build *b)
{
    for (size_t col = 0; col < b->x->ncols; col++)
        if (!b->cols[col].convert)
            for (size_t i = 0; i < b->n; i++)
                b->chunks[i].work[col].mode = CSV_M_SKIP;
}

/* base[i]: the sum of the capacities (by_cap) or row counts of the chunks before chunk i. */
static void row_bases(const build *b, size_t *base, int by_cap)
{
    size_t at = 0;
    for (size_t i = 0; i < b->n; i++) {
        base[i] = at;
        at += by_cap ? b->chunks[i].cap : b->chunks[i].nrows;
    }
}

/* Set bits [at, at + n) of dst from src (NULL: all set); dst bits there are clear. */
static void or_bits(uint64_t *dst, size_t at, const uint64_t *src, size_t n)
{
    size_t shift = at & 63;
    dst += at >> 6;
    for (size_t k = 0; k * 64 < n; k++) {
        uint64_t w = src ? src[k] : ~(uint64_t)0;
        if (n - k * 64 < 64) w &= ((uint64_t)1 << (n - k * 64)) - 1;
        dst[k] |= w << shift;
        if (shift && (w >> (64 - shift))) dst[k + 1] |= w >> (64 - shift);
    }
}

/* Column col's validity bitmap from the chunks' own, once row offsets are final. */
static int join_nulls(build *b, size_t col)
{
    col_build *c = &b->cols[col];
    if (c->nnull == 0) return 0;
    size_t words = (b->nrows + 63) / 64;
    if (!(c->valid = kpi_array_alloc(words, sizeof *c->valid))) return -1;
    memset(c->valid, 0, words * sizeof *c->valid);
    for (size_t i = 0; i < b->n; i++)
        or_bits(c->valid, b->chunks[i].row0, b->chunks[i].work[col].nulls, b->chunks[i].nrows);
    if (b->nrows & 63) c->valid[words - 1] |= ~(uint64_t)0 << (b->nrows & 63);
    return 0;
}

/*
** Merge chunk ch's strings of column col into chunk 0's dict and rewrite the chunk's
** codes. 1 (nothing rewritten) when one-byte codes would not hold the merged strings.
*/
static int merge_strings(build *b, csv_chunk *ch, size_t col)
{
    const dict *from = ch->dicts[col];
    dict *into = b->chunks[0].dicts[col];
    uint32_t n = dict_count(from);
    uint32_t *remap = kpi_malloc((n ? n : 1) * sizeof *remap);
    if (remap) kpi_populate(remap, n * sizeof *remap);
    if (!remap || dict_merge(into, from, remap)) {
        kpi_free(remap);
        return -1;
    }
    if (b->cols[col].narrow) {
        int fits = dict_count(into) <= CSV_NARROW_NULL + 1;
        uint8_t *codes = (uint8_t *)b->cols[col].data + ch->row0;
        for (size_t r = 0; fits && r < ch->nrows; r++)
            codes[r] = codes[r] == CSV_NARROW_NULL ? 0 : (uint8_t)remap[codes[r]];
        kpi_free(remap);
        return !fits;
    }
    uint32_t *codes = (uint32_t *)b->cols[col].data + ch->row0;
    for (size_t r = 0; r < ch->nrows; r++)
        codes[r] = codes[r] == CSV_NULL_CODE ? 0 : remap[codes[r]];
    kpi_free(remap);
    return 0;
}

/*
** Join the chunks' parts of column col: string codes into chunk 0's, then nulls. 1 when
** the column's one-byte codes cannot hold its strings: it must be converted again.
*/
static int join_column(build *b, size_t col)
{
    if (b->cols[col].type == COL_STRING)
        for (size_t i = 1; i < b->n; i++) {
            int rc = merge_strings(b, &b->chunks[i], col);
            if (rc) return rc;
        }
    return join_nulls(b, col);
}

/* The first failure of a convert pass, in file order. */
static int pass_failed(build *b)
{
    for (size_t i = 0; i < b->n; i++) {
        if (b->chunks[i].fail.kind == KPI_OK) continue;
        csv_report(b->x, &b->chunks[i].fail, b->err);
        return 1;
    }
    return 0;
}

/*
** Convert the columns marked `convert` at their final types, the row offsets known
** (after pass 1, or a one-pass load for the columns it did not settle).
*/
static int convert_again(build *b)
{
    size_t base[CSV_MAX_THREADS] = {0}, rows[CSV_MAX_THREADS] = {0};
    const char *stops[CSV_MAX_THREADS];
    row_bases(b, base, 0);
    for (size_t i = 0; i < b->n; i++) {
        b->chunks[i].row0 = base[i];
        b->chunks[i].cap = rows[i] = b->chunks[i].nrows;
        stops[i] = b->chunks[i].stop;
    }
    for (size_t col = 0; col < b->x->ncols; col++)
        if (b->cols[col].convert && prepare_column(b, col, b->nrows, base, 1))
            return csv_out_of_memory(b->x, b->err);
    skip_other_columns(b);
    csv_pool_run(b->pool, csv_chunk_convert);
    if (pass_failed(b)) return -1;
    for (size_t i = 0; i < b->n; i++) {
        int misfit = 0;
        for (size_t col = 0; col < b->x->ncols; col++)
            misfit |= b->chunks[i].work[col].misfit;
        if (b->chunks[i].nrows != rows[i] || b->chunks[i].stop != stops[i] || misfit)
            return kpi_error_set(b->err, KPI_EIO, b->x->file, 0, 0,
                                 "the file changed while it was read");
    }
    for (size_t col = 0; col < b->x->ncols; col++) {
        if (!b->cols[col].convert) continue;
        csv_colstat st;
        joined_stats(b, col, &st);
        b->cols[col].nnull = st.empty + (b->cols[col].type == COL_STRING ? 0 : st.quoted_empty);
        if (join_column(b, col)) return csv_out_of_memory(b->x, b->err); /* never narrow here */
    }
    return 0;
}

/*
** Pass 1 on all chunks, then chain them in file order: a chunk that did not start where
** its predecessor stopped is read again from there. Reports the first error in the file.
*/
static int infer_chunks(build *b)
{
    const csv_ctx *x = b->x;
    csv_pool_run(b->pool, csv_chunk_infer);
    const char *expected = x->body;
    b->nrows = 0;
    for (size_t i = 0; i < b->n; i++) {
        csv_chunk *ch = &b->chunks[i];
        if (ch->start != expected) {
            ch->start = expected;
            if (ch->limit < expected) ch->limit = expected;
            csv_chunk_infer(ch);
        }
        if (ch->fail.kind != KPI_OK) {
            csv_report(x, &ch->fail, b->err);
            return -1;
        }
        expected = ch->stop;
        b->nrows += ch->nrows;
    }
    if (b->nrows > TABLE_MAX_ROWS)
        return kpi_error_set(b->err, KPI_ERANGE, x->file, 0, 0, "too many rows: %zu (at most %u)",
                             b->nrows, TABLE_MAX_ROWS);
    return 0;
}

/* The two-pass load: types from pass 1 over every value, then one convert pass. */
static int load_two_pass(build *b)
{
    if (infer_chunks(b)) return -1;
    for (size_t col = 0; col < b->x->ncols; col++) {
        col_build *c = &b->cols[col];
        csv_colstat st;
        joined_stats(b, col, &st);
        stat_type(&b->x->cols[col], &st, &c->type, &c->scale);
        c->tentative = c->infer = c->narrow = 0;
        c->convert = !b->x->cols[col].skip;
    }
    return convert_again(b);
}

/* Plan column col from the chunks' samples. */
static void plan_column(build *b, size_t col)
{
    col_build *c = &b->cols[col];
    const csv_colspec *cs = &b->x->cols[col];
    const char *format = b->x->date_format;
    csv_colstat st;
    joined_stats(b, col, &st);
    c->tentative = c->infer = 0;
    c->convert = !cs->skip;
    if (cs->skip) return;
    if (cs->declared || st.kind != CSV_K_NONE) {
        stat_type(cs, &st, &c->type, &c->scale);
        c->narrow = c->type == COL_STRING;
        for (size_t i = 0; i < b->n && c->narrow; i++)
            c->narrow = !b->chunks[i].sample[col].many;
        return;
    }
    /*
    ** No value in the sample: most such columns are sparse text, and each new string
    ** votes. A date format with a quote in it could read an escaped field as a date in
    ** its raw form only, which a vote on the unescaped string would miss.
    */
    c->type = COL_STRING;
    c->scale = 0;
    if (format && strchr(format, '"'))
        c->infer = 1;
    else
        c->tentative = 1;
}

/* Move chunk i's rows of column col from base[i] to their final row0. */
static void compact(build *b, size_t col, const size_t *base)
{
    size_t size = col_width(&b->cols[col]);
    for (size_t i = 1; i < b->n; i++) {
        const csv_chunk *ch = &b->chunks[i];
        if (ch->row0 == base[i] || ch->nrows == 0) continue;
        char *data = b->cols[col].data;
        memmove(data + ch->row0 * size, data + base[i] * size, ch->nrows * size);
    }
}

/*
** After a one-pass load: keep column col when its final type is the planned one (no
** value failed to fit), else mark it for another convert pass at its final type.
*/
static int settle_column(build *b, size_t col, const size_t *base)
{
    col_build *c = &b->cols[col];
    csv_colstat st;
    col_type type;
    int scale, misfit = 0;
    if (b->x->cols[col].skip) return 0;
    joined_stats(b, col, &st);
    stat_type(&b->x->cols[col], &st, &type, &scale);
    for (size_t i = 0; i < b->n; i++)
        misfit |= b->chunks[i].work[col].misfit;
    if (c->infer || misfit || type != c->type || (type == COL_DECIMAL && scale != c->scale)) {
        c->type = type;
        c->scale = scale;
        c->tentative = c->infer = c->narrow = 0;
        c->convert = 1;
        return 0;
    }
    c->convert = 0;
    c->nnull = st.empty + (type == COL_STRING ? 0 : st.quoted_empty);
    compact(b, col, base);
    int rc = join_column(b, col);
    if (rc <= 0) return rc;
    c->narrow = 0; /* more strings than one byte holds: convert again with four */
    c->convert = 1;
    return 0;
}

/*
** The one-pass load: types planned from the samples, one convert pass, then another
** for the columns whose values did not all fit. BUILD_REDO when the chunks met an
** error or did not chain.
*/
static int load_one_pass(build *b)
{
    size_t base[CSV_MAX_THREADS] = {0}, last = b->n - 1, convert = 0;
    csv_pool_run(b->pool, csv_chunk_sample);
    for (size_t col = 0; col < b->x->ncols; col++)
        plan_column(b, col);
    row_bases(b, base, 1);
    /* The last chunk's part is a bound on its rows (csv_scan.h): address space the
       two-pass load, which allocates the exact rows, may have when this has not. */
    for (size_t col = 0; col < b->x->ncols; col++)
        if (prepare_column(b, col, base[last] + b->chunks[last].cap, base, 0)) return BUILD_REDO;
    csv_pool_run(b->pool, csv_chunk_convert);
    const char *expected = b->x->body;
    for (size_t i = 0; i < b->n; i++) {
        if (b->chunks[i].fail.kind != KPI_OK || b->chunks[i].start != expected) return BUILD_REDO;
        expected = b->chunks[i].stop;
    }
    size_t row0[CSV_MAX_THREADS] = {0};
    row_bases(b, row0, 0);
    b->nrows = row0[last] + b->chunks[last].nrows;
    if (b->nrows > TABLE_MAX_ROWS) return BUILD_REDO; /* pass 1 says so, after any error */
    for (size_t i = 0; i < b->n; i++)
        b->chunks[i].row0 = row0[i];
    for (size_t col = 0; col < b->x->ncols; col++) {
        if (settle_column(b, col, base)) return csv_out_of_memory(b->x, b->err), BUILD_FAILED;
        convert += b->cols[col].convert;
    }
    if (convert && convert_again(b)) return BUILD_FAILED;
    return BUILD_OK;
}

/*
** Store a string column's codes in 1 or 2 bytes when its dict is small enough, in place
** (a forward copy to a narrower array never overwrites a code not yet read): most text
** columns (channels, devices, sources) hold a few strings, and their arrays are then a
** quarter of the size to keep and to scan. assemble() gives the rest back.
*/
static void narrow_codes(column *c, size_t nrows)
{
    uint32_t n = dict_count(c->dict);
    const uint32_t *from = c->v.code;
    if (n <= 256) {
        for (size_t r = 0; r < nrows; r++)
            c->v.code8[r] = (uint8_t)from[r];
        c->code_bytes = 1;
    } else if (n <= 65536) {
        for (size_t r = 0; r < nrows; r++)
            c->v.code16[r] = (uint16_t)from[r];
        c->code_bytes = 2;
    }
}

/* The table: takes the built arrays and bitmaps and chunk 0's dicts. NULL when out of memory. */
static table *assemble(build *b, const char *name)
{
    table *t = table_new(name, 0);
    if (!t) return NULL;
    for (size_t col = 0; col < b->x->ncols; col++) {
        col_build *cb = &b->cols[col];
        column *c = table_add_column(t, b->x->cols[col].name, cb->type, cb->scale);
        if (!c) {
            table_free(t);
            return NULL;
        }
        if (b->x->cols[col].skip) { /* named, without values */
            kpi_array_free(c->v.ptr);
            dict_free(c->dict);
            c->v.ptr = NULL;
            c->dict = NULL;
            c->absent = 1;
            continue;
        }
        kpi_array_free(c->v.ptr);
        c->v.ptr = cb->data;
        c->valid = cb->valid;
        c->nnull = cb->nnull;
        cb->data = NULL;
        cb->valid = NULL;
        if (cb->type == COL_STRING) { /* chunk 0's codes are the final ones */
            dict_free(c->dict);
            c->dict = b->chunks[0].dicts[col];
            b->chunks[0].dicts[col] = NULL;
            if (cb->narrow)
                c->code_bytes = 1;
            else
                narrow_codes(c, b->nrows);
        }
        /* The pages past the rows: what narrowing freed, and the last huge page's tail
           when the array was sized by a bound (csv_scan.h). */
        if (c->v.ptr) kpi_array_trim(c->v.ptr, b->nrows * column_value_size(c), cb->bytes);
    }
    t->nrows = b->nrows;
    return t;
}

/* Free what the build and the chunks hold besides the table. */
static void release_all(build *b)
{
    for (size_t col = 0; col < b->x->ncols; col++) {
        release_column(b, col);
        kpi_array_free(b->cols[col].data);
        kpi_array_free(b->cols[col].valid);
        b->cols[col].data = NULL;
        b->cols[col].valid = NULL;
    }
}

/* The records pass 1 left out, into x->rejects, positions found in one pass. -1: out of memory. */
static int collect_rejects(const build *b)
{
    const csv_ctx *x = b->x;
    csv_rejects *r = x->rejects;
    const char *from = x->data, *line_start = x->text;
    long line = 1;
    for (size_t i = 0; i < b->n; i++)
        r->count += b->chunks[i].nskips;
    r->nitems = 0;
    if (!r->count) return 0;
    size_t most = r->count < CSV_MAX_REJECTS ? r->count : CSV_MAX_REJECTS;
    if (!(r->items = kpi_malloc(most * sizeof *r->items))) return -1;
    for (size_t i = 0; i < b->n && r->nitems < most; i++) {
        const csv_chunk *ch = &b->chunks[i];
        for (size_t k = 0; k < ch->nskips && k < CSV_MAX_REJECTS && r->nitems < most; k++) {
            csv_reject *rj = &r->items[r->nitems++];
            csv_locate_from(x, &from, &line, &line_start, ch->skips[k].at, &rj->column);
            rj->line = line;
            snprintf(rj->message, sizeof rj->message, "%s", ch->reasons[k]);
        }
    }
    return 0;
}

table *csv_build(csv_ctx *x, csv_pool *pool, csv_chunk *chunks, size_t n, const char *name,
                 kpi_error *err)
{
    build b = {.x = x, .pool = pool, .chunks = chunks, .n = n, .err = err};
    size_t ncols = x->ncols ? x->ncols : 1;
    table *t = NULL;
    b.cols = kpi_calloc(ncols, sizeof *b.cols);
    int ready = b.cols != NULL;
    for (size_t i = 0; i < n && ready; i++) {
        chunks[i].own_codes = i > 0;
        ready = (chunks[i].dicts = kpi_calloc(ncols, sizeof *chunks[i].dicts)) != NULL;
    }
    int rc = ready ? load_one_pass(&b) : (csv_out_of_memory(x, err), BUILD_FAILED);
    if (rc == BUILD_REDO) {
        if (x->read_twice) *x->read_twice = 1;
        release_all(&b);
        rc = load_two_pass(&b) ? BUILD_FAILED : BUILD_OK;
    }
    if (rc == BUILD_OK && x->rejects && collect_rejects(&b)) {
        rc = BUILD_FAILED;
        csv_out_of_memory(x, err);
    }
    if (rc == BUILD_OK && !(t = assemble(&b, name))) csv_out_of_memory(x, err);
    if (b.cols) release_all(&b);
    for (size_t i = 0; i < n; i++) {
        kpi_free(chunks[i].dicts);
        kpi_free(chunks[i].pending);
        kpi_free(chunks[i].scratch);
        kpi_free(chunks[i].inbuf);
        kpi_free(chunks[i].fields);
        kpi_free(chunks[i].skips);
        kpi_free(chunks[i].reasons);
        kpi_free(chunks[i].saved);
        chunks[i].dicts = NULL;
    }
    kpi_free(b.cols);
    return t;
}
