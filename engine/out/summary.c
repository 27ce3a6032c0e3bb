/*
** summary.c -- the text of `kpiengine inspect`; see summary.h.
**
** Each statistic is one pass over one column's array. Distinct strings are
** counted by dictionary code with a bitmap (a dictionary may hold strings that no
** remaining row uses, so dict_count alone is not the answer).
*/
#include "out/summary.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "out/textfmt.h"

/* A decimal's scaled integer as exact text: 12345 at scale 2 -> "123.45". */
static void format_decimal(int64_t v, int scale, char *buf, size_t size)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t unit = (uint64_t)table_pow10(scale);
    if (scale == 0) {
        snprintf(buf, size, "%s%" PRIu64, v < 0 ? "-" : "", mag);
        return;
    }
    snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", mag / unit, scale,
             mag % unit);
}

static void format_int_cell(const column *c, int64_t v, char *buf, size_t size)
{
    char stamp[24];
    if (c->type == COL_DECIMAL) {
        format_decimal(v, c->scale, buf, size);
    } else if (c->type == COL_TIMESTAMP) {
        date_format_timestamp(v, stamp);
        snprintf(buf, size, "%s", stamp);
    } else {
        snprintf(buf, size, "%" PRId64, v);
    }
}

/* Min and max of the integer-backed column types (int, decimal, timestamp, date). */
static void int_range(const table *t, const column *c, summary_column *out)
{
    int64_t lo = 0, hi = 0;
    int seen = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        if (!column_is_valid(c, i)) continue;
        int64_t v = c->type == COL_DATE ? c->v.date[i] : c->v.i64[i];
        if (!seen || v < lo) lo = v;
        if (!seen || v > hi) hi = v;
        seen = 1;
    }
    if (!seen) return;
    out->has_range = 1;
    if (c->type == COL_DATE) {
        date_format_iso((int32_t)lo, out->min);
        date_format_iso((int32_t)hi, out->max);
        return;
    }
    format_int_cell(c, lo, out->min, sizeof out->min);
    format_int_cell(c, hi, out->max, sizeof out->max);
}

static void float_range(const table *t, const column *c, summary_column *out)
{
    double lo = 0, hi = 0;
    int seen = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        double v = c->v.f64[i];
        if (!column_is_valid(c, i) || isnan(v)) continue;
        if (!seen || v < lo) lo = v;
        if (!seen || v > hi) hi = v;
        seen = 1;
    }
    if (!seen) return;
    out->has_range = 1;
    text_shortest(lo, out->min, sizeof out->min);
    text_shortest(hi, out->max, sizeof out->max);
}

static int count_distinct(const table *t, const column *c, summary_column *out)
{
    uint32_t ncodes = c->dict ? dict_count(c->dict) : 0;
    uint64_t *seen = kpi_calloc((size_t)ncodes / 64 + 1, sizeof *seen);
    if (!seen) return -1;
    size_t distinct = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        uint32_t code = column_code(c, i);
        if (!column_is_valid(c, i) || code >= ncodes) continue;
        uint64_t bit = (uint64_t)1 << (code & 63);
        if (!(seen[code >> 6] & bit)) {
            seen[code >> 6] |= bit;
            distinct++;
        }
    }
    kpi_free(seen);
    out->has_distinct = 1;
    out->distinct = distinct;
    return 0;
}

int summary_column_stats(const table *t, size_t col, summary_column *out)
{
    const column *c = &t->cols[col];
    memset(out, 0, sizeof *out);
    if (c->valid)
        for (size_t i = 0; i < t->nrows; i++)
            out->nulls += !column_is_valid(c, i);
    switch (c->type) {
    case COL_INT64:
    case COL_DECIMAL:
    case COL_DATE:
    case COL_TIMESTAMP:
        int_range(t, c, out);
        break;
    case COL_FLOAT64:
        float_range(t, c, out);
        break;
    case COL_STRING:
        return count_distinct(t, c, out);
    case COL_BOOL:
        break;
    }
    return 0;
}

/* The type as a user declares it: "decimal(2)" keeps its scale. */
static const char *type_text(const column *c, char *buf, size_t size)
{
    if (c->type == COL_DECIMAL)
        snprintf(buf, size, "decimal(%d)", c->scale);
    else
        snprintf(buf, size, "%s", table_type_name(c->type));
    return buf;
}

static void put_overview(textbuf *b, const table *t, const summary_source *src)
{
    char num[64], mem[32], file[32];
    textbuf_printf(b, "file     %s\n", src->path);
    if (src->detail) textbuf_printf(b, "source   %s\n", src->detail);
    textbuf_printf(b, "rows     %s\n", text_grouped((double)t->nrows, 0, num, sizeof num));
    textbuf_printf(b, "columns  %zu\n", t->ncols);
    if (src->load_seconds < 1)
        textbuf_printf(b, "load     %.2f ms\n", src->load_seconds * 1e3);
    else
        textbuf_printf(b, "load     %.2f s\n", src->load_seconds);
    double bytes = (double)table_memory(t);
    text_bytes(bytes, mem, sizeof mem);
    if (src->file_bytes > 0)
        textbuf_printf(b, "memory   %s in columns, file %s (%.1f%% of the file)\n", mem,
                       text_bytes(src->file_bytes, file, sizeof file),
                       100.0 * bytes / src->file_bytes);
    else
        textbuf_printf(b, "memory   %s in columns\n", mem);
    if (t->time_col >= 0)
        textbuf_printf(b, "time     %s (%s)\n", t->cols[t->time_col].name,
                       t->time_sorted ? "sorted" : "not sorted");
}

enum { SC_NAME, SC_TYPE, SC_NULLS, SC_DISTINCT, SC_MIN, SC_MAX, SC_COUNT };

typedef struct stat_row {
    char cell[SC_COUNT][64];
    const char *name; /* borrowed; names can be longer than a cell */
} stat_row;

static void fill_stat_row(const column *c, const summary_column *s, stat_row *w)
{
    w->name = c->name;
    type_text(c, w->cell[SC_TYPE], sizeof w->cell[SC_TYPE]);
    text_grouped((double)s->nulls, 0, w->cell[SC_NULLS], sizeof w->cell[SC_NULLS]);
    if (s->has_distinct)
        text_grouped((double)s->distinct, 0, w->cell[SC_DISTINCT], sizeof w->cell[SC_DISTINCT]);
    else
        strcpy(w->cell[SC_DISTINCT], "–");
    snprintf(w->cell[SC_MIN], sizeof w->cell[SC_MIN], "%s", s->has_range ? s->min : "–");
    snprintf(w->cell[SC_MAX], sizeof w->cell[SC_MAX], "%s", s->has_range ? s->max : "–");
}

static void put_stat_row(textbuf *b, const stat_row *w, const size_t *widths)
{
    for (int c = 0; c < SC_COUNT; c++) {
        const char *text = c == SC_NAME ? w->name : w->cell[c];
        size_t width = text_width(text, strlen(text));
        size_t pad = widths[c] > width ? widths[c] - width : 0;
        int right = c == SC_NULLS || c == SC_DISTINCT;
        if (c) textbuf_puts(b, "  ");
        if (right) textbuf_repeat(b, ' ', pad);
        textbuf_puts(b, text);
        if (!right && c + 1 < SC_COUNT) textbuf_repeat(b, ' ', pad);
    }
    textbuf_puts(b, "\n");
}

char *summary_render(const table *t, const summary_source *src, size_t *len)
{
    textbuf b;
    textbuf_init(&b);
    put_overview(&b, t, src);
    stat_row *rows = kpi_calloc(t->ncols + 1, sizeof *rows);
    if (!rows) goto fail;
    static const char *const headings[SC_COUNT] = {"column",   "type", "nulls",
                                                   "distinct", "min",  "max"};
    rows[0].name = headings[0];
    for (int c = 1; c < SC_COUNT; c++)
        strcpy(rows[0].cell[c], headings[c]);
    for (size_t i = 0; i < t->ncols; i++) {
        summary_column s;
        if (summary_column_stats(t, i, &s) != 0) goto fail;
        fill_stat_row(&t->cols[i], &s, &rows[i + 1]);
    }
    size_t widths[SC_COUNT] = {0};
    for (size_t i = 0; i <= t->ncols; i++) {
        for (int c = 0; c < SC_COUNT; c++) {
            const char *text = c == SC_NAME ? rows[i].name : rows[i].cell[c];
            size_t w = text_width(text, strlen(text));
            if (w > widths[c]) widths[c] = w;
        }
    }
    textbuf_puts(&b, "\n");
    for (size_t i = 0; i <= t->ncols; i++)
        put_stat_row(&b, &rows[i], widths);
    kpi_free(rows);
    return textbuf_finish(&b, len);
fail:
    kpi_free(rows);
    textbuf_free(&b);
    return NULL;
}
