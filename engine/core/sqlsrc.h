/*
** sqlsrc.h -- load a SQLite table or query result into a typed table.
**
** The database is opened read-only (never created) with a busy timeout. Column types
** come from the declaration when given, else from the values: all INTEGER -> int, any
** REAL -> float, TEXT that is all dates / timestamps (ISO or date_format) -> date /
** timestamp, TEXT otherwise -> string; NULL -> null. Errors name the database file
** and, for a value that does not fit, the result row and column.
*/
#ifndef KPI_SQLSRC_H
#define KPI_SQLSRC_H

#include <stddef.h>

#include "kpi_error.h"
#include "table.h"

typedef struct sqlsrc_options {
    const char *query;          /* a SELECT, or NULL to read `table` */
    const char *table;          /* a table name (quoted safely), used when query is NULL */
    const char *date_format;    /* NULL = ISO text dates */
    const column_decl *columns; /* declared types; others inferred */
    size_t ncolumns;
    int busy_timeout_ms;        /* default 5000 */
} sqlsrc_options;

void sqlsrc_options_init(sqlsrc_options *o);

/* Load; the table is named name. NULL + err on failure (file, query, type errors). */
table *sqlsrc_load(const char *path, const char *name, const sqlsrc_options *o, kpi_error *err);

#endif
