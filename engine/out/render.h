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
** Additions for reviews over time (after the keys above, so readers of the design's
** shape are unaffected): each KPI ends with
**   "pace": {"projection", "status", "on_pace"} or null -- an additive KPI in a period
**           still in progress: its value at the period's end at the rate so far, that
**           value's grade, and whether the grade is met_target;
**   "due":  {"date", "days_left", "progress", "state"} or null -- a KPI with a deadline:
**           days from the last day counted to it (negative once past), the share of
**           the target reached, and "met" | "on_pace" | "behind" | "overdue" | "open";
** and the document ends with "review" (the review's name or null), "as_of" (the day
** the run stood on, when --as-of or a period in progress set it, else null),
** "in_progress" (true when values are to date), "period_days" and "days_counted".
** A breakdown item that is not graded (a part of an additive KPI) has "status": null.
** The other documents of the review commands are described in out/history.h
** (history), out/agenda.h (schedule) and out/render_review.h (campaign reviews).
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
#include "out/textfmt.h"

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

/* A KPI's breakdown as the JSON array of the report (the store keeps the same text). */
void render_json_breakdown(textbuf *b, const kpi_result *k);
/* The JSON document for r (kpi_free it) and its length; NULL when out of memory. */
char *render_json(const report *r, size_t *len);
/* The table for r (kpi_free it) and its length; NULL when out of memory. o may be NULL. */
char *render_table(const report *r, const render_options *o, size_t *len);

/* The symbol and the words of a status: "✔", "met target". */
const char *render_status_symbol(kpi_status s);
const char *render_status_words(kpi_status s);

/*
** ---- reports for people and spreadsheets: html, md, csv ----
**
** The language (labels, status words, number and date formats; see i18n.h and
** numfmt.h) is o->lang, else the report's locale: "vi" or English.
**
** HTML: one self-contained UTF-8 file that opens from disk and makes no request:
** inline CSS and inline <svg> (HTML5, no xmlns), no script, no external reference of
** any kind (the text never holds "//": every '/' of the report's strings is written
** as &#47;), and a Content-Security-Policy that forbids loading anything. It has a
** header (client, rule set, file, period, generated at), a count of KPIs by status,
** one card per KPI (value, status as symbol, word and colour, change vs the previous
** period, a bullet graph of value, minimum, target and previous value, a sparkline
** when the KPI carries history, breakdown items as bars sorted by value, largest
** first, each with its status), and a table of all figures as the text alternative
** of the graphics. A rule-set name "Set – Client" (an en or em dash between spaces)
** reads as rule set "Set" for client "Client". Printed, it lays out on A4.
** Everything taken from the report is escaped.
*/
char *render_html(const report *r, const render_options *o, size_t *len);
/*
** The same with the "generated at" time given: seconds since 1970-01-01 UTC, shown in
** the local time zone (TZ). render_html uses $SOURCE_DATE_EPOCH when it is set to a
** number (reproducible output), else the current time.
*/
char *render_html_at(const report *r, const render_options *o, long long generated, size_t *len);

/*
** Markdown (GitHub / CommonMark tables), for emails and wikis: a heading with the
** rule set, a line with the period and file, one table row per KPI -- KPI, Value,
** Minimum, Target, Status, Previous, Change -- with its breakdown items as rows
** "↳ key" under it, the reasons for KPIs without data, and a count by status. Text
** from the report has Markdown's punctuation backslash-escaped and no line breaks.
*/
char *render_md(const report *r, const render_options *o, size_t *len);

/*
** CSV (RFC 4180, comma, CRLF, UTF-8 without a byte-order mark), for spreadsheets and
** scripts. Language-independent, as JSON: numbers in their shortest round-tripping
** form with '.' as decimal mark, statuses as JSON's codes, empty for a missing value.
** One header row, then one row per KPI followed by one per breakdown item. Columns,
** stable across versions (new ones are only ever added at the end):
**   row        "kpi" or "item"
**   ruleset    the rule set's name
**   period     the period's label: "2024-08"
**   start,end  its first and last day: "2024-08-01", "2024-08-31"
**   kpi        the KPI's id
**   title      the KPI's title
**   item       the breakdown key (empty on a kpi row)
**   unit       the KPI's unit
**   better     "higher" or "lower"
**   value      the value (of the KPI or the item); empty when no data
**   minimum    the KPI's minimum; on an item row only when the item is graded
**   target     the same for the target
**   status     met_target, met_minimum, below_minimum, no_data; empty for an item
**              that is not graded (a part of an additive KPI)
**   previous   the previous period's value (kpi rows)
**   change     (value - previous) / |previous| as a fraction (kpi rows)
**   owner      the KPI's owner (kpi rows)
**   review     the KPI's review (kpi rows)
**   reason     why there is no value (kpi rows)
** Spreadsheet formula injection: a text cell that begins with = + - @, a tab or a
** carriage return gets a leading apostrophe, unless it is a plain number.
*/
char *render_csv(const report *r, size_t *len);
/*
** One CSV cell always in quotes, with render_csv's rules: '"' doubled, invalid UTF-8
** replaced, a formula-like text behind an apostrophe (for other CSV files, as --rejects).
*/
void render_csv_quoted(textbuf *b, const char *s);

#endif
