/*
** dict.c -- string dictionary; see dict.h.
**
** Strings live in a chain of arena blocks (never moved, so pointers stay valid).
** An open-addressing table, sized to a power of two at most half full (three quarters
** once it is big: fresh memory costs more than a longer probe in cached lines), maps a
** string to its code. A slot keeps the string's hash and its first 8 bytes, and says whether
** the string is "long" (over 8 bytes, or holding a NUL): a short string is then found
** from its slot alone, without touching the string, which is what makes a dict fast
** enough to be a CSV loader's map from field text to code. The table grows before an
** insert would fill it past that, so a probe always ends at an empty slot (a full table
** would loop forever). At most DICT_MAX_STRINGS (2^30) strings, so the table
** (twice that many slots) and every index into it stay inside uint32 arithmetic.
*/
#define _GNU_SOURCE /* qsort_r */
#include "dict.h"

#include <string.h>

#include "kpi_alloc.h"

#define BLOCK_MIN        (64u << 10)
#define DICT_MAX_STRINGS (1u << 30)
#define SLOT_LONG        (1u << 31) /* in code1: compare the whole string */
#define MERGE_AHEAD      16         /* strings whose slots are prefetched ahead when merging */
#define BIG_TABLE        (1u << 16) /* slots from which a table may be three quarters full */

typedef struct block {
    struct block *next;
    size_t used, size;
    char data[];
} block;

typedef struct slot {
    uint64_t prefix; /* first 8 bytes, zero-padded */
    uint32_t hash;
    uint32_t code1; /* code + 1, | SLOT_LONG; 0 = empty */
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
    /* An image dict (dict_from_image) borrows len and table from its caller and has no str:
       its strings are base + offs[code], in nbytes. It takes copies before its first change.
       An image is not trusted: its reads are clamped to its memory (see lookup_image). */
    const char *base;
    const uint64_t *offs;
    size_t nbytes;
    uint32_t holders; /* dict_retain calls not yet matched by a dict_free */
};

/* The string of a code, in both representations. */
static inline const char *str_of(const dict *d, uint32_t code)
{
    if (!d->offs) return d->str[code];
    return d->offs[code] < d->nbytes ? d->base + d->offs[code] : "";
}

/* The length of a code's string; an image's never reaches past its bytes. */
static inline uint32_t len_of(const dict *d, uint32_t code)
{
    if (!d->offs) return d->len[code];
    uint64_t off = d->offs[code];
    if (off >= d->nbytes) return 0;
    return d->len[code] < d->nbytes - off ? d->len[code] : (uint32_t)(d->nbytes - off - 1);
}

/* Whether a table of `slots` slots is too small for `strings` strings. */
static int too_full(uint64_t strings, uint64_t slots)
{
    return slots < BIG_TABLE ? strings * 2 > slots : strings * 4 > slots * 3;
}

dict *dict_new(void)
{
    dict *d = kpi_calloc(1, sizeof *d);
    if (!d) return NULL;
    d->mask = 63;
    d->table = kpi_array_calloc(d->mask + 1, sizeof *d->table);
    if (!d->table) {
        kpi_free(d);
        return NULL;
    }
    return d;
}

void dict_retain(dict *d)
{
    d->holders++;
}

void dict_free(dict *d)
{
    if (!d) return;
    if (d->holders) { /* someone else still holds it */
        d->holders--;
        return;
    }
    if (d->offs) { /* an image: only the sort order is ours */
        kpi_free(d->sorted);
        kpi_free(d->rank);
        kpi_free(d);
        return;
    }
    for (block *b = d->blocks, *next; b; b = next) {
        next = b->next;
        kpi_free(b);
    }
    kpi_free(d->str);
    kpi_free(d->len);
    kpi_array_free(d->table);
    kpi_free(d->sorted);
    kpi_free(d->rank);
    kpi_free(d);
}

/* SLOT_LONG when s is compared in full: over 8 bytes, or a NUL the prefix would hide. */
static uint32_t long_flag(const char *s, size_t len, uint64_t prefix)
{
    if (len > 8) return SLOT_LONG;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t zero = (prefix - ones) & ~prefix & (ones << 7); /* the lowest set bit is exact */
    (void)s;
    return zero && (size_t)(__builtin_ctzll(zero) >> 3) < len ? SLOT_LONG : 0;
#else
    (void)prefix;
    return memchr(s, 0, len) ? SLOT_LONG : 0;
#endif
}

/*
** lookup() for an image, whose table was not verified: at most one pass over the table,
** codes checked against count. *where is UINT32_MAX when no empty slot was found.
*/
static uint32_t lookup_image(const dict *d, const char *s, size_t len, dict_key k, uint32_t flag,
                             uint32_t *where)
{
    *where = UINT32_MAX;
    for (uint32_t i = k.hash & d->mask, n = 0; n <= d->mask; i = (i + 1) & d->mask, n++) {
        const slot *sl = &d->table[i];
        if (!sl->code1) {
            *where = i;
            return DICT_NONE;
        }
        uint32_t code = (sl->code1 & ~SLOT_LONG) - 1;
        if (sl->hash != k.hash || sl->prefix != k.prefix || (sl->code1 & SLOT_LONG) != flag ||
            code >= d->count)
            continue;
        if (!flag || (len_of(d, code) == len && memcmp(str_of(d, code), s, len) == 0)) {
            *where = i;
            return code;
        }
    }
    return DICT_NONE;
}

static uint32_t lookup(const dict *d, const char *s, size_t len, dict_key k, uint32_t flag,
                       uint32_t *where)
{
    if (d->offs) return lookup_image(d, s, len, k, flag, where);
    for (uint32_t i = k.hash & d->mask;; i = (i + 1) & d->mask) {
        const slot *sl = &d->table[i];
        if (!sl->code1) {
            *where = i;
            return DICT_NONE;
        }
        if (sl->hash != k.hash || sl->prefix != k.prefix || (sl->code1 & SLOT_LONG) != flag)
            continue;
        uint32_t code = (sl->code1 & ~SLOT_LONG) - 1;
        if (!flag || (d->len[code] == len && memcmp(str_of(d, code), s, len) == 0)) {
            *where = i;
            return code;
        }
    }
}

uint32_t dict_find(const dict *d, const char *s, size_t len)
{
    uint32_t where;
    dict_key k = dict_hash(s, len, s + len);
    return lookup(d, s, len, k, long_flag(s, len, k.prefix), &where);
}

void dict_prefetch(const dict *d, uint32_t hash)
{
    __builtin_prefetch(&d->table[hash & d->mask]);
}

/* Rehash into a table of `size` slots (a power of two, not too_full for the strings). */
static int resize_table(dict *d, uint32_t size)
{
    slot *t = kpi_array_alloc(size, sizeof *t);
    if (!t) return -1;
    kpi_populate(t, (size_t)size * sizeof *t);
    memset(t, 0, (size_t)size * sizeof *t);
    for (uint32_t i = 0; i <= d->mask; i++) {
        slot sl = d->table[i];
        if (!sl.code1) continue;
        uint32_t j = sl.hash & (size - 1);
        while (t[j].code1)
            j = (j + 1) & (size - 1);
        t[j] = sl;
    }
    kpi_array_free(d->table);
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
        kpi_populate(b, sizeof *b + size);
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

static int grow_table(dict *d)
{
    return resize_table(d, (d->mask + 1) * 2);
}

/*
** A copy of the first `used` bytes of p in a new block of `bytes` (p is freed), or NULL
** when out of memory (p is kept). Unlike realloc, the new block's pages are mapped at once
** before the copy touches them (see kpi_populate).
*/
static void *grow_block(void *p, size_t used, size_t bytes)
{
    void *q = kpi_malloc(bytes);
    if (!q) return NULL;
    kpi_populate(q, bytes);
    if (used) memcpy(q, p, used);
    kpi_free(p);
    return q;
}

/* Per-code arrays for cap codes; -1 when out of memory (still consistent). */
static int resize_codes(dict *d, uint32_t cap)
{
    const char **str =
        grow_block(d->str, (size_t)d->count * sizeof *str, (size_t)cap * sizeof *str);
    if (!str) return -1;
    d->str = str;
    uint32_t *lens =
        grow_block(d->len, (size_t)d->count * sizeof *lens, (size_t)cap * sizeof *lens);
    if (!lens) return -1; /* str is bigger but cap unchanged: still consistent */
    d->len = lens;
    d->cap = cap;
    return 0;
}

/* Room for one more code in the per-code arrays; -1 when out of memory (nothing changed). */
static int reserve_code(dict *d)
{
    if (d->count < d->cap) return 0;
    return resize_codes(d, d->cap ? d->cap * 2 : 64); /* cap <= DICT_MAX_STRINGS: no wrap */
}

/*
** Give an image its own per-code arrays and table before its first change (its strings
** stay where they are: they never move). -1 when out of memory: still an unchanged image.
*/
static int own_image(dict *d)
{
    uint32_t cap = d->count ? d->count : 1;
    size_t slots = (size_t)d->mask + 1;
    const char **str = kpi_malloc((size_t)cap * sizeof *str);
    uint32_t *lens = kpi_malloc((size_t)cap * sizeof *lens);
    slot *t = kpi_array_alloc(slots, sizeof *t);
    if (!str || !lens || !t) {
        kpi_free(str);
        kpi_free(lens);
        kpi_array_free(t);
        return -1;
    }
    for (uint32_t i = 0; i < d->count; i++) {
        str[i] = str_of(d, i);
        lens[i] = len_of(d, i);
    }
    memcpy(t, d->table, slots * sizeof *t);
    d->str = str;
    d->len = lens;
    d->table = t;
    d->cap = cap;
    d->base = NULL;
    d->offs = NULL;
    return 0;
}

uint64_t dict_image_layout(void)
{
    static const char probe[] = "dictionary image layout probe, long";
    uint64_t h = 0x6469637431ull ^ ((uint64_t)sizeof(slot) << 40) ^ ((uint64_t)BIG_TABLE << 8);
    /* Any change to the hash or the slot's contents changes one of these. */
    for (size_t len = 0; len < sizeof probe; len += 7) {
        dict_key k = dict_hash(probe, len, probe + len);
        h = (h ^ k.prefix ^ ((uint64_t)k.hash << 32) ^ long_flag(probe, len, k.prefix)) *
            0x9E3779B97F4A7C15ull;
        h ^= h >> 31;
    }
    return h;
}

const void *dict_image_table(const dict *d, size_t *bytes)
{
    *bytes = ((size_t)d->mask + 1) * sizeof *d->table;
    return d->table;
}

int dict_image_check(uint32_t count, size_t table_bytes)
{
    size_t slots = table_bytes / sizeof(slot);
    if (table_bytes % sizeof(slot) || slots < 64 || slots > ((size_t)1 << 31) ||
        (slots & (slots - 1)) || count > DICT_MAX_STRINGS || too_full(count, slots))
        return -1;
    return 0;
}

dict *dict_from_image(uint32_t count, const char *base, size_t nbytes, const uint64_t *offsets,
                      const uint32_t *lens, const void *table, size_t table_bytes)
{
    static const uint64_t no_offsets[1];
    if (dict_image_check(count, table_bytes) != 0) return NULL;
    dict *d = kpi_calloc(1, sizeof *d);
    if (!d) return NULL;
    d->count = count;
    d->base = base;
    d->nbytes = nbytes;
    d->offs = count ? offsets : no_offsets; /* non-NULL: marks the image */
    d->len = (uint32_t *)lens;              /* never written while an image */
    d->table = (slot *)table;
    d->mask = (uint32_t)(table_bytes / sizeof(slot) - 1);
    return d;
}

uint32_t dict_intern_key(dict *d, const char *s, size_t len, dict_key k)
{
    uint32_t flag = long_flag(s, len, k.prefix), where;
    uint32_t code = lookup(d, s, len, k, flag, &where);
    if (code != DICT_NONE) return code;
    if (d->offs && (where == UINT32_MAX || own_image(d) != 0)) return DICT_NONE;
    if (d->count >= DICT_MAX_STRINGS || len > UINT32_MAX || reserve_code(d) != 0) return DICT_NONE;
    /* Grow first: on failure nothing is added and the table never fills past its load. */
    if (too_full((uint64_t)d->count + 1, (uint64_t)d->mask + 1)) {
        if (grow_table(d) != 0) return DICT_NONE;
        lookup(d, s, len, k, flag, &where); /* the empty slot moved with the table */
    }
    char *copy = arena_copy(d, s, len);
    if (!copy) return DICT_NONE;
    code = d->count++;
    d->str[code] = copy;
    d->len[code] = (uint32_t)len;
    d->table[where] = (slot){.prefix = k.prefix, .hash = k.hash, .code1 = (code + 1) | flag};
    return code;
}

uint32_t dict_intern(dict *d, const char *s, size_t len)
{
    return dict_intern_key(d, s, len, dict_hash(s, len, s + len));
}

int dict_merge(dict *d, const dict *from, uint32_t *remap)
{
    dict_key ahead[MERGE_AHEAD];
    uint32_t n = from->count;
    for (uint32_t i = 0; i < n && i < MERGE_AHEAD; i++)
        ahead[i] = dict_hash(str_of(from, i), len_of(from, i), str_of(from, i) + len_of(from, i));
    for (uint32_t i = 0; i < n; i++) {
        dict_key k = ahead[i % MERGE_AHEAD];
        uint32_t next = i + MERGE_AHEAD;
        if (next < n) {
            const char *s = str_of(from, next);
            ahead[i % MERGE_AHEAD] = dict_hash(s, len_of(from, next), s + len_of(from, next));
            dict_prefetch(d, ahead[i % MERGE_AHEAD].hash);
        }
        remap[i] = dict_intern_key(d, str_of(from, i), len_of(from, i), k);
        if (remap[i] == DICT_NONE) return -1;
    }
    return 0;
}

const char *dict_str(const dict *d, uint32_t code)
{
    return code < d->count ? str_of(d, code) : NULL;
}

size_t dict_len(const dict *d, uint32_t code)
{
    return code < d->count ? len_of(d, code) : 0;
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
    size_t lx = len_of(sort_dict, x), ly = len_of(sort_dict, y);
    int c = memcmp(str_of(sort_dict, x), str_of(sort_dict, y), lx < ly ? lx : ly);
    if (c) return c;
    return (lx > ly) - (lx < ly);
}

/* A string's first 8 bytes, zero-padded, as a number that orders like the bytes. */
static uint64_t prefix_key(const char *s, size_t len)
{
    uint64_t k = 0;
    for (size_t i = 0; i < 8; i++)
        k = k << 8 | (i < len ? (unsigned char)s[i] : 0);
    return k;
}

typedef struct prefixed {
    uint64_t key;
    uint32_t code;
} prefixed;

/*
** Sort the codes of d by their strings into sorted: a radix sort on the first 8 bytes
** (passes over a byte all keys share are skipped), then a comparison sort of each run
** of equal prefixes only. Ids like "C1234567" are then ordered without one string
** comparison. -1 when out of memory.
*/
static int sort_codes(const dict *d, uint32_t *sorted)
{
    size_t n = d->count;
    prefixed *a = kpi_malloc((n ? n : 1) * sizeof *a), *b = kpi_malloc((n ? n : 1) * sizeof *b);
    if (!a || !b) {
        kpi_free(a);
        kpi_free(b);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        a[i] = (prefixed){prefix_key(str_of(d, i), len_of(d, i)), i};
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i].key >> shift) & 0xff) + 1]++;
        if (n == 0 || count[((a[0].key >> shift) & 0xff) + 1] == n) continue; /* one byte value */
        for (int k = 0; k < 256; k++)
            count[k + 1] += count[k];
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].key >> shift) & 0xff]++] = a[i];
        prefixed *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = a[i].code;
    for (size_t i = 0, j; i < n; i = j) { /* equal prefixes: compare the whole strings */
        for (j = i + 1; j < n && a[j].key == a[i].key; j++)
            ;
        if (j - i > 1) qsort_r(sorted + i, j - i, sizeof *sorted, cmp_codes, (void *)d);
    }
    kpi_free(a);
    kpi_free(b);
    return 0;
}

static int build_order(dict *d)
{
    if (d->sorted && d->sorted_count == d->count) return 0;
    size_t n = d->count ? d->count : 1;
    uint32_t *sorted = kpi_malloc(n * sizeof *sorted);
    uint32_t *rank = kpi_malloc(n * sizeof *rank);
    if (!sorted || !rank || sort_codes(d, sorted)) {
        kpi_free(sorted);
        kpi_free(rank);
        return -1;
    }
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
