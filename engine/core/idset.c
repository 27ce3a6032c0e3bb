/*
** idset.c -- sets of identifiers; see idset.h.
**
** An integer set is a sorted array of distinct int64. A string set keeps its strings
** NUL-terminated back to back in byte order in one block it owns, with offsets:
** element i starts at text + off[i] and is off[i + 1] - off[i] - 1 bytes long.
**
** From a string column the set is a bitmap of the column's codes that holds the
** column's dict (dict_retain, and the cache file's mapping the dict may live in), so it
** outlives the table: no string is sorted, hashed or copied. Two such sets of the same
** dict combine word by word. Only a set combined with one of another dict is written
** out as strings: walk dict_sorted() (codes in byte order) copying the marked ones.
** From an integer column: gather, radix sort, drop repeats. Difference, intersection
** and union of written-out sets are one merge over both sorted sets.
*/
#include "idset.h"

#include <string.h>

#include "kpi_alloc.h"
#include "sort.h"

#define SIGN_BIT ((uint64_t)1 << 63)

struct idset {
    int strings; /* 1: a set of strings, 0: of integers */
    size_t n;
    int64_t *ints; /* integer sets: sorted, distinct */
    size_t *off;   /* string sets written out: n + 1 offsets into text */
    char *text;
    dict *dict;    /* string sets of codes: bit c of bits is code c of dict (held) */
    uint64_t *bits;
    uint32_t ncodes;
    table_mapping *mapping; /* where dict's strings live, when in a cache file (held) */
};

typedef enum set_op { SET_DIFF, SET_INTERSECT, SET_UNION } set_op;

static int oom(kpi_error *err)
{
    return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
}

void idset_free(idset *s)
{
    if (!s) return;
    if (s->ints) kpi_array_free(s->ints);
    if (s->off) kpi_array_free(s->off);
    if (s->text) kpi_array_free(s->text);
    if (s->bits) kpi_array_free(s->bits);
    dict_free(s->dict); /* before the mapping its strings may live in */
    table_mapping_release(s->mapping);
    kpi_free(s);
}

/* The set of the codes of d set in bits (taken over), holding d and its mapping. */
static idset *coded_new(dict *d, table_mapping *m, uint32_t ncodes, uint64_t *bits)
{
    idset *s = kpi_calloc(1, sizeof *s);
    if (!s) {
        kpi_array_free(bits);
        return NULL;
    }
    s->strings = 1;
    s->ncodes = ncodes;
    s->bits = bits;
    dict_retain(s->dict = d);
    if (m) table_mapping_retain(s->mapping = m);
    for (size_t w = 0; w <= ncodes / 64; w++)
        s->n += (size_t)__builtin_popcountll(s->bits[w]);
    return s;
}

/* An empty set with room for n strings of `bytes` bytes in all (NULs included) or n ints. */
static idset *set_new(int strings, size_t n, size_t bytes)
{
    idset *s = kpi_calloc(1, sizeof *s);
    if (!s) return NULL;
    s->strings = strings;
    if (strings) {
        s->off = kpi_array_alloc(n + 1, sizeof *s->off);
        s->text = kpi_array_alloc(bytes ? bytes : 1, 1);
        if (s->off) s->off[0] = 0;
    } else {
        s->ints = kpi_array_alloc(n ? n : 1, sizeof *s->ints);
    }
    if (strings ? !s->off || !s->text : !s->ints) {
        idset_free(s);
        return NULL;
    }
    return s;
}

static void push_string(idset *s, const char *str, size_t len)
{
    char *dst = s->text + s->off[s->n];
    memcpy(dst, str, len);
    dst[len] = '\0';
    s->off[s->n + 1] = s->off[s->n] + len + 1;
    s->n++;
}

static idset *from_strings(const selection *sel, const column *c, kpi_error *err)
{
    uint32_t ncodes = dict_count(c->dict);
    uint64_t *present = kpi_array_calloc((size_t)ncodes / 64 + 1, sizeof *present);
    if (!present) {
        oom(err);
        return NULL;
    }
    for (size_t i = 0; i < sel->n; i++) {
        size_t r = selection_row(sel, i);
        uint32_t code = column_code(c, r);
        if (column_is_valid(c, r)) present[code >> 6] |= (uint64_t)1 << (code & 63);
    }
    idset *s = coded_new(c->dict, c->mapping, ncodes, present);
    if (!s) oom(err);
    return s;
}

/* A set of codes written out as strings, in byte order. NULL when out of memory. */
static idset *written_out(const idset *c)
{
    const uint32_t *sorted = dict_sorted(c->dict);
    if (!sorted) return NULL;
    size_t bytes = 0;
    for (uint32_t code = 0; code < c->ncodes; code++)
        if ((c->bits[code >> 6] >> (code & 63)) & 1) bytes += dict_len(c->dict, code) + 1;
    idset *s = set_new(1, c->n, bytes);
    for (uint32_t k = 0, n = dict_count(c->dict); s && k < n; k++) {
        uint32_t code = sorted[k];
        if (code < c->ncodes && (c->bits[code >> 6] >> (code & 63)) & 1)
            push_string(s, dict_str(c->dict, code), dict_len(c->dict, code));
    }
    return s;
}

static idset *from_ints(const selection *sel, const column *c, kpi_error *err)
{
    /* keys: values with the sign bit flipped, so unsigned order is numeric order */
    uint64_t *keys = kpi_array_alloc(sel->n ? sel->n : 1, sizeof *keys);
    uint64_t *tmp = kpi_array_alloc(sel->n ? sel->n : 1, sizeof *tmp);
    idset *s = NULL;
    if (keys && tmp) {
        size_t n = 0;
        for (size_t i = 0; i < sel->n; i++) {
            size_t r = selection_row(sel, i);
            int64_t v = c->type == COL_DATE   ? c->v.date[r]
                        : c->type == COL_BOOL ? c->v.b[r]
                                              : c->v.i64[r];
            keys[n] = (uint64_t)v ^ SIGN_BIT;
            n += column_is_valid(c, r);
        }
        sort_keys(keys, n, tmp);
        size_t u = 0;
        for (size_t i = 0; i < n; i++)
            if (u == 0 || keys[u - 1] != keys[i]) keys[u++] = keys[i];
        if ((s = set_new(0, u, 0)) != NULL) {
            for (size_t i = 0; i < u; i++)
                s->ints[i] = (int64_t)(keys[i] ^ SIGN_BIT);
            s->n = u;
        }
    }
    if (keys) kpi_array_free(keys);
    if (tmp) kpi_array_free(tmp);
    if (!s) oom(err);
    return s;
}

idset *idset_from_column(const table *t, const selection *sel, int col, kpi_error *err)
{
    if (col < 0 || (size_t)col >= t->ncols) {
        kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "no column number %d in '%s'", col, t->name);
        return NULL;
    }
    const column *c = &t->cols[col];
    if (c->type == COL_STRING) return from_strings(sel, c, err);
    if (c->type == COL_FLOAT64 || c->type == COL_DECIMAL) {
        kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0,
                      "column '%s' holds %s numbers; ids must be text or whole numbers", c->name,
                      table_type_name(c->type));
        return NULL;
    }
    return from_ints(sel, c, err);
}

static size_t str_len(const idset *s, size_t i)
{
    return s->off[i + 1] - s->off[i] - 1;
}

/* Order of element i of a and element j of b (same kind). */
static int compare_at(const idset *a, size_t i, const idset *b, size_t j)
{
    if (!a->strings) return (a->ints[i] > b->ints[j]) - (a->ints[i] < b->ints[j]);
    size_t la = str_len(a, i), lb = str_len(b, j);
    int c = memcmp(a->text + a->off[i], b->text + b->off[j], la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static void emit(idset *out, const idset *src, size_t i)
{
    if (out->strings)
        push_string(out, src->text + src->off[i], str_len(src, i));
    else
        out->ints[out->n++] = src->ints[i];
}

/* Two sets of the same dict, word by word. */
static idset *combine_codes(const idset *a, const idset *b, set_op op, kpi_error *err)
{
    uint32_t ncodes = a->ncodes > b->ncodes ? a->ncodes : b->ncodes;
    size_t words = (size_t)ncodes / 64 + 1;
    uint64_t *bits = kpi_array_alloc(words, sizeof *bits);
    if (!bits) return oom(err), NULL;
    for (size_t w = 0; w < words; w++) {
        uint64_t x = w <= a->ncodes / 64 ? a->bits[w] : 0, y = w <= b->ncodes / 64 ? b->bits[w] : 0;
        bits[w] = op == SET_DIFF ? x & ~y : op == SET_INTERSECT ? x & y : x | y;
    }
    idset *s = coded_new(a->dict, a->mapping, ncodes, bits);
    if (!s) oom(err);
    return s;
}

static idset *merge_written(const idset *a, const idset *b, set_op op, kpi_error *err);

static idset *merge(const idset *a, const idset *b, set_op op, kpi_error *err)
{
    if (a->strings != b->strings) {
        kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "cannot combine ids of text and number columns");
        return NULL;
    }
    if (a->dict && a->dict == b->dict) return combine_codes(a, b, op, err);
    if (!a->dict && !b->dict) return merge_written(a, b, op, err);
    idset *wa = a->dict ? written_out(a) : NULL, *wb = b->dict ? written_out(b) : NULL;
    idset *out = NULL;
    if ((a->dict && !wa) || (b->dict && !wb))
        oom(err);
    else
        out = merge_written(wa ? wa : a, wb ? wb : b, op, err);
    idset_free(wa);
    idset_free(wb);
    return out;
}

/* Difference, intersection or union of two written-out sets: one merge. */
static idset *merge_written(const idset *a, const idset *b, set_op op, kpi_error *err)
{
    size_t ba = a->strings ? a->off[a->n] : 0, bb = b->strings ? b->off[b->n] : 0;
    size_t n = op == SET_UNION ? a->n + b->n : op == SET_DIFF ? a->n : (a->n < b->n ? a->n : b->n);
    size_t bytes = op == SET_UNION ? ba + bb : op == SET_DIFF ? ba : (ba < bb ? ba : bb);
    idset *out = set_new(a->strings, n, bytes);
    if (!out) {
        oom(err);
        return NULL;
    }
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : compare_at(a, i, b, j);
        if (c < 0) {
            if (op != SET_INTERSECT) emit(out, a, i);
            i++;
        } else if (c > 0) {
            if (op == SET_UNION) emit(out, b, j);
            j++;
        } else {
            if (op != SET_DIFF) emit(out, a, i);
            i++, j++;
        }
    }
    return out;
}

idset *idset_diff(const idset *a, const idset *b, kpi_error *err)
{
    return merge(a, b, SET_DIFF, err);
}

idset *idset_intersect(const idset *a, const idset *b, kpi_error *err)
{
    return merge(a, b, SET_INTERSECT, err);
}

idset *idset_union(const idset *a, const idset *b, kpi_error *err)
{
    return merge(a, b, SET_UNION, err);
}

size_t idset_count(const idset *s)
{
    return s->n;
}

int idset_has_string(const idset *s, const char *key, size_t len)
{
    if (!s->strings) return 0;
    if (s->dict) {
        uint32_t code = dict_find(s->dict, key, len);
        return code != DICT_NONE && code < s->ncodes && (s->bits[code >> 6] >> (code & 63)) & 1;
    }
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, ml = str_len(s, mid);
        int c = memcmp(s->text + s->off[mid], key, ml < len ? ml : len);
        if (c == 0) c = (ml > len) - (ml < len);
        if (c == 0) return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int idset_has_int(const idset *s, long long key)
{
    if (s->strings) return 0;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ints[mid] == key) return 1;
        if (s->ints[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
