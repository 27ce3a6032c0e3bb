/*
** csv_infer.c -- the CSV loader's values: type inference, checks of declared types,
** conversion into columns and the messages for values that do not fit.
**
** Inference keeps, per column, the join of the kinds of its values (csv_kind): numbers
** widen int -> decimal -> float, dates widen to timestamps, anything else mixed is a
** string. A field is first tried as the column's current kind, so a column of ints
** costs one parse_int64 per field. An integer too large for int64 votes float, and a
** decimal column whose largest integer part cannot carry its final scale in int64
** becomes float, so inference never fails on a value.
**
** A convert pass stores a value as its column's planned type only when the fast path
** would accept it for that kind, i.e. when its vote would not change the column's
** kind: the statistics it keeps are then the ones pass 1 would keep. Any other value
** is a misfit and votes as in pass 1 (see csv_scan.h).
*/
#include <stdarg.h>
#include <stdio.h>

#include "csv_scan.h"
#include "date.h"
#include "parse.h"

#define SHOWN_MAX 60 /* bytes of a value quoted in a message */

void csv_fail_set(csv_fail *fail, kpi_error_kind kind, const char *at, const char *fmt, ...)
{
    fail->kind = kind;
    fail->at = at;
    fail->row = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail->message, sizeof fail->message, fmt, ap);
    va_end(ap);
}

/* 0: valid UTF-8 without NUL; 1: invalid UTF-8; 2: a NUL byte. */
static int utf8_status(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path, eight bytes at a time: no high bit and no zero byte. */
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) ||
                ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull))
                break;
            i += 8;
        }
        if (i == len) break;
        unsigned c = s[i];
        if (c - 1u < 0x7fu) {
            i++;
            continue;
        }
        if (c == 0) return 2;
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF)
            n = 1, cp = c & 0x1f;
        else if ((c & 0xF0) == 0xE0)
            n = 2, cp = c & 0x0f;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3, cp = c & 0x07;
        else
            return 1;
        if (len - i <= n) return 1;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 1;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 1;
        if (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return 1;
        i += n + 1;
    }
    return 0;
}

int csv_check_text(const csv_ctx *x, size_t col, const csv_field *f, csv_fail *fail)
{
    int st = utf8_status((const unsigned char *)f->s, f->len);
    if (st == 0) return 0;
    if (st == 2)
        csv_fail_set(fail, KPI_EDATA, f->start, "NUL byte in data");
    else
        csv_fail_set(fail, KPI_EDATA, f->start, "invalid UTF-8 in column '%s'", x->cols[col].name);
    return -1;
}

/* The value as a message quotes it: "" escapes undone, cut at SHOWN_MAX bytes on a character
 * boundary. */
static const char *shown(const csv_field *f, char *buf)
{
    size_t n = 0, i = 0;
    while (i < f->len && n < SHOWN_MAX) {
        buf[n++] = f->s[i];
        i += f->escaped && f->s[i] == '"' ? 2 : 1;
    }
    if (i < f->len) {
        /* Drop a character cut in the middle of its bytes. */
        if (((unsigned char)f->s[i] & 0xC0) == 0x80) {
            while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
                n--;
            if (n > 0) n--;
        }
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* A date in the source's format or ISO; DATE_NOEXIST when either form names a day that does not
 * exist. */
static int parse_date(const csv_ctx *x, const char *s, size_t len, int32_t *days)
{
    int rc_fmt = x->date_format ? date_parse_format(s, len, x->date_format, days) : DATE_SYNTAX;
    if (rc_fmt == 0) return 0;
    int rc_iso = date_parse_iso(s, len, days);
    if (rc_iso == 0) return 0;
    return rc_fmt == DATE_NOEXIST || rc_iso == DATE_NOEXIST ? DATE_NOEXIST : DATE_SYNTAX;
}

/* A timestamp, or a date taken as its midnight. */
static int parse_timestamp(const csv_ctx *x, const char *s, size_t len, int64_t *secs)
{
    int rc_ts = date_parse_timestamp(s, len, secs);
    if (rc_ts == 0) return 0;
    int32_t days;
    int rc_day = parse_date(x, s, len, &days);
    if (rc_day == 0) {
        *secs = (int64_t)days * 86400;
        return 0;
    }
    return rc_ts == DATE_NOEXIST || rc_day == DATE_NOEXIST ? DATE_NOEXIST : DATE_SYNTAX;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static void note_number(csv_colstat *st, int64_t v, int scale)
{
    uint64_t whole = magnitude(v) / (uint64_t)table_pow10(scale);
    if (whole > st->max_int) st->max_int = whole;
    if (scale > st->scale) st->scale = (int8_t)scale;
}

static int looks_numeric(const csv_ctx *x, unsigned char c)
{
    return (c - (unsigned)'0') < 10u || c == '-' || c == '+' || c == (unsigned char)x->mark;
}

static int looks_bool(const char *s, size_t len)
{
    char c = (char)(s[0] | 0x20);
    return len >= 2 && len <= 5 && (c == 't' || c == 'f' || c == 'y' || c == 'n');
}

/* The kind of one value, with its scale and integer part in *one. */
static void classify(const csv_ctx *x, const char *s, size_t len, csv_colstat *one)
{
    int64_t v, secs;
    int32_t days;
    double d;
    int scale;
    uint8_t b;
    /* The source's own date format first: "%Y%m%d" dates are numbers too. */
    if (x->date_format && date_parse_format(s, len, x->date_format, &days) == 0) {
        one->kind = CSV_K_DATE;
        return;
    }
    if (looks_numeric(x, (unsigned char)s[0])) {
        int rc = parse_int64(s, len, &v);
        if (rc == 0) {
            one->kind = CSV_K_INT;
            note_number(one, v, 0);
            return;
        }
        if (rc != PARSE_RANGE && parse_decimal(s, len, x->mark, &v, &scale) == 0) {
            one->kind = CSV_K_DECIMAL;
            note_number(one, v, scale);
            return;
        }
        if (parse_double(s, len, x->mark, &d) == 0) {
            one->kind = CSV_K_FLOAT;
            return;
        }
    }
    if (looks_bool(s, len) && parse_bool(s, len, &b) == 0) {
        one->kind = CSV_K_BOOL;
        return;
    }
    if (parse_date(x, s, len, &days) == 0) {
        one->kind = CSV_K_DATE;
        return;
    }
    if (len >= 16 && date_parse_timestamp(s, len, &secs) == 0) {
        one->kind = CSV_K_TIMESTAMP;
        return;
    }
    one->kind = CSV_K_STRING;
}

static uint8_t join_kind(uint8_t a, uint8_t b)
{
    if (a == b || b == CSV_K_NONE) return a;
    if (a == CSV_K_NONE) return b;
    uint8_t lo = a < b ? a : b, hi = a < b ? b : a;
    if (lo >= CSV_K_INT && hi <= CSV_K_FLOAT) return hi;
    if (lo == CSV_K_DATE && hi == CSV_K_TIMESTAMP) return CSV_K_TIMESTAMP;
    return CSV_K_STRING;
}

void csv_stat_join(csv_colstat *into, const csv_colstat *from)
{
    into->kind = join_kind(into->kind, from->kind);
    if (from->scale > into->scale) into->scale = from->scale;
    if (from->max_int > into->max_int) into->max_int = from->max_int;
    into->empty += from->empty;
    into->quoted_empty += from->quoted_empty;
}

col_type csv_stat_type(const csv_colstat *st, int *scale)
{
    *scale = 0;
    switch ((csv_kind)st->kind) {
    case CSV_K_BOOL:
        return COL_BOOL;
    case CSV_K_INT:
        return COL_INT64;
    case CSV_K_DECIMAL: {
        /* Every value must fit int64 at the column's scale: whole * 10^s + (10^s - 1). */
        uint64_t p = (uint64_t)table_pow10(st->scale), top;
        if (__builtin_mul_overflow(st->max_int, p, &top) ||
            __builtin_add_overflow(top, p - 1, &top) || top > (uint64_t)INT64_MAX)
            return COL_FLOAT64;
        *scale = st->scale;
        return COL_DECIMAL;
    }
    case CSV_K_FLOAT:
        return COL_FLOAT64;
    case CSV_K_DATE:
        return COL_DATE;
    case CSV_K_TIMESTAMP:
        return COL_TIMESTAMP;
    case CSV_K_NONE:
    case CSV_K_STRING:
        break;
    }
    return COL_STRING;
}

void csv_vote(const csv_ctx *x, const char *s, size_t len, csv_colstat *st)
{
    csv_colstat one = {0};
    classify(x, s, len, &one);
    csv_stat_join(st, &one);
}

static int type_error(const csv_ctx *x, size_t col, col_type t, int scale, const csv_field *f,
                      int rc, csv_fail *fail);

int csv_infer_field(const csv_ctx *x, size_t col, const csv_field *f, csv_colstat *st,
                    csv_fail *fail)
{
    const char *s = f->s;
    size_t len = f->len;
    int64_t v;
    int32_t days;
    double d;
    int scale;
    uint8_t b;
    /*
    ** The common case: one more value of the column's kind. A fast path accepts only
    ** values that classify() would give a kind joining to the same result, so the
    ** outcome never depends on the order of values (nor on the chunks). With a date
    ** format a number may be a date, so numbers always go through classify().
    */
    csv_kind fast = (csv_kind)st->kind;
    if (x->date_format && fast >= CSV_K_INT && fast <= CSV_K_FLOAT) fast = CSV_K_NONE;
    switch (fast) {
    case CSV_K_INT:
        if (parse_int64(s, len, &v) == 0) {
            if (magnitude(v) > st->max_int) st->max_int = magnitude(v);
            return 0;
        }
        break;
    case CSV_K_DECIMAL:
        if (parse_decimal(s, len, x->mark, &v, &scale) == 0) {
            note_number(st, v, scale);
            return 0;
        }
        break;
    case CSV_K_FLOAT:
        if (parse_double(s, len, x->mark, &d) == 0) return 0;
        break;
    case CSV_K_BOOL:
        if (parse_bool(s, len, &b) == 0) return 0;
        break;
    case CSV_K_DATE:
        if (parse_date(x, s, len, &days) == 0) return 0;
        break;
    case CSV_K_TIMESTAMP:
        if (parse_timestamp(x, s, len, &v) == 0) return 0;
        break;
    case CSV_K_STRING:
        return csv_check_text(x, col, f, fail) || csv_check_range(x, col, f, fail) ? -1 : 0;
    case CSV_K_NONE:
        break;
    }
    csv_colstat one = {0};
    classify(x, s, len, &one);
    if (one.kind == CSV_K_STRING &&
        (csv_check_text(x, col, f, fail) || csv_check_range(x, col, f, fail)))
        return -1;
    csv_stat_join(st, &one);
    return 0;
}

int csv_check_range(const csv_ctx *x, size_t col, const csv_field *f, csv_fail *fail)
{
    double d;
    if (f->len == 0 || !looks_numeric(x, (unsigned char)f->s[0])) return 0;
    if (parse_double(f->s, f->len, x->mark, &d) != PARSE_RANGE) return 0;
    return type_error(x, col, COL_FLOAT64, 0, f, PARSE_RANGE, fail);
}

/* Digits after the decimal mark, trailing zeros aside (they never make a value not fit). */
static int fraction_digits(const char *s, size_t len, char mark)
{
    const char *m = memchr(s, mark, len);
    if (!m) return 0;
    size_t n = len - (size_t)(m - s) - 1;
    while (n > 0 && m[n] == '0')
        n--;
    return (int)n;
}

static const char *date_form(const csv_ctx *x, char *buf, size_t size)
{
    if (!x->date_format) return "YYYY-MM-DD";
    snprintf(buf, size, "%s or YYYY-MM-DD", x->date_format);
    return buf;
}

/* Why a value does not fit a column of type t: rc is the PARSE_ or DATE_ code. */
static int type_error(const csv_ctx *x, size_t col, col_type t, int scale, const csv_field *f,
                      int rc, csv_fail *fail)
{
    if (csv_check_text(x, col, f, fail)) return -1; /* bytes that are not text come first */
    char v[SHOWN_MAX + 4], form[80];
    const char *name = x->cols[col].name, *what = "";
    shown(f, v);
    switch (t) {
    case COL_INT64:
        what = rc == PARSE_RANGE ? "does not fit a 64-bit integer" : "is not an integer";
        break;
    case COL_DECIMAL:
        if (rc != PARSE_RANGE)
            what = "is not a decimal";
        else if (fraction_digits(f->s, f->len, x->mark) > (scale < 0 ? DECIMAL_MAX_SCALE : scale)) {
            csv_fail_set(fail, KPI_EDATA, f->start,
                         "'%s' in column '%s' has more than %d digits after the decimal mark", v,
                         name, scale < 0 ? DECIMAL_MAX_SCALE : scale);
            return -1;
        } else
            what = "is too large for a decimal";
        break;
    case COL_FLOAT64:
        what = rc == PARSE_RANGE ? "is out of range for a float" : "is not a number";
        break;
    case COL_BOOL:
        what = "is not a boolean (true/false/yes/no)";
        break;
    case COL_DATE:
    case COL_TIMESTAMP:
        if (rc == DATE_NOEXIST)
            what = "is not a calendar day";
        else if (t == COL_DATE) {
            csv_fail_set(fail, KPI_EDATA, f->start,
                         "'%s' in column '%s' is not a date (expected %s)", v, name,
                         date_form(x, form, sizeof form));
            return -1;
        } else
            what = "is not a timestamp (expected YYYY-MM-DD HH:MM:SS)";
        break;
    case COL_STRING:
        break;
    }
    csv_fail_set(fail, KPI_EDATA, f->start, "'%s' in column '%s' %s", v, name, what);
    return -1;
}

int csv_check_field(const csv_ctx *x, size_t col, const csv_field *f, csv_colstat *st,
                    csv_fail *fail)
{
    const csv_colspec *cs = &x->cols[col];
    const char *s = f->s;
    size_t len = f->len;
    int64_t v;
    int32_t days;
    double d;
    int scale, rc = 0;
    uint8_t b;
    switch (cs->type) {
    case COL_STRING:
        return csv_check_text(x, col, f, fail);
    case COL_INT64:
        rc = parse_int64(s, len, &v);
        break;
    case COL_DECIMAL:
        if (cs->scale >= 0) {
            rc = parse_decimal_at(s, len, x->mark, cs->scale, &v);
        } else if ((rc = parse_decimal(s, len, x->mark, &v, &scale)) == 0) {
            note_number(st, v, scale);
        }
        break;
    case COL_FLOAT64:
        rc = parse_double(s, len, x->mark, &d);
        break;
    case COL_BOOL:
        rc = parse_bool(s, len, &b);
        break;
    case COL_DATE:
        rc = parse_date(x, s, len, &days);
        break;
    case COL_TIMESTAMP:
        rc = parse_timestamp(x, s, len, &v);
        break;
    }
    return rc ? type_error(x, col, cs->type, cs->scale, f, rc, fail) : 0;
}

csv_kind csv_type_kind(col_type t)
{
    switch (t) {
    case COL_BOOL:
        return CSV_K_BOOL;
    case COL_INT64:
        return CSV_K_INT;
    case COL_DECIMAL:
        return CSV_K_DECIMAL;
    case COL_FLOAT64:
        return CSV_K_FLOAT;
    case COL_DATE:
        return CSV_K_DATE;
    case COL_TIMESTAMP:
        return CSV_K_TIMESTAMP;
    case COL_STRING:
        break;
    }
    return CSV_K_STRING;
}

/* A value that does not fit its column's planned type: an error for a declared column. */
static int misfit(csv_chunk *ch, size_t col, const csv_field *f)
{
    const csv_ctx *x = ch->ctx;
    csv_colwork *w = &ch->work[col];
    if (w->declared) {
        if (csv_check_field(x, col, f, &ch->stats[col], &ch->fail) == 0)
            csv_fail_set(&ch->fail, KPI_EIO, f->start, "the file changed while it was read");
        return -1;
    }
    w->misfit = 1;
    w->mode = CSV_M_INFER;
    return csv_infer_field(x, col, f, &ch->stats[col], &ch->fail);
}

/* Whether two texts of the same length are equal (dates: 10 bytes, two word loads). */
static int same_text(const char *a, const char *b, size_t len)
{
    uint64_t a0, a1, b0, b1;
    if (len < 8 || len > 16) return memcmp(a, b, len) == 0;
    memcpy(&a0, a, 8);
    memcpy(&b0, b, 8);
    memcpy(&a1, a + len - 8, 8);
    memcpy(&b1, b + len - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

/* A date column's value; sorted files repeat a day for many rows, so the last one is kept. */
static int store_date(const csv_ctx *x, csv_colwork *w, size_t row, const char *s, size_t len)
{
    int32_t *out = (int32_t *)w->data + row;
    if (len == w->last_len && same_text(s, w->last, len)) {
        *out = w->last_day;
        return 0;
    }
    if (parse_date(x, s, len, out)) return -1;
    if (len <= sizeof w->last) { /* a copy: the text may be a read buffer that is reused */
        memcpy(w->last, s, len);
        w->last_len = len;
        w->last_day = *out;
    }
    return 0;
}

static const uint64_t pow10_u64[] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};
_Static_assert(DECIMAL_MAX_SCALE < 10, "pow10_u64 covers every decimal scale");

/*
** parse_decimal's common case in one inlined scan, the loader's most frequent number:
** [+-]digits[mark digits], 18 digits at most (exact in uint64), at most
** DECIMAL_MAX_SCALE after the mark. 1 for anything else, which parse_decimal decides.
*/
static inline int plain_decimal(const char *s, size_t len, char mark, int64_t *out, int *scale)
{
    size_t i = len > 0 && (s[0] == '-' || s[0] == '+'), first = i, at_mark = 0;
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
    *out = s[0] == '-' ? -(int64_t)mag : (int64_t)mag;
    *scale = (int)fraction;
    return 0;
}

/*
** A decimal of an undeclared (or declared decimal(-1)) column: its scale and integer part
** vote. Most values have the column's scale and a smaller integer part than seen so far:
** w->bound (the least magnitude whose integer part is larger, once this chunk has a
** value at the column's scale) spares them the division.
*/
static int store_decimal(const csv_ctx *x, csv_colwork *w, csv_colstat *st, size_t row,
                         const char *s, size_t len)
{
    int64_t v, *out = (int64_t *)w->data + row;
    int scale;
    if (w->fixed) return parse_decimal_at(s, len, x->mark, w->scale, out) ? -1 : 0;
    if (plain_decimal(s, len, x->mark, &v, &scale) && parse_decimal(s, len, x->mark, &v, &scale))
        return -1;
    if (scale != w->scale || magnitude(v) >= w->bound) {
        uint64_t limit;
        note_number(st, v, scale);
        if (st->scale >= w->scale && st->max_int < UINT64_MAX &&
            !__builtin_mul_overflow(st->max_int + 1, pow10_u64[w->scale], &limit))
            w->bound = limit;
    }
    if (scale > w->scale)
        w->misfit = 1; /* the column's final scale is larger: converted again */
    else               /* fits int64 whenever the final type is this decimal */
        *out = (int64_t)((uint64_t)v * pow10_u64[w->scale - scale]);
    return 0;
}

int csv_value_field(csv_chunk *ch, size_t col, size_t row, const csv_field *f)
{
    const csv_ctx *x = ch->ctx;
    csv_colwork *w = &ch->work[col];
    csv_colstat *st = &ch->stats[col];
    const char *s = f->s;
    size_t len = f->len;
    int32_t days;
    int64_t v;
    int rc = 0;
    /* With a date format a number may be a date (classify() tries the format first). */
    if (w->guard && date_parse_format(s, len, x->date_format, &days) == 0)
        return misfit(ch, col, f);
    switch ((col_type)w->type) {
    case COL_INT64:
        if ((rc = parse_int64(s, len, &v)) == 0) {
            ((int64_t *)w->data)[row] = v;
            if (magnitude(v) > st->max_int) st->max_int = magnitude(v);
        }
        break;
    case COL_DECIMAL:
        rc = store_decimal(x, w, st, row, s, len);
        break;
    case COL_FLOAT64:
        rc = parse_double(s, len, x->mark, (double *)w->data + row);
        break;
    case COL_BOOL:
        rc = parse_bool(s, len, (uint8_t *)w->data + row);
        break;
    case COL_DATE:
        rc = store_date(x, w, row, s, len);
        break;
    case COL_TIMESTAMP:
        rc = parse_timestamp(x, s, len, (int64_t *)w->data + row);
        break;
    case COL_STRING:
        break; /* strings go through the chunk's string map (csv_chunk.c) */
    }
    if (rc) return misfit(ch, col, f);
    st->kind = w->kind;
    return 0;
}
