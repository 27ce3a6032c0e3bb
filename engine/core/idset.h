/*
** idset.h -- sets of identifiers (customers, leads, accounts) and their algebra.
**
** An id set holds the distinct non-null values of an id column over a selection:
** integers (INT64, DATE, BOOL columns) or strings (STRING columns). A set of strings is
** a bitmap of the column's codes holding the column's dictionary, so it outlives the
** table it came from; sets of the same column combine bit by bit, and sets from
** different tables compare by value (their strings written out in byte order). Difference, intersection and union are linear
** merges. Mixing an integer set with a string set is an error: "C001" is never 1.
*/
#ifndef KPI_IDSET_H
#define KPI_IDSET_H

#include <stddef.h>

#include "kpi_error.h"
#include "select.h"
#include "table.h"

typedef struct idset idset;

/* The set of distinct non-null values of column col over sel. NULL + err on failure. */
idset *idset_from_column(const table *t, const selection *sel, int col, kpi_error *err);
/* a - b, a * b (intersection), a + b (union): new sets, NULL + err on failure. */
idset *idset_diff(const idset *a, const idset *b, kpi_error *err);
idset *idset_intersect(const idset *a, const idset *b, kpi_error *err);
idset *idset_union(const idset *a, const idset *b, kpi_error *err);
size_t idset_count(const idset *s);
/* Whether s holds the string key (string sets) / the integer key (integer sets). */
int idset_has_string(const idset *s, const char *key, size_t len);
int idset_has_int(const idset *s, long long key);
void idset_free(idset *s);

#endif
