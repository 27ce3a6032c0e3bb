/*
** agg.c -- aggregation kernels and their registry; see agg.h.
**
** Every kernel takes the ungrouped case as group 0 of one, so one function serves
** both. Loops are specialised by column type (the switch is outside, the loop is
** tight) and by the shape of the selection (EACH_ROW).
**
** Order statistics work on keys: each value maps to a uint64 whose unsigned order is
** the value's order (ints with the sign bit flipped, floats by their bit pattern
** made monotonic). min/max compare keys; distinct sorts keys (LSD radix) and counts
** runs; median/quantile gather each group's keys into one slice and quickselect.
** Strings count distinct codes with flags per (group, code) when they are few enough.
*/
#include "agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_alloc.h"
#include "sort.h"

#define SIGN_BIT ((uint64_t)1 << 63)

/*
** Run the statement(s) for every selected row with r = its table row and k = its
** group (0 when ungrouped). Four copies so no loop tests the selection's shape.
*/
#define EACH_ROW(...)                                                                              \
    do {                                                                                           \
        const uint32_t *rows_ = sel->rows, *gid_ = g ? g->gid : NULL;                              \
        size_t lo_ = sel->lo, n_ = sel->n;                                                         \
        if (rows_ && gid_) {                                                                       \
            for (size_t i_ = 0; i_ < n_; i_++) {                                                   \
                size_t r = rows_[i_], k = gid_[i_];                                                \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        } else if (rows_) {                                                                        \
            for (size_t i_ = 0; i_ < n_; i_++) {                                                   \
                size_t r = rows_[i_], k = 0;                                                       \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        } else if (gid_) {                                                                         \
            for (size_t i_ = 0; i_ < n_; i_++) {                                                   \
                size_t r = lo_ + i_, k = gid_[i_];                                                 \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t r = lo_; r < lo_ + n_; r++) {                                              \
                const size_t k = 0;                                                                \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define SKIP_NULL                                                                                  \
    if (valid_ && !((valid_[r >> 6] >> (r & 63)) & 1)) continue;

/* EACH_ROW over non-null values, with `key` the value's order key. */
#define EACH_KEY(c, ...)                                                                           \
    do {                                                                                           \
        const uint64_t *valid_ = (c)->valid;                                                       \
        switch ((c)->type) {                                                                       \
        case COL_FLOAT64: {                                                                        \
            const double *f_ = (c)->v.f64;                                                         \
            EACH_ROW(SKIP_NULL uint64_t key = float_key(f_[r]); __VA_ARGS__);                      \
        } break;                                                                                   \
        case COL_DATE: {                                                                           \
            const int32_t *d_ = (c)->v.date;                                                       \
            EACH_ROW(SKIP_NULL uint64_t key = (uint64_t)(int64_t)d_[r] ^ SIGN_BIT; __VA_ARGS__);   \
        } break;                                                                                   \
        case COL_BOOL: {                                                                           \
            const uint8_t *b_ = (c)->v.b;                                                          \
            EACH_ROW(SKIP_NULL uint64_t key = (uint64_t)b_[r] ^ SIGN_BIT; __VA_ARGS__);            \
        } break;                                                                                   \
        case COL_STRING:                                                                           \
            if ((c)->code_bytes == 1) {                                                            \
                const uint8_t *s_ = (c)->v.code8;                                                  \
                EACH_ROW(SKIP_NULL uint64_t key = s_[r]; __VA_ARGS__);                             \
            } else if ((c)->code_bytes == 2) {                                                     \
                const uint16_t *s_ = (c)->v.code16;                                                \
                EACH_ROW(SKIP_NULL uint64_t key = s_[r]; __VA_ARGS__);                             \
            } else {                                                                               \
                const uint32_t *s_ = (c)->v.code;                                                  \
                EACH_ROW(SKIP_NULL uint64_t key = s_[r]; __VA_ARGS__);                             \
            }                                                                                      \
            break;                                                                                 \
        default: {                                                                                 \
            const int64_t *w_ = (c)->v.i64;                                                        \
            EACH_ROW(SKIP_NULL uint64_t key = (uint64_t)w_[r] ^ SIGN_BIT; __VA_ARGS__);            \
        } break;                                                                                   \
        }                                                                                          \
    } while (0)

static int oom(kpi_error *err)
{
    return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
}

static size_t ngroups_of(const grouping *g)
{
    return g ? g->ngroups : 1;
}

static uint64_t float_key(double d)
{
    uint64_t bits;
    d += 0.0; /* -0.0 becomes 0.0: one zero */
    memcpy(&bits, &d, sizeof bits);
    return bits & SIGN_BIT ? ~bits : bits | SIGN_BIT;
}

/* The number a key stands for, in the column's stored units (decimals unscaled). */
static double key_number(const column *c, uint64_t key)
{
    if (c->type != COL_FLOAT64) return (double)(int64_t)(key ^ SIGN_BIT);
    uint64_t bits = key & SIGN_BIT ? key & ~SIGN_BIT : ~key;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static double unscale(const column *c, double v)
{
    return c->type == COL_DECIMAL && c->scale ? v / (double)table_pow10(c->scale) : v;
}

/* ---- type rules ----------------------------------------------------------------- */

static const char *const verbs[AGG_NKINDS] = {"count",
                                              "sum",
                                              "average",
                                              "take the minimum of",
                                              "take the maximum of",
                                              "count values of",
                                              "take the median of",
                                              "take a quantile of"};

static int check_column(const table *t, agg_kind kind, int col, double fraction, kpi_error *err)
{
    if (kind == AGG_QUANTILE && !(fraction >= 0 && fraction <= 1))
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0,
                             "quantile takes a fraction between 0 and 1, not %g", fraction);
    if (kind == AGG_COUNT) return 0;
    if (col < 0 || (size_t)col >= t->ncols)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "no column number %d in '%s'", col,
                             t->name);
    const column *c = &t->cols[col];
    int ok = 1;
    if (c->type == COL_STRING)
        ok = kind == AGG_DISTINCT;
    else if (c->type == COL_DATE || c->type == COL_TIMESTAMP)
        ok = kind == AGG_MIN || kind == AGG_MAX || kind == AGG_DISTINCT;
    if (ok) return 0;
    return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "cannot %s %s column '%s'", verbs[kind],
                         c->type == COL_STRING ? "text" : table_type_name(c->type), c->name);
}

/* ---- count ---------------------------------------------------------------------- */

static int kernel_count(const table *t, const selection *sel, const grouping *g, int col,
                        double fraction, agg_value *out, kpi_error *err)
{
    (void)t, (void)col, (void)fraction, (void)err;
    if (!g) {
        out[0] = (agg_value){(double)sel->n, 0};
        return 0;
    }
    for (size_t k = 0; k < g->ngroups; k++)
        out[k] = (agg_value){0, 0};
    for (size_t i = 0; i < sel->n; i++)
        out[g->gid[i]].value += 1;
    return 0;
}

/* ---- sum and avg ---------------------------------------------------------------- */

typedef struct sums {
    int64_t *exact;  /* int, decimal, bool columns */
    double *f, *cmp; /* float columns: Neumaier sum and its compensation */
    size_t *cnt;     /* non-null values per group */
} sums;

static void sums_free(sums *s)
{
    kpi_free(s->exact);
    kpi_free(s->f);
    kpi_free(s->cmp);
    kpi_free(s->cnt);
}

static int sum_float(const selection *sel, const grouping *g, const column *c, sums *s)
{
    const uint64_t *valid_ = c->valid;
    const double *v = c->v.f64;
    double *f = s->f, *cmp = s->cmp;
    size_t *cnt = s->cnt;
    if (!g) {
        /* one group: keep the running sums in registers, not behind possibly aliased pointers */
        double sum = 0, comp = 0;
        size_t seen = 0;
        EACH_ROW(SKIP_NULL double x = v[r], tot = sum + x;
                 comp += fabs(sum) >= fabs(x) ? (sum - tot) + x : (x - tot) + sum; sum = tot;
                 seen++; (void)k;);
        f[0] = sum, cmp[0] = comp, cnt[0] = seen;
        return 0;
    }
    EACH_ROW(SKIP_NULL double x = v[r], sum = f[k], tot = sum + x;
             /* Neumaier: keep the low-order bits the bigger operand would drop */
             cmp[k] += fabs(sum) >= fabs(x) ? (sum - tot) + x : (x - tot) + sum;
             f[k] = tot; cnt[k]++;);
    return 0;
}

static int sum_exact(const selection *sel, const grouping *g, const column *c, sums *s)
{
    const uint64_t *valid_ = c->valid;
    int64_t *acc = s->exact;
    size_t *cnt = s->cnt;
    int overflow = 0;
    if (c->type == COL_BOOL) {
        const uint8_t *b = c->v.b;
        EACH_ROW(SKIP_NULL acc[k] += b[r]; cnt[k]++;);
    } else {
        const int64_t *v = c->v.i64;
        EACH_ROW(SKIP_NULL cnt[k]++; if (__builtin_add_overflow(acc[k], v[r], &acc[k])) {
            overflow = 1;
            break;
        });
    }
    return overflow ? -1 : 0;
}

/* Sums and counts per group into *s (freed by the caller even on failure). */
static int sum_groups(const table *t, const selection *sel, const grouping *g, int col, sums *s,
                      kpi_error *err)
{
    const column *c = &t->cols[col];
    size_t ng = ngroups_of(g) ? ngroups_of(g) : 1;
    memset(s, 0, sizeof *s);
    s->cnt = kpi_calloc(ng, sizeof *s->cnt);
    if (c->type == COL_FLOAT64) {
        s->f = kpi_calloc(ng, sizeof *s->f);
        s->cmp = kpi_calloc(ng, sizeof *s->cmp);
        if (!s->cnt || !s->f || !s->cmp) return oom(err);
        return sum_float(sel, g, c, s);
    }
    s->exact = kpi_calloc(ng, sizeof *s->exact);
    if (!s->cnt || !s->exact) return oom(err);
    if (sum_exact(sel, g, c, s) != 0)
        return kpi_error_set(err, KPI_ERANGE, NULL, 0, 0, "sum of '%s' overflows", c->name);
    return 0;
}

/* sum (per_value 0) or avg (per_value 1) of group k. */
static agg_value sum_result(const column *c, const sums *s, size_t k, int per_value)
{
    if (s->cnt[k] == 0) return (agg_value){0, 1};
    double v = s->f ? s->f[k] + s->cmp[k] : unscale(c, (double)s->exact[k]);
    return (agg_value){per_value ? v / (double)s->cnt[k] : v, 0};
}

static int kernel_sums(const table *t, const selection *sel, const grouping *g, int col,
                       agg_value *out, int per_value, kpi_error *err)
{
    sums s;
    int rc = sum_groups(t, sel, g, col, &s, err);
    for (size_t k = 0; rc == 0 && k < ngroups_of(g); k++)
        out[k] = sum_result(&t->cols[col], &s, k, per_value);
    sums_free(&s);
    return rc;
}

static int kernel_sum(const table *t, const selection *sel, const grouping *g, int col,
                      double fraction, agg_value *out, kpi_error *err)
{
    if (check_column(t, AGG_SUM, col, fraction, err) != 0) return -1;
    return kernel_sums(t, sel, g, col, out, 0, err);
}

static int kernel_avg(const table *t, const selection *sel, const grouping *g, int col,
                      double fraction, agg_value *out, kpi_error *err)
{
    if (check_column(t, AGG_AVG, col, fraction, err) != 0) return -1;
    return kernel_sums(t, sel, g, col, out, 1, err);
}

/* ---- min and max ---------------------------------------------------------------- */

static int minmax(const table *t, const selection *sel, const grouping *g, int col, int want_max,
                  agg_value *out, kpi_error *err)
{
    const column *c = &t->cols[col];
    size_t ng = ngroups_of(g);
    uint64_t *best = kpi_malloc((ng ? ng : 1) * sizeof *best);
    uint8_t *seen = kpi_calloc(ng ? ng : 1, 1);
    if (!best || !seen) {
        kpi_free(best);
        kpi_free(seen);
        return oom(err);
    }
    /* max is the min of the complemented keys: one loop shape for both */
    uint64_t flip = want_max ? UINT64_MAX : 0;
    for (size_t k = 0; k < ng; k++)
        best[k] = UINT64_MAX;
    EACH_KEY(c, key ^= flip; if (key <= best[k]) best[k] = key; seen[k] = 1;);
    for (size_t k = 0; k < ng; k++)
        out[k] =
            seen[k] ? (agg_value){unscale(c, key_number(c, best[k] ^ flip)), 0} : (agg_value){0, 1};
    kpi_free(best);
    kpi_free(seen);
    return 0;
}

static int kernel_min(const table *t, const selection *sel, const grouping *g, int col,
                      double fraction, agg_value *out, kpi_error *err)
{
    if (check_column(t, AGG_MIN, col, fraction, err) != 0) return -1;
    return minmax(t, sel, g, col, 0, out, err);
}

static int kernel_max(const table *t, const selection *sel, const grouping *g, int col,
                      double fraction, agg_value *out, kpi_error *err)
{
    if (check_column(t, AGG_MAX, col, fraction, err) != 0) return -1;
    return minmax(t, sel, g, col, 1, out, err);
}

/* ---- gathering keys per group ----------------------------------------------------- */

typedef struct slices {
    uint64_t *keys; /* group k's keys are keys[off[k] .. off[k + 1]) */
    size_t *off;
} slices;

static void slices_free(slices *s)
{
    if (s->keys) kpi_array_free(s->keys);
    kpi_free(s->off);
}

static int gather(const selection *sel, const grouping *g, const column *c, slices *s,
                  kpi_error *err)
{
    size_t ng = ngroups_of(g);
    s->keys = NULL;
    s->off = kpi_calloc(ng + 1, sizeof *s->off);
    if (!s->off) return oom(err);
    /* count into off[k], make it the end of slice k, then fill each slice backwards:
       afterwards off[k] is the slice's start and off[ng] the total */
    size_t *cnt = s->off;
    {
        const uint64_t *valid_ = c->valid;
        EACH_ROW(SKIP_NULL cnt[k]++;);
    }
    for (size_t k = 1; k < ng; k++)
        s->off[k] += s->off[k - 1];
    s->off[ng] = ng ? s->off[ng - 1] : 0;
    s->keys = kpi_array_alloc(s->off[ng] ? s->off[ng] : 1, sizeof *s->keys);
    if (!s->keys) return oom(err);
    size_t *end = s->off;
    EACH_KEY(c, s->keys[--end[k]] = key;);
    return 0;
}

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* ---- distinct ------------------------------------------------------------------- */

/*
** Strings: a seen-flag per (group, code), group-major, then one count per group. Bytes,
** not bits: setting a bit is a read-modify-write that chains rows hitting the same
** word, while storing a byte does not.
*/
static int distinct_codes(const selection *sel, const grouping *g, const column *c, size_t ncodes,
                          agg_value *out, kpi_error *err)
{
    size_t ng = ngroups_of(g);
    uint8_t *seen = kpi_array_calloc(ng * ncodes + 1, 1);
    if (!seen) return oom(err);
    const uint64_t *valid_ = c->valid;
    if (c->code_bytes == 1) {
        const uint8_t *code = c->v.code8;
        EACH_ROW(SKIP_NULL seen[k * ncodes + code[r]] = 1;);
    } else if (c->code_bytes == 2) {
        const uint16_t *code = c->v.code16;
        EACH_ROW(SKIP_NULL seen[k * ncodes + code[r]] = 1;);
    } else {
        const uint32_t *code = c->v.code;
        EACH_ROW(SKIP_NULL seen[k * ncodes + code[r]] = 1;);
    }
    for (size_t k = 0; k < ng; k++) {
        size_t n = 0;
        for (size_t i = k * ncodes; i < (k + 1) * ncodes; i++)
            n += seen[i];
        out[k] = (agg_value){(double)n, 0};
    }
    kpi_array_free(seen);
    return 0;
}

static int kernel_distinct(const table *t, const selection *sel, const grouping *g, int col,
                           double fraction, agg_value *out, kpi_error *err)
{
    if (check_column(t, AGG_DISTINCT, col, fraction, err) != 0) return -1;
    const column *c = &t->cols[col];
    size_t ng = ngroups_of(g);
    /* the flags pay when they cost at most about 8 bytes per selected row */
    if (c->type == COL_STRING && (double)ng * dict_count(c->dict) <= 8.0 * ((double)sel->n + 4096))
        return distinct_codes(sel, g, c, dict_count(c->dict), out, err);
    slices s;
    uint64_t *tmp = NULL;
    int rc = gather(sel, g, c, &s, err);
    if (rc == 0 && !(tmp = kpi_array_alloc(s.off[ng] ? s.off[ng] : 1, sizeof *tmp))) rc = oom(err);
    for (size_t k = 0; rc == 0 && k < ng; k++) {
        uint64_t *a = s.keys + s.off[k];
        size_t n = s.off[k + 1] - s.off[k], runs = 0;
        sort_keys(a, n, tmp);
        for (size_t i = 0; i < n; i++)
            runs += i == 0 || a[i] != a[i - 1];
        out[k] = (agg_value){(double)runs, 0};
    }
    if (tmp) kpi_array_free(tmp);
    slices_free(&s);
    return rc;
}

/* ---- median and quantile -------------------------------------------------------- */

static void swap_keys(uint64_t *a, size_t i, size_t j)
{
    uint64_t x = a[i];
    a[i] = a[j];
    a[j] = x;
}

/* Reorder a so that a[nth] is the key sorted order puts there, smaller keys before it,
   larger after (C++'s nth_element). Three-way partitions: runs of equal keys are common. */
static void nth_element(uint64_t *a, size_t n, size_t nth)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 16) {
        uint64_t x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi - 1];
        uint64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (a[i] < pivot)
                swap_keys(a, lt++, i++);
            else if (a[i] > pivot)
                swap_keys(a, i, --gt);
            else
                i++;
        }
        if (nth < lt)
            hi = lt;
        else if (nth >= gt)
            lo = gt;
        else
            return;
    }
    insertion_sort(a + lo, hi - lo);
}

/* Continuous quantile q of the n > 0 keys of a (reordered), as DuckDB's quantile_cont. */
static double quantile_of(const column *c, uint64_t *a, size_t n, double q)
{
    double pos = q * (double)(n - 1), below = floor(pos), frac = pos - below;
    size_t lo = (size_t)below;
    nth_element(a, n, lo);
    double x = key_number(c, a[lo]), y = x;
    if (frac > 0 && lo + 1 < n) {
        uint64_t next = a[lo + 1]; /* the smallest key after a[lo] */
        for (size_t i = lo + 2; i < n; i++)
            if (a[i] < next) next = a[i];
        y = key_number(c, next);
    }
    return unscale(c, x + frac * (y - x));
}

static int quantiles(const table *t, const selection *sel, const grouping *g, int col, double q,
                     agg_value *out, kpi_error *err)
{
    const column *c = &t->cols[col];
    slices s;
    int rc = gather(sel, g, c, &s, err);
    for (size_t k = 0; rc == 0 && k < ngroups_of(g); k++) {
        size_t n = s.off[k + 1] - s.off[k];
        out[k] = n ? (agg_value){quantile_of(c, s.keys + s.off[k], n, q), 0} : (agg_value){0, 1};
    }
    slices_free(&s);
    return rc;
}

static int kernel_median(const table *t, const selection *sel, const grouping *g, int col,
                         double fraction, agg_value *out, kpi_error *err)
{
    if (check_column(t, AGG_MEDIAN, col, fraction, err) != 0) return -1;
    return quantiles(t, sel, g, col, 0.5, out, err);
}

static int kernel_quantile(const table *t, const selection *sel, const grouping *g, int col,
                           double fraction, agg_value *out, kpi_error *err)
{
    if (check_column(t, AGG_QUANTILE, col, fraction, err) != 0) return -1;
    return quantiles(t, sel, g, col, fraction, out, err);
}

/* ---- registry ------------------------------------------------------------------- */

const agg_def agg_builtins[AGG_NKINDS] = {
    {"count", AGG_COUNT, 0, 0, "count()", "Number of rows, nulls included; 0 over no rows.",
     kernel_count},
    {"sum", AGG_SUM, 1, 0, "sum(column)",
     "Sum of the values: exact for integers and decimals, compensated for floats.", kernel_sum},
    {"avg", AGG_AVG, 1, 0, "avg(column)", "Mean of the values: their sum over their count.",
     kernel_avg},
    {"min", AGG_MIN, 1, 0, "min(column)", "Smallest value (dates as day numbers).", kernel_min},
    {"max", AGG_MAX, 1, 0, "max(column)", "Largest value (dates as day numbers).", kernel_max},
    {"distinct", AGG_DISTINCT, 1, 0, "distinct(column)", "Number of distinct values.",
     kernel_distinct},
    {"median", AGG_MEDIAN, 1, 0, "median(column)",
     "Middle value; the mean of the two middle values for an even count.", kernel_median},
    {"quantile", AGG_QUANTILE, 1, 1, "quantile(column, q)",
     "Value a fraction q (0 to 1) of the way through the sorted values, interpolated linearly.",
     kernel_quantile},
};

const agg_def *agg_lookup(const char *name)
{
    for (size_t i = 0; i < AGG_NKINDS; i++)
        if (strcmp(agg_builtins[i].name, name) == 0) return &agg_builtins[i];
    return NULL;
}

int agg_run(const table *t, const selection *sel, const grouping *g, agg_kind kind, int col,
            double fraction, agg_value *out, kpi_error *err)
{
    if ((unsigned)kind >= AGG_NKINDS)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "unknown aggregate number %d", (int)kind);
    if (check_column(t, kind, col, fraction, err) != 0) return -1;
    return agg_builtins[kind].kernel(t, sel, g, col, fraction, out, err);
}
