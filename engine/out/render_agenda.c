/*
** render_agenda.c -- the reviews due between two dates; see agenda.h.
*/
#include "out/agenda.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "out/textfmt.h"

static int by_due(const void *pa, const void *pb)
{
    const agenda_item *a = pa, *b = pb;
    if (a->due != b->due) return a->due < b->due ? -1 : 1;
    if (a->order != b->order) return a->order < b->order ? -1 : 1;
    if (a->period.start != b->period.start) return a->period.start < b->period.start ? -1 : 1;
    return 0;
}

void agenda_sort(agenda *a)
{
    if (a->nitems > 1) qsort(a->items, a->nitems, sizeof *a->items, by_due);
}

enum { AC_DUE, AC_REVIEW, AC_PERIOD, AC_FROM, AC_TO, AC_KPIS, AC_COUNT };
static const char *const headings[AC_COUNT] = {"Due", "Review", "Period", "From", "To", "KPIs"};
#define CELL 200

static void item_cells(const agenda_item *it, char cells[AC_COUNT][CELL])
{
    char label[64];
    date_format_iso(it->due, cells[AC_DUE]);
    snprintf(cells[AC_REVIEW], CELL, "%s", it->review);
    snprintf(cells[AC_PERIOD], CELL, "%s",
             it->campaign ? it->campaign : period_label(it->period, label, sizeof label));
    date_format_iso(it->period.start, cells[AC_FROM]);
    date_format_iso(it->period.stop - 1, cells[AC_TO]);
    snprintf(cells[AC_KPIS], CELL, "%zu", it->nkpis);
}

static void put_row(textbuf *b, char cells[AC_COUNT][CELL], const size_t *widths)
{
    for (int c = 0; c < AC_COUNT; c++) {
        size_t w = text_width(cells[c], strlen(cells[c]));
        size_t pad = widths[c] > w ? widths[c] - w : 0;
        if (c) textbuf_puts(b, "  ");
        if (c == AC_KPIS) textbuf_repeat(b, ' ', pad);
        textbuf_puts(b, cells[c]);
        if (c != AC_KPIS) textbuf_repeat(b, ' ', pad);
    }
    textbuf_puts(b, "\n");
}

char *render_agenda_table(const agenda *a, const render_options *o, size_t *len)
{
    char from[16], to[16];
    date_format_iso(a->from, from);
    date_format_iso(a->to, to);
    textbuf b;
    textbuf_init(&b);
    if (o && o->color) textbuf_puts(&b, "\x1b[1m");
    textbuf_puts(&b, a->ruleset && a->ruleset[0] ? a->ruleset : "(unnamed rule set)");
    if (o && o->color) textbuf_puts(&b, "\x1b[0m");
    textbuf_printf(&b, " · schedule · %s · %s to %s\n\n", a->file ? a->file : "", from, to);
    if (a->nitems == 0) {
        textbuf_puts(&b, "No reviews due.\n");
        return textbuf_finish(&b, len);
    }
    char(*cells)[AC_COUNT][CELL] = kpi_calloc(a->nitems, sizeof *cells);
    if (!cells) {
        textbuf_free(&b);
        return NULL;
    }
    size_t widths[AC_COUNT];
    char head[AC_COUNT][CELL];
    for (int c = 0; c < AC_COUNT; c++) {
        snprintf(head[c], CELL, "%s", headings[c]);
        widths[c] = strlen(headings[c]);
    }
    for (size_t i = 0; i < a->nitems; i++) {
        item_cells(&a->items[i], cells[i]);
        for (int c = 0; c < AC_COUNT; c++) {
            size_t w = text_width(cells[i][c], strlen(cells[i][c]));
            if (w > widths[c]) widths[c] = w;
        }
    }
    put_row(&b, head, widths);
    for (size_t i = 0; i < a->nitems; i++)
        put_row(&b, cells[i], widths);
    textbuf_printf(&b, "\n%zu review%s due.\n", a->nitems, a->nitems == 1 ? "" : "s");
    kpi_free(cells);
    return textbuf_finish(&b, len);
}

static void json_item(textbuf *b, const agenda_item *it)
{
    char day[16], label[64];
    date_format_iso(it->due, day);
    textbuf_puts(b, "{\"due\": ");
    text_json_string(b, day);
    textbuf_puts(b, ", \"review\": ");
    text_json_string(b, it->review);
    textbuf_puts(b, ", \"title\": ");
    text_json_string(b, it->title);
    textbuf_puts(b, ", \"campaign\": ");
    text_json_string(b, it->campaign);
    textbuf_puts(b, ", \"period\": {\"grain\": ");
    text_json_string(b, period_grain_name(it->period.grain));
    textbuf_puts(b, ", \"label\": ");
    text_json_string(b, period_label(it->period, label, sizeof label));
    date_format_iso(it->period.start, day);
    textbuf_puts(b, ", \"start\": ");
    text_json_string(b, day);
    date_format_iso(it->period.stop - 1, day);
    textbuf_puts(b, ", \"end\": ");
    text_json_string(b, day);
    textbuf_puts(b, "}, \"kpis\": [");
    for (size_t i = 0; i < it->nkpis; i++) {
        if (i) textbuf_puts(b, ", ");
        text_json_string(b, it->kpis[i]);
    }
    textbuf_puts(b, "]}");
}

char *render_agenda_json(const agenda *a, size_t *len)
{
    char from[16], to[16];
    date_format_iso(a->from, from);
    date_format_iso(a->to, to);
    textbuf b;
    textbuf_init(&b);
    textbuf_puts(&b, "{\"ruleset\": ");
    text_json_string(&b, a->ruleset ? a->ruleset : "");
    textbuf_puts(&b, ", \"file\": ");
    text_json_string(&b, a->file ? a->file : "");
    textbuf_puts(&b, ", \"from\": ");
    text_json_string(&b, from);
    textbuf_puts(&b, ", \"to\": ");
    text_json_string(&b, to);
    textbuf_puts(&b, ",\n \"reviews\": [");
    for (size_t i = 0; i < a->nitems; i++) {
        textbuf_puts(&b, i ? ",\n  " : "\n  ");
        json_item(&b, &a->items[i]);
    }
    textbuf_puts(&b, a->nitems ? "\n ]}\n" : "]}\n");
    return textbuf_finish(&b, len);
}
