/*
** group.c -- grouping by one or two key columns; see group.h.
**
** Each key column first gets a dense key id per selected row, numbered in ascending key
** order with a null key as id 0:
**   strings   mark the codes present in an array indexed by code, then number them
**             walking dict_sorted() (byte order) -- no string is hashed or compared
**             per row
**   others    an open-addressing int64 hash gives first-seen ids; the distinct keys
**             are sorted once and the ids remapped to their rank
** Two keys combine as id1 * n2 + id2, which orders like the pair, and go through the
** same integer numbering. first_row[] is filled by one final pass.
*/
#include "group.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "kpi_alloc.h"

#define NULL_ID UINT32_MAX /* a null key while ids are provisional */

typedef struct int_hash {
    uint64_t *keys;
    uint32_t *ids;  /* provisional id (first-seen order); NULL_ID = empty slot */
    size_t mask;    /* slots - 1 (a power of two, at most half full) */
    uint64_t *uniq; /* uniq[id] = key */
    size_t n, cap;
} int_hash;

static int oom(kpi_error *err)
{
    return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
}

static int hash_init(int_hash *h, size_t slots)
{
    memset(h, 0, sizeof *h);
    h->mask = slots - 1;
    h->keys = kpi_malloc(slots * sizeof *h->keys);
    h->ids = kpi_malloc(slots * sizeof *h->ids);
    h->cap = slots / 2;
    h->uniq = kpi_malloc(h->cap * sizeof *h->uniq);
    if (!h->keys || !h->ids || !h->uniq) return -1;
    memset(h->ids, 0xff, slots * sizeof *h->ids);
    return 0;
}

static void hash_free(int_hash *h)
{
    kpi_free(h->keys);
    kpi_free(h->ids);
    kpi_free(h->uniq);
}

static size_t slot_of(uint64_t key, size_t mask)
{
    key ^= key >> 33; /* murmur3's finaliser: spreads dense keys over the slots */
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return (size_t)key & mask;
}

static int hash_grow(int_hash *h)
{
    int_hash big;
    if (hash_init(&big, (h->mask + 1) * 2) != 0) {
        hash_free(&big);
        return -1;
    }
    memcpy(big.uniq, h->uniq, h->n * sizeof *h->uniq);
    big.n = h->n;
    for (size_t id = 0; id < h->n; id++) {
        size_t s = slot_of(h->uniq[id], big.mask);
        while (big.ids[s] != NULL_ID)
            s = (s + 1) & big.mask;
        big.keys[s] = h->uniq[id];
        big.ids[s] = (uint32_t)id;
    }
    hash_free(h);
    *h = big;
    return 0;
}

/* Provisional id of key, adding it when new; NULL_ID when out of memory. */
static inline uint32_t hash_id(int_hash *h, uint64_t key)
{
    size_t s = slot_of(key, h->mask);
    for (;;) {
        if (h->ids[s] == NULL_ID) break;
        if (h->keys[s] == key) return h->ids[s];
        s = (s + 1) & h->mask;
    }
    if (h->n == h->cap) {
        if (hash_grow(h) != 0) return NULL_ID;
        return hash_id(h, key);
    }
    h->keys[s] = key;
    h->ids[s] = (uint32_t)h->n;
    h->uniq[h->n] = key;
    return (uint32_t)h->n++;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Turn provisional ids in kid[] into ranks of their keys (+1 when a null key exists). */
static int hash_rank(int_hash *h, uint32_t *kid, size_t n, int has_null, uint32_t *nk)
{
    uint64_t *sorted = kpi_malloc((h->n ? h->n : 1) * sizeof *sorted);
    uint32_t *final = kpi_malloc((h->n ? h->n : 1) * sizeof *final);
    if (!sorted || !final) {
        kpi_free(sorted);
        kpi_free(final);
        return -1;
    }
    memcpy(sorted, h->uniq, h->n * sizeof *sorted);
    qsort(sorted, h->n, sizeof *sorted, cmp_u64);
    for (size_t rank = 0; rank < h->n; rank++) {
        size_t s = slot_of(sorted[rank], h->mask);
        while (h->ids[s] == NULL_ID || h->keys[s] != sorted[rank])
            s = (s + 1) & h->mask;
        final[h->ids[s]] = (uint32_t)rank + (has_null != 0);
    }
    for (size_t i = 0; i < n; i++)
        kid[i] = kid[i] == NULL_ID ? 0 : final[kid[i]];
    *nk = (uint32_t)h->n + (has_null != 0);
    kpi_free(sorted);
    kpi_free(final);
    return 0;
}

/* Order-preserving map of a signed key onto unsigned (hash keys sort as uint64). */
#define ORDERED(x) ((uint64_t)(int64_t)(x) ^ ((uint64_t)1 << 63))

#define NUMBER_ROWS(LOAD)                                                                          \
    for (size_t i = 0; i < sel->n; i++) {                                                          \
        size_t r = selection_row(sel, i);                                                          \
        if (!column_is_valid(c, r)) {                                                              \
            kid[i] = NULL_ID;                                                                      \
            has_null = 1;                                                                          \
        } else if ((kid[i] = hash_id(&h, ORDERED(LOAD))) == NULL_ID) {                             \
            failed = 1;                                                                            \
            break;                                                                                 \
        }                                                                                          \
    }

static int ids_of_ints(const selection *sel, const column *c, uint32_t *kid, uint32_t *nk)
{
    int_hash h;
    int has_null = 0, failed = hash_init(&h, 1024) != 0;
    if (!failed) {
        switch (c->type) {
        case COL_DATE:
            NUMBER_ROWS(c->v.date[r]);
            break;
        case COL_BOOL:
            NUMBER_ROWS(c->v.b[r]);
            break;
        default:
            NUMBER_ROWS(c->v.i64[r]);
            break;
        }
    }
    if (!failed) failed = hash_rank(&h, kid, sel->n, has_null, nk) != 0;
    hash_free(&h);
    return failed ? -1 : 0;
}

static int ids_of_strings(const selection *sel, const column *c, uint32_t *kid, uint32_t *nk)
{
    uint32_t ncodes = dict_count(c->dict);
    const uint32_t *sorted = dict_sorted(c->dict);
    uint32_t *id_of = kpi_calloc((size_t)ncodes + 1, sizeof *id_of);
    if (!sorted || !id_of) {
        kpi_free(id_of);
        return -1;
    }
    int has_null = 0;
    for (size_t i = 0; i < sel->n; i++) {
        size_t r = selection_row(sel, i);
        int valid = column_is_valid(c, r);
        uint32_t code = column_code(c, r);
        kid[i] = valid ? code : NULL_ID;
        id_of[valid ? code : ncodes] = 1;
        has_null |= !valid;
    }
    uint32_t next = (uint32_t)has_null;
    for (uint32_t k = 0; k < ncodes; k++)
        if (id_of[sorted[k]]) id_of[sorted[k]] = next++;
    for (size_t i = 0; i < sel->n; i++)
        kid[i] = kid[i] == NULL_ID ? 0 : id_of[kid[i]];
    *nk = next;
    kpi_free(id_of);
    return 0;
}

/* Combine two key ids into kid1 (pair order), renumbered densely. */
static int combine(uint32_t *kid1, const uint32_t *kid2, size_t n, uint32_t nk2, uint32_t *nk)
{
    int_hash h;
    int failed = hash_init(&h, 1024) != 0;
    for (size_t i = 0; !failed && i < n; i++) {
        kid1[i] = hash_id(&h, (uint64_t)kid1[i] * nk2 + kid2[i]);
        failed = kid1[i] == NULL_ID;
    }
    if (!failed) failed = hash_rank(&h, kid1, n, 0, nk) != 0;
    hash_free(&h);
    return failed ? -1 : 0;
}

static int check_key(const table *t, int col, kpi_error *err)
{
    if (col < 0 || (size_t)col >= t->ncols)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "no column number %d in '%s'", col,
                             t->name);
    if (t->cols[col].type == COL_FLOAT64)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "cannot group by float column '%s'",
                             t->cols[col].name);
    return 0;
}

static int key_ids(const table *t, const selection *sel, int col, uint32_t *kid, uint32_t *nk)
{
    const column *c = &t->cols[col];
    return c->type == COL_STRING ? ids_of_strings(sel, c, kid, nk) : ids_of_ints(sel, c, kid, nk);
}

int group_build(const table *t, const selection *sel, const int *cols, int ncols, grouping *g,
                kpi_error *err)
{
    memset(g, 0, sizeof *g);
    if (ncols < 1 || ncols > GROUP_MAX_KEYS)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "group by 1 or 2 columns, not %d", ncols);
    for (int k = 0; k < ncols; k++) {
        if (check_key(t, cols[k], err) != 0) return -1;
        g->key_cols[k] = cols[k];
    }
    g->nkeys = ncols;
    size_t n = sel->n;
    uint32_t nk = 0, nk2 = 0, *kid2 = NULL;
    g->gid = kpi_array_alloc(n ? n : 1, sizeof *g->gid);
    int failed = !g->gid || key_ids(t, sel, cols[0], g->gid, &nk) != 0;
    if (!failed && ncols == 2) {
        kid2 = kpi_array_alloc(n ? n : 1, sizeof *kid2);
        failed = !kid2 || key_ids(t, sel, cols[1], kid2, &nk2) != 0 ||
                 combine(g->gid, kid2, n, nk2, &nk) != 0;
    }
    if (kid2) kpi_array_free(kid2);
    if (!failed) failed = !(g->first_row = kpi_malloc((nk ? nk : 1) * sizeof *g->first_row));
    if (failed) {
        group_free(g);
        return oom(err);
    }
    g->ngroups = nk;
    memset(g->first_row, 0xff, (nk ? nk : 1) * sizeof *g->first_row);
    for (size_t i = 0; i < n; i++)
        if (g->first_row[g->gid[i]] == UINT32_MAX)
            g->first_row[g->gid[i]] = (uint32_t)selection_row(sel, i);
    return 0;
}

void group_free(grouping *g)
{
    if (g->gid) kpi_array_free(g->gid);
    kpi_free(g->first_row);
    g->gid = g->first_row = NULL;
    g->ngroups = 0;
}

/* Text of row r of c, as group_key_text writes it, into buf (big enough: 40 bytes). */
static const char *value_text(const column *c, size_t r, char *buf, size_t *len)
{
    const char *s = buf;
    if (!column_is_valid(c, r))
        buf[0] = '\0';
    else if (c->type == COL_STRING) {
        *len = dict_len(c->dict, column_code(c, r));
        return dict_str(c->dict, column_code(c, r));
    } else if (c->type == COL_DATE)
        date_format_iso(c->v.date[r], buf);
    else if (c->type == COL_TIMESTAMP)
        date_format_timestamp(c->v.i64[r], buf);
    else if (c->type == COL_BOOL)
        s = c->v.b[r] ? "true" : "false";
    else if (c->type == COL_FLOAT64)
        snprintf(buf, 40, "%.17g", c->v.f64[r]);
    else if (c->type == COL_INT64 || c->scale == 0)
        snprintf(buf, 40, "%" PRId64, c->v.i64[r]);
    else {
        int64_t v = c->v.i64[r];
        uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, p = (uint64_t)table_pow10(c->scale);
        snprintf(buf, 40, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", mag / p, c->scale, mag % p);
    }
    *len = strlen(s);
    return s;
}

/* Append s[0..len) to the text so far (need bytes), truncating to size like snprintf. */
static void append(char *buf, size_t size, size_t *need, const char *s, size_t len)
{
    if (*need + 1 < size) {
        size_t room = size - 1 - *need;
        memcpy(buf + *need, s, len < room ? len : room);
    }
    *need += len;
}

size_t group_key_text(const table *t, const grouping *g, size_t group, char *buf, size_t size)
{
    size_t need = 0;
    for (int k = 0; k < g->nkeys && group < g->ngroups; k++) {
        char tmp[40];
        size_t len = 0;
        const char *s = value_text(&t->cols[g->key_cols[k]], g->first_row[group], tmp, &len);
        if (k > 0) append(buf, size, &need, "|", 1);
        append(buf, size, &need, s, len);
    }
    if (size) buf[need < size ? need : size - 1] = '\0';
    return need;
}
