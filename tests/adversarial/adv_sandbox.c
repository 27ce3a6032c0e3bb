/*
** adv_sandbox.c -- hostile rule sets through the real command line: escaping the
** sandbox (os, io, require of native code, binary chunks, string.dump, debug, the
** string metatable, finalizers) and exhausting it (infinite loops, pattern bombs, deep
** recursion and nesting, memory bombs).
**
** Each must end with exit 3 (script error), nothing on stdout, and a message that
** names the rule-set file and line; limits must stop a run within the sandbox's
** default limits (100M instructions, 256 MiB of Lua heap, 10 s), which the bounds
** below allow for with a wide margin on a loaded machine.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "advutil.h"
#include "e2eutil.h"
#include "testutil.h"

/* An error found while loading or at the first instruction. */
#define QUICK 10.0
/* An error found by a limit: the instruction budget takes about a second, the time limit 10. */
#define LIMITED 40.0

/* A KPI whose value runs body (Lua statements) and then returns 1. */
#define KPI_RUNNING(body)                                                                          \
    "kpi \"k\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"                \
    "  value = function(p)\n" body "\n    return 1\n  end }\n"

static void fails(const char *name, const char *body, int code, const char *message, double bound)
{
    adv_run_fails(adv_rules(name, body), "--period 2024-08", code, message, bound);
}

/* ---- escapes -------------------------------------------------------------------------- */

static void test_adv_os_execute_is_not_there(void **state)
{
    (void)state;
    fails("os_execute.lua", "os.execute(\"touch pwned\")\n", ADV_SCRIPT,
          "os_execute.lua:2: attempt to call a nil value (field 'execute')", QUICK);
    fails("os_exit.lua", "local ok = pcall(os.exit, 0)\nos.remove(\"x\")\n", ADV_SCRIPT,
          "os_exit.lua:3: attempt to call a nil value (field 'remove')", QUICK);
}

static void test_adv_io_open_is_not_there(void **state)
{
    (void)state;
    fails("io_open.lua", "local f = io.open(\"/etc/passwd\")\n", ADV_SCRIPT,
          "io_open.lua:2: unknown global 'io'", QUICK);
}

static void test_adv_require_of_a_c_module_is_not_found(void **state)
{
    (void)state;
    fails("require_c.lua", "local s = require \"socket.core\"\n", ADV_SCRIPT,
          "require_c.lua:2: require: module 'socket.core' not found", QUICK);
    /* a shared object beside the rule set is never a module: only NAME.lua is looked for */
    tu_write_file("evil.so",
                  "\x7f"
                  "ELF",
                  4);
    fails("require_so.lua", "local e = require \"evil\"\n", ADV_SCRIPT,
          "require_so.lua:2: require: module 'evil' not found", QUICK);
    fails("loadlib.lua", "local f = package.loadlib(\"evil.so\", \"luaopen_evil\")\n", ADV_SCRIPT,
          "loadlib.lua:2: unknown global 'package'", QUICK);
    fails("require_path.lua", "local m = require \"../../etc/passwd\"\n", ADV_SCRIPT,
          "require_path.lua:2: require: '../../etc/passwd' is not a module name", QUICK);
}

static void test_adv_binary_chunks_are_refused(void **state)
{
    (void)state;
    /* the first bytes of a Lua 5.4 binary chunk: its signature, version and format */
    static const char chunk[] = "\x1bLuaT\x00\x19\x93\r\n\x1a\nxxxxxxxx";
    fails("load_binary.lua", "local f = assert(load(\"\\27LuaT\\0\\25\\147\\r\\n\\26\\n\"))\n",
          ADV_SCRIPT, "load_binary.lua:2: attempt to load a binary chunk (mode is 't')", QUICK);
    fails("load_mode_b.lua", "local f = assert(load(\"\\27LuaT\\0\", \"x\", \"b\"))\n", ADV_SCRIPT,
          "load_mode_b.lua:2: attempt to load a binary chunk (mode is 't')", QUICK);
    tu_write_file("binmod.lua", chunk, sizeof chunk - 1);
    fails("require_binary.lua", "local m = require \"binmod\"\n", ADV_SCRIPT,
          "binmod.lua:1: attempt to load a binary chunk (mode is 't')", QUICK);
    const char *rules = tu_write_file("binary_rules.lua", chunk, sizeof chunk - 1);
    adv_run_fails(rules, "--period 2024-08", ADV_SCRIPT,
                  "binary_rules.lua:1: attempt to load a binary chunk (mode is 't')", QUICK);
}

static void test_adv_string_dump_is_not_there(void **state)
{
    (void)state;
    fails("dump.lua", "local s = string.dump(function() end)\n", ADV_SCRIPT,
          "dump.lua:2: attempt to call a nil value (field 'dump')", QUICK);
    fails("dump_method.lua", "local s = (\"\"):dump()\n", ADV_SCRIPT,
          "dump_method.lua:2: attempt to call a nil value (method 'dump')", QUICK);
}

static void test_adv_debug_functions_are_not_there(void **state)
{
    (void)state;
    fails("debug_hook.lua", "debug.sethook()\n", ADV_SCRIPT,
          "debug_hook.lua:2: unknown global 'debug'", QUICK);
    fails("debug_registry.lua", "local r = debug.getregistry()\n", ADV_SCRIPT,
          "debug_registry.lua:2: unknown global 'debug'", QUICK);
    fails("collect.lua", "collectgarbage(\"stop\")\n", ADV_SCRIPT,
          "collect.lua:2: unknown global 'collectgarbage'", QUICK);
}

static void test_adv_string_metatable_cannot_be_written(void **state)
{
    (void)state;
    /* getmetatable("") is false: the metatable is locked, so there is nothing to index */
    fails("strmeta.lua", "getmetatable(\"\").__index = {}\n", ADV_SCRIPT,
          "strmeta.lua:2: attempt to index a boolean value", QUICK);
    fails("strlib.lua", "string.upper = function() return \"\" end\n", ADV_SCRIPT,
          "strlib.lua:2: cannot modify the read-only table 'string'", QUICK);
    fails("strraw.lua", "rawset(string, \"find\", nil)\n", ADV_SCRIPT,
          "strraw.lua:2: rawset: cannot modify the read-only table 'string'", QUICK);
    fails("strset.lua", "setmetatable(\"\", {})\n", ADV_SCRIPT,
          "strset.lua:2: bad argument #1 to 'setmetatable' (table expected, got string)", QUICK);
}

static void test_adv_gc_finalizer_is_refused(void **state)
{
    (void)state;
    fails("gc.lua", "setmetatable({}, { __gc = function() while true do end end })\n", ADV_SCRIPT,
          "gc.lua:2: setmetatable: a metatable with '__gc' is not allowed in a rule set", QUICK);
    fails("close.lua",
          "local x <close> = setmetatable({}, { __close = function() while true do end end })\n",
          ADV_SCRIPT,
          "close.lua:2: setmetatable: a metatable with '__close' is not allowed in a rule set",
          QUICK);
}

static void test_adv_engine_userdata_metatables_are_locked(void **state)
{
    (void)state;
    /* a Table's metatable has a C __gc: getmetatable gives its name, not the table */
    tu_write_file("gc_orders.csv", "day,amount\n2024-08-01,5\n", (size_t)-1);
    fails("gc_userdata.lua",
          "local o = source \"o\" { csv = \"gc_orders.csv\", time = \"day\" }\n"
          "local mt = getmetatable(o)\n"
          "mt.__gc = function() while true do end end\n",
          ADV_SCRIPT, "gc_userdata.lua:4: attempt to index a string value (local 'mt')", QUICK);
}

static void test_adv_gc_added_after_setmetatable_never_runs(void **state)
{
    (void)state;
    /* Lua marks an object for finalization only when its metatable has __gc as it is set */
    const char *rules = adv_rules("gc_late.lua", "local mt = {}\n"
                                                 "local t = setmetatable({}, mt)\n"
                                                 "mt.__gc = function() while true do end end\n"
                                                 "t = nil\n" KPI_RUNNING(""));
    char *json = adv_run_json(rules, "--period 2024-08", QUICK);
    assert_true(adv_kpi_value(json, "k") == 1);
    tu_free(json);
}

/* ---- exhaustion ------------------------------------------------------------------------ */

static void test_adv_infinite_loop_hits_the_instruction_limit(void **state)
{
    (void)state;
    fails("loop.lua", "while true do end\n", ADV_SCRIPT,
          "loop.lua:2: instruction limit exceeded (100000000)", LIMITED);
    fails("loop_kpi.lua", KPI_RUNNING("    while true do end"), ADV_SCRIPT,
          "loop_kpi.lua:4: kpi 'k': instruction limit exceeded (100000000)", LIMITED);
}

static void test_adv_infinite_loop_inside_pcall_is_not_swallowed(void **state)
{
    (void)state;
    fails("loop_pcall.lua",
          "local ok = pcall(function() while true do end end)\nerror(\"pcall swallowed it\")\n",
          ADV_SCRIPT, "loop_pcall.lua:2: instruction limit exceeded (100000000)", LIMITED);
    fails("loop_xpcall.lua",
          "for i = 1, 10 do xpcall(function() while true do end end, function() end) end\n",
          ADV_SCRIPT, "loop_xpcall.lua:2: instruction limit exceeded (100000000)", LIMITED);
}

static void test_adv_infinite_loop_inside_a_coroutine_is_stopped(void **state)
{
    (void)state;
    fails("loop_wrap.lua", "coroutine.wrap(function() while true do end end)()\n", ADV_SCRIPT,
          "loop_wrap.lua:2: instruction limit exceeded (100000000)", LIMITED);
    fails("loop_resume.lua",
          "local co = coroutine.create(function() while true do end end)\n"
          "for i = 1, 100 do coroutine.resume(co) end\nerror(\"resume swallowed it\")\n",
          ADV_SCRIPT, "loop_resume.lua:2: instruction limit exceeded (100000000)", LIMITED);
}

static void test_adv_endless_load_reader_is_stopped(void **state)
{
    (void)state;
    /* the parser runs no instructions, but the reader does, and the code it builds is memory */
    fails("load_comment.lua", "local f = load(function() return \"--\" end)\n", ADV_SCRIPT,
          "load_comment.lua:2: instruction limit exceeded (100000000)", LIMITED);
    /* memory, or on a slow (sanitized) build the wall clock first: a limit either way */
    char *out, *err, args[1200];
    snprintf(args, sizeof args, "run '%s' --no-save --period 2024-08",
             adv_rules("load_code.lua",
                       "local f = load(function() return (\"x = 1 \"):rep(1000) end)\n"));
    assert_int_equal(e2e_engine(args, &out, &err), ADV_SCRIPT);
    if (!strstr(err, "load_code.lua:2: memory limit exceeded (256 MiB)") &&
        !strstr(err, "load_code.lua:2: time limit exceeded (10 s)"))
        fail_msg("no limit named at load_code.lua:2:\n%s", err);
    assert_string_equal(out, "");
    tu_free(out);
    tu_free(err);
}

static void test_adv_pattern_bomb_hits_the_instruction_limit(void **state)
{
    (void)state;
    /* backtracking of the order of C(42, 12) steps: each step counts as an instruction */
    fails("pattern.lua", "local r = string.find((\"a\"):rep(30), (\"a-\"):rep(12) .. \"b\")\n",
          ADV_SCRIPT, "pattern.lua:2: instruction limit exceeded (100000000)", LIMITED);
    fails("pattern_gsub.lua",
          KPI_RUNNING("    pcall(string.gsub, (\"a\"):rep(30), (\"a-\"):rep(12) .. \"b\", \"\")"),
          ADV_SCRIPT, "pattern_gsub.lua:4: kpi 'k': instruction limit exceeded (100000000)",
          LIMITED);
}

static void test_adv_deep_recursion_is_a_stack_overflow(void **state)
{
    (void)state;
    fails("recursion.lua", "local function f(n) return 1 + f(n + 1) end\nf(1)\n", ADV_SCRIPT,
          "recursion.lua:2: stack overflow", LIMITED);
    fails("recursion_meta.lua",
          "local t = setmetatable({}, {})\n"
          "getmetatable(t).__index = function(s, k) return s[k] end\nlocal x = t.x\n",
          ADV_SCRIPT, "recursion_meta.lua:3: C stack overflow", LIMITED);
}

/* Write a rule set whose line 3 nests depth parentheses (or braces) around a value. */
static const char *nested_rules(const char *name, char open, char close, int depth)
{
    char body[4096];
    size_t n = (size_t)snprintf(body, sizeof body, "local a = 1\nlocal x = ");
    for (int i = 0; i < depth; i++)
        body[n++] = open;
    body[n++] = '1';
    for (int i = 0; i < depth; i++)
        body[n++] = close;
    snprintf(body + n, sizeof body - n, "\nlocal b = 2\n");
    return adv_rules(name, body);
}

static void test_adv_deeply_nested_parentheses_name_the_line(void **state)
{
    (void)state;
    adv_run_fails(nested_rules("parens.lua", '(', ')', 1000), "--period 2024-08", ADV_SCRIPT,
                  "parens.lua:3: expressions, tables or blocks nested too deeply", QUICK);
    adv_run_fails(nested_rules("braces.lua", '{', '}', 1000), "--period 2024-08", ADV_SCRIPT,
                  "braces.lua:3: expressions, tables or blocks nested too deeply", QUICK);
}

static void test_adv_string_rep_bomb_hits_the_memory_limit(void **state)
{
    (void)state;
    fails("rep.lua", "local s = string.rep(\"x\", 1 << 30)\n", ADV_SCRIPT,
          "rep.lua:2: memory limit exceeded (256 MiB)", LIMITED);
    /* past what a Lua string may hold: refused before anything is allocated */
    fails("rep_huge.lua", "local s = string.rep(\"x\", 1 << 40)\n", ADV_SCRIPT,
          "rep_huge.lua:2: resulting string too large", QUICK);
    fails("rep_pcall.lua",
          "local ok = pcall(string.rep, \"x\", 1 << 30)\nerror(\"pcall swallowed it\")\n",
          ADV_SCRIPT, "rep_pcall.lua:2: memory limit exceeded (256 MiB)", LIMITED);
    fails("concat.lua", "local s = \"x\"\nfor i = 1, 40 do s = s .. s end\n", ADV_SCRIPT,
          "concat.lua:3: memory limit exceeded (256 MiB)", LIMITED);
}

static void test_adv_table_growth_hits_the_memory_limit(void **state)
{
    (void)state;
    fails("table_grow.lua", "local t = {}\nfor i = 1, 1e12 do t[i] = i end\n", ADV_SCRIPT,
          "table_grow.lua:3: memory limit exceeded (256 MiB)", LIMITED);
    fails("table_kpi.lua", KPI_RUNNING("    local t = {}\n    for i = 1, 1e12 do t[i] = -i end"),
          ADV_SCRIPT, "table_kpi.lua:5: kpi 'k': memory limit exceeded (256 MiB)", LIMITED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adv_os_execute_is_not_there),
        cmocka_unit_test(test_adv_io_open_is_not_there),
        cmocka_unit_test(test_adv_require_of_a_c_module_is_not_found),
        cmocka_unit_test(test_adv_binary_chunks_are_refused),
        cmocka_unit_test(test_adv_string_dump_is_not_there),
        cmocka_unit_test(test_adv_debug_functions_are_not_there),
        cmocka_unit_test(test_adv_string_metatable_cannot_be_written),
        cmocka_unit_test(test_adv_gc_finalizer_is_refused),
        cmocka_unit_test(test_adv_engine_userdata_metatables_are_locked),
        cmocka_unit_test(test_adv_gc_added_after_setmetatable_never_runs),
        cmocka_unit_test(test_adv_infinite_loop_hits_the_instruction_limit),
        cmocka_unit_test(test_adv_infinite_loop_inside_pcall_is_not_swallowed),
        cmocka_unit_test(test_adv_infinite_loop_inside_a_coroutine_is_stopped),
        cmocka_unit_test(test_adv_endless_load_reader_is_stopped),
        cmocka_unit_test(test_adv_pattern_bomb_hits_the_instruction_limit),
        cmocka_unit_test(test_adv_deep_recursion_is_a_stack_overflow),
        cmocka_unit_test(test_adv_deeply_nested_parentheses_name_the_line),
        cmocka_unit_test(test_adv_string_rep_bomb_hits_the_memory_limit),
        cmocka_unit_test(test_adv_table_growth_hits_the_memory_limit),
    };
    return cmocka_run_group_tests_name("adversarial sandbox", tests, NULL, NULL);
}
