/*
** dict.h -- a string dictionary: each distinct string gets a dense uint32 code.
**
** A string column stores codes, not text: group-by and count-distinct index arrays by
** code and never hash a string in a hot loop. Codes are assigned 0, 1, 2, ... in
** order of first interning and never change. Strings are kept NUL-terminated in one
** arena, so dict_str() pointers stay valid until dict_free() (the arena only grows by
** allocating new blocks, never by moving old ones).
**
** dict_sorted() returns the codes in byte order of their strings (built once, cached,
** invalidated by a later intern); dict_rank() the inverse. Both serve ordered
** comparisons and sorted id sets.
**
** A loader builds its string columns' dicts directly: dict_hash, dict_prefetch and
** dict_intern_key let it overlap the lookups of many fields, and dict_merge joins the
** dicts that parallel parts of a file built on their own, in order.
*/
#ifndef KPI_DICT_H
#define KPI_DICT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct dict dict;

#define DICT_NONE UINT32_MAX /* "no such string" */

/* New empty dictionary; NULL when out of memory. */
dict *dict_new(void);
/*
** dict_free releases one hold on d: the dictionary goes with the last one. A new dict
** has one; dict_retain adds another (an id set that outlives its table holds its dict).
*/
void dict_free(dict *d);
void dict_retain(dict *d);

/*
** Code of s[0..len), adding it when new. Returns DICT_NONE when out of memory (or past
** 2^30 distinct strings); the dictionary is then unchanged and still usable.
*/
uint32_t dict_intern(dict *d, const char *s, size_t len);
/* Code of s[0..len) or DICT_NONE when absent (never adds). */
uint32_t dict_find(const dict *d, const char *s, size_t len);
/* The string of a code (NUL-terminated; valid until dict_free) and its length. */
const char *dict_str(const dict *d, uint32_t code);
size_t dict_len(const dict *d, uint32_t code);
/* Number of distinct strings. */
uint32_t dict_count(const dict *d);
/* Bytes held by the dictionary (strings, offsets, hash table). */
size_t dict_memory(const dict *d);

/*
** For loaders that intern many strings: a field is hashed as it is read (dict_hash),
** its slot prefetched (dict_prefetch), and the string interned later with the same key
** (dict_intern_key), so the cache misses of many lookups overlap. dict_hash may load
** bytes up to `readable` past s + len (a word load instead of a short copy; pass s + len
** when nothing more is readable).
*/
typedef struct dict_key {
    uint64_t prefix; /* the first 8 bytes, zero-padded */
    uint32_t hash;
} dict_key;

static inline dict_key dict_hash(const char *s, size_t len, const char *readable)
{
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ull, w = 0;
    dict_key k;
    size_t i = 0, rest;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 29;
    }
    if (len >= 8) memcpy(&k.prefix, s, 8);
    rest = len - i;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (readable - (s + i) >= 8) {
        memcpy(&w, s + i, 8);
        w &= rest ? ~0ull >> (64 - 8 * rest) : 0;
    } else
#endif
    {
        (void)readable;
        w = 0;
        memcpy(&w, s + i, rest);
    }
    if (len < 8) k.prefix = w;
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 32;
    k.hash = (uint32_t)h;
    return k;
}

void dict_prefetch(const dict *d, uint32_t hash);
/* dict_intern with the key dict_hash gave for s. */
uint32_t dict_intern_key(dict *d, const char *s, size_t len, dict_key key);
/*
** Intern every string of `from` into d in code order and set remap[c] to the code in d
** of from's code c (remap has dict_count(from) entries). -1 when out of memory: the
** strings added so far stay, d is still usable.
*/
int dict_merge(dict *d, const dict *from, uint32_t *remap);

/*
** Codes sorted by their strings' bytes (memcmp order, shorter first on a tie) and the
** inverse (rank[code] = position). NULL when out of memory. Owned by the dict.
*/
const uint32_t *dict_sorted(dict *d);
const uint32_t *dict_rank(dict *d);

/*
** Images, for the column cache: a dict stored in a file is used in place, without
** rehashing a string. The image is the strings (each NUL-terminated, in code order,
** at base + offsets[code], in nbytes bytes), their lengths, and the hash table as
** dict_image_table() gives it. dict_image_layout() fingerprints the table's layout and
** hash function: an image stored under another fingerprint must not be used.
**
** dict_from_image() borrows all of that memory, which must outlive the dict and stay
** unchanged; it allocates only the dict itself. Lookups and sorting work on the image;
** the first dict_intern of a new string copies the lengths and the table (the strings
** stay borrowed). NULL when out of memory or when dict_image_check() fails.
** The image's contents need not be verified: a damaged one gives wrong strings or codes,
** but every read stays inside the image and a lookup always ends.
** dict_image_check() says (0 / -1) whether count strings fit a table of table_bytes.
*/
uint64_t dict_image_layout(void);
const void *dict_image_table(const dict *d, size_t *bytes);
int dict_image_check(uint32_t count, size_t table_bytes);
dict *dict_from_image(uint32_t count, const char *base, size_t nbytes, const uint64_t *offsets,
                      const uint32_t *lens, const void *table, size_t table_bytes);

#endif
