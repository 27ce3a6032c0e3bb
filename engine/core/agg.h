/*
** agg.h -- aggregation kernels and their registry.
**
** Each aggregate is one row of agg_builtins[] (as SQLite's aBuiltinFunc[]): its name,
** what it takes, a line of documentation and the kernel. The Lua bindings, the
** reference manual and `kpiengine check` all read this one table, so adding an
** aggregate is adding a row.
**
** A kernel makes one pass over the selected rows of one column and writes one result
** per group (one result when ungrouped). Semantics (SQL's, DuckDB's for quantiles):
**   count      rows (the column is ignored; never null, 0 over no rows)
**   sum        exact for int and decimal columns (overflow is an error, not a wrap),
**              Kahan-Babuska-Neumaier compensated for floats
**   avg        sum / count of non-null values
**              (a bool column counts as 0/1: its sum counts trues, its avg is their rate)
**   min, max   numbers; dates and timestamps as their day / second numbers
**   distinct   count of distinct non-null values (strings by dictionary code)
**   median     middle value, mean of the two middle ones for an even count
**   quantile   continuous, linear interpolation: q in [0, 1] (DuckDB's quantile_cont)
** Nulls are skipped by all but count; an aggregate over no non-null value is null.
*/
#ifndef KPI_AGG_H
#define KPI_AGG_H

#include <stddef.h>

#include "group.h"
#include "kpi_error.h"
#include "select.h"
#include "table.h"

typedef enum agg_kind {
    AGG_COUNT,
    AGG_SUM,
    AGG_AVG,
    AGG_MIN,
    AGG_MAX,
    AGG_DISTINCT,
    AGG_MEDIAN,
    AGG_QUANTILE,
    AGG_NKINDS
} agg_kind;

typedef struct agg_value {
    double value;
    int is_null;
} agg_value;

/*
** Kernel contract: compute over the rows of sel (grouped by g when g is not NULL,
** results in out[0..g->ngroups), else out[0]). col is ignored by count. fraction is
** quantile's q. Returns 0, or -1 with err (a column type the aggregate cannot take,
** overflow, out of memory).
*/
typedef int (*agg_kernel)(const table *t, const selection *sel, const grouping *g, int col,
                          double fraction, agg_value *out, kpi_error *err);

typedef struct agg_def {
    const char *name;      /* as called from Lua: "sum" */
    agg_kind kind;
    int takes_column;      /* 1 when the first argument is a column name */
    int takes_fraction;    /* 1 for quantile */
    const char *signature; /* "sum(column)" */
    const char *doc;       /* one sentence for the manual */
    agg_kernel kernel;
} agg_def;

extern const agg_def agg_builtins[AGG_NKINDS];

/* The aggregate named name, or NULL. */
const agg_def *agg_lookup(const char *name);

/* Run an aggregate: checks the column's type and the fraction, then calls the kernel. */
int agg_run(const table *t, const selection *sel, const grouping *g, agg_kind kind, int col,
            double fraction, agg_value *out, kpi_error *err);

#endif
