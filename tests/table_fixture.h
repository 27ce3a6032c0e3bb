/*
** table_fixture.h -- reading loaded tables in the core tests: a column by name, a
** string cell, a day. Each fails the current test when the table is not as asked.
** Include after <cmocka.h>'s prerequisites.
*/
#ifndef KPI_TABLE_FIXTURE_H
#define KPI_TABLE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"

/* The column called name. */
const column *tf_col(const table *t, const char *name);
/* The text of string column name at row; NULL for a null. */
const char *tf_str_at(const table *t, const char *name, size_t row);
/* Two tables are the same: names, types, nulls, values, and string codes and texts. */
void tf_assert_same_table(const table *a, const table *b);
/* The day number of an ISO date "YYYY-MM-DD". */
int32_t tf_day(const char *iso);

#endif
