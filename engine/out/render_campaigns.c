/*
** render_campaigns.c -- a campaigns review as a table and as JSON; see render_review.h.
**
** Each campaign is a small table of its own (its KPIs by window), so a reader scans one
** campaign at a time; columns are padded by display width as in the report's table.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "out/render_review.h"
#include "out/textfmt.h"

enum { CC_KPI, CC_BEFORE, CC_DURING, CC_AFTER, CC_CHANGE, CC_COUNT };
#define CELL 200

/* "12,000,000 VND ✔" for a window's value of KPI k, "–" without one. */
static void window_cell(const campaign_result *cr, campaign_window w, size_t k,
                        const char *currency, char *cell)
{
    if (!cr->has[w] || k >= cr->rep[w].nkpis) {
        snprintf(cell, CELL, " ");
        return;
    }
    const kpi_result *r = &cr->rep[w].kpis[k];
    char value[CELL - 16];                      /* room left for the status symbol */
    if (!r->has_value || !isfinite(r->value)) { /* "–" is no data's symbol too */
        snprintf(cell, CELL, "%s", render_status_symbol(STATUS_NO_DATA));
        return;
    }
    text_unit_value(r->value, r->unit, currency, value, sizeof value);
    snprintf(cell, CELL, "%s %s", value, render_status_symbol(r->status));
}

static void kpi_cells(const campaign_review *cv, const campaign_result *cr, size_t k,
                      char cells[CC_COUNT][CELL])
{
    const kpi_result *r = &campaign_kpis(cr)->kpis[k];
    snprintf(cells[CC_KPI], CELL, "%s", r->title && r->title[0] ? r->title : r->id);
    for (int w = 0; w < WINDOW_COUNT; w++)
        window_cell(cr, (campaign_window)w, k, cv->currency, cells[CC_BEFORE + w]);
    double change;
    int per_day;
    if (campaign_change(cr, k, &change, &per_day)) {
        text_change(change, cells[CC_CHANGE], CELL);
        if (per_day) strcat(cells[CC_CHANGE], "/day");
    } else {
        snprintf(cells[CC_CHANGE], CELL, "–");
    }
}

/* "Before (05-18..05-31)" headings with each window's dates. */
static void headings(const campaign_result *cr, char head[CC_COUNT][CELL])
{
    static const char *const names[WINDOW_COUNT] = {"Before", "During", "After"};
    snprintf(head[CC_KPI], CELL, "KPI");
    snprintf(head[CC_CHANGE], CELL, "Change");
    for (int w = 0; w < WINDOW_COUNT; w++) {
        char a[16], b[16];
        if (!cr->has[w]) {
            snprintf(head[CC_BEFORE + w], CELL, "%s", names[w]);
            continue;
        }
        date_format_iso(cr->window[w].start, a);
        date_format_iso(cr->window[w].stop - 1, b);
        snprintf(head[CC_BEFORE + w], CELL, "%s %s..%s", names[w], a + 5, b + 5);
    }
}

static void put_row(textbuf *b, char cells[CC_COUNT][CELL], const size_t *widths)
{
    textbuf_puts(b, "  ");
    for (int c = 0; c < CC_COUNT; c++) {
        size_t w = text_width(cells[c], strlen(cells[c]));
        size_t pad = widths[c] > w ? widths[c] - w : 0;
        if (c) textbuf_puts(b, "  ");
        if (c != CC_KPI) textbuf_repeat(b, ' ', pad);
        textbuf_puts(b, cells[c]);
        if (c == CC_KPI) textbuf_repeat(b, ' ', pad);
    }
    textbuf_puts(b, "\n");
}

static void put_title(textbuf *b, const campaign_result *cr, int color)
{
    char start[16], end[16], due[16];
    date_format_iso(cr->c->start, start);
    date_format_iso(cr->c->end, end);
    date_format_iso(cr->due, due);
    if (color) textbuf_puts(b, "\x1b[1m");
    textbuf_puts(b, cr->c->name);
    if (color) textbuf_puts(b, "\x1b[0m");
    textbuf_printf(b, " · %s to %s", start, end);
    for (size_t i = 0; i < cr->c->nfields; i++)
        if (cr->c->fields[i].text[0])
            textbuf_printf(b, " · %s %s", cr->c->fields[i].column, cr->c->fields[i].text);
    textbuf_printf(b, " · review due %s\n", due);
}

static void put_campaign(textbuf *b, const campaign_review *cv, const campaign_result *cr,
                         int color)
{
    size_t n = campaign_kpis(cr)->nkpis;
    char(*cells)[CC_COUNT][CELL] = kpi_calloc(n + 1, sizeof *cells);
    if (!cells) {
        b->failed = 1;
        return;
    }
    headings(cr, cells[0]);
    size_t widths[CC_COUNT] = {0};
    for (size_t i = 0; i <= n; i++) {
        if (i) kpi_cells(cv, cr, i - 1, cells[i]);
        for (int c = 0; c < CC_COUNT; c++) {
            size_t w = text_width(cells[i][c], strlen(cells[i][c]));
            if (w > widths[c]) widths[c] = w;
        }
    }
    textbuf_puts(b, "\n");
    put_title(b, cr, color);
    for (size_t i = 0; i <= n; i++)
        put_row(b, cells[i], widths);
    kpi_free(cells);
}

char *render_campaigns_table(const campaign_review *cv, const render_options *o, size_t *len)
{
    int color = o && o->color;
    textbuf b;
    textbuf_init(&b);
    if (color) textbuf_puts(&b, "\x1b[1m");
    textbuf_puts(&b, cv->ruleset && cv->ruleset[0] ? cv->ruleset : "(unnamed rule set)");
    if (color) textbuf_puts(&b, "\x1b[0m");
    textbuf_printf(&b, " · %s · review %s · %d days before, %d days after each campaign",
                   cv->file ? cv->file : "", cv->review ? cv->review : "", cv->before, cv->after);
    if (cv->has_as_of) {
        char day[16];
        date_format_iso(cv->as_of, day);
        textbuf_printf(&b, " · as of %s", day);
    }
    textbuf_puts(&b, "\n");
    if (cv->n == 0) textbuf_puts(&b, "\nNo campaign has started yet.\n");
    for (size_t i = 0; i < cv->n; i++)
        put_campaign(&b, cv, &cv->items[i], color);
    textbuf_printf(&b, "\n%s %s   %s %s   %s %s   %s %s\n", render_status_symbol(STATUS_MET_TARGET),
                   render_status_words(STATUS_MET_TARGET), render_status_symbol(STATUS_MET_MINIMUM),
                   render_status_words(STATUS_MET_MINIMUM),
                   render_status_symbol(STATUS_BELOW_MINIMUM),
                   render_status_words(STATUS_BELOW_MINIMUM), render_status_symbol(STATUS_NO_DATA),
                   render_status_words(STATUS_NO_DATA));
    return textbuf_finish(&b, len);
}

/* ---- JSON --------------------------------------------------------------------------- */

static void json_day(textbuf *b, int32_t day)
{
    char text[16];
    date_format_iso(day, text);
    text_json_string(b, text);
}

static void json_windows(textbuf *b, const campaign_result *cr)
{
    static const char *const names[WINDOW_COUNT] = {"before", "during", "after"};
    textbuf_puts(b, "{");
    for (int w = 0; w < WINDOW_COUNT; w++) {
        textbuf_printf(b, "%s\"%s\": ", w ? ", " : "", names[w]);
        if (!cr->has[w]) {
            textbuf_puts(b, "null");
            continue;
        }
        textbuf_puts(b, "{\"start\": ");
        json_day(b, cr->window[w].start);
        textbuf_puts(b, ", \"end\": ");
        json_day(b, cr->window[w].stop - 1);
        textbuf_printf(b, ", \"days\": %d}", (int)period_days(cr->window[w]));
    }
    textbuf_puts(b, "}");
}

static void json_window_value(textbuf *b, const campaign_result *cr, campaign_window w, size_t k)
{
    if (!cr->has[w] || k >= cr->rep[w].nkpis) {
        textbuf_puts(b, "null");
        return;
    }
    const kpi_result *r = &cr->rep[w].kpis[k];
    textbuf_puts(b, "{\"value\": ");
    text_json_number(b, r->has_value, r->value);
    textbuf_puts(b, ", \"status\": ");
    text_json_string(b, status_name(r->status));
    textbuf_puts(b, ", \"reason\": ");
    text_json_string(b, r->has_value ? NULL : r->reason);
    textbuf_puts(b, "}");
}

static void json_kpi(textbuf *b, const campaign_result *cr, size_t k)
{
    static const char *const names[WINDOW_COUNT] = {"before", "during", "after"};
    const kpi_result *r = &campaign_kpis(cr)->kpis[k];
    textbuf_puts(b, "{\"id\": ");
    text_json_string(b, r->id);
    textbuf_puts(b, ", \"title\": ");
    text_json_string(b, r->title ? r->title : r->id);
    textbuf_puts(b, ", \"unit\": ");
    text_json_string(b, r->unit ? r->unit : "");
    textbuf_puts(b, ", \"better\": ");
    text_json_string(b, better_name(r->better));
    textbuf_puts(b, ", \"minimum\": ");
    text_json_number(b, 1, r->minimum);
    textbuf_puts(b, ", \"target\": ");
    text_json_number(b, 1, r->target);
    textbuf_printf(b, ", \"additive\": %s", r->additive ? "true" : "false");
    for (int w = 0; w < WINDOW_COUNT; w++) {
        textbuf_printf(b, ", \"%s\": ", names[w]);
        json_window_value(b, cr, (campaign_window)w, k);
    }
    double change = 0;
    int per_day = 0, has = campaign_change(cr, k, &change, &per_day);
    textbuf_puts(b, ", \"change\": ");
    text_json_number(b, has, change);
    textbuf_printf(b, ", \"change_per_day\": %s}", per_day ? "true" : "false");
}

static void json_fields(textbuf *b, const campaign *c)
{
    textbuf_puts(b, "{");
    for (size_t i = 0; i < c->nfields; i++) {
        const campaign_field *f = &c->fields[i];
        if (i) textbuf_puts(b, ", ");
        text_json_string(b, f->column);
        textbuf_puts(b, ": ");
        if (f->is_number)
            text_json_number(b, 1, f->number);
        else
            text_json_string(b, f->text);
    }
    textbuf_puts(b, "}");
}

static void json_campaign(textbuf *b, const campaign_result *cr)
{
    textbuf_puts(b, "{\"name\": ");
    text_json_string(b, cr->c->name);
    textbuf_puts(b, ", \"start\": ");
    json_day(b, cr->c->start);
    textbuf_puts(b, ", \"end\": ");
    json_day(b, cr->c->end);
    textbuf_puts(b, ", \"due\": ");
    json_day(b, cr->due);
    textbuf_puts(b, ", \"fields\": ");
    json_fields(b, cr->c);
    textbuf_puts(b, ",\n   \"windows\": ");
    json_windows(b, cr);
    textbuf_puts(b, ",\n   \"kpis\": [");
    size_t n = campaign_kpis(cr)->nkpis;
    for (size_t k = 0; k < n; k++) {
        textbuf_puts(b, k ? ",\n    " : "\n    ");
        json_kpi(b, cr, k);
    }
    textbuf_puts(b, n ? "\n   ]}" : "]}");
}

char *render_campaigns_json(const campaign_review *cv, size_t *len)
{
    textbuf b;
    textbuf_init(&b);
    textbuf_puts(&b, "{\"ruleset\": ");
    text_json_string(&b, cv->ruleset ? cv->ruleset : "");
    textbuf_puts(&b, ", \"file\": ");
    text_json_string(&b, cv->file ? cv->file : "");
    textbuf_puts(&b, ", \"review\": ");
    text_json_string(&b, cv->review);
    textbuf_printf(&b, ", \"before_days\": %d, \"after_days\": %d, \"as_of\": ", cv->before,
                   cv->after);
    if (cv->has_as_of)
        json_day(&b, cv->as_of);
    else
        textbuf_puts(&b, "null");
    textbuf_puts(&b, ",\n \"campaigns\": [");
    for (size_t i = 0; i < cv->n; i++) {
        textbuf_puts(&b, i ? ",\n  " : "\n  ");
        json_campaign(&b, &cv->items[i]);
    }
    textbuf_puts(&b, cv->n ? "\n ]}\n" : "]}\n");
    return textbuf_finish(&b, len);
}
