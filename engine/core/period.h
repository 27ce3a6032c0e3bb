/*
** period.h -- review periods: a grain and a half-open day range [start, stop).
**
** Periods are calendar-aligned for every grain but RANGE: a month starts on the 1st,
** a quarter on Jan/Apr/Jul/Oct 1st, a week on an ISO Monday. Labels:
**   day "2024-08-05", week "2024-W35", month "2024-08", quarter "2024-Q3", year "2024",
**   range "2024-08-01..2024-08-15" (both ends inclusive as written; stop is exclusive inside).
** Shifting a RANGE moves it by its own length in days. A bound that would fall outside
** the int32 day range saturates at INT32_MIN / INT32_MAX.
*/
#ifndef KPI_PERIOD_H
#define KPI_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "kpi_error.h"

typedef enum period_grain {
    GRAIN_DAY,
    GRAIN_WEEK,
    GRAIN_MONTH,
    GRAIN_QUARTER,
    GRAIN_YEAR,
    GRAIN_RANGE
} period_grain;

typedef struct period {
    period_grain grain;
    int32_t start; /* first day, days since 1970-01-01 */
    int32_t stop;  /* first day after the period */
} period;

/* "day", "week", "month", "quarter", "year", "range". */
const char *period_grain_name(period_grain g);
/* Parse a grain name (also accepts "daily", "weekly", "monthly", "quarterly", "yearly"). 0 or -1. */
int period_grain_parse(const char *s, period_grain *g);

/* Parse any label form above. Returns 0, or -1 with err saying what was expected. */
int period_parse(const char *s, period *p, kpi_error *err);
/* The period of grain g (not RANGE) that contains day. */
period period_containing(period_grain g, int32_t day);
/* The period n steps later (n < 0: earlier). */
period period_shift(period p, int n);
period period_prev(period p);
int32_t period_days(period p);
/* The label into buf; returns buf. */
const char *period_label(period p, char *buf, size_t size);
/*
** The latest period of grain g that is complete when the data's last day is last_day:
** the one containing last_day if last_day is its final day, else the one before.
*/
period period_latest_complete(period_grain g, int32_t last_day);

#endif
