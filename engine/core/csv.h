/*
** csv.h -- load a CSV file (RFC 4180) into a typed table.
**
** Accepted: quoted fields with "" escapes and embedded delimiters and newlines, CRLF
** or LF (mixed too), a UTF-8 byte-order mark, a last record with or without a final
** newline. Options: delimiter, decimal mark, date format, header row, declared column
** types; undeclared columns get their type inferred from all of their values:
** bool (true/false/yes/no), int, decimal (at most DECIMAL_MAX_SCALE fraction digits),
** float, date (ISO, or the date format), timestamp (ISO), else string. A number too
** large for any float ("1e309") is an error wherever it stands, not text.
** An empty unquoted field is null; a quoted empty field "" is an empty string in a
** string column and null elsewhere. Empty values do not vote in inference; a column
** with no values at all is a string column of nulls. Inference never fails on another
** value: mixed kinds widen (int -> decimal -> float, date -> timestamp, otherwise string), an
** integer too large for int64 makes the column float, and so does a decimal column whose
** largest value would not fit int64 at the column's scale. Declared columns are checked:
** a value that does not fit is an error. Quoted values are inferred like unquoted ones.
** Blank lines (nothing between two line breaks) are skipped; with header = 0 the
** columns are named c1, c2, ... A file with no records is a table with no columns; a
** header alone gives 0 rows of string columns (or their declared types).
**
** The file is mapped (mmap) and parsed in parallel chunks split at record boundaries
** (correct with quoted newlines); per-chunk string dictionaries are merged so that
** codes follow the order of first appearance in the file, whatever the thread count:
** the table is the same for any `threads`.
**
** Errors name the file, the 1-based line and column (column in characters of that
** line) and say what is wrong: a ragged row ("expected 6 fields, found 5"), an
** unterminated quote, a value that does not fit its declared type, invalid UTF-8 in
** text, a NUL byte, an unreadable file. The column is where the offending field (or,
** for a record with too few fields, the record) starts. Of several errors, the first
** in the file is reported. The loader never returns a partial table.
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
    size_t min_chunk;          /* least bytes per parallel chunk; 0 (default) = 1 MiB, so small
                                  inputs use one thread. Tests set it low to split small inputs. */
    /*
    ** Which columns to load (NULL, the default: all). A column for which keep(name, arg)
    ** returns 0 is only tokenized: it is in the table with absent = 1 (no values, no
    ** dict), and its values are neither converted nor checked against a declared type.
    ** Record structure (field counts, quoting, NUL bytes) is checked for every column.
    */
    int (*keep)(const char *name, void *arg);
    void *keep_arg;
    /*
    ** Progress of a load from a file (NULL: none): progress(fraction, arg) is called on
    ** the caller's thread about every CSV_PROGRESS_SECONDS while values are read, with
    ** the share of the file read so far by the pass (0 <= fraction < 1; a column read
    ** again starts over), and once with 1.0 when the load ends, whatever the outcome.
    */
    void (*progress)(double fraction, void *arg);
    void *progress_arg;
    /*
    ** Bad rows (skip_bad_rows = 1): a record with the wrong number of fields, a value
    ** that does not fit its declared type, or text that is not UTF-8 (or holds a NUL
    ** byte) is left out instead of failing the load, and counted in *rejects (which
    ** must be set; free it with csv_rejects_free) with its line, column and reason.
    ** Quoting errors still fail the load: past an unterminated quote no record boundary
    ** can be trusted.
    */
    int skip_bad_rows;
    struct csv_rejects *rejects;
    /*
    ** When set, *read_twice is 1 after a load that dropped its one-pass read and read
    ** the text the two-pass way (see csv_scan.h: an error, chunks that did not chain, a
    ** bound that did not hold), else 0. Only how the table was built, never what it is.
    */
    int *read_twice;
} csv_options;

/* A row left out by skip_bad_rows: where the reason is, and the reason. */
typedef struct csv_reject {
    long line, column;
    char message[200];
} csv_reject;

#define CSV_MAX_REJECTS 10000 /* rows described in detail; all of them are counted */

typedef struct csv_rejects {
    size_t count;      /* rows left out */
    csv_reject *items; /* the first min(count, CSV_MAX_REJECTS), in file order */
    size_t nitems;
} csv_rejects;

void csv_rejects_free(csv_rejects *r);

#define CSV_PROGRESS_SECONDS 0.1

void csv_options_init(csv_options *o);

/* Load path; the table is named name (NULL: the file's base name without extension). NULL + err on failure. */
table *csv_load(const char *path, const char *name, const csv_options *o, kpi_error *err);
/* Load from memory; `file` is the name used in errors. */
table *csv_load_buffer(const char *file, const char *name, const char *data, size_t len,
                       const csv_options *o, kpi_error *err);

#endif
