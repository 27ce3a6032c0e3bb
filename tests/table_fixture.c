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
