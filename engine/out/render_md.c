/*
** render_md.c -- the report as a Markdown table, for emails and wikis; see render.h.
**
** Numbers and labels come from numfmt and i18n in the report's language, so the
** Markdown reads as the HTML report does. Text taken from the rule set or the data
** (titles, keys, reasons, names) is escaped: the punctuation that can start markup
** anywhere in a line (\ ` * _ [ ] < > | ~ &) gets a backslash,
** a line break becomes a space (a table row is one line), and invalid UTF-8 becomes
** U+FFFD. Our own numbers and words need no escaping.
*/
#include "out/render.h"

#include <math.h>
#include <string.h>

#include "out/i18n.h"
#include "out/numfmt.h"
#include "out/textfmt.h"

/* Append s escaped for Markdown inline text (a table cell, a heading, a list item). */
static void md_text(textbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p), i = 0;
    while (i < len) {
        unsigned long cp;
        size_t n = i18n_utf8_length(p + i, len - i, &cp);
        if (n == 0) {
            textbuf_puts(b, "\xEF\xBF\xBD");
            n = 1;
        } else if (cp == '\n' || cp == '\r' || cp == '\t') {
            textbuf_puts(b, " ");
        } else if (cp < 0x20 || cp == 0x7F) {
            /* other control characters have no place in a table */
        } else if (n == 1 && strchr("\\`*_[]<>|~&", (int)cp)) {
            char esc[3] = {'\\', (char)cp, '\0'};
            textbuf_puts(b, esc);
        } else {
            textbuf_put(b, (const char *)p + i, n);
        }
        i += n;
    }
}

static void md_value(textbuf *b, i18n_lang lang, int has, double v, const kpi_result *k,
                     const report *r)
{
    char buf[NUMFMT_SIZE];
    textbuf_puts(b, has && isfinite(v)
                        ? numfmt_value(lang, v, k->unit, r->currency, buf, sizeof buf)
                        : NUMFMT_NONE);
}

static void md_status(textbuf *b, i18n_lang lang, kpi_status s)
{
    textbuf_printf(b, "%s %s", render_status_symbol(s), i18n_status(lang, s));
}

static void md_kpi_row(textbuf *b, i18n_lang lang, const kpi_result *k, const report *r)
{
    char buf[NUMFMT_SIZE];
    textbuf_puts(b, "| ");
    md_text(b, k->title && k->title[0] ? k->title : k->id);
    textbuf_puts(b, " | ");
    md_value(b, lang, k->has_value, k->value, k, r);
    textbuf_puts(b, " | ");
    md_value(b, lang, 1, k->minimum, k, r);
    textbuf_puts(b, " | ");
    md_value(b, lang, 1, k->target, k, r);
    textbuf_puts(b, " | ");
    md_status(b, lang, k->status);
    textbuf_puts(b, " | ");
    md_value(b, lang, k->has_previous, k->previous, k, r);
    textbuf_puts(b, " | ");
    textbuf_puts(b, k->has_change ? numfmt_change(lang, k->change, buf, sizeof buf) : NUMFMT_NONE);
    textbuf_puts(b, " |\n");
}

static void md_item_row(textbuf *b, i18n_lang lang, const breakdown_item *it, const kpi_result *k,
                        const report *r)
{
    textbuf_puts(b, "| ↳ ");
    md_text(b, it->key);
    textbuf_puts(b, " | ");
    md_value(b, lang, it->has_value, it->value, k, r);
    textbuf_puts(b, " |  |  | ");
    if (it->graded) md_status(b, lang, it->status);
    textbuf_puts(b, " |  |  |\n");
}

static void md_header(textbuf *b, i18n_lang lang, const report *r)
{
    char name[NUMFMT_SIZE], days[NUMFMT_SIZE];
    textbuf_printf(b, "# %s: ", i18n_text(lang, I18N_SCORECARD));
    md_text(b, r->ruleset && r->ruleset[0] ? r->ruleset : i18n_text(lang, I18N_UNNAMED));
    textbuf_printf(b, "\n\n**%s:** %s (%s)", i18n_text(lang, I18N_PERIOD),
                   numfmt_period(lang, r->period, name, sizeof name),
                   numfmt_period_days(lang, r->period, days, sizeof days));
    if (r->file && r->file[0]) {
        textbuf_printf(b, " · **%s:** ", i18n_text(lang, I18N_FILE));
        md_text(b, r->file);
    }
    textbuf_puts(b, "\n\n");
}

static void md_counts(textbuf *b, i18n_lang lang, const report *r)
{
    static const kpi_status order[] = {STATUS_MET_TARGET, STATUS_MET_MINIMUM, STATUS_BELOW_MINIMUM,
                                       STATUS_NO_DATA};
    size_t count[4] = {0, 0, 0, 0};
    char n[32];
    for (size_t i = 0; i < r->nkpis; i++)
        count[r->kpis[i].status & 3]++;
    textbuf_printf(b, "\n**%s:**", i18n_kpi_count(lang, r->nkpis, n, sizeof n));
    for (size_t i = 0; i < 4; i++)
        textbuf_printf(b, "%s %s %zu %s", i ? " ·" : "", render_status_symbol(order[i]),
                       count[order[i]], i18n_status(lang, order[i]));
    textbuf_puts(b, "\n");
}

/* The KPIs without data and why, as a list under the table. */
static void md_reasons(textbuf *b, i18n_lang lang, const report *r)
{
    int any = 0;
    for (size_t i = 0; i < r->nkpis; i++) {
        const kpi_result *k = &r->kpis[i];
        if (k->has_value || !k->reason || !k->reason[0]) continue;
        if (!any) textbuf_printf(b, "\n%s:\n\n", i18n_text(lang, I18N_NO_DATA_WHY));
        any = 1;
        textbuf_puts(b, "- **");
        md_text(b, k->title && k->title[0] ? k->title : k->id);
        textbuf_puts(b, "**: ");
        md_text(b, k->reason);
        textbuf_puts(b, "\n");
    }
}

char *render_md(const report *r, const render_options *o, size_t *len)
{
    i18n_lang lang = i18n_pick(o ? o->lang : NULL, r->locale);
    textbuf b;
    textbuf_init(&b);
    md_header(&b, lang, r);
    if (r->nkpis == 0) {
        textbuf_printf(&b, "%s\n", i18n_text(lang, I18N_NO_KPIS));
        return textbuf_finish(&b, len);
    }
    static const i18n_key heads[] = {I18N_KPI,    I18N_VALUE,    I18N_MINIMUM, I18N_TARGET,
                                     I18N_STATUS, I18N_PREVIOUS, I18N_CHANGE};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        textbuf_printf(&b, "| %s ", i18n_text(lang, heads[i]));
    textbuf_puts(&b, "|\n|:---|---:|---:|---:|:---|---:|---:|\n");
    for (size_t i = 0; i < r->nkpis; i++) {
        const kpi_result *k = &r->kpis[i];
        md_kpi_row(&b, lang, k, r);
        for (size_t j = 0; j < k->nitems; j++)
            md_item_row(&b, lang, &k->items[j], k, r);
    }
    md_counts(&b, lang, r);
    md_reasons(&b, lang, r);
    return textbuf_finish(&b, len);
}
