/*
** series.c -- keyed series of numbers; see series.h.
**
** Series are small (one entry per group), so clarity wins over cleverness here:
** keys are sorted once when the series is made, arithmetic is a merge, lookups are
** binary searches. A series from series_top() is in value order instead; merges and
** lookups notice and cope (see sorted_order and series_find).
*/
#include "series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kpi_alloc.h"

typedef struct entry {
    char *key;
    double val;
    uint8_t has;
} entry;

static int oom(kpi_error *err)
{
    return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
}

series *series_new(size_t n)
{
    series *s = kpi_calloc(1, sizeof *s);
    if (!s) return NULL;
    size_t room = n ? n : 1;
    s->keys = kpi_calloc(room, sizeof *s->keys);
    s->vals = kpi_calloc(room, sizeof *s->vals);
    s->has = kpi_calloc(room, sizeof *s->has);
    if (!s->keys || !s->vals || !s->has) {
        series_free(s);
        return NULL;
    }
    s->n = n;
    return s;
}

void series_free(series *s)
{
    if (!s) return;
    if (s->keys)
        for (size_t i = 0; i < s->n; i++)
            kpi_free(s->keys[i]);
    kpi_free(s->keys);
    kpi_free(s->vals);
    kpi_free(s->has);
    kpi_free(s);
}

static int cmp_entry_key(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* Move sorted entries into a new series; on failure frees the keys. */
static series *from_entries(entry *e, size_t n, kpi_error *err)
{
    series *s = series_new(n);
    if (!s) {
        for (size_t i = 0; i < n; i++)
            kpi_free(e[i].key);
        oom(err);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        s->keys[i] = e[i].key;
        s->vals[i] = e[i].val;
        s->has[i] = e[i].has;
    }
    return s;
}

static char *key_of_group(const table *t, const grouping *g, size_t k)
{
    size_t len = group_key_text(t, g, k, NULL, 0);
    char *key = kpi_malloc(len + 1);
    if (key) group_key_text(t, g, k, key, len + 1);
    return key;
}

series *series_from_groups(const table *t, const grouping *g, const agg_value *vals, kpi_error *err)
{
    size_t n = g->ngroups;
    entry *e = kpi_calloc(n ? n : 1, sizeof *e);
    if (!e) {
        oom(err);
        return NULL;
    }
    int failed = 0;
    for (size_t k = 0; k < n && !failed; k++) {
        e[k] = (entry){key_of_group(t, g, k), vals[k].value, !vals[k].is_null};
        failed = !e[k].key;
    }
    /* groups come in key order (numbers numerically); series keys are in byte order */
    if (!failed) qsort(e, n, sizeof *e, cmp_entry_key);
    for (size_t k = 1; k < n && !failed; k++) {
        if (strcmp(e[k - 1].key, e[k].key) == 0) {
            kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0,
                          "two groups have the same key '%s' (a key is empty or holds '|')",
                          e[k].key);
            failed = 2;
        }
    }
    series *s = NULL;
    if (failed) {
        for (size_t k = 0; k < n; k++)
            kpi_free(e[k].key);
        if (failed == 1) oom(err);
    } else {
        s = from_entries(e, n, err);
    }
    kpi_free(e);
    return s;
}

/* a op b, or no value (NAN) when the result is not a finite number. */
static double apply(double a, double b, char op)
{
    double r = op == '+' ? a + b : op == '-' ? a - b : op == '*' ? a * b : b == 0 ? NAN : a / b;
    return isfinite(r) ? r : NAN;
}

static int check_op(char op, kpi_error *err)
{
    if (op == '+' || op == '-' || op == '*' || op == '/') return 0;
    return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "unknown operator '%c' on series", op);
}

/* The positions of s's entries in key order (identity unless s came from series_top). */
static size_t *sorted_order(const series *s)
{
    size_t *idx = kpi_malloc((s->n ? s->n : 1) * sizeof *idx);
    if (!idx) return NULL;
    int sorted = 1;
    for (size_t i = 0; i < s->n; i++) {
        idx[i] = i;
        if (i && strcmp(s->keys[i - 1], s->keys[i]) >= 0) sorted = 0;
    }
    if (!sorted) {
        /* insertion sort: a top-n series is short, and qsort_r is not C11 */
        for (size_t i = 1; i < s->n; i++) {
            size_t x = idx[i], j = i;
            for (; j > 0 && strcmp(s->keys[idx[j - 1]], s->keys[x]) > 0; j--)
                idx[j] = idx[j - 1];
            idx[j] = x;
        }
    }
    return idx;
}

/* Merge a and b by key into e (room for a->n + b->n entries); returns the count. */
static size_t merge_keys(const series *a, const size_t *ia, const series *b, const size_t *ib,
                         char op, entry *e, int *failed)
{
    size_t i = 0, j = 0, n = 0;
    while ((i < a->n || j < b->n) && !*failed) {
        size_t x = i < a->n ? ia[i] : 0, y = j < b->n ? ib[j] : 0;
        int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->keys[x], b->keys[y]);
        entry *out = &e[n++];
        out->key = kpi_strdup(c <= 0 ? a->keys[x] : b->keys[y]);
        out->val = c == 0 && a->has[x] && b->has[y] ? apply(a->vals[x], b->vals[y], op) : NAN;
        out->has = !isnan(out->val);
        if (!out->has) out->val = 0;
        *failed = !out->key;
        i += c <= 0;
        j += c >= 0;
    }
    return n;
}

series *series_binop(const series *a, const series *b, char op, kpi_error *err)
{
    if (check_op(op, err) != 0) return NULL;
    size_t *ia = sorted_order(a), *ib = sorted_order(b);
    entry *e = kpi_calloc(a->n + b->n + 1, sizeof *e);
    series *s = NULL;
    int failed = !ia || !ib || !e;
    size_t n = failed ? 0 : merge_keys(a, ia, b, ib, op, e, &failed);
    if (!failed)
        s = from_entries(e, n, err);
    else {
        for (size_t i = 0; i < n; i++)
            kpi_free(e[i].key);
        oom(err);
    }
    kpi_free(ia);
    kpi_free(ib);
    kpi_free(e);
    return s;
}

series *series_scalar(const series *a, double x, char op, int scalar_first, kpi_error *err)
{
    if (check_op(op, err) != 0) return NULL;
    series *s = series_new(a->n);
    if (!s) {
        oom(err);
        return NULL;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (!(s->keys[i] = kpi_strdup(a->keys[i]))) {
            series_free(s);
            oom(err);
            return NULL;
        }
        double v = !a->has[i]     ? NAN
                   : scalar_first ? apply(x, a->vals[i], op)
                                  : apply(a->vals[i], x, op);
        s->has[i] = !isnan(v);
        s->vals[i] = s->has[i] ? v : 0;
    }
    return s;
}

static long find_sorted(const series *s, const char *key, size_t len)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, ml = strlen(s->keys[mid]);
        int c = memcmp(s->keys[mid], key, ml < len ? ml : len);
        if (c == 0) c = (ml > len) - (ml < len);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

long series_find(const series *s, const char *key, size_t len)
{
    long at = find_sorted(s, key, len);
    if (at >= 0) return at;
    /* a miss may be a series_top() result, which is not in key order: look at every key */
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->keys[i]) == len && memcmp(s->keys[i], key, len) == 0) return (long)i;
    return -1;
}

static int cmp_entry_top(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->val != y->val) return x->val < y->val ? 1 : -1;
    return strcmp(x->key, y->key);
}

series *series_top(const series *s, size_t n, kpi_error *err)
{
    entry *e = kpi_calloc(s->n ? s->n : 1, sizeof *e);
    if (!e) {
        oom(err);
        return NULL;
    }
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->has[i]) e[m++] = (entry){s->keys[i], s->vals[i], 1};
    qsort(e, m, sizeof *e, cmp_entry_top);
    if (n > m) n = m;
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        failed |= !(e[i].key = kpi_strdup(e[i].key));
    series *top = NULL;
    if (!failed)
        top = from_entries(e, n, err);
    else {
        for (size_t i = 0; i < n; i++)
            kpi_free(e[i].key);
        oom(err);
    }
    kpi_free(e);
    return top;
}

double series_total(const series *s, int *has)
{
    double sum = 0, comp = 0;
    int any = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->has[i]) continue;
        double x = s->vals[i], t = sum + x;
        comp += fabs(sum) >= fabs(x) ? (sum - t) + x : (x - t) + sum; /* Neumaier */
        sum = t;
        any = 1;
    }
    if (has) *has = any;
    return any ? sum + comp : 0;
}
