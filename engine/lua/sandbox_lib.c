/*
** sandbox_lib.c -- the rule set's environment: which library functions a script sees
** and the wrappers that keep them safe (see sandbox.h for the list).
**
** The standard libraries are opened into the registry only (luaL_requiref without
** globals); the environment is a separate table that copies what is allowed, so the
** state's real global table, the libraries' own tables and the string metatable are
** out of the script's reach. Scripts see read-only proxies: an empty table whose
** metatable reads from the library, refuses writes and hides itself (__metatable).
*/
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "sandbox.h"
#include "strmatch.h"
#include "suggest.h"

#define ENV_KEY      "kpiengine.env"
#define NAMES_KEY    "kpiengine.names"
#define READONLY_KEY "kpiengine.readonly" /* proxy -> the library's name */

void sandbox_push_env(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, ENV_KEY);
}

void sandbox_add_name(lua_State *L, const char *name)
{
    lua_getfield(L, LUA_REGISTRYINDEX, NAMES_KEY); /* names */
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, name);
    lua_pop(L, 1); /* pop names */
}

/* ---- read-only proxies ----------------------------------------------------------------- */

static int readonly_newindex(lua_State *L)
{
    return luaL_error(L, "cannot modify the read-only table '%s'",
                      lua_tostring(L, lua_upvalueindex(1)));
}

/* next() over the library (upvalue 1) behind a proxy. */
static int readonly_next(lua_State *L)
{
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1)); /* proxy key lib */
    lua_pushvalue(L, 2);                   /* proxy key lib key */
    if (lua_next(L, -2)) return 2;
    lua_pushnil(L);
    return 1;
}

/* __pairs: iterate the library without handing it out (pairs would return it). */
static int readonly_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1)); /* the iterator */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Push a read-only proxy of the table at lib_idx, named name in messages. */
static void push_readonly(lua_State *L, int lib_idx, const char *name)
{
    lib_idx = lua_absindex(L, lib_idx);
    lua_newtable(L);          /* proxy */
    lua_createtable(L, 0, 4); /* proxy mt */
    lua_pushvalue(L, lib_idx);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_pushcclosure(L, readonly_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, lib_idx);
    lua_pushcclosure(L, readonly_next, 1);
    lua_pushcclosure(L, readonly_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2); /* proxy */
    lua_getfield(L, LUA_REGISTRYINDEX, READONLY_KEY);
    lua_pushvalue(L, -2);
    lua_pushstring(L, name);
    lua_rawset(L, -3);
    lua_pop(L, 1); /* pop the registry of proxies */
}

/* ---- wrapped base functions -------------------------------------------------------------- */

static int safe_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, LUA_REGISTRYINDEX, READONLY_KEY);
    lua_pushvalue(L, 1);
    if (lua_rawget(L, -2) == LUA_TSTRING)
        return luaL_error(L, "rawset: cannot modify the read-only table '%s'", lua_tostring(L, -1));
    lua_pop(L, 2);                         /* pop the name and the registry of proxies */
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original rawset */
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int safe_setmetatable(lua_State *L)
{
    static const char *const refused[] = {"__gc", "__close", "__mode", NULL};
    if (lua_type(L, 2) == LUA_TTABLE) {
        for (const char *const *k = refused; *k; k++) {
            lua_pushstring(L, *k);
            if (lua_rawget(L, 2) != LUA_TNIL)
                return luaL_error(
                    L, "setmetatable: a metatable with '%s' is not allowed in a rule set", *k);
            lua_pop(L, 1);
        }
    }
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original setmetatable */
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

/* load(chunk [, name [, mode [, env]]]): text only; the environment defaults to the rule set's. */
static int safe_load(lua_State *L)
{
    int has_env = !lua_isnone(L, 4);
    lua_settop(L, 4);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    if (!has_env) {
        sandbox_push_env(L);
        lua_replace(L, 4);
    }
    lua_pushvalue(L, lua_upvalueindex(1)); /* the original load */
    lua_insert(L, 1);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- coroutines: new threads carry the limits' hook ------------------------------------ */

static int co_create(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    sandbox_hook_thread(L, co);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1); /* the body goes to the new thread */
    return 1;
}

static int co_resume(lua_State *L)
{
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "coroutine");
    int n = sandbox_resume_thread(L, co, lua_gettop(L) - 1);
    if (n < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2; /* false, the error */
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(n + 1));
    return n + 1;
}

/*
** The function coroutine.wrap returns. Unlike Lua's, a failed coroutine is not reset
** with lua_resetthread (5.4.4 has known bugs there) and the error passes unchanged.
*/
static int co_wrapped(lua_State *L)
{
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int n = sandbox_resume_thread(L, co, lua_gettop(L));
    if (n < 0) return lua_error(L);
    return n;
}

static int co_wrap(lua_State *L)
{
    co_create(L);
    lua_pushcclosure(L, co_wrapped, 1);
    return 1;
}

/* ---- unknown globals ----------------------------------------------------------------- */

static void suggest_keys(lua_State *L, int t, suggest *s)
{
    t = lua_absindex(L, t);
    for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1)) /* keys stay alive in t */
        if (lua_type(L, -2) == LUA_TSTRING) suggest_add(s, lua_tostring(L, -2));
}

/* Locals and upvalues of the few Lua functions nearest the access. */
static void suggest_caller_names(lua_State *L, suggest *s)
{
    lua_Debug ar;
    for (int level = 1; level <= 3 && lua_getstack(L, level, &ar); level++) {
        const char *name;
        for (int n = 1; (name = lua_getlocal(L, &ar, n)) != NULL; n++) {
            lua_pop(L, 1); /* the name lives in the function's prototype */
            if (name[0] != '(') suggest_add(s, name);
        }
        if (!lua_getinfo(L, "f", &ar)) continue;
        for (int n = 1; (name = lua_getupvalue(L, -1, n)) != NULL; n++) {
            lua_pop(L, 1);
            if (name[0] && strcmp(name, "_ENV") != 0) suggest_add(s, name);
        }
        lua_pop(L, 1); /* pop the function */
    }
}

static int env_index(lua_State *L)
{
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    const char *name = lua_tostring(L, 2);
    suggest s;
    suggest_init(&s, name);
    suggest_keys(L, 1, &s);
    lua_getfield(L, LUA_REGISTRYINDEX, NAMES_KEY);
    suggest_keys(L, -1, &s);
    suggest_caller_names(L, &s);
    const char *best = suggest_result(&s);
    if (best) return luaL_error(L, "unknown global '%s' (did you mean '%s'?)", name, best);
    return luaL_error(L, "unknown global '%s'", name);
}

/* ---- building the environment ------------------------------------------------------------ */

/* env[name] = G[name] for each name. */
static void copy_fields(lua_State *L, int env, int from, const char *const *names)
{
    for (; *names; names++) {
        lua_getfield(L, from, *names);
        lua_setfield(L, env, *names);
    }
}

/* env[name] = wrapper closing over the original G[name]. */
static void wrap_field(lua_State *L, int env, int from, const char *name, lua_CFunction wrapper)
{
    lua_getfield(L, from, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, env, name);
}

/* Open a standard library into the registry only; leaves it on the stack. */
static int open_lib(lua_State *L, const char *name, lua_CFunction opener)
{
    luaL_requiref(L, name, opener, 0);
    return lua_gettop(L);
}

static void add_string_lib(lua_State *L, int env)
{
    int lib = open_lib(L, LUA_STRLIBNAME, luaopen_string);
    lua_newtable(L); /* safe copy */
    int safe = lua_gettop(L);
    for (lua_pushnil(L); lua_next(L, lib); lua_pop(L, 1)) {
        if (lua_type(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -2), "dump") == 0) continue;
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, safe);
        lua_pushnil(L); /* balance the pop of the loop */
    }
    strmatch_register(L, safe);
    /* ("x"):find(...) goes through the string metatable: point it at the safe copy and lock it. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, safe);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2); /* pop the metatable and the string */
    push_readonly(L, safe, "string");
    lua_setfield(L, env, "string");
    lua_settop(L, lib - 1);
}

static void add_lib(lua_State *L, int env, const char *name, lua_CFunction opener,
                    const char *const *only)
{
    int lib = open_lib(L, name, opener);
    if (only) {
        lua_newtable(L);
        copy_fields(L, lua_gettop(L), lib, only);
    }
    push_readonly(L, -1, name);
    lua_setfield(L, env, name);
    lua_settop(L, lib - 1);
}

static void add_coroutine_lib(lua_State *L, int env)
{
    static const char *const kept[] = {"isyieldable", "running", "status", "yield", NULL};
    static const luaL_Reg wrapped[] = {
        {"create", co_create}, {"resume", co_resume}, {"wrap", co_wrap}, {NULL, NULL}};
    int lib = open_lib(L, LUA_COLIBNAME, luaopen_coroutine);
    lua_newtable(L);
    copy_fields(L, lua_gettop(L), lib, kept);
    luaL_setfuncs(L, wrapped, 0);
    push_readonly(L, -1, "coroutine");
    lua_setfield(L, env, "coroutine");
    lua_settop(L, lib - 1);
}

int sandbox_open_env(lua_State *L)
{
    static const char *const base[] = {"assert",   "error",    "getmetatable", "ipairs", "next",
                                       "pairs",    "pcall",    "rawequal",     "rawget", "rawlen",
                                       "select",   "tonumber", "tostring",     "type",   "xpcall",
                                       "_VERSION", NULL};
    static const char *const os_kept[] = {"time", "date", "clock", NULL};
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, READONLY_KEY);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, NAMES_KEY);
    int globals = open_lib(L, LUA_GNAME, luaopen_base);
    lua_newtable(L); /* the environment */
    int env = lua_gettop(L);
    copy_fields(L, env, globals, base);
    wrap_field(L, env, globals, "rawset", safe_rawset);
    wrap_field(L, env, globals, "setmetatable", safe_setmetatable);
    wrap_field(L, env, globals, "load", safe_load);
    lua_pushvalue(L, env);
    lua_setfield(L, env, "_G");
    add_string_lib(L, env);
    add_lib(L, env, LUA_TABLIBNAME, luaopen_table, NULL);
    add_lib(L, env, LUA_MATHLIBNAME, luaopen_math, NULL);
    add_lib(L, env, LUA_UTF8LIBNAME, luaopen_utf8, NULL);
    add_lib(L, env, LUA_OSLIBNAME, luaopen_os, os_kept);
    add_coroutine_lib(L, env);
    lua_createtable(L, 0, 2); /* env mt */
    lua_pushcfunction(L, env_index);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, env);
    lua_pushvalue(L, env);
    lua_setfield(L, LUA_REGISTRYINDEX, ENV_KEY);
    lua_settop(L, globals - 1);
    return 0;
}
