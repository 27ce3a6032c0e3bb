/*
** e2e_progress.c -- the progress line of a long load: on stderr when it is a terminal,
** naming the file and how far its load is, erased when the load ends; never when
** stderr is a pipe or a file, and not for a load shorter than the delay (one second,
** KPIENGINE_PROGRESS_AFTER seconds when set; 0 here, so a small file shows it).
**
** The terminal is a pseudo-terminal made by script(1), as in e2e_color.c.
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
#define ROWS   400000 /* about 12 MB: the loader reads it in several pieces */

static const char rules[] =
    "ruleset { name = \"Progress test\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"orders.csv\", time = \"day\" }\n"
    "kpi \"orders\" { unit = \"count\", better = \"higher\", minimum = 5, target = 9,\n"
    "  value = function(p) return orders:during(p):count() end }\n";

/* The rule set and an orders file of ROWS rows in July 2024; returns the rule set's path. */
static const char *write_files(void)
{
    size_t cap = (size_t)ROWS * 40 + 64, used = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    used += (size_t)snprintf(text, cap, "day,customer,amount\n");
    for (long i = 0; i < ROWS; i++)
        used += (size_t)snprintf(text + used, cap - used, "2024-07-%02ld,C%07ld,%ld.50\n",
                                 1 + i * 31 / ROWS, i % 9973, i % 1000);
    tu_write_file("orders.csv", text, used);
    free(text);
    return tu_write_file("progress.lua", rules, (size_t)-1);
}

/* Run on a terminal (tty) or with stderr to a pipe; *out: the terminal's or stderr's text. */
static int run(int tty, const char *env, char **out)
{
    const char *path = write_files();
    char inner[2048], cmd[4096];
    snprintf(inner, sizeof inner,
             "env %s '%s' run '%s' --no-save --period 2024-07 --format json -o '%s/r.json'", env,
             ENGINE, path, tu_tmpdir());
    if (tty) {
        snprintf(cmd, sizeof cmd, "script -qec \"%s\" /dev/null", inner);
        return tu_run(cmd, out, NULL);
    }
    return tu_run(inner, NULL, out);
}

static void test_progress_on_a_terminal_names_the_file_and_is_erased(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run(1, "KPIENGINE_PROGRESS_AFTER=0", &out), 0);
    const char *line = strstr(out, "\rkpiengine: loading ");
    if (!line || !strstr(line, "orders.csv") || !strchr(line, '%'))
        fail_msg("no progress line on the terminal:\n%s", out);
    /* the last thing written is the erasure: a carriage return after blanks */
    size_t n = strlen(out);
    assert_true(n >= 2 && out[n - 1] == '\r' && out[n - 2] == ' ');
    tu_free(out);
}

static void test_no_progress_when_stderr_is_not_a_terminal(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(run(0, "KPIENGINE_PROGRESS_AFTER=0", &err), 0);
    assert_null(strstr(err, "loading"));
    assert_null(strchr(err, '\r'));
    tu_free(err);
}

static void test_no_progress_for_a_load_shorter_than_the_delay(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run(1, "KPIENGINE_PROGRESS_AFTER=3600", &out), 0);
    assert_null(strstr(out, "loading"));
    tu_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_on_a_terminal_names_the_file_and_is_erased),
        cmocka_unit_test(test_no_progress_when_stderr_is_not_a_terminal),
        cmocka_unit_test(test_no_progress_for_a_load_shorter_than_the_delay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
