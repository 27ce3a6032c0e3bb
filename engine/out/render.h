/*
** render.h -- a report as text: the JSON document (a public contract) and the
** table a person reads in a terminal.
**
** Renderers build the whole text in memory and hand it over; the caller decides
** where it goes (stdout, or a file written atomically). They never print.
**
** JSON (DESIGN section 4): keys in this order, stable across versions, in English:
**   {"ruleset", "file", "period": {"grain", "label", "start", "end"},
**    "kpis": [{"id", "title", "unit", "better", "value", "minimum", "target",
**              "status", "previous", "change",
**              "breakdown": [{"key", "value", "status"}],
**              "owner", "review", "reason"}]}
** "end" is the last day inside the period. "owner", "review" and "reason" are
** additions to the DESIGN shape and always present: the KPI's owner and review
** name (null when it has none) and why there is no value (null when there is one).
** A missing number (no value, no previous value, no change, an unset level) is
** null; numbers are in their shortest round-tripping form. The document has one
** KPI per line and ends with a newline.
**
** Table: a header line (rule set, file, period label and dates), then one row per
** KPI -- KPI, Value, Minimum, Target, Status, Previous, Change -- with its
** breakdown items indented under it and, for a KPI without data, the reason; then a
** count of KPIs per status. Columns align by display width (UTF-8, combining marks,
** wide characters). Each status has a word and a symbol (never colour alone):
**   ✔ met target   ● met minimum   ✖ below minimum   – no data
*/
#ifndef KPI_RENDER_H
#define KPI_RENDER_H

#include <stddef.h>

#include "model/report.h"

typedef struct render_options {
    int color; /* 1: ANSI colours for statuses and the header (the caller checks the terminal) */
    const char *lang; /* "vi" or "en" for labels and numbers; NULL: the rule set's locale */
} render_options;

/* Whether format names a renderer: "table", "json" (and those render_report lists). */
int render_format_known(const char *format);
/* The formats render_report knows, for messages: "table, json". */
const char *render_format_names(void);
/* The report in format (kpi_free it) and its length; NULL when out of memory. */
char *render_report(const char *format, const report *r, const render_options *o, size_t *len);

/* The JSON document for r (kpi_free it) and its length; NULL when out of memory. */
char *render_json(const report *r, size_t *len);
/* The table for r (kpi_free it) and its length; NULL when out of memory. o may be NULL. */
char *render_table(const report *r, const render_options *o, size_t *len);

/* The symbol and the words of a status: "✔", "met target". */
const char *render_status_symbol(kpi_status s);
const char *render_status_words(kpi_status s);

#endif
