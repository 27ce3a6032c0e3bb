/*
** table.h -- typed columnar tables, the engine's one data representation.
**
** A table is nrows rows of ncols typed columns. Each column is one contiguous array
** of its type, allocated once at its final size (kpi_array_alloc), plus an optional
** validity bitmap: bit i set means row i holds a value; a NULL bitmap means no nulls.
** A null slot's data is zero.
**
**   COL_INT64      int64_t
**   COL_FLOAT64    double
**   COL_DECIMAL    int64_t scaled by 10^scale (money: sums stay exact)
**   COL_DATE       int32_t days since 1970-01-01
**   COL_TIMESTAMP  int64_t seconds since 1970-01-01T00:00:00 (UTC, no zone)
**   COL_STRING     uint32_t code into the column's dict
**   COL_BOOL       uint8_t 0/1
**
** A table may name one time column (DATE or TIMESTAMP). time_sorted says whether it
** is non-decreasing over all rows with no nulls: then a period filter is a
** binary-searched row range instead of a scan.
**
** Row counts are limited to UINT32_MAX - 1 (selections store row numbers as uint32).
** The table owns its columns, their arrays, bitmaps and dictionaries.
*/
#ifndef KPI_TABLE_H
#define KPI_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "dict.h"
#include "kpi_error.h"

typedef enum col_type {
    COL_INT64,
    COL_FLOAT64,
    COL_DECIMAL,
    COL_DATE,
    COL_TIMESTAMP,
    COL_STRING,
    COL_BOOL
} col_type;

#define TABLE_MAX_ROWS (UINT32_MAX - 1u)
#define DECIMAL_MAX_SCALE 9

typedef struct column {
    char *name;
    col_type type;
    int scale; /* COL_DECIMAL: digits after the point (0..DECIMAL_MAX_SCALE) */
    union {
        int64_t *i64; /* INT64, DECIMAL, TIMESTAMP */
        double *f64;
        int32_t *date;
        uint32_t *code;   /* STRING, code_bytes 0 */
        uint8_t *code8;   /* STRING, code_bytes 1 */
        uint16_t *code16; /* STRING, code_bytes 2 */
        uint8_t *b;
        void *ptr;
    } v;
    uint64_t *valid; /* NULL = no nulls; else bit i of valid[i/64] set = row i has a value */
    size_t nnull;    /* number of null rows */
    dict *dict;      /* COL_STRING only */
    int absent;      /* 1: in the source but not loaded (csv_options.keep): no arrays, no dict */
    /*
    ** STRING: bytes per code. 0 is uint32_t codes (v.code), what table_add_column makes;
    ** a loader whose dict ended small stores them narrower, 1 (v.code8, up to 256
    ** strings) or 2 (v.code16, up to 65536): less memory to fill and to scan. Read
    ** codes with column_code(), or switch on code_bytes in a hot loop.
    */
    int code_bytes;
    struct table_mapping *mapping; /* non-NULL: arrays borrowed from a file mapping, see below */
} column;

/*
** A read-only file image that columns borrow their arrays from (the column cache maps
** a table's file and points v, valid and the dict image into it instead of copying).
** Each column with mapping set holds one reference and lets the arrays inside
** [addr, addr + size) alone; table_free releases the reference of every column whose
** v.ptr is still set, so code that moves a column's arrays elsewhere (setting v.ptr to
** NULL in the source) moves the reference with them. The last release unmaps.
** Code that replaces a column's array frees the old one with column_array_free().
*/
typedef struct table_mapping {
    void *addr;
    size_t size;
    size_t refs;
} table_mapping;

/* A mapping with no references yet; NULL when out of memory (addr is then not unmapped). */
table_mapping *table_mapping_new(void *addr, size_t size);
void table_mapping_retain(table_mapping *m);
/* Drop a reference: the last one unmaps addr and frees m. */
void table_mapping_release(table_mapping *m);
/* Free p, an array of c (kpi_array_free), unless it lies in c's mapping. */
void column_array_free(const column *c, void *p);

typedef struct table {
    char *name;
    size_t nrows;
    size_t ncols;
    column *cols;
    int time_col;    /* index of the time column, -1 when none */
    int time_sorted; /* 1 when the time column is non-decreasing with no nulls */
} table;

/* A declared column type, as a source's `columns = { amount = "decimal(2)" }` gives it. */
typedef struct column_decl {
    const char *name;
    col_type type;
    int scale; /* COL_DECIMAL: -1 = infer from the data */
} column_decl;

/* Name of a type as users write it ("int", "float", "decimal", "date", "timestamp", "string", "bool"). */
const char *table_type_name(col_type t);
/*
** Parse a declared type: "int", "float", "decimal" / "decimal(2)", "date", "timestamp",
** "string", "bool". Returns 0 and fills *t, *scale (-1 when the scale is left to
** inference); -1 when unknown.
*/
int table_type_parse(const char *s, col_type *t, int *scale);

/* New table with no columns and nrows rows; NULL when out of memory. Takes a copy of name. */
table *table_new(const char *name, size_t nrows);
void table_free(table *t);

/*
** Append a column of nrows values, zero-filled and all valid, and return it (NULL when
** out of memory). STRING columns get an empty dict. Takes a copy of name.
*/
column *table_add_column(table *t, const char *name, col_type type, int scale);
/* Index of the column named name, or -1. */
int table_find(const table *t, const char *name);

/* Mark row i of c null (allocating the bitmap on first use; -1 when out of memory). */
int column_set_null(column *c, size_t nrows, size_t i);
/* Whether row i of c holds a value. */
static inline int column_is_valid(const column *c, size_t i)
{
    return !c->valid || (c->valid[i >> 6] >> (i & 63)) & 1;
}
/* The string code of row i of a STRING column, whatever its width. */
static inline uint32_t column_code(const column *c, size_t i)
{
    return c->code_bytes == 1 ? c->v.code8[i] : c->code_bytes == 2 ? c->v.code16[i] : c->v.code[i];
}

/* Bytes per value of c in its array (narrow string codes included). */
size_t column_value_size(const column *c);
/* Value of row i as a double (decimals unscaled, dates in days, bools 0/1); 0 for null. */
double column_number(const column *c, size_t i);
/* Bytes held by the column's arrays (and dictionary). */
size_t column_memory(const column *c, size_t nrows);
/* Bytes held by the whole table. */
size_t table_memory(const table *t);

/*
** Choose the time column: it must exist and be DATE or TIMESTAMP (convert text first,
** see date.h). Computes time_sorted. Returns 0, or -1 with err filled.
*/
int table_set_time(table *t, const char *name, kpi_error *err);

/* 10^scale as an int64 (scale 0..18). */
int64_t table_pow10(int scale);

#endif
