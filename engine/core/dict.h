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
*/
#ifndef KPI_DICT_H
#define KPI_DICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct dict dict;

#define DICT_NONE UINT32_MAX /* "no such string" */

/* New empty dictionary; NULL when out of memory. */
dict *dict_new(void);
void dict_free(dict *d);

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
** Codes sorted by their strings' bytes (memcmp order, shorter first on a tie) and the
** inverse (rank[code] = position). NULL when out of memory. Owned by the dict.
*/
const uint32_t *dict_sorted(dict *d);
const uint32_t *dict_rank(dict *d);

#endif
