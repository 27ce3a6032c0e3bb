/*
** csv_chunk.c -- the CSV loader's passes over one chunk of text (see csv_scan.h).
**
** A chunk reads the units (records and blank lines) that start in [start, limit); its
** last record may run past limit, and `stop` says where it really ended, which is how
** csv.c checks that the next chunk started at a true record boundary.
*/
#include "csv_scan.h"

#include "kpi_alloc.h"

void csv_chunk_count_quotes(csv_chunk *ch)
{
    const unsigned char *p = (const unsigned char *)ch->nominal;
    const unsigned char *end = (const unsigned char *)ch->nominal_end;
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    const uint64_t quotes = ones * '"', low7 = ~high;
    size_t n = 0;
    /* Exact count of bytes equal to '"', eight at a time (a zero byte of w ^ quotes). */
    for (; end - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= quotes;
        n += (size_t)__builtin_popcountll(~(((w & low7) + low7) | w | low7));
    }
    for (; p < end; p++)
        n += *p == '"';
    ch->quotes = n;
}

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

static int infer_one(csv_chunk *ch, size_t col, const csv_field *f)
{
    const csv_ctx *x = ch->ctx;
    csv_colstat *st = &ch->stats[col];
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

/* Pass 1 over one record at *pos: 0, or -1 with ch->fail set. */
static int infer_record(csv_chunk *ch, const char **pos)
{
    const csv_ctx *x = ch->ctx;
    const char *record = *pos, *extra = NULL;
    size_t col = 0;
    int rc;
    do {
        csv_field f;
        rc = csv_next_field(pos, x->end, x->delim, &f);
        if (rc >= CSV_EUNTERMINATED) {
            quote_error(ch, rc, &f);
            return -1;
        }
        if (col < x->ncols) {
            if (infer_one(ch, col, &f)) return -1;
        } else if (col == x->ncols) {
            extra = f.start;
        }
        col++;
    } while (rc == CSV_MORE);
    if (col != x->ncols) {
        csv_fail_set(&ch->fail, KPI_EDATA, extra ? extra : record,
                     "expected %zu field%s, found %zu", x->ncols, x->ncols == 1 ? "" : "s", col);
        return -1;
    }
    return 0;
}

void csv_chunk_infer(csv_chunk *ch)
{
    const csv_ctx *x = ch->ctx;
    const char *p = ch->start;
    memset(ch->stats, 0, x->ncols * sizeof *ch->stats);
    ch->nrows = 0;
    ch->fail.kind = KPI_OK;
    ch->stop = NULL;
    while (p < ch->limit) {
        size_t blank = csv_blank_line(p, x->end);
        if (blank) {
            p += blank;
            continue;
        }
        if (infer_record(ch, &p)) return;
        ch->nrows++;
    }
    ch->stop = p;
}

/* A null row: zero data (CSV_NULL_CODE in a string column before remapping) and a cleared valid
 * bit. */
static void store_null(csv_chunk *ch, column *c, size_t row)
{
    switch (c->type) {
    case COL_INT64:
    case COL_DECIMAL:
    case COL_TIMESTAMP:
        c->v.i64[row] = 0;
        break;
    case COL_FLOAT64:
        c->v.f64[row] = 0;
        break;
    case COL_DATE:
        c->v.date[row] = 0;
        break;
    case COL_BOOL:
        c->v.b[row] = 0;
        break;
    case COL_STRING:
        c->v.code[row] = ch->own_codes ? CSV_NULL_CODE : 0;
        break;
    }
    /* Neighbouring chunks may share the bitmap word at their boundary. */
    __atomic_fetch_and(&c->valid[row >> 6], ~((uint64_t)1 << (row & 63)), __ATOMIC_RELAXED);
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

/* Look up the batch's strings (their slots were prefetched when queued). */
static int flush_strings(csv_chunk *ch)
{
    for (size_t i = 0; i < ch->npending; i++) {
        const csv_pending *pd = &ch->pending[i];
        uint32_t code;
        if (pd->escaped) {
            size_t len = pd->len;
            const char *s = unescape(ch, pd->s, &len);
            code = s ? csv_strmap_intern(pd->map, s, len, 0) : DICT_NONE;
        } else {
            code = csv_strmap_intern_hashed(pd->map, pd->s, pd->len, 1, pd->hash, pd->prefix);
        }
        if (code == DICT_NONE) {
            csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
            return -1;
        }
        *pd->code = code;
    }
    ch->npending = 0;
    return 0;
}

static void queue_string(csv_chunk *ch, column *c, size_t col, size_t row, const csv_field *f)
{
    csv_pending *pd = &ch->pending[ch->npending++];
    pd->s = f->s;
    pd->len = (uint32_t)f->len;
    pd->escaped = f->escaped;
    pd->code = &c->v.code[row];
    pd->map = &ch->maps[col];
    if (!f->escaped) {
        pd->hash = csv_strmap_hash(f->s, f->len, ch->ctx->end, &pd->prefix);
        __builtin_prefetch(&pd->map->slots[pd->hash & pd->map->mask]);
    }
}

/* Pass 2 over one record at *pos, stored at row: 0, or -1 with ch->fail set. */
static int convert_record(csv_chunk *ch, const char **pos, size_t row)
{
    const csv_ctx *x = ch->ctx;
    column *cols = x->t->cols;
    size_t col = 0;
    int rc;
    do {
        csv_field f;
        rc = csv_next_field(pos, x->end, x->delim, &f);
        if (rc >= CSV_EUNTERMINATED || col >= x->ncols) {
            /* Pass 1 read the same text without a complaint: only a changing file gets here. */
            csv_fail_set(&ch->fail, KPI_EIO, f.start, "the file changed while it was read");
            return -1;
        }
        column *c = &cols[col];
        if (c->type == COL_STRING) {
            if (f.len == 0 && !f.quoted)
                store_null(ch, c, row);
            else if (f.len >= UINT32_MAX) {
                csv_fail_set(&ch->fail, KPI_EDATA, f.start, "a field longer than 4 GiB");
                return -1;
            } else
                queue_string(ch, c, col, row, &f);
        } else if (f.len == 0) {
            store_null(ch, c, row);
        } else if (csv_store_field(ch, col, row, &f)) {
            return -1;
        }
        col++;
    } while (rc == CSV_MORE);
    return 0;
}

void csv_chunk_convert(csv_chunk *ch)
{
    const csv_ctx *x = ch->ctx;
    const char *p = ch->start;
    size_t row = ch->row0, last = ch->row0 + ch->nrows;
    ch->fail.kind = KPI_OK;
    ch->npending = 0;
    while (row < last) {
        if (p >= x->end) {
            csv_fail_set(&ch->fail, KPI_EIO, NULL, "the file changed while it was read");
            return;
        }
        size_t blank = csv_blank_line(p, x->end);
        if (blank) {
            p += blank;
            continue;
        }
        if (convert_record(ch, &p, row)) return;
        row++;
        if (ch->npending + x->ncols > ch->pending_cap && flush_strings(ch)) return;
    }
    flush_strings(ch);
}
