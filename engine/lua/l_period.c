/*
** l_period.c -- kpi.Period: a review period as rule sets see it.
**
** Fields: p.grain ("month"), p.label ("2024-08"), p.start and p.stop (ISO dates,
** stop exclusive). Methods: p:prev(), p:shift(n), p:days(), p:contains(x) (x an ISO
** date, a timestamp text or a Period wholly inside p). tostring(p) is the label;
** == compares grain and days, < and <= order by start, then stop.
** A Period is a value: the userdata holds a copy of the core period and owns nothing.
*/
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/date.h"
#include "lkpi.h"
#include "suggest.h"

#define PERIOD_MT "kpi.Period"
/* Shifts beyond this many steps leave any calendar a rule set means. */
#define MAX_SHIFT 100000

static const char *const fields[] = {"grain", "label", "start", "stop"};

void l_period_push(lua_State *L, period p)
{
    period *ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = p;
    luaL_setmetatable(L, PERIOD_MT);
}

int l_period_test(lua_State *L, int idx, period *p)
{
    period *ud = luaL_testudata(L, idx, PERIOD_MT);
    if (ud) *p = *ud;
    return ud != NULL;
}

/* The name the running C function was called by, for messages ("during"). */
static const char *called_as(lua_State *L)
{
    lua_Debug ar;
    if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name) return ar.name;
    return "?";
}

period l_period_check(lua_State *L, int idx)
{
    period p = {0};
    if (!l_period_test(L, idx, &p)) l_kpi_typeerror(L, called_as(L), "a Period", idx);
    return p;
}

static period check_self(lua_State *L, const char *method)
{
    period p = {0};
    if (!l_period_test(L, 1, &p)) l_kpi_typeerror(L, method, "a Period (call it as p:...)", 1);
    return p;
}

static void push_day(lua_State *L, int32_t day)
{
    char buf[16];
    date_format_iso(day, buf);
    lua_pushstring(L, buf);
}

static int l_prev(lua_State *L)
{
    l_period_push(L, period_prev(check_self(L, "prev")));
    return 1;
}

static int l_shift(lua_State *L)
{
    period p = check_self(L, "shift");
    if (!lua_isinteger(L, 2)) return l_kpi_typeerror(L, "shift", "an integer", 2);
    lua_Integer n = lua_tointeger(L, 2);
    int64_t days = (int64_t)period_days(p) * (n < 0 ? -n : n);
    if (n < -MAX_SHIFT || n > MAX_SHIFT || days > INT32_MAX / 2)
        return luaL_error(L, "shift: %I steps of %s leaves the calendar", n,
                          period_grain_name(p.grain));
    l_period_push(L, period_shift(p, (int)n));
    return 1;
}

static int l_days(lua_State *L)
{
    lua_pushinteger(L, period_days(check_self(L, "days")));
    return 1;
}

/* contains(x): an ISO date or a timestamp text inside p, or a Period wholly inside p. */
static int l_contains(lua_State *L)
{
    period p = check_self(L, "contains"), q;
    if (l_period_test(L, 2, &q)) {
        lua_pushboolean(L, q.start >= p.start && q.stop <= p.stop);
        return 1;
    }
    if (lua_type(L, 2) != LUA_TSTRING)
        return l_kpi_typeerror(L, "contains", "a date \"YYYY-MM-DD\" or a Period", 2);
    size_t len;
    const char *s = lua_tolstring(L, 2, &len);
    int32_t day;
    int64_t secs;
    if (date_parse_iso(s, len, &day) != 0) {
        if (date_parse_timestamp(s, len, &secs) != 0)
            return luaL_error(L, "contains: '%s' is not a date (expected YYYY-MM-DD)", s);
        day = date_of_timestamp(secs);
    }
    lua_pushboolean(L, day >= p.start && day < p.stop);
    return 1;
}

/* __index: the fields, then the methods (upvalue 1); anything else is an error. */
static int period_index(lua_State *L)
{
    period p = check_self(L, "index");
    const char *key = lua_tostring(L, 2);
    char buf[64];
    if (lua_type(L, 2) == LUA_TSTRING) {
        if (strcmp(key, "grain") == 0)
            lua_pushstring(L, period_grain_name(p.grain));
        else if (strcmp(key, "label") == 0)
            lua_pushstring(L, period_label(p, buf, sizeof buf));
        else if (strcmp(key, "start") == 0)
            push_day(L, p.start);
        else if (strcmp(key, "stop") == 0)
            push_day(L, p.stop);
        else {
            lua_pushvalue(L, 2);
            lua_rawget(L, lua_upvalueindex(1)); /* a method, or nil */
        }
        if (!lua_isnil(L, -1)) return 1;
    }
    key = luaL_tolstring(L, 2, NULL);
    suggest s;
    suggest_init(&s, key);
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        suggest_add(&s, fields[i]);
    for (lua_pushnil(L); lua_next(L, lua_upvalueindex(1)); lua_pop(L, 1))
        suggest_add(&s, lua_tostring(L, -2));
    if (suggest_result(&s))
        return luaL_error(L, "Period has no field '%s' (did you mean '%s'?)", key,
                          suggest_result(&s));
    return luaL_error(L,
                      "Period has no field '%s' (it has grain, label, start, stop, prev, "
                      "shift, days, contains)",
                      key);
}

static int period_tostring(lua_State *L)
{
    char buf[64];
    lua_pushstring(L, period_label(check_self(L, "tostring"), buf, sizeof buf));
    return 1;
}

static int period_eq(lua_State *L)
{
    period a = {0}, b = {0};
    int same = l_period_test(L, 1, &a) && l_period_test(L, 2, &b) && a.grain == b.grain &&
               a.start == b.start && a.stop == b.stop;
    lua_pushboolean(L, same);
    return 1;
}

/* -1, 0, 1 ordering a and b by start, then stop; raises when either is not a Period. */
static int compare(lua_State *L)
{
    period a = {0}, b = {0};
    if (!l_period_test(L, 1, &a)) l_kpi_typeerror(L, "Period comparison", "a Period", 1);
    if (!l_period_test(L, 2, &b)) l_kpi_typeerror(L, "Period comparison", "a Period", 2);
    if (a.start != b.start) return a.start < b.start ? -1 : 1;
    if (a.stop != b.stop) return a.stop < b.stop ? -1 : 1;
    return 0;
}

static int period_lt(lua_State *L)
{
    lua_pushboolean(L, compare(L) < 0);
    return 1;
}

static int period_le(lua_State *L)
{
    lua_pushboolean(L, compare(L) <= 0);
    return 1;
}

static const luaL_Reg period_methods[] = {
    {"prev", l_prev}, {"shift", l_shift}, {"days", l_days}, {"contains", l_contains}, {NULL, NULL}};

static const luaL_Reg period_meta[] = {{"__tostring", period_tostring},
                                       {"__eq", period_eq},
                                       {"__lt", period_lt},
                                       {"__le", period_le},
                                       {NULL, NULL}};

int luaopen_kpi_period(lua_State *L)
{
    luaL_newmetatable(L, PERIOD_MT);
    luaL_setfuncs(L, period_meta, 0);
    lua_newtable(L); /* the methods, upvalue of __index */
    luaL_setfuncs(L, period_methods, 0);
    lua_pushcclosure(L, period_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, PERIOD_MT);
    lua_setfield(L, -2, "__metatable");
    return 1;
}
