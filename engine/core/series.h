/*
** series.h -- small keyed series of numbers: the result of a grouped aggregate.
**
** A series maps text keys (group keys, see group_key_text) to numbers or "no value"
** (has[i] == 0). Keys are kept sorted by bytes and unique, so arithmetic between two
** series is a merge: the result has the union of their keys, and a key missing on
** either side, a null operand, a zero divisor or a non-finite result gives "no value"
** (never 0, never inf). A series owns its keys.
*/
#ifndef KPI_SERIES_H
#define KPI_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "group.h"
#include "kpi_error.h"
#include "table.h"

typedef struct series {
    size_t n;
    char **keys;  /* sorted, unique, NUL-terminated */
    double *vals;
    uint8_t *has; /* 1 = vals[i] is a value */
} series;

/* Empty series with room for n entries (keys NULL); NULL when out of memory. */
series *series_new(size_t n);
/* Series of a grouped aggregate: keys from group_key_text, values from out[]. */
series *series_from_groups(const table *t, const grouping *g, const agg_value *vals, kpi_error *err);
/* a op b aligned by key; op is one of + - * / . */
series *series_binop(const series *a, const series *b, char op, kpi_error *err);
/* a op x (or x op a when scalar_first) for every entry. */
series *series_scalar(const series *a, double x, char op, int scalar_first, kpi_error *err);
/* Index of key or -1. */
long series_find(const series *s, const char *key, size_t len);
/* The n entries with the largest values, largest first (no-value entries excluded). */
series *series_top(const series *s, size_t n, kpi_error *err);
/* Sum of the values present; *has = 0 when none is. */
double series_total(const series *s, int *has);
void series_free(series *s);

#endif
