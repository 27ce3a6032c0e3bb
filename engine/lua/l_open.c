/*
** l_open.c -- registering the engine's Lua types, and the helpers their messages share.
*/
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lkpi.h"

void l_kpi_open_all(lua_State *L)
{
    static const lua_CFunction openers[] = {luaopen_kpi_table, luaopen_kpi_series,
                                            luaopen_kpi_idset, luaopen_kpi_period};
    int top = lua_gettop(L);
    for (size_t i = 0; i < sizeof openers / sizeof *openers; i++) {
        openers[i](L);
        lua_settop(L, top); /* drop what the opener left */
    }
}

const char *l_kpi_typename(lua_State *L, int idx)
{
    const char *name = NULL;
    if (luaL_getmetafield(L, idx, "__name") != LUA_TNIL) {
        name = lua_tostring(L, -1); /* kept alive by the metatable in the registry */
        lua_pop(L, 1);              /* pop the __name */
    }
    if (name && strncmp(name, "kpi.", 4) == 0) return name + 4;
    if (name) return name;
    return luaL_typename(L, idx);
}

int l_kpi_typeerror(lua_State *L, const char *method, const char *expected, int idx)
{
    return luaL_error(L, "%s: expected %s, got %s", method, expected, l_kpi_typename(L, idx));
}
