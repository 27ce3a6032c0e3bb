/*
** test_out_sparkline.c -- a series as block characters (engine/out/sparkline.c). The
** expected glyphs are worked out by hand: level = round((v - lo) / (hi - lo) * 7).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "out/sparkline.h"
#include "testutil.h"

static void test_sparkline_scales_from_lowest_to_highest(void **state)
{
    (void)state;
    char buf[64];
    const double v[] = {0, 1, 2, 3, 4, 5, 6, 7};
    assert_string_equal(sparkline(v, NULL, 8, buf, sizeof buf), "▁▂▃▄▅▆▇█");
    const double w[] = {100, 300, 200}; /* 0, 7, 3.5 -> 4 */
    assert_string_equal(sparkline(w, NULL, 3, buf, sizeof buf), "▁█▅");
    const double neg[] = {-5, -1, -3}; /* 0, 7, 3.5 -> 4 */
    assert_string_equal(sparkline(neg, NULL, 3, buf, sizeof buf), "▁█▅");
}

static void test_sparkline_shows_gaps_and_flat_series(void **state)
{
    (void)state;
    char buf[64];
    const double v[] = {10, NAN, 20, 15};
    const int has[] = {1, 1, 0, 1}; /* 20 is not there: 10 and 15 are the ends */
    assert_string_equal(sparkline(v, has, 4, buf, sizeof buf), "▁··█");
    const double flat[] = {3, 3, 3};
    assert_string_equal(sparkline(flat, NULL, 3, buf, sizeof buf), "▄▄▄");
    assert_string_equal(sparkline(flat, NULL, 0, buf, sizeof buf), "");
}

static void test_sparkline_stops_where_the_buffer_ends(void **state)
{
    (void)state;
    char buf[8]; /* room for two glyphs of 3 bytes and the NUL */
    const double v[] = {1, 2, 3};
    assert_string_equal(sparkline(v, NULL, 3, buf, sizeof buf), "▁▅"); /* 3.5 rounds to 4 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparkline_scales_from_lowest_to_highest),
        cmocka_unit_test(test_sparkline_shows_gaps_and_flat_series),
        cmocka_unit_test(test_sparkline_stops_where_the_buffer_ends),
    };
    return cmocka_run_group_tests_name("sparkline", tests, NULL, NULL);
}
