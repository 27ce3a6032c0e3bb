/*
** csv_strmap.c -- the CSV loader's per-chunk string maps (see csv_scan.h).
**
** A string column costs one lookup per row, so the map is built for few cache misses:
** a slot holds the hash and the first 8 bytes of its string, which decide a match on
** their own for strings shorter than 8 bytes (text never holds NUL, so the zero
** padding marks the end). Strings are not copied when they can be pointed to in the
** input. A map may mirror a dict: every new string is interned there too, so the map's
** codes are the dict's codes and the dict is built while the chunk is read.
*/
#include "csv_scan.h"

#include "kpi_alloc.h"

#define MAP_MIN_SLOTS 256u
#define ARENA_BLOCK   (64u << 10)

typedef struct arena_block {
    struct arena_block *next;
    size_t used;
    char data[];
} arena_block;

int csv_strmap_init(csv_strmap *m, dict *mirror)
{
    memset(m, 0, sizeof *m);
    m->mirror = mirror;
    m->mask = MAP_MIN_SLOTS - 1;
    m->slots = kpi_array_calloc(MAP_MIN_SLOTS, sizeof *m->slots);
    return m->slots ? 0 : -1;
}

void csv_strmap_free(csv_strmap *m)
{
    for (arena_block *b = m->arena, *next; b; b = next) {
        next = b->next;
        kpi_free(b);
    }
    kpi_array_free(m->slots);
    kpi_array_free(m->text);
    kpi_array_free(m->meta);
    memset(m, 0, sizeof *m);
}

static int grow_slots(csv_strmap *m)
{
    uint32_t size = (m->mask + 1) * 2;
    csv_strslot *slots = kpi_array_calloc(size, sizeof *slots);
    if (!slots) return -1;
    for (uint32_t i = 0; i <= m->mask; i++) {
        csv_strslot sl = m->slots[i];
        if (!sl.code1) continue;
        uint32_t j = sl.hash & (size - 1);
        while (slots[j].code1)
            j = (j + 1) & (size - 1);
        slots[j] = sl;
    }
    kpi_array_free(m->slots);
    m->slots = slots;
    m->mask = size - 1;
    return 0;
}

/* A copy of s that lives as long as the map. */
static const char *keep(csv_strmap *m, const char *s, size_t len)
{
    arena_block *b = m->arena;
    if (!b || ARENA_BLOCK - b->used < len) {
        size_t size = len > ARENA_BLOCK ? len : ARENA_BLOCK;
        if (!(b = kpi_malloc(sizeof *b + size))) return NULL;
        b->next = m->arena;
        b->used = 0;
        m->arena = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    b->used += len;
    return p;
}

/* Add s as the next code at slot `at`; DICT_NONE when out of memory. */
static uint32_t add(csv_strmap *m, const char *s, size_t len, int stable, uint32_t at,
                    uint32_t hash, uint64_t prefix)
{
    if (m->count == m->cap) {
        uint32_t cap = m->cap ? m->cap * 2 : 64;
        const char **text = kpi_array_realloc(m->text, m->cap, cap, sizeof *text);
        if (!text) return DICT_NONE;
        m->text = text;
        csv_strmeta *meta = kpi_array_realloc(m->meta, m->cap, cap, sizeof *meta);
        if (!meta) return DICT_NONE;
        m->meta = meta;
        m->cap = cap;
    }
    uint32_t code = m->count;
    if (m->mirror) {
        if (dict_intern(m->mirror, s, len) != code) return DICT_NONE;
        s = dict_str(m->mirror, code); /* the dict's copy outlives the input */
    } else if (!stable && !(s = keep(m, s, len))) {
        return DICT_NONE;
    }
    m->text[code] = s;
    m->meta[code] = (csv_strmeta){.prefix = prefix, .hash = hash, .len = (uint32_t)len};
    m->slots[at] = (csv_strslot){.prefix = prefix, .hash = hash, .code1 = code + 1};
    m->count++;
    if ((uint64_t)m->count * 2 > (uint64_t)m->mask + 1 && grow_slots(m)) return DICT_NONE;
    return code;
}

uint32_t csv_strmap_intern_hashed(csv_strmap *m, const char *s, size_t len, int stable,
                                  uint32_t hash, uint64_t prefix)
{
    if (len >= UINT32_MAX || m->count >= DICT_NONE - 1) return DICT_NONE;
    for (uint32_t i = hash & m->mask;; i = (i + 1) & m->mask) {
        const csv_strslot *sl = &m->slots[i];
        if (!sl->code1) return add(m, s, len, stable, i, hash, prefix);
        if (sl->hash != hash || sl->prefix != prefix) continue;
        uint32_t code = sl->code1 - 1;
        if (len < 8) return code; /* the prefix held the whole string and its end */
        if (m->meta[code].len != len) continue;
        if (len == 8 || memcmp(m->text[code] + 8, s + 8, len - 8) == 0) return code;
    }
}

uint32_t csv_strmap_intern(csv_strmap *m, const char *s, size_t len, int stable)
{
    uint64_t prefix;
    uint32_t hash = csv_strmap_hash(s, len, s + len, &prefix);
    return csv_strmap_intern_hashed(m, s, len, stable, hash, prefix);
}
