/*
** numfmt.h -- numbers, money, percentages and dates as a reader of the report's
** language expects them, without setlocale.
**
**   Vietnamese (I18N_VI)          international (I18N_EN)
**   1.234.568 ₫                   1,234,568 VND
**   12,5%                         12.5%
**   1,25 tỷ ₫ / 350 triệu ₫       1.25B VND / 350M VND
**   31/12/2024                    31 Dec 2024
**   Tháng 12/2024, Quý 4/2024     December 2024, Q4 2024
**
** Rounding: a number is shown rounded half away from zero at the digits shown, as
** people and spreadsheets round (1234567.5 -> 1.234.568; -2.5 -> -3), taken on the
** double's own value scaled by a power of ten (so 2.675, stored as 2.67499..., shows
** 2.67 at two places). A value that rounds to zero is shown without a minus sign.
**
** Digits are produced here from integers, never by printf's %f or %g, so neither
** the C locale nor a host program's setlocale can change a report. Every function
** writes a NUL-terminated string into buf (NUMFMT_SIZE bytes are always enough,
** longer output is cut at a character boundary) and returns buf. A value that is
** NaN or infinite is shown as "–".
*/
#ifndef KPI_NUMFMT_H
#define KPI_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/period.h"
#include "out/i18n.h"

#define NUMFMT_SIZE 96
#define NUMFMT_NONE "–" /* what a missing or non-finite number reads as */

/* v rounded to `decimals` (0..6) places with the language's separators: "1.234.567,89". */
const char *numfmt_number(i18n_lang lang, double v, int decimals, char *buf, size_t size);

/*
** v without trailing zeros: at most 2 decimals ("3,5", "1.234"); a magnitude under
** 0.01 keeps 3 significant digits ("0,00123"), and under 0.000001 shows as 0.
*/
const char *numfmt_plain(i18n_lang lang, double v, char *buf, size_t size);

/*
** An amount of money: "1.234.568 ₫" (Vietnamese, VND) or "1,234,568 VND". Currencies
** without minor units (VND, JPY, KRW, ...) have no decimals; others have 2, or none
** when the amount is whole at 2 places ("12 USD", "12.50 USD"). An empty or NULL
** currency gives the bare number.
*/
const char *numfmt_money(i18n_lang lang, double v, const char *currency, char *buf, size_t size);

/* A fraction as a percentage with `decimals` places: 0.125, 1 -> "12,5%" / "12.5%". */
const char *numfmt_percent(i18n_lang lang, double fraction, int decimals, char *buf, size_t size);

/* A change fraction, signed, one decimal: -0.0987 -> "-9,9%", 0.5 -> "+50,0%", 0 -> "0,0%". */
const char *numfmt_change(i18n_lang lang, double fraction, char *buf, size_t size);

/*
** A large number in words of its scale, three significant digits, trailing zeros
** dropped: Vietnamese "nghìn", "triệu", "tỷ", "nghìn tỷ" ("1,25 tỷ ₫", "350 triệu ₫"),
** international K, M, B, T ("1.25B VND", "350M VND"). A value that rounds up to the
** next scale moves to it (999.6 million -> "1 tỷ"). Under 1000 in magnitude: the
** number as numfmt_money (with a currency) or numfmt_plain shows it.
*/
const char *numfmt_compact(i18n_lang lang, double v, const char *currency, char *buf, size_t size);

/*
** A KPI's value by its unit: "count" -> whole number; "%", "percent", "ratio" ->
** fractions shown as percentages with one decimal; the report's currency or any code
** of three capital letters -> money; any other unit -> numfmt_plain then the unit
** ("3,5 days": a unit is the rule set's own word and is shown as written). currency
** may be NULL.
*/
const char *numfmt_value(i18n_lang lang, double v, const char *unit, const char *currency,
                         char *buf, size_t size);
/*
** The same, shortened for a headline: money of 1 million and more and counts of
** 100 000 and more are compact ("515 triệu ₫"); everything else as numfmt_value.
*/
const char *numfmt_value_short(i18n_lang lang, double v, const char *unit, const char *currency,
                               char *buf, size_t size);
/* Whether unit names money: equal to currency, or three capital letters (ISO 4217-like). */
int numfmt_is_money(const char *unit, const char *currency);
/* Whether unit is shown as a percentage ("%", "percent", "ratio"). */
int numfmt_is_percent(const char *unit);

/* A day (days since 1970-01-01): "31/12/2024" / "31 Dec 2024". */
const char *numfmt_date(i18n_lang lang, int32_t days, char *buf, size_t size);

/*
** A local date and time, to the minute, with its offset from UTC: "23/11/2026 18:35
** (UTC+07:00)" / "23 Nov 2026 18:35 (UTC+07:00)". local_secs are seconds since
** 1970-01-01 00:00 in local time (UTC seconds + offset); offset_minutes east of UTC.
*/
const char *numfmt_datetime(i18n_lang lang, int64_t local_secs, int offset_minutes, char *buf,
                            size_t size);

/*
** A period as people name it: month "Tháng 8/2024" / "August 2024", quarter "Quý 3/2024"
** / "Q3 2024", ISO week "Tuần 35/2024" / "Week 35, 2024", year "Năm 2024" / "2024",
** day "Ngày 05/08/2024" / "5 Aug 2024", range "01/08/2024 – 15/08/2024" /
** "1 Aug 2024 – 15 Aug 2024".
*/
const char *numfmt_period(i18n_lang lang, period p, char *buf, size_t size);
/* First and last day of p: "01/08/2024 – 31/08/2024" / "1 Aug 2024 – 31 Aug 2024". */
const char *numfmt_period_days(i18n_lang lang, period p, char *buf, size_t size);

#endif
