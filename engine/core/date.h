/*
** date.h -- proleptic Gregorian calendar arithmetic and date/timestamp text.
**
** Dates are int32 days since 1970-01-01; timestamps int64 seconds since
** 1970-01-01T00:00:00 with no time zone (a zone suffix in the text is applied, so
** the stored value is UTC). No libc time functions are used: they depend on TZ and locale.
**
** Parsers take (pointer, length), return 0, DATE_SYNTAX (not a date of that form) or
** DATE_NOEXIST (well-formed but not a calendar day, as 2024-02-30 or 2023-02-29).
*/
#ifndef KPI_DATE_H
#define KPI_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "kpi_error.h"
#include "table.h"

#define DATE_SYNTAX  1
#define DATE_NOEXIST 2

/* Days since 1970-01-01 of a civil date (month 1..12, day 1..31; not validated). */
int32_t date_from_civil(int year, int month, int day);
void date_to_civil(int32_t days, int *year, int *month, int *day);
int date_is_valid(int year, int month, int day);
int date_days_in_month(int year, int month);
/* ISO weekday: 1 = Monday .. 7 = Sunday. */
int date_iso_weekday(int32_t days);
/* ISO 8601 week-numbering year and week (1..53) of a day. */
void date_iso_week(int32_t days, int *iso_year, int *week);
/* First day (Monday) of ISO week `week` of `iso_year`. */
int32_t date_from_iso_week(int iso_year, int week);
int date_iso_weeks_in_year(int iso_year);

/* YYYY-MM-DD */
int date_parse_iso(const char *s, size_t len, int32_t *days);
/* YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|(+|-)HH[:]MM]; fraction dropped; zone applied. */
int date_parse_timestamp(const char *s, size_t len, int64_t *secs);
/*
** A date in a strftime-like format: %d (1-2 digits), %m (1-2 digits), %Y (4 digits),
** %y (2 digits: 20yy), %b (Jan..Dec, any case), %% ; other characters match themselves.
*/
int date_parse_format(const char *s, size_t len, const char *fmt, int32_t *days);
/* "YYYY-MM-DD" into buf (11 bytes). */
void date_format_iso(int32_t days, char *buf);
/* "YYYY-MM-DD HH:MM:SS" into buf (20 bytes). */
void date_format_timestamp(int64_t secs, char *buf);
/* Day of a timestamp (floor division, right for times before 1970). */
int32_t date_of_timestamp(int64_t secs);

/*
** Convert the STRING column `col` of t in place to DATE (every value a date: ISO, or
** `fmt` when not NULL) or TIMESTAMP (some value carries a time of day; pure dates
** become midnight). Nulls stay null. On a value that is neither, returns -1 and fills
** err with the 1-based row number in `line` (the caller maps rows to file lines) and
** a message quoting the value. Returns 0 when the column is already DATE/TIMESTAMP.
*/
int date_convert_column(table *t, int col, const char *fmt, kpi_error *err);

#endif
