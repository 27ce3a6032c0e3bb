/*
** fuzz_period.c -- the text parsers of periods (engine/core/period.h) and dates
** (engine/core/date.h) on arbitrary bytes.
**
** The whole input is tried as a CLI period, a grain name, an ISO date and a timestamp;
** split at its first newline it is a date_format and a text in that format. What
** parses is pushed through the calendar functions (shifts by ordinary and extreme
** counts, which must saturate, not overflow) and must survive a round trip: the label
** of a parsed period parses back to the same days, a formatted date or timestamp
** parses back to the same value. A broken round trip aborts, as a crash would.
*/
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_period: %s: '%s'\n", what, text);
    abort();
}

static const int shifts[] = {1, -1, 13, -53, 100000, -100000, INT_MAX, INT_MIN};

/* Every calendar function on p; its label must parse back to p's days. */
static void exercise_period(period p, const char *text)
{
    char label[64];
    period back;
    kpi_error err;
    if (p.start >= p.stop) fail("a parsed period is empty", text);
    period_label(p, label, sizeof label);
    if (period_parse(label, &back, &err) != 0 || back.start != p.start || back.stop != p.stop)
        fail("the label of a parsed period does not parse back", text);
    for (size_t i = 0; i < sizeof shifts / sizeof *shifts; i++) {
        period q = period_shift(p, shifts[i]);
        period_label(q, label, sizeof label);
        (void)period_days(q);
    }
    (void)period_prev(p);
    (void)period_days(p);
    for (int g = GRAIN_DAY; g < GRAIN_RANGE; g++) {
        (void)period_containing((period_grain)g, p.start);
        (void)period_containing((period_grain)g, p.stop - 1);
        (void)period_latest_complete((period_grain)g, p.stop - 1);
    }
}

static void exercise_date(const char *s, size_t len, const char *text)
{
    int32_t days, back;
    if (date_parse_iso(s, len, &days) == 0) {
        char buf[16];
        int y, m, d;
        date_format_iso(days, buf);
        if (date_parse_iso(buf, strlen(buf), &back) != 0 || back != days)
            fail("a formatted date does not parse back", text);
        date_to_civil(days, &y, &m, &d);
        if (date_from_civil(y, m, d) != days || !date_is_valid(y, m, d))
            fail("civil date round trip", text);
        int iso_year, week;
        date_iso_week(days, &iso_year, &week);
        int32_t monday = date_from_iso_week(iso_year, week);
        if (days - monday != date_iso_weekday(days) - 1) fail("ISO week round trip", text);
    }
    int64_t secs, secs_back;
    if (date_parse_timestamp(s, len, &secs) == 0) {
        char buf[32];
        int y, m, d;
        date_format_timestamp(secs, buf);
        date_to_civil(date_of_timestamp(secs), &y, &m, &d);
        /* a zone may carry the value out of years 0..9999, which the text form clamps */
        if (y >= 0 && y <= 9999 &&
            (date_parse_timestamp(buf, strlen(buf), &secs_back) != 0 || secs_back != secs))
            fail("a formatted timestamp does not parse back", text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    period p;
    period_grain g;
    kpi_error err;
    kpi_error_clear(&err);
    if (period_parse(text, &p, &err) == 0)
        exercise_period(p, text);
    else if (err.message[0] == '\0')
        fail("a refused period has no message", text);
    if (period_grain_parse(text, &g) == 0) (void)period_grain_name(g);

    /* exact-length copies, so a parser reading past the end shows */
    char *exact = malloc(size ? size : 1);
    if (exact) {
        memcpy(exact, data, size);
        exercise_date(exact, size, text);
        char *nl = memchr(exact, '\n', size);
        if (nl) {
            size_t flen = (size_t)(nl - exact), rest = size - flen - 1;
            char *fmt = malloc(flen + 1);
            if (fmt) {
                memcpy(fmt, exact, flen);
                fmt[flen] = '\0';
                int32_t days;
                (void)date_parse_format(nl + 1, rest, fmt, &days);
                free(fmt);
            }
        }
        free(exact);
    }
    free(text);
    return 0;
}
