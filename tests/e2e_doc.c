/*
** e2e_doc.c -- end to end: `kpiengine doc`. The committed manual (docs/lua-api.md) and
** editor annotations (docs/kpiengine.meta.lua) must be exactly what the engine prints,
** so they cannot drift from the language; the annotations must be Lua; `doc NAME`
** shows one entry, and an unknown name exits 2 with the closest one.
**
** When a committed file is out of date, regenerate it:
**   kpiengine doc --markdown -o docs/lua-api.md
**   kpiengine doc --meta -o docs/kpiengine.meta.lua
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2eutil.h"
#include "testutil.h"

#define MANUAL KPI_SOURCE_DIR "/docs/lua-api.md"
#define META   KPI_SOURCE_DIR "/docs/kpiengine.meta.lua"

/* The whole file at path (free with free), or fail the test. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot read %s", path);
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t got;
    while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            text = realloc(text, cap *= 2);
            assert_non_null(text);
        }
    }
    fclose(f);
    text[len] = '\0';
    return text;
}

/* Fail, naming the first line that differs, unless the committed file is what doc prints. */
static void assert_committed(const char *path, const char *args, const char *regenerate)
{
    char *committed = slurp(path);
    char *printed = e2e_run_ok("%s", args);
    if (strcmp(committed, printed) != 0) {
        size_t line = 1, i = 0;
        for (; committed[i] && committed[i] == printed[i]; i++)
            line += committed[i] == '\n';
        fail_msg("%s differs from `kpiengine %s` at line %zu: regenerate it with `%s`", path, args,
                 line, regenerate);
    }
    free(committed);
    tu_free(printed);
}

static void test_committed_manual_is_what_doc_markdown_prints(void **state)
{
    (void)state;
    assert_committed(MANUAL, "doc --markdown", "kpiengine doc --markdown -o docs/lua-api.md");
}

static void test_committed_meta_is_what_doc_meta_prints(void **state)
{
    (void)state;
    assert_committed(META, "doc --meta", "kpiengine doc --meta -o docs/kpiengine.meta.lua");
}

static void test_meta_file_is_lua(void **state)
{
    (void)state;
    const char *luac = access("/usr/bin/luac5.4", X_OK) == 0 ? "luac5.4" : "luac";
    char cmd[600], *err = NULL;
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null", luac);
    if (tu_run(cmd, NULL, NULL) != 0) {
        print_message("no luac on this machine: the meta file's syntax is not checked\n");
        skip();
    }
    snprintf(cmd, sizeof cmd, "%s -p '%s'", luac, META);
    int rc = tu_run(cmd, NULL, &err);
    if (rc != 0) fail_msg("%s is not Lua: %s", META, err);
    tu_free(err);
}

static void test_meta_declares_the_classes_and_globals(void **state)
{
    (void)state;
    char *meta = e2e_run_ok("doc --meta");
    static const char *const want[] = {
        "---@meta kpiengine",
        "---@class Table: View",
        "---@class View",
        "---@class GroupedView",
        "---@class Series",
        "---@class IdSet",
        "---@class Period",
        "---@class K",
        "---@class KpiSpec",
        "---@class SourceSpec",
        "---@field target number",
        "---@field owner? string",
        "---@param column string\n---@return number?\nfunction "
        "View:sum(column) end",
        "---@return fun(spec: SourceSpec): Table\nfunction source(name) end",
        "---@operator sub(IdSet): IdSet"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(meta, want[i])) fail_msg("doc --meta lacks \"%s\"", want[i]);
    tu_free(meta);
}

static void test_doc_name_shows_that_entry(void **state)
{
    (void)state;
    char *out = e2e_run_ok("doc View:sum");
    assert_non_null(strstr(out, "View:sum  (method)"));
    assert_non_null(strstr(out, "v:sum(column) -> number|nil"));
    assert_non_null(strstr(out, "Sum of the values")); /* agg_builtins' own sentence */
    assert_non_null(strstr(out, "orders:during(p):sum \"amount\""));
    assert_null(strstr(out, "GroupedView"));
    tu_free(out);
    out = e2e_run_ok("doc kpi.target");
    assert_non_null(strstr(out, "kpi.target  (field)\n  target = number\n  required"));
    tu_free(out);
    out = e2e_run_ok("doc Period.label");
    assert_non_null(strstr(out, "\"2024-Q3\""));
    tu_free(out);
    out = e2e_run_ok("doc source.on_error");
    assert_non_null(strstr(out, "optional; default: \"fail\""));
    tu_free(out);
}

static void test_doc_table_method_shows_the_view_method(void **state)
{
    (void)state;
    char *out = e2e_run_ok("doc Table:where");
    assert_non_null(strstr(out, "View:where  (method)"));
    tu_free(out);
}

static void test_doc_bare_name_shows_every_entry_ending_in_it(void **state)
{
    (void)state;
    char *out = e2e_run_ok("doc description");
    const char *owners[] = {"ruleset.description", "source.description", "kpi.description",
                            "review.description"};
    for (size_t i = 0; i < sizeof owners / sizeof *owners; i++)
        assert_non_null(strstr(out, owners[i]));
    tu_free(out);
}

static void test_doc_lists_every_name_without_arguments(void **state)
{
    (void)state;
    char *out = e2e_run_ok("doc");
    assert_non_null(strstr(out, "\nView:quantile "));
    assert_non_null(strstr(out, "\nk "));
    assert_non_null(strstr(out, "\ntest "));
    tu_free(out);
}

static void test_doc_unknown_name_exits_2_with_did_you_mean(void **state)
{
    (void)state;
    e2e_assert_error("doc View:summ", 2, "doc: no entry 'View:summ' (did you mean 'View:sum'?)");
    e2e_assert_error("doc kpi.tagret", 2, "(did you mean 'kpi.target'?)");
    e2e_assert_error("doc zzzzzzzzzzzz", 2, "doc: no entry 'zzzzzzzzzzzz' (kpiengine doc lists");
}

static void test_doc_option_errors_exit_2(void **state)
{
    (void)state;
    e2e_assert_error("doc --markdown --meta", 2, "doc: give one of --markdown, --meta or a NAME");
    e2e_assert_error("doc --html", 2, "doc: unknown option '--html'");
    e2e_assert_error("doc View:sum Period.label", 2, "doc: one name expected");
}

static void test_doc_output_file_holds_the_manual(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/manual.md", tu_tmpdir());
    char *out = e2e_run_ok("doc --markdown -o '%s'", path);
    assert_string_equal(out, "");
    tu_free(out);
    char *written = slurp(path), *printed = e2e_run_ok("doc --markdown");
    assert_string_equal(written, printed);
    free(written);
    tu_free(printed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_manual_is_what_doc_markdown_prints),
        cmocka_unit_test(test_committed_meta_is_what_doc_meta_prints),
        cmocka_unit_test(test_meta_file_is_lua),
        cmocka_unit_test(test_meta_declares_the_classes_and_globals),
        cmocka_unit_test(test_doc_name_shows_that_entry),
        cmocka_unit_test(test_doc_table_method_shows_the_view_method),
        cmocka_unit_test(test_doc_bare_name_shows_every_entry_ending_in_it),
        cmocka_unit_test(test_doc_lists_every_name_without_arguments),
        cmocka_unit_test(test_doc_unknown_name_exits_2_with_did_you_mean),
        cmocka_unit_test(test_doc_option_errors_exit_2),
        cmocka_unit_test(test_doc_output_file_holds_the_manual),
    };
    return cmocka_run_group_tests_name("e2e_doc", tests, NULL, NULL);
}
