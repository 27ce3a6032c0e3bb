/*
** rulediff.h -- what differs between the declarations of two loaded rule sets, for
** `kpiengine diff A.lua B.lua`.
**
** Compared, in this order: the ruleset fields (name, currency, locale, grain); each KPI
** of A (removed from B, or its fields title, unit, better, minimum, target, owner,
** review, additive and due, and its value and breakdown functions), then the KPIs only
** B has (added); the sources (csv / sqlite path as written, query, table, time,
** delimiter, decimal, date_format, header, columns); the reviews (every, campaigns,
** title, before, after, day, business, kpis).
**
** A function is compared by its source text: the lines from its debug info's
** linedefined to lastlinedefined in the file that defines it, from the first "function"
** on the first line to the last "end" on the last, each line trimmed of surrounding
** blanks (so re-indenting or moving a function changes nothing). Two functions on one
** line share that line's text. A function whose text cannot be read (a chunk that is not
** a file) compares by its file and lines.
**
** Nothing here evaluates a KPI: the command line compares the reports itself.
*/
#ifndef KPI_RULEDIFF_H
#define KPI_RULEDIFF_H

#include <stddef.h>

#include "core/kpi_error.h"
#include "rules.h"

typedef enum rulediff_kind { RD_RULESET, RD_KPI, RD_SOURCE, RD_REVIEW } rulediff_kind;

typedef enum rulediff_change {
    RD_ADDED,   /* only in B */
    RD_REMOVED, /* only in A */
    RD_CHANGED, /* field differs: a and b hold both values */
    RD_FORMULA  /* a function's text differs: a and b are "file:first-last" */
} rulediff_change;

typedef struct rulediff_item {
    rulediff_kind kind;
    rulediff_change change;
    char *name;        /* the KPI, source or review; the field for RD_RULESET */
    char *field;       /* the field that changed (RD_CHANGED, RD_FORMULA), else NULL */
    char *a, *b;       /* the two values as text; NULL when absent (a field not given) */
    int literal;       /* a and b (when not NULL) are numbers (shortest form) or true / false,
                          not strings: shown without quotes */
    char *at_a, *at_b; /* "file:line" of the declaration in A and in B, NULL when none */
} rulediff_item;

typedef struct rulediff {
    rulediff_item *items;
    size_t n;
} rulediff;

/* "ruleset", "kpi", "source", "review"; "added", "removed", "changed", "formula". */
const char *rulediff_kind_name(rulediff_kind k);
const char *rulediff_change_name(rulediff_change c);

/*
** Compare a with b (both loaded, neither evaluated meanwhile is required) into *out
** (rulediff_free it; out->n == 0: the same). Reads the files that define the
** functions. 0, or -1 + err (KPI_ENOMEM).
*/
int rulediff_compare(rules *a, rules *b, rulediff *out, kpi_error *err);
void rulediff_free(rulediff *d);

#endif
