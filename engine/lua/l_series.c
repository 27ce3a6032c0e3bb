/*
** l_series.c -- kpi.Series: the keyed numbers a grouped aggregate returns.
**
** A Series userdata owns one core series (series.h); every operation makes a new
** one through the core (series_binop, series_scalar, series_top), never in Lua.
** Entries without a value (a key missing on one side, a zero divisor) read as nil:
** s[key] is nil, and pairs(s), #s and s:keys() skip them.
**
** Method names win over keys in s.name lookups; s["top"] of a series with a key
** "top" returns the method, so write such keys with a non-identifier form.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/kpi_alloc.h"
#include "lkpi.h"

#define SERIES_MT "kpi.Series"
/* __tostring shows at most this many entries. */
#define TOSTRING_MAX 20

typedef struct l_series {
    series *s; /* NULL until filled; reads as empty */
} l_series;

static const series empty_series = {0, NULL, NULL, NULL};

series **l_series_newslot(lua_State *L)
{
    l_series *ls = lua_newuserdatauv(L, sizeof *ls, 0);
    ls->s = NULL;
    luaL_setmetatable(L, SERIES_MT);
    return &ls->s;
}

static int newslot_protected(lua_State *L)
{
    l_series_newslot(L);
    return 1;
}

void l_series_push(lua_State *L, series *s)
{
    lua_pushcfunction(L, newslot_protected);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        series_free(s); /* nobody else owns s now */
        lua_error(L);
    }
    l_series *ls = lua_touserdata(L, -1);
    ls->s = s;
}

const series *l_series_test(lua_State *L, int idx)
{
    l_series *ls = luaL_testudata(L, idx, SERIES_MT);
    if (!ls) return NULL;
    return ls->s ? ls->s : &empty_series;
}

static const series *check_series(lua_State *L, int idx, const char *method)
{
    const series *s = l_series_test(L, idx);
    if (!s) l_kpi_typeerror(L, method, "a Series", idx);
    return s;
}

/* ---- arithmetic ------------------------------------------------------------------- */

/* The number operand of s op x; nil is "no value" (every entry of the result is nil). */
static double scalar_operand(lua_State *L, int idx, const char *what)
{
    if (lua_type(L, idx) == LUA_TNUMBER) return lua_tonumber(L, idx);
    if (lua_isnil(L, idx)) return NAN;
    l_kpi_typeerror(L, what, "a Series or a number", idx);
    return 0;
}

static int arith(lua_State *L, char op, const char *what)
{
    const series *a = l_series_test(L, 1), *b = l_series_test(L, 2);
    double x = 0;
    if (!a)
        x = scalar_operand(L, 1, what);
    else if (!b)
        x = scalar_operand(L, 2, what);
    series **slot = l_series_newslot(L);
    kpi_error err;
    kpi_error_clear(&err);
    if (a && b)
        *slot = series_binop(a, b, op, &err);
    else if (a)
        *slot = series_scalar(a, x, op, 0, &err);
    else
        *slot = series_scalar(b, x, op, 1, &err);
    if (!*slot) return luaL_error(L, "%s: %s", what, err.message);
    return 1;
}

static int series_add(lua_State *L)
{
    return arith(L, '+', "Series +");
}

static int series_sub(lua_State *L)
{
    return arith(L, '-', "Series -");
}

static int series_mul(lua_State *L)
{
    return arith(L, '*', "Series *");
}

static int series_div(lua_State *L)
{
    return arith(L, '/', "Series /");
}

static int series_unm(lua_State *L)
{
    const series *a = check_series(L, 1, "Series -");
    series **slot = l_series_newslot(L);
    kpi_error err;
    kpi_error_clear(&err);
    *slot = series_scalar(a, 0, '-', 1, &err); /* 0 - a */
    if (!*slot) return luaL_error(L, "Series -: %s", err.message);
    return 1;
}

/* ---- reading -------------------------------------------------------------------- */

/*
** The key text of a Lua index: strings as they are, integral numbers as integers
** ("2024"), booleans as true/false (as group_key_text writes them). 0 when the
** value cannot be a key.
*/
static int key_text(lua_State *L, int idx, char *buf, size_t size, const char **key, size_t *len)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        *key = lua_tolstring(L, idx, len);
        return 1;
    case LUA_TBOOLEAN:
        *key = lua_toboolean(L, idx) ? "true" : "false";
        break;
    case LUA_TNUMBER: {
        lua_Integer i = 0;
        lua_Number d = lua_tonumber(L, idx);
        if (lua_isinteger(L, idx))
            i = lua_tointeger(L, idx);
        else if (d != floor(d) || !lua_numbertointeger(d, &i))
            return 0;
        snprintf(buf, size, "%lld", (long long)i);
        *key = buf;
        break;
    }
    default:
        return 0;
    }
    *len = strlen(*key);
    return 1;
}

/* __index: a method, else the value of a key (nil when absent or without a value). */
static int series_index(lua_State *L)
{
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1; /* a method */
    const series *s = check_series(L, 1, "Series index");
    char buf[32];
    const char *key;
    size_t len;
    long i = key_text(L, 2, buf, sizeof buf, &key, &len) ? series_find(s, key, len) : -1;
    if (i >= 0 && s->has[i])
        lua_pushnumber(L, s->vals[i]);
    else
        lua_pushnil(L);
    return 1;
}

static int series_len(lua_State *L)
{
    const series *s = check_series(L, 1, "#");
    lua_Integer n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->has[i] != 0;
    lua_pushinteger(L, n);
    return 1;
}

/* The iterator of pairs(s): the control value is the previous key. */
static int series_next(lua_State *L)
{
    const series *s = check_series(L, 1, "pairs");
    size_t i = 0;
    if (!lua_isnil(L, 2)) {
        size_t len;
        const char *key = luaL_checklstring(L, 2, &len);
        long at = series_find(s, key, len);
        if (at < 0) return luaL_error(L, "pairs: key '%s' is not in the Series", key);
        i = (size_t)at + 1;
    }
    while (i < s->n && !s->has[i])
        i++;
    if (i >= s->n) return 0;
    lua_pushstring(L, s->keys[i]);
    lua_pushnumber(L, s->vals[i]);
    return 2;
}

static int series_pairs(lua_State *L)
{
    check_series(L, 1, "pairs");
    lua_pushcfunction(L, series_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int series_tostring(lua_State *L)
{
    const series *s = check_series(L, 1, "tostring");
    luaL_Buffer b;
    char num[40];
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "Series{");
    for (size_t i = 0; i < s->n && i < TOSTRING_MAX; i++) {
        if (i) luaL_addstring(&b, ", ");
        luaL_addstring(&b, s->keys[i]);
        if (s->has[i])
            snprintf(num, sizeof num, "=%.14g", s->vals[i]);
        else
            snprintf(num, sizeof num, "=nil");
        luaL_addstring(&b, num);
    }
    if (s->n > TOSTRING_MAX) luaL_addstring(&b, ", ...");
    luaL_addstring(&b, "}");
    luaL_pushresult(&b);
    return 1;
}

static int series_gc(lua_State *L)
{
    l_series *ls = luaL_checkudata(L, 1, SERIES_MT);
    series_free(ls->s);
    ls->s = NULL;
    return 0;
}

/* ---- methods ---------------------------------------------------------------------- */

static int l_top(lua_State *L)
{
    const series *s = check_series(L, 1, "top");
    if (!lua_isinteger(L, 2) || lua_tointeger(L, 2) < 0)
        return l_kpi_typeerror(L, "top", "a count (an integer >= 0)", 2);
    size_t n = (size_t)lua_tointeger(L, 2);
    series **slot = l_series_newslot(L);
    kpi_error err;
    kpi_error_clear(&err);
    *slot = series_top(s, n, &err);
    if (!*slot) return luaL_error(L, "top: %s", err.message);
    return 1;
}

static int l_total(lua_State *L)
{
    const series *s = check_series(L, 1, "total");
    int has = 0;
    double total = series_total(s, &has);
    if (has)
        lua_pushnumber(L, total);
    else
        lua_pushnil(L);
    return 1;
}

static int l_keys(lua_State *L)
{
    const series *s = check_series(L, 1, "keys");
    lua_createtable(L, (int)(s->n < 1024 ? s->n : 1024), 0);
    lua_Integer k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->has[i]) continue;
        lua_pushstring(L, s->keys[i]);
        lua_rawseti(L, -2, ++k);
    }
    return 1;
}

static const luaL_Reg series_methods[] = {
    {"top", l_top}, {"total", l_total}, {"keys", l_keys}, {NULL, NULL}};

static const luaL_Reg series_meta[] = {{"__add", series_add},     {"__sub", series_sub},
                                       {"__mul", series_mul},     {"__div", series_div},
                                       {"__unm", series_unm},     {"__len", series_len},
                                       {"__pairs", series_pairs}, {"__tostring", series_tostring},
                                       {"__gc", series_gc},       {NULL, NULL}};

int luaopen_kpi_series(lua_State *L)
{
    luaL_newmetatable(L, SERIES_MT);
    luaL_setfuncs(L, series_meta, 0);
    lua_newtable(L); /* the methods, upvalue of __index */
    luaL_setfuncs(L, series_methods, 0);
    lua_pushcclosure(L, series_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, SERIES_MT);
    lua_setfield(L, -2, "__metatable");
    return 1;
}
