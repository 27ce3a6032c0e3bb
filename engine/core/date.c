/*
** date.c -- proleptic Gregorian calendar and date/timestamp text; see date.h.
**
** Civil <-> day conversions are Howard Hinnant's era-based algorithms ("chrono-compatible
** low-level date algorithms"): exact for every int32 day, no tables, no libc time
** functions. ISO weeks follow from the rule that week 1 holds the year's first Thursday.
** date_convert_column parses each distinct string of a column once (through its dict
** codes), so converting a column of n rows with k distinct days costs k parses.
*/
#include "date.h"

#include "kpi_alloc.h"

#define SECS_PER_DAY 86400

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days of a civil date in int64: exact where the int32 result of date_from_civil wraps. */
static int64_t days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int32_t date_from_civil(int year, int month, int day)
{
    return (int32_t)days_from_civil(year, month, day);
}

/* The civil date of an int64 day (a few days past the int32 range stay exact). */
static void civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = m;
    *year = (int)(yoe + era * 400 + (m <= 2));
}

void date_to_civil(int32_t days, int *year, int *month, int *day)
{
    civil_from_days(days, year, month, day);
}

static int is_leap(int year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int date_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

int date_is_valid(int year, int month, int day)
{
    return month >= 1 && month <= 12 && day >= 1 && day <= date_days_in_month(year, month);
}

int date_iso_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t x = (int64_t)days + 3;
    return (int)(x - floor_div(x, 7) * 7) + 1;
}

void date_iso_week(int32_t days, int *iso_year, int *week)
{
    /* A week belongs to the year of its Thursday, which for the first and last days of
       the int32 range lies outside it: int64 throughout. */
    int64_t thursday = (int64_t)days - (date_iso_weekday(days) - 1) + 3;
    int y, m, d;
    civil_from_days(thursday, &y, &m, &d);
    *iso_year = y;
    *week = (int)((thursday - days_from_civil(y, 1, 1)) / 7 + 1);
}

int32_t date_from_iso_week(int iso_year, int week)
{
    /* January 4th is always in week 1. */
    int32_t jan4 = date_from_civil(iso_year, 1, 4);
    int32_t week1 = jan4 - (date_iso_weekday(jan4) - 1);
    return week1 + (week - 1) * 7;
}

int date_iso_weeks_in_year(int iso_year)
{
    /* December 28th is always in the last week. */
    int y, w;
    date_iso_week(date_from_civil(iso_year, 12, 28), &y, &w);
    return w;
}

/* n digits at s as an int; -1 when any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return -1;
        v = v * 10 + (int)d;
    }
    return v;
}

/* YYYY-MM-DD at s (10 bytes available): DATE_SYNTAX for a bad form or month/day out of 1..12/1..31.
 */
static int scan_ymd(const char *s, int32_t *days)
{
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31 || s[4] != '-' || s[7] != '-')
        return DATE_SYNTAX;
    if (d > date_days_in_month(y, m)) return DATE_NOEXIST;
    *days = date_from_civil(y, m, d);
    return 0;
}

int date_parse_iso(const char *s, size_t len, int32_t *days)
{
    if (len != 10) return DATE_SYNTAX;
    return scan_ymd(s, days);
}

/* [Z|(+|-)HH[:]MM] at s[i..len): the offset east of UTC in seconds. */
static int scan_zone(const char *s, size_t len, size_t i, int64_t *offset)
{
    *offset = 0;
    if (i == len) return 0;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) return 0;
    if (s[i] != '+' && s[i] != '-') return DATE_SYNTAX;
    int sign = s[i] == '-' ? -1 : 1;
    size_t rest = len - i - 1;
    const char *z = s + i + 1;
    int hh, mm;
    if (rest == 5 && z[2] == ':') {
        hh = digits(z, 2);
        mm = digits(z + 3, 2);
    } else if (rest == 4) {
        hh = digits(z, 2);
        mm = digits(z + 2, 2);
    } else {
        return DATE_SYNTAX;
    }
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return DATE_SYNTAX;
    *offset = sign * (int64_t)(hh * 3600 + mm * 60);
    return 0;
}

int date_parse_timestamp(const char *s, size_t len, int64_t *secs)
{
    if (len < 16 || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') || s[13] != ':')
        return DATE_SYNTAX;
    int32_t day;
    int rc = scan_ymd(s, &day);
    if (rc) return rc;
    int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = 0;
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return DATE_SYNTAX;
    size_t i = 16;
    if (i < len && s[i] == ':') {
        if (len < 19 || (ss = digits(s + 17, 2)) < 0 || ss > 59) return DATE_SYNTAX;
        i = 19;
        if (i < len && s[i] == '.') {
            size_t start = ++i;
            while (i < len && (unsigned)(s[i] - '0') < 10u)
                i++;
            if (i == start) return DATE_SYNTAX;
        }
    }
    int64_t offset;
    if (scan_zone(s, len, i, &offset)) return DATE_SYNTAX;
    *secs = (int64_t)day * SECS_PER_DAY + hh * 3600 + mm * 60 + ss - offset;
    return 0;
}

/* Up to `max` (at least `min`) digits at s[*i..len). */
static int scan_number(const char *s, size_t len, size_t *i, int min, int max)
{
    int v = 0, n = 0;
    while (n < max && *i < len && (unsigned)(s[*i] - '0') < 10u) {
        v = v * 10 + (s[(*i)++] - '0');
        n++;
    }
    return n >= min ? v : -1;
}

static int scan_month_name(const char *s, size_t len, size_t *i)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (len - *i < 3) return -1;
    for (int m = 0; m < 12; m++) {
        const char *n = names + 3 * m;
        if ((s[*i] | 0x20) == n[0] && (s[*i + 1] | 0x20) == n[1] && (s[*i + 2] | 0x20) == n[2]) {
            *i += 3;
            return m + 1;
        }
    }
    return -1;
}

/* One %-conversion of a date format at s[*i..]; 0 or DATE_SYNTAX. */
static int scan_field(char conv, const char *s, size_t len, size_t *i, int *y, int *m, int *d)
{
    int v;
    switch (conv) {
    case 'd':
        v = *d = scan_number(s, len, i, 1, 2);
        break;
    case 'm':
        v = *m = scan_number(s, len, i, 1, 2);
        break;
    case 'b':
        v = *m = scan_month_name(s, len, i);
        break;
    case 'Y':
        v = *y = scan_number(s, len, i, 4, 4);
        break;
    case 'y':
        v = scan_number(s, len, i, 2, 2);
        *y = 2000 + v;
        break;
    default:
        return DATE_SYNTAX;
    }
    return v < 0 ? DATE_SYNTAX : 0;
}

int date_parse_format(const char *s, size_t len, const char *fmt, int32_t *days)
{
    int y = -1, m = -1, d = -1;
    size_t i = 0;
    for (const char *f = fmt; *f; f++) {
        if (*f == '%' && f[1] != '%') {
            if (scan_field(*++f, s, len, &i, &y, &m, &d)) return DATE_SYNTAX;
            continue;
        }
        f += *f == '%'; /* "%%" matches one '%' */
        if (i == len || s[i] != *f) return DATE_SYNTAX;
        i++;
    }
    if (i != len || y < 0 || m < 1 || m > 12 || d < 1 || d > 31) return DATE_SYNTAX;
    if (d > date_days_in_month(y, m)) return DATE_NOEXIST;
    *days = date_from_civil(y, m, d);
    return 0;
}

/* Write n digits of v (0 <= v < 10^n) at p. */
static void put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
}

void date_format_iso(int32_t days, char *buf)
{
    int y, m, d;
    date_to_civil(days, &y, &m, &d);
    /* The text form has four year digits; days outside years 0..9999 are clamped to it. */
    if (y < 0) y = 0, m = 1, d = 1;
    if (y > 9999) y = 9999, m = 12, d = 31;
    put_digits(buf, y, 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '-';
    put_digits(buf + 8, d, 2);
    buf[10] = '\0';
}

int32_t date_of_timestamp(int64_t secs)
{
    /* Saturate: a timestamp millions of years out must not wrap into the calendar. */
    int64_t day = floor_div(secs, SECS_PER_DAY);
    return day < INT32_MIN ? INT32_MIN : day > INT32_MAX ? INT32_MAX : (int32_t)day;
}

void date_format_timestamp(int64_t secs, char *buf)
{
    /* The remainder, not secs - day * 86400: that product overflows near INT64_MIN. */
    int sod = (int)(secs % SECS_PER_DAY);
    if (sod < 0) sod += SECS_PER_DAY;
    int32_t day = date_of_timestamp(secs);
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    /* Clamped to years 0..9999 as date_format_iso does, to the first or last second. */
    if (y < 0) sod = 0;
    if (y > 9999) sod = SECS_PER_DAY - 1;
    date_format_iso(day, buf);
    buf[10] = ' ';
    put_digits(buf + 11, sod / 3600, 2);
    buf[13] = ':';
    put_digits(buf + 14, sod / 60 % 60, 2);
    buf[16] = ':';
    put_digits(buf + 17, sod % 60, 2);
    buf[19] = '\0';
}

/*
** Column conversion. Each distinct string is classified once, by its dict code:
** a day (value in days) or a time of day (value in seconds), or why it is neither.
*/
enum { KIND_UNSEEN, KIND_DATE, KIND_TIMESTAMP };

static int classify(const char *s, size_t len, const char *fmt, int64_t *value)
{
    int32_t day;
    int rc_fmt = fmt ? date_parse_format(s, len, fmt, &day) : DATE_SYNTAX;
    if (rc_fmt == 0) {
        *value = day;
        return KIND_DATE;
    }
    int rc_iso = date_parse_iso(s, len, &day);
    if (rc_iso == 0) {
        *value = day;
        return KIND_DATE;
    }
    int rc_ts = date_parse_timestamp(s, len, value);
    if (rc_ts == 0) return KIND_TIMESTAMP;
    if (rc_fmt == DATE_NOEXIST || rc_iso == DATE_NOEXIST || rc_ts == DATE_NOEXIST)
        return -DATE_NOEXIST;
    return -DATE_SYNTAX;
}

static int convert_error(kpi_error *err, size_t row, const char *s, size_t len, int why,
                         const char *fmt, int has_time)
{
    /* Quote at most 60 bytes: the message must stay readable for a runaway field. */
    int shown = len > 60 ? 60 : (int)len;
    const char *more = len > 60 ? "..." : "";
    if (why == DATE_NOEXIST)
        return kpi_error_set(err, KPI_EDATA, NULL, (long)row + 1, 0,
                             "'%.*s%s' is not a calendar day", shown, s, more);
    if (fmt)
        return kpi_error_set(err, KPI_EDATA, NULL, (long)row + 1, 0,
                             "'%.*s%s' is not a date (expected %s or YYYY-MM-DD)", shown, s, more,
                             fmt);
    return kpi_error_set(
        err, KPI_EDATA, NULL, (long)row + 1, 0, "'%.*s%s' is not a %s (expected %s)", shown, s,
        more, has_time ? "timestamp" : "date", has_time ? "YYYY-MM-DD HH:MM:SS" : "YYYY-MM-DD");
}

/* Classify every used code in row order, so the first bad value reported is the first in the
 * column. */
static int classify_codes(const column *c, size_t nrows, const char *fmt, uint8_t *kind,
                          int64_t *value, int *has_time, kpi_error *err)
{
    *has_time = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (!column_is_valid(c, i)) continue;
        uint32_t code = column_code(c, i);
        if (kind[code] != KIND_UNSEEN) continue;
        const char *s = dict_str(c->dict, code);
        size_t len = dict_len(c->dict, code);
        int k = classify(s, len, fmt, &value[code]);
        if (k < 0) return convert_error(err, i, s, len, -k, fmt, *has_time);
        kind[code] = (uint8_t)k;
        *has_time |= k == KIND_TIMESTAMP;
    }
    return 0;
}

int date_convert_column(table *t, int col, const char *fmt, kpi_error *err)
{
    if (col < 0 || (size_t)col >= t->ncols)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "no column %d", col);
    column *c = &t->cols[col];
    if (c->type == COL_DATE || c->type == COL_TIMESTAMP) return 0;
    if (c->type != COL_STRING)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "column '%s' is %s, not text", c->name,
                             table_type_name(c->type));
    uint32_t ncodes = dict_count(c->dict);
    uint8_t *kind = kpi_calloc(ncodes ? ncodes : 1, sizeof *kind);
    int64_t *value = kpi_malloc((ncodes ? ncodes : 1) * sizeof *value);
    void *out = NULL;
    int has_time = 0;
    if (!kind || !value) goto oom;
    if (classify_codes(c, t->nrows, fmt, kind, value, &has_time, err)) goto fail;
    out = kpi_array_alloc(t->nrows, has_time ? sizeof(int64_t) : sizeof(int32_t));
    if (!out) goto oom;
    for (size_t i = 0; i < t->nrows; i++) {
        int valid = column_is_valid(c, i);
        uint32_t code = column_code(c, i);
        int64_t v = valid ? value[code] : 0;
        if (has_time)
            ((int64_t *)out)[i] = valid && kind[code] == KIND_DATE ? v * SECS_PER_DAY : v;
        else
            ((int32_t *)out)[i] = (int32_t)v;
    }
    column_array_free(c, c->v.ptr);
    c->v.ptr = out;
    dict_free(c->dict);
    c->dict = NULL;
    c->code_bytes = 0;
    c->type = has_time ? COL_TIMESTAMP : COL_DATE;
    kpi_free(kind);
    kpi_free(value);
    return 0;
oom:
    kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory converting column '%s'", c->name);
fail:
    kpi_free(kind);
    kpi_free(value);
    return -1;
}
