/*
** textfmt.c -- text buffers, display width, JSON and table numbers; see textfmt.h.
**
** The width tables cover what a KPI report meets in practice (Latin with combining
** marks as Vietnamese in NFD, CJK, Hangul, fullwidth forms, emoji), not every
** script in Unicode: a wrong width only misaligns a column, it never loses text.
*/
#include "out/textfmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kpi_alloc.h"

void textbuf_init(textbuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* Make room for n more bytes plus the NUL; 0 or -1 (and the buffer marked failed). */
static int reserve(textbuf *b, size_t n)
{
    if (b->failed) return -1;
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *data = kpi_realloc(b->data, cap);
    if (!data) {
        b->failed = 1;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

void textbuf_put(textbuf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void textbuf_puts(textbuf *b, const char *s)
{
    textbuf_put(b, s, strlen(s));
}

void textbuf_printf(textbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void textbuf_repeat(textbuf *b, char c, size_t n)
{
    if (reserve(b, n) != 0) return;
    memset(b->data + b->len, c, n);
    b->len += n;
    b->data[b->len] = '\0';
}

char *textbuf_finish(textbuf *b, size_t *len)
{
    if (!b->failed && !b->data) reserve(b, 0);
    if (b->failed) {
        textbuf_free(b);
        return NULL;
    }
    b->data[b->len] = '\0';
    char *text = b->data;
    if (len) *len = b->len;
    textbuf_init(b);
    return text;
}

void textbuf_free(textbuf *b)
{
    kpi_free(b->data);
    textbuf_init(b);
}

/*
** Decode one UTF-8 sequence at s (n > 0 bytes available). Returns its length, or 0
** when it is invalid: a stray continuation byte, a truncated sequence, an overlong
** form, a surrogate or a value above U+10FFFF.
*/
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min_value[5] = {0, 0, 0x80, 0x800, 0x10000};
    unsigned char c = s[0];
    size_t len;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min_value[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

typedef struct cp_range {
    uint32_t first, last;
} cp_range;

/* Combining marks, format and zero-width characters: no column of their own. */
static const cp_range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F},   {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED},   {0x0E31, 0x0E31},
    {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},   {0x200B, 0x200F},
    {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302F},   {0x3099, 0x309A},
    {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

/* East Asian Wide and Fullwidth: two columns. */
static const cp_range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x3029},
    {0x3030, 0x303E},   {0x3041, 0x3098},   {0x309B, 0x33FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
    {0x1F191, 0x1F19A}, {0x1F200, 0x1F2FF}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF},
    {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

static int in_ranges(uint32_t cp, const cp_range *r, size_t n)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].first)
            hi = mid;
        else if (cp > r[mid].last)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static size_t cp_width(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0; /* controls */
    if (cp < 0x300) return 1;
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof *zero_width)) return 0;
    if (in_ranges(cp, wide, sizeof wide / sizeof *wide)) return 2;
    return 1;
}

size_t text_width(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t width = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            width++, i++;
            continue;
        }
        width += cp_width(cp);
        i += n;
    }
    return width;
}

/* The JSON escape of an ASCII byte, or NULL when it goes through as is. */
static const char *json_escape_ascii(unsigned char c, char *buf)
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (c >= 0x20) return NULL;
    snprintf(buf, 8, "\\u%04x", c);
    return buf;
}

void text_json_string(textbuf *b, const char *s)
{
    if (!s) {
        textbuf_puts(b, "null");
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0, run = 0; /* run: bytes copied as they are, not yet flushed */
    char esc[8];
    textbuf_put(b, "\"", 1);
    while (i < len) {
        uint32_t cp = 0;
        size_t n = p[i] < 0x80 ? 1 : utf8_decode(p + i, len - i, &cp);
        const char *rep = NULL;
        if (n == 0)
            rep = "\\ufffd", n = 1;
        else if (n == 1)
            rep = json_escape_ascii(p[i], esc);
        else if (cp == 0x2028 || cp == 0x2029)
            rep = cp == 0x2028 ? "\\u2028" : "\\u2029";
        if (rep) {
            textbuf_put(b, s + i - run, run);
            textbuf_puts(b, rep);
            run = 0;
        } else {
            run += n;
        }
        i += n;
    }
    textbuf_put(b, s + i - run, run);
    textbuf_put(b, "\"", 1);
}

const char *text_shortest(double v, char *buf, size_t size)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

void text_json_number(textbuf *b, int has, double v)
{
    char buf[40];
    textbuf_puts(b, has && isfinite(v) ? text_shortest(v, buf, sizeof buf) : "null");
}

const char *text_grouped(double v, int decimals, char *buf, size_t size)
{
    if (decimals < 0) decimals = 0;
    if (decimals > 6) decimals = 6;
    if (!isfinite(v) || fabs(v) >= 1e18) {
        snprintf(buf, size, "%.6g", v);
        return buf;
    }
    /* Round half away from zero, as people do (printf rounds an exact half to even). */
    double scale = pow(10, decimals), scaled = v * scale;
    if (fabs(scaled) < 9e15) v = round(scaled) / scale;
    char plain[48];
    snprintf(plain, sizeof plain, "%.*f", decimals, v);
    const char *digits = plain[0] == '-' ? plain + 1 : plain;
    int negative = plain[0] == '-' && strspn(digits, "0.") != strlen(digits); /* no "-0" */
    size_t int_len = strcspn(digits, ".");
    char out[80];
    size_t o = 0;
    if (negative) out[o++] = '-';
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, sizeof out - o, "%s", digits + int_len);
    snprintf(buf, size, "%s", out);
    return buf;
}

/* Whether unit names money: the report's currency or an ISO 4217-looking code. */
static int is_currency(const char *unit, const char *currency)
{
    if (currency && currency[0] && strcmp(unit, currency) == 0) return 1;
    return strlen(unit) == 3 && unit[0] >= 'A' && unit[0] <= 'Z' && unit[1] >= 'A' &&
           unit[1] <= 'Z' && unit[2] >= 'A' && unit[2] <= 'Z';
}

/* Currencies whose amounts are written without minor units. */
static int currency_is_whole(const char *unit)
{
    static const char *const whole[] = {"VND", "JPY", "KRW", "CLP", "ISK", "PYG", "UGX", "XAF",
                                        "XOF", "XPF", "RWF", "KMF", "GNF", "DJF", "BIF", "VUV"};
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++)
        if (strcmp(unit, whole[i]) == 0) return 1;
    return 0;
}

/* Decimals to show for a plain amount: none when it rounds to a whole number at 2 places. */
static int cents_needed(double v)
{
    return fabs(v - round(v)) >= 0.005;
}

/* v with up to two decimals, trailing zeros dropped; tiny values keep 3 significant digits. */
static const char *plain_number(double v, char *buf, size_t size)
{
    if (v != 0 && fabs(v) < 0.01) {
        snprintf(buf, size, "%.3g", v);
        return buf;
    }
    text_grouped(v, cents_needed(v) ? 2 : 0, buf, size);
    size_t n = strlen(buf);
    if (strchr(buf, '.') && buf[n - 1] == '0') buf[n - 1] = '\0';
    return buf;
}

const char *text_unit_value(double v, const char *unit, const char *currency, char *buf,
                            size_t size)
{
    char num[96];
    if (!unit) unit = "";
    if (strcmp(unit, "count") == 0) {
        snprintf(buf, size, "%s", text_grouped(v, 0, num, sizeof num));
    } else if (strcmp(unit, "%") == 0 || strcmp(unit, "percent") == 0 ||
               strcmp(unit, "ratio") == 0) {
        snprintf(buf, size, "%s%%", text_grouped(v * 100, 1, num, sizeof num));
    } else if (is_currency(unit, currency)) {
        int decimals = currency_is_whole(unit) || !cents_needed(v) ? 0 : 2;
        snprintf(buf, size, "%s %s", text_grouped(v, decimals, num, sizeof num), unit);
    } else if (unit[0]) {
        snprintf(buf, size, "%s %s", plain_number(v, num, sizeof num), unit);
    } else {
        snprintf(buf, size, "%s", plain_number(v, num, sizeof num));
    }
    return buf;
}

const char *text_change(double fraction, char *buf, size_t size)
{
    char num[96];
    text_grouped(fraction * 100, 1, num, sizeof num);
    int positive = num[0] != '-' && strspn(num, "0.,") != strlen(num);
    snprintf(buf, size, "%s%s%%", positive ? "+" : "", num);
    return buf;
}

const char *text_bytes(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(buf, size, "%.0f B", bytes);
        return buf;
    }
    size_t u = 0;
    bytes /= 1024;
    while (bytes >= 1024 && u + 1 < sizeof units / sizeof *units)
        bytes /= 1024, u++;
    snprintf(buf, size, "%.1f %s", bytes, units[u]);
    return buf;
}
