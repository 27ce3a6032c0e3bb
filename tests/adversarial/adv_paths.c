/*
** adv_paths.c -- source paths that try to leave the data root (the rule set's folder,
** or --data DIR): "..", absolute paths, symbolic links to files or folders outside.
**
** Each is the rule set's error (exit 3) at the source's line, naming the path as
** written and the root; nothing outside is read. Paths that stay inside, through ".."
** or a link, are fine. Bad options are usage errors (exit 2).
*/
#define _DEFAULT_SOURCE /* symlink */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "advutil.h"
#include "e2eutil.h"
#include "testutil.h"

#define QUICK 10.0

static const char orders[] = "day,amount\n2024-08-01,5\n2024-08-02,6\n";

/*
** The layout every test uses, below tu_tmpdir(): root/ (the rule sets, root/in.csv,
** root/sub/) and outside/secret.csv and outside/secret.db beside it.
*/
static int setup_tree(void **state)
{
    (void)state;
    adv_mkdir("root/sub");
    adv_mkdir("outside");
    tu_write_file("root/in.csv", orders, (size_t)-1);
    tu_write_file("outside/secret.csv", orders, (size_t)-1);
    tu_write_file("outside/secret.db", "not read", (size_t)-1);
    return 0;
}

/* A rule set root/name whose line 2 declares source "o" with field = "path". */
static const char *path_rules(const char *name, const char *field, const char *path)
{
    char rel[256], body[1024];
    snprintf(rel, sizeof rel, "root/%s", name);
    snprintf(body, sizeof body,
             "local o = source \"o\" { %s = \"%s\", %stime = \"day\" }\n"
             "kpi \"k\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
             "  value = function(p) return o:during(p):sum \"amount\" end }\n",
             field, path, strcmp(field, "sqlite") == 0 ? "table = \"t\", " : "");
    return adv_rules(rel, body);
}

/* A link at root/name (relative to tu_tmpdir()) pointing to target. */
static void link_at(const char *name, const char *target)
{
    const char *path = adv_path(name);
    unlink(path);
    if (symlink(target, path) != 0) fail_msg("cannot link %s", path);
}

/* The rule set root/name over path must fail with exit 3 and "name:2: <message>". */
static void escapes(const char *name, const char *field, const char *path, const char *message)
{
    char expected[1200];
    snprintf(expected, sizeof expected, "%s:2: source 'o': %s", name, message);
    adv_run_fails(path_rules(name, field, path), "--period 2024-08", ADV_SCRIPT, expected, QUICK);
}

/* The rule set root/name over path reads it: August's amounts are 5 + 6. */
static void reads(const char *name, const char *path)
{
    char *json = adv_run_json(path_rules(name, "csv", path), "--period 2024-08", QUICK);
    assert_true(adv_kpi_value(json, "k") == 11);
    tu_free(json);
}

static void test_adv_path_with_dotdot_outside_the_root_is_refused(void **state)
{
    (void)state;
    escapes("dotdot.lua", "csv", "../outside/secret.csv",
            "path '../outside/secret.csv' is outside the data folder");
    escapes("dotdot_deep.lua", "csv", "sub/../../outside/secret.csv",
            "path 'sub/../../outside/secret.csv' is outside the data folder");
    escapes("dotdot_db.lua", "sqlite", "../outside/secret.db",
            "path '../outside/secret.db' is outside the data folder");
    /* even when nothing is there: the path alone says where it goes */
    escapes("dotdot_missing.lua", "csv", "../../../etc/nothing.csv",
            "path '../../../etc/nothing.csv' is outside the data folder");
}

static void test_adv_dotdot_that_stays_inside_is_fine(void **state)
{
    (void)state;
    reads("dotdot_inside.lua", "sub/../in.csv");
    reads("dot_inside.lua", "./sub/./../in.csv");
}

static void test_adv_absolute_path_is_refused(void **state)
{
    (void)state;
    escapes("absolute.lua", "csv", "/etc/passwd",
            "path '/etc/passwd' is absolute; give it relative to the data folder");
    /* absolute even when it names a file inside the root */
    char inside[512], message[700];
    snprintf(inside, sizeof inside, "%s", adv_path("root/in.csv"));
    snprintf(message, sizeof message, "path '%s' is absolute", inside);
    escapes("absolute_inside.lua", "csv", inside, message);
}

static void test_adv_symlink_out_of_the_root_is_refused(void **state)
{
    (void)state;
    link_at("root/link.csv", "../outside/secret.csv");
    escapes("link_file.lua", "csv", "link.csv", "path 'link.csv' is outside the data folder");
    link_at("root/abs_link.csv", adv_path("outside/secret.csv"));
    escapes("link_abs.lua", "csv", "abs_link.csv",
            "path 'abs_link.csv' is outside the data folder");
    link_at("root/linkdir", "../outside");
    escapes("link_dir.lua", "csv", "linkdir/secret.csv",
            "path 'linkdir/secret.csv' is outside the data folder");
    link_at("root/link.db", "../outside/secret.db");
    escapes("link_db.lua", "sqlite", "link.db", "path 'link.db' is outside the data folder");
    link_at("root/etc", "/etc");
    escapes("link_etc.lua", "csv", "etc/passwd", "path 'etc/passwd' is outside the data folder");
}

static void test_adv_symlink_inside_the_root_is_fine(void **state)
{
    (void)state;
    link_at("root/sub/alias.csv", "../in.csv");
    reads("link_inside.lua", "sub/alias.csv");
    /* out through a link and back in again: where it lands is what counts */
    link_at("root/linkdir", "../outside");
    reads("link_back.lua", "linkdir/../root/in.csv");
}

static void test_adv_dangling_symlink_reads_nothing(void **state)
{
    (void)state;
    /* its target does not exist, so it cannot be resolved: opening it fails */
    link_at("root/dangling.csv", "../outside/not_yet.csv");
    adv_run_fails(path_rules("dangling.lua", "csv", "dangling.csv"), "--period 2024-08", ADV_DATA,
                  "dangling.csv: source 'o': cannot open", QUICK);
}

static void test_adv_data_root_option_bounds_the_paths(void **state)
{
    (void)state;
    char extra[700];
    const char *rules = path_rules("data_root.lua", "csv", "../in.csv");
    /* with --data root/sub, root/in.csv is outside */
    snprintf(extra, sizeof extra, "--period 2024-08 --data '%s'", adv_path("root/sub"));
    adv_run_fails(rules, extra, ADV_SCRIPT,
                  "data_root.lua:2: source 'o': path '../in.csv' is outside the data folder",
                  QUICK);
    snprintf(extra, sizeof extra, "--period 2024-08 --data '%s'", adv_path("root/in.csv"));
    adv_run_fails(rules, extra, ADV_USAGE, "' is not a directory", QUICK);
    adv_run_fails(adv_path("root/no_such_rules.lua"), "--period 2024-08", ADV_USAGE,
                  "no_such_rules.lua: cannot open the rule set", QUICK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adv_path_with_dotdot_outside_the_root_is_refused),
        cmocka_unit_test(test_adv_dotdot_that_stays_inside_is_fine),
        cmocka_unit_test(test_adv_absolute_path_is_refused),
        cmocka_unit_test(test_adv_symlink_out_of_the_root_is_refused),
        cmocka_unit_test(test_adv_symlink_inside_the_root_is_fine),
        cmocka_unit_test(test_adv_dangling_symlink_reads_nothing),
        cmocka_unit_test(test_adv_data_root_option_bounds_the_paths),
    };
    return cmocka_run_group_tests_name("adversarial paths", tests, setup_tree, NULL);
}
