/*
** select.h -- selections (which rows of a table a view covers) and the filters that
** narrow them.
**
** A selection is either a contiguous row range [lo, hi) (rows == NULL) or an
** ascending array of n row numbers it owns. Filters never copy column data: they
** read the table and write a new selection. A time filter on a table whose time
** column is sorted, applied to a range, is two binary searches and stays a range.
**
** Null semantics follow SQL: a null never satisfies a comparison, `!=` included.
*/
#ifndef KPI_SELECT_H
#define KPI_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "kpi_error.h"
#include "table.h"

typedef struct selection {
    uint32_t *rows; /* NULL: the range [lo, hi) */
    size_t n;       /* number of selected rows (hi - lo for a range) */
    size_t lo, hi;
} selection;

typedef enum filter_op { FILTER_EQ, FILTER_NE, FILTER_LT, FILTER_LE, FILTER_GT, FILTER_GE, FILTER_IN } filter_op;

typedef enum value_type { VAL_NUMBER, VAL_STRING, VAL_BOOL } value_type;

/* A filter operand as the caller (Lua) gives it; strings are borrowed. */
typedef struct kpi_value {
    value_type type;
    double num;      /* VAL_NUMBER */
    const char *str; /* VAL_STRING: not NUL-terminated necessarily */
    size_t len;
    int b;           /* VAL_BOOL */
} kpi_value;

/* Row number of the i-th selected row. */
static inline size_t selection_row(const selection *s, size_t i)
{
    return s->rows ? s->rows[i] : s->lo + i;
}
/* All rows of t. */
void selection_all(const table *t, selection *s);
/* Release an owned row array (a no-op for ranges); leaves s empty. */
void selection_free(selection *s);

/* "=", "==", "!=", "~=", "<", "<=", ">", ">=" -> op; 0, or -1 when unknown. */
int select_op_parse(const char *s, filter_op *op);

/*
** Rows of `in` whose column col compares to the operand(s) by op; FILTER_IN takes
** nvals operands (membership), the others exactly one. Operands are converted to the
** column's type: numbers for numeric columns (decimals compared exactly when the
** operand has at most `scale` decimals), ISO text "YYYY-MM-DD" (or a timestamp) for
** date and timestamp columns, text for strings (ordering by bytes), bools for bools.
** Fills *out (owned by the caller: selection_free). Returns 0, or -1 with err (an
** operand that does not fit the column's type, a bad op for the type).
*/
int select_where(const table *t, const selection *in, int col, filter_op op, const kpi_value *vals,
                 size_t nvals, selection *out, kpi_error *err);

/*
** Rows of `in` whose time column lies in days [start, stop) (a timestamp counts by
** its day). Use INT32_MIN / INT32_MAX for an open end. Requires t->time_col >= 0.
*/
int select_time(const table *t, const selection *in, int32_t start, int32_t stop, selection *out,
                kpi_error *err);

#endif
