/*
** test_lua_api.c -- the table of the public Lua API (engine/lua/api.c) against the
** running language: every field a declaration accepts is described and every described
** field is accepted (declaring it is not refused as unknown; the DSL's own list of known
** fields, which its "unknown field" message prints, is exactly the described one); every
** method and operator in the Lua metatables has an entry and every entry has its method;
** the DSL's globals are the described ones.
**
** Fields described as PENDING (another change teaches the DSL to read them) must still
** be refused, so an entry's state and the DSL cannot disagree in either direction.
** The fields of `test` are checked in a test file (x.test.lua, lua/ruletest.h), the one
** place that global exists.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "core/agg.h"
#include "lua/api.h"
#include "lua/lkpi.h"
#include "lua/rules.h"
#include "lua/ruletest.h"
#include "lua/sandbox.h"
#include "testutil.h"

/* ---- helpers --------------------------------------------------------------------------------- */

static const char *const DECLS[] = {"ruleset", "source", "kpi", "review", "test"};

/* The sample files every rule set below reads. */
static int group_setup(void **state)
{
    (void)state;
    tu_write_file(
        "orders.csv",
        "date,amount,channel,customer_id\n2024-07-03,100,web,C1\n2024-08-05,250,shop,C2\n",
        (size_t)-1);
    tu_write_file("campaigns.csv", "name,start,end\nsummer,2024-07-01,2024-07-14\n", (size_t)-1);
    return 0;
}

static const char KPI_BASE[] =
    "kpi \"revenue\" { better = \"higher\", minimum = 1, target = 2,\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n";

/* A rule set declaring decl with the fields in body (Lua text inside its braces). */
static const char *ruleset_with(const char *decl, const char *body)
{
    static char text[4096];
    int n = snprintf(text, sizeof text,
                     "local orders = source \"orders\" { csv = \"orders.csv\", time = \"date\" }\n"
                     "source \"campaigns\" { csv = \"campaigns.csv\" }\n");
    const char *rest = KPI_BASE;
    if (strcmp(decl, "ruleset") == 0)
        n += snprintf(text + n, sizeof text - (size_t)n, "ruleset { %s }\n", body);
    else if (strcmp(decl, "source") == 0)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "source \"extra\" { csv = \"orders.csv\", %s }\n", body);
    else if (strcmp(decl, "kpi") == 0)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "kpi \"x\" { better = \"higher\", minimum = 1, target = 2,\n"
                      "  value = function(p) return 1 end, %s }\n",
                      body);
    else if (strcmp(decl, "review") == 0)
        n += snprintf(text + n, sizeof text - (size_t)n, "review \"r\" { every = \"month\", %s }\n",
                      body);
    snprintf(text + n, sizeof text - (size_t)n, "%s", rest);
    return text;
}

/* Open the rule set text; "" when it loads, else its error message (static). */
static const char *open_message(const char *text)
{
    static char message[600];
    static int serial;
    char name[64];
    snprintf(name, sizeof name, "rules_%d.lua", ++serial);
    const char *path = tu_write_file(name, text, (size_t)-1);
    kpi_error err;
    kpi_error_clear(&err);
    rules *r = rules_open(path, NULL, &err);
    message[0] = '\0';
    if (r)
        rules_close(r);
    else
        snprintf(message, sizeof message, "%s", err.message);
    return message;
}

/*
** Open a test file declaring one case with the fields in body, beside a rule set with
** the orders source and the revenue KPI; "" when it loads, else its error message.
*/
static const char *test_file_message(const char *body)
{
    static char message[600];
    static int serial;
    char name[64], text[2048];
    snprintf(text, sizeof text,
             "local orders = source \"orders\" { csv = \"orders.csv\", time = \"date\" }\n%s",
             KPI_BASE);
    snprintf(name, sizeof name, "cases_%d.lua", ++serial);
    char rules_file[600];
    snprintf(rules_file, sizeof rules_file, "%s", tu_write_file(name, text, (size_t)-1));
    snprintf(text, sizeof text, "test \"t\" { expect = { revenue = 1 }, %s }\n", body);
    snprintf(name, sizeof name, "cases_%d.test.lua", serial);
    const char *test_file = tu_write_file(name, text, (size_t)-1);
    kpi_error err;
    kpi_error_clear(&err);
    ruletest_suite *suite = ruletest_load(rules_file, test_file, NULL, &err);
    message[0] = '\0';
    if (suite)
        ruletest_free(suite);
    else
        snprintf(message, sizeof message, "%s", err.message);
    return message;
}

/* Declare decl with the fields in body (a rule set, or a test file for "test"). */
static const char *declare(const char *decl, const char *body)
{
    if (strcmp(decl, "test") == 0) return test_file_message(body);
    return open_message(ruleset_with(decl, body));
}

/* "field" of "decl.field" when e is a field of decl, else NULL. */
static const char *field_of(const api_entry *e, const char *decl)
{
    size_t len = strlen(decl);
    if (e->kind != API_FIELD || strncmp(e->name, decl, len) != 0 || e->name[len] != '.')
        return NULL;
    return e->name + len + 1;
}

/* ---- declaration fields ------------------------------------------------------------------- */

static void test_every_accepted_field_is_accepted_by_its_declaration(void **state)
{
    (void)state;
    size_t n;
    const api_entry *all = api_entries(&n);
    for (size_t d = 0; d < sizeof DECLS / sizeof *DECLS; d++) {
        for (size_t i = 0; i < n; i++) {
            const char *field = field_of(&all[i], DECLS[d]);
            if (!field || (all[i].flags & API_PENDING)) continue;
            const char *msg = declare(DECLS[d], all[i].example);
            if (strstr(msg, "unknown field"))
                fail_msg("%s is described but refused: %s", all[i].name, msg);
        }
    }
}

static void test_pending_fields_are_refused_until_the_dsl_reads_them(void **state)
{
    (void)state;
    size_t n;
    const api_entry *all = api_entries(&n);
    int pending = 0;
    for (size_t d = 0; d < sizeof DECLS / sizeof *DECLS; d++) {
        for (size_t i = 0; i < n; i++) {
            const char *field = field_of(&all[i], DECLS[d]);
            if (!field || !(all[i].flags & API_PENDING)) continue;
            char want[200];
            snprintf(want, sizeof want, "unknown field '%s'", field);
            const char *msg = declare(DECLS[d], all[i].example);
            if (!strstr(msg, want))
                fail_msg("%s is accepted: mark it ACCEPTED in api.h (got \"%s\")", all[i].name,
                         msg);
            pending++;
        }
    }
    print_message("%d described field(s) not yet accepted\n", pending);
}

/* The DSL's own list: the "(known fields: ...)" of a name close to none of them. */
static void known_fields(const char *decl, char *out, size_t size)
{
    const char *msg = declare(decl, "qqqqqqqqqqqqqqqqqqqqqqqqq = 1");
    const char *list = strstr(msg, "(known fields: ");
    if (!list) fail_msg("%s: no list of known fields in \"%s\"", decl, msg);
    assert_non_null(strstr(msg, "unknown field 'qqqqqqqqqqqqqqqqqqqqqqqqq'"));
    list += strlen("(known fields: ");
    size_t len = strcspn(list, ")");
    snprintf(out, size, "%.*s", (int)len, list);
}

static void test_the_dsl_knows_exactly_the_described_fields(void **state)
{
    (void)state;
    for (size_t d = 0; d < sizeof DECLS / sizeof *DECLS; d++) {
        char got[1024], want[1024] = "";
        known_fields(DECLS[d], got, sizeof got);
        const char *const *f = api_fields_of(DECLS[d]);
        assert_non_null(f);
        for (size_t len = 0; *f; f++)
            len += (size_t)snprintf(want + len, sizeof want - len, "%s%s", len ? ", " : "", *f);
        assert_string_equal(got, want);
    }
}

static void test_an_undocumented_field_is_refused_with_a_suggestion(void **state)
{
    (void)state;
    const char *msg = open_message(ruleset_with("kpi", "tagret = 3"));
    assert_non_null(strstr(msg, "kpi 'x': unknown field 'tagret' (did you mean 'target'?)"));
    msg = open_message(ruleset_with("source", "delimeter = \";\""));
    assert_non_null(strstr(msg, "unknown field 'delimeter' (did you mean 'delimiter'?)"));
    msg = declare("test", "tolerence = 1e-6");
    assert_non_null(strstr(msg, "test 't': unknown field 'tolerence' (did you mean 'tolerance'?)"));
    assert_string_equal(declare("test", "period = \"2024-08\""), ""); /* a whole case loads */
}

static void test_field_examples_are_lua_table_fields(void **state)
{
    (void)state;
    size_t n;
    const api_entry *all = api_entries(&n);
    lua_State *L = luaL_newstate();
    for (size_t i = 0; i < n; i++) {
        if (all[i].kind != API_FIELD) continue;
        char chunk[1200];
        snprintf(chunk, sizeof chunk, "return { %s }", all[i].example);
        if (luaL_loadstring(L, chunk) != LUA_OK)
            fail_msg("%s: example is not Lua: %s", all[i].name, lua_tostring(L, -1));
        lua_pop(L, 1);
        assert_non_null(all[i].type);
        const char *dot = strchr(all[i].name, '.');
        char prefix[80];
        snprintf(prefix, sizeof prefix, "%s =", dot + 1);
        if (strncmp(all[i].example, prefix, strlen(prefix)) != 0)
            fail_msg("%s: example \"%s\" does not set the field", all[i].name, all[i].example);
    }
    lua_close(L);
}

static void test_api_field_lists_leave_out_pending_fields(void **state)
{
    (void)state;
    const char *const *f = api_fields_of("source");
    int csv = 0, on_error = 0;
    for (; *f; f++) {
        csv |= strcmp(*f, "csv") == 0;
        on_error |= strcmp(*f, "on_error") == 0;
    }
    assert_true(csv);
    assert_int_equal(on_error, !(api_find("source.on_error")->flags & API_PENDING));
    assert_null(api_fields_of("nothing"));
}

/* ---- methods, properties and operators ---------------------------------------------------- */

typedef struct lua_type_map {
    const char *registry; /* metatable name */
    const char *api;      /* entry prefix */
} lua_type_map;

static const lua_type_map TYPES[] = {{"kpi.Table", "Table"},         {"kpi.View", "View"},
                                     {"kpi.Grouped", "GroupedView"}, {"kpi.Series", "Series"},
                                     {"kpi.IdSet", "IdSet"},         {"kpi.Period", "Period"}};

/* Push the methods table of metatable name: __index itself, or its first upvalue. */
static void push_methods(lua_State *L, const char *name)
{
    assert_int_equal(luaL_getmetatable(L, name), LUA_TTABLE);
    int t = lua_getfield(L, -1, "__index");
    if (t == LUA_TFUNCTION) {
        assert_non_null(lua_getupvalue(L, -1, 1));
        lua_remove(L, -2); /* remove the function */
    }
    assert_int_equal(lua_type(L, -1), LUA_TTABLE);
    lua_remove(L, -2); /* remove the metatable */
}

static lua_State *types_state(void)
{
    lua_State *L = luaL_newstate();
    l_kpi_open_all(L);
    return L;
}

static void test_every_method_in_the_metatables_has_an_entry(void **state)
{
    (void)state;
    lua_State *L = types_state();
    int methods = 0;
    for (size_t t = 0; t < sizeof TYPES / sizeof *TYPES; t++) {
        push_methods(L, TYPES[t].registry);
        for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
            char name[128];
            snprintf(name, sizeof name, "%s:%s", TYPES[t].api, lua_tostring(L, -2));
            const api_entry *e = api_find(name);
            if (!e || e->kind != API_METHOD) fail_msg("method %s has no entry", name);
            methods++;
        }
        lua_pop(L, 1);
    }
    assert_true(methods > 30);
    lua_close(L);
}

static void test_every_method_entry_exists_in_lua(void **state)
{
    (void)state;
    lua_State *L = types_state();
    size_t n;
    const api_entry *all = api_entries(&n);
    for (size_t i = 0; i < n; i++) {
        if (all[i].kind != API_METHOD) continue;
        const char *colon = strchr(all[i].name, ':');
        const char *registry = NULL;
        for (size_t t = 0; t < sizeof TYPES / sizeof *TYPES; t++)
            if (strncmp(all[i].name, TYPES[t].api, strlen(TYPES[t].api)) == 0 &&
                all[i].name + strlen(TYPES[t].api) == colon)
                registry = TYPES[t].registry;
        if (!registry) fail_msg("%s: not a method of a known type", all[i].name);
        push_methods(L, registry);
        if (lua_getfield(L, -1, colon + 1) != LUA_TFUNCTION)
            fail_msg("%s is described but Lua has no such method", all[i].name);
        lua_pop(L, 2);
    }
    lua_close(L);
}

static void test_every_aggregate_has_view_and_grouped_entries(void **state)
{
    (void)state;
    char name[64], meaning[1024];
    for (size_t i = 0; i < AGG_NKINDS; i++) {
        snprintf(name, sizeof name, "View:%s", agg_builtins[i].name);
        const api_entry *e = api_find(name);
        assert_non_null(e);
        /* the manual's text starts with the aggregate's own description */
        assert_non_null(strstr(api_meaning(e, meaning, sizeof meaning), agg_builtins[i].doc));
        snprintf(name, sizeof name, "GroupedView:%s", agg_builtins[i].name);
        assert_non_null(api_find(name));
    }
}

/* The operator entry a metamethod stands for ("" when it is not part of the API). */
static const char *operator_entry(const char *type, const char *meta, char *buf, size_t size)
{
    static const struct {
        const char *meta, *before, *after;
    } ops[] = {{"__add", "", " +"},       {"__sub", "", " -"}, {"__mul", "", " *"},
               {"__div", "", " /"},       {"__unm", "-", ""},  {"__len", "#", ""},
               {"__eq", "", " =="},       {"__lt", "", " <"},  {"__le", "", " <"},
               {"__pairs", "pairs(", ")"}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strcmp(ops[i].meta, meta) == 0) {
            snprintf(buf, size, "%s%s%s", ops[i].before, type, ops[i].after);
            return buf;
        }
    return "";
}

static void test_every_operator_has_an_entry(void **state)
{
    (void)state;
    lua_State *L = types_state();
    for (size_t t = 0; t < sizeof TYPES / sizeof *TYPES; t++) {
        luaL_getmetatable(L, TYPES[t].registry);
        for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
            char buf[80];
            const char *name = operator_entry(TYPES[t].api, lua_tostring(L, -2), buf, sizeof buf);
            if (!name[0]) continue;
            const api_entry *e = api_find(name);
            if (!e || e->kind != API_OPERATOR)
                fail_msg("%s of %s has no entry '%s'", lua_tostring(L, -2), TYPES[t].api, name);
        }
        lua_pop(L, 1);
    }
    assert_non_null(api_find("Series[key]"));
    lua_close(L);
}

static void test_period_properties_are_readable(void **state)
{
    (void)state;
    lua_State *L = types_state();
    period p;
    kpi_error err;
    assert_int_equal(period_parse("2024-08", &p, &err), 0);
    l_period_push(L, p);
    size_t n;
    const api_entry *all = api_entries(&n);
    int props = 0;
    for (size_t i = 0; i < n; i++) {
        if (all[i].kind != API_PROPERTY) continue;
        assert_memory_equal(all[i].name, "Period.", 7);
        assert_int_equal(lua_getfield(L, -1, all[i].name + 7), LUA_TSTRING);
        lua_pop(L, 1);
        props++;
    }
    assert_int_equal(props, 4);
    lua_getfield(L, -1, "label");
    assert_string_equal(lua_tostring(L, -1), "2024-08");
    lua_close(L);
}

/* ---- globals and lookups ------------------------------------------------------------------- */

static void test_dsl_globals_are_the_described_ones(void **state)
{
    (void)state;
    kpi_error err;
    sandbox *plain = sandbox_new(NULL, 0, &err);
    assert_non_null(plain);
    lua_State *P = sandbox_lua(plain);
    sandbox_push_env(P);
    char text[1024];
    snprintf(text, sizeof text, "local orders = source \"orders\" { csv = \"orders.csv\" }\n%s",
             KPI_BASE);
    rules *r = rules_open(tu_write_file("env.lua", text, (size_t)-1), NULL, &err);
    assert_non_null(r);
    lua_State *L = rules_lua(r);
    sandbox_push_env(L);
    int globals = 0;
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING) continue;
        const char *name = lua_tostring(L, -2);
        lua_pushstring(P, name);
        int plain_has = lua_rawget(P, -2) != LUA_TNIL;
        lua_pop(P, 1);
        if (plain_has) continue; /* the standard library */
        const api_entry *e = api_find(name);
        if (!e || e->kind != API_GLOBAL) fail_msg("global %s has no entry", name);
        if (e->flags & (API_PENDING | API_TEST_FILE))
            fail_msg("global %s exists in rule sets: its entry says otherwise", name);
        globals++;
    }
    size_t n;
    const api_entry *all = api_entries(&n);
    int described = 0;
    for (size_t i = 0; i < n; i++)
        described += all[i].kind == API_GLOBAL && !(all[i].flags & (API_PENDING | API_TEST_FILE));
    assert_int_equal(globals, described);
    lua_pop(L, 1);
    rules_close(r);
    sandbox_free(plain);
}

static void test_find_shares_view_methods_with_table(void **state)
{
    (void)state;
    assert_ptr_equal(api_find("Table:sum"), api_find("View:sum"));
    assert_null(api_find("View:summ"));
    assert_null(api_find("Table:"));
    assert_string_equal(api_kind_name(api_find("kpi.target")->kind), "field");
    assert_true(api_find("kpi.target")->flags & API_REQUIRED);
    assert_false(api_find("kpi.owner")->flags & API_REQUIRED);
    assert_string_equal(api_find("k")->signature, "k.id -> number|nil");
}

static void test_every_entry_has_a_signature_meaning_and_example(void **state)
{
    (void)state;
    size_t n;
    const api_entry *all = api_entries(&n);
    for (size_t i = 0; i < n; i++) {
        if (!all[i].signature || !all[i].meaning || !all[i].meaning[0] || !all[i].example ||
            !all[i].example[0])
            fail_msg("%s: missing its signature, meaning or example", all[i].name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(all[i].name, all[j].name) == 0) fail_msg("%s twice", all[i].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_accepted_field_is_accepted_by_its_declaration),
        cmocka_unit_test(test_pending_fields_are_refused_until_the_dsl_reads_them),
        cmocka_unit_test(test_the_dsl_knows_exactly_the_described_fields),
        cmocka_unit_test(test_an_undocumented_field_is_refused_with_a_suggestion),
        cmocka_unit_test(test_field_examples_are_lua_table_fields),
        cmocka_unit_test(test_api_field_lists_leave_out_pending_fields),
        cmocka_unit_test(test_every_method_in_the_metatables_has_an_entry),
        cmocka_unit_test(test_every_method_entry_exists_in_lua),
        cmocka_unit_test(test_every_aggregate_has_view_and_grouped_entries),
        cmocka_unit_test(test_every_operator_has_an_entry),
        cmocka_unit_test(test_period_properties_are_readable),
        cmocka_unit_test(test_dsl_globals_are_the_described_ones),
        cmocka_unit_test(test_find_shares_view_methods_with_table),
        cmocka_unit_test(test_every_entry_has_a_signature_meaning_and_example),
    };
    return cmocka_run_group_tests_name("lua_api", tests, group_setup, NULL);
}
