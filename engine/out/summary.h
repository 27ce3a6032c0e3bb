/*
** summary.h -- what `kpiengine inspect` prints about a loaded table: its size,
** how long it took to load, the memory its columns hold against the size of the
** file, and per column the type, nulls, distinct strings and the range of numbers
** and dates.
**
** The caller loads the table and times it (the CLI owns the clock and the file
** system); this module only looks at the columns and writes text.
*/
#ifndef KPI_SUMMARY_H
#define KPI_SUMMARY_H

#include <stddef.h>

#include "core/table.h"

typedef struct summary_source {
    const char *path;    /* the file as given on the command line */
    const char *detail;  /* what was read from it ("table orders", "query"); NULL for CSV */
    double file_bytes;   /* the file's size; < 0 when unknown */
    double load_seconds; /* wall-clock time of the load */
} summary_source;

typedef struct summary_column {
    size_t nulls;
    int has_distinct; /* string columns: number of distinct non-null values */
    size_t distinct;
    int has_range; /* numbers, dates and timestamps with a non-null value: min and max as text */
    char min[48];
    char max[48];
} summary_column;

/*
** Statistics of column col of t. Decimals print exactly at their scale, dates as
** YYYY-MM-DD, timestamps as YYYY-MM-DD HH:MM:SS, floats in shortest form.
** Returns 0, or -1 when out of memory.
*/
int summary_column_stats(const table *t, size_t col, summary_column *out);

/* The whole summary text (kpi_free it) and its length; NULL when out of memory. */
char *summary_render(const table *t, const summary_source *src, size_t *len);

#endif
