/*
** render_table.c -- the report as an aligned text table; see render.h.
**
** Two passes: first every cell is formatted into a row array (so column widths are
** known), then rows are written with padding computed from display widths, not
** bytes, so titles in Vietnamese or Japanese line up. Colour codes wrap a cell
** after its padding is computed and never replace the status words.
**
** A period in progress says so in the header (to date: the day and how many of the
** period's days count); a KPI's pace (the projection of an additive KPI to the
** period's end) and its deadline each get a line of their own under its row, so the
** columns stay those of every report.
*/
#include "out/render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "core/period.h"
#include "model/review.h"
#include "out/i18n.h"
#include "out/numfmt.h"
#include "out/textfmt.h"

enum { RC_KPI, RC_VALUE, RC_MINIMUM, RC_TARGET, RC_STATUS, RC_PREVIOUS, RC_CHANGE, RC_COUNT };

static const i18n_key headings[RC_COUNT] = {I18N_KPI,    I18N_VALUE,    I18N_MINIMUM, I18N_TARGET,
                                            I18N_STATUS, I18N_PREVIOUS, I18N_CHANGE};

#define CELL_SIZE 160
#define MISSING   "–" /* a cell that has no value */
#define ANSI_BOLD "\x1b[1m"
#define ANSI_OFF  "\x1b[0m"

typedef struct row {
    const char *label;        /* the KPI title or breakdown key (borrowed from the report) */
    int is_item;              /* a breakdown item: indented, fewer columns */
    const char *reason;       /* no data: why, printed on its own line under the row */
    int has_status;           /* the header row has none */
    int ungraded;             /* a breakdown item of an additive KPI: no status shown */
    char pace[CELL_SIZE * 2]; /* the pace line under the row, "" for none */
    char due[CELL_SIZE * 2];  /* the deadline line under the row, "" for none */
    kpi_status status;
    i18n_lang lang;                 /* of the whole report: headings and status words */
    char cell[RC_COUNT][CELL_SIZE]; /* RC_VALUE .. RC_CHANGE; RC_KPI and RC_STATUS unused */
} row;

const char *render_status_symbol(kpi_status s)
{
    switch (s) {
    case STATUS_MET_TARGET:
        return "✔";
    case STATUS_MET_MINIMUM:
        return "●";
    case STATUS_BELOW_MINIMUM:
        return "✖";
    case STATUS_NO_DATA:
        break;
    }
    return "–";
}

const char *render_status_words(kpi_status s)
{
    switch (s) {
    case STATUS_MET_TARGET:
        return "met target";
    case STATUS_MET_MINIMUM:
        return "met minimum";
    case STATUS_BELOW_MINIMUM:
        return "below minimum";
    case STATUS_NO_DATA:
        break;
    }
    return "no data";
}

static const char *status_color(kpi_status s)
{
    switch (s) {
    case STATUS_MET_TARGET:
        return "\x1b[32m";
    case STATUS_MET_MINIMUM:
        return "\x1b[33m";
    case STATUS_BELOW_MINIMUM:
        return "\x1b[31m";
    case STATUS_NO_DATA:
        break;
    }
    return "\x1b[2m";
}

static void format_value(char *cell, int has, double v, const kpi_result *k, const report *r,
                         i18n_lang lang)
{
    if (has && isfinite(v))
        numfmt_value(lang, v, k->unit, r->currency, cell, CELL_SIZE);
    else
        strcpy(cell, MISSING);
}

/* "on pace: 480,000,000 VND projected by 2024-08-31 (✔ met target)". */
static void pace_line(row *w, const kpi_result *k, const report *r)
{
    char value[CELL_SIZE], end[16];
    if (!k->has_projection) return;
    format_value(value, 1, k->projection, k, r, I18N_EN);
    date_format_iso(r->period.stop - 1, end);
    snprintf(w->pace, sizeof w->pace, "%s: %s projected by %s (%s %s)",
             k->pace == STATUS_MET_TARGET ? "on pace" : "not on pace", value, end,
             render_status_symbol(k->pace), render_status_words(k->pace));
}

/* "due 2024-12-31, 138 days left: 37.2% of the target · behind". */
static void due_line(row *w, const kpi_result *k)
{
    char day[16], left[64], progress[64] = "";
    if (!k->has_due) return;
    date_format_iso(k->due, day);
    if (k->days_left >= 0)
        snprintf(left, sizeof left, "%d day%s left", (int)k->days_left,
                 k->days_left == 1 ? "" : "s");
    else
        snprintf(left, sizeof left, "%d day%s ago", (int)-k->days_left,
                 k->days_left == -1 ? "" : "s");
    if (k->has_progress) {
        char pct[32];
        text_grouped(k->progress * 100.0, 1, pct, sizeof pct);
        snprintf(progress, sizeof progress, ": %s%% of the target", pct);
    }
    snprintf(w->due, sizeof w->due, "due %s, %s%s · %s", day, left, progress,
             review_due_words(k->due_state));
}

static void fill_kpi_row(row *w, const kpi_result *k, const report *r, i18n_lang lang)
{
    w->lang = lang;
    w->label = k->title && k->title[0] ? k->title : k->id ? k->id : "";
    w->has_status = 1;
    w->status = k->status;
    w->reason = k->status == STATUS_NO_DATA && k->reason && k->reason[0] ? k->reason : NULL;
    format_value(w->cell[RC_VALUE], k->has_value, k->value, k, r, lang);
    format_value(w->cell[RC_MINIMUM], !isnan(k->minimum), k->minimum, k, r, lang);
    format_value(w->cell[RC_TARGET], !isnan(k->target), k->target, k, r, lang);
    format_value(w->cell[RC_PREVIOUS], k->has_previous, k->previous, k, r, lang);
    if (k->has_change && isfinite(k->change))
        numfmt_change(lang, k->change, w->cell[RC_CHANGE], CELL_SIZE);
    else
        strcpy(w->cell[RC_CHANGE], MISSING);
    pace_line(w, k, r);
    due_line(w, k);
}

/* Rows for every KPI and breakdown item; NULL when out of memory. */
static row *build_rows(const report *r, i18n_lang lang, size_t *nrows)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nkpis; i++)
        n += 1 + r->kpis[i].nitems;
    row *rows = kpi_calloc(n ? n : 1, sizeof *rows);
    if (!rows) return NULL;
    size_t at = 0;
    for (size_t i = 0; i < r->nkpis; i++) {
        const kpi_result *k = &r->kpis[i];
        fill_kpi_row(&rows[at++], k, r, lang);
        for (size_t j = 0; j < k->nitems; j++) {
            row *w = &rows[at++];
            w->label = k->items[j].key ? k->items[j].key : "";
            w->is_item = 1;
            w->has_status = 1;
            w->lang = lang;
            w->status = k->items[j].status;
            w->ungraded = !k->items[j].graded;
            format_value(w->cell[RC_VALUE], k->items[j].has_value, k->items[j].value, k, r, lang);
        }
    }
    *nrows = n;
    return rows;
}

/* The text of a cell and its display width. */
static const char *cell_text(const row *w, int c, size_t *width)
{
    const char *text;
    if (!w->has_status)
        text = i18n_text(w->lang, headings[c]);
    else if (c == RC_KPI)
        text = w->label;
    else if (c == RC_STATUS && w->ungraded)
        text = "";
    else if (c == RC_STATUS)
        text = NULL;
    else
        text = w->cell[c];
    if (text) {
        *width = text_width(text, strlen(text)) + (c == RC_KPI && w->is_item ? 2 : 0);
        return text;
    }
    const char *words = i18n_status(w->lang, w->status);
    *width = text_width(render_status_symbol(w->status), strlen(render_status_symbol(w->status))) +
             1 + text_width(words, strlen(words));
    return words;
}

static void put_cell(textbuf *b, const row *w, int c, size_t col_width, int color)
{
    size_t width;
    const char *text = cell_text(w, c, &width);
    size_t pad = col_width > width ? col_width - width : 0;
    int left = c == RC_KPI || c == RC_STATUS;
    if (!left) textbuf_repeat(b, ' ', pad);
    if (c == RC_KPI && w->has_status && w->is_item) textbuf_puts(b, "  ");
    if (c == RC_STATUS && w->has_status && !w->ungraded) {
        if (color) textbuf_puts(b, status_color(w->status));
        textbuf_printf(b, "%s %s", render_status_symbol(w->status), text);
        if (color) textbuf_puts(b, ANSI_OFF);
    } else {
        textbuf_puts(b, text);
    }
    if (left) textbuf_repeat(b, ' ', pad);
}

/* Drop the spaces a left-aligned last cell padded with. */
static void end_line(textbuf *b)
{
    while (!b->failed && b->len > 0 && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    textbuf_puts(b, "\n");
}

static void put_row(textbuf *b, const row *w, const size_t *widths, int color)
{
    int bold = color && !w->has_status;
    if (bold) textbuf_puts(b, ANSI_BOLD);
    for (int c = 0; c < RC_COUNT; c++) {
        if (c) textbuf_puts(b, "  ");
        put_cell(b, w, c, widths[c], color);
    }
    if (bold) textbuf_puts(b, ANSI_OFF);
    end_line(b);
    if (w->reason) textbuf_printf(b, "  ↳ %s\n", w->reason);
    if (w->pace[0]) textbuf_printf(b, "  ↳ %s\n", w->pace);
    if (w->due[0]) textbuf_printf(b, "  ↳ %s\n", w->due);
}

/* English keeps the period's own label and ISO days, which scripts grep for. */
static void put_header(textbuf *b, const report *r, i18n_lang lang, int color)
{
    char label[64], days[96], start[16], end[16];
    if (lang == I18N_EN) {
        date_format_iso(r->period.start, start);
        date_format_iso(r->period.stop - 1, end);
        period_label(r->period, label, sizeof label);
        snprintf(days, sizeof days, "%s to %s", start, end);
    } else {
        numfmt_period(lang, r->period, label, sizeof label);
        numfmt_period_days(lang, r->period, days, sizeof days);
    }
    if (color) textbuf_puts(b, ANSI_BOLD);
    textbuf_puts(b, r->ruleset && r->ruleset[0] ? r->ruleset : i18n_text(lang, I18N_UNNAMED));
    if (color) textbuf_puts(b, ANSI_OFF);
    textbuf_printf(b, " · %s · %s (%s)", r->file ? r->file : "", label, days);
    if (r->in_progress && r->has_as_of) {
        char as_of[16];
        date_format_iso(r->as_of, as_of);
        textbuf_printf(b, " · to date: %s, %d of %d days", as_of, (int)review_days_counted(r),
                       (int)period_days(r->period));
    }
    if (r->review) textbuf_printf(b, " · review %s", r->review);
    textbuf_puts(b, "\n\n");
}

static void put_counts(textbuf *b, const report *r, i18n_lang lang)
{
    static const kpi_status order[] = {STATUS_MET_TARGET, STATUS_MET_MINIMUM, STATUS_BELOW_MINIMUM,
                                       STATUS_NO_DATA};
    size_t count[4] = {0, 0, 0, 0};
    char kpis[64];
    for (size_t i = 0; i < r->nkpis; i++)
        count[r->kpis[i].status & 3]++;
    textbuf_printf(b, "\n%s:", i18n_kpi_count(lang, r->nkpis, kpis, sizeof kpis));
    for (size_t i = 0; i < 4; i++)
        textbuf_printf(b, "%s %zu %s", i ? "," : "", count[order[i]], i18n_status(lang, order[i]));
    textbuf_puts(b, "\n");
    for (size_t i = 0; i < r->nrejected; i++) /* the values stand on fewer rows than the file's */
        textbuf_printf(b, "! %s: %zu bad row%s of %s left out (on_error = \"skip\")\n",
                       r->rejected[i].source, r->rejected[i].rows,
                       r->rejected[i].rows == 1 ? "" : "s", r->rejected[i].file);
}

char *render_table(const report *r, const render_options *o, size_t *len)
{
    int color = o && o->color;
    i18n_lang lang = i18n_pick(o ? o->lang : NULL, r->locale);
    textbuf b;
    textbuf_init(&b);
    put_header(&b, r, lang, color);
    if (r->nkpis == 0) {
        textbuf_printf(&b, "%s\n", i18n_text(lang, I18N_NO_KPIS));
        return textbuf_finish(&b, len);
    }
    size_t nrows;
    row *rows = build_rows(r, lang, &nrows);
    if (!rows) {
        textbuf_free(&b);
        return NULL;
    }
    row heading = {.lang = lang};
    size_t widths[RC_COUNT];
    for (int c = 0; c < RC_COUNT; c++) {
        cell_text(&heading, c, &widths[c]);
        for (size_t i = 0; i < nrows; i++) {
            size_t w;
            cell_text(&rows[i], c, &w);
            if (w > widths[c]) widths[c] = w;
        }
    }
    put_row(&b, &heading, widths, color);
    for (int c = 0; c < RC_COUNT; c++) {
        if (c) textbuf_puts(&b, "  ");
        textbuf_repeat(&b, '-', widths[c]);
    }
    textbuf_puts(&b, "\n");
    for (size_t i = 0; i < nrows; i++)
        put_row(&b, &rows[i], widths, color);
    put_counts(&b, r, lang);
    kpi_free(rows);
    return textbuf_finish(&b, len);
}
