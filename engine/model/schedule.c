/*
** schedule.c -- due dates of reviews; see schedule.h.
**
** Every rule reduces to "a day of the month (or week) that follows the period", so the
** arithmetic is: find the first day after the period (period.stop), then move to the
** chosen day inside the month or week that starts there. Reviews of the past are found
** by stepping periods backwards from the one containing a date: the due date of a
** period is at most about two periods after its start, so a few steps always suffice.
*/
#include "model/schedule.h"

#include <stdio.h>

#include "core/date.h"

/* The largest business-day number a month always has room for (February has 20). */
#define MAX_BUSINESS_DAY_OF_MONTH 23

int schedule_is_business_day(int32_t day)
{
    return date_iso_weekday(day) <= 5;
}

int schedule_check(const schedule_rule *r, char *why, size_t size)
{
    int max = 0;
    const char *what = "";
    switch (r->every) {
    case GRAIN_RANGE:
        snprintf(why, size, "every must be day, week, month, quarter or year");
        return -1;
    case GRAIN_DAY:
        if (r->day == 0) return 0;
        snprintf(why, size, "day does not apply to a daily review (each day is reviewed the next)");
        return -1;
    case GRAIN_WEEK:
        max = r->business ? 5 : 7;
        what = r->business ? "a business weekday from 1 (Monday) to 5 (Friday)"
                           : "a weekday from 1 (Monday) to 7 (Sunday)";
        break;
    case GRAIN_MONTH:
    case GRAIN_QUARTER:
    case GRAIN_YEAR:
        max = r->business ? MAX_BUSINESS_DAY_OF_MONTH : 31;
        what = r->business ? "a business day of the month from 1 to 23" : "a day from 1 to 31";
        break;
    }
    if (r->day >= 0 && r->day <= max) return 0;
    snprintf(why, size, "day must be %s for a %s review", what, period_grain_name(r->every));
    return -1;
}

/* The first business day on or after day. */
static int32_t business_on_or_after(int32_t day)
{
    while (!schedule_is_business_day(day))
        day++;
    return day;
}

/*
** Day n (1-based) of the month starting at first: calendar days clamped to the month's
** last day, or business days clamped to its last business day.
*/
static int32_t day_of_month(int32_t first, int n, int business)
{
    int y, m, d;
    date_to_civil(first, &y, &m, &d);
    int32_t last = first + date_days_in_month(y, m) - 1;
    if (n < 1) n = 1;
    if (!business) return first + n - 1 <= last ? first + n - 1 : last;
    int32_t day = business_on_or_after(first);
    for (int counted = 1; counted < n; counted++) {
        int32_t next = business_on_or_after(day + 1);
        if (next > last) break; /* past the last business day: stay on it */
        day = next;
    }
    return day;
}

int32_t schedule_due(const schedule_rule *r, period p)
{
    int32_t after = p.stop; /* the first day after the period */
    switch (r->every) {
    case GRAIN_DAY:
        return r->business ? business_on_or_after(after) : after;
    case GRAIN_WEEK:
        return after + (r->day > 0 ? r->day - 1 : 0); /* after is the next ISO Monday */
    case GRAIN_MONTH:
    case GRAIN_QUARTER:
    case GRAIN_YEAR:
        return day_of_month(after, r->day, r->business);
    case GRAIN_RANGE:
        break;
    }
    return after;
}

/* Whether p is reviewed at all: business daily reviews skip Saturdays and Sundays. */
static int reviewed(const schedule_rule *r, period p)
{
    return !(r->every == GRAIN_DAY && r->business) || schedule_is_business_day(p.start);
}

period schedule_next(const schedule_rule *r, period p)
{
    do
        p = period_shift(p, 1);
    while (!reviewed(r, p));
    return p;
}

period schedule_latest_due(const schedule_rule *r, int32_t day)
{
    period p = period_containing(r->every, day);
    while (!reviewed(r, p) || schedule_due(r, p) > day)
        p = period_shift(p, -1);
    return p;
}

size_t schedule_between(const schedule_rule *r, int32_t from, int32_t to, period *out, size_t max)
{
    size_t n = 0;
    if (to < from) return 0;
    /* the latest period due before `from`; every later period is due on or after it */
    period p = schedule_next(r, schedule_latest_due(r, from - 1));
    for (; schedule_due(r, p) <= to; p = schedule_next(r, p)) {
        if (n < max) out[n] = p;
        n++;
    }
    return n;
}
