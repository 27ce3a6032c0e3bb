/*
** schedule.h -- when reviews are due: the calendar arithmetic behind `review "name" {
** every = "month", day = 5, business = true }`. Plain C over core/period.h; no Lua.
**
** A period is reviewed once it has ended, so the review of a period is due after it:
**   day      the next day. business: only Monday..Friday are reviewed, each due on the
**            next business day (Friday's review is due on Monday).
**   week     weekday `day` of the next ISO week (1 = Monday .. 7 = Sunday; default 1).
**            business: `day` counts Monday..Friday, so it is 1..5.
**   month    day `day` (default 1) of the next month; a day past that month's end is its
**            last day (day = 31 falls on February 28 or 29). business: the `day`-th
**            business day of that month (1..23; past its last business day, the last one).
**   quarter  as month, in the first month of the next quarter (2024-Q3 -> October).
**   year     as month, in January of the next year.
** Business days are Monday to Friday; public holidays are not known.
**
** Invariant: the due date strictly grows with the period, so "the reviews due between
** two dates" and "the latest review due by a date" are well defined and found by
** stepping over periods.
*/
#ifndef KPI_SCHEDULE_H
#define KPI_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "core/period.h"

typedef struct schedule_rule {
    period_grain every; /* any grain but GRAIN_RANGE */
    int day;            /* 0: the default (the first day, or Monday) */
    int business;       /* 1: days count Monday..Friday only */
} schedule_rule;

/*
** Whether r makes sense: a grain that is not RANGE, `day` within the range its grain
** allows (none for every = "day"). Returns 0, or -1 with the reason in why ("day must
** be a weekday from 1 (Monday) to 7 (Sunday) for a weekly review").
*/
int schedule_check(const schedule_rule *r, char *why, size_t size);
/* 1 when day is Monday..Friday. */
int schedule_is_business_day(int32_t day);
/* The day the review of p is due (p of r's grain). */
int32_t schedule_due(const schedule_rule *r, period p);
/* The period reviewed after p (for business daily reviews, the next Monday..Friday). */
period schedule_next(const schedule_rule *r, period p);
/* The latest period whose review is due on or before day. */
period schedule_latest_due(const schedule_rule *r, int32_t day);
/*
** The periods whose review is due from `from` to `to` (both included), oldest first:
** up to max of them into out (out may be NULL when max is 0). Returns how many there
** are, which may be more than max.
*/
size_t schedule_between(const schedule_rule *r, int32_t from, int32_t to, period *out, size_t max);

#endif
