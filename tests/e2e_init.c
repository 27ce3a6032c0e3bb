/*
** e2e_init.c -- end to end: `kpiengine init DIR --template retail|b2b` makes a client
** folder that runs at once. The new folder's rule set must give, for a period, the same
** KPIs with the same values as the committed sample (kpis/<template>.lua on kpis/data):
** the templates are the committed rule sets and the sample data comes from the same
** generator with the same seed, so the generated CSV files equal the committed ones byte
** for byte. Bad input exits 2 and leaves no folder behind.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2eutil.h"
#include "testutil.h"

static int group_teardown(void **state)
{
    (void)state;
    e2e_reports_free();
    return 0;
}

static const char *tmp_path(const char *rel)
{
    static char paths[4][600];
    static int next;
    char *p = paths[next++ & 3];
    snprintf(p, 600, "%s/%s", tu_tmpdir(), rel);
    return p;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* How many entries of the temporary folder start with prefix (leftover DIR.tmp-*). */
static int entries_starting(const char *prefix)
{
    DIR *d = opendir(tu_tmpdir());
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* init name with template, then check its report against the committed sample's. */
static void check_template(const char *name, const char *tmpl)
{
    const char *dir = tmp_path(name);
    char *out = e2e_run_ok("init '%s' --template %s", dir, tmpl);
    assert_non_null(strstr(out, "Created"));
    tu_free(out);
    char ruleset[700], sample[700];
    snprintf(ruleset, sizeof ruleset, "%s/%s.lua", dir, tmpl);
    snprintf(sample, sizeof sample, "%s/kpis/%s.lua", KPI_SOURCE_DIR, tmpl);
    const char *got = e2e_member(e2e_report_for(ruleset, "2024-06"), "kpis");
    const char *want = e2e_member(e2e_report_for(sample, "2024-06"), "kpis");
    assert_true(e2e_length(want) > 10);
    assert_int_equal(e2e_length(got), e2e_length(want));
    char id[64], id2[64];
    for (int i = 0; i < e2e_length(want); i++) {
        const char *w = e2e_element(want, i), *g = e2e_element(got, i);
        assert_string_equal(e2e_text(g, "id", id, sizeof id), e2e_text(w, "id", id2, sizeof id2));
        e2e_check_value(id, e2e_number(g, "value"), e2e_number(w, "value"));
        assert_string_equal(e2e_text(g, "status", id, sizeof id),
                            e2e_text(w, "status", id2, sizeof id2));
    }
}

static void test_init_retail_runs_every_kpi_of_the_sample(void **state)
{
    (void)state;
    check_template("retail_client", "retail");
}

static void test_init_b2b_runs_every_kpi_of_the_sample(void **state)
{
    (void)state;
    check_template("b2b_client", "b2b");
}

static void test_init_writes_readme_lib_and_the_committed_sample_data(void **state)
{
    (void)state;
    const char *dir = tmp_path("layout");
    tu_free(e2e_run_ok("init '%s' --template retail", dir));
    char path[800], cmd[1800];
    const char *files[] = {"README.md",    "retail.test.lua", "lib/marketing.lua",
                           "lib/safe.lua", "lib/sales.lua",   "data/retail/csat.db"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (!exists(path)) fail_msg("init wrote no %s", files[i]);
    }
    const char *csv[] = {"orders.csv", "spend.csv", "leads.csv", "sessions.csv", "campaigns.csv"};
    for (size_t i = 0; i < sizeof csv / sizeof *csv; i++) {
        snprintf(cmd, sizeof cmd, "cmp '%s/data/retail/%s' '%s/kpis/data/retail/%s'", dir, csv[i],
                 KPI_SOURCE_DIR, csv[i]);
        if (tu_run(cmd, NULL, NULL) != 0) fail_msg("%s differs from the committed sample", csv[i]);
    }
    char *readme = NULL;
    snprintf(cmd, sizeof cmd, "cat '%s/README.md'", dir);
    assert_int_equal(tu_run(cmd, &readme, NULL), 0);
    assert_non_null(strstr(readme, "kpiengine run retail.lua"));
    assert_non_null(strstr(readme, "kpiengine check retail.lua"));
    assert_non_null(strstr(readme, "kpiengine test retail.lua"));
    tu_free(readme);
}

static void test_init_folder_passes_its_check_and_its_tests(void **state)
{
    (void)state;
    const char *dir = tmp_path("tested");
    tu_free(e2e_run_ok("init '%s' --template retail", dir));
    tu_free(e2e_run_ok("check '%s/retail.lua'", dir));
    char *out = e2e_run_ok("test '%s/retail.lua'", dir);
    assert_non_null(strstr(out, " 0 failed"));
    tu_free(out);
}

static void test_init_into_an_empty_folder_fills_it(void **state)
{
    (void)state;
    const char *dir = tmp_path("empty_client");
    assert_int_equal(mkdir(dir, 0755), 0);
    tu_free(e2e_run_ok("init '%s/' --template b2b", dir));
    char path[700];
    snprintf(path, sizeof path, "%s/b2b.lua", dir);
    assert_true(exists(path));
    assert_int_equal(entries_starting("empty_client.tmp-"), 0);
}

static void test_init_refuses_a_folder_that_is_not_empty(void **state)
{
    (void)state;
    const char *dir = tmp_path("busy");
    assert_int_equal(mkdir(dir, 0755), 0);
    tu_write_file("busy/notes.txt", "keep me", (size_t)-1);
    char args[800];
    snprintf(args, sizeof args, "init '%s' --template retail", dir);
    e2e_assert_error(args, 2, "init: '");
    e2e_assert_error(args, 2, "/busy' exists and is not an empty folder; choose a new one");
    assert_int_equal(entries_starting("busy.tmp-"), 0);
    /* a file is refused too */
    snprintf(args, sizeof args, "init '%s/notes.txt' --template retail", dir);
    e2e_assert_error(args, 2, "exists and is not an empty folder");
}

static void test_init_unknown_template_exits_2_with_did_you_mean(void **state)
{
    (void)state;
    char args[800];
    snprintf(args, sizeof args, "init '%s' --template retial", tmp_path("typo"));
    e2e_assert_error(args, 2, "init: unknown template 'retial' (did you mean 'retail'?)");
    snprintf(args, sizeof args, "init '%s' --template saas", tmp_path("typo"));
    e2e_assert_error(args, 2, "init: unknown template 'saas' (retail or b2b)");
    assert_false(exists(tmp_path("typo")));
    assert_int_equal(entries_starting("typo"), 0);
}

static void test_init_usage_errors_exit_2(void **state)
{
    (void)state;
    e2e_assert_error("init --template retail", 2, "init: missing the folder");
    char args[800];
    snprintf(args, sizeof args, "init '%s'", tmp_path("no_template"));
    e2e_assert_error(args, 2, "init: missing --template (retail or b2b)");
    snprintf(args, sizeof args, "init '%s' --template retail --colour", tmp_path("x"));
    e2e_assert_error(args, 2, "init: unknown option '--colour'");
    assert_false(exists(tmp_path("no_template")));
}

static void test_init_under_a_missing_folder_exits_4_leaving_nothing(void **state)
{
    (void)state;
    char args[800];
    snprintf(args, sizeof args, "init '%s/client' --template retail", tmp_path("missing"));
    e2e_assert_error(args, 4, "init: cannot create a folder beside");
    assert_false(exists(tmp_path("missing")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_retail_runs_every_kpi_of_the_sample),
        cmocka_unit_test(test_init_b2b_runs_every_kpi_of_the_sample),
        cmocka_unit_test(test_init_writes_readme_lib_and_the_committed_sample_data),
        cmocka_unit_test(test_init_folder_passes_its_check_and_its_tests),
        cmocka_unit_test(test_init_into_an_empty_folder_fills_it),
        cmocka_unit_test(test_init_refuses_a_folder_that_is_not_empty),
        cmocka_unit_test(test_init_unknown_template_exits_2_with_did_you_mean),
        cmocka_unit_test(test_init_usage_errors_exit_2),
        cmocka_unit_test(test_init_under_a_missing_folder_exits_4_leaving_nothing),
    };
    return cmocka_run_group_tests_name("e2e_init", tests, NULL, group_teardown);
}
