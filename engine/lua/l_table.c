/*
** l_table.c -- kpi.Table and kpi.View: sources and the filtered views of them.
**
** Every filter method (where, during, before, between) runs in three steps so a Lua
** error never unwinds past memory that C owns: (1) check the arguments and build the
** plan key, which may raise but owns nothing; (2) return the cached view for that key
** if the run already made it; (3) create the View userdata empty, let the core
** kernel write its selection straight into it (the userdata now owns it and __gc
** frees it), and only then raise if the kernel failed.
**
** Aggregates, by() and ids() live in l_agg.c; both files share l_view.h.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/date.h"
#include "core/select.h"
#include "l_view.h"
#include "lkpi.h"
#include "suggest.h"

#define CACHE_KEY "kpi.views"

/* An unknown column's message lists at most this many of the source's columns. */
#define LIST_COLUMNS 16

/* Values of a list operand up to this many live on the C stack, more in a scratch userdata. */
#define INLINE_VALUES 16

/* ---- the view cache -------------------------------------------------------------- */

/* Push the registry's cache table, creating it on first use. */
static void push_cache(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, CACHE_KEY) == LUA_TTABLE) return;
    lua_pop(L, 1);                                 /* pop the nil */
    lua_newtable(L);                               /* cache */
    lua_pushvalue(L, -1);                          /* cache cache */
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE_KEY); /* cache */
}

int lview_cache_get(lua_State *L, int key_idx)
{
    key_idx = lua_absindex(L, key_idx);
    push_cache(L);
    lua_pushvalue(L, key_idx);
    if (lua_rawget(L, -2) == LUA_TNIL) {
        lua_pop(L, 2); /* pop nil and the cache */
        return 0;
    }
    lua_remove(L, -2); /* remove the cache, keep the view */
    return 1;
}

void lview_cache_put(lua_State *L, int key_idx, int val_idx)
{
    key_idx = lua_absindex(L, key_idx);
    val_idx = lua_absindex(L, val_idx);
    push_cache(L);
    lua_pushvalue(L, key_idx);
    lua_pushvalue(L, val_idx);
    lua_rawset(L, -3);
    lua_pop(L, 1); /* pop the cache */
}

void l_view_cache_clear(lua_State *L)
{
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
}

/* ---- resolving self ---------------------------------------------------------------- */

int lview_fail(lua_State *L, const char *method, const kpi_error *err)
{
    return luaL_error(L, "%s: %s", method, err->message);
}

/* The source's table, checked against what a view was made from. */
static const table *source_table(lua_State *L, int source_id, const table *made_from, size_t nrows,
                                 const char *method)
{
    const table *t = l_source_table(L, source_id);
    if (made_from && (t != made_from || t->nrows != nrows))
        luaL_error(L, "%s: this view of source '%s' is out of date (the source was reloaded)",
                   method, l_source_name(L, source_id));
    return t;
}

void lview_self(lua_State *L, const char *method, lview_ctx *ctx)
{
    lview_table *tb = luaL_testudata(L, 1, LVIEW_TABLE);
    if (tb) {
        ctx->source_id = tb->source_id;
        ctx->t = source_table(L, tb->source_id, NULL, 0, method);
        selection_all(ctx->t, &ctx->sel);
        /* the plan key; the table's address makes a reloaded source a new plan */
        lua_pushfstring(L, "#%d@%p", tb->source_id, (const void *)ctx->t);
        return;
    }
    lview_view *v = luaL_testudata(L, 1, LVIEW_VIEW);
    if (!v) {
        luaL_error(L, "%s: expected a Table or View, got %s (call it as x:%s(...))", method,
                   l_kpi_typename(L, 1), method);
        return;
    }
    ctx->source_id = v->source_id;
    ctx->t = source_table(L, v->source_id, v->t, v->nrows, method);
    ctx->sel = v->sel;
    lua_getiuservalue(L, 1, 2); /* the plan key */
}

lview_grouped *lview_grouped_self(lua_State *L, const char *method, lview_ctx *ctx)
{
    lview_grouped *g = luaL_testudata(L, 1, LVIEW_GROUPED);
    if (!g) return NULL;
    ctx->source_id = g->source_id;
    ctx->t = source_table(L, g->source_id, g->t, g->nrows, method);
    ctx->sel = g->sel;
    return g;
}

int lview_column_named(lua_State *L, const lview_ctx *ctx, const char *name)
{
    int col = table_find(ctx->t, name);
    if (col >= 0) {
        if (ctx->t->cols[col].absent) l_source_column(L, ctx->source_id, col);
        return col;
    }
    const char *src = l_source_name(L, ctx->source_id);
    suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < ctx->t->ncols; i++)
        suggest_add(&s, ctx->t->cols[i].name);
    if (suggest_result(&s))
        return luaL_error(L, "source '%s' has no column '%s' (did you mean '%s'?)", src, name,
                          suggest_result(&s));
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < ctx->t->ncols && i < LIST_COLUMNS; i++) {
        if (i) luaL_addstring(&b, ", ");
        luaL_addstring(&b, ctx->t->cols[i].name);
    }
    if (ctx->t->ncols > LIST_COLUMNS) luaL_addstring(&b, ", ...");
    luaL_pushresult(&b); /* the column list */
    return luaL_error(L, "source '%s' has no column '%s' (it has: %s)", src, name,
                      lua_tostring(L, -1));
}

int lview_column(lua_State *L, const lview_ctx *ctx, int idx, const char *method)
{
    if (lua_type(L, idx) != LUA_TSTRING) return l_kpi_typeerror(L, method, "a column name", idx);
    return lview_column_named(L, ctx, lua_tostring(L, idx));
}

/* Push a new empty View over ctx, parent at index 1, plan key at key_idx. */
static lview_view *view_new(lua_State *L, const lview_ctx *ctx, int key_idx)
{
    key_idx = lua_absindex(L, key_idx);
    lview_view *v = lua_newuserdatauv(L, sizeof *v, 2);
    memset(v, 0, sizeof *v); /* an empty selection: __gc is a no-op until filled */
    v->source_id = ctx->source_id;
    v->t = ctx->t;
    v->nrows = ctx->t->nrows;
    luaL_setmetatable(L, LVIEW_VIEW);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1); /* pin the parent */
    lua_pushvalue(L, key_idx);
    lua_setiuservalue(L, -2, 2); /* remember the plan key */
    return v;
}

/* After the kernel ran into the View on top: raise on failure, else cache and return it. */
static int view_finish(lua_State *L, const char *method, int status, const kpi_error *err,
                       int key_idx)
{
    if (status != 0) return lview_fail(L, method, err);
    lview_cache_put(L, key_idx, -1);
    return 1;
}

/* ---- where ------------------------------------------------------------------------ */

/* A filter operand of Lua type number, string or boolean; 0, or -1 for any other type. */
static int to_value(lua_State *L, int idx, kpi_value *v)
{
    memset(v, 0, sizeof *v);
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        v->type = VAL_NUMBER, v->num = lua_tonumber(L, idx);
        return 0;
    case LUA_TSTRING:
        v->type = VAL_STRING, v->str = lua_tolstring(L, idx, &v->len);
        return 0;
    case LUA_TBOOLEAN:
        v->type = VAL_BOOL, v->b = lua_toboolean(L, idx);
        return 0;
    default:
        return -1;
    }
}

/* Append an operand to the plan key being built (b's stack discipline kept: no pushes). */
static void key_value(luaL_Buffer *b, const kpi_value *v)
{
    char num[48];
    if (v->type == VAL_NUMBER) {
        snprintf(num, sizeof num, "n%.17g;", v->num);
        luaL_addstring(b, num);
    } else if (v->type == VAL_BOOL) {
        luaL_addstring(b, v->b ? "t;" : "f;");
    } else {
        snprintf(num, sizeof num, "s%zu:", v->len); /* length first: no escaping needed */
        luaL_addstring(b, num);
        luaL_addlstring(b, v->str, v->len);
    }
}

/* One where clause: column, operator and the stack index of its operand (a value or a list). */
typedef struct clause {
    int col;
    filter_op op;
    int val_idx;
} clause;

/*
** Check a clause's operand and append the clause to the plan key. A list operand
** must be an array of values and makes the clause a membership test.
*/
static void clause_key(lua_State *L, luaL_Buffer *b, clause *c, const char *colname)
{
    char head[48];
    kpi_value v;
    int is_list = lua_type(L, c->val_idx) == LUA_TTABLE;
    if (is_list && c->op != FILTER_EQ)
        luaL_error(L, "where: a list of values for '%s' needs '=' (membership)", colname);
    if (is_list) c->op = FILTER_IN;
    snprintf(head, sizeof head, "|w%d,%d:", c->col, (int)c->op);
    luaL_addstring(b, head);
    if (!is_list) {
        if (to_value(L, c->val_idx, &v) != 0)
            luaL_error(L, "where: the value for '%s' must be a number, string or boolean, got %s",
                       colname, l_kpi_typename(L, c->val_idx));
        key_value(b, &v);
        return;
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, c->val_idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, c->val_idx, i);
        int ok = to_value(L, -1, &v) == 0;
        lua_pop(L, 1); /* a string stays alive in the list */
        if (!ok)
            luaL_error(L,
                       "where: value %d of the list for '%s' must be a number, string or "
                       "boolean",
                       (int)i, colname);
        key_value(b, &v);
    }
}

/* Run one clause over `in` into v->sel (replacing what it held). */
static int clause_apply(lua_State *L, lview_view *v, const selection *in, const clause *c,
                        kpi_error *err)
{
    kpi_value inline_vals[INLINE_VALUES], *vals = inline_vals;
    size_t n = 1;
    if (c->op == FILTER_IN) {
        n = lua_rawlen(L, c->val_idx);
        if (n > INLINE_VALUES) vals = lua_newuserdatauv(L, n * sizeof *vals, 0); /* scratch */
        for (size_t i = 0; i < n; i++) {
            lua_rawgeti(L, c->val_idx, (lua_Integer)i + 1);
            to_value(L, -1, &vals[i]);
            lua_pop(L, 1);
        }
    } else {
        to_value(L, c->val_idx, &vals[0]);
    }
    selection out = {0};
    int rc = select_where(v->t, in, c->col, c->op, vals, n, &out, err);
    if (vals != inline_vals) lua_pop(L, 1); /* pop the scratch */
    if (rc != 0) return rc;
    selection_free(&v->sel);
    v->sel = out;
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Make (or find in the cache) the view of ctx filtered by the n clauses; key at key_idx. */
static int where_run(lua_State *L, const lview_ctx *ctx, const clause *cl, size_t n, int key_idx)
{
    if (lview_cache_get(L, key_idx)) return 1;
    lview_view *v = view_new(L, ctx, key_idx);
    kpi_error err;
    kpi_error_clear(&err);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = clause_apply(L, v, i == 0 ? &ctx->sel : &v->sel, &cl[i], &err);
    return view_finish(L, "where", rc, &err, key_idx);
}

/*
** where{col = v, col2 = {v1, v2}}: the clauses in column-name order, so the same
** table literal written in any order is the same plan (and the same cached view).
** Stack: 1 self, 2 the table, 3 the parent's key.
*/
static int where_table(lua_State *L, const lview_ctx *ctx)
{
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            return luaL_error(L, "where: column names must be strings, got %s",
                              l_kpi_typename(L, -2));
        n++;
    }
    if (n == 0) return luaL_error(L, "where: expected at least one column = value");
    const char **names = lua_newuserdatauv(L, n * sizeof *names, 0); /* scratch */
    clause *cl = lua_newuserdatauv(L, n * sizeof *cl, 0);            /* scratch */
    size_t i = 0;
    for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1))
        names[i++] = lua_tostring(L, -2); /* keys stay alive in the argument table */
    qsort(names, n, sizeof *names, compare_names);
    luaL_checkstack(L, (int)n + LUA_MINSTACK, "where: too many columns");
    for (i = 0; i < n; i++) {
        lua_getfield(L, 2, names[i]); /* operand i */
        cl[i].col = lview_column_named(L, ctx, names[i]);
        cl[i].op = FILTER_EQ;
        cl[i].val_idx = lua_gettop(L);
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushvalue(L, 3);
    luaL_addvalue(&b); /* the parent's key */
    for (i = 0; i < n; i++)
        clause_key(L, &b, &cl[i], names[i]);
    luaL_pushresult(&b); /* the plan key */
    return where_run(L, ctx, cl, n, lua_gettop(L));
}

/* where(col, op, v). Stack: 1 self, 2 col, 3 op, 4 v, 5 the parent's key. */
static int where_op(lua_State *L, const lview_ctx *ctx)
{
    clause c;
    c.col = lview_column(L, ctx, 2, "where");
    if (lua_type(L, 3) != LUA_TSTRING)
        return l_kpi_typeerror(L, "where", "an operator (= != < <= > >=)", 3);
    if (select_op_parse(lua_tostring(L, 3), &c.op) != 0 || c.op == FILTER_IN)
        return luaL_error(L, "where: unknown operator '%s' (use = != < <= > >=)",
                          lua_tostring(L, 3));
    c.val_idx = 4;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushvalue(L, 5);
    luaL_addvalue(&b); /* the parent's key */
    clause_key(L, &b, &c, lua_tostring(L, 2));
    luaL_pushresult(&b); /* the plan key */
    return where_run(L, ctx, &c, 1, lua_gettop(L));
}

static int l_where(lua_State *L)
{
    lview_ctx ctx;
    int nargs = lua_gettop(L);
    lview_self(L, "where", &ctx);
    if (nargs == 2 && lua_type(L, 2) == LUA_TTABLE) return where_table(L, &ctx);
    if (nargs == 4) return where_op(L, &ctx);
    if (nargs == 3) {
        lua_pushnil(L);
        lua_insert(L, 4); /* a missing value is an error in where_op, not a shifted key */
        return where_op(L, &ctx);
    }
    return luaL_error(L, "where: expected {column = value} or (column, operator, value)");
}

/* ---- during, before, between ------------------------------------------------------- */

/* The view of ctx's rows with time in [start, stop); the parent's key is on top. */
static int time_view(lua_State *L, const char *method, const lview_ctx *ctx, int32_t start,
                     int32_t stop)
{
    if (ctx->t->time_col < 0)
        return luaL_error(L, "%s: source '%s' has no time column (declare one: time = \"column\")",
                          method, l_source_name(L, ctx->source_id));
    if (stop < start) stop = start;
    lua_pushfstring(L, "%s|t%d,%d", lua_tostring(L, -1), (int)start, (int)stop);
    int key_idx = lua_gettop(L);
    if (lview_cache_get(L, key_idx)) return 1;
    lview_view *v = view_new(L, ctx, key_idx);
    kpi_error err;
    kpi_error_clear(&err);
    int rc = select_time(ctx->t, &ctx->sel, start, stop, &v->sel, &err);
    return view_finish(L, method, rc, &err, key_idx);
}

static period check_period_arg(lua_State *L, int idx, const char *method)
{
    period p = {0};
    if (!l_period_test(L, idx, &p)) l_kpi_typeerror(L, method, "a Period", idx);
    return p;
}

static int l_during(lua_State *L)
{
    lview_ctx ctx;
    lview_self(L, "during", &ctx);
    period p = check_period_arg(L, 2, "during");
    return time_view(L, "during", &ctx, p.start, p.stop);
}

static int l_before(lua_State *L)
{
    lview_ctx ctx;
    lview_self(L, "before", &ctx);
    period p = check_period_arg(L, 2, "before");
    return time_view(L, "before", &ctx, INT32_MIN, p.start);
}

/*
** A bound of between(): a Period gives its first day (from) or its day after the
** last (to); an ISO date gives itself (from) or the next day (to), both ends inclusive.
*/
static int32_t between_bound(lua_State *L, int idx, int is_to)
{
    period p = {0};
    if (l_period_test(L, idx, &p)) return is_to ? p.stop : p.start;
    if (lua_type(L, idx) != LUA_TSTRING)
        return l_kpi_typeerror(L, "between", "a date \"YYYY-MM-DD\" or a Period", idx);
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    int32_t day;
    if (date_parse_iso(s, len, &day) != 0)
        return luaL_error(L, "between: '%s' is not a date (expected YYYY-MM-DD)", s);
    if (is_to && day == INT32_MAX) return day;
    return is_to ? day + 1 : day;
}

static int l_between(lua_State *L)
{
    lview_ctx ctx;
    lua_settop(L, 3);
    lview_self(L, "between", &ctx);
    int32_t from = between_bound(L, 2, 0), to = between_bound(L, 3, 1);
    return time_view(L, "between", &ctx, from, to);
}

/* ---- the Table and View types ------------------------------------------------------ */

void l_table_push(lua_State *L, int source_id)
{
    lview_table *tb = lua_newuserdatauv(L, sizeof *tb, 0);
    tb->source_id = source_id;
    luaL_setmetatable(L, LVIEW_TABLE);
}

static int view_gc(lua_State *L)
{
    lview_view *v = luaL_checkudata(L, 1, LVIEW_VIEW);
    selection_free(&v->sel);
    return 0;
}

static int table_tostring(lua_State *L)
{
    lview_table *tb = luaL_checkudata(L, 1, LVIEW_TABLE);
    lua_pushfstring(L, "Table '%s'", l_source_name(L, tb->source_id));
    return 1;
}

static int view_tostring(lua_State *L)
{
    lview_view *v = luaL_checkudata(L, 1, LVIEW_VIEW);
    lua_pushfstring(L, "View of '%s' (%I rows)", l_source_name(L, v->source_id),
                    (lua_Integer)v->sel.n);
    return 1;
}

/*
** __index of Table, View and the grouped view. Upvalues: 1 the methods, 2 the type's
** name for messages, 3 (grouped view only) the View methods, to say "filter first".
*/
static int l_index(lua_State *L)
{
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
    const char *what = lua_tostring(L, lua_upvalueindex(2));
    const char *name = luaL_tolstring(L, 2, NULL);
    if (lua_type(L, lua_upvalueindex(3)) == LUA_TTABLE) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(3)) != LUA_TNIL)
            return luaL_error(L, "%s has no method '%s' (filter before by())", what, name);
    }
    suggest s;
    suggest_init(&s, name);
    for (lua_pushnil(L); lua_next(L, lua_upvalueindex(1)); lua_pop(L, 1))
        if (lua_type(L, -2) == LUA_TSTRING) suggest_add(&s, lua_tostring(L, -2));
    if (suggest_result(&s))
        return luaL_error(L, "%s has no method '%s' (did you mean '%s'?)", what, name,
                          suggest_result(&s));
    return luaL_error(L, "%s has no method '%s'", what, name);
}

void lview_set_index(lua_State *L, int mt_idx, int methods_idx, const char *what, int hint_idx)
{
    mt_idx = lua_absindex(L, mt_idx);
    lua_pushvalue(L, methods_idx);
    lua_pushstring(L, what);
    if (hint_idx)
        lua_pushvalue(L, hint_idx);
    else
        lua_pushnil(L);
    lua_pushcclosure(L, l_index, 3);
    lua_setfield(L, mt_idx, "__index");
}

static const luaL_Reg view_methods[] = {
    {"where", l_where}, {"during", l_during}, {"before", l_before}, {"between", l_between},
    {"by", lagg_by},    {"ids", lagg_ids},    {NULL, NULL}};

int luaopen_kpi_table(lua_State *L)
{
    lua_newtable(L); /* the methods shared by Table and View */
    luaL_setfuncs(L, view_methods, 0);
    lagg_register(L, -1);
    int methods = lua_gettop(L);

    luaL_newmetatable(L, LVIEW_VIEW);
    lview_set_index(L, -1, methods, "View", 0);
    lua_pushcfunction(L, view_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, view_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, LVIEW_VIEW);
    lua_setfield(L, -2, "__metatable"); /* rule sets cannot swap __gc */
    lua_pop(L, 1);

    lagg_open_grouped(L, methods);

    luaL_newmetatable(L, LVIEW_TABLE);
    lview_set_index(L, -1, methods, "Table", 0);
    lua_pushcfunction(L, table_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, LVIEW_TABLE);
    lua_setfield(L, -2, "__metatable");
    lua_remove(L, methods); /* leave the Table metatable */
    return 1;
}
