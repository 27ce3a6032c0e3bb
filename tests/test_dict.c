/*
** test_dict.c -- the string dictionary (engine/core/dict.c).
**
** Expected codes follow from the contract (dense, in order of first interning); the
** expected sort order is byte order worked out by hand, and for large sets checked
** against memcmp pairwise. Out-of-memory paths are walked with kpi_test_fail_after.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dict.h"
#include "kpi_alloc.h"

#define S(lit) lit, sizeof(lit) - 1

static uint32_t intern_str(dict *d, const char *s)
{
    return dict_intern(d, s, strlen(s));
}

static void test_dict_intern_gives_dense_codes_in_first_seen_order(void **state)
{
    (void)state;
    dict *d = dict_new();
    assert_non_null(d);
    assert_int_equal(dict_count(d), 0);
    assert_int_equal(intern_str(d, "north"), 0);
    assert_int_equal(intern_str(d, "south"), 1);
    assert_int_equal(intern_str(d, "north"), 0);
    assert_int_equal(intern_str(d, "east"), 2);
    assert_int_equal(dict_count(d), 3);
    assert_string_equal(dict_str(d, 1), "south");
    assert_int_equal(dict_len(d, 2), 4);
    dict_free(d);
}

static void test_dict_find_never_adds(void **state)
{
    (void)state;
    dict *d = dict_new();
    assert_int_equal(dict_find(d, S("x")), DICT_NONE);
    assert_int_equal(intern_str(d, "x"), 0);
    assert_int_equal(dict_find(d, S("x")), 0);
    assert_int_equal(dict_find(d, S("y")), DICT_NONE);
    assert_int_equal(dict_find(d, S("")), DICT_NONE);
    assert_int_equal(dict_count(d), 1);
    dict_free(d);
}

static void test_dict_strings_are_bytes_with_length(void **state)
{
    (void)state;
    dict *d = dict_new();
    /* Only len bytes count: a NUL inside is data, text past len is not read. */
    uint32_t a = dict_intern(d, S("a"));
    uint32_t a_nul_b = dict_intern(d, S("a\0b"));
    uint32_t a_nul_c = dict_intern(d, S("a\0c"));
    uint32_t empty = dict_intern(d, "zzz", 0);
    assert_int_equal(a, 0);
    assert_int_equal(a_nul_b, 1);
    assert_int_equal(a_nul_c, 2);
    assert_int_equal(empty, 3);
    assert_int_equal(dict_len(d, a_nul_b), 3);
    assert_memory_equal(dict_str(d, a_nul_c), "a\0c", 4); /* NUL-terminated copy */
    assert_string_equal(dict_str(d, empty), "");
    assert_int_equal(dict_intern(d, "abc", 1), a);
    dict_free(d);
}

static void test_dict_unknown_code_has_no_string(void **state)
{
    (void)state;
    dict *d = dict_new();
    intern_str(d, "only");
    assert_null(dict_str(d, 1));
    assert_int_equal(dict_len(d, 1), 0);
    assert_null(dict_str(d, DICT_NONE));
    dict_free(d);
}

static void test_dict_100k_strings_survive_table_growth(void **state)
{
    (void)state;
    enum { N = 100000 };
    dict *d = dict_new();
    char buf[32];
    const char *first = NULL;
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof buf, "customer-%u", i);
        assert_int_equal(dict_intern(d, buf, (size_t)n), i);
        if (i == 0) first = dict_str(d, 0);
    }
    assert_int_equal(dict_count(d), N);
    /* Pointers handed out before the table and arrays grew still point at the string. */
    assert_ptr_equal(dict_str(d, 0), first);
    assert_string_equal(first, "customer-0");
    for (uint32_t i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof buf, "customer-%u", i);
        if (dict_find(d, buf, (size_t)n) != i) fail_msg("find %s", buf);
        if (dict_intern(d, buf, (size_t)n) != i) fail_msg("re-intern %s", buf);
        if (strcmp(dict_str(d, i), buf) != 0) fail_msg("string of %u", i);
    }
    assert_int_equal(dict_count(d), N);
    assert_int_equal(dict_find(d, S("customer-100000")), DICT_NONE);
    dict_free(d);
}

/* Prefixes of 8 bytes and more in common, a NUL inside, a prefix of another string. */
static void test_dict_sorted_breaks_ties_past_the_first_eight_bytes(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
    } in[] = {{"customer-0002", 13}, {"customer-0010", 13}, {"customer", 8}, {"customer-0001", 13},
              {"ab\0c", 4},          {"ab", 2},              {"ab\0", 3},      {"\xff", 1}};
    /* byte order: ab, ab\0, ab\0c, customer, customer-0001, -0002, -0010, \xff */
    const uint32_t want[] = {5, 6, 4, 2, 3, 0, 1, 7};
    dict *d = dict_new();
    assert_non_null(d);
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal(dict_intern(d, in[i].s, in[i].len), i);
    const uint32_t *sorted = dict_sorted(d);
    assert_non_null(sorted);
    assert_memory_equal(sorted, want, sizeof want);
    dict_free(d);
}

static void test_dict_sorted_and_rank_are_byte_order(void **state)
{
    (void)state;
    dict *d = dict_new();
    /* Interned out of order; byte order is "" < "B" < "a" < "ab" < "b" < "\xc3\xa9" (é). */
    const char *in[] = {"b", "a", "\xc3\xa9", "ab", "", "B"};
    for (uint32_t i = 0; i < 6; i++)
        assert_int_equal(intern_str(d, in[i]), i);
    const uint32_t want[] = {4, 5, 1, 3, 0, 2};
    const uint32_t *sorted = dict_sorted(d);
    assert_non_null(sorted);
    assert_memory_equal(sorted, want, sizeof want);
    const uint32_t *rank = dict_rank(d);
    assert_non_null(rank);
    for (uint32_t i = 0; i < 6; i++)
        assert_int_equal(rank[want[i]], i);
    /* A later intern invalidates the cached order: "aa" sorts between "a" and "ab". */
    assert_int_equal(intern_str(d, "aa"), 6);
    const uint32_t want2[] = {4, 5, 1, 6, 3, 0, 2};
    sorted = dict_sorted(d);
    assert_memory_equal(sorted, want2, sizeof want2);
    assert_int_equal(dict_rank(d)[6], 3);
    dict_free(d);
}

static void test_dict_shorter_string_sorts_first_on_a_common_prefix(void **state)
{
    (void)state;
    dict *d = dict_new();
    intern_str(d, "abc");
    dict_intern(d, S("ab\0"));
    intern_str(d, "ab");
    const uint32_t want[] = {2, 1, 0}; /* "ab" < "ab\0" < "abc" */
    assert_memory_equal(dict_sorted(d), want, sizeof want);
    dict_free(d);
}

static int memcmp_order(const dict *d, uint32_t x, uint32_t y)
{
    size_t lx = dict_len(d, x), ly = dict_len(d, y);
    int c = memcmp(dict_str(d, x), dict_str(d, y), lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

static void test_dict_sorted_large_set_is_ordered_permutation(void **state)
{
    (void)state;
    enum { N = 20000 };
    dict *d = dict_new();
    srand(7);
    char buf[16];
    while (dict_count(d) < N) {
        int n = 1 + rand() % 8;
        for (int k = 0; k < n; k++)
            buf[k] = (char)(rand() % 256);
        dict_intern(d, buf, (size_t)n);
    }
    const uint32_t *sorted = dict_sorted(d), *rank = dict_rank(d);
    for (uint32_t i = 0; i < N; i++) {
        if (rank[sorted[i]] != i) fail_msg("rank is not the inverse at %u", i);
        if (i && memcmp_order(d, sorted[i - 1], sorted[i]) >= 0) fail_msg("order at %u", i);
    }
    dict_free(d);
}

static void test_dict_empty_dict_has_empty_order(void **state)
{
    (void)state;
    dict *d = dict_new();
    assert_non_null(dict_sorted(d));
    assert_non_null(dict_rank(d));
    dict_free(d);
}

static void test_dict_long_strings_past_a_block(void **state)
{
    (void)state;
    /* Blocks are 64 KiB at first: these strings need blocks of their own. */
    size_t sizes[] = {100000, 3, 65536, 65535, 300000, 1};
    char *texts[6];
    dict *d = dict_new();
    const char *ptrs[6];
    for (int i = 0; i < 6; i++) {
        texts[i] = malloc(sizes[i]);
        assert_non_null(texts[i]);
        memset(texts[i], 'a' + i, sizes[i]);
        assert_int_equal(dict_intern(d, texts[i], sizes[i]), (uint32_t)i);
        ptrs[i] = dict_str(d, (uint32_t)i);
    }
    for (int i = 0; i < 6; i++) {
        assert_ptr_equal(dict_str(d, (uint32_t)i), ptrs[i]);
        assert_int_equal(dict_len(d, (uint32_t)i), sizes[i]);
        assert_memory_equal(ptrs[i], texts[i], sizes[i]);
        assert_int_equal(ptrs[i][sizes[i]], '\0');
        assert_int_equal(dict_find(d, texts[i], sizes[i]), (uint32_t)i);
        /* One byte shorter is another string. */
        assert_int_equal(dict_find(d, texts[i], sizes[i] - 1), DICT_NONE);
    }
    assert_true(dict_memory(d) >= 100000 + 65536 + 65535 + 300000);
    for (int i = 0; i < 6; i++)
        free(texts[i]);
    dict_free(d);
}

static void test_dict_memory_grows_with_strings(void **state)
{
    (void)state;
    dict *d = dict_new();
    size_t empty = dict_memory(d);
    assert_true(empty >= 64 * 2 * sizeof(uint32_t)); /* the first hash table */
    char big[200000];
    memset(big, 'x', sizeof big);
    dict_intern(d, big, sizeof big);
    assert_true(dict_memory(d) >= empty + sizeof big);
    dict_free(d);
}

/* Teardown of the out-of-memory tests: a failed assertion must not leave failures on. */
static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

/*
** Regression: when growing the hash table failed, the string was inserted anyway; the
** table filled up and the next lookup of an absent string probed forever.
*/
static void test_dict_out_of_memory_leaves_dict_usable(void **state)
{
    (void)state;
    dict *d = dict_new();
    char buf[32];
    for (int i = 0; i < 32; i++)
        intern_str(d, (snprintf(buf, sizeof buf, "s%d", i), buf));
    kpi_test_fail_after(0);
    /* The 33rd string needs a bigger table (at most half full): it is refused, not added. */
    assert_int_equal(intern_str(d, "s32"), DICT_NONE);
    for (int i = 33; i < 200; i++)
        assert_int_equal(intern_str(d, (snprintf(buf, sizeof buf, "s%d", i), buf)), DICT_NONE);
    assert_int_equal(intern_str(d, "s5"), 5); /* known strings need no memory */
    assert_int_equal(dict_find(d, S("absent")), DICT_NONE);
    kpi_test_fail_after(-1);
    assert_int_equal(dict_count(d), 32);
    for (int i = 32; i < 200; i++)
        assert_int_equal(intern_str(d, (snprintf(buf, sizeof buf, "s%d", i), buf)), (uint32_t)i);
    for (int i = 0; i < 200; i++)
        assert_int_equal(dict_find(d, buf, (size_t)snprintf(buf, sizeof buf, "s%d", i)),
                         (uint32_t)i);
    dict_free(d);
}

/* Fill a dict until allocation n fails; every code handed out must stay right. */
static int fill_until_failure(long n)
{
    static char big[70000];
    memset(big, 'b', sizeof big);
    kpi_test_fail_after(n);
    dict *d = dict_new();
    uint32_t got = 0;
    char buf[32];
    for (int i = 0; d && i < 300; i++, got++) {
        uint32_t code = i % 100 == 50 ? dict_intern(d, big, sizeof big - (size_t)i)
                                      : intern_str(d, (snprintf(buf, sizeof buf, "v%d", i), buf));
        if (code == DICT_NONE) break;
        if (code != (uint32_t)i) fail_msg("allocation %ld: code %u for string %d", n, code, i);
    }
    int complete = d && got == 300 && dict_sorted(d) != NULL;
    kpi_test_fail_after(-1);
    if (!d) return 0;
    assert_int_equal(dict_count(d), got);
    for (uint32_t i = 0; i < got; i++) {
        if (i % 100 == 50) {
            assert_int_equal(dict_len(d, i), sizeof big - i);
        } else {
            snprintf(buf, sizeof buf, "v%u", i);
            assert_string_equal(dict_str(d, i), buf);
            assert_int_equal(dict_find(d, buf, strlen(buf)), i);
        }
    }
    dict_free(d);
    return complete;
}

static void test_dict_out_of_memory_at_every_allocation_leaks_nothing(void **state)
{
    (void)state;
    long n = 0;
    while (!fill_until_failure(n))
        n++;
    assert_true(n > 5); /* the walk did meet failures */
}

typedef struct worker {
    int id;
    int ok;
} worker;

static void *intern_many(void *arg)
{
    worker *w = arg;
    dict *d = dict_new();
    char buf[32];
    w->ok = d != NULL;
    for (uint32_t i = 0; d && i < 20000; i++) {
        int n = snprintf(buf, sizeof buf, "%d:%u", w->id, i);
        if (dict_intern(d, buf, (size_t)n) != i) w->ok = 0;
    }
    for (uint32_t i = 0; d && i < 20000; i++) {
        int n = snprintf(buf, sizeof buf, "%d:%u", w->id, i);
        if (dict_find(d, buf, (size_t)n) != i) w->ok = 0;
    }
    if (d && !dict_sorted(d)) w->ok = 0;
    dict_free(d);
    return NULL;
}

/* CSV chunks are parsed by threads that each fill their own dict: no shared state. */
static void test_dict_separate_dicts_in_parallel_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, intern_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(w[i].ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dict_intern_gives_dense_codes_in_first_seen_order),
        cmocka_unit_test(test_dict_find_never_adds),
        cmocka_unit_test(test_dict_strings_are_bytes_with_length),
        cmocka_unit_test(test_dict_unknown_code_has_no_string),
        cmocka_unit_test(test_dict_100k_strings_survive_table_growth),
        cmocka_unit_test(test_dict_sorted_and_rank_are_byte_order),
        cmocka_unit_test(test_dict_sorted_breaks_ties_past_the_first_eight_bytes),
        cmocka_unit_test(test_dict_shorter_string_sorts_first_on_a_common_prefix),
        cmocka_unit_test(test_dict_sorted_large_set_is_ordered_permutation),
        cmocka_unit_test(test_dict_empty_dict_has_empty_order),
        cmocka_unit_test(test_dict_long_strings_past_a_block),
        cmocka_unit_test(test_dict_memory_grows_with_strings),
        cmocka_unit_test_teardown(test_dict_out_of_memory_leaves_dict_usable, allow_allocations),
        cmocka_unit_test_teardown(test_dict_out_of_memory_at_every_allocation_leaks_nothing,
                                  allow_allocations),
        cmocka_unit_test(test_dict_separate_dicts_in_parallel_threads),
    };
    return cmocka_run_group_tests_name("dict", tests, NULL, NULL);
}
