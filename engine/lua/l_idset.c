/*
** l_idset.c -- kpi.IdSet: sets of identifiers and their algebra.
**
** a - b (difference), a * b (intersection), a + b (union), #a and a:count(),
** a:has(key). Each operation is one core call (idset.h) into a new IdSet userdata
** created empty first, so an error never strands a core set.
*/
#include <math.h>

#include <lauxlib.h>
#include <lua.h>

#include "lkpi.h"

#define IDSET_MT "kpi.IdSet"

typedef struct l_idset {
    idset *s; /* NULL until filled; reads as empty */
} l_idset;

idset **l_idset_newslot(lua_State *L)
{
    l_idset *ls = lua_newuserdatauv(L, sizeof *ls, 0);
    ls->s = NULL;
    luaL_setmetatable(L, IDSET_MT);
    return &ls->s;
}

static int newslot_protected(lua_State *L)
{
    l_idset_newslot(L);
    return 1;
}

void l_idset_push(lua_State *L, idset *s)
{
    lua_pushcfunction(L, newslot_protected);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        idset_free(s); /* nobody else owns s now */
        lua_error(L);
    }
    l_idset *ls = lua_touserdata(L, -1);
    ls->s = s;
}

const idset *l_idset_test(lua_State *L, int idx)
{
    l_idset *ls = luaL_testudata(L, idx, IDSET_MT);
    return ls ? ls->s : NULL;
}

/*
** The set at idx. An empty slot exists only while its set is being made and is never
** handed to a rule set; should one leak out it is refused like any other non-set.
*/
static const idset *check_idset(lua_State *L, int idx, const char *what)
{
    const idset *s = l_idset_test(L, idx);
    if (!s) l_kpi_typeerror(L, what, "an IdSet", idx);
    return s;
}

typedef idset *(*set_op)(const idset *, const idset *, kpi_error *);

static int algebra(lua_State *L, set_op op, const char *what)
{
    const idset *a = check_idset(L, 1, what), *b = check_idset(L, 2, what);
    idset **slot = l_idset_newslot(L);
    kpi_error err;
    kpi_error_clear(&err);
    *slot = op(a, b, &err);
    if (!*slot) return luaL_error(L, "%s: %s", what, err.message);
    return 1;
}

static int idset_sub(lua_State *L)
{
    return algebra(L, idset_diff, "IdSet -");
}

static int idset_mul(lua_State *L)
{
    return algebra(L, idset_intersect, "IdSet *");
}

static int idset_add(lua_State *L)
{
    return algebra(L, idset_union, "IdSet +");
}

static int l_count(lua_State *L)
{
    const idset *s = check_idset(L, 1, "count");
    lua_pushinteger(L, (lua_Integer)idset_count(s));
    return 1;
}

/* has(key): strings for string sets, integral numbers for integer sets; false otherwise. */
static int l_has(lua_State *L)
{
    const idset *s = check_idset(L, 1, "has");
    int found = 0;
    if (lua_type(L, 2) == LUA_TSTRING) {
        size_t len;
        const char *key = lua_tolstring(L, 2, &len);
        found = idset_has_string(s, key, len);
    } else if (lua_type(L, 2) == LUA_TNUMBER) {
        lua_Number d = lua_tonumber(L, 2);
        lua_Integer i = 0;
        if (lua_isinteger(L, 2))
            found = idset_has_int(s, (long long)lua_tointeger(L, 2));
        else if (d == floor(d) && lua_numbertointeger(d, &i))
            found = idset_has_int(s, (long long)i);
    } else if (lua_type(L, 2) == LUA_TBOOLEAN) {
        found = idset_has_int(s, lua_toboolean(L, 2));
    } else {
        return l_kpi_typeerror(L, "has", "a string or a number", 2);
    }
    lua_pushboolean(L, found);
    return 1;
}

static int idset_tostring(lua_State *L)
{
    const idset *s = check_idset(L, 1, "tostring");
    lua_pushfstring(L, "IdSet(%I)", (lua_Integer)idset_count(s));
    return 1;
}

static int idset_gc(lua_State *L)
{
    l_idset *ls = luaL_checkudata(L, 1, IDSET_MT);
    idset_free(ls->s);
    ls->s = NULL;
    return 0;
}

static const luaL_Reg idset_methods[] = {{"count", l_count}, {"has", l_has}, {NULL, NULL}};

static const luaL_Reg idset_meta[] = {
    {"__sub", idset_sub}, {"__mul", idset_mul},           {"__add", idset_add}, {"__len", l_count},
    {"__gc", idset_gc},   {"__tostring", idset_tostring}, {NULL, NULL}};

int luaopen_kpi_idset(lua_State *L)
{
    luaL_newmetatable(L, IDSET_MT);
    luaL_setfuncs(L, idset_meta, 0);
    lua_newtable(L);
    luaL_setfuncs(L, idset_methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, IDSET_MT);
    lua_setfield(L, -2, "__metatable");
    return 1;
}
