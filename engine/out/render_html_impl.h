/*
** render_html_impl.h -- what the files of the HTML report share (not a public
** header): render_html.c writes the document, its header, summary and table;
** render_html_card.c one card per KPI; render_html_svg.c the graphics and the
** escaping every piece of report text goes through.
*/
#ifndef KPI_RENDER_HTML_IMPL_H
#define KPI_RENDER_HTML_IMPL_H

#include "model/report.h"
#include "out/i18n.h"
#include "out/textfmt.h"

typedef struct html_doc {
    textbuf *b;
    const report *r;
    i18n_lang lang;
} html_doc;

/*
** Append s as HTML text or a quoted attribute value: & < > " ' escaped, '/' written
** as &#47; (so no "//" or "http://" ever appears, even in data), control characters
** dropped (but tab and line breaks, which become spaces), each byte of invalid UTF-8
** replaced by U+FFFD. NULL appends nothing.
*/
void html_text(textbuf *b, const char *s);
/* The same for the len bytes at s. */
void html_text_n(textbuf *b, const char *s, size_t len);

/* The CSS class of a status: "st-met_target", ... */
const char *html_status_class(kpi_status s);

/* One KPI's card (render_html_card.c); index numbers the ids of its elements. */
void html_card(const html_doc *d, const kpi_result *k, size_t index);

/*
** The bullet graph of k: bands graded as the KPI grades values, the value bar, the
** minimum and target marks, and the previous value's mark (render_html_svg.c).
*/
void html_bullet(const html_doc *d, const kpi_result *k);
/* The sparkline of k's history and current value; nothing when k has no history. */
void html_sparkline(const html_doc *d, const kpi_result *k);
/* The breakdown of k as sorted bars, at most `shown` of them; nothing without items. */
void html_breakdown(const html_doc *d, const kpi_result *k, size_t shown);

#endif
