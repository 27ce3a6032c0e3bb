/*
** dsl_file.c -- running rule-set files: the main file, `extends "base.lua"` and
** `require "x"`.
**
** Files are read whole into a Lua-owned buffer (so an error leaks nothing) and loaded
** as text only, with the sandbox's environment (sandbox_load). Two registry tables:
**   modules  real path -> a required module's value (LOADING while it runs: a cycle)
**   bases    real path -> true for the main file and every base: extending one of
**            them again is a cycle or a diamond, and is refused
** require and extends run their file under lua_pcall so that a failure can undo the
** bookkeeping before the error goes on (sandbox_rethrow keeps its first position).
*/
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "dsl.h"
#include "sandbox.h"

#define MODULES_KEY "kpiengine.modules"
#define BASES_KEY   "kpiengine.bases"
/* Rule-set files larger than this are refused (they are code, not data). */
#define MAX_FILE_BYTES (16L << 20)

static char loading_marker; /* its address marks a module that is running */

/* Push the registry table at key, creating it on first use. */
static void push_registry_table(lua_State *L, const char *key)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, key) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, key);
}

/* Read path and push it as a function (text only, the sandbox's environment); raises. */
static void load_file(lua_State *L, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) luaL_error(L, "cannot read '%s': %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) luaL_error(L, "cannot read '%s': not a regular file", path);
    if (st.st_size > MAX_FILE_BYTES) luaL_error(L, "cannot read '%s': the file is too large", path);
    size_t size = (size_t)st.st_size;
    char *buf = lua_newuserdatauv(L, size ? size : 1, 0); /* freed by the collector */
    FILE *f = fopen(path, "rb");
    if (!f) luaL_error(L, "cannot read '%s': %s", path, strerror(errno));
    size_t got = fread(buf, 1, size, f);
    int failed = ferror(f);
    fclose(f);
    if (failed || got != size) luaL_error(L, "cannot read '%s': read error", path);
    dsl *d = sandbox_user(L);
    if (d && dsl_note_words(d, buf, size)) luaL_error(L, "out of memory");
    if (sandbox_load(L, buf, size, path) != LUA_OK) lua_error(L); /* the syntax error */
    lua_remove(L, -2);                                            /* remove the buffer */
}

void dsl_run_file(lua_State *L, dsl *d, const char *path)
{
    (void)d;
    load_file(L, path);
    lua_call(L, 0, 1);
}

/* Load path and call it with the nargs values below it; LUA_OK and its result, or the error. */
static int run_protected(lua_State *L, const char *path, int nargs)
{
    load_file(L, path);
    lua_insert(L, -(nargs + 1)); /* the function below its arguments */
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, sandbox_msghandler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, 1, base);
    lua_remove(L, base); /* remove the handler */
    return status;
}

/* The file of the nearest calling chunk that is a file ("@path"), or NULL. */
static const char *calling_file(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; level <= 200 && lua_getstack(L, level, &ar); level++)
        if (lua_getinfo(L, "S", &ar) && ar.source[0] == '@') return ar.source + 1;
    return NULL;
}

/* dir/rel into out ("rel" alone when dir is "."); raises when too long. */
static void join(lua_State *L, char *out, size_t size, const char *dir, size_t dirlen,
                 const char *rel)
{
    int n = dirlen == 1 && dir[0] == '.' ? snprintf(out, size, "%s", rel)
                                         : snprintf(out, size, "%.*s/%s", (int)dirlen, dir, rel);
    if (n < 0 || (size_t)n >= size) luaL_error(L, "path too long: %s", rel);
}

static size_t dir_length(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash ? (size_t)(slash - file) + (slash == file) : 0;
}

/* ---- require ----------------------------------------------------------------------------- */

/* Module names are words of letters, digits, '_' and '-' separated by single dots. */
static int module_name(const char *name)
{
    int after_dot = 1;
    for (const char *p = name; *p; p++) {
        if (*p == '.') {
            if (after_dot) return 0;
            after_dot = 1;
        } else if (isalnum((unsigned char)*p) || *p == '_' || *p == '-') {
            after_dot = 0;
        } else {
            return 0;
        }
    }
    return !after_dot;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Find name's file next to the calling file, then in lib/ beside it, into out. */
static void find_module(lua_State *L, dsl *d, const char *name, char *out, size_t size)
{
    char rel[PATH_MAX], in_lib[PATH_MAX + 8], second[PATH_MAX];
    snprintf(rel, sizeof rel, "%s.lua", name);
    for (char *p = rel; *p && strcmp(p, ".lua") != 0; p++)
        if (*p == '.') *p = '/';
    const char *caller = calling_file(L);
    const char *dir = caller ? caller : d->file;
    size_t dirlen = dir_length(dir);
    if (dirlen == 0) dir = ".", dirlen = 1;
    join(L, out, size, dir, dirlen, rel);
    if (is_file(out)) return;
    snprintf(in_lib, sizeof in_lib, "lib/%s", rel);
    join(L, second, sizeof second, dir, dirlen, in_lib);
    if (is_file(second)) {
        snprintf(out, size, "%s", second);
        return;
    }
    luaL_error(L, "require: module '%s' not found (looked for %s and %s)", name, out, second);
}

int dsl_require(lua_State *L)
{
    dsl *d = sandbox_user(L);
    const char *name = luaL_checkstring(L, 1);
    if (!module_name(name))
        luaL_error(L,
                   "require: '%s' is not a module name (words of letters, digits and _ "
                   "separated by dots)",
                   name);
    char path[PATH_MAX];
    find_module(L, d, name, path, sizeof path);
    char real[PATH_MAX];
    if (!realpath(path, real))
        luaL_error(L, "require: cannot read '%s': %s", path, strerror(errno));
    lua_pushstring(L, real); /* the cache key */
    int key = lua_gettop(L);
    push_registry_table(L, MODULES_KEY);
    int modules = lua_gettop(L);
    lua_pushvalue(L, key);
    int t = lua_rawget(L, modules);
    if (t == LUA_TLIGHTUSERDATA && lua_touserdata(L, -1) == &loading_marker)
        luaL_error(L, "require: module '%s' requires itself (a require cycle)", name);
    if (t != LUA_TNIL) return 1;
    lua_pop(L, 1);
    lua_pushvalue(L, key);
    lua_pushlightuserdata(L, &loading_marker);
    lua_rawset(L, modules);
    lua_pushstring(L, name); /* the module's arguments: its name and path, as Lua's require */
    lua_pushstring(L, path);
    if (run_protected(L, path, 2) != LUA_OK) {
        lua_pushvalue(L, key);
        lua_pushnil(L);
        lua_rawset(L, modules); /* a later require may try again */
        return sandbox_rethrow(L);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, key);
    lua_pushvalue(L, -2);
    lua_rawset(L, modules);
    return 1;
}

/* ---- extends ------------------------------------------------------------------------------ */

/* Mark real as part of the rule set; raises if it already is. */
static void add_base(lua_State *L, const char *path, const char *real)
{
    push_registry_table(L, BASES_KEY);
    if (lua_getfield(L, -1, real) != LUA_TNIL)
        luaL_error(L,
                   "extends: '%s' is already part of this rule set (a cycle, or a base "
                   "extended twice)",
                   path);
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, real);
    lua_pop(L, 1); /* pop the bases */
}

int dsl_extends(lua_State *L)
{
    dsl *d = sandbox_user(L);
    const char *rel = luaL_checkstring(L, 1);
    if (!d->loading) luaL_error(L, "extends: only allowed while the rule set loads");
    const char *caller = calling_file(L);
    if (!caller) luaL_error(L, "extends: only a rule-set file can extend another");
    dsl_file *f = dsl_file_record(L, d, caller);
    if (f->declared) luaL_error(L, "extends must come before the declarations of this file");
    if (f->extended) luaL_error(L, "extends: this file already extends another rule set");
    if (rel[0] == '/' || rel[0] == '\0')
        luaL_error(L, "extends: give the base's path relative to this file");
    char path[PATH_MAX];
    size_t dirlen = dir_length(caller);
    join(L, path, sizeof path, dirlen ? caller : ".", dirlen ? dirlen : 1, rel);
    char real[PATH_MAX];
    if (!realpath(path, real))
        luaL_error(L, "extends: cannot read '%s': %s", path, strerror(errno));
    add_base(L, path, real);
    f->extended = 1;
    if (run_protected(L, path, 0) != LUA_OK) return sandbox_rethrow(L);
    return 0;
}

/* ---- the main file -------------------------------------------------------------------------- */

int dsl_run(lua_State *L)
{
    dsl *d = sandbox_user(L);
    dsl_open(L, d);
    char real[PATH_MAX];
    if (!realpath(d->file, real)) luaL_error(L, "cannot read '%s': %s", d->file, strerror(errno));
    add_base(L, d->file, real);
    d->loading = 1;
    dsl_run_file(L, d, d->file);
    d->loading = 0;
    return 0;
}
