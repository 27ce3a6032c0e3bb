/*
** test_lua_bindings.c -- the Lua types kpi.Table, kpi.View, the grouped view,
** kpi.Series, kpi.IdSet and kpi.Period, driven from Lua snippets.
**
** The DSL is replaced by a stub l_source_table()/l_source_name() serving two tables
** built here: "orders" (time column sorted) and "shuffled" (the same rows in another
** order, so period filters scan instead of binary-searching). Expected values are
** worked out by hand from the eight rows below.
**
**   id date        customer channel amount  qty  weight
**   1  2024-07-15  C1       web     100.00  1    1.5
**   2  2024-07-31  C2       shop     50.50  2    2.0
**   3  2024-08-01  C1       web      20.00  null 0.5
**   4  2024-08-10  C3       social  200.25  4    1.0
**   5  2024-08-20  C2       web      10.00  1    3.0
**   6  2024-08-31  C4       shop      5.75  3    2.5
**   7  2024-09-01  C1       social   70.00  2    1.0
**   8  2024-09-15  C5       web      30.00  5    0.5
**
** Each test opens and closes its own state and tables, so the test allocator's leak
** check covers everything the bindings and the kernels allocate.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "core/date.h"
#include "core/idset.h"
#include "core/period.h"
#include "core/select.h"
#include "core/table.h"
#include "lua/lkpi.h"
#include "testutil.h"

#define NROWS 8

static const struct order {
    int64_t id;
    const char *date, *customer, *channel;
    int64_t cents, qty; /* qty < 0: null */
    double weight;
} orders[NROWS] = {
    {1, "2024-07-15", "C1", "web", 10000, 1, 1.5},
    {2, "2024-07-31", "C2", "shop", 5050, 2, 2.0},
    {3, "2024-08-01", "C1", "web", 2000, -1, 0.5},
    {4, "2024-08-10", "C3", "social", 20025, 4, 1.0},
    {5, "2024-08-20", "C2", "web", 1000, 1, 3.0},
    {6, "2024-08-31", "C4", "shop", 575, 3, 2.5},
    {7, "2024-09-01", "C1", "social", 7000, 2, 1.0},
    {8, "2024-09-15", "C5", "web", 3000, 5, 0.5},
};

/* ---- the stub DSL: sources 1 and 2 --------------------------------------------------- */

static table *sources[3];
static const char *const source_names[3] = {"?", "orders", "shuffled"};
static int source_loads;

const table *l_source_table(lua_State *L, int source_id)
{
    if (source_id < 1 || source_id > 2 || !sources[source_id])
        luaL_error(L, "no source number %d", source_id);
    source_loads++;
    return sources[source_id];
}

/* The fixture tables hold every column: none is ever absent. */
void l_source_column(lua_State *L, int source_id, int col)
{
    if (sources[source_id]->cols[col].absent) luaL_error(L, "absent column %d", col);
}

const char *l_source_name(lua_State *L, int source_id)
{
    (void)L;
    return source_id >= 1 && source_id <= 2 ? source_names[source_id] : "?";
}

static void set_string(column *c, size_t row, const char *s)
{
    uint32_t code = dict_intern(c->dict, s, strlen(s));
    assert_int_not_equal(code, DICT_NONE);
    c->v.code[row] = code;
}

/* The eight rows, row i of the table holding orders[perm[i]]. */
static table *make_orders(const char *name, const int *perm)
{
    static const struct {
        const char *name;
        col_type type;
        int scale;
    } cols[] = {{"id", COL_INT64, 0},       {"date", COL_DATE, 0},      {"customer", COL_STRING, 0},
                {"channel", COL_STRING, 0}, {"amount", COL_DECIMAL, 2}, {"qty", COL_INT64, 0},
                {"weight", COL_FLOAT64, 0}};
    table *t = table_new(name, NROWS);
    assert_non_null(t);
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        assert_non_null(table_add_column(t, cols[i].name, cols[i].type, cols[i].scale));
    for (size_t i = 0; i < NROWS; i++) { /* columns are final now: their addresses hold */
        const struct order *o = &orders[perm[i]];
        t->cols[0].v.i64[i] = o->id;
        assert_int_equal(date_parse_iso(o->date, strlen(o->date), &t->cols[1].v.date[i]), 0);
        set_string(&t->cols[2], i, o->customer);
        set_string(&t->cols[3], i, o->channel);
        t->cols[4].v.i64[i] = o->cents;
        t->cols[5].v.i64[i] = o->qty < 0 ? 0 : o->qty;
        if (o->qty < 0) assert_int_equal(column_set_null(&t->cols[5], NROWS, i), 0);
        t->cols[6].v.f64[i] = o->weight;
    }
    kpi_error err;
    kpi_error_clear(&err);
    assert_int_equal(table_set_time(t, "date", &err), 0);
    return t;
}

/* P "2024-08": a Period from its label. */
static int lua_period(lua_State *L)
{
    period p;
    kpi_error err;
    kpi_error_clear(&err);
    if (period_parse(luaL_checkstring(L, 1), &p, &err) != 0)
        return luaL_error(L, "%s", err.message);
    l_period_push(L, p);
    return 1;
}

/* check_period(x): l_period_check as a C function of the DSL would call it. */
static int lua_check_period(lua_State *L)
{
    period p = l_period_check(L, 1);
    lua_pushinteger(L, period_days(p));
    return 1;
}

/* Lua allocations left before the next one that grows a block fails; -1: no limit. */
static long alloc_budget = -1;

static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    int grows = ptr == NULL || nsize > osize; /* Lua expects shrinking to succeed */
    if (grows && alloc_budget == 0) return NULL;
    if (grows && alloc_budget > 0) alloc_budget--;
    return realloc(ptr, nsize);
}

static lua_State *open_state(void)
{
    static const int identity[NROWS] = {0, 1, 2, 3, 4, 5, 6, 7};
    static const int shuffle[NROWS] = {7, 2, 5, 0, 3, 6, 1, 4};
    sources[1] = make_orders("orders", identity);
    sources[2] = make_orders("shuffled", shuffle);
    assert_int_equal(sources[1]->time_sorted, 1);
    assert_int_equal(sources[2]->time_sorted, 0);
    source_loads = 0;
    alloc_budget = -1;
    lua_State *L = lua_newstate(limited_alloc, NULL);
    assert_non_null(L);
    luaL_openlibs(L);
    l_kpi_open_all(L);
    l_table_push(L, 1);
    lua_setglobal(L, "orders");
    l_table_push(L, 2);
    lua_setglobal(L, "shuffled");
    lua_pushcfunction(L, lua_period);
    lua_setglobal(L, "P");
    lua_pushcfunction(L, lua_check_period);
    lua_setglobal(L, "check_period");
    return L;
}

static void close_state(lua_State *L)
{
    lua_close(L);
    table_free(sources[1]);
    table_free(sources[2]);
    sources[1] = sources[2] = NULL;
}

/* ---- running snippets ------------------------------------------------------------ */

/* Run code as the chunk "rules.lua"; returns the status, the message (or results) on the stack. */
static int exec(lua_State *L, const char *code)
{
    lua_settop(L, 0);
    int rc = luaL_loadbuffer(L, code, strlen(code), "=rules.lua");
    if (rc == LUA_OK) rc = lua_pcall(L, 0, LUA_MULTRET, 0);
    return rc;
}

static void run(lua_State *L, const char *code)
{
    if (exec(L, code) != LUA_OK) fail_msg("%s\n  in: %s", lua_tostring(L, -1), code);
}

/* The value of a Lua expression, which must be a number. */
static double num(lua_State *L, const char *expr)
{
    char code[1024];
    snprintf(code, sizeof code, "return %s", expr);
    run(L, code);
    if (lua_type(L, 1) != LUA_TNUMBER)
        fail_msg("%s is %s, not a number", expr, luaL_typename(L, 1));
    return lua_tonumber(L, 1);
}

static int is_nil(lua_State *L, const char *expr)
{
    char code[1024];
    snprintf(code, sizeof code, "return %s", expr);
    run(L, code);
    return lua_isnil(L, 1);
}

/* The value of a Lua expression as text (tostring). */
static const char *text(lua_State *L, const char *expr)
{
    static char buf[1024];
    char code[1024];
    snprintf(code, sizeof code, "return tostring(%s)", expr);
    run(L, code);
    snprintf(buf, sizeof buf, "%s", lua_tostring(L, 1));
    return buf;
}

static int truth(lua_State *L, const char *expr)
{
    char code[1024];
    snprintf(code, sizeof code, "return %s", expr);
    run(L, code);
    if (lua_type(L, 1) != LUA_TBOOLEAN) fail_msg("%s is not a boolean", expr);
    return lua_toboolean(L, 1);
}

/* code must fail at rules.lua:line with a message containing want. */
static void expect_error(lua_State *L, const char *code, int line, const char *want)
{
    if (exec(L, code) == LUA_OK) fail_msg("no error from: %s", code);
    const char *msg = lua_tostring(L, -1);
    char where[32];
    snprintf(where, sizeof where, "rules.lua:%d: ", line);
    if (strncmp(msg, where, strlen(where)) != 0 || !strstr(msg, want))
        fail_msg("error from: %s\n  got:  %s\n  want: %s...%s", code, msg, where, want);
}

#define assert_num(L, expr, want) assert_true(tu_close(num((L), (expr)), (want), 1e-12))

/* ---- filters ----------------------------------------------------------------------- */

static void test_where_equal_list_and_several_columns(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_num(L, "orders:where{channel = 'web'}:count()", 4);
    assert_num(L, "orders:where{channel = 'web'}:sum 'amount'", 160);
    assert_num(L, "orders:where{channel = {'web', 'shop'}}:count()", 6);
    assert_num(L, "orders:where{channel = 'web', customer = 'C1'}:count()", 2);
    assert_num(L, "orders:where{channel = 'web'}:where{customer = 'C1'}:sum 'amount'", 120);
    assert_num(L, "orders:where{channel = {}}:count()", 0);
    assert_num(L, "shuffled:where{qty = {1, 5}}:sum 'amount'", 140);
    close_state(L);
}

static void test_where_operators_and_nulls(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_num(L, "orders:where('amount', '>=', 50):count()", 4);
    assert_num(L, "orders:where('amount', '<', 20):count()", 2);
    assert_num(L, "orders:where('amount', '>', 20):where('amount', '<=', 70):count()", 3);
    assert_num(L, "orders:where('qty', '!=', 1):count()", 5); /* the null row is not != 1 */
    assert_num(L, "orders:where('qty', '~=', 1):count()", 5);
    assert_num(L, "orders:where('channel', '~=', 'web'):count()", 4);
    assert_num(L, "orders:where('id', '==', 3):count()", 1);
    assert_num(L, "orders:where('id', '=', {2, 4, 6}):sum 'qty'", 9);
    assert_num(L, "orders:where('date', '<=', '2024-07-31'):count()", 2);
    close_state(L);
}

static void test_during_on_sorted_and_unsorted_time(void **state)
{
    (void)state;
    lua_State *L = open_state();
    const char *const srcs[] = {"orders", "shuffled"};
    char expr[256];
    for (int i = 0; i < 2; i++) {
        snprintf(expr, sizeof expr, "%s:during(P '2024-08'):count()", srcs[i]);
        assert_num(L, expr, 4);
        snprintf(expr, sizeof expr, "%s:during(P '2024-08'):sum 'amount'", srcs[i]);
        assert_num(L, expr, 236);
        snprintf(expr, sizeof expr, "%s:during(P '2024-Q3'):count()", srcs[i]);
        assert_num(L, expr, 8);
        snprintf(expr, sizeof expr, "%s:where{channel = 'web'}:during(P '2024-08'):count()",
                 srcs[i]);
        assert_num(L, expr, 2);
        snprintf(expr, sizeof expr, "%s:during(P '2024-08-01..2024-08-10'):count()", srcs[i]);
        assert_num(L, expr, 2);
    }
    close_state(L);
}

static void test_before_is_strictly_earlier(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_num(L, "orders:before(P '2024-08'):count()", 2);
    assert_num(L, "shuffled:before(P '2024-08'):count()", 2);
    assert_num(L, "orders:before(P '2024-07'):count()", 0);
    assert_num(L, "shuffled:before(P '2024-08-31..2024-09-30'):sum 'amount'", 380.75);
    close_state(L);
}

static void test_between_is_inclusive_for_dates_and_periods(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_num(L, "orders:between('2024-07-31', '2024-08-10'):count()", 3);
    assert_num(L, "shuffled:between('2024-07-31', '2024-08-10'):count()", 3);
    assert_num(L, "orders:between(P '2024-07', P '2024-08'):count()", 6);
    assert_num(L, "shuffled:between(P '2024-07', P '2024-08'):count()", 6);
    assert_num(L, "orders:between('2024-08-31', '2024-08-31'):sum 'amount'", 5.75);
    assert_num(L, "orders:between('2024-09-01', '2024-08-01'):count()", 0);
    close_state(L);
}

/* ---- aggregates -------------------------------------------------------------------- */

static void test_aggregates_over_a_view(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_num(L, "orders:count()", 8);
    assert_num(L, "orders:sum 'amount'", 486.5);
    assert_num(L, "orders:sum 'qty'", 18);
    assert_num(L, "orders:avg 'qty'", 18.0 / 7); /* the null is skipped */
    assert_num(L, "orders:min 'amount'", 5.75);
    assert_num(L, "orders:max 'amount'", 200.25);
    assert_num(L, "orders:distinct 'customer'", 5);
    assert_num(L, "orders:median 'qty'", 2);        /* 1 1 2 2 3 4 5 */
    assert_num(L, "orders:median 'amount'", 40.25); /* (30 + 50.5) / 2 */
    assert_num(L, "orders:quantile('qty', 0.25)", 1.5);
    assert_num(L, "orders:quantile('qty', 0.9)", 4.4);
    assert_num(L, "orders:during(P '2024-08'):avg 'weight'", 7.0 / 4);
    assert_true(truth(L, "math.type(orders:count()) == 'integer'"));
    close_state(L);
}

static void test_min_max_of_a_date_column_are_iso_dates(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_string_equal(text(L, "orders:during(P '2024-08'):min 'date'"), "2024-08-01");
    assert_string_equal(text(L, "shuffled:during(P '2024-08'):max 'date'"), "2024-08-31");
    assert_string_equal(text(L, "shuffled:max 'date'"), "2024-09-15");
    close_state(L);
}

static void test_aggregates_over_no_rows_are_nil_but_count_is_zero(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "empty = orders:where{channel = 'fax'}");
    assert_num(L, "empty:count()", 0);
    assert_num(L, "empty:distinct 'customer'", 0);
    const char *const aggs[] = {"empty:sum 'amount'",
                                "empty:avg 'amount'",
                                "empty:min 'amount'",
                                "empty:max 'date'",
                                "empty:median 'qty'",
                                "empty:quantile('qty', 0.5)",
                                "orders:where('qty', '=', 2):during(P '2024-08'):sum 'qty'"};
    for (size_t i = 0; i < sizeof aggs / sizeof *aggs; i++)
        assert_true(is_nil(L, aggs[i]));
    assert_num(L, "empty:ids('customer'):count()", 0);
    assert_num(L, "#empty:by('channel'):sum 'amount'", 0);
    assert_true(is_nil(L, "empty:by('channel'):sum('amount'):total()"));
    close_state(L);
}

/* ---- grouped views and series ------------------------------------------------------ */

static void test_grouped_sum_is_a_series_in_key_order(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "s = shuffled:during(P '2024-08'):by 'channel':sum 'amount'");
    assert_num(L, "s.web", 30);
    assert_num(L, "s.social", 200.25);
    assert_num(L, "s['shop']", 5.75);
    assert_true(is_nil(L, "s.fax"));
    assert_num(L, "#s", 3);
    assert_num(L, "s:total()", 236);
    assert_string_equal(text(L, "(function() local t = {} for k, v in pairs(s) do "
                                "t[#t + 1] = k .. '=' .. v end return table.concat(t, ' ') end)()"),
                        "shop=5.75 social=200.25 web=30.0");
    assert_string_equal(text(L, "table.concat(s:keys(), ',')"), "shop,social,web");
    assert_string_equal(text(L, "s"), "Series{shop=5.75, social=200.25, web=30}");
    close_state(L);
}

static void test_grouped_by_two_columns_and_number_keys(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "s = orders:by('channel', 'customer'):count()");
    assert_num(L, "#s", 7);
    assert_num(L, "s['web|C1']", 2);
    assert_num(L, "s['social|C1']", 1);
    assert_true(is_nil(L, "s['shop|C1']"));
    run(L, "q = orders:by 'qty':sum 'amount'");
    assert_num(L, "q[1]", 110);     /* ids 1 and 5 */
    assert_num(L, "q[2.0]", 120.5); /* ids 2 and 7 */
    assert_num(L, "q['']", 20);     /* the null key */
    assert_true(is_nil(L, "q[1.5]"));
    close_state(L);
}

static void test_series_arithmetic_aligns_keys(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "aug = orders:during(P '2024-08'):by 'channel':sum 'amount'\n"
           "sep = orders:during(P '2024-09'):by 'channel':count()\n"
           "r = aug / sep");
    assert_true(is_nil(L, "r.shop")); /* no September sale in the shop */
    assert_num(L, "r.social", 200.25);
    assert_num(L, "r.web", 30);
    assert_num(L, "#r", 2);
    assert_string_equal(text(L, "(function() local t = {} for k in pairs(r) do t[#t + 1] = k end "
                                "return table.concat(t, ',') end)()"),
                        "social,web");
    assert_num(L, "(aug + 1).shop", 6.75);
    assert_num(L, "(100 - aug).web", 70);
    assert_num(L, "(aug * aug).social", 200.25 * 200.25);
    assert_num(L, "(2 / sep).web", 2);
    assert_num(L, "(-aug).shop", -5.75);
    assert_num(L, "(aug - sep):total()", 30 - 1 + 200.25 - 1);
    close_state(L);
}

static void test_series_division_by_zero_is_no_value(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "v = orders:during(P '2024-08'):by 'channel'\n"
           "s = v:sum 'amount'\n"
           "n = v:count()");
    assert_true(is_nil(L, "(s / 0).web"));
    assert_num(L, "#(s / 0)", 0);
    assert_true(is_nil(L, "(s / 0):total()"));
    run(L, "r = s / (n - 1)"); /* web has 2 orders, shop and social 1 */
    assert_num(L, "r.web", 30);
    assert_true(is_nil(L, "r.shop"));
    assert_true(is_nil(L, "r.social"));
    assert_true(is_nil(L, "(s * nil).web")); /* a KPI with no value makes none */
    close_state(L);
}

static void test_series_top_and_unknown_method(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "s = orders:by 'channel':sum 'amount'"); /* shop 56.25, social 270.25, web 160 */
    assert_string_equal(text(L, "table.concat(s:top(2):keys(), ',')"), "social,web");
    assert_num(L, "s:top(2):total()", 430.25);
    assert_num(L, "#s:top(10)", 3);
    assert_num(L, "#s:top(0)", 0);
    expect_error(L, "local x = 1\nreturn s:summ()", 2, "method 'summ'");
    expect_error(L, "return s:top(-1)", 1, "top: expected a count (an integer >= 0), got number");
    expect_error(L, "return s + 'x'", 1, "Series +: expected a Series or a number, got string");
    expect_error(L, "return s / {}", 1, "Series /: expected a Series or a number, got table");
    close_state(L);
}

/* ---- id sets ----------------------------------------------------------------------- */

static void test_idset_algebra_and_retention(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "aug = shuffled:during(P '2024-08'):ids 'customer'\n" /* C1 C2 C3 C4 */
           "sep = orders:during(P '2024-09'):ids 'customer'\n"   /* C1 C5 */
           "old = orders:before(P '2024-08'):ids 'customer'");   /* C1 C2 */
    assert_num(L, "(aug - old):count()", 2);
    assert_num(L, "(sep * aug):count() / aug:count()", 0.25);
    assert_num(L, "#(old + sep)", 3);
    assert_num(L, "#aug", 4);
    assert_true(truth(L, "(aug - old):has 'C3'"));
    assert_true(!truth(L, "(aug - old):has 'C1'"));
    assert_true(truth(L, "orders:where{channel = 'shop'}:ids('id'):has(6)"));
    assert_true(!truth(L, "orders:where{channel = 'shop'}:ids('id'):has(6.5)"));
    assert_string_equal(text(L, "aug"), "IdSet(4)");
    expect_error(L, "return aug - orders:ids 'id'", 1,
                 "IdSet -: cannot combine ids of text and number columns");
    expect_error(L, "return aug * 3", 1, "IdSet *: expected an IdSet, got number");
    close_state(L);
}

static void test_idset_and_series_pushed_from_c(void **state)
{
    (void)state;
    lua_State *L = open_state();
    selection all;
    selection_all(sources[1], &all);
    kpi_error err;
    kpi_error_clear(&err);
    idset *s = idset_from_column(sources[1], &all, 3, &err); /* channel */
    assert_non_null(s);
    l_idset_push(L, s);
    assert_ptr_equal(l_idset_test(L, -1), s);
    assert_null(l_series_test(L, -1));
    lua_setglobal(L, "channels");
    assert_num(L, "channels:count()", 3);
    close_state(L);
}

/* ---- periods ----------------------------------------------------------------------- */

static void test_period_fields_and_methods(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "p = P '2024-08'");
    assert_string_equal(text(L, "p.grain"), "month");
    assert_string_equal(text(L, "p.label"), "2024-08");
    assert_string_equal(text(L, "p.start"), "2024-08-01");
    assert_string_equal(text(L, "p.stop"), "2024-09-01");
    assert_string_equal(text(L, "p:prev().label"), "2024-07");
    assert_string_equal(text(L, "p:shift(5)"), "2025-01");
    assert_string_equal(text(L, "p:shift(-8).label"), "2023-12");
    assert_num(L, "p:days()", 31);
    assert_num(L, "P('2024-Q3'):days()", 92);
    assert_num(L, "P('2024-02'):days()", 29);
    assert_string_equal(text(L, "P('2024-W35').start"), "2024-08-26");
    assert_string_equal(text(L, "P('2024-08-01..2024-08-15').stop"), "2024-08-16");
    assert_string_equal(text(L, "P('2024-08-01..2024-08-15'):shift(1).label"),
                        "2024-08-16..2024-08-30");
    assert_true(truth(L, "p:contains '2024-08-31'"));
    assert_true(!truth(L, "p:contains '2024-09-01'"));
    assert_true(truth(L, "p:contains '2024-08-31T23:59:59'"));
    assert_true(truth(L, "P('2024-Q3'):contains(p)"));
    assert_true(!truth(L, "p:contains(P '2024-Q3')"));
    close_state(L);
}

static void test_period_compare_and_tostring(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_string_equal(text(L, "P '2024-Q3'"), "2024-Q3");
    assert_true(truth(L, "P '2024-08' == P '2024-07':shift(1)"));
    assert_true(!truth(L, "P '2024-08' == P '2024-08-01..2024-08-31'")); /* grains differ */
    assert_true(truth(L, "P '2024-07' < P '2024-08'"));
    assert_true(truth(L, "P '2024-08' <= P '2024-08'"));
    assert_true(!truth(L, "P '2024-09' < P '2024-08'"));
    expect_error(L, "return P '2024-08' < 3", 1,
                 "Period comparison: expected a Period, got number");
    close_state(L);
}

/* ---- messages ---------------------------------------------------------------------- */

static void test_argument_errors_name_the_method(void **state)
{
    (void)state;
    static const struct {
        const char *code, *want;
    } cases[] = {
        {"orders:during(5)", "during: expected a Period, got number"},
        {"orders:before('2024-08')", "before: expected a Period, got string"},
        {"orders:between(1, '2024-08-01')",
         "between: expected a date \"YYYY-MM-DD\" or a Period, got number"},
        {"orders:between('2024-13-01', '2024-12-31')",
         "between: '2024-13-01' is not a date (expected YYYY-MM-DD)"},
        {"orders:where('amount', '<>', 1)", "where: unknown operator '<>' (use = != < <= > >=)"},
        {"orders:where('amount', '>')", "where: the value for 'amount' must be a number, string or "
                                        "boolean, got nil"},
        {"orders:where{[1] = 2}", "where: column names must be strings, got number"},
        {"orders:where{}", "where: expected at least one column = value"},
        {"orders:where{channel = print}",
         "where: the value for 'channel' must be a number, string or boolean, got function"},
        {"orders:where('channel', '<', {'a'})",
         "where: a list of values for 'channel' needs '=' (membership)"},
        {"orders:where{channel = {'web', {}}}",
         "where: value 2 of the list for 'channel' must be a number, string or boolean"},
        {"orders:where('amount')", "where: expected {column = value} or (column, operator, value)"},
        {"orders:sum()", "sum: expected a column name, got no value"},
        {"orders:quantile('qty')", "quantile: expected a fraction between 0 and 1, got no value"},
        {"orders:count('id')", "count: takes no argument (count())"},
        {"orders.during(P '2024-08')", "during: expected a Table or View, got Period"},
        {"orders:summ('amount')", "Table has no method 'summ' (did you mean 'sum'?)"},
        {"orders:where{channel = 'web'}:betwen('2024-08-01', '2024-08-02')",
         "View has no method 'betwen' (did you mean 'between'?)"},
        {"orders:by('channel'):during(P '2024-08')",
         "grouped view has no method 'during' (filter before by())"},
        {"orders:by('channel'):ids('customer')",
         "grouped view has no method 'ids' (filter before by())"},
        {"P('2024-08').strat", "Period has no field 'strat' (did you mean 'start'?)"},
        {"P('2024-08'):shift(1.5)", "shift: expected an integer, got number"},
        {"P('2024-08'):contains('soon')", "contains: 'soon' is not a date (expected YYYY-MM-DD)"},
        {"check_period(5)", "check_period: expected a Period, got number"},
    };
    lua_State *L = open_state();
    char code[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(code, sizeof code, "local p = 1\n\nreturn %s", cases[i].code);
        expect_error(L, code, 3, cases[i].want);
    }
    close_state(L);
}

static void test_unknown_column_suggests_the_closest(void **state)
{
    (void)state;
    lua_State *L = open_state();
    expect_error(L, "return orders:sum 'amout'", 1,
                 "source 'orders' has no column 'amout' (did you mean 'amount'?)");
    expect_error(L, "return shuffled:during(P '2024-08'):by 'Channel'", 1,
                 "source 'shuffled' has no column 'Channel' (did you mean 'channel'?)");
    expect_error(L, "return orders:where{custmer = 'C1'}", 1,
                 "source 'orders' has no column 'custmer' (did you mean 'customer'?)");
    expect_error(L, "return orders:ids 'cost'", 1,
                 "source 'orders' has no column 'cost' (it has: id, date, customer, channel, "
                 "amount, qty, weight)");
    close_state(L);
}

static void test_kernel_errors_are_raised_after_cleanup(void **state)
{
    (void)state;
    lua_State *L = open_state();
    expect_error(L, "return orders:where('amount', '>', 'lots')", 1, "where: ");
    expect_error(L, "return orders:during(P '2024-08'):sum 'channel'", 1,
                 "sum: cannot sum text column 'channel'");
    expect_error(L, "return orders:by 'weight'", 1, "by: ");
    expect_error(L, "return orders:by 'channel':avg 'customer'", 1, "avg: ");
    expect_error(L, "return orders:quantile('qty', 2)", 1,
                 "quantile: quantile takes a fraction between 0 and 1, not 2");
    run(L, "collectgarbage()");
    close_state(L);
}

/* ---- memoization and lifetime ------------------------------------------------------ */

static void test_identical_plans_return_the_same_view(void **state)
{
    (void)state;
    lua_State *L = open_state();
    assert_true(truth(L, "rawequal(orders:during(P '2024-08'), orders:during(P '2024-08'))"));
    assert_true(truth(L, "rawequal(orders:where{channel = 'web', customer = 'C1'}, "
                         "orders:where{customer = 'C1', channel = 'web'})"));
    assert_true(truth(L, "rawequal(orders:where{qty = 1}, orders:where('qty', '==', 1))"));
    assert_true(truth(L, "rawequal(orders:by 'channel', orders:by 'channel')"));
    assert_true(truth(L, "rawequal(orders:between(P '2024-08', P '2024-08'), "
                         "orders:during(P '2024-08'))"));
    assert_true(!truth(L, "rawequal(orders:where{qty = 1}, orders:where{qty = 2})"));
    assert_true(!truth(L, "rawequal(orders:where{qty = 1}, shuffled:where{qty = 1})"));
    assert_true(!truth(L, "rawequal(orders:where{channel = 'web'}, orders:where{channel = 'we'})"));
    assert_true(!truth(L, "rawequal(orders:by 'channel', orders:by('channel', 'customer'))"));
    run(L, "kept = orders:during(P '2024-08')");
    l_view_cache_clear(L);
    assert_true(!truth(L, "rawequal(kept, orders:during(P '2024-08'))"));
    assert_num(L, "kept:count()", 4);
    close_state(L);
}

static void test_views_outlive_their_collected_parents(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "g = shuffled:where{channel = {'web', 'social'}}:during(P '2024-08'):by 'channel'\n"
           "v = shuffled:where('amount', '>', 15)\n"
           "shuffled = nil");
    l_view_cache_clear(L);
    lua_gc(L, LUA_GCCOLLECT, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    assert_num(L, "g:sum('amount').web", 30);
    assert_num(L, "g:sum('amount').social", 200.25);
    assert_num(L, "v:count()", 6);
    assert_num(L, "v:during(P '2024-09'):count()", 2);
    close_state(L);
}

static void test_views_of_a_reloaded_source_are_refused(void **state)
{
    (void)state;
    static const int identity[NROWS] = {0, 1, 2, 3, 4, 5, 6, 7};
    lua_State *L = open_state();
    run(L, "old = orders:during(P '2024-08')\n"
           "old_by = orders:by 'channel'");
    table *first = sources[1];
    sources[1] = make_orders("orders", identity); /* the source is loaded again */
    expect_error(L, "return old:count()", 1,
                 "count: this view of source 'orders' is out of date (the source was reloaded)");
    expect_error(L, "return old_by:sum 'amount'", 1, "sum: this view of source 'orders' is out");
    assert_true(!truth(L, "rawequal(old, orders:during(P '2024-08'))"));
    assert_num(L, "orders:during(P '2024-08'):count()", 4);
    close_state(L);
    table_free(first);
}

static void test_sources_load_only_when_used(void **state)
{
    (void)state;
    lua_State *L = open_state();
    run(L, "local t = orders");
    assert_int_equal(source_loads, 0);
    assert_num(L, "orders:count()", 8);
    assert_true(source_loads > 0);
    assert_string_equal(text(L, "orders"), "Table 'orders'");
    assert_string_equal(text(L, "orders:where{channel = 'web'}"), "View of 'orders' (4 rows)");
    close_state(L);
}

/*
** Run a pipeline with Lua's allocator failing at every point in turn: each failure
** must surface as a Lua error, and everything the kernels allocated must still be
** freed (the test allocator checks at the end).
*/
static void test_out_of_memory_anywhere_leaks_nothing(void **state)
{
    (void)state;
    static const char code[] =
        "local p = P '2024-08'\n"
        "local s = shuffled:where{channel = {'web', 'social'}}:during(p):by 'channel'\n"
        "local r = s:sum 'amount' / orders:by 'channel':count()\n"
        "local n = (orders:during(p):ids 'customer' - orders:before(p):ids 'customer'):count()\n"
        "return r.web + n + #r:top(1)";
    lua_State *L = open_state();
    int done = 0;
    for (long budget = 0; budget < 5000 && !done; budget++) {
        l_view_cache_clear(L);
        lua_gc(L, LUA_GCCOLLECT, 0);
        alloc_budget = budget;
        int rc = exec(L, code);
        alloc_budget = -1;
        if (rc == LUA_OK) {
            /* web: 30 over 4 orders in all; 2 new customers; top(1) has 1 entry */
            assert_true(tu_close(lua_tonumber(L, 1), 30.0 / 4 + 2 + 1, 1e-12));
            done = 1;
        } else {
            assert_int_equal(rc, LUA_ERRMEM);
        }
    }
    assert_true(done);
    close_state(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_where_equal_list_and_several_columns),
        cmocka_unit_test(test_where_operators_and_nulls),
        cmocka_unit_test(test_during_on_sorted_and_unsorted_time),
        cmocka_unit_test(test_before_is_strictly_earlier),
        cmocka_unit_test(test_between_is_inclusive_for_dates_and_periods),
        cmocka_unit_test(test_aggregates_over_a_view),
        cmocka_unit_test(test_min_max_of_a_date_column_are_iso_dates),
        cmocka_unit_test(test_aggregates_over_no_rows_are_nil_but_count_is_zero),
        cmocka_unit_test(test_grouped_sum_is_a_series_in_key_order),
        cmocka_unit_test(test_grouped_by_two_columns_and_number_keys),
        cmocka_unit_test(test_series_arithmetic_aligns_keys),
        cmocka_unit_test(test_series_division_by_zero_is_no_value),
        cmocka_unit_test(test_series_top_and_unknown_method),
        cmocka_unit_test(test_idset_algebra_and_retention),
        cmocka_unit_test(test_idset_and_series_pushed_from_c),
        cmocka_unit_test(test_period_fields_and_methods),
        cmocka_unit_test(test_period_compare_and_tostring),
        cmocka_unit_test(test_argument_errors_name_the_method),
        cmocka_unit_test(test_unknown_column_suggests_the_closest),
        cmocka_unit_test(test_kernel_errors_are_raised_after_cleanup),
        cmocka_unit_test(test_identical_plans_return_the_same_view),
        cmocka_unit_test(test_views_outlive_their_collected_parents),
        cmocka_unit_test(test_views_of_a_reloaded_source_are_refused),
        cmocka_unit_test(test_sources_load_only_when_used),
        cmocka_unit_test(test_out_of_memory_anywhere_leaks_nothing),
    };
    return cmocka_run_group_tests_name("lua_bindings", tests, NULL, NULL);
}
