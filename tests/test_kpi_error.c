/*
** test_kpi_error.c -- error values (engine/core/kpi_error.c).
**
** Expected texts are written out by hand from the format kpi_error.h documents:
** "file:line:column: message", leaving out what is unknown.
*/
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kpi_error.h"

static void test_kpi_error_set_fills_every_field_and_returns_minus_one(void **state)
{
    (void)state;
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(err.kind, KPI_OK);
    assert_int_equal(
        kpi_error_set(&err, KPI_EDATA, "orders.csv", 12, 7, "expected %d fields, found %d", 6, 5),
        -1);
    assert_int_equal(err.kind, KPI_EDATA);
    assert_string_equal(err.file, "orders.csv");
    assert_int_equal(err.line, 12);
    assert_int_equal(err.column, 7);
    assert_string_equal(err.message, "expected 6 fields, found 5");
    kpi_error_clear(&err);
    assert_int_equal(err.kind, KPI_OK);
    assert_string_equal(err.file, "");
    assert_string_equal(err.message, "");
    assert_int_equal(err.line, 0);
    assert_int_equal(err.column, 0);
}

static void test_kpi_error_set_without_error_value_still_fails(void **state)
{
    (void)state;
    assert_int_equal(kpi_error_set(NULL, KPI_EIO, "x", 1, 1, "ignored"), -1);
    kpi_error_clear(NULL);
}

static void test_kpi_error_format_leaves_out_what_is_unknown(void **state)
{
    (void)state;
    kpi_error err;
    char buf[1200];
    kpi_error_set(&err, KPI_EDATA, "a.csv", 3, 9, "bad");
    assert_string_equal(kpi_error_format(&err, buf, sizeof buf), "a.csv:3:9: bad");
    kpi_error_set(&err, KPI_EDATA, "a.csv", 3, 0, "bad");
    assert_string_equal(kpi_error_format(&err, buf, sizeof buf), "a.csv:3: bad");
    kpi_error_set(&err, KPI_EIO, "a.csv", 0, 4, "bad");
    assert_string_equal(kpi_error_format(&err, buf, sizeof buf), "a.csv: bad");
    kpi_error_set(&err, KPI_EUSAGE, NULL, 5, 5, "bad");
    assert_string_equal(kpi_error_format(&err, buf, sizeof buf), "bad");
}

static void test_kpi_error_format_truncates_to_the_buffer(void **state)
{
    (void)state;
    kpi_error err;
    char buf[8];
    kpi_error_set(&err, KPI_EDATA, "orders.csv", 1, 2, "long message");
    assert_string_equal(kpi_error_format(&err, buf, sizeof buf), "orders.");
}

static void test_kpi_error_long_message_is_cut_not_overrun(void **state)
{
    (void)state;
    kpi_error err;
    char text[2000];
    memset(text, 'm', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    kpi_error_set(&err, KPI_EDATA, text, 1, 1, "%s", text);
    assert_int_equal(strlen(err.file), sizeof err.file - 1);
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
}

/*
** Regression: re-raising an error with context passes the error's own file and message
** back in; formatting a buffer onto itself was undefined (and garbled the text).
*/
static void test_kpi_error_set_may_reuse_its_own_fields(void **state)
{
    (void)state;
    kpi_error err;
    kpi_error_set(&err, KPI_EDATA, "orders.csv", 4, 2, "expected 6 fields, found 5");
    kpi_error_set(&err, err.kind, err.file, err.line, err.column, "source 'orders': %s",
                  err.message);
    assert_string_equal(err.message, "source 'orders': expected 6 fields, found 5");
    assert_string_equal(err.file, "orders.csv");
    kpi_error_set(&err, err.kind, err.file + 7, 0, 0, "%s (again)", err.message + 7);
    assert_string_equal(err.file, "csv");
    assert_string_equal(err.message, "'orders': expected 6 fields, found 5 (again)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kpi_error_set_fills_every_field_and_returns_minus_one),
        cmocka_unit_test(test_kpi_error_set_without_error_value_still_fails),
        cmocka_unit_test(test_kpi_error_format_leaves_out_what_is_unknown),
        cmocka_unit_test(test_kpi_error_format_truncates_to_the_buffer),
        cmocka_unit_test(test_kpi_error_long_message_is_cut_not_overrun),
        cmocka_unit_test(test_kpi_error_set_may_reuse_its_own_fields),
    };
    return cmocka_run_group_tests_name("kpi_error", tests, NULL, NULL);
}
