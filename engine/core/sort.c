/*
** sort.c -- sorting 64-bit keys; see sort.h.
*/
#include "sort.h"

#include <stdlib.h>
#include <string.h>

/* Below this many keys qsort wins: radix pays 2048 counters per digit. */
#define RADIX_MIN 4096

static int cmp_keys(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void sort_keys(uint64_t *a, size_t n, uint64_t *tmp)
{
    if (n < RADIX_MIN) {
        qsort(a, n, sizeof *a, cmp_keys);
        return;
    }
    uint64_t any = 0, all = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++)
        any |= a[i], all &= a[i];
    uint64_t *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 11) {
        if ((((any ^ all) >> shift) & 2047) == 0) continue;
        size_t count[2048] = {0}, sum = 0;
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 2047]++;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 2047]++] = src[i];
        uint64_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
}
