/*
** e2e_color.c -- colour in `kpiengine run`'s table: only on a terminal, never with
** NO_COLOR, --no-color or TERM=dumb, never in a file, and never instead of a word.
**
** The terminal is a pseudo-terminal made by script(1) (util-linux, part of every
** Debian system), so the test sees exactly what a person at a terminal would.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#define ENGINE KPI_BINARY_DIR "/kpiengine"

static const char rules[] =
    "ruleset { name = \"Colour test\", currency = \"VND\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"orders.csv\", time = \"day\" }\n"
    "kpi \"revenue\" { unit = \"VND\", better = \"higher\", minimum = 10, target = 20,\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n"
    "kpi \"orders\" { unit = \"count\", better = \"higher\", minimum = 5, target = 9,\n"
    "  value = function(p) return orders:during(p):count() end }\n";

/* 2024-07: revenue 30 (met target), 2 orders (below minimum). */
static const char orders[] = "day,amount\n2024-07-01,10\n2024-07-02,20\n2024-08-01,5\n";

/*
** Run `kpiengine run` on the test rule set with env (assignments) and extra args; on a
** terminal when tty is set. Returns the exit status; *out holds what the terminal or
** stdout received (tu_free it).
*/
static int run(int tty, const char *env, const char *extra, char **out)
{
    tu_write_file("orders.csv", orders, (size_t)-1);
    const char *path = tu_write_file("colour.lua", rules, (size_t)-1);
    char inner[2048], cmd[4096];
    snprintf(inner, sizeof inner, "env %s '%s' run '%s' --no-save --period 2024-07 %s", env,
             ENGINE, path, extra);
    if (tty)
        snprintf(cmd, sizeof cmd, "script -qec \"%s\" /dev/null", inner);
    else
        snprintf(cmd, sizeof cmd, "%s", inner);
    return tu_run(cmd, out, NULL);
}

static void assert_words(const char *out)
{
    if (!strstr(out, "met target") || !strstr(out, "below minimum"))
        fail_msg("the statuses are not written as words:\n%s", out);
}

static void test_color_on_a_terminal(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run(1, "-u NO_COLOR TERM=xterm", "", &out), 0);
    if (!strstr(out, "\x1b[")) fail_msg("no colour on a terminal:\n%s", out);
    assert_words(out);
    tu_free(out);
}

static void test_color_off_with_no_color_variable(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run(1, "NO_COLOR=1 TERM=xterm", "", &out), 0);
    assert_null(strchr(out, '\x1b'));
    assert_words(out);
    tu_free(out);
}

static void test_color_off_with_option(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run(1, "-u NO_COLOR TERM=xterm", "--no-color", &out), 0);
    assert_null(strchr(out, '\x1b'));
    assert_words(out);
    tu_free(out);
}

static void test_color_off_on_a_dumb_terminal(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run(1, "-u NO_COLOR TERM=dumb", "", &out), 0);
    assert_null(strchr(out, '\x1b'));
    tu_free(out);
}

static void test_color_off_in_a_pipe_and_in_a_file(void **state)
{
    (void)state;
    char *out, extra[1024];
    assert_int_equal(run(0, "-u NO_COLOR TERM=xterm", "", &out), 0);
    assert_null(strchr(out, '\x1b'));
    assert_words(out);
    tu_free(out);
    char report[900];
    snprintf(report, sizeof report, "%s/report.txt", tu_tmpdir());
    snprintf(extra, sizeof extra, "-o '%s'", report);
    assert_int_equal(run(1, "-u NO_COLOR TERM=xterm", extra, &out), 0);
    tu_free(out);
    FILE *f = fopen(report, "r");
    assert_non_null(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_null(strchr(text, '\x1b'));
    assert_words(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_color_on_a_terminal),
        cmocka_unit_test(test_color_off_with_no_color_variable),
        cmocka_unit_test(test_color_off_with_option),
        cmocka_unit_test(test_color_off_on_a_dumb_terminal),
        cmocka_unit_test(test_color_off_in_a_pipe_and_in_a_file),
    };
    return cmocka_run_group_tests_name("color", tests, NULL, NULL);
}
