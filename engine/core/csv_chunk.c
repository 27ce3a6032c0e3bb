/*
** csv_chunk.c -- the CSV loader's passes over one chunk of text (see csv_scan.h).
**
** A chunk reads the units (records and blank lines) that start in [start, limit); its
** last record may run past limit, and `stop` says where it really ended, which is how
** csv_build.c checks that the next chunk started at a true record boundary.
**
** The convert pass is the one that runs on every load: per column it interns, stores
** or only votes (csv_colwork.mode), and it writes rows 0.. of the chunk's part of each
** array, never past `cap`. It splits a record without quotes with bit masks of its
** delimiters and line feeds (SSE2, 64 bytes at a time), any other by csv_next_field.
*/
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "csv_scan.h"

#include <stdio.h>
#include <time.h>

#include "csv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "kpi_alloc.h"

#define CSV_SAMPLE_ROWS 1024 /* records per chunk whose kinds plan the column types */
#define CSV_BATCH_ROWS  32   /* records whose string lookups overlap (see csv_pending) */
#define CSV_FEW_STRINGS 256  /* a column with fewer strings looks them up at once */

const char *csv_unit_after(const char *from, const char *end, int in_quotes)
{
    const char *p = from;
    while (p < end) {
        if (in_quotes) {
            p = memchr(p, '"', (size_t)(end - p));
            if (!p) return end;
            p++;
            in_quotes = 0;
            continue;
        }
        char c = *p++;
        if (c == '\n') return p;
        if (c == '"') in_quotes = 1;
    }
    return end;
}

static void quote_error(csv_chunk *ch, int rc, const csv_field *f)
{
    if (rc == CSV_EUNTERMINATED)
        csv_fail_set(&ch->fail, KPI_EDATA, f->start, "unterminated quoted field (opened here)");
    else
        csv_fail_set(&ch->fail, KPI_EDATA, f->start, "unexpected character after closing quote");
}

/* Note a sampled field's string among the column's distinct ones (csv_colsample). */
static void sample_string(csv_chunk *ch, size_t col, const csv_field *f)
{
    csv_colsample *s = &ch->sample[col];
    if (s->many) return;
    uint32_t h = dict_hash(f->s, f->len, f->s + f->len).hash;
    for (uint8_t i = 0; i < s->n; i++)
        if (s->hash[i] == h) return;
    if (s->n == CSV_SAMPLE_STRINGS)
        s->many = 1;
    else
        s->hash[s->n++] = h;
}

static int infer_one(csv_chunk *ch, size_t col, const csv_field *f)
{
    const csv_ctx *x = ch->ctx;
    csv_colstat *st = &ch->stats[col];
    if (ch->sampling && f->len) sample_string(ch, col, f);
    if (f->len == 0) {
        if (f->quoted)
            st->quoted_empty++;
        else
            st->empty++;
        return 0;
    }
    if (x->cols[col].declared) return csv_check_field(x, col, f, st, &ch->fail);
    return csv_infer_field(x, col, f, st, &ch->fail);
}

/*
** Pass 1 over one record at *pos: 0, or -1 with ch->fail set. An error of the record
** alone (fail.row) leaves *pos after it when bad rows are skipped.
*/
static int infer_record(csv_chunk *ch, const char **pos)
{
    const csv_ctx *x = ch->ctx;
    const char *record = *pos, *extra = NULL;
    size_t col = 0;
    int rc, bad = 0;
    do {
        csv_field f;
        rc = csv_next_field(pos, x->end, x->delim, &f);
        if (rc >= CSV_EUNTERMINATED) {
            quote_error(ch, rc, &f);
            return -1;
        }
        if (col < x->ncols) {
            if (!bad && infer_one(ch, col, &f)) {
                if (!x->skip_bad_rows || ch->fail.kind == KPI_ENOMEM) return -1;
                bad = 1; /* read on to the record's end: it is left out */
            }
        } else if (col == x->ncols) {
            extra = f.start;
        }
        col++;
    } while (rc == CSV_MORE);
    if (!bad && col != x->ncols) {
        csv_fail_set(&ch->fail, KPI_EDATA, extra ? extra : record,
                     "expected %zu field%s, found %zu", x->ncols, x->ncols == 1 ? "" : "s", col);
        bad = 1;
    }
    ch->fail.row = bad;
    return bad ? -1 : 0;
}

/* Remember the bad record at `record` (ch->fail says why); -1 when out of memory. */
static int note_skip(csv_chunk *ch, const char *record)
{
    if (ch->nskips == ch->skips_cap) {
        size_t cap = ch->skips_cap ? ch->skips_cap * 2 : 64;
        csv_skip *skips = kpi_realloc(ch->skips, cap * sizeof *skips);
        if (!skips) return -1;
        ch->skips = skips;
        ch->skips_cap = cap;
    }
    if (ch->nskips < CSV_MAX_REJECTS) {
        if (!ch->reasons && !(ch->reasons = kpi_malloc(CSV_MAX_REJECTS * sizeof *ch->reasons)))
            return -1;
        snprintf(ch->reasons[ch->nskips], sizeof *ch->reasons, "%.199s", ch->fail.message);
    }
    ch->skips[ch->nskips++] = (csv_skip){record, ch->fail.at ? ch->fail.at : record};
    return 0;
}

/* Pass 1 over the chunk's units, or over its first `most` records. */
static void infer_units(csv_chunk *ch, size_t most)
{
    const csv_ctx *x = ch->ctx;
    const char *p = ch->start;
    size_t stats_size = x->ncols * sizeof *ch->stats;
    memset(ch->stats, 0, stats_size);
    ch->nrows = ch->nskips = 0;
    ch->fail.kind = KPI_OK;
    ch->stop = NULL;
    if (x->skip_bad_rows && !ch->saved && !(ch->saved = kpi_malloc(stats_size ? stats_size : 1))) {
        csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
        return;
    }
    while (p < ch->limit && ch->nrows < most) {
        size_t blank = csv_blank_line(p, x->end);
        if (blank) {
            p += blank;
            continue;
        }
        const char *record = p;
        if (x->skip_bad_rows) memcpy(ch->saved, ch->stats, stats_size);
        if (infer_record(ch, &p)) {
            if (!x->skip_bad_rows || !ch->fail.row) return;
            if (note_skip(ch, record)) {
                csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
                return;
            }
            memcpy(ch->stats, ch->saved, stats_size); /* its values do not vote */
            ch->fail.kind = KPI_OK;
            continue;
        }
        ch->nrows++;
    }
    ch->stop = p;
}

void csv_chunk_infer(csv_chunk *ch)
{
    infer_units(ch, SIZE_MAX);
}

void csv_chunk_sample(csv_chunk *ch)
{
    memset(ch->sample, 0, ch->ctx->ncols * sizeof *ch->sample);
    ch->sampling = 1;
    infer_units(ch, CSV_SAMPLE_ROWS);
    ch->sampling = 0;
}

/* A null row: zero data (CSV_NULL_CODE in a string column before remapping), a clear bit. */
static int store_null(csv_chunk *ch, csv_colwork *w, size_t row)
{
    switch ((col_type)w->type) {
    case COL_INT64:
    case COL_DECIMAL:
    case COL_TIMESTAMP:
        ((int64_t *)w->data)[row] = 0;
        break;
    case COL_FLOAT64:
        ((double *)w->data)[row] = 0;
        break;
    case COL_DATE:
        ((int32_t *)w->data)[row] = 0;
        break;
    case COL_BOOL:
        ((uint8_t *)w->data)[row] = 0;
        break;
    case COL_STRING:
        if (w->narrow)
            ((uint8_t *)w->data)[row] = ch->own_codes ? (uint8_t)CSV_NARROW_NULL : 0;
        else
            ((uint32_t *)w->data)[row] = ch->own_codes ? CSV_NULL_CODE : 0;
        break;
    }
    if (!w->nulls) {
        size_t words = ch->cap / 64 + 1;
        if (!(w->nulls = kpi_malloc(words * sizeof *w->nulls))) {
            csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
            return -1;
        }
        kpi_populate(w->nulls, words * sizeof *w->nulls);
        memset(w->nulls, 0xff, words * sizeof *w->nulls);
    }
    w->nulls[row >> 6] &= ~((uint64_t)1 << (row & 63));
    return 0;
}

/* The field's text with "" undone, in the chunk's scratch buffer (NULL when out of memory). */
static const char *unescape(csv_chunk *ch, const char *s, size_t *len)
{
    if (*len > ch->scratch_cap) {
        char *p = kpi_realloc(ch->scratch, *len);
        if (!p) return NULL;
        ch->scratch = p;
        ch->scratch_cap = *len;
    }
    size_t n = 0;
    for (size_t i = 0; i < *len; i++) {
        ch->scratch[n++] = s[i];
        if (s[i] == '"') i++;
    }
    *len = n;
    return ch->scratch;
}

/*
** A string new to the chunk's dict: its bytes must be text (equal strings were checked
** when they were new), and in a column planned without a value each new string votes.
** Escaped fields were checked and voted on as they were read, in their raw form as
** pass 1 sees them.
*/
static int new_string(csv_chunk *ch, const csv_pending *pd)
{
    const csv_ctx *x = ch->ctx;
    csv_field f = {.start = pd->s, .s = pd->s, .len = pd->len};
    if (pd->escaped) return 0;
    if (csv_check_text(x, pd->col, &f, &ch->fail) || csv_check_range(x, pd->col, &f, &ch->fail))
        return -1;
    if (ch->work[pd->col].tentative && pd->len) csv_vote(x, pd->s, pd->len, &ch->stats[pd->col]);
    return 0;
}

/* The code of a pending string, checked and voted on when new; DICT_NONE with ch->fail set. */
static uint32_t intern_pending(csv_chunk *ch, const csv_pending *pd)
{
    csv_colwork *w = &ch->work[pd->col];
    dict *d = ch->dicts[pd->col];
    uint32_t code;
    if (pd->escaped) {
        size_t len = pd->len;
        const char *s = unescape(ch, pd->s, &len);
        code = s ? dict_intern(d, s, len) : DICT_NONE;
    } else {
        code = dict_intern_key(d, pd->s, pd->len, pd->key);
    }
    if (code == DICT_NONE) {
        csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
        return DICT_NONE;
    }
    if (code >= w->strings) { /* codes are dense: a new string takes the next one */
        w->strings = code + 1;
        if (new_string(ch, pd)) return DICT_NONE;
    }
    return code;
}

/* Look up the batch's strings (their slots were prefetched when queued). */
static int flush_strings(csv_chunk *ch)
{
    for (size_t i = 0; i < ch->npending; i++) {
        const csv_pending *pd = &ch->pending[i];
        if ((*pd->code = intern_pending(ch, pd)) == DICT_NONE) return -1;
    }
    ch->npending = 0;
    return 0;
}

/* The first 8 bytes of s, zero-padded (bytes up to `readable` may be loaded). */
static uint64_t text_prefix(const char *s, size_t len, const char *readable)
{
    uint64_t w = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (readable - s >= 8) {
        memcpy(&w, s, 8);
        return len >= 8 ? w : w & ((1ull << (8 * len)) - 1);
    }
#endif
    (void)readable;
    memcpy(&w, s, len < 8 ? len : 8);
    return w;
}

/*
** A string of a column with few strings, interned at once: first looked up in the
** column's recent strings (most of its fields repeat a recent value and cost no hash).
*/
static int intern_now(csv_chunk *ch, size_t col, const csv_field *f, uint32_t *code)
{
    csv_colwork *w = &ch->work[col];
    csv_pending pd = {.s = f->s, .len = (uint32_t)f->len, .col = (uint32_t)col};
    csv_recent *r = NULL;
    uint64_t prefix = 0;
    pd.escaped = f->escaped;
    if (!f->escaped) {
        prefix = text_prefix(f->s, f->len, ch->readable);
        r = &w->recent[((prefix ^ f->len) * 0x9E3779B97F4A7C15ull) >> 60];
        if (r->text && r->len == f->len && r->prefix == prefix &&
            (f->len <= 8 || memcmp(r->text + 8, f->s + 8, f->len - 8) == 0)) {
            *code = r->code;
            return 0;
        }
    }
    if (!f->escaped) pd.key = dict_hash(f->s, f->len, ch->readable);
    if ((*code = intern_pending(ch, &pd)) == DICT_NONE) return -1;
    if (!r) return 0;
    *r = (csv_recent){.prefix = prefix, .len = (uint32_t)f->len, .code = *code};
    r->text = dict_str(ch->dicts[col], *code); /* the dict's copy: stable, unlike the field */
    return 0;
}

/*
** A non-null field of a string column. It is interned at once while the column has few
** strings (its dict is in cache); past that it is queued, and its slot prefetched, so
** that the cache misses of a batch overlap. All of a column's fields before the switch
** take one way and all after it the other, which keeps codes in order of first appearance.
*/
static int queue_string(csv_chunk *ch, size_t col, size_t row, const csv_field *f)
{
    const csv_ctx *x = ch->ctx;
    csv_colwork *w = &ch->work[col];
    csv_colstat *st = &ch->stats[col];
    if (f->len >= UINT32_MAX) {
        csv_fail_set(&ch->fail, KPI_EDATA, f->start, "a field longer than 4 GiB");
        return -1;
    }
    if (f->len == 0)
        st->quoted_empty++;
    else if (!w->tentative)
        st->kind = CSV_K_STRING;
    if (f->escaped) {
        if (csv_check_text(x, col, f, &ch->fail) || csv_check_range(x, col, f, &ch->fail))
            return -1;
        if (w->tentative) csv_vote(x, f->s, f->len, st);
    }
    if (w->narrow) { /* few strings: codes in one byte, until one does not fit */
        uint32_t code;
        if (w->misfit) return 0;
        if (intern_now(ch, col, f, &code)) return -1;
        if (code >= CSV_NARROW_NULL)
            w->misfit = 1;
        else
            ((uint8_t *)w->data)[row] = (uint8_t)code;
        return 0;
    }
    uint32_t *code = (uint32_t *)w->data + row;
    if (w->strings < CSV_FEW_STRINGS) return intern_now(ch, col, f, code);
    csv_pending *pd = &ch->pending[ch->npending++];
    *pd = (csv_pending){.s = f->s, .len = (uint32_t)f->len, .col = (uint32_t)col, .code = code};
    pd->escaped = f->escaped;
    if (f->escaped) return 0;
    pd->key = dict_hash(f->s, f->len, ch->readable);
    dict_prefetch(ch->dicts[col], pd->key.hash);
    return 0;
}

/* One field of a convert pass. */
static int convert_field(csv_chunk *ch, size_t col, size_t row, const csv_field *f)
{
    csv_colwork *w = &ch->work[col];
    csv_colstat *st = &ch->stats[col];
    switch (w->mode) {
    case CSV_M_SKIP: /* not loaded, but a NUL byte is an error in every column (csv.h) */
        if (f->len && memchr(f->s, '\0', f->len)) {
            csv_fail_set(&ch->fail, KPI_EDATA, f->start, "NUL byte in data");
            return -1;
        }
        return 0;
    case CSV_M_INFER:
        return infer_one(ch, col, f);
    case CSV_M_STRING:
        if (f->len == 0 && !f->quoted) {
            st->empty++;
            return store_null(ch, w, row);
        }
        return queue_string(ch, col, row, f);
    default:
        break;
    }
    if (f->len > 0) return csv_value_field(ch, col, row, f);
    if (f->quoted)
        st->quoted_empty++;
    else
        st->empty++;
    return store_null(ch, w, row);
}

enum { RECORD, PARTIAL, MALFORMED };

#ifdef __SSE2__
/* Bit i: p[i] is the delimiter, a line feed or a quote (p[0..63] readable). */
static uint64_t structure_mask(const char *p, char delim)
{
    const __m128i d = _mm_set1_epi8(delim), nl = _mm_set1_epi8('\n'), q = _mm_set1_epi8('"');
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, nl)),
                                   _mm_cmpeq_epi8(v, q));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(hit) << (16 * k);
    }
    return m;
}

/*
** The common record, with no quote and a line feed at least 64 bytes before the window
** ends: its fields from bit masks of 64 bytes, so a field costs no loop of its own. The
** mask's bits past the record are kept for the next one (ch->mask_at). 0 when the record
** is anything else (csv_next_field reads it then).
*/
static int read_plain_record(csv_chunk *ch, const char **pos, const char *end)
{
    const csv_ctx *x = ch->ctx;
    const char *base = ch->mask_at, *field = *pos;
    uint64_t m;
    size_t n = 0;
    if (base && field >= base && field - base < 64) {
        m = ch->mask & (~(uint64_t)0 << (field - base));
    } else {
        if (end - field < 64) return 0;
        base = field;
        m = structure_mask(base, x->delim);
    }
    for (;;) {
        for (; m; m &= m - 1) {
            const char *c = base + __builtin_ctzll(m);
            if (*c == '"' || n == x->ncols) return 0;
            csv_field *f = &ch->fields[n++];
            *f = (csv_field){.start = field, .s = field, .len = (size_t)(c - field)};
            if (*c == '\n') {
                /* a short record is left unread, for csv_next_field to report it */
                if (n != x->ncols) return 0;
                if (f->len && c[-1] == '\r') f->len--;
                *pos = c + 1;
                ch->mask_at = base;
                ch->mask = m & (m - 1);
                return n == x->ncols;
            }
            field = c + 1;
        }
        base += 64;
        if (end - base < 64) return 0;
        m = structure_mask(base, x->delim);
    }
}
#endif

/*
** The fields of the record at *pos into ch->fields; advances past it. PARTIAL when it
** runs past the window and more text follows: a record is whole once its line feed is
** read (a field never ends at the window's end otherwise). Convert passes leave naming
** errors of the text to pass 1 (see csv_scan.h): MALFORMED only stops the pass.
*/
static int read_record(csv_chunk *ch, const char **pos, const csv_window *w)
{
    const csv_ctx *x = ch->ctx;
    size_t n = 0;
    int rc;
#ifdef __SSE2__
    if (read_plain_record(ch, pos, w->end)) return RECORD;
#endif
    do {
        csv_field f;
        rc = csv_next_field(pos, w->end, x->delim, &f);
        if (rc == CSV_EUNTERMINATED && !w->last) return PARTIAL;
        if (rc >= CSV_EUNTERMINATED || n == x->ncols) return MALFORMED;
        ch->fields[n++] = f;
    } while (rc == CSV_MORE);
    if (!w->last && (*pos)[-1] != '\n') return PARTIAL;
    return n == x->ncols ? RECORD : MALFORMED;
}

/* Step over a record pass 1 left out: RECORD, or PARTIAL as read_record. */
static int skip_record(const csv_ctx *x, const char **pos, const csv_window *w)
{
    int rc;
    do {
        csv_field f;
        rc = csv_next_field(pos, w->end, x->delim, &f);
        if (rc >= CSV_EUNTERMINATED) return w->last ? MALFORMED : PARTIAL;
    } while (rc == CSV_MORE);
    if (!w->last && (*pos)[-1] != '\n') return PARTIAL;
    return RECORD;
}

/* Whether the record at p of the window is the next one pass 1 left out. */
static int is_skipped(const csv_chunk *ch, const csv_window *w, const char *p)
{
    return ch->next_skip < ch->nskips &&
           w->off + (size_t)(p - w->buf) ==
               (size_t)(ch->skips[ch->next_skip].record - ch->ctx->data);
}

static int convert_fields(csv_chunk *ch, size_t row)
{
    for (size_t col = 0; col < ch->ctx->ncols; col++)
        if (convert_field(ch, col, row, &ch->fields[col])) return -1;
    return 0;
}

/* The memory a convert pass needs, allocated by the thread that runs it. */
static int convert_buffers(csv_chunk *ch)
{
    size_t ncols = ch->ctx->ncols ? ch->ctx->ncols : 1;
    if (!ch->pending) {
        ch->pending_cap = CSV_BATCH_ROWS * ncols;
        ch->pending = kpi_malloc(ch->pending_cap * sizeof *ch->pending);
    }
    if (!ch->fields) ch->fields = kpi_malloc(ncols * sizeof *ch->fields);
    if (ch->pending && ch->fields) return 0;
    csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
    return -1;
}

/* More text after the window's unread bytes; pending strings point into it, so they go first. */
/* Chunk 0, on the caller's thread: say how far the pass has read (csv_options.progress). */
static void report_progress(csv_chunk *ch)
{
    const csv_ctx *x = ch->ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
    if (now < ch->next_report) return;
    ch->next_report = now + CSV_PROGRESS_SECONDS;
    size_t read = 0, total = (size_t)(x->end - x->body);
    for (size_t i = 0; i < x->nchunks; i++) {
        size_t done = __atomic_load_n(&x->chunks[i].done, __ATOMIC_RELAXED);
        size_t from = (size_t)(x->chunks[i].start - x->data);
        if (done > from) read += done - from;
    }
    double f = total ? (double)read / (double)total : 0;
    x->progress(f < 0.999 ? f : 0.999, x->progress_arg);
}

static int read_more(csv_chunk *ch, csv_window *w)
{
    if (flush_strings(ch) || csv_window_more(ch, w)) return -1;
    ch->readable = w->end;
    ch->mask_at = NULL; /* the bytes moved */
    __atomic_store_n(&ch->done, w->off, __ATOMIC_RELAXED);
    if (ch->ctx->progress && ch == ch->ctx->chunks) report_progress(ch);
    return 0;
}

/*
** The units of [start, limit) into rows 0.. of the chunk, read through a window. 0, or
** -1 with ch->fail set (its position still in the window).
*/
static int convert_units(csv_chunk *ch, csv_window *w)
{
    const csv_ctx *x = ch->ctx;
    size_t row = 0, limit = (size_t)(ch->limit - x->data);
    ch->readable = w->end;
    ch->mask_at = NULL;
    while (w->off + (size_t)(w->p - w->buf) < limit) {
        const char *p = w->p, *q = p;
        if (p == w->end && w->last) break;
        /* A unit needs its next byte, and a CR its LF (or the end of the text). */
        if (p == w->end || (!w->last && *p == '\r' && p + 1 == w->end)) {
            if (read_more(ch, w)) return -1;
            continue;
        }
        size_t blank = csv_blank_line(p, w->end);
        if (blank) {
            w->p += blank;
            continue;
        }
        if (is_skipped(ch, w, p)) {
            int rc = skip_record(x, &q, w);
            if (rc == PARTIAL) {
                if (read_more(ch, w)) return -1;
                continue;
            }
            if (rc == MALFORMED) {
                csv_fail_set(&ch->fail, KPI_EIO, p, "the file changed while it was read");
                return -1;
            }
            w->p = q;
            ch->next_skip++;
            continue;
        }
        int rc = read_record(ch, &q, w);
        if (rc == PARTIAL) {
            if (read_more(ch, w)) return -1;
            continue;
        }
        if (rc == MALFORMED || row == ch->cap) {
            csv_fail_set(&ch->fail, KPI_EIO, p, "the file changed while it was read");
            return -1;
        }
        if (convert_fields(ch, row)) return -1;
        w->p = q;
        row++;
        if (ch->npending + x->ncols > ch->pending_cap && flush_strings(ch)) return -1;
    }
    if (flush_strings(ch)) return -1;
    ch->nrows = row;
    return 0;
}

void csv_chunk_convert(csv_chunk *ch)
{
    const csv_ctx *x = ch->ctx;
    csv_window w;
    memset(ch->stats, 0, x->ncols * sizeof *ch->stats);
    ch->fail.kind = KPI_OK;
    ch->next_skip = 0;
    ch->npending = 0;
    ch->nrows = 0;
    ch->stop = NULL;
    if (convert_buffers(ch) || csv_window_open(ch, &w, ch->start)) return;
    if (convert_units(ch, &w) == 0) {
        ch->stop = csv_window_text(x, &w, w.p);
        return;
    }
    /* A position in the read buffer becomes one in the text. */
    if (ch->fail.at >= w.buf && ch->fail.at <= w.end)
        ch->fail.at = csv_window_text(x, &w, ch->fail.at);
    else
        ch->fail.at = NULL;
}
