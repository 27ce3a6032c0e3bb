/*
** period.c -- review periods; see period.h.
**
** Every calendar grain is stored as its day range, so filters never look at the grain;
** the grain only matters for shifting (months have no fixed length) and labels. Shifts
** are done in whole months / weeks / days from the start, so a shifted period is always
** calendar-aligned again. Arithmetic is in int64 so absurd shifts cannot overflow, and
** a bound past the int32 day range saturates there instead of wrapping around.
*/
#include "period.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

static const char *const grain_names[] = {"day", "week", "month", "quarter", "year", "range"};
static const char *const grain_adverbs[] = {"daily",     "weekly", "monthly",
                                            "quarterly", "yearly", NULL};

const char *period_grain_name(period_grain g)
{
    return (unsigned)g < sizeof grain_names / sizeof *grain_names ? grain_names[g] : "?";
}

int period_grain_parse(const char *s, period_grain *g)
{
    for (int i = 0; i <= GRAIN_RANGE; i++) {
        if (strcmp(s, grain_names[i]) == 0 ||
            (grain_adverbs[i] && strcmp(s, grain_adverbs[i]) == 0)) {
            *g = (period_grain)i;
            return 0;
        }
    }
    return -1;
}

/* A day number of any size, saturated into the int32 days a period stores. */
static int32_t clamp_day(int64_t day)
{
    return day < INT32_MIN ? INT32_MIN : day > INT32_MAX ? INT32_MAX : (int32_t)day;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*
** Day of the 1st of month index mi (year * 12 + month - 1), exact for every year an
** int can hold: date_from_civil's int32 result only covers +-5.8 million years, so the
** year is moved into 2000..2399 and the whole 400-year eras (146097 days each) added back.
*/
static int64_t month_start(int64_t mi)
{
    int64_t y = floor_div(mi, 12);
    int m = (int)(mi - y * 12) + 1;
    int64_t eras = floor_div(y, 400);
    return date_from_civil((int)(y - eras * 400) + 2000, m, 1) + (eras - 5) * 146097;
}

/* The period of `months` months starting at month index `mi`. */
static period month_span(period_grain g, int64_t mi, int months)
{
    return (period){g, clamp_day(month_start(mi)), clamp_day(month_start(mi + months))};
}

/* A period from int64 day bounds: beyond the int32 calendar it saturates, never wraps. */
static period day_span(period_grain g, int64_t start, int64_t stop)
{
    return (period){g, clamp_day(start), clamp_day(stop)};
}

period period_containing(period_grain g, int32_t day)
{
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    switch (g) {
    case GRAIN_WEEK: {
        int64_t monday = (int64_t)day - (date_iso_weekday(day) - 1);
        return day_span(GRAIN_WEEK, monday, monday + 7);
    }
    case GRAIN_MONTH:
        return month_span(g, (int64_t)y * 12 + m - 1, 1);
    case GRAIN_QUARTER:
        return month_span(g, (int64_t)y * 12 + (m - 1) / 3 * 3, 3);
    case GRAIN_YEAR:
        return month_span(g, (int64_t)y * 12, 12);
    case GRAIN_DAY:
    case GRAIN_RANGE:
        break;
    }
    return day_span(g, day, (int64_t)day + 1);
}

period period_shift(period p, int n)
{
    int y, m, d;
    date_to_civil(p.start, &y, &m, &d);
    int64_t mi = (int64_t)y * 12 + m - 1;
    /* |len * n| < 2^32 * 2^31, so start + len * n stays inside int64. */
    int64_t len = (int64_t)p.stop - p.start;
    switch (p.grain) {
    case GRAIN_DAY:
        return day_span(p.grain, (int64_t)p.start + n, (int64_t)p.stop + n);
    case GRAIN_WEEK:
        return day_span(p.grain, p.start + 7 * (int64_t)n, p.stop + 7 * (int64_t)n);
    case GRAIN_MONTH:
        return month_span(p.grain, mi + n, 1);
    case GRAIN_QUARTER:
        return month_span(p.grain, mi + 3 * (int64_t)n, 3);
    case GRAIN_YEAR:
        return month_span(p.grain, mi + 12 * (int64_t)n, 12);
    case GRAIN_RANGE:
        break;
    }
    return day_span(p.grain, p.start + len * n, p.stop + len * n);
}

period period_prev(period p)
{
    return period_shift(p, -1);
}

int32_t period_days(period p)
{
    int64_t days = (int64_t)p.stop - p.start; /* int32 subtraction could overflow */
    return days > INT32_MAX ? INT32_MAX : (int32_t)days;
}

const char *period_label(period p, char *buf, size_t size)
{
    int y, m, d, wy, w;
    date_to_civil(p.start, &y, &m, &d);
    char a[11], b[11];
    switch (p.grain) {
    case GRAIN_DAY:
        date_format_iso(p.start, a);
        snprintf(buf, size, "%s", a);
        break;
    case GRAIN_WEEK:
        date_iso_week(p.start, &wy, &w);
        snprintf(buf, size, "%04d-W%02d", wy, w);
        break;
    case GRAIN_MONTH:
        snprintf(buf, size, "%04d-%02d", y, m);
        break;
    case GRAIN_QUARTER:
        snprintf(buf, size, "%04d-Q%d", y, (m - 1) / 3 + 1);
        break;
    case GRAIN_YEAR:
        snprintf(buf, size, "%04d", y);
        break;
    case GRAIN_RANGE:
        date_format_iso(p.start, a);
        date_format_iso(p.stop > p.start ? p.stop - 1 : p.start, b);
        snprintf(buf, size, "%s..%s", a, b);
        break;
    }
    return buf;
}

period period_latest_complete(period_grain g, int32_t last_day)
{
    period c = period_containing(g == GRAIN_RANGE ? GRAIN_DAY : g, last_day);
    return (int64_t)c.stop - 1 == last_day ? c : period_prev(c);
}

/*
** Parsing. Each form is recognised by its length and separators; the number fields are
** then checked. A form that is recognised but names no such period (2023-W53,
** 2024-02-30, a reversed range) gets its own message.
*/
#define EXPECTED "expected 2024-08, 2024-Q3, 2024-W35, 2024, 2024-08-05 or 2024-08-01..2024-08-15"

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((unsigned)(s[i] - '0') > 9u) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int bad_period(kpi_error *err, const char *s, const char *why)
{
    return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "'%s' is not a period: %s", s, why);
}

/* A day "YYYY-MM-DD" at s[0..len). */
static int parse_day(const char *whole, const char *s, size_t len, int32_t *day, kpi_error *err)
{
    int rc = date_parse_iso(s, len, day);
    if (rc == DATE_NOEXIST) {
        char why[64];
        snprintf(why, sizeof why, "%.*s is not a calendar day", (int)len, s);
        return bad_period(err, whole, why);
    }
    return rc ? bad_period(err, whole, EXPECTED) : 0;
}

static int parse_range(const char *s, const char *dots, period *p, kpi_error *err)
{
    int32_t a, b;
    if (parse_day(s, s, (size_t)(dots - s), &a, err) ||
        parse_day(s, dots + 2, strlen(dots + 2), &b, err))
        return -1;
    if (b < a) return bad_period(err, s, "the range ends before it starts");
    *p = (period){GRAIN_RANGE, a, b + 1};
    return 0;
}

static int parse_week(const char *s, int y, period *p, kpi_error *err)
{
    int w = num(s + 6, 2);
    if (w < 1 || w > 53) return bad_period(err, s, EXPECTED);
    if (w > date_iso_weeks_in_year(y)) {
        char why[64];
        snprintf(why, sizeof why, "%04d has only %d ISO weeks", y, date_iso_weeks_in_year(y));
        return bad_period(err, s, why);
    }
    int32_t monday = date_from_iso_week(y, w);
    *p = (period){GRAIN_WEEK, monday, monday + 7};
    return 0;
}

int period_parse(const char *s, period *p, kpi_error *err)
{
    size_t len = strlen(s);
    const char *dots = strstr(s, "..");
    if (dots) return parse_range(s, dots, p, err);
    int y = len >= 4 ? num(s, 4) : -1;
    if (y < 0 || (len > 4 && s[4] != '-')) return bad_period(err, s, EXPECTED);
    if (len == 4) {
        *p = period_containing(GRAIN_YEAR, date_from_civil(y, 1, 1));
        return 0;
    }
    if (len == 10) {
        int32_t day;
        if (parse_day(s, s, len, &day, err)) return -1;
        *p = (period){GRAIN_DAY, day, day + 1};
        return 0;
    }
    if (len == 8 && (s[5] == 'W' || s[5] == 'w')) return parse_week(s, y, p, err);
    if (len == 7 && (s[5] == 'Q' || s[5] == 'q') && s[6] >= '1' && s[6] <= '4') {
        *p = period_containing(GRAIN_QUARTER, date_from_civil(y, (s[6] - '1') * 3 + 1, 1));
        return 0;
    }
    int m = len == 7 ? num(s + 5, 2) : -1;
    if (m < 1 || m > 12) return bad_period(err, s, EXPECTED);
    *p = period_containing(GRAIN_MONTH, date_from_civil(y, m, 1));
    return 0;
}
