/*
** csv.h -- load a CSV file (RFC 4180) into a typed table.
**
** Accepted: quoted fields with "" escapes and embedded delimiters and newlines, CRLF
** or LF (mixed too), a UTF-8 byte-order mark, a last record with or without a final
** newline. Options: delimiter, decimal mark, date format, header row, declared column
** types; undeclared columns get their type inferred from all of their values:
** bool (true/false/yes/no), int, decimal (at most DECIMAL_MAX_SCALE fraction digits),
** float, date (ISO, or the date format), timestamp (ISO), else string.
** An empty unquoted field is null; a quoted empty field "" is an empty string in a
** string column and null elsewhere.
**
** The file is mapped (mmap) and parsed in parallel chunks split at record boundaries
** (correct with quoted newlines); per-chunk string dictionaries are merged.
**
** Errors name the file, the 1-based line and column (column in characters of that
** line) and say what is wrong: a ragged row ("expected 6 fields, found 5"), an
** unterminated quote, a value that does not fit its declared type, invalid UTF-8 in
** text, a NUL byte, an unreadable file. The loader never returns a partial table.
*/
#ifndef KPI_CSV_H
#define KPI_CSV_H

#include <stddef.h>

#include "kpi_error.h"
#include "table.h"

typedef struct csv_options {
    char delimiter;            /* default ',' */
    char decimal;              /* decimal mark, default '.' */
    const char *date_format;   /* NULL = ISO dates; else as date_parse_format ("%d/%m/%Y") */
    int header;                /* 1 (default): the first record names the columns; 0: c1, c2, ... */
    const column_decl *columns; /* declared types (by column name); others inferred */
    size_t ncolumns;
    int threads;               /* 0 (default) = one per online core */
} csv_options;

void csv_options_init(csv_options *o);

/* Load path; the table is named name (NULL: the file's base name without extension). NULL + err on failure. */
table *csv_load(const char *path, const char *name, const csv_options *o, kpi_error *err);
/* Load from memory; `file` is the name used in errors. */
table *csv_load_buffer(const char *file, const char *name, const char *data, size_t len,
                       const csv_options *o, kpi_error *err);

#endif
