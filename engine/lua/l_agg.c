/*
** l_agg.c -- aggregates of Tables, Views and grouped views; by() and ids().
**
** The aggregate methods are not written one by one: one C function serves every row
** of agg_builtins[] (agg.h), with the row as its upvalue, and a loop over the table
** registers them. An aggregate on a Table or View returns a number (nil over no
** values; count() is 0), on a grouped view a Series.
**
** As in l_table.c, the userdata that will own a result (Series, IdSet, grouped view)
** is created before the core call that fills it, so a Lua error never leaves C memory
** without an owner.
*/
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "core/agg.h"
#include "core/date.h"
#include "core/idset.h"
#include "core/kpi_alloc.h"
#include "core/series.h"
#include "l_view.h"
#include "lkpi.h"

/* Push an ungrouped result: nil for no value, an ISO date for min/max of a date column. */
static int push_result(lua_State *L, const agg_def *def, const column *c, agg_value v)
{
    char buf[24];
    if (v.is_null) {
        lua_pushnil(L);
    } else if (def->kind == AGG_COUNT || def->kind == AGG_DISTINCT) {
        lua_pushinteger(L, (lua_Integer)v.value);
    } else if ((def->kind == AGG_MIN || def->kind == AGG_MAX) && c && c->type == COL_DATE) {
        date_format_iso((int32_t)v.value, buf);
        lua_pushstring(L, buf);
    } else if ((def->kind == AGG_MIN || def->kind == AGG_MAX) && c && c->type == COL_TIMESTAMP) {
        date_format_timestamp((int64_t)v.value, buf);
        lua_pushstring(L, buf);
    } else {
        lua_pushnumber(L, v.value);
    }
    return 1;
}

/* A grouped aggregate into a new Series (pushed). */
static int aggregate_grouped(lua_State *L, const agg_def *def, const lview_grouped *g,
                             const lview_ctx *ctx, int col, double fraction)
{
    series **slot = l_series_newslot(L);
    kpi_error err;
    kpi_error_clear(&err);
    size_t n = g->g.ngroups ? g->g.ngroups : 1;
    agg_value *out = kpi_malloc(n * sizeof *out);
    int rc = -1;
    if (!out) {
        kpi_error_set(&err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    } else if ((rc = agg_run(ctx->t, &ctx->sel, &g->g, def->kind, col, fraction, out, &err)) == 0) {
        *slot = series_from_groups(ctx->t, &g->g, out, &err);
        if (!*slot) rc = -1;
    }
    kpi_free(out);
    if (rc != 0) return lview_fail(L, def->name, &err);
    return 1;
}

/* Every aggregate method; upvalue 1 is its agg_def. */
static int l_aggregate(lua_State *L)
{
    const agg_def *def = lua_touserdata(L, lua_upvalueindex(1));
    lview_ctx ctx;
    lview_grouped *g = lview_grouped_self(L, def->name, &ctx);
    if (!g) {
        lview_self(L, def->name, &ctx);
        lua_pop(L, 1); /* pop the plan key: results are not cached */
    }
    int col = -1;
    double fraction = 0;
    if (def->takes_column)
        col = lview_column(L, &ctx, 2, def->name);
    else if (!lua_isnoneornil(L, 2))
        return luaL_error(L, "%s: takes no argument (%s)", def->name, def->signature);
    if (def->takes_fraction) {
        if (lua_type(L, 3) != LUA_TNUMBER)
            return l_kpi_typeerror(L, def->name, "a fraction between 0 and 1", 3);
        fraction = lua_tonumber(L, 3);
    }
    if (g) return aggregate_grouped(L, def, g, &ctx, col, fraction);
    agg_value out = {0, 1};
    kpi_error err;
    kpi_error_clear(&err);
    if (agg_run(ctx.t, &ctx.sel, NULL, def->kind, col, fraction, &out, &err) != 0)
        return lview_fail(L, def->name, &err);
    return push_result(L, def, col >= 0 ? &ctx.t->cols[col] : NULL, out);
}

void lagg_register(lua_State *L, int methods_idx)
{
    methods_idx = lua_absindex(L, methods_idx);
    for (int i = 0; i < AGG_NKINDS; i++) {
        lua_pushlightuserdata(L, (void *)&agg_builtins[i]);
        lua_pushcclosure(L, l_aggregate, 1);
        lua_setfield(L, methods_idx, agg_builtins[i].name);
    }
}

/* by(col [, col2]): a grouped view (memoized like views). */
int lagg_by(lua_State *L)
{
    lview_ctx ctx;
    lua_settop(L, 3);
    lview_self(L, "by", &ctx); /* the parent's key at 4 */
    int cols[GROUP_MAX_KEYS] = {-1, -1}, n = 1;
    cols[0] = lview_column(L, &ctx, 2, "by");
    if (!lua_isnil(L, 3)) cols[n++] = lview_column(L, &ctx, 3, "by");
    lua_pushfstring(L, "%s|by%d,%d", lua_tostring(L, 4), cols[0], cols[1]);
    int key_idx = lua_gettop(L);
    if (lview_cache_get(L, key_idx)) return 1;

    lview_grouped *g = lua_newuserdatauv(L, sizeof *g, 2);
    memset(g, 0, sizeof *g); /* not built: __gc frees nothing */
    g->source_id = ctx.source_id;
    g->t = ctx.t;
    g->nrows = ctx.t->nrows;
    g->sel = ctx.sel;
    luaL_setmetatable(L, LVIEW_GROUPED);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1); /* pin the parent: g->sel borrows its rows */
    lua_pushvalue(L, key_idx);
    lua_setiuservalue(L, -2, 2);
    kpi_error err;
    kpi_error_clear(&err);
    if (group_build(ctx.t, &g->sel, cols, n, &g->g, &err) != 0) return lview_fail(L, "by", &err);
    g->built = 1;
    lview_cache_put(L, key_idx, -1);
    return 1;
}

/* ids(col): the IdSet of the column's distinct values over the view. */
int lagg_ids(lua_State *L)
{
    lview_ctx ctx;
    lview_self(L, "ids", &ctx);
    int col = lview_column(L, &ctx, 2, "ids");
    idset **slot = l_idset_newslot(L);
    kpi_error err;
    kpi_error_clear(&err);
    *slot = idset_from_column(ctx.t, &ctx.sel, col, &err);
    if (!*slot) return lview_fail(L, "ids", &err);
    return 1;
}

static int grouped_gc(lua_State *L)
{
    lview_grouped *g = luaL_checkudata(L, 1, LVIEW_GROUPED);
    if (g->built) group_free(&g->g);
    g->built = 0;
    return 0;
}

static int grouped_tostring(lua_State *L)
{
    lview_grouped *g = luaL_checkudata(L, 1, LVIEW_GROUPED);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "grouped view of '%s' by ", l_source_name(L, g->source_id));
    luaL_addvalue(&b);
    for (int i = 0; g->built && i < g->g.nkeys; i++) {
        if (i) luaL_addstring(&b, ", ");
        luaL_addstring(&b, g->t->cols[g->g.key_cols[i]].name);
    }
    lua_pushfstring(L, " (%I groups)", (lua_Integer)g->g.ngroups);
    luaL_addvalue(&b);
    luaL_pushresult(&b);
    return 1;
}

void lagg_open_grouped(lua_State *L, int view_methods_idx)
{
    view_methods_idx = lua_absindex(L, view_methods_idx);
    lua_newtable(L); /* the grouped view's methods: the aggregates only */
    lagg_register(L, -1);
    luaL_newmetatable(L, LVIEW_GROUPED);
    lview_set_index(L, -1, lua_gettop(L) - 1, "grouped view", view_methods_idx);
    lua_pushcfunction(L, grouped_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, grouped_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, LVIEW_GROUPED);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2); /* pop the metatable and the methods */
}
