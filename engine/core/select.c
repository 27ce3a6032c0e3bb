/*
** select.c -- selections and filters; see select.h.
**
** A filter is compiled once into a predicate over the column's stored integers, then
** applied by one tight loop per storage width. Almost every comparison becomes an
** inclusive range lo <= v <= hi on int64 (optionally negated, for !=):
**   numbers, decimals  the operand is scaled to the column's units; an operand between
**                      two representable values turns < into <= floor, > into >= ceil
**   dates, timestamps  the ISO operand in days or seconds, the same way
**   strings            = and != on dictionary codes, ordering on dict_rank() ranks
**   bools              0 / 1
** Membership (IN) is a sorted int64 array, or a bitmap over codes for strings. Float
** columns keep a double comparison. The output row array is allocated once at the
** input's size and shrunk when much of it is unused.
*/
#include "select.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "kpi_alloc.h"

#define SECS_PER_DAY 86400

typedef enum pred_kind { PRED_NONE, PRED_RANGE, PRED_SET, PRED_BITS, PRED_FLOAT } pred_kind;

typedef struct pred {
    pred_kind kind;
    int64_t lo, hi; /* PRED_RANGE: lo <= v <= hi ... */
    int neg;        /* ... or its negation (!=) */
    int64_t *set;   /* PRED_SET: sorted, unique (owned) */
    size_t nset;
    uint64_t *bits; /* PRED_BITS: bit per dictionary code (owned) */
    uint32_t nbits;
    const uint32_t *rank; /* strings ordered: compare rank[code], not the code */
    filter_op op;         /* PRED_FLOAT */
    double x;
    double *fset; /* PRED_FLOAT with FILTER_IN: sorted (owned) */
    size_t nfset;
} pred;

/* Where an operand lies among the column's integers: floor k, whether it is k exactly,
   or beyond every int64 (side -1 / +1). */
typedef struct bound {
    int64_t k;
    int exact;
    int side;
} bound;

void selection_all(const table *t, selection *s)
{
    s->rows = NULL;
    s->n = t->nrows;
    s->lo = 0;
    s->hi = t->nrows;
}

void selection_free(selection *s)
{
    if (s->rows) kpi_array_free(s->rows);
    s->rows = NULL;
    s->n = s->lo = s->hi = 0;
}

int select_op_parse(const char *s, filter_op *op)
{
    static const struct {
        const char *text;
        filter_op op;
    } ops[] = {{"=", FILTER_EQ}, {"==", FILTER_EQ}, {"!=", FILTER_NE}, {"~=", FILTER_NE},
               {"<", FILTER_LT}, {"<=", FILTER_LE}, {">", FILTER_GT},  {">=", FILTER_GE}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        if (strcmp(s, ops[i].text) == 0) {
            *op = ops[i].op;
            return 0;
        }
    }
    return -1;
}

/* ---- operands ------------------------------------------------------------------ */

static const char *type_words(col_type t)
{
    switch (t) {
    case COL_INT64:
    case COL_FLOAT64:
    case COL_DECIMAL:
        return "numbers";
    case COL_DATE:
        return "dates";
    case COL_TIMESTAMP:
        return "timestamps";
    case COL_STRING:
        return "text";
    case COL_BOOL:
        return "true/false values";
    }
    return "values";
}

static int type_error(const column *c, const kpi_value *v, kpi_error *err)
{
    char what[96];
    if (v->type == VAL_NUMBER && v->num == floor(v->num) && fabs(v->num) < 1e15)
        snprintf(what, sizeof what, "the number %.0f", v->num);
    else if (v->type == VAL_NUMBER)
        snprintf(what, sizeof what, "the number %.15g", v->num);
    else if (v->type == VAL_STRING)
        snprintf(what, sizeof what, "the text '%.*s'", (int)(v->len > 60 ? 60 : v->len), v->str);
    else
        snprintf(what, sizeof what, "the value %s", v->b ? "true" : "false");
    return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0,
                         "column '%s' holds %s; cannot compare it with %s", c->name,
                         type_words(c->type), what);
}

/* x (a double) in units of 1/scale: the exact integer when x has at most that many
   decimals, else the floor of x * scale as a double comparison would see it. */
static bound bound_of_double(double x, int64_t scale)
{
    bound b = {0, 0, 0};
    double y = x * (double)scale;
    if (y >= 9223372036854775808.0)
        b.side = 1;
    else if (y < -9223372036854775808.0)
        b.side = -1;
    if (b.side) return b;
    int64_t r = llround(y);
    if ((double)r / (double)scale == x) {
        b.k = r;
        b.exact = 1;
        return b;
    }
    b.k = (int64_t)floor(y);
    /* x * scale rounds; settle k so that k / scale <= x < (k + 1) / scale in doubles */
    for (int i = 0; i < 4 && b.k < INT64_MAX && (double)(b.k + 1) / (double)scale <= x; i++)
        b.k++;
    for (int i = 0; i < 4 && b.k > INT64_MIN && (double)b.k / (double)scale > x; i++)
        b.k--;
    return b;
}

/* An integer n in units of 1/per (seconds in days: per = 86400). */
static bound bound_of_ratio(int64_t n, int64_t per)
{
    bound b = {n / per, 0, 0};
    if (n % per < 0) b.k--;
    b.exact = n % per == 0;
    return b;
}

/* The predicate "v op operand" on int64 column values. */
static void range_of(bound b, filter_op op, pred *p)
{
    p->kind = PRED_RANGE;
    p->lo = INT64_MIN;
    p->hi = INT64_MAX;
    p->neg = 0;
    if (b.side) {
        /* the operand lies beyond every value: all or nothing */
        int all = op == FILTER_NE || (b.side > 0 ? op == FILTER_LT || op == FILTER_LE
                                                 : op == FILTER_GT || op == FILTER_GE);
        if (!all) p->kind = PRED_NONE;
        return;
    }
    switch (op) {
    case FILTER_EQ:
    case FILTER_IN:
        if (!b.exact) p->kind = PRED_NONE;
        p->lo = p->hi = b.k;
        break;
    case FILTER_NE:
        if (b.exact) p->lo = p->hi = b.k, p->neg = 1;
        break;
    case FILTER_LT:
        if (b.exact && b.k == INT64_MIN) p->kind = PRED_NONE;
        p->hi = b.exact ? b.k - (b.k != INT64_MIN) : b.k;
        break;
    case FILTER_LE:
        p->hi = b.k;
        break;
    case FILTER_GT:
        if (b.k == INT64_MAX) p->kind = PRED_NONE;
        p->lo = b.k + (b.k != INT64_MAX);
        break;
    case FILTER_GE:
        if (!b.exact && b.k == INT64_MAX) p->kind = PRED_NONE;
        p->lo = b.exact ? b.k : b.k + (b.k != INT64_MAX);
        break;
    }
}

/* A date or timestamp operand in the column's units (days or seconds). */
static int time_bound(const column *c, const kpi_value *v, bound *b, kpi_error *err)
{
    if (v->type != VAL_STRING) return type_error(c, v, err);
    int32_t days;
    int64_t secs;
    if (date_parse_iso(v->str, v->len, &days) == 0) {
        *b = (bound){c->type == COL_DATE ? days : (int64_t)days * SECS_PER_DAY, 1, 0};
        return 0;
    }
    if (date_parse_timestamp(v->str, v->len, &secs) == 0) {
        *b = c->type == COL_DATE ? bound_of_ratio(secs, SECS_PER_DAY) : (bound){secs, 1, 0};
        return 0;
    }
    return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "'%.*s' is not a date (YYYY-MM-DD)",
                         (int)(v->len > 60 ? 60 : v->len), v->str);
}

/* The operand as a bound over the column's stored integers (not for strings, floats). */
static int int_bound(const column *c, const kpi_value *v, bound *b, kpi_error *err)
{
    switch (c->type) {
    case COL_INT64:
    case COL_DECIMAL:
        if (v->type != VAL_NUMBER) return type_error(c, v, err);
        if (isnan(v->num))
            *b = (bound){0, 0, 0};
        else
            *b = bound_of_double(v->num, table_pow10(c->scale));
        return 0;
    case COL_BOOL:
        if (v->type != VAL_BOOL) return type_error(c, v, err);
        *b = (bound){v->b != 0, 1, 0};
        return 0;
    default:
        return time_bound(c, v, b, err);
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_f64(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int compile_int_in(const column *c, const kpi_value *vals, size_t nvals, pred *p,
                          kpi_error *err)
{
    p->set = kpi_malloc((nvals ? nvals : 1) * sizeof *p->set);
    if (!p->set) return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < nvals; i++) {
        bound b;
        if (int_bound(c, &vals[i], &b, err) != 0) return -1;
        if (b.exact && !b.side) p->set[p->nset++] = b.k;
    }
    qsort(p->set, p->nset, sizeof *p->set, cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < p->nset; i++)
        if (u == 0 || p->set[u - 1] != p->set[i]) p->set[u++] = p->set[i];
    p->nset = u;
    p->kind = u ? PRED_SET : PRED_NONE;
    return 0;
}

/* Number of dictionary strings ordered before s (or_equal: before or equal to s). */
static uint32_t strings_before(const dict *d, const uint32_t *sorted, const char *s, size_t len,
                               int or_equal)
{
    uint32_t lo = 0, hi = dict_count(d);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, code = sorted[mid];
        size_t ml = dict_len(d, code);
        int c = memcmp(dict_str(d, code), s, ml < len ? ml : len);
        if (c == 0) c = (ml > len) - (ml < len);
        if (c < 0 || (or_equal && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int compile_string(const column *c, filter_op op, const kpi_value *vals, size_t nvals,
                          pred *p, kpi_error *err)
{
    for (size_t i = 0; i < nvals; i++)
        if (vals[i].type != VAL_STRING) return type_error(c, &vals[i], err);
    dict *d = c->dict;
    if (op == FILTER_IN) {
        p->nbits = dict_count(d);
        p->bits = kpi_calloc((size_t)p->nbits / 64 + 1, sizeof *p->bits);
        if (!p->bits) return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        p->kind = PRED_NONE;
        for (size_t i = 0; i < nvals; i++) {
            uint32_t code = dict_find(d, vals[i].str, vals[i].len);
            if (code == DICT_NONE) continue; /* absent from the column: matches nothing */
            p->bits[code >> 6] |= (uint64_t)1 << (code & 63);
            p->kind = PRED_BITS;
        }
        return 0;
    }
    if (op == FILTER_EQ || op == FILTER_NE) {
        uint32_t code = dict_find(d, vals[0].str, vals[0].len);
        range_of((bound){code, code != DICT_NONE, 0}, op, p);
        return 0;
    }
    const uint32_t *sorted = dict_sorted(d), *rank = dict_rank(d);
    if (!sorted || !rank) return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    /* ranks below `before` are < s; below `upto` are <= s */
    int64_t before = strings_before(d, sorted, vals[0].str, vals[0].len, 0);
    int64_t upto = strings_before(d, sorted, vals[0].str, vals[0].len, 1);
    p->rank = rank;
    p->kind = PRED_RANGE;
    p->lo = 0;
    p->hi = INT64_MAX;
    if (op == FILTER_LT)
        p->hi = before - 1;
    else if (op == FILTER_LE)
        p->hi = upto - 1;
    else if (op == FILTER_GT)
        p->lo = upto;
    else
        p->lo = before;
    if (p->lo > p->hi) p->kind = PRED_NONE;
    return 0;
}

static int compile_float(const column *c, filter_op op, const kpi_value *vals, size_t nvals,
                         pred *p, kpi_error *err)
{
    for (size_t i = 0; i < nvals; i++)
        if (vals[i].type != VAL_NUMBER) return type_error(c, &vals[i], err);
    p->kind = PRED_FLOAT;
    p->op = op;
    if (op != FILTER_IN) {
        p->x = vals[0].num;
        return 0;
    }
    p->fset = kpi_malloc((nvals ? nvals : 1) * sizeof *p->fset);
    if (!p->fset) return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < nvals; i++)
        if (!isnan(vals[i].num)) p->fset[p->nfset++] = vals[i].num;
    qsort(p->fset, p->nfset, sizeof *p->fset, cmp_f64);
    if (!p->nfset) p->kind = PRED_NONE;
    return 0;
}

static int compile(const column *c, filter_op op, const kpi_value *vals, size_t nvals, pred *p,
                   kpi_error *err)
{
    memset(p, 0, sizeof *p);
    if (op == FILTER_IN && nvals == 0) {
        p->kind = PRED_NONE;
        return 0;
    }
    if (c->type == COL_STRING) return compile_string(c, op, vals, nvals, p, err);
    if (c->type == COL_FLOAT64) return compile_float(c, op, vals, nvals, p, err);
    if (op == FILTER_IN) return compile_int_in(c, vals, nvals, p, err);
    bound b;
    if (int_bound(c, &vals[0], &b, err) != 0) return -1;
    if (c->type != COL_BOOL && c->type != COL_DATE && c->type != COL_TIMESTAMP &&
        isnan(vals[0].num)) {
        p->kind = op == FILTER_NE ? PRED_RANGE : PRED_NONE; /* IEEE: NaN equals nothing */
        p->lo = INT64_MIN;
        p->hi = INT64_MAX;
        return 0;
    }
    range_of(b, op, p);
    return 0;
}

static void pred_free(pred *p)
{
    kpi_free(p->set);
    kpi_free(p->bits);
    kpi_free(p->fset);
}

/* ---- scanning ------------------------------------------------------------------- */

static int in_set(const int64_t *set, size_t n, int64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && set[lo] == v;
}

static int in_fset(const double *set, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && set[lo] == v;
}

/* Append every selected row r with a value for which TEST (reading v = LOAD) holds.
   The store is unconditional and the count advances by the test: no branch to miss. */
#define SCAN(LOAD, TEST)                                                                           \
    do {                                                                                           \
        if (in->rows) {                                                                            \
            for (size_t i_ = 0; i_ < in->n; i_++) {                                                \
                size_t r = in->rows[i_];                                                           \
                __typeof__(LOAD) v = LOAD;                                                         \
                out[n] = (uint32_t)r;                                                              \
                n += (TEST) && column_is_valid(c, r);                                              \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t r = in->lo; r < in->hi; r++) {                                             \
                __typeof__(LOAD) v = LOAD;                                                         \
                out[n] = (uint32_t)r;                                                              \
                n += (TEST) && column_is_valid(c, r);                                              \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define IN_RANGE(v) (((uint64_t)(int64_t)(v) - (uint64_t)p->lo <= span) != p->neg)

#define SCAN_INT(LOAD)                                                                             \
    do {                                                                                           \
        if (p->kind == PRED_RANGE)                                                                 \
            SCAN(LOAD, IN_RANGE(v));                                                               \
        else if (p->kind == PRED_SET)                                                              \
            SCAN(LOAD, in_set(p->set, p->nset, (int64_t)v));                                       \
        else                                                                                       \
            SCAN(LOAD, (uint64_t)v < p->nbits && ((p->bits[v >> 6] >> (v & 63)) & 1));             \
    } while (0)

static size_t scan_float(const selection *in, const column *c, const pred *p, uint32_t *out)
{
    size_t n = 0;
    const double *f = c->v.f64, x = p->x;
    switch (p->op) {
    case FILTER_EQ:
        SCAN(f[r], v == x);
        break;
    case FILTER_NE:
        SCAN(f[r], v != x);
        break;
    case FILTER_LT:
        SCAN(f[r], v < x);
        break;
    case FILTER_LE:
        SCAN(f[r], v <= x);
        break;
    case FILTER_GT:
        SCAN(f[r], v > x);
        break;
    case FILTER_GE:
        SCAN(f[r], v >= x);
        break;
    case FILTER_IN:
        SCAN(f[r], in_fset(p->fset, p->nfset, v));
        break;
    }
    return n;
}

static size_t scan(const selection *in, const column *c, const pred *p, uint32_t *out)
{
    size_t n = 0;
    uint64_t span = (uint64_t)p->hi - (uint64_t)p->lo;
    if (p->kind == PRED_FLOAT) return scan_float(in, c, p, out);
    switch (c->type) {
    case COL_INT64:
    case COL_DECIMAL:
    case COL_TIMESTAMP:
        SCAN_INT(c->v.i64[r]);
        break;
    case COL_DATE:
        SCAN_INT(c->v.date[r]);
        break;
    case COL_BOOL:
        SCAN_INT(c->v.b[r]);
        break;
    case COL_STRING:
        if (p->rank)
            SCAN_INT(p->rank[column_code(c, r)]);
        else if (c->code_bytes == 1)
            SCAN_INT(c->v.code8[r]);
        else if (c->code_bytes == 2)
            SCAN_INT(c->v.code16[r]);
        else
            SCAN_INT(c->v.code[r]);
        break;
    case COL_FLOAT64:
        break;
    }
    return n;
}

/* Run p over in into *out: a range when nothing was dropped from a range. */
static int run(const selection *in, const column *c, const pred *p, selection *out, kpi_error *err)
{
    selection res = {NULL, 0, 0, 0};
    if (p->kind != PRED_NONE && in->n > 0) {
        res.rows = kpi_array_alloc(in->n, sizeof *res.rows);
        if (!res.rows) return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        res.n = scan(in, c, p, res.rows);
    }
    if (res.n == 0 || (res.n == in->n && !in->rows)) {
        if (res.rows) kpi_array_free(res.rows);
        res.rows = NULL;
        if (res.n) res.lo = in->lo, res.hi = in->hi;
    } else if (res.n < in->n / 2) {
        uint32_t *smaller = kpi_array_realloc(res.rows, res.n, res.n, sizeof *res.rows);
        if (smaller) res.rows = smaller; /* else keep the larger array: still correct */
    }
    *out = res;
    return 0;
}

int select_where(const table *t, const selection *in, int col, filter_op op, const kpi_value *vals,
                 size_t nvals, selection *out, kpi_error *err)
{
    if (col < 0 || (size_t)col >= t->ncols)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "no column number %d in '%s'", col,
                             t->name);
    if ((unsigned)op > FILTER_IN)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "unknown comparison number %d", (int)op);
    if (op != FILTER_IN && nvals != 1)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0,
                             "a comparison with column '%s' takes one value, not %zu",
                             t->cols[col].name, nvals);
    pred p;
    int rc = compile(&t->cols[col], op, vals, nvals, &p, err);
    if (rc == 0) rc = run(in, &t->cols[col], &p, out, err);
    pred_free(&p);
    return rc;
}

/* First row in [lo, hi) of a sorted time column whose value is >= key. */
static size_t lower_bound_time(const column *c, size_t lo, size_t hi, int64_t key)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = c->type == COL_DATE ? c->v.date[mid] : c->v.i64[mid];
        if (v < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int select_time(const table *t, const selection *in, int32_t start, int32_t stop, selection *out,
                kpi_error *err)
{
    if (t->time_col < 0 || (size_t)t->time_col >= t->ncols)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "table '%s' has no time column", t->name);
    const column *c = &t->cols[t->time_col];
    if (c->type != COL_DATE && c->type != COL_TIMESTAMP)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0,
                             "time column '%s' holds %s, not dates or timestamps", c->name,
                             type_words(c->type));
    int64_t unit = c->type == COL_DATE ? 1 : SECS_PER_DAY;
    pred p;
    memset(&p, 0, sizeof p);
    p.kind = start < stop ? PRED_RANGE : PRED_NONE;
    p.lo = start == INT32_MIN ? INT64_MIN : start * unit;
    p.hi = stop == INT32_MAX ? INT64_MAX : stop * unit - 1;
    if (t->time_sorted && !in->rows) {
        size_t lo = in->lo, hi = in->hi;
        if (p.kind == PRED_NONE) hi = lo;
        if (p.lo != INT64_MIN) lo = lower_bound_time(c, lo, hi, p.lo);
        if (p.hi != INT64_MAX) hi = lower_bound_time(c, lo, hi, p.hi + 1);
        *out = (selection){NULL, hi - lo, lo, hi};
        return 0;
    }
    return run(in, c, &p, out, err);
}
