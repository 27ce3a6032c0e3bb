/*
** render_csv.c -- the report as CSV for spreadsheets and scripts; see render.h for
** the columns, which are a contract: only ever add new ones at the end.
**
** Cells are quoted only when they must be (a comma, a quote, CR or LF inside), so
** a plain file stays easy to read. Text from the rule set or the data can reach a
** spreadsheet that evaluates "=..." as a formula; such cells get an apostrophe in
** front (OWASP's advice), but a cell that is a plain number stays a number.
*/
#include "out/render.h"

#include <math.h>
#include <string.h>

#include "core/date.h"
#include "core/period.h"
#include "out/i18n.h"
#include "out/textfmt.h"

static const char *const columns[] = {
    "row",      "ruleset", "period", "start",  "end",     "kpi",    "title",
    "item",     "unit",    "better", "value",  "minimum", "target", "status",
    "previous", "change",  "owner",  "review", "reason",
};
enum { NCOLUMNS = sizeof columns / sizeof columns[0] };

/* Whether s is a plain decimal number: [+-]digits[.digits][e[+-]digits]. */
static int plain_number(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-') i++;
    while (s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0) return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t exp_digits = 0;
        i++;
        if (s[i] == '+' || s[i] == '-') i++;
        while (s[i] >= '0' && s[i] <= '9')
            i++, exp_digits++;
        if (exp_digits == 0) return 0;
    }
    return s[i] == '\0';
}

/* Whether a spreadsheet could take s for a formula (or a DDE call). */
static int formula_like(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) && !plain_number(s);
}

/* Text as it is, each byte of invalid UTF-8 replaced by U+FFFD and '"' doubled. */
static void put_utf8(textbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        unsigned long cp;
        size_t n = i18n_utf8_length(p + i, len - i, &cp);
        if (n == 0)
            textbuf_puts(b, "\xEF\xBF\xBD"), n = 1;
        else if (p[i] == '"')
            textbuf_puts(b, "\"\"");
        else
            textbuf_put(b, s + i, n);
        i += n;
    }
}

void render_csv_quoted(textbuf *b, const char *s)
{
    textbuf_puts(b, "\"");
    if (formula_like(s)) textbuf_puts(b, "'");
    put_utf8(b, s);
    textbuf_puts(b, "\"");
}

static void cell_text(textbuf *b, const char *s)
{
    if (!s) s = "";
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote) textbuf_puts(b, "\"");
    if (formula_like(s)) textbuf_puts(b, "'");
    put_utf8(b, s);
    if (quote) textbuf_puts(b, "\"");
}

static void cell_number(textbuf *b, int has, double v)
{
    char buf[40];
    if (has && isfinite(v)) /* NaN and infinities are no value */
        textbuf_puts(b, text_shortest(v, buf, sizeof buf));
}

static void sep(textbuf *b)
{
    textbuf_puts(b, ",");
}

/* The columns every row starts with: row .. item. */
static void row_start(textbuf *b, const report *r, const kpi_result *k, const char *row,
                      const char *item)
{
    char label[64], start[16], end[16];
    date_format_iso(r->period.start, start);
    date_format_iso(r->period.stop - 1, end);
    const char *lead[] = {row,
                          r->ruleset,
                          period_label(r->period, label, sizeof label),
                          start,
                          end,
                          k->id,
                          k->title ? k->title : k->id,
                          item};
    for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
        if (i) sep(b);
        cell_text(b, lead[i]);
    }
    sep(b);
    cell_text(b, k->unit);
    sep(b);
    cell_text(b, better_name(k->better));
    sep(b);
}

static void kpi_row(textbuf *b, const report *r, const kpi_result *k)
{
    row_start(b, r, k, "kpi", "");
    cell_number(b, k->has_value, k->value);
    sep(b);
    cell_number(b, 1, k->minimum);
    sep(b);
    cell_number(b, 1, k->target);
    sep(b);
    cell_text(b, status_name(k->status));
    sep(b);
    cell_number(b, k->has_previous, k->previous);
    sep(b);
    cell_number(b, k->has_change, k->change);
    sep(b);
    cell_text(b, k->owner);
    sep(b);
    cell_text(b, k->review);
    sep(b);
    cell_text(b, k->has_value ? "" : k->reason);
    textbuf_puts(b, "\r\n");
}

static void item_row(textbuf *b, const report *r, const kpi_result *k, const breakdown_item *it)
{
    row_start(b, r, k, "item", it->key ? it->key : "");
    cell_number(b, it->has_value, it->value);
    sep(b);
    cell_number(b, it->graded, k->minimum);
    sep(b);
    cell_number(b, it->graded, k->target);
    sep(b);
    cell_text(b, it->graded ? status_name(it->status) : "");
    textbuf_puts(b, ",,,,,\r\n"); /* previous, change, owner, review, reason */
}

char *render_csv(const report *r, size_t *len)
{
    textbuf b;
    textbuf_init(&b);
    for (size_t i = 0; i < NCOLUMNS; i++) {
        if (i) sep(&b);
        textbuf_puts(&b, columns[i]);
    }
    textbuf_puts(&b, "\r\n");
    for (size_t i = 0; i < r->nkpis; i++) {
        const kpi_result *k = &r->kpis[i];
        kpi_row(&b, r, k);
        for (size_t j = 0; j < k->nitems; j++)
            item_row(&b, r, k, &k->items[j]);
    }
    return textbuf_finish(&b, len);
}
