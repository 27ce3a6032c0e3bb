/*
** dict.c -- string dictionary; see dict.h.
**
** Strings live in a chain of arena blocks (never moved, so pointers stay valid).
** An open-addressing table of codes, sized to a power of two at most half full,
** maps a string's hash to its code; each entry keeps the whole hash to skip most
** string comparisons. The table grows before an insert would make it more than half
** full, so a probe always ends at an empty slot (a full table would loop forever).
** At most DICT_MAX_STRINGS (2^30) strings, so the table (twice that many slots) and
** every index into it stay inside uint32 arithmetic.
*/
#define _GNU_SOURCE /* qsort_r */
#include "dict.h"

#include <string.h>

#include "kpi_alloc.h"

#define BLOCK_MIN        (64u << 10)
#define DICT_MAX_STRINGS (1u << 30)

typedef struct block {
    struct block *next;
    size_t used, size;
    char data[];
} block;

typedef struct slot {
    uint32_t code; /* DICT_NONE = empty */
    uint32_t hash;
} slot;

struct dict {
    uint32_t count, cap; /* strings; capacity of the per-code arrays */
    const char **str;    /* code -> string */
    uint32_t *len;       /* code -> length */
    slot *table;
    uint32_t mask; /* table size - 1 */
    block *blocks;
    size_t bytes; /* arena bytes allocated */
    uint32_t *sorted, *rank;
    uint32_t sorted_count; /* count when sorted/rank were built */
};

static uint32_t hash_bytes(const char *s, size_t len)
{
    /* FNV-1a, folded: strings here are short ids and labels. */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return (uint32_t)(h ^ (h >> 32));
}

dict *dict_new(void)
{
    dict *d = kpi_calloc(1, sizeof *d);
    if (!d) return NULL;
    d->mask = 63;
    d->table = kpi_malloc((d->mask + 1) * sizeof *d->table);
    if (!d->table) {
        kpi_free(d);
        return NULL;
    }
    for (uint32_t i = 0; i <= d->mask; i++)
        d->table[i].code = DICT_NONE;
    return d;
}

void dict_free(dict *d)
{
    if (!d) return;
    for (block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        kpi_free(b);
    }
    kpi_free(d->str);
    kpi_free(d->len);
    kpi_free(d->table);
    kpi_free(d->sorted);
    kpi_free(d->rank);
    kpi_free(d);
}

static uint32_t lookup(const dict *d, const char *s, size_t len, uint32_t h, uint32_t *where)
{
    uint32_t i = h & d->mask;
    for (;;) {
        const slot *sl = &d->table[i];
        if (sl->code == DICT_NONE) break;
        if (sl->hash == h && d->len[sl->code] == len && memcmp(d->str[sl->code], s, len) == 0) {
            *where = i;
            return sl->code;
        }
        i = (i + 1) & d->mask;
    }
    *where = i;
    return DICT_NONE;
}

uint32_t dict_find(const dict *d, const char *s, size_t len)
{
    uint32_t where;
    return lookup(d, s, len, hash_bytes(s, len), &where);
}

static int grow_table(dict *d)
{
    uint32_t size = (d->mask + 1) * 2;
    slot *t = kpi_malloc((size_t)size * sizeof *t);
    if (!t) return -1;
    for (uint32_t i = 0; i < size; i++)
        t[i].code = DICT_NONE;
    for (uint32_t i = 0; i <= d->mask; i++) {
        slot sl = d->table[i];
        if (sl.code == DICT_NONE) continue;
        uint32_t j = sl.hash & (size - 1);
        while (t[j].code != DICT_NONE)
            j = (j + 1) & (size - 1);
        t[j] = sl;
    }
    kpi_free(d->table);
    d->table = t;
    d->mask = size - 1;
    return 0;
}

static char *arena_copy(dict *d, const char *s, size_t len)
{
    block *b = d->blocks;
    if (!b || b->size - b->used < len + 1) {
        size_t size = len + 1 > BLOCK_MIN ? len + 1 : BLOCK_MIN;
        if (d->bytes / 2 > size) size = d->bytes / 2; /* geometric: few blocks for big dicts */
        b = kpi_malloc(sizeof *b + size);
        if (!b) return NULL;
        b->used = 0;
        b->size = size;
        b->next = d->blocks;
        d->blocks = b;
        d->bytes += size;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += len + 1;
    return p;
}

/* Room for one more code in the per-code arrays; -1 when out of memory (nothing changed). */
static int reserve_code(dict *d)
{
    if (d->count < d->cap) return 0;
    uint32_t cap = d->cap ? d->cap * 2 : 64; /* cap <= DICT_MAX_STRINGS: no wrap */
    const char **str = kpi_realloc(d->str, (size_t)cap * sizeof *str);
    if (!str) return -1;
    d->str = str;
    uint32_t *lens = kpi_realloc(d->len, (size_t)cap * sizeof *lens);
    if (!lens) return -1; /* str is bigger but cap unchanged: still consistent */
    d->len = lens;
    d->cap = cap;
    return 0;
}

uint32_t dict_intern(dict *d, const char *s, size_t len)
{
    uint32_t h = hash_bytes(s, len), where;
    uint32_t code = lookup(d, s, len, h, &where);
    if (code != DICT_NONE) return code;
    if (d->count >= DICT_MAX_STRINGS || len > UINT32_MAX || reserve_code(d) != 0) return DICT_NONE;
    /* Grow first: on failure nothing is added and the table stays at most half full. */
    if ((uint64_t)(d->count + 1) * 2 > (uint64_t)d->mask + 1) {
        if (grow_table(d) != 0) return DICT_NONE;
        lookup(d, s, len, h, &where); /* the empty slot moved with the table */
    }
    char *copy = arena_copy(d, s, len);
    if (!copy) return DICT_NONE;
    code = d->count++;
    d->str[code] = copy;
    d->len[code] = (uint32_t)len;
    d->table[where].code = code;
    d->table[where].hash = h;
    return code;
}

const char *dict_str(const dict *d, uint32_t code)
{
    return code < d->count ? d->str[code] : NULL;
}

size_t dict_len(const dict *d, uint32_t code)
{
    return code < d->count ? d->len[code] : 0;
}

uint32_t dict_count(const dict *d)
{
    return d->count;
}

size_t dict_memory(const dict *d)
{
    return sizeof *d + d->bytes + (size_t)d->cap * (sizeof *d->str + sizeof *d->len) +
           (size_t)(d->mask + 1) * sizeof *d->table;
}

static int cmp_codes(const void *a, const void *b, void *ctx)
{
    const dict *sort_dict = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    size_t lx = sort_dict->len[x], ly = sort_dict->len[y];
    int c = memcmp(sort_dict->str[x], sort_dict->str[y], lx < ly ? lx : ly);
    if (c) return c;
    return (lx > ly) - (lx < ly);
}

static int build_order(dict *d)
{
    if (d->sorted && d->sorted_count == d->count) return 0;
    size_t n = d->count ? d->count : 1;
    uint32_t *sorted = kpi_malloc(n * sizeof *sorted);
    uint32_t *rank = kpi_malloc(n * sizeof *rank);
    if (!sorted || !rank) {
        kpi_free(sorted);
        kpi_free(rank);
        return -1;
    }
    for (uint32_t i = 0; i < d->count; i++)
        sorted[i] = i;
    qsort_r(sorted, d->count, sizeof *sorted, cmp_codes, d);
    for (uint32_t i = 0; i < d->count; i++)
        rank[sorted[i]] = i;
    kpi_free(d->sorted);
    kpi_free(d->rank);
    d->sorted = sorted;
    d->rank = rank;
    d->sorted_count = d->count;
    return 0;
}

const uint32_t *dict_sorted(dict *d)
{
    return build_order(d) == 0 ? d->sorted : NULL;
}

const uint32_t *dict_rank(dict *d)
{
    return build_order(d) == 0 ? d->rank : NULL;
}
