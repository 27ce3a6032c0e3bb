/*
** campaign.h -- marketing campaigns as a campaigns review sees them: each one a name,
** a first and a last day, and whatever other columns the campaigns source has
** (channel, budget), read from a loaded table; and the windows around it.
**
** For a review with before = N and after = M days, a campaign running from start to
** end (both included) has three windows, each a RANGE period (stop exclusive):
**   before  [start - N, start)        absent when N = 0
**   during  [start, end + 1)
**   after   [end + 1, end + 1 + M)    absent when M = 0
** and its review is due the day after the after window: end + M + 1.
**
** The source must have columns name (text), start and end (dates; timestamps count by
** their day; ISO text is read as dates). A campaign whose end is before its start, or
** a missing name or date, is an error naming the campaign's data row (1-based: in a CSV
** file with a header, row 1 is line 2).
**
** A campaign review holds, per campaign, one report per window (the same KPIs in the
** same order in each) and the change from before to after: for an additive KPI (a sum
** over time) the change of its rate per day, since the windows may differ in length
** (14 days before, 30 after); for any other KPI the change of its value.
*/
#ifndef KPI_CAMPAIGN_H
#define KPI_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "core/kpi_error.h"
#include "core/period.h"
#include "core/table.h"
#include "model/report.h"

/* Another column of the campaign's row, as text, and as a number when it is one. */
typedef struct campaign_field {
    const char *column; /* borrowed from the table */
    char *text;         /* "" for a null */
    int is_number;      /* int, float or decimal column with a value */
    double number;
} campaign_field;

typedef struct campaign {
    char *name;
    int32_t start, end; /* first and last day */
    campaign_field *fields;
    size_t nfields;
} campaign;

typedef struct campaign_list {
    campaign *items; /* in the source's row order */
    size_t n;
} campaign_list;

typedef enum campaign_window {
    WINDOW_BEFORE,
    WINDOW_DURING,
    WINDOW_AFTER,
    WINDOW_COUNT
} campaign_window;

/* "before", "during", "after". */
const char *campaign_window_name(campaign_window w);

/*
** Read the campaigns of table t (source `source`, for messages; file the source's file)
** into *out. Returns 0, or -1 and fills err (KPI_EDATA, KPI_ENOMEM). campaign_list_free
** it either way.
*/
int campaign_list_load(const table *t, const char *source, const char *file, campaign_list *out,
                       kpi_error *err);
void campaign_list_free(campaign_list *l);
/* The campaign called name, or NULL. */
const campaign *campaign_find(const campaign_list *l, const char *name);

/* Window w of c for before / after days; 0 when that window is absent (a 0-day one). */
int campaign_window_period(const campaign *c, campaign_window w, int before, int after,
                           period *out);
/* The day c's review is due: the day after its after window. */
int32_t campaign_due(const campaign *c, int after);

/* ---- a campaign review's results ---------------------------------------------------------- */

typedef struct campaign_result {
    const campaign *c;           /* borrowed from the campaign list */
    int has[WINDOW_COUNT];       /* the window exists and was evaluated */
    period window[WINDOW_COUNT]; /* the days evaluated (cut at as_of) */
    report rep[WINDOW_COUNT];    /* owned; empty where !has */
    int32_t due;                 /* campaign_due() */
} campaign_result;

typedef struct campaign_review {
    const char *ruleset, *file, *review, *currency; /* borrowed */
    int before, after;                              /* days */
    int has_as_of;
    int32_t as_of; /* windows were cut after this day */
    campaign_result *items;
    size_t n;
} campaign_review;

/* Free the reports and the item array (the borrowed strings and campaigns stay). */
void campaign_review_free(campaign_review *r);
/*
** The change of KPI k (index into the reports' KPIs) of cr from before to after: 1 and
** *change, or 0 when a window or a value is missing or the base is 0. *per_day says
** whether it compares rates per day (additive KPIs).
*/
int campaign_change(const campaign_result *cr, size_t k, double *change, int *per_day);
/* The KPIs' report of cr (the during window's, which always exists). */
const report *campaign_kpis(const campaign_result *cr);

#endif
