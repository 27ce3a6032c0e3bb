/*
** e2e_progress.c -- the progress line of a long load: on stderr when it is a terminal,
** naming the file and how far its load is, erased when the load ends; never when
** stderr is a pipe or a file, and not for a load shorter than the delay (one second,
** KPIENGINE_PROGRESS_AFTER seconds when set; 0 here, so a small file shows it). Files
** that load at once share the line.
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

/* Two sources: they load at once (dsl_prefetch), and the line shows both. */
static const char two_sources[] =
    "ruleset { name = \"Progress test\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"orders.csv\", time = \"day\" }\n"
    "local returns = source \"returns\" { csv = \"returns.csv\", time = \"day\" }\n"
    "kpi \"orders\" { unit = \"count\", better = \"higher\", minimum = 5, target = 9,\n"
    "  value = function(p) return orders:during(p):count() end }\n"
    "kpi \"returns\" { unit = \"count\", better = \"lower\", minimum = 9, target = 5,\n"
    "  value = function(p) return returns:during(p):count() end }\n";

/* A file of ROWS rows in July 2024 (day, customer, amount). */
static void write_rows(const char *name)
{
    size_t cap = (size_t)ROWS * 40 + 64, used = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    used += (size_t)snprintf(text, cap, "day,customer,amount\n");
    for (long i = 0; i < ROWS; i++)
        used += (size_t)snprintf(text + used, cap - used, "2024-07-%02ld,C%07ld,%ld.50\n",
                                 1 + i * 31 / ROWS, i % 9973, i % 1000);
    tu_write_file(name, text, used);
    free(text);
}

/* The rule set (text) and its files; returns the rule set's path. */
static const char *write_files(const char *text)
{
    write_rows("orders.csv");
    if (strstr(text, "returns.csv")) write_rows("returns.csv");
    return tu_write_file("progress.lua", text, (size_t)-1);
}

/* Run on a terminal (tty) or with stderr to a pipe; *out: the terminal's or stderr's text. */
static int run_rules(const char *text, int tty, const char *env, char **out)
{
    const char *path = write_files(text);
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

static int run(int tty, const char *env, char **out)
{
    return run_rules(rules, tty, env, out);
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

static void test_files_loading_at_once_are_each_shown_then_erased(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run_rules(two_sources, 1, "KPIENGINE_PROGRESS_AFTER=0", &out), 0);
    if (!strstr(out, "\rkpiengine: loading ") || !strstr(out, "orders.csv") ||
        !strstr(out, "returns.csv"))
        fail_msg("not both files on the progress line:\n%s", out);
    size_t n = strlen(out);
    assert_true(n >= 2 && out[n - 1] == '\r' && out[n - 2] == ' ');
    tu_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_on_a_terminal_names_the_file_and_is_erased),
        cmocka_unit_test(test_no_progress_when_stderr_is_not_a_terminal),
        cmocka_unit_test(test_no_progress_for_a_load_shorter_than_the_delay),
        cmocka_unit_test(test_files_loading_at_once_are_each_shown_then_erased),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
