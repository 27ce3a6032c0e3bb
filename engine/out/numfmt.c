/*
** numfmt.c -- locale-aware numbers, money, percentages, dates; see numfmt.h.
**
** Every number goes through fixed(): the magnitude is scaled by 10^decimals and
** rounded to an integer, whose digits are written with the language's group
** separator and decimal mark. printf only ever formats integers here (%d, PRIu64,
** and "%.0f" for magnitudes past 2^64, which has no decimal mark), so the output is
** the same under any C locale.
*/
#include "out/numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"

#define SCRATCH 512 /* room for any double's digits and separators */

/* Copy text into buf, cut (when it must be) before a UTF-8 continuation byte. */
static const char *deliver(const char *text, char *buf, size_t size)
{
    if (size == 0) return buf;
    size_t n = strlen(text);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    memmove(buf, text, n);
    buf[n] = '\0';
    return buf;
}

static const char *group_sep(i18n_lang lang)
{
    return lang == I18N_VI ? "." : ",";
}

static char decimal_mark(i18n_lang lang)
{
    return lang == I18N_VI ? ',' : '.';
}

/* Integer digits of the rounded magnitude; *frac gets the fraction digits' value. */
static void split_magnitude(double mag, int *decimals, char *digits, size_t size, uint64_t *frac)
{
    static const uint64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    *frac = 0;
    if (mag * (double)pow10[*decimals] < 9e15) {
        uint64_t n = (uint64_t)floor(mag * (double)pow10[*decimals] + 0.5);
        *frac = n % pow10[*decimals];
        snprintf(digits, size, "%" PRIu64, n / pow10[*decimals]);
        return;
    }
    *decimals = 0; /* past 2^53 a double has no fraction digits to show */
    if (mag < 1.8e19)
        snprintf(digits, size, "%" PRIu64, (uint64_t)floor(mag + 0.5));
    else
        snprintf(digits, size, "%.0f", mag);
}

/*
** v rounded to decimals places into out (SCRATCH bytes); trim drops trailing zeros of
** the fraction (and the mark when nothing is left).
*/
static void fixed(i18n_lang lang, double v, int decimals, int trim, char *out)
{
    if (!isfinite(v)) {
        snprintf(out, SCRATCH, "%s", NUMFMT_NONE);
        return;
    }
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    char digits[400];
    uint64_t frac;
    split_magnitude(fabs(v), &decimals, digits, sizeof digits, &frac);
    size_t ndigits = strlen(digits), o = 0;
    int zero = frac == 0 && strspn(digits, "0") == ndigits;
    if (v < 0 && !zero) out[o++] = '-';
    const char *sep = group_sep(lang);
    for (size_t i = 0; i < ndigits && o + 4 < SCRATCH; i++) {
        if (i > 0 && (ndigits - i) % 3 == 0) out[o++] = sep[0];
        out[o++] = digits[i];
    }
    char fdigits[8];
    for (int i = decimals - 1; i >= 0; i--, frac /= 10)
        fdigits[i] = (char)('0' + frac % 10);
    int keep = decimals;
    while (trim && keep > 0 && fdigits[keep - 1] == '0')
        keep--;
    if (keep > 0 && o + (size_t)keep + 2 < SCRATCH) {
        out[o++] = decimal_mark(lang);
        memcpy(out + o, fdigits, (size_t)keep);
        o += (size_t)keep;
    }
    out[o] = '\0';
}

const char *numfmt_number(i18n_lang lang, double v, int decimals, char *buf, size_t size)
{
    char out[SCRATCH];
    fixed(lang, v, decimals, 0, out);
    return deliver(out, buf, size);
}

/* numfmt_plain into out (SCRATCH bytes). */
static void plain(i18n_lang lang, double v, char *out)
{
    double mag = fabs(v);
    int decimals = 2;
    if (isfinite(v) && mag > 0 && mag < 0.01) {
        if (mag < 0.000001) v = 0;
        decimals = 2 - (int)floor(log10(mag)); /* three significant digits */
    }
    fixed(lang, v, decimals, 1, out);
}

const char *numfmt_plain(i18n_lang lang, double v, char *buf, size_t size)
{
    char out[SCRATCH];
    plain(lang, v, out);
    return deliver(out, buf, size);
}

/* Currencies whose amounts are written without minor units. */
static int currency_is_whole(const char *code)
{
    static const char *const whole[] = {"VND", "JPY", "KRW", "CLP", "ISK", "PYG", "UGX", "XAF",
                                        "XOF", "XPF", "RWF", "KMF", "GNF", "DJF", "BIF", "VUV"};
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++)
        if (strcmp(code, whole[i]) == 0) return 1;
    return 0;
}

/* " ₫" for the dong in Vietnamese, " USD" for a code, "" for none. */
static void put_currency(i18n_lang lang, const char *currency, char *out, size_t size)
{
    size_t n = strlen(out);
    if (!currency || !currency[0] || n + 2 >= size) return;
    const char *sign = lang == I18N_VI && strcmp(currency, "VND") == 0 ? "₫" : currency;
    snprintf(out + n, size - n, " %s", sign);
}

const char *numfmt_money(i18n_lang lang, double v, const char *currency, char *buf, size_t size)
{
    char out[SCRATCH];
    if (!isfinite(v)) return deliver(NUMFMT_NONE, buf, size);
    int whole = currency && currency_is_whole(currency);
    int cents = !whole && fabs(v - round(v)) >= 0.005;
    fixed(lang, v, cents ? 2 : 0, 0, out);
    put_currency(lang, currency, out, sizeof out);
    return deliver(out, buf, size);
}

const char *numfmt_percent(i18n_lang lang, double fraction, int decimals, char *buf, size_t size)
{
    char num[SCRATCH], out[SCRATCH + 2];
    if (!isfinite(fraction)) return deliver(NUMFMT_NONE, buf, size);
    fixed(lang, fraction * 100, decimals, 0, num);
    snprintf(out, sizeof out, "%s%%", num);
    return deliver(out, buf, size);
}

const char *numfmt_change(i18n_lang lang, double fraction, char *buf, size_t size)
{
    char num[SCRATCH], out[SCRATCH + 4];
    if (!isfinite(fraction)) return deliver(NUMFMT_NONE, buf, size);
    fixed(lang, fraction * 100, 1, 0, num);
    int positive = num[0] != '-' && strspn(num, "0.,") != strlen(num);
    snprintf(out, sizeof out, "%s%s%%", positive ? "+" : "", num);
    return deliver(out, buf, size);
}

typedef struct scale {
    double size;
    const char *en, *vi;
} scale;

static const scale scales[] = {
    {1e3, "K", "nghìn"},
    {1e6, "M", "triệu"},
    {1e9, "B", "tỷ"},
    {1e12, "T", "nghìn tỷ"},
};
enum { NSCALES = sizeof scales / sizeof scales[0] };

/* Places that give three significant digits to a mantissa in [1, 1000). */
static int mantissa_decimals(double m)
{
    return m < 10 ? 2 : m < 100 ? 1 : 0;
}

/* The scale for a magnitude of at least 1000, after rounding to three significant digits. */
static int pick_scale(double mag)
{
    int s = 0;
    while (s + 1 < NSCALES && mag >= scales[s + 1].size)
        s++;
    double m = mag / scales[s].size;
    double p = pow(10, mantissa_decimals(m));
    if (s + 1 < NSCALES && floor(m * p + 0.5) / p >= 1000) s++; /* 999.6 million is 1 billion */
    return s;
}

const char *numfmt_compact(i18n_lang lang, double v, const char *currency, char *buf, size_t size)
{
    char out[SCRATCH];
    double mag = fabs(v);
    if (!isfinite(v)) return deliver(NUMFMT_NONE, buf, size);
    if (floor(mag + 0.5) < 1000) {
        if (currency && currency[0]) return numfmt_money(lang, v, currency, buf, size);
        return numfmt_plain(lang, v, buf, size);
    }
    int s = pick_scale(mag);
    double m = mag / scales[s].size;
    fixed(lang, v < 0 ? -m : m, m < 1000 ? mantissa_decimals(m) : 0, 1, out);
    size_t n = strlen(out);
    if (lang == I18N_VI)
        snprintf(out + n, sizeof out - n, " %s", scales[s].vi);
    else
        snprintf(out + n, sizeof out - n, "%s", scales[s].en);
    put_currency(lang, currency, out, sizeof out);
    return deliver(out, buf, size);
}

int numfmt_is_money(const char *unit, const char *currency)
{
    if (!unit) return 0;
    if (currency && currency[0] && strcmp(unit, currency) == 0) return 1;
    return strlen(unit) == 3 && unit[0] >= 'A' && unit[0] <= 'Z' && unit[1] >= 'A' &&
           unit[1] <= 'Z' && unit[2] >= 'A' && unit[2] <= 'Z';
}

int numfmt_is_percent(const char *unit)
{
    return unit &&
           (strcmp(unit, "%") == 0 || strcmp(unit, "percent") == 0 || strcmp(unit, "ratio") == 0);
}

const char *numfmt_value(i18n_lang lang, double v, const char *unit, const char *currency,
                         char *buf, size_t size)
{
    char out[SCRATCH];
    if (!unit) unit = "";
    if (!isfinite(v)) return deliver(NUMFMT_NONE, buf, size);
    if (strcmp(unit, "count") == 0) return numfmt_number(lang, v, 0, buf, size);
    if (numfmt_is_percent(unit)) return numfmt_percent(lang, v, 1, buf, size);
    if (numfmt_is_money(unit, currency)) return numfmt_money(lang, v, unit, buf, size);
    plain(lang, v, out);
    if (!unit[0]) return deliver(out, buf, size);
    char with_unit[SCRATCH * 2];
    snprintf(with_unit, sizeof with_unit, "%s %s", out, unit);
    return deliver(with_unit, buf, size);
}

const char *numfmt_value_short(i18n_lang lang, double v, const char *unit, const char *currency,
                               char *buf, size_t size)
{
    if (isfinite(v) && numfmt_is_money(unit, currency) && fabs(v) >= 1e6)
        return numfmt_compact(lang, v, unit, buf, size);
    if (isfinite(v) && unit && strcmp(unit, "count") == 0 && fabs(v) >= 1e5)
        return numfmt_compact(lang, v, NULL, buf, size);
    return numfmt_value(lang, v, unit, currency, buf, size);
}

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const month_name[12] = {"January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December"};

const char *numfmt_date(i18n_lang lang, int32_t days, char *buf, size_t size)
{
    int y, m, d;
    char out[64];
    date_to_civil(days, &y, &m, &d);
    if (lang == I18N_VI)
        snprintf(out, sizeof out, "%02d/%02d/%04d", d, m, y);
    else
        snprintf(out, sizeof out, "%d %s %d", d, month_abbr[(m - 1) % 12], y);
    return deliver(out, buf, size);
}

const char *numfmt_datetime(i18n_lang lang, int64_t local_secs, int offset_minutes, char *buf,
                            size_t size)
{
    char date[48], zone[32] = " (UTC)", out[SCRATCH];
    int64_t days = local_secs / 86400, secs = local_secs % 86400;
    if (secs < 0) secs += 86400, days--; /* floor division for times before 1970 */
    numfmt_date(lang, (int32_t)days, date, sizeof date);
    if (offset_minutes != 0) {
        int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
        snprintf(zone, sizeof zone, " (UTC%c%02d:%02d)", offset_minutes < 0 ? '-' : '+', off / 60,
                 off % 60);
    }
    snprintf(out, sizeof out, "%s %02d:%02d%s", date, (int)(secs / 3600), (int)(secs / 60 % 60),
             zone);
    return deliver(out, buf, size);
}

const char *numfmt_period_days(i18n_lang lang, period p, char *buf, size_t size)
{
    char first[48], last[48], out[SCRATCH];
    numfmt_date(lang, p.start, first, sizeof first);
    numfmt_date(lang, p.stop - 1, last, sizeof last); /* stop is the day after the period */
    snprintf(out, sizeof out, "%s – %s", first, last);
    return deliver(out, buf, size);
}

const char *numfmt_period(i18n_lang lang, period p, char *buf, size_t size)
{
    int y, m, d, vi = lang == I18N_VI;
    char out[SCRATCH], day[48];
    date_to_civil(p.start, &y, &m, &d);
    switch (p.grain) {
    case GRAIN_MONTH:
        if (vi)
            snprintf(out, sizeof out, "Tháng %d/%d", m, y);
        else
            snprintf(out, sizeof out, "%s %d", month_name[(m - 1) % 12], y);
        break;
    case GRAIN_QUARTER:
        snprintf(out, sizeof out, vi ? "Quý %d/%d" : "Q%d %d", (m - 1) / 3 + 1, y);
        break;
    case GRAIN_WEEK: {
        int iso_year, week;
        date_iso_week(p.start, &iso_year, &week);
        snprintf(out, sizeof out, vi ? "Tuần %d/%d" : "Week %d, %d", week, iso_year);
        break;
    }
    case GRAIN_YEAR:
        snprintf(out, sizeof out, vi ? "Năm %d" : "%d", y);
        break;
    case GRAIN_DAY:
        numfmt_date(lang, p.start, day, sizeof day);
        snprintf(out, sizeof out, vi ? "Ngày %s" : "%s", day);
        break;
    case GRAIN_RANGE:
    default:
        return numfmt_period_days(lang, p, buf, size);
    }
    return deliver(out, buf, size);
}
