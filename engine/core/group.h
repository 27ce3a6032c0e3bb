/*
** group.h -- grouping the rows of a selection by one or two key columns.
**
** Groups are numbered 0..ngroups-1 in ascending key order (strings by bytes, numbers
** and dates ascending, false before true, a null key first), so output is stable.
** String keys are grouped by dictionary code through arrays indexed by code (no
** string hashing per row); other key types through an integer hash table.
** Float columns cannot be keys (equality of floats is not a grouping a person means).
*/
#ifndef KPI_GROUP_H
#define KPI_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "kpi_error.h"
#include "select.h"
#include "table.h"

#define GROUP_MAX_KEYS 2

typedef struct grouping {
    size_t ngroups;
    uint32_t *gid;       /* gid[i] = group of the i-th row of the selection (n entries) */
    uint32_t *first_row; /* first_row[g] = a table row of group g (its keys are read from it) */
    int nkeys;
    int key_cols[GROUP_MAX_KEYS];
} grouping;

/* Group sel's rows by ncols (1 or 2) columns. Fills *g (free with group_free). 0 or -1 + err. */
int group_build(const table *t, const selection *sel, const int *cols, int ncols, grouping *g,
                kpi_error *err);
void group_free(grouping *g);

/*
** The key of group g as text: key column values joined by "|" (strings as is, dates
** YYYY-MM-DD, timestamps "YYYY-MM-DD HH:MM:SS", decimals with their scale, bools
** true/false, null as ""). Writes at most size bytes (NUL-terminated); returns the
** length the full text needs, like snprintf.
*/
size_t group_key_text(const table *t, const grouping *g, size_t group, char *buf, size_t size);

#endif
