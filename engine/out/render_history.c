/*
** render_history.c -- a rule set's history as a table and as JSON; see history.h.
**
** The table is built as the report's is: cells formatted first, then columns padded
** by display width. Each series is its own small table under a title line carrying
** its sparkline, so a KPI's trend reads at a glance and its figures just below.
*/
#include "out/history.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/kpi_alloc.h"
#include "out/sparkline.h"
#include "out/textfmt.h"

enum { HC_PERIOD, HC_VALUE, HC_STATUS, HC_CHANGE, HC_COUNT };
static const char *const headings[HC_COUNT] = {"Period", "Value", "Status", "Change"};
#define CELL 160

/* The change from the point before, when both have a value and the base is not 0. */
static int change_of(const history_series *s, size_t i, double *change)
{
    if (i == 0) return 0;
    const history_point *a = &s->points[i - 1], *b = &s->points[i];
    if (!a->has_value || !b->has_value || a->value == 0) return 0;
    *change = (b->value - a->value) / fabs(a->value);
    return isfinite(*change);
}

static void point_cells(const history *h, const history_series *s, size_t i,
                        char cells[HC_COUNT][CELL])
{
    const history_point *p = &s->points[i];
    double change;
    if (p->as_of)
        snprintf(cells[HC_PERIOD], CELL, "%s (to %s)", p->label, p->as_of);
    else
        snprintf(cells[HC_PERIOD], CELL, "%s", p->label);
    if (p->has_value)
        text_unit_value(p->value, s->unit, h->currency, cells[HC_VALUE], CELL);
    else
        snprintf(cells[HC_VALUE], CELL, "–");
    snprintf(cells[HC_STATUS], CELL, "%s %s", render_status_symbol(p->status),
             render_status_words(p->status));
    if (change_of(s, i, &change))
        text_change(change, cells[HC_CHANGE], CELL);
    else
        snprintf(cells[HC_CHANGE], CELL, "–");
}

static void put_padded(textbuf *b, const char *text, size_t width, int left)
{
    size_t w = text_width(text, strlen(text));
    if (!left) textbuf_repeat(b, ' ', width > w ? width - w : 0);
    textbuf_puts(b, text);
    if (left) textbuf_repeat(b, ' ', width > w ? width - w : 0);
}

static void put_line(textbuf *b, char cells[HC_COUNT][CELL], const size_t *widths)
{
    textbuf_puts(b, "  ");
    for (int c = 0; c < HC_COUNT; c++) {
        if (c) textbuf_puts(b, "  ");
        put_padded(b, cells[c], widths[c], c == HC_PERIOD || c == HC_STATUS);
    }
    while (!b->failed && b->len > 0 && b->data[b->len - 1] == ' ') /* no trailing blanks */
        b->data[--b->len] = '\0';
    textbuf_puts(b, "\n");
}

static void put_series(textbuf *b, const history *h, const history_series *s, int color)
{
    size_t n = s->npoints;
    double *values = kpi_calloc(n ? n : 1, sizeof *values);
    int *has = kpi_calloc(n ? n : 1, sizeof *has);
    char(*cells)[HC_COUNT][CELL] = kpi_calloc(n ? n : 1, sizeof *cells);
    char *spark = kpi_malloc(3 * n + 1);
    if (!values || !has || !cells || !spark) {
        b->failed = 1;
        goto done;
    }
    size_t widths[HC_COUNT];
    for (int c = 0; c < HC_COUNT; c++)
        widths[c] = text_width(headings[c], strlen(headings[c]));
    for (size_t i = 0; i < n; i++) {
        values[i] = s->points[i].value;
        has[i] = s->points[i].has_value;
        point_cells(h, s, i, cells[i]);
        for (int c = 0; c < HC_COUNT; c++) {
            size_t w = text_width(cells[i][c], strlen(cells[i][c]));
            if (w > widths[c]) widths[c] = w;
        }
    }
    if (color) textbuf_puts(b, "\x1b[1m");
    textbuf_puts(b, s->title);
    if (color) textbuf_puts(b, "\x1b[0m");
    if (strcmp(s->title, s->kpi) != 0) textbuf_printf(b, " (%s)", s->kpi);
    textbuf_printf(b, " · %s · %s\n", s->grain, sparkline(values, has, n, spark, 3 * n + 1));
    char head[HC_COUNT][CELL];
    for (int c = 0; c < HC_COUNT; c++)
        snprintf(head[c], CELL, "%s", headings[c]);
    put_line(b, head, widths);
    for (size_t i = 0; i < n; i++)
        put_line(b, cells[i], widths);
done:
    kpi_free(values);
    kpi_free(has);
    kpi_free(cells);
    kpi_free(spark);
}

char *render_history_table(const history *h, const render_options *o, size_t *len)
{
    int color = o && o->color;
    textbuf b;
    textbuf_init(&b);
    textbuf_printf(&b, "%s · history · %s\n",
                   h->ruleset && h->ruleset[0] ? h->ruleset : "(unnamed rule set)",
                   h->file ? h->file : "");
    textbuf_printf(&b, "store: %s\n", h->store ? h->store : "");
    if (h->nseries == 0) textbuf_puts(&b, "\nNo saved results yet.\n");
    for (size_t i = 0; i < h->nseries; i++) {
        textbuf_puts(&b, "\n");
        put_series(&b, h, &h->series[i], color);
    }
    return textbuf_finish(&b, len);
}

/* ---- JSON --------------------------------------------------------------------------- */

static void json_point(textbuf *b, const history_series *s, size_t i)
{
    const history_point *p = &s->points[i];
    double change = 0;
    int has_change = change_of(s, i, &change);
    textbuf_puts(b, "{\"period\": {\"grain\": ");
    text_json_string(b, s->grain);
    textbuf_puts(b, ", \"label\": ");
    text_json_string(b, p->label);
    textbuf_puts(b, ", \"start\": ");
    text_json_string(b, p->start);
    textbuf_puts(b, ", \"end\": ");
    text_json_string(b, p->end);
    textbuf_puts(b, "}, \"value\": ");
    text_json_number(b, p->has_value, p->value);
    textbuf_puts(b, ", \"minimum\": ");
    text_json_number(b, 1, p->minimum);
    textbuf_puts(b, ", \"target\": ");
    text_json_number(b, 1, p->target);
    textbuf_puts(b, ", \"status\": ");
    text_json_string(b, status_name(p->status));
    textbuf_puts(b, ", \"change\": ");
    text_json_number(b, has_change, change);
    textbuf_puts(b, ", \"as_of\": ");
    text_json_string(b, p->as_of);
    textbuf_printf(b, ", \"run\": %lld, \"started\": ", p->run_id);
    text_json_string(b, p->started);
    textbuf_puts(b, "}");
}

static void json_series(textbuf *b, const history_series *s)
{
    size_t n = s->npoints;
    double *values = kpi_calloc(n ? n : 1, sizeof *values);
    int *has = kpi_calloc(n ? n : 1, sizeof *has);
    char *spark = kpi_malloc(3 * n + 1);
    if (!values || !has || !spark) {
        b->failed = 1;
    } else {
        for (size_t i = 0; i < n; i++) {
            values[i] = s->points[i].value;
            has[i] = s->points[i].has_value;
        }
        textbuf_puts(b, "{\"id\": ");
        text_json_string(b, s->kpi);
        textbuf_puts(b, ", \"title\": ");
        text_json_string(b, s->title);
        textbuf_puts(b, ", \"unit\": ");
        text_json_string(b, s->unit);
        textbuf_puts(b, ", \"better\": ");
        text_json_string(b, better_name(s->better));
        textbuf_puts(b, ", \"grain\": ");
        text_json_string(b, s->grain);
        textbuf_puts(b, ", \"sparkline\": ");
        text_json_string(b, sparkline(values, has, n, spark, 3 * n + 1));
        textbuf_puts(b, ",\n   \"history\": [");
        for (size_t i = 0; i < n; i++) {
            textbuf_puts(b, i ? ",\n    " : "\n    ");
            json_point(b, s, i);
        }
        textbuf_puts(b, n ? "\n   ]}" : "]}");
    }
    kpi_free(values);
    kpi_free(has);
    kpi_free(spark);
}

char *render_history_json(const history *h, size_t *len)
{
    textbuf b;
    textbuf_init(&b);
    textbuf_puts(&b, "{\"ruleset\": ");
    text_json_string(&b, h->ruleset ? h->ruleset : "");
    textbuf_puts(&b, ", \"file\": ");
    text_json_string(&b, h->file ? h->file : "");
    textbuf_puts(&b, ", \"store\": ");
    text_json_string(&b, h->store ? h->store : "");
    textbuf_puts(&b, ",\n \"kpis\": [");
    for (size_t i = 0; i < h->nseries; i++) {
        textbuf_puts(&b, i ? ",\n  " : "\n  ");
        json_series(&b, &h->series[i]);
    }
    textbuf_puts(&b, h->nseries ? "\n ]}\n" : "]}\n");
    return textbuf_finish(&b, len);
}
