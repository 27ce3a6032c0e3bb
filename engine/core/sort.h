/*
** sort.h -- sorting 64-bit keys, the step under median, quantile, count distinct and
** id sets. Callers map their values to keys whose unsigned order is the order they
** want (e.g. int64 with the sign bit flipped).
*/
#ifndef KPI_SORT_H
#define KPI_SORT_H

#include <stddef.h>
#include <stdint.h>

/*
** Sort a[0..n) ascending. tmp must hold n keys; its contents are scratch. Large
** arrays: LSD radix sort, 11-bit digits, skipping the digits every key shares (ids and
** amounts use few of the 64 bits). Small ones: qsort, as radix's fixed cost is its
** counters.
*/
void sort_keys(uint64_t *a, size_t n, uint64_t *tmp);

#endif
