/*
** table_fixture.c -- see table_fixture.h.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "date.h"
#include "dict.h"
#include "table_fixture.h"

const column *tf_col(const table *t, const char *name)
{
    int i = table_find(t, name);
    if (i < 0) fail_msg("no column %s", name);
    return &t->cols[i];
}

const char *tf_str_at(const table *t, const char *name, size_t row)
{
    const column *c = tf_col(t, name);
    assert_int_equal(c->type, COL_STRING);
    return column_is_valid(c, row) ? dict_str(c->dict, column_code(c, row)) : NULL;
}

int32_t tf_day(const char *iso)
{
    int32_t d;
    assert_int_equal(date_parse_iso(iso, strlen(iso), &d), 0);
    return d;
}

/* Two tables are the same: names, types, nulls, values, and string codes and texts. */
void tf_assert_same_table(const table *a, const table *b)
{
    assert_int_equal(a->nrows, b->nrows);
    assert_int_equal(a->ncols, b->ncols);
    for (size_t i = 0; i < a->ncols; i++) {
        const column *x = &a->cols[i], *y = &b->cols[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->scale, y->scale);
        assert_int_equal(x->nnull, y->nnull);
        for (size_t r = 0; r < a->nrows; r++) {
            assert_int_equal(column_is_valid(x, r), column_is_valid(y, r));
            if (x->type == COL_STRING)
                assert_int_equal(column_code(x, r), column_code(y, r));
            else if (x->type != COL_FLOAT64)
                assert_true(column_number(x, r) == column_number(y, r));
            else
                assert_memory_equal(&x->v.f64[r], &y->v.f64[r], sizeof(double));
        }
        if (x->type != COL_STRING) continue;
        assert_int_equal(dict_count(x->dict), dict_count(y->dict));
        for (uint32_t k = 0; k < dict_count(x->dict); k++)
            assert_string_equal(dict_str(x->dict, k), dict_str(y->dict, k));
    }
}
