/*
** check_load.c -- running a rule-set file for the check: the DSL's own globals, each
** wrapped so that a failing declaration becomes a finding and the file goes on.
**
** `kpi "x" { ... }` is two calls: the name, which returns a declarer, and the body. The
** wrappers call the DSL's functions under lua_pcall, so every check stays the DSL's
** (its messages, its field lists). When the body fails, its error is noted at the
** declaration's file:line, the field at fault is dropped or given a placeholder in a
** copy of the table (the user's table is never changed) and the body is declared
** again; what cannot be repaired is replaced by a minimal declaration and marked (see
** check_impl.h), so later references to its name do not cascade into more findings.
**
** The wrappers are C functions between the user's code and the DSL's, so the DSL's
** dsl_caller (which skips C frames) still finds the user's file:line. A limit hit or
** running out of memory is raised again at once: the load then stops.
*/
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "check_impl.h"
#include "lkpi.h"

/* dsl_file.c's registry table of the files that make the rule set (extends cycles). */
#define BASES_KEY "kpiengine.bases"
/* Repairs of one declaration before giving up on it. */
#define MAX_TRIES   32
#define MAX_DROPPED 16

/* What the repairs of one declaration did so far. */
typedef struct repair {
    char dropped[MAX_DROPPED][64]; /* fields dropped for their type: "missing" is not news */
    int ndropped;
    int placeholder; /* the declaration was replaced by a minimal one */
} repair;

static check_ctx *ctx_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* After a failed lua_pcall: a limit or out of memory ends the load. */
static void raise_limits(lua_State *L, const check_ctx *c, int status)
{
    if (status == LUA_ERRMEM || sandbox_tripped(c->sb) != SANDBOX_OK) lua_error(L);
}

/* Outside loading (a KPI declaring something): the DSL's function as it is. */
static int pass_through(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- repairs ---------------------------------------------------------------------------- */

/* The name quoted after prefix in msg ("unknown field 'x'"), into out; 0 when absent. */
static int quoted_after(const char *msg, const char *prefix, char *out, size_t size)
{
    const char *p = strstr(msg, prefix);
    if (!p) return 0;
    p += strlen(prefix);
    size_t n = strcspn(p, "'");
    if (p[n] != '\'' || n == 0 || n >= size) return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

static void set_nil(lua_State *L, int t, const char *field)
{
    lua_pushnil(L);
    lua_setfield(L, t, field);
}

static int has_field(lua_State *L, int t, const char *field)
{
    int type = lua_getfield(L, t, field);
    lua_pop(L, 1);
    return type != LUA_TNIL;
}

/* A kpi's value that has no data: the placeholder for a missing or broken value. */
static int no_value(lua_State *L)
{
    (void)L;
    return 0;
}

/* Drop the entries without a string key (kpi "x" { 1, 2 }). */
static void drop_unnamed(lua_State *L, int t)
{
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1); /* pop the value */
        if (lua_type(L, -1) != LUA_TSTRING) {
            lua_pushvalue(L, -1);
            lua_pushnil(L);
            lua_rawset(L, t);
        }
    }
}

/* A missing kpi field: a placeholder (the kpi's levels are then not checked). */
static int fill_missing(lua_State *L, check_ctx *c, int t, const char *name, const char *field)
{
    if (strcmp(field, "value") == 0) {
        lua_pushcfunction(L, no_value);
    } else if (strcmp(field, "better") == 0) {
        lua_pushliteral(L, "higher");
    } else if (strcmp(field, "minimum") == 0 || strcmp(field, "target") == 0) {
        const char *other = field[0] == 'm' ? "target" : "minimum";
        if (lua_getfield(L, t, other) != LUA_TNUMBER) {
            lua_pop(L, 1);
            lua_pushinteger(L, 0);
        }
    } else {
        return 0;
    }
    lua_setfield(L, t, field);
    if (strcmp(field, "value") != 0) check_mark(c, "levels", name);
    return 1;
}

/* Levels in the wrong order: swap them (or keep the earlier declaration's). */
static int fix_levels(lua_State *L, int t)
{
    if (!has_field(L, t, "minimum") || !has_field(L, t, "target")) {
        set_nil(L, t, "minimum");
        set_nil(L, t, "target");
        return 1;
    }
    lua_getfield(L, t, "minimum");
    lua_getfield(L, t, "target");
    lua_setfield(L, t, "minimum");
    lua_setfield(L, t, "target");
    return 1;
}

static int repair_source(lua_State *L, check_ctx *c, int t, const char *name, const char *msg)
{
    if (strstr(msg, "give either csv")) {
        if (has_field(L, t, "csv")) {
            set_nil(L, t, "sqlite");
            return 1;
        }
        check_mark(c, "source", name);
        lua_pushliteral(L, "(missing)");
        lua_setfield(L, t, "csv");
        set_nil(L, t, "sqlite");
        return 1;
    }
    if (strstr(msg, "query and table only apply")) {
        set_nil(L, t, "query");
        set_nil(L, t, "table");
        return 1;
    }
    if (strstr(msg, "give either query") && has_field(L, t, "query")) {
        set_nil(L, t, "table");
        return 1;
    }
    if (strstr(msg, "only apply to csv")) {
        set_nil(L, t, "delimiter");
        set_nil(L, t, "decimal");
        set_nil(L, t, "header");
        return 1;
    }
    if (strstr(msg, "column '") || strstr(msg, "columns are written")) {
        set_nil(L, t, "columns");
        return 1;
    }
    return 0;
}

static int repair_review(lua_State *L, int t, const char *msg)
{
    if (strstr(msg, "give either every")) {
        if (has_field(L, t, "every") || !has_field(L, t, "campaigns")) {
            set_nil(L, t, "campaigns");
            if (!has_field(L, t, "every")) {
                lua_pushliteral(L, "month");
                lua_setfield(L, t, "every");
            }
        }
        return 1;
    }
    if (strstr(msg, "before and after only apply")) {
        set_nil(L, t, "before");
        set_nil(L, t, "after");
        return 1;
    }
    if (strstr(msg, "only applies to a schedule")) {
        set_nil(L, t, "day");
        set_nil(L, t, "business");
        return 1;
    }
    if (strstr(msg, "kpis must be")) {
        set_nil(L, t, "kpis");
        return 1;
    }
    return 0;
}

/* Change the declaration table t so that the error msg does not happen again. 1 when done. */
static int repair_decl(lua_State *L, check_ctx *c, int t, const char *kind, const char *name,
                       const char *msg, repair *rp)
{
    char field[64];
    if (!lua_istable(L, t)) return 0;
    if (quoted_after(msg, "unknown field '", field, sizeof field)) {
        /* a misspelt field most likely meant the suggestion: keep its value there */
        char meant[64];
        if (quoted_after(msg, "(did you mean '", meant, sizeof meant) && !has_field(L, t, meant)) {
            lua_getfield(L, t, field);
            lua_setfield(L, t, meant);
        }
        set_nil(L, t, field);
        return 1;
    }
    if (strstr(msg, "every field needs a name")) {
        drop_unnamed(L, t);
        return 1;
    }
    if (quoted_after(msg, "missing field '", field, sizeof field))
        return fill_missing(L, c, t, name, field);
    if (quoted_after(msg, "field '", field, sizeof field) && strstr(msg, "' must be")) {
        if (rp->ndropped < MAX_DROPPED) snprintf(rp->dropped[rp->ndropped++], 64, "%s", field);
        set_nil(L, t, field);
        return 1;
    }
    if (strstr(msg, "is below minimum") || strstr(msg, "is above minimum")) return fix_levels(L, t);
    if (strstr(msg, "unknown grain") && strcmp(kind, "review") != 0) {
        set_nil(L, t, "grain");
        return 1;
    }
    if (strcmp(kind, "source") == 0) return repair_source(L, c, t, name, msg);
    if (strcmp(kind, "review") == 0) return repair_review(L, t, msg);
    return 0;
}

/* Whether msg only follows from an earlier repair (a field dropped, then missing). */
static int follows_repair(const repair *rp, const char *msg)
{
    char field[64];
    if (!quoted_after(msg, "missing field '", field, sizeof field)) return 0;
    for (int i = 0; i < rp->ndropped; i++)
        if (strcmp(rp->dropped[i], field) == 0) return 1;
    return 0;
}

/* Replace the declaration at t with the smallest one of its kind that loads. */
static void placeholder(lua_State *L, int t, const char *kind)
{
    lua_newtable(L);
    if (strcmp(kind, "kpi") == 0) {
        lua_pushliteral(L, "higher");
        lua_setfield(L, -2, "better");
        lua_pushinteger(L, 0);
        lua_setfield(L, -2, "minimum");
        lua_pushinteger(L, 0);
        lua_setfield(L, -2, "target");
        lua_pushcfunction(L, no_value);
        lua_setfield(L, -2, "value");
    } else if (strcmp(kind, "source") == 0) {
        lua_pushliteral(L, "(missing)");
        lua_setfield(L, -2, "csv");
    } else if (strcmp(kind, "review") == 0) {
        lua_pushliteral(L, "month");
        lua_setfield(L, -2, "every");
    }
    lua_replace(L, t);
}

/* ---- the wrappers ---------------------------------------------------------------------- */

/* A shallow copy of the table at idx (or the value itself) on top. */
static void push_copy(lua_State *L, int idx)
{
    if (!lua_istable(L, idx)) {
        lua_pushvalue(L, idx);
        return;
    }
    lua_newtable(L);
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        lua_rawset(L, -5);
    }
}

/* A source declaration that could not be made: the Table of the earlier one, if any. */
static int earlier_source(lua_State *L, const check_ctx *c, const char *kind, const char *name)
{
    if (strcmp(kind, "source") != 0) return 0;
    for (size_t i = 0; i < c->d->nsources; i++)
        if (strcmp(c->d->sources[i]->name, name) == 0) {
            l_table_push(L, c->d->sources[i]->id);
            return 1;
        }
    return 0;
}

/*
** The body of a declaration (upvalues: ctx, the DSL's declarer, the kind, the name):
** declare a copy of the table, repairing it after each error.
*/
static int declare_body(lua_State *L)
{
    check_ctx *c = ctx_of(L);
    if (!c->d->loading) return pass_through(L);
    const char *kind = lua_tostring(L, lua_upvalueindex(3));
    const char *name = lua_tostring(L, lua_upvalueindex(4));
    lua_settop(L, 1);
    int line;
    const char *file = dsl_caller(L, &line);
    lua_pushstring(L, file); /* 2: kept while the file runs */
    push_copy(L, 1);         /* 3: the declaration as it will be tried */
    repair rp;
    memset(&rp, 0, sizeof rp);
    for (int tries = 0; tries < MAX_TRIES; tries++) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_pushvalue(L, 3);
        int status = lua_pcall(L, 1, 1, 0);
        if (status == LUA_OK) return 1;
        raise_limits(L, c, status);
        const char *msg = lua_tostring(L, -1);
        if (!msg) msg = "the declaration failed";
        if (!rp.placeholder && !follows_repair(&rp, msg))
            check_note(c, CHECK_ERROR, 0, lua_tostring(L, 2), line, "%s", msg);
        int fixed = !rp.placeholder && repair_decl(L, c, 3, kind, name, msg, &rp);
        int again = !fixed && !rp.placeholder && !strstr(msg, "already declared");
        lua_pop(L, 1); /* pop the error */
        if (!fixed && !again) break;
        if (again) {
            rp.placeholder = 1;
            check_mark(c, kind, name);
            placeholder(L, 3, kind);
        }
    }
    return earlier_source(L, c, kind, name);
}

/* Swallows the body of a declaration whose name was refused. */
static int ignore_body(lua_State *L)
{
    (void)L;
    return 0;
}

/*
** `kpi "x"`, `source "x"`, `review "x"` (upvalues: ctx, the DSL's function, the kind):
** the DSL's declarer wrapped in declare_body.
*/
static int declare_name(lua_State *L)
{
    check_ctx *c = ctx_of(L);
    if (!c->d->loading) return pass_through(L);
    lua_settop(L, 1);
    for (int tries = 0; tries < 2; tries++) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_pushvalue(L, 1);
        int status = lua_pcall(L, 1, 1, 0);
        if (status == LUA_OK) {
            lua_pushlightuserdata(L, c);
            lua_insert(L, -2);
            lua_pushvalue(L, lua_upvalueindex(3));
            lua_pushvalue(L, 1);
            lua_pushcclosure(L, declare_body, 4);
            return 1;
        }
        raise_limits(L, c, status);
        lua_pop(L, 1);       /* pop the error */
        if (c->d->pending) { /* the previous `kpi "y"` never got its { ... } */
            check_note(c, CHECK_ERROR, 0, c->d->pending_file, c->d->pending_line,
                       "%s is missing its definition { ... }", c->d->pending_what);
            c->d->pending = 0;
            continue;
        }
        int line;
        const char *file = dsl_caller(L, &line);
        check_note(c, CHECK_ERROR, 0, file, line, "%s: expected a name: %s \"name\" { ... }",
                   lua_tostring(L, lua_upvalueindex(3)), lua_tostring(L, lua_upvalueindex(3)));
        break;
    }
    lua_pushcfunction(L, ignore_body);
    return 1;
}

/* Replace global `name` of the environment (on top) with f wrapping it. */
static void wrap_global(lua_State *L, check_ctx *c, const char *name, lua_CFunction f)
{
    lua_pushlightuserdata(L, c);
    lua_pushstring(L, name);
    lua_rawget(L, -3); /* the DSL's function */
    lua_pushstring(L, name);
    if (f == declare_body) lua_pushliteral(L, ""); /* ruleset has no name */
    lua_pushcclosure(L, f, f == declare_body ? 4 : 3);
    lua_setfield(L, -2, name);
}

/* Record the main file as part of the rule set, as dsl_run does. */
static void add_main_file(lua_State *L, const dsl *d)
{
    char real[PATH_MAX];
    if (!realpath(d->file, real)) return; /* running the file reports it */
    if (lua_getfield(L, LUA_REGISTRYINDEX, BASES_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, BASES_KEY);
    }
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, real);
    lua_pop(L, 1); /* pop the bases */
}

/* lua_CFunction: run the rule set with the wrapped globals (argument: the check_ctx). */
static int load_main(lua_State *L)
{
    check_ctx *c = lua_touserdata(L, 1);
    dsl *d = c->d;
    dsl_open(L, d);
    sandbox_push_env(L);
    wrap_global(L, c, "ruleset", declare_body);
    wrap_global(L, c, "kpi", declare_name);
    wrap_global(L, c, "source", declare_name);
    wrap_global(L, c, "review", declare_name);
    lua_pop(L, 1); /* pop the environment */
    add_main_file(L, d);
    d->loading = 1;
    dsl_run_file(L, d, d->file);
    d->loading = 0;
    return 0;
}

int check_load(check_ctx *c)
{
    lua_State *L = sandbox_lua(c->sb);
    int base = lua_gettop(L);
    sandbox_begin(c->sb);
    lua_pushcfunction(L, sandbox_msghandler);
    lua_pushcfunction(L, load_main);
    lua_pushlightuserdata(L, c);
    sandbox_clear_error(c->sb);
    int status = lua_pcall(L, 1, 0, base + 1);
    sandbox_end(c->sb);
    c->d->loading = 0;
    if (status == LUA_OK) {
        lua_settop(L, base);
        return 0;
    }
    kpi_error e;
    if (c->d->has_source_error)
        e = c->d->source_error;
    else
        sandbox_error(c->sb, status, NULL, c->d->file, 0, &e);
    lua_settop(L, base);
    check_note(c, CHECK_ERROR, e.kind != KPI_ESCRIPT && e.kind != KPI_ENOMEM, e.file, e.line, "%s",
               e.message);
    return -1;
}
