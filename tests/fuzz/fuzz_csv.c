/*
** fuzz_csv.c -- the CSV loader (engine/core/csv.h) on arbitrary bytes.
**
** The first input byte picks the options, the rest is the file:
**   bits 0-1  delimiter: ',' ';' '\t' '|'
**   bit  2    decimal mark ',' (only with a delimiter that is not ',')
**   bit  3    no header row (columns c1, c2, ...)
**   bit  4    date format "%d/%m/%Y"
**   bits 5-6  declared column types: none, or one of three sets (declare_sets below)
**   bit  7    load from a file (mmap path) instead of from memory
** The same text is loaded on one thread and split into small chunks on two: csv.h
** promises the same table (or the same first error) for any thread count, so any
** difference aborts, as a crash would. A failed load must fill the error.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/dict.h"
#include "core/table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Names cover both a header naming them and the c<n> names of header = 0. */
static const column_decl declare_sets[3][5] = {
    {{"a", COL_INT64, 0},
     {"b", COL_DECIMAL, 2},
     {"date", COL_DATE, 0},
     {"c1", COL_FLOAT64, 0},
     {"c2", COL_BOOL, 0}},
    {{"amount", COL_DECIMAL, -1},
     {"c", COL_TIMESTAMP, 0},
     {"c3", COL_STRING, 0},
     {"name", COL_STRING, 0},
     {"c1", COL_DATE, 0}},
    {{"x", COL_FLOAT64, 0},
     {"a", COL_BOOL, 0},
     {"c2", COL_DECIMAL, 0},
     {"c3", COL_INT64, 0},
     {"b", COL_DATE, 0}},
};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_csv: %s\n", what);
    abort();
}

static void options_from(uint8_t pick, csv_options *o)
{
    static const char delimiters[] = {',', ';', '\t', '|'};
    csv_options_init(o);
    o->delimiter = delimiters[pick & 3];
    if ((pick & 4) && o->delimiter != ',') o->decimal = ',';
    o->header = !(pick & 8);
    if (pick & 16) o->date_format = "%d/%m/%Y";
    int set = (pick >> 5) & 3;
    if (set) {
        o->columns = declare_sets[set - 1];
        o->ncolumns = 5;
    }
}

/* The text in a file of its own, for the mmap path; the path into buf, or NULL. */
static const char *write_temp(const char *text, size_t len, char *buf, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, size, "%s/fuzz_csv_%ld.csv", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    FILE *f = fopen(buf, "wb");
    if (!f) return NULL;
    size_t wrote = len ? fwrite(text, 1, len, f) : 0;
    if (fclose(f) != 0 || wrote != len) return NULL;
    return buf;
}

static table *load(const char *path, const char *text, size_t len, const csv_options *o,
                   kpi_error *err)
{
    kpi_error_clear(err);
    table *t =
        path ? csv_load(path, "t", o, err) : csv_load_buffer("f.csv", "t", text, len, o, err);
    if (!t && (err->kind == KPI_OK || err->message[0] == '\0')) fail("a failed load set no error");
    return t;
}

static int same_value(const column *a, const column *b, size_t i)
{
    switch (a->type) {
    case COL_FLOAT64:
        return memcmp(&a->v.f64[i], &b->v.f64[i], sizeof(double)) == 0;
    case COL_DATE:
        return a->v.date[i] == b->v.date[i];
    case COL_BOOL:
        return a->v.b[i] == b->v.b[i];
    case COL_STRING:
        return column_code(a, i) == column_code(b, i) &&
               dict_str(a->dict, column_code(a, i)) != NULL &&
               strcmp(dict_str(a->dict, column_code(a, i)), dict_str(b->dict, column_code(b, i))) ==
                   0;
    default:
        return a->v.i64[i] == b->v.i64[i];
    }
}

static void compare_tables(const table *a, const table *b)
{
    if (a->nrows != b->nrows || a->ncols != b->ncols) fail("thread counts give different shapes");
    for (size_t c = 0; c < a->ncols; c++) {
        const column *x = &a->cols[c], *y = &b->cols[c];
        if (strcmp(x->name, y->name) != 0 || x->type != y->type || x->scale != y->scale ||
            x->nnull != y->nnull)
            fail("thread counts give different columns");
        for (size_t i = 0; i < a->nrows; i++) {
            int valid = column_is_valid(x, i);
            if (valid != column_is_valid(y, i) || (valid && !same_value(x, y, i)))
                fail("thread counts give different values");
        }
    }
}

static void compare_errors(const kpi_error *a, const kpi_error *b)
{
    if (a->kind != b->kind || a->line != b->line || a->column != b->column ||
        strcmp(a->message, b->message) != 0) {
        fprintf(stderr, "one thread: %ld:%ld %s\ntwo threads: %ld:%ld %s\n", a->line, a->column,
                a->message, b->line, b->column, b->message);
        fail("thread counts give different errors");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    csv_options o;
    options_from(data[0], &o);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char pathbuf[256];
    const char *path = (data[0] & 128) ? write_temp(text, len, pathbuf, sizeof pathbuf) : NULL;

    kpi_error e1, e2;
    o.threads = 1;
    table *one = load(path, text, len, &o, &e1);
    o.threads = 2;
    o.min_chunk = 1; /* split even a tiny input */
    table *two = load(path, text, len, &o, &e2);
    if (path) unlink(path);

    if (!one != !two) {
        fprintf(stderr, "error: %s\n", one ? e2.message : e1.message);
        fail("one thread count loads what the other refuses");
    }
    if (one)
        compare_tables(one, two);
    else if (e1.kind != KPI_ENOMEM && e2.kind != KPI_ENOMEM)
        compare_errors(&e1, &e2);
    table_free(one);
    table_free(two);
    return 0;
}
