/*
** test_parse.c -- text to number and bool (engine/core/parse.c).
**
** Expected doubles come from the compiler's own reading of the same literal or from
** strtod in the C locale; integers and decimals from the written digits.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "parse.h"
#include "table.h"
#include "testutil.h"

#define S(lit) lit, sizeof(lit) - 1

static int64_t int_of(const char *s, int expect_rc)
{
    int64_t v = 12345;
    assert_int_equal(parse_int64(s, strlen(s), &v), expect_rc);
    return v;
}

static void test_parse_int_plain_and_signed(void **state)
{
    (void)state;
    assert_int_equal(int_of("0", 0), 0);
    assert_int_equal(int_of("42", 0), 42);
    assert_int_equal(int_of("-42", 0), -42);
    assert_int_equal(int_of("+7", 0), 7);
    assert_int_equal(int_of("007", 0), 7);
    assert_int_equal(int_of("0000000000000000000000001", 0), 1);
}

static void test_parse_int_limits_exact(void **state)
{
    (void)state;
    assert_true(int_of("9223372036854775807", 0) == INT64_MAX);
    assert_true(int_of("-9223372036854775808", 0) == INT64_MIN);
}

static void test_parse_int_overflow_is_range(void **state)
{
    (void)state;
    int_of("9223372036854775808", PARSE_RANGE);
    int_of("-9223372036854775809", PARSE_RANGE);
    int_of("18446744073709551616", PARSE_RANGE);
    int_of("99999999999999999999999999", PARSE_RANGE);
}

static void test_parse_int_rejects_non_integers(void **state)
{
    (void)state;
    const char *bad[] = {"", "-", "+", " 1", "1 ", "1.0", "1e3", "0x10", "12a", "--1", "1,000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t v;
        assert_int_equal(parse_int64(bad[i], strlen(bad[i]), &v), PARSE_SYNTAX);
    }
}

static void test_parse_int_uses_length_not_nul(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(parse_int64("12345", 3, &v), 0);
    assert_int_equal(v, 123);
}

static void test_parse_decimal_reports_written_scale(void **state)
{
    (void)state;
    int64_t v;
    int scale;
    assert_int_equal(parse_decimal(S("12.50"), '.', &v, &scale), 0);
    assert_int_equal(v, 1250);
    assert_int_equal(scale, 2);
    assert_int_equal(parse_decimal(S("-0.001"), '.', &v, &scale), 0);
    assert_int_equal(v, -1);
    assert_int_equal(scale, 3);
    assert_int_equal(parse_decimal(S("17"), '.', &v, &scale), 0);
    assert_int_equal(v, 17);
    assert_int_equal(scale, 0);
    assert_int_equal(parse_decimal(S(".5"), '.', &v, &scale), 0);
    assert_int_equal(v, 5);
    assert_int_equal(scale, 1);
}

static void test_parse_decimal_comma_mark(void **state)
{
    (void)state;
    int64_t v;
    int scale;
    assert_int_equal(parse_decimal(S("1234,56"), ',', &v, &scale), 0);
    assert_int_equal(v, 123456);
    assert_int_equal(scale, 2);
    assert_int_equal(parse_decimal(S("1234.56"), ',', &v, &scale), PARSE_SYNTAX);
}

static void test_parse_decimal_too_many_digits_is_range(void **state)
{
    (void)state;
    int64_t v;
    int scale;
    assert_int_equal(parse_decimal(S("0.1234567891"), '.', &v, &scale), PARSE_RANGE);
    /* Trailing zeros past the maximum scale lose nothing and are accepted. */
    assert_int_equal(parse_decimal(S("0.123456789000"), '.', &v, &scale), 0);
    assert_int_equal(v, 123456789);
    assert_int_equal(scale, 9);
    assert_int_equal(parse_decimal(S("0.12345678912x"), '.', &v, &scale), PARSE_SYNTAX);
}

static void test_parse_decimal_overflow_is_range(void **state)
{
    (void)state;
    int64_t v;
    int scale;
    assert_int_equal(parse_decimal(S("9223372036854775807"), '.', &v, &scale), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(parse_decimal(S("9223372036854775808"), '.', &v, &scale), PARSE_RANGE);
    /* 10^10 * 10^9 does not fit int64. */
    assert_int_equal(parse_decimal(S("92233720368.000000001"), '.', &v, &scale), PARSE_RANGE);
}

static void test_parse_decimal_rejects_exponent_and_junk(void **state)
{
    (void)state;
    const char *bad[] = {"", ".", "-", "1e5", "1.2.3", "1,5", " 1", "abc", "1.-5", "+-1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t v;
        int scale;
        assert_int_equal(parse_decimal(bad[i], strlen(bad[i]), '.', &v, &scale), PARSE_SYNTAX);
    }
}

static void test_parse_decimal_at_pads_and_checks(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(parse_decimal_at(S("12.5"), '.', 2, &v), 0);
    assert_int_equal(v, 1250);
    assert_int_equal(parse_decimal_at(S("12"), '.', 4, &v), 0);
    assert_int_equal(v, 120000);
    assert_int_equal(parse_decimal_at(S("-3.10"), '.', 1, &v), 0);
    assert_int_equal(v, -31);
    assert_int_equal(parse_decimal_at(S("12.345"), '.', 2, &v), PARSE_RANGE);
    assert_int_equal(parse_decimal_at(S("1"), '.', 10, &v), PARSE_RANGE);
    assert_int_equal(parse_decimal_at(S("922337203685477580.8"), '.', 1, &v), PARSE_RANGE);
    assert_int_equal(parse_decimal_at(S("-922337203685477580.8"), '.', 1, &v), 0);
    assert_true(v == INT64_MIN);
}

static double double_of(const char *s, char mark, int expect_rc)
{
    double v = -12345.0;
    assert_int_equal(parse_double(s, strlen(s), mark, &v), expect_rc);
    return v;
}

static void test_parse_double_common_forms_exact(void **state)
{
    (void)state;
    assert_true(double_of("0.1", '.', 0) == 0.1);
    assert_true(double_of("123.456", '.', 0) == 123.456);
    assert_true(double_of("-2.5", '.', 0) == -2.5);
    assert_true(double_of("1e10", '.', 0) == 1e10);
    assert_true(double_of("1.5E-3", '.', 0) == 1.5e-3);
    assert_true(double_of("42", '.', 0) == 42.0);
    assert_true(double_of("5.", '.', 0) == 5.0);
    assert_true(double_of(".25", '.', 0) == 0.25);
    assert_true(double_of("999999999999999", '.', 0) == 999999999999999.0);
    assert_true(double_of("3,75", ',', 0) == 3.75);
}

static void test_parse_double_negative_zero_keeps_sign(void **state)
{
    (void)state;
    double v = double_of("-0.0", '.', 0);
    assert_true(v == 0.0 && signbit(v));
}

static void test_parse_double_long_forms_match_strtod(void **state)
{
    (void)state;
    const char *texts[] = {"0.30000000000000004441",
                           "123456789012345678901234567890",
                           "2.2250738585072014e-308",
                           "1.7976931348623157e308",
                           "4.9e-324",
                           "0.1e-30",
                           "1e23",
                           "9007199254740993",
                           "3.141592653589793238462643383279",
                           "1e-400"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        double expect = strtod(texts[i], NULL);
        assert_true(double_of(texts[i], '.', 0) == expect);
    }
    /* The decimal mark is swapped before strtod sees the text. */
    assert_true(double_of("3,141592653589793238462643", ',', 0) ==
                strtod("3.141592653589793238462643", NULL));
}

static void test_parse_double_overflow_is_range(void **state)
{
    (void)state;
    double_of("1e309", '.', PARSE_RANGE);
    double_of("-1e309", '.', PARSE_RANGE);
    double_of("1e99999999999999999999", '.', PARSE_RANGE);
}

static void test_parse_double_rejects_inf_nan_hex_and_junk(void **state)
{
    (void)state;
    const char *bad[] = {"inf", "-inf", "nan", "NaN", "infinity", "0x1p3", "",    "-",  ".",
                         "e5",  "1e",   "1e+", " 1",  "1 ",       "1.2.3", "1,5", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        double_of(bad[i], '.', PARSE_SYNTAX);
}

static void test_parse_double_random_decimals_match_strtod(void **state)
{
    (void)state;
    /* Fast-path forms: compare with strtod on many generated texts. */
    srand(7);
    char buf[64];
    for (int n = 0; n < 20000; n++) {
        long long ip = rand() % 1000000000;
        int frac = rand() % 100000;
        int exp = rand() % 45 - 22;
        snprintf(buf, sizeof buf, "%s%lld.%05de%d", n & 1 ? "-" : "", ip, frac, exp);
        double v;
        assert_int_equal(parse_double(buf, strlen(buf), '.', &v), 0);
        if (v != strtod(buf, NULL)) fail_msg("%s: %.17g != %.17g", buf, v, strtod(buf, NULL));
    }
}

static void test_parse_bool_words_any_case(void **state)
{
    (void)state;
    const char *yes[] = {"true", "TRUE", "True", "yes", "YES", "tRuE"};
    const char *no[] = {"false", "FALSE", "False", "no", "No"};
    uint8_t b;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        b = 9;
        assert_int_equal(parse_bool(yes[i], strlen(yes[i]), &b), 0);
        assert_int_equal(b, 1);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        b = 9;
        assert_int_equal(parse_bool(no[i], strlen(no[i]), &b), 0);
        assert_int_equal(b, 0);
    }
    const char *bad[] = {"", "t", "1", "0", "truee", "nope", "y"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(parse_bool(bad[i], strlen(bad[i]), &b), PARSE_SYNTAX);
}

static void test_parse_reads_only_len_bytes(void **state)
{
    (void)state;
    /* Unterminated arrays: the sanitizer build catches any read past len. */
    const char digits[3] = {'1', '2', '3'};
    const char number[4] = {'1', ',', '2', '5'};
    const char word[3] = {'y', 'e', 's'};
    int64_t i;
    int scale;
    double d;
    uint8_t b;
    assert_int_equal(parse_int64(digits, sizeof digits, &i), 0);
    assert_int_equal(i, 123);
    assert_int_equal(parse_decimal(number, sizeof number, ',', &i, &scale), 0);
    assert_int_equal(i, 125);
    assert_int_equal(parse_decimal_at(number, sizeof number, ',', 3, &i), 0);
    assert_int_equal(i, 1250);
    assert_int_equal(parse_double(number, sizeof number, ',', &d), 0);
    assert_true(d == 1.25);
    assert_int_equal(parse_bool(word, sizeof word, &b), 0);
    assert_int_equal(b, 1);
    const char longnum[20] = {'0', '.', '1', '2', '3', '4', '5', '6', '7', '8',
                              '9', '0', '1', '2', '3', '4', '5', '6', '7', '8'};
    assert_int_equal(parse_double(longnum, sizeof longnum, '.', &d), 0);
    assert_true(d == 0.123456789012345678);
}

static void test_parse_double_overlong_text_is_range(void **state)
{
    (void)state;
    /* Past the copy buffer a number is refused rather than misread. */
    char buf[600];
    memset(buf, '1', sizeof buf);
    double d;
    assert_int_equal(parse_double(buf, sizeof buf, '.', &d), PARSE_RANGE);
    buf[10] = 'x';
    assert_int_equal(parse_double(buf, sizeof buf, '.', &d), PARSE_SYNTAX);
}

static void test_parse_double_exponent_with_comma_mark(void **state)
{
    (void)state;
    assert_true(double_of("1,5e3", ',', 0) == 1500.0);
    assert_true(double_of("-2,5E-2", ',', 0) == -0.025);
    double_of("1.5e3", ',', PARSE_SYNTAX);
}

/* "0." then `zeros` zeros, then tail: a long number built in a fresh buffer. */
static int parse_long_fraction(size_t zeros, const char *tail, double *d)
{
    size_t len = 2 + zeros + strlen(tail);
    char *text = malloc(len);
    assert_non_null(text);
    memcpy(text, "0.", 2);
    memset(text + 2, '0', zeros);
    memcpy(text + 2 + zeros, tail, strlen(tail));
    int rc = parse_double(text, len, '.', d);
    free(text);
    return rc;
}

/*
** Regression: exponent digits were no longer accumulated once the exponent reached
** 100000, so 1e1000001 was read as 1e100000, and a fraction of 100000 digits cancelled
** it: 0.(99999 zeros)1e1000001 = 10^-100000 * 10^1000001 = 10^900001 came back as 1.0.
*/
static void test_parse_double_long_fraction_meets_large_exponent(void **state)
{
    (void)state;
    double d = -1;
    assert_int_equal(parse_long_fraction(99999, "1e1000001", &d), PARSE_RANGE);
    /* 10^-1000001 * 10^1000001 = 1: exactly 1, or refused as too long; never another number. */
    d = -1;
    int rc = parse_long_fraction(1000000, "1e1000001", &d);
    assert_true((rc == 0 && d == 1.0) || rc == PARSE_RANGE);
    /* Huge exponents saturate instead of overflowing. */
    assert_int_equal(parse_double(S("1e99999999999999999999999"), '.', &d), PARSE_RANGE);
    assert_int_equal(parse_double(S("1e-99999999999999999999999"), '.', &d), 0);
    assert_true(d == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int_plain_and_signed),
        cmocka_unit_test(test_parse_int_limits_exact),
        cmocka_unit_test(test_parse_int_overflow_is_range),
        cmocka_unit_test(test_parse_int_rejects_non_integers),
        cmocka_unit_test(test_parse_int_uses_length_not_nul),
        cmocka_unit_test(test_parse_decimal_reports_written_scale),
        cmocka_unit_test(test_parse_decimal_comma_mark),
        cmocka_unit_test(test_parse_decimal_too_many_digits_is_range),
        cmocka_unit_test(test_parse_decimal_overflow_is_range),
        cmocka_unit_test(test_parse_decimal_rejects_exponent_and_junk),
        cmocka_unit_test(test_parse_decimal_at_pads_and_checks),
        cmocka_unit_test(test_parse_double_common_forms_exact),
        cmocka_unit_test(test_parse_double_negative_zero_keeps_sign),
        cmocka_unit_test(test_parse_double_long_forms_match_strtod),
        cmocka_unit_test(test_parse_double_overflow_is_range),
        cmocka_unit_test(test_parse_double_rejects_inf_nan_hex_and_junk),
        cmocka_unit_test(test_parse_double_random_decimals_match_strtod),
        cmocka_unit_test(test_parse_bool_words_any_case),
        cmocka_unit_test(test_parse_reads_only_len_bytes),
        cmocka_unit_test(test_parse_double_overlong_text_is_range),
        cmocka_unit_test(test_parse_double_exponent_with_comma_mark),
        cmocka_unit_test(test_parse_double_long_fraction_meets_large_exponent),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
