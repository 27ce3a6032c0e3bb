/*
** test_sort.c -- sort_keys (engine/core/sort.c): both paths (qsort below the radix
** threshold, radix above) against a plain insertion sort of the same keys.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kpi_alloc.h"
#include "sort.h"

/* xorshift64: deterministic keys without libc's rand. */
static uint64_t next_key(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static void reference_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Sort n keys made by make(i) with sort_keys and with the reference; they must agree. */
static void check_sort(size_t n, uint64_t (*make)(size_t i, uint64_t *state))
{
    uint64_t *a = kpi_malloc((n + 1) * sizeof *a), *b = kpi_malloc((n + 1) * sizeof *b);
    uint64_t *tmp = kpi_malloc((n + 1) * sizeof *tmp);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(tmp);
    uint64_t state = 88172645463325252ull;
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = make(i, &state);
    sort_keys(a, n, tmp);
    reference_sort(b, n);
    if (n) assert_memory_equal(a, b, n * sizeof *a);
    kpi_free(a);
    kpi_free(b);
    kpi_free(tmp);
}

static uint64_t random_key(size_t i, uint64_t *state)
{
    (void)i;
    return next_key(state);
}

/* Customer ids: few low bits used, so radix skips most digits. */
static uint64_t small_id(size_t i, uint64_t *state)
{
    (void)i;
    return next_key(state) % 5000;
}

/* Keys that share every bit but the top digit's: only one digit pass. */
static uint64_t top_bits_only(size_t i, uint64_t *state)
{
    (void)i;
    return (next_key(state) & 0xFull) << 60 | 0x123;
}

static uint64_t descending(size_t i, uint64_t *state)
{
    (void)state;
    return UINT64_MAX - i;
}

static uint64_t all_equal(size_t i, uint64_t *state)
{
    (void)i;
    (void)state;
    return 42;
}

static void test_sort_empty_and_single_key(void **state)
{
    (void)state;
    check_sort(0, random_key);
    check_sort(1, random_key);
}

static void test_sort_small_arrays_take_qsort(void **state)
{
    (void)state;
    check_sort(100, random_key);
    check_sort(4095, small_id);
}

static void test_sort_large_random_keys_by_radix(void **state)
{
    (void)state;
    check_sort(4096, random_key);
    check_sort(20000, random_key);
}

static void test_sort_radix_skips_shared_digits(void **state)
{
    (void)state;
    check_sort(20000, small_id);
    check_sort(20000, top_bits_only);
    check_sort(10000, all_equal);
}

static void test_sort_descending_input(void **state)
{
    (void)state;
    check_sort(10000, descending);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_empty_and_single_key),
        cmocka_unit_test(test_sort_small_arrays_take_qsort),
        cmocka_unit_test(test_sort_large_random_keys_by_radix),
        cmocka_unit_test(test_sort_radix_skips_shared_digits),
        cmocka_unit_test(test_sort_descending_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
