/*
** table.c -- typed columnar tables; see table.h.
*/
#define _DEFAULT_SOURCE /* munmap */
#include "table.h"

#include <string.h>
#include <sys/mman.h>

#include "kpi_alloc.h"

static const char *const type_names[] = {"int",       "float",  "decimal", "date",
                                         "timestamp", "string", "bool"};

_Static_assert(DECIMAL_MAX_SCALE <= 9, "table_type_parse reads decimal(N) with one digit");

static const size_t type_sizes[] = {sizeof(int64_t), sizeof(double),  sizeof(int64_t),
                                    sizeof(int32_t), sizeof(int64_t), sizeof(uint32_t),
                                    sizeof(uint8_t)};

size_t column_value_size(const column *c)
{
    return c->code_bytes ? (size_t)c->code_bytes : type_sizes[c->type];
}

const char *table_type_name(col_type t)
{
    return (unsigned)t < sizeof type_names / sizeof *type_names ? type_names[t] : "?";
}

int table_type_parse(const char *s, col_type *t, int *scale)
{
    *scale = -1;
    for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++) {
        if (strcmp(s, type_names[i]) == 0) {
            *t = (col_type)i;
            return 0;
        }
    }
    /* "decimal(N)", N one digit: sscanf's %d would take spaces and signs, and overflow. */
    if (strncmp(s, "decimal(", 8) == 0 && s[8] >= '0' && s[8] <= '0' + DECIMAL_MAX_SCALE &&
        s[9] == ')' && s[10] == '\0') {
        *t = COL_DECIMAL;
        *scale = s[8] - '0';
        return 0;
    }
    if (strcmp(s, "integer") == 0)
        *t = COL_INT64;
    else if (strcmp(s, "number") == 0 || strcmp(s, "double") == 0)
        *t = COL_FLOAT64;
    else if (strcmp(s, "text") == 0)
        *t = COL_STRING;
    else if (strcmp(s, "boolean") == 0)
        *t = COL_BOOL;
    else
        return -1;
    return 0;
}

table *table_new(const char *name, size_t nrows)
{
    table *t = kpi_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->name = kpi_strdup(name ? name : "");
    if (!t->name) {
        kpi_free(t);
        return NULL;
    }
    t->nrows = nrows;
    t->time_col = -1;
    return t;
}

void table_free(table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->ncols; i++) {
        column *c = &t->cols[i];
        kpi_free(c->name);
        column_array_free(c, c->v.ptr);
        column_array_free(c, c->valid);
        dict_free(c->dict); /* before the release: an image dict borrows from the mapping */
        if (c->mapping && c->v.ptr) table_mapping_release(c->mapping);
    }
    kpi_free(t->cols);
    kpi_free(t->name);
    kpi_free(t);
}

table_mapping *table_mapping_new(void *addr, size_t size)
{
    table_mapping *m = kpi_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->addr = addr;
    m->size = size;
    return m;
}

void table_mapping_retain(table_mapping *m)
{
    m->refs++;
}

void table_mapping_release(table_mapping *m)
{
    if (!m || --m->refs > 0) return;
    munmap(m->addr, m->size);
    kpi_free(m);
}

void column_array_free(const column *c, void *p)
{
    const table_mapping *m = c->mapping;
    if (m && (const char *)p >= (const char *)m->addr &&
        (const char *)p < (const char *)m->addr + m->size)
        return;
    kpi_array_free(p);
}

/*
** Room for the columns of a table built by table_add_column: 4, then doubled each time
** ncols reaches a power of two (a load of 100k columns copies the array 15 times, not
** 100k). -1 when out of memory.
*/
static int make_room(table *t)
{
    size_t n = t->ncols;
    if (n != 0 && (n < 4 || (n & (n - 1)) != 0)) return 0;
    column *cols = kpi_realloc(t->cols, (n ? n * 2 : 4) * sizeof *cols);
    if (!cols) return -1;
    t->cols = cols;
    return 0;
}

column *table_add_column(table *t, const char *name, col_type type, int scale)
{
    if (make_room(t)) return NULL;
    column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->type = type;
    c->scale = type == COL_DECIMAL ? scale : 0;
    c->name = kpi_strdup(name);
    c->v.ptr = kpi_array_calloc(t->nrows, type_sizes[type]);
    if (type == COL_STRING) c->dict = dict_new();
    if (!c->name || !c->v.ptr || (type == COL_STRING && !c->dict)) {
        kpi_free(c->name);
        kpi_array_free(c->v.ptr);
        dict_free(c->dict);
        return NULL;
    }
    t->ncols++;
    return c;
}

int table_find(const table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0) return (int)i;
    return -1;
}

int column_set_null(column *c, size_t nrows, size_t i)
{
    if (!c->valid) {
        size_t words = (nrows + 63) / 64;
        c->valid = kpi_array_alloc(words ? words : 1, sizeof *c->valid);
        if (!c->valid) return -1;
        memset(c->valid, 0xff, (words ? words : 1) * sizeof *c->valid);
    }
    if (column_is_valid(c, i)) {
        c->valid[i >> 6] &= ~((uint64_t)1 << (i & 63));
        c->nnull++;
    }
    /* Keep the invariant that a null slot holds zero: kernels may read it unmasked. */
    memset((char *)c->v.ptr + i * column_value_size(c), 0, column_value_size(c));
    return 0;
}

int64_t table_pow10(int scale)
{
    int64_t p = 1;
    while (scale-- > 0)
        p *= 10;
    return p;
}

double column_number(const column *c, size_t i)
{
    if (!column_is_valid(c, i)) return 0;
    switch (c->type) {
    case COL_INT64:
    case COL_TIMESTAMP:
        return (double)c->v.i64[i];
    case COL_DECIMAL:
        return (double)c->v.i64[i] / (double)table_pow10(c->scale);
    case COL_FLOAT64:
        return c->v.f64[i];
    case COL_DATE:
        return c->v.date[i];
    case COL_BOOL:
        return c->v.b[i];
    case COL_STRING:
        return 0;
    }
    return 0;
}

size_t column_memory(const column *c, size_t nrows)
{
    if (c->absent) return 0;
    size_t bytes = nrows * column_value_size(c);
    if (c->valid) bytes += (nrows + 63) / 64 * sizeof(uint64_t);
    if (c->dict) bytes += dict_memory(c->dict);
    return bytes;
}

size_t table_memory(const table *t)
{
    size_t bytes = sizeof *t + t->ncols * sizeof *t->cols;
    for (size_t i = 0; i < t->ncols; i++)
        bytes += column_memory(&t->cols[i], t->nrows);
    return bytes;
}

int table_set_time(table *t, const char *name, kpi_error *err)
{
    int ci = table_find(t, name);
    if (ci < 0)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "time column '%s' not found in '%s'",
                             name, t->name);
    column *c = &t->cols[ci];
    if (c->type != COL_DATE && c->type != COL_TIMESTAMP)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0,
                             "time column '%s' of '%s' holds %s values, not dates or timestamps",
                             name, t->name, table_type_name(c->type));
    t->time_col = ci;
    int sorted = c->nnull == 0;
    for (size_t i = 1; sorted && i < t->nrows; i++)
        sorted =
            c->type == COL_DATE ? c->v.date[i - 1] <= c->v.date[i] : c->v.i64[i - 1] <= c->v.i64[i];
    t->time_sorted = sorted;
    return 0;
}
