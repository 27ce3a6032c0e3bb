/*
** parse.c -- text to numbers and bools; see parse.h.
**
** These run once per CSV field, so they scan the text once, branch little and never
** allocate. Integers and decimals are exact (uint64 accumulation with overflow checks).
** Doubles take Clinger's fast path when the digits and the power of ten are both exact
** doubles (at most 15 significant digits, |exponent| <= 22): one multiply or divide of
** two exact values is correctly rounded. Anything else is validated here first and then
** handed to strtod, which is safe because the program never changes the C locale.
*/
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* Longest text handed to strtod; longer numbers are rejected as out of range. */
#define DOUBLE_TEXT_MAX 511
/* Exponent digits past this are not accumulated (the value is then 0 or out of range). */
#define EXPONENT_CAP INT64_C(100000000000000)

static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const int64_t int_pow10[] = {1,
                                    10,
                                    100,
                                    1000,
                                    10000,
                                    100000,
                                    1000000,
                                    10000000,
                                    100000000,
                                    1000000000,
                                    10000000000,
                                    100000000000,
                                    1000000000000,
                                    10000000000000,
                                    100000000000000,
                                    1000000000000000,
                                    10000000000000000,
                                    100000000000000000,
                                    1000000000000000000};

static inline int is_digit(char c)
{
    return (unsigned)(c - '0') < 10u;
}

/* Consume an optional sign; returns 1 for '-'. */
static inline int take_sign(const char *s, size_t len, size_t *i)
{
    if (len > 0 && (s[0] == '-' || s[0] == '+')) {
        *i = 1;
        return s[0] == '-';
    }
    *i = 0;
    return 0;
}

/* Give a magnitude its sign, failing when it does not fit int64 (INT64_MIN fits). */
static inline int signed_result(uint64_t mag, int neg, int64_t *out)
{
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1u) return PARSE_RANGE;
        *out = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX) return PARSE_RANGE;
        *out = (int64_t)mag;
    }
    return 0;
}

int parse_int64(const char *s, size_t len, int64_t *out)
{
    size_t i;
    int neg = take_sign(s, len, &i);
    if (i == len) return PARSE_SYNTAX;
    uint64_t mag = 0;
    int overflow = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return PARSE_SYNTAX;
        overflow |= __builtin_mul_overflow(mag, 10u, &mag);
        overflow |= __builtin_add_overflow(mag, d, &mag);
    }
    if (overflow) return PARSE_RANGE;
    return signed_result(mag, neg, out);
}

/*
** The shared decimal scanner: integer digits, an optional mark and fraction digits.
** Keeps the first `scale` fraction digits (padding with zeros); further fraction
** digits must be zeros, since dropping a zero loses nothing.
*/
int parse_decimal_at(const char *s, size_t len, char mark, int scale, int64_t *out)
{
    if (scale < 0 || scale > DECIMAL_MAX_SCALE) return PARSE_RANGE;
    size_t i;
    int neg = take_sign(s, len, &i);
    uint64_t mag = 0;
    int overflow = 0, ndigits = 0, kept = 0, lost = 0;
    for (; i < len && is_digit(s[i]); i++, ndigits++) {
        overflow |= __builtin_mul_overflow(mag, 10u, &mag);
        overflow |= __builtin_add_overflow(mag, (unsigned)(s[i] - '0'), &mag);
    }
    if (i < len && s[i] == mark) {
        for (i++; i < len && is_digit(s[i]); i++, ndigits++) {
            if (kept < scale) {
                overflow |= __builtin_mul_overflow(mag, 10u, &mag);
                overflow |= __builtin_add_overflow(mag, (unsigned)(s[i] - '0'), &mag);
                kept++;
            } else if (s[i] != '0') {
                lost = 1;
            }
        }
    }
    if (i != len || ndigits == 0) return PARSE_SYNTAX;
    if (lost) return PARSE_RANGE;
    overflow |= __builtin_mul_overflow(mag, (uint64_t)int_pow10[scale - kept], &mag);
    if (overflow) return PARSE_RANGE;
    return signed_result(mag, neg, out);
}

/*
** The common decimal in one scan: [+-]digits[mark digits] with at most 18 digits in all
** (exact in uint64 with no overflow check) and at most DECIMAL_MAX_SCALE after the mark.
** 1 when s is anything else, left to the general path.
*/
static int decimal_fast(const char *s, size_t len, char mark, int64_t *out, int *scale)
{
    size_t i;
    int neg = take_sign(s, len, &i);
    size_t first = i, at_mark = 0;
    uint64_t mag = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d < 10)
            mag = mag * 10 + d;
        else if (s[i] == mark && !at_mark)
            at_mark = i + 1;
        else
            return 1;
    }
    size_t digits = len - first - (at_mark != 0), fraction = at_mark ? len - at_mark : 0;
    if (digits == 0 || digits > 18 || fraction > DECIMAL_MAX_SCALE) return 1;
    *out = neg ? -(int64_t)mag : (int64_t)mag;
    *scale = (int)fraction;
    return 0;
}

int parse_decimal(const char *s, size_t len, char mark, int64_t *out, int *scale)
{
    if (decimal_fast(s, len, mark, out, scale) == 0) return 0;
    /* The scale is the number of fraction digits written, less trailing zeros past the maximum. */
    size_t i = 0;
    while (i < len && s[i] != mark)
        i++;
    int digits = 0;
    if (i < len) {
        size_t j = i + 1;
        while (j < len && is_digit(s[j]))
            j++;
        digits = (int)(j - i - 1);
        while (digits > DECIMAL_MAX_SCALE && s[i + (size_t)digits] == '0')
            digits--;
        if (digits > DECIMAL_MAX_SCALE) {
            /* Still report a syntax error first when the text is not a number at all. */
            int64_t ignored;
            int rc = parse_decimal_at(s, len, mark, DECIMAL_MAX_SCALE, &ignored);
            return rc ? rc : PARSE_RANGE;
        }
    }
    int rc = parse_decimal_at(s, len, mark, digits, out);
    if (rc == 0) *scale = digits;
    return rc;
}

/* Validate the double grammar; on success fill the fast-path pieces when they are exact. */
typedef struct double_scan {
    uint64_t mantissa; /* significant digits, valid when sig <= 19 */
    int64_t sig;       /* significant digits (leading zeros skipped) */
    int64_t exp10;     /* value = mantissa * 10^exp10 */
} double_scan;

static int scan_exponent(const char *s, size_t len, size_t i, int64_t *exp)
{
    if (i == len) return 0;
    if (s[i] != 'e' && s[i] != 'E') return PARSE_SYNTAX;
    i++;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i == len) return PARSE_SYNTAX;
    /*
    ** Saturate far above any fraction length a text can have: the exponent meets the
    ** count of fraction digits (exp10 = exp - frac), and a lower cap would let a long
    ** fraction cancel a clipped exponent into a wrong in-range value.
    */
    int64_t e = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i])) return PARSE_SYNTAX;
        if (e < EXPONENT_CAP) e = e * 10 + (s[i] - '0');
    }
    *exp = neg ? -e : e;
    return 0;
}

static int scan_double(const char *s, size_t len, char mark, double_scan *d)
{
    size_t i;
    take_sign(s, len, &i);
    int64_t ndigits = 0, frac = 0; /* a field may hold more than INT_MAX digits */
    d->mantissa = 0;
    d->sig = 0;
    for (int in_frac = 0; i < len; i++) {
        char c = s[i];
        if (is_digit(c)) {
            ndigits++;
            frac += in_frac;
            if (d->sig == 0 && c == '0') continue;
            if (++d->sig <= 19) d->mantissa = d->mantissa * 10 + (uint64_t)(c - '0');
        } else if (c == mark && !in_frac) {
            in_frac = 1;
        } else {
            break;
        }
    }
    if (ndigits == 0) return PARSE_SYNTAX;
    int64_t exp = 0;
    int rc = scan_exponent(s, len, i, &exp);
    if (rc) return rc;
    d->exp10 = exp - frac;
    return 0;
}

static int parse_double_slow(const char *s, size_t len, char mark, double *out)
{
    char buf[DOUBLE_TEXT_MAX + 1];
    if (len > DOUBLE_TEXT_MAX) return PARSE_RANGE;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (mark != '.') {
        char *m = memchr(buf, mark, len);
        if (m) *m = '.';
    }
    char *end;
    int saved = errno;
    double v = strtod(buf, &end);
    errno = saved;
    if (end != buf + len) return PARSE_SYNTAX;
    if (!isfinite(v)) return PARSE_RANGE;
    *out = v;
    return 0;
}

int parse_double(const char *s, size_t len, char mark, double *out)
{
    double_scan d;
    int rc = scan_double(s, len, mark, &d);
    if (rc) return rc;
    if (d.sig <= 15 && d.exp10 >= -22 && d.exp10 <= 22) {
        double v = (double)d.mantissa;
        v = d.exp10 < 0 ? v / exact_pow10[-d.exp10] : v * exact_pow10[d.exp10];
        *out = s[0] == '-' ? -v : v;
        return 0;
    }
    if (d.sig == 0) {
        *out = s[0] == '-' ? -0.0 : 0.0;
        return 0;
    }
    return parse_double_slow(s, len, mark, out);
}

/* Case-insensitive compare of s[0..len) with a lower-case word. */
static int word_is(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n) return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != word[i]) return 0;
    return 1;
}

int parse_bool(const char *s, size_t len, uint8_t *out)
{
    if (word_is(s, len, "true") || word_is(s, len, "yes")) {
        *out = 1;
        return 0;
    }
    if (word_is(s, len, "false") || word_is(s, len, "no")) {
        *out = 0;
        return 0;
    }
    return PARSE_SYNTAX;
}
