/*
** e2e_cache.c -- the column cache through the command line: a second run over an
** unchanged file is served from the cache; a change of the file's size or modification
** time, or of the source's declaration, makes it read the file again; a damaged cache
** file is rebuilt; --no-cache writes nothing; the default folder is $XDG_CACHE_HOME.
**
** A hit is seen by changing the file's bytes while keeping its size and time: the run
** then still reports the old values, which only the cache can give.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

static const char rules_text[] =
    "local orders = source \"orders\" { csv = \"orders.csv\", time = \"day\"%s }\n"
    "kpi \"revenue\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n";

/* Write the rule set (extra: more source fields) and orders with amounts a and b. */
static const char *write_case(const char *extra, int a, int b)
{
    char text[1024], orders[256];
    snprintf(text, sizeof text, rules_text, extra);
    snprintf(orders, sizeof orders, "day,amount\n2024-07-01,%d\n2024-07-02,%d\n", a, b);
    tu_write_file("orders.csv", orders, (size_t)-1);
    return tu_write_file("cache.lua", text, (size_t)-1);
}

/* The July revenue `kpiengine run` reports with the cache in tmp/cache (opts: more options). */
static double revenue(const char *rules, const char *opts)
{
    char args[1500];
    snprintf(args, sizeof args,
             "run '%s' --period 2024-07 --no-save --format json --cache '%s/cache' %s", rules,
             tu_tmpdir(), opts);
    char *out = e2e_run_ok("%s", args);
    double v = e2e_number(e2e_with(e2e_member(out, "kpis"), "id", "revenue"), "value");
    tu_free(out);
    return v;
}

/* Run a shell command in the temporary folder; it must succeed. */
static void sh(const char *command)
{
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s", tu_tmpdir(), command);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
}

/* Same size, same time, other bytes: 10+20 becomes 40+50. */
static void rewrite_keeping_stamp(void)
{
    sh("touch -r orders.csv stamp && sed -i 's/,10$/,40/; s/,20$/,50/' orders.csv && "
       "touch -r stamp orders.csv");
}

static void test_cache_serves_an_unchanged_file(void **state)
{
    (void)state;
    const char *rules = write_case("", 10, 20);
    sh("rm -rf cache");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    /* written before the run exits (on the writer thread), and nothing half done left */
    sh("ls cache/*.kcol && ! ls cache/ | grep -q tmp");
    rewrite_keeping_stamp();
    assert_true(tu_close(revenue(rules, ""), 30, 0)); /* from the cache */
    assert_true(tu_close(revenue(rules, "--no-cache"), 90, 0));
}

static void test_cache_is_stale_when_the_time_changes(void **state)
{
    (void)state;
    const char *rules = write_case("", 10, 20);
    sh("rm -rf cache");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    rewrite_keeping_stamp();
    sh("touch -d '2030-01-01 00:00:00' orders.csv");
    assert_true(tu_close(revenue(rules, ""), 90, 0));
}

static void test_cache_is_stale_when_the_size_changes(void **state)
{
    (void)state;
    const char *rules = write_case("", 10, 20);
    sh("rm -rf cache");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    sh("touch -r orders.csv stamp && echo 2024-07-03,5 >> orders.csv && touch -r stamp orders.csv");
    assert_true(tu_close(revenue(rules, ""), 35, 0));
}

static void test_cache_is_stale_when_the_declaration_changes(void **state)
{
    (void)state;
    const char *rules = write_case("", 10, 20);
    sh("rm -rf cache");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    rewrite_keeping_stamp();
    rules = write_case(", columns = { amount = \"float\" }", 40, 50);
    sh("touch -r stamp orders.csv");
    assert_true(tu_close(revenue(rules, ""), 90, 0));
}

static void test_cache_damaged_file_is_rebuilt(void **state)
{
    (void)state;
    const char *rules = write_case("", 10, 20);
    sh("rm -rf cache");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    /* a byte of the header: the file is refused and written again */
    sh("f=$(ls cache/*.kcol) && printf 'X' | dd of=\"$f\" bs=1 seek=20 conv=notrunc 2>/dev/null");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    sh("f=$(ls cache/*.kcol) && test \"$(dd if=\"$f\" bs=1 skip=20 count=1 2>/dev/null)\" != X");
    /* a truncated file too */
    sh("f=$(ls cache/*.kcol) && truncate -s 100 \"$f\"");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    sh("f=$(ls cache/*.kcol) && test $(stat -c %s \"$f\") -gt 100");
}

static void test_cache_verify_finds_a_damaged_value(void **state)
{
    (void)state;
    const char *rules = write_case("", 10, 20);
    sh("rm -rf cache");
    assert_true(tu_close(revenue(rules, ""), 30, 0));
    /* flip the last byte of the file, which is data, not header */
    sh("f=$(ls cache/*.kcol) && n=$(stat -c %s \"$f\") && "
       "printf '\\377' | dd of=\"$f\" bs=1 seek=$((n - 1)) conv=notrunc 2>/dev/null");
    rewrite_keeping_stamp();
    assert_true(tu_close(revenue(rules, "--verify-cache"), 90, 0)); /* refused: read the file */
}

static void test_no_cache_writes_nothing_and_default_is_xdg(void **state)
{
    (void)state;
    const char *rules = write_case("", 10, 20);
    char args[1500];
    sh("rm -rf xdg");
    snprintf(args, sizeof args, "run '%s' --period 2024-07 --no-save --format json --no-cache",
             rules);
    char cmd[2000], *out;
    snprintf(cmd, sizeof cmd, "XDG_CACHE_HOME='%s/xdg' %s/kpiengine %s", tu_tmpdir(),
             KPI_BINARY_DIR, args);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    tu_free(out);
    sh("test ! -e xdg");
    snprintf(
        cmd, sizeof cmd,
        "XDG_CACHE_HOME='%s/xdg' %s/kpiengine run '%s' --period 2024-07 --no-save --format json",
        tu_tmpdir(), KPI_BINARY_DIR, rules);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    tu_free(out);
    sh("ls xdg/kpiengine/*.kcol");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_serves_an_unchanged_file),
        cmocka_unit_test(test_cache_is_stale_when_the_time_changes),
        cmocka_unit_test(test_cache_is_stale_when_the_size_changes),
        cmocka_unit_test(test_cache_is_stale_when_the_declaration_changes),
        cmocka_unit_test(test_cache_damaged_file_is_rebuilt),
        cmocka_unit_test(test_cache_verify_finds_a_damaged_value),
        cmocka_unit_test(test_no_cache_writes_nothing_and_default_is_xdg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
