/*
** test_lua_sandbox.c -- the restricted environment rule sets run in and its limits
** (engine/lua/sandbox*.c, strmatch.c), driven through rules_open / rules_evaluate.
**
** Each test writes a small rule set into the temporary folder: one KPI "x" whose
** value function holds the code under test, starting on line 3 of the file. The limits
** are small (a few hundred thousand instructions, 8 MiB, a quarter second) so that
** every bomb stops quickly; each failure asserts the kind, the file:line and the
** message, which names the KPI.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lua/rules.h"
#include "testutil.h"

#define BODY_LINE 3 /* the first line of a KPI body written by kpi_file() */

/* A rule set whose KPI "x" runs body (from line BODY_LINE). */
static const char *kpi_file(const char *name, const char *body)
{
    char text[4096];
    snprintf(text, sizeof text,
             "kpi \"x\" { better = \"higher\", minimum = 1, target = 2,\n"
             "  value = function(p, k)\n%s\n  end }\n",
             body);
    return tu_write_file(name, text, (size_t)-1);
}

static rules_options limits(long long instructions, size_t memory, double seconds)
{
    rules_options o;
    rules_options_init(&o);
    o.max_instructions = instructions;
    o.max_memory = memory;
    o.timeout_seconds = seconds;
    return o;
}

static rules_options small_limits(void)
{
    return limits(300000, 8u << 20, 10);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void check_error(const kpi_error *err, kpi_error_kind kind, const char *file, long line,
                        const char *message)
{
    char buf[1400];
    if (err->kind != kind || !ends_with(err->file, file) || err->line != line ||
        !strstr(err->message, message))
        fail_msg("expected kind %d at %s:%ld with \"%s\"; got kind %d: %s", kind, file, line,
                 message, err->kind, kpi_error_format(err, buf, sizeof buf));
}

/* Evaluate the rule set at path for 2024-07; 0 and the value of "x", or -1 and err. */
static int evaluate(const char *path, const rules_options *o, double *value, kpi_error *err)
{
    rules *r = rules_open(path, o, err);
    if (!r) return -1;
    period p;
    if (period_parse("2024-07", &p, err) != 0) fail_msg("bad period");
    report rep;
    int rc = rules_evaluate(r, p, &rep, err);
    if (rc == 0) {
        assert_int_equal(rep.nkpis, 1);
        if (!rep.kpis[0].has_value) fail_msg("x has no value: %s", rep.kpis[0].reason);
        *value = rep.kpis[0].value;
        report_free(&rep);
    }
    rules_close(r);
    return rc;
}

/* The KPI body must evaluate to expect. */
static void expect_kpi_value(const char *body, double expect)
{
    rules_options o = small_limits();
    kpi_error err;
    double v = 0;
    const char *path = kpi_file("ok.lua", body);
    if (evaluate(path, &o, &v, &err) != 0) {
        char buf[1400];
        fail_msg("%s", kpi_error_format(&err, buf, sizeof buf));
    }
    assert_true(v == expect);
}

/* The KPI body must fail with a script error at body line `line` (1 = BODY_LINE). */
static void expect_failure(const char *body, const rules_options *o, int line, const char *message)
{
    kpi_error err;
    double v;
    const char *path = kpi_file("bad.lua", body);
    if (evaluate(path, o, &v, &err) == 0) fail_msg("evaluated to %g", v);
    check_error(&err, KPI_ESCRIPT, "bad.lua", BODY_LINE + line - 1, message);
    if (!strstr(err.message, "kpi 'x'")) fail_msg("the KPI is not named: %s", err.message);
}

static void expect_script_error(const char *body, int line, const char *message)
{
    rules_options o = small_limits();
    expect_failure(body, &o, line, message);
}

/* ---- what a script can reach ------------------------------------------------------------ */

static void test_sandbox_os_keeps_only_time_date_clock(void **state)
{
    (void)state;
    expect_kpi_value("return (os.time{year = 2024, month = 1, day = 1, hour = 12} > 0 and 1 or 0)"
                 " + #os.date('!%Y', 0) + (os.clock() >= 0 and 1 or 0)",
                 6);
    expect_script_error("return os.execute('true')", 1, "attempt to call a nil value (field 'execute')");
    expect_script_error("return os.getenv('HOME')", 1, "attempt to call a nil value (field 'getenv')");
    expect_script_error("return os.remove('x')", 1, "attempt to call a nil value (field 'remove')");
}

static void test_sandbox_io_debug_package_are_absent(void **state)
{
    (void)state;
    expect_script_error("return io.open('/etc/passwd')", 1, "unknown global 'io'");
    expect_script_error("return debug.getinfo(1)", 1, "unknown global 'debug'");
    expect_script_error("return package.loadlib('x', 'y')", 1, "unknown global 'package'");
    expect_script_error("print('hello')", 1, "unknown global 'print'");
    expect_script_error("return dofile('x.lua')", 1, "unknown global 'dofile'");
    expect_script_error("return loadfile('x.lua')", 1, "unknown global 'loadfile'");
    expect_script_error("collectgarbage()", 1, "unknown global 'collectgarbage'");
}

static void test_sandbox_string_dump_is_absent(void **state)
{
    (void)state;
    expect_script_error("return string.dump(function() end)", 1,
                        "attempt to call a nil value (field 'dump')");
}

static void test_sandbox_load_refuses_binary_chunks(void **state)
{
    (void)state;
    expect_script_error("local f = assert(load('\\27Lua\\84\\0\\25\\147'))\nreturn 1", 1,
                        "attempt to load a binary chunk (mode is 't')");
    expect_script_error("local f = assert(load('\\27Lua', 'c', 'b'))\nreturn 1", 1,
                        "attempt to load a binary chunk (mode is 't')");
}

static void test_sandbox_load_text_sees_the_rule_set_globals(void **state)
{
    (void)state;
    expect_kpi_value("answer = 41\nreturn load('return answer + 1')()", 42);
    expect_kpi_value("return load('return x', 'c', 't', { x = 7 })()", 7);
}

static void test_sandbox_setmetatable_refuses_gc_close_mode(void **state)
{
    (void)state;
    expect_script_error("setmetatable({}, { __gc = function() end })\nreturn 1", 1,
                        "setmetatable: a metatable with '__gc' is not allowed in a rule set");
    expect_script_error("setmetatable({}, { __close = function() end })\nreturn 1", 1,
                        "a metatable with '__close' is not allowed");
    expect_script_error("setmetatable({}, { __mode = 'k' })\nreturn 1", 1,
                        "a metatable with '__mode' is not allowed");
    expect_kpi_value("local t = setmetatable({}, { __index = function(_, key) return #key end })\n"
                 "return t.abc",
                 3);
}

static void test_sandbox_library_tables_are_read_only(void **state)
{
    (void)state;
    expect_script_error("string.upper = nil\nreturn 1", 1,
                        "cannot modify the read-only table 'string'");
    expect_script_error("math.pi = 3\nreturn 1", 1, "cannot modify the read-only table 'math'");
    expect_script_error("table.insert = tostring\nreturn 1", 1, "read-only table 'table'");
    expect_script_error("rawset(string, 'upper', 1)\nreturn 1", 1,
                        "rawset: cannot modify the read-only table 'string'");
    expect_kpi_value("return getmetatable(string) == false and getmetatable(math) == false and 1 or 0",
                 1);
    expect_kpi_value("local n = 0\nfor name, f in pairs(math) do n = n + 1 end\n"
                 "return n > 20 and rawget(math, 'floor') == nil and 1 or 0",
                 1);
}

static void test_sandbox_string_metatable_is_locked(void **state)
{
    (void)state;
    expect_kpi_value("return getmetatable('') == false and 1 or 0", 1);
    expect_script_error("getmetatable('').__index = {}\nreturn 1", 1,
                        "attempt to index a boolean value");
    expect_kpi_value("return ('%d'):format(5) + ('abc'):len()", 8);
}

static void test_sandbox_coroutine_close_is_absent(void **state)
{
    (void)state;
    expect_script_error("return coroutine.close(coroutine.create(tostring))", 1,
                        "attempt to call a nil value (field 'close')");
    expect_kpi_value("local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) "
                 "return b * 2 end)\nreturn co(1) + co(10)",
                 22);
    expect_kpi_value("local co = coroutine.create(function() error('boom') end)\n"
                 "local ok, msg = coroutine.resume(co)\n"
                 "return (not ok and msg:find('boom') and coroutine.status(co) == 'dead') and 1 or 0",
                 1);
}

static void test_sandbox_unknown_global_suggests_a_name(void **state)
{
    (void)state;
    expect_script_error("local orders = 1\nreturn ordres + 1", 2,
                        "unknown global 'ordres' (did you mean 'orders'?)");
    expect_script_error("return tostrin(1)", 1, "unknown global 'tostrin' (did you mean 'tostring'?)");
    expect_script_error("return zzzz", 1, "unknown global 'zzzz'");
    expect_kpi_value("defined_later = 5\nreturn defined_later", 5);
}

static void test_sandbox_error_values_that_are_not_strings(void **state)
{
    (void)state;
    expect_script_error("error({ code = 1 })", 1, "(error object is a table value)");
    expect_script_error("error(setmetatable({}, { __tostring = function() return 'custom' end }))",
                        1, "custom");
}

/* ---- limits --------------------------------------------------------------------------------- */

static void test_sandbox_infinite_loop_hits_the_instruction_limit(void **state)
{
    (void)state;
    expect_script_error("local n = 0\nwhile true do n = n + 1 end", 2,
                        "instruction limit exceeded (300000)");
}

static void test_sandbox_instruction_limit_cannot_be_caught_by_pcall(void **state)
{
    (void)state;
    expect_script_error("for i = 1, 1e9 do\n  pcall(function() while true do end end)\nend\nreturn 1",
                        2, "instruction limit exceeded (300000)");
    expect_script_error("local ok = pcall(function() while true do end end)\nreturn 1", 1,
                        "instruction limit exceeded");
}

static void test_sandbox_instruction_limit_reaches_coroutines(void **state)
{
    (void)state;
    expect_script_error("local co = coroutine.wrap(function()\nwhile true do end\nend)\nco()\n"
                        "return 1",
                        2, "instruction limit exceeded");
    expect_script_error("local co = coroutine.create(function() while true do end end)\n"
                        "for i = 1, 100 do coroutine.resume(co) end\nreturn 1",
                        1, "instruction limit exceeded");
}

static void test_sandbox_time_limit_stops_a_loop(void **state)
{
    (void)state;
    rules_options o = limits(1000000000000LL, 8u << 20, 0.2);
    expect_failure("local n = 0\nwhile true do n = n + 1 end", &o, 2, "time limit exceeded (0.2 s)");
    expect_failure("for i = 1, 1e15 do\n  pcall(function() while true do end end)\nend", &o, 2,
                   "time limit exceeded (0.2 s)");
}

static void test_sandbox_time_limit_stops_a_pattern_bomb(void **state)
{
    (void)state;
    rules_options o = limits(1000000000000LL, 8u << 20, 0.2);
    expect_failure("local s = ('a'):rep(30)\nreturn s:find(('a-'):rep(12) .. 'b') or 0", &o, 2,
                   "time limit exceeded (0.2 s)");
    expect_failure("return string.find(('a'):rep(30), ('a-'):rep(12) .. 'b') or 0", &o, 1,
                   "time limit exceeded (0.2 s)");
    expect_failure("return select(2, pcall(string.gsub, ('a'):rep(30), ('a-'):rep(12) .. 'b', ''))",
                   &o, 1, "time limit exceeded (0.2 s)");
}

static void test_sandbox_string_rep_bomb_hits_the_memory_limit(void **state)
{
    (void)state;
    expect_script_error("local s = string.rep('x', 1e9)\nreturn #s", 1,
                        "memory limit exceeded (8 MiB)");
    expect_script_error("local ok = pcall(string.rep, 'x', 1e9)\nlocal t = {}\nreturn 1", 1,
                        "memory limit exceeded (8 MiB)");
}

static void test_sandbox_table_growth_hits_the_memory_limit(void **state)
{
    (void)state;
    rules_options o = limits(1000000000000LL, 8u << 20, 10);
    expect_failure("local t = {}\nfor i = 1, 1e9 do t[i] = i end\nreturn #t", &o, 2,
                   "memory limit exceeded (8 MiB)");
    expect_failure("local ok = pcall(function()\nlocal t = {}\nfor i = 1, 1e9 do t[i] = {} end\nend)"
                   "\nreturn 1",
                   &o, 3, "memory limit exceeded (8 MiB)");
}

static void test_sandbox_deep_recursion_is_a_stack_overflow(void **state)
{
    (void)state;
    rules_options o = limits(1000000000000LL, 256u << 20, 30);
    expect_failure("local function f(n) return 1 + f(n + 1) end\nreturn f(1)", &o, 1,
                   "stack overflow");
    expect_failure("local t = setmetatable({}, { __index = function(t, key) return t[key] end })\n"
                   "return t.x",
                   &o, 1, "stack overflow");
}

static void test_sandbox_limit_at_load_time_names_the_line(void **state)
{
    (void)state;
    rules_options o = small_limits();
    const char *path = tu_write_file("loop_top.lua", "local a = 1\nwhile true do a = a + 1 end\n",
                                     (size_t)-1);
    kpi_error err;
    rules *r = rules_open(path, &o, &err);
    assert_null(r);
    check_error(&err, KPI_ESCRIPT, "loop_top.lua", 2, "instruction limit exceeded (300000)");
}

static void test_sandbox_rule_set_stays_broken_after_a_limit(void **state)
{
    (void)state;
    rules_options o = small_limits();
    const char *path = kpi_file("broken.lua", "while true do end");
    kpi_error err;
    rules *r = rules_open(path, &o, &err);
    assert_non_null(r);
    period p;
    assert_int_equal(period_parse("2024-07", &p, &err), 0);
    report rep;
    assert_int_equal(rules_evaluate(r, p, &rep, &err), -1);
    check_error(&err, KPI_ESCRIPT, "broken.lua", BODY_LINE, "instruction limit exceeded");
    kpi_error_clear(&err);
    assert_int_equal(rules_evaluate(r, p, &rep, &err), -1);
    check_error(&err, KPI_ESCRIPT, "broken.lua", BODY_LINE, "instruction limit exceeded");
    assert_int_equal(rep.nkpis, 0);
    rules_close(r);
}

static void test_sandbox_each_run_gets_the_whole_budget(void **state)
{
    (void)state;
    /* About 2/3 of the budget per evaluation: two evaluations in a row both finish. */
    rules_options o = limits(300000, 8u << 20, 10);
    const char *path = kpi_file("budget.lua", "local n = 0\nfor i = 1, 40000 do n = n + i end\n"
                                              "return 1");
    kpi_error err;
    rules *r = rules_open(path, &o, &err);
    assert_non_null(r);
    period p;
    assert_int_equal(period_parse("2024-07", &p, &err), 0);
    for (int run = 0; run < 3; run++) {
        report rep;
        if (rules_evaluate(r, p, &rep, &err) != 0) fail_msg("run %d: %s", run, err.message);
        assert_true(rep.kpis[0].has_value);
        report_free(&rep);
    }
    rules_close(r);
}

/* ---- the matcher keeps Lua's semantics -------------------------------------------------- */

static void test_sandbox_patterns_behave_as_lua(void **state)
{
    (void)state;
    expect_kpi_value("local a, b, c = ('key = 42'):find('(%w+)%s*=%s*(%d+)')\n"
                 "return a * 100 + b * 10 + (c == 'key' and 1 or 0)",
                 181);
    expect_kpi_value("return tonumber(('x=10, y=20'):match('y=(%d+)'))", 20);
    expect_kpi_value("local s, n = ('hello world'):gsub('o', '0')\nreturn n", 2);
    expect_kpi_value("local s = ('abc'):gsub('%w', '%0%0')\nreturn #s", 6);
    expect_kpi_value("local t = {}\nfor k, v in ('a=1, b=2, c=3'):gmatch('(%w+)=(%w+)') do "
                 "t[#t + 1] = v end\nreturn tonumber(table.concat(t))",
                 123);
    expect_kpi_value("return select(2, ('THE (quick) fox'):find('%b()'))", 11);
    expect_kpi_value("local s = ('hello'):gsub('l', { l = 'L' })\nreturn s == 'heLLo' and 1 or 0", 1);
    expect_kpi_value("return ('a.b'):find('.', 1, true)", 2);
    expect_script_error("return ('x'):find('[a')", 1, "malformed pattern (missing ']')");
    expect_script_error("return ('x'):gsub('x', '%2')", 1, "invalid capture index %2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sandbox_os_keeps_only_time_date_clock),
        cmocka_unit_test(test_sandbox_io_debug_package_are_absent),
        cmocka_unit_test(test_sandbox_string_dump_is_absent),
        cmocka_unit_test(test_sandbox_load_refuses_binary_chunks),
        cmocka_unit_test(test_sandbox_load_text_sees_the_rule_set_globals),
        cmocka_unit_test(test_sandbox_setmetatable_refuses_gc_close_mode),
        cmocka_unit_test(test_sandbox_library_tables_are_read_only),
        cmocka_unit_test(test_sandbox_string_metatable_is_locked),
        cmocka_unit_test(test_sandbox_coroutine_close_is_absent),
        cmocka_unit_test(test_sandbox_unknown_global_suggests_a_name),
        cmocka_unit_test(test_sandbox_error_values_that_are_not_strings),
        cmocka_unit_test(test_sandbox_infinite_loop_hits_the_instruction_limit),
        cmocka_unit_test(test_sandbox_instruction_limit_cannot_be_caught_by_pcall),
        cmocka_unit_test(test_sandbox_instruction_limit_reaches_coroutines),
        cmocka_unit_test(test_sandbox_time_limit_stops_a_loop),
        cmocka_unit_test(test_sandbox_time_limit_stops_a_pattern_bomb),
        cmocka_unit_test(test_sandbox_string_rep_bomb_hits_the_memory_limit),
        cmocka_unit_test(test_sandbox_table_growth_hits_the_memory_limit),
        cmocka_unit_test(test_sandbox_deep_recursion_is_a_stack_overflow),
        cmocka_unit_test(test_sandbox_limit_at_load_time_names_the_line),
        cmocka_unit_test(test_sandbox_rule_set_stays_broken_after_a_limit),
        cmocka_unit_test(test_sandbox_each_run_gets_the_whole_budget),
        cmocka_unit_test(test_sandbox_patterns_behave_as_lua),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
