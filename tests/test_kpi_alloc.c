/*
** test_kpi_alloc.c -- the allocation helpers (engine/core/kpi_alloc.c).
**
** Built with KPI_TEST_ALLOC like every unit test, so cmocka checks that each block is
** freed exactly once and never overrun.
*/
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kpi_alloc.h"

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

static void test_kpi_array_alloc_refuses_overflowing_sizes(void **state)
{
    (void)state;
    assert_null(kpi_array_alloc(SIZE_MAX / 2 + 1, 2));
    assert_null(kpi_array_calloc(SIZE_MAX / 8 + 1, 8));
    void *p = kpi_array_alloc(4, 8);
    assert_null(kpi_array_realloc(p, 4, SIZE_MAX / 4 + 1, 8));
    kpi_array_free(p); /* a failed realloc keeps the block */
}

static void test_kpi_array_alloc_of_nothing_is_freeable(void **state)
{
    (void)state;
    void *p = kpi_array_alloc(0, 8);
    assert_non_null(p);
    kpi_array_free(p);
    kpi_array_free(NULL);
}

static void test_kpi_array_calloc_is_zero_filled(void **state)
{
    (void)state;
    enum { N = 5000 };
    int64_t *a = kpi_array_calloc(N, sizeof *a);
    assert_non_null(a);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(a[i], 0);
    kpi_array_free(a);
}

static void test_kpi_array_realloc_keeps_the_common_prefix(void **state)
{
    (void)state;
    int32_t *a = kpi_array_realloc(NULL, 0, 3, sizeof *a);
    assert_non_null(a);
    a[0] = 1, a[1] = 2, a[2] = 3;
    a = kpi_array_realloc(a, 3, 1000, sizeof *a);
    assert_int_equal(a[0], 1);
    assert_int_equal(a[2], 3);
    a[999] = 9;
    a = kpi_array_realloc(a, 1000, 2, sizeof *a);
    assert_int_equal(a[0], 1);
    assert_int_equal(a[1], 2);
    kpi_array_free(a);
}

static void test_kpi_strndup_copies_n_bytes_and_terminates(void **state)
{
    (void)state;
    char *s = kpi_strndup("revenue", 3);
    assert_string_equal(s, "rev");
    kpi_free(s);
    s = kpi_strndup("a\0b", 3); /* n bytes, NULs included */
    assert_memory_equal(s, "a\0b", 4);
    kpi_free(s);
    s = kpi_strdup("");
    assert_string_equal(s, "");
    kpi_free(s);
}

static void test_kpi_test_fail_after_fails_later_allocations(void **state)
{
    (void)state;
    char *keep = kpi_malloc(16);
    kpi_test_fail_after(2);
    void *a = kpi_malloc(8);
    void *b = kpi_calloc(2, 8);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(kpi_malloc(8));
    assert_null(kpi_calloc(1, 1));
    assert_null(kpi_strdup("x"));
    assert_null(kpi_array_alloc(10, 8));
    strcpy(keep, "still here");
    assert_null(kpi_realloc(keep, 64));
    assert_string_equal(keep, "still here"); /* a failed realloc keeps its block */
    kpi_test_fail_after(-1);
    void *c = kpi_malloc(8);
    assert_non_null(c);
    kpi_free(a);
    kpi_free(b);
    kpi_free(c);
    kpi_free(keep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kpi_array_alloc_refuses_overflowing_sizes),
        cmocka_unit_test(test_kpi_array_alloc_of_nothing_is_freeable),
        cmocka_unit_test(test_kpi_array_calloc_is_zero_filled),
        cmocka_unit_test(test_kpi_array_realloc_keeps_the_common_prefix),
        cmocka_unit_test(test_kpi_strndup_copies_n_bytes_and_terminates),
        cmocka_unit_test_teardown(test_kpi_test_fail_after_fails_later_allocations,
                                  allow_allocations),
    };
    return cmocka_run_group_tests_name("kpi_alloc", tests, NULL, NULL);
}
