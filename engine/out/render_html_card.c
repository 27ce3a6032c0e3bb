/*
** render_html_card.c -- one KPI of the HTML report as a card; see render_html_impl.h.
**
** A card reads top to bottom as a manager asks: what is it and how is it doing
** (title, status as symbol, word and colour), how much (the value, shortened for
** the eye with the exact figure under it), better or worse than last time (the
** change, its arrow and colour saying whether that is good for this KPI), against
** what (the bullet graph and the levels in words), and where it comes from (the
** breakdown). Every text taken from the report goes through html_text.
*/
#include <math.h>
#include <string.h>

#include "out/numfmt.h"
#include "out/render.h"
#include "out/render_html_impl.h"

#define BREAKDOWN_SHOWN 10 /* the rest are in the table of all figures */

static void card_head(const html_doc *d, const kpi_result *k, size_t index)
{
    textbuf *b = d->b;
    textbuf_printf(b, "<header class=\"card-head\"><div><h3 id=\"k%zu\">", index);
    html_text(b, k->title && k->title[0] ? k->title : k->id);
    textbuf_puts(b, "</h3><p class=\"sub\"><span class=\"id\">");
    html_text(b, k->id);
    textbuf_puts(b, "</span>");
    if (k->owner && k->owner[0]) {
        textbuf_puts(b, " · ");
        html_text(b, k->owner);
    }
    if (k->review && k->review[0]) {
        textbuf_puts(b, " · ");
        html_text(b, k->review);
    }
    textbuf_printf(b,
                   "</p></div><p class=\"pill\"><span class=\"sym\" aria-hidden=\"true\">%s</span> "
                   "%s</p></header>\n",
                   render_status_symbol(k->status), i18n_status_label(d->lang, k->status));
}

/* "good" when the change moves the KPI the way it should go, "bad" the other way. */
static const char *change_class(const kpi_result *k)
{
    if (fabs(k->change) < 0.0005) return "flat"; /* shows as 0.0% */
    int up = k->change > 0;
    return up == (k->better == BETTER_HIGHER) ? "good" : "bad";
}

static void card_change(const html_doc *d, const kpi_result *k)
{
    char buf[NUMFMT_SIZE];
    if (!k->has_change || !isfinite(k->change)) return;
    const char *cls = change_class(k);
    const char *arrow = strcmp(cls, "flat") == 0 ? "→" : k->change > 0 ? "▲" : "▼";
    textbuf_printf(d->b,
                   "<p class=\"change %s\"><span aria-hidden=\"true\">%s</span> %s "
                   "<span class=\"vs\">%s</span></p>\n",
                   cls, arrow, numfmt_change(d->lang, k->change, buf, sizeof buf),
                   i18n_text(d->lang, I18N_VS_PREVIOUS));
}

static void card_figure(const html_doc *d, const kpi_result *k)
{
    char shown[NUMFMT_SIZE], full[NUMFMT_SIZE];
    textbuf *b = d->b;
    textbuf_puts(b, "<div class=\"figure\"><div class=\"numbers\"><p class=\"value\">");
    if (k->has_value && isfinite(k->value)) {
        numfmt_value_short(d->lang, k->value, k->unit, d->r->currency, shown, sizeof shown);
        numfmt_value(d->lang, k->value, k->unit, d->r->currency, full, sizeof full);
        html_text(b, shown);
        textbuf_puts(b, "</p>\n");
        if (strcmp(shown, full) != 0) {
            textbuf_puts(b, "<p class=\"exact\">");
            html_text(b, full);
            textbuf_puts(b, "</p>\n");
        }
    } else {
        textbuf_printf(b, "%s</p>\n", NUMFMT_NONE);
    }
    card_change(d, k);
    textbuf_puts(b, "</div>\n");
    html_sparkline(d, k);
    textbuf_puts(b, "</div>\n");
}

static void level_item(const html_doc *d, const kpi_result *k, const char *mark, i18n_key label,
                       double v)
{
    char buf[NUMFMT_SIZE];
    textbuf_printf(d->b, "<li><i class=\"mk %s\" aria-hidden=\"true\"></i>%s <b>", mark,
                   i18n_text(d->lang, label));
    html_text(d->b, numfmt_value_short(d->lang, v, k->unit, d->r->currency, buf, sizeof buf));
    textbuf_puts(d->b, "</b></li>");
}

/* The levels and the previous value in words, with the marks the bullet graph uses. */
static void card_levels(const html_doc *d, const kpi_result *k)
{
    textbuf_puts(d->b, "<ul class=\"levels\">");
    if (isfinite(k->target)) level_item(d, k, "mk-tgt", I18N_TARGET, k->target);
    if (isfinite(k->minimum)) level_item(d, k, "mk-min", I18N_MINIMUM, k->minimum);
    if (k->has_previous && isfinite(k->previous))
        level_item(d, k, "mk-prev", I18N_PREVIOUS, k->previous);
    textbuf_printf(
        d->b, "<li class=\"dir\">%s %s</li></ul>\n", k->better == BETTER_LOWER ? "↓" : "↑",
        i18n_text(d->lang, k->better == BETTER_LOWER ? I18N_LOWER_BETTER : I18N_HIGHER_BETTER));
}

void html_card(const html_doc *d, const kpi_result *k, size_t index)
{
    textbuf *b = d->b;
    textbuf_printf(b, "<article class=\"card %s\" aria-labelledby=\"k%zu\">\n",
                   html_status_class(k->status), index);
    card_head(d, k, index);
    card_figure(d, k);
    html_bullet(d, k);
    card_levels(d, k);
    if (!(k->has_value && isfinite(k->value)) && k->reason && k->reason[0]) {
        textbuf_printf(b, "<p class=\"reason\"><strong>%s:</strong> ",
                       i18n_text(d->lang, I18N_NO_DATA_WHY));
        html_text(b, k->reason);
        textbuf_puts(b, "</p>\n");
    }
    html_breakdown(d, k, BREAKDOWN_SHOWN);
    textbuf_puts(b, "</article>\n");
}
