/*
** l_view.h -- what l_table.c (Table, View, filters, the view cache) and l_agg.c
** (aggregates, by, ids, the grouped view) share. Internal to engine/lua.
**
** A Table userdata names its source by number. A View holds the rows a chain of
** filters selected (owned) and pins its parent (Table or View) in user value 1; its
** plan key, the text that identifies the chain, is user value 2. A grouped view
** borrows its parent's selection (pinned the same way) and owns its grouping.
**
** Plan keys: "#<source id>@<table address>" for a Table, then one suffix per step,
** using column numbers (not names) and canonical operators, so equal plans give equal
** keys, and a reloaded source (a new table) starts new plans.
*/
#ifndef KPI_L_VIEW_H
#define KPI_L_VIEW_H

#include <lua.h>

#include "core/group.h"
#include "core/select.h"
#include "core/table.h"

#define LVIEW_TABLE   "kpi.Table"
#define LVIEW_VIEW    "kpi.View"
#define LVIEW_GROUPED "kpi.Grouped"

typedef struct lview_table {
    int source_id;
} lview_table;

typedef struct lview_view {
    int source_id;
    const table *t; /* borrowed from the source; checked on every use */
    size_t nrows;   /* t->nrows when made, to notice a replaced table */
    selection sel;  /* owned */
} lview_view;

typedef struct lview_grouped {
    int source_id;
    const table *t;
    size_t nrows;
    selection sel; /* borrowed from the parent in user value 1 */
    grouping g;    /* owned once built */
    int built;
} lview_grouped;

/* What a method works on: the source's table and the selected rows (borrowed). */
typedef struct lview_ctx {
    int source_id;
    const table *t;
    selection sel;
} lview_ctx;

/*
** Resolve self (stack index 1, a Table or a View) for method, loading the source if
** needed, and push self's plan key. Raises on anything else.
*/
void lview_self(lua_State *L, const char *method, lview_ctx *ctx);
/* The same for a grouped view at index 1 (pushes nothing); NULL when idx 1 is not one. */
lview_grouped *lview_grouped_self(lua_State *L, const char *method, lview_ctx *ctx);
/* Column number of the column named name; raises with a suggestion when there is none. */
int lview_column_named(lua_State *L, const lview_ctx *ctx, const char *name);
/* The same for the argument at stack idx, which must be a string. */
int lview_column(lua_State *L, const lview_ctx *ctx, int idx, const char *method);
/* Push the cached value for the plan key at key_idx and return 1, or push nothing and return 0. */
int lview_cache_get(lua_State *L, int key_idx);
/* Remember the value at val_idx under the plan key at key_idx. */
void lview_cache_put(lua_State *L, int key_idx, int val_idx);
/* Raise "<method>: <core message>". */
int lview_fail(lua_State *L, const char *method, const kpi_error *err);

/*
** Set mt's __index to the method lookup that names the type (what) and suggests a
** method on a typo; hint_idx (0 = none) holds methods to say "filter before by()" for.
*/
void lview_set_index(lua_State *L, int mt_idx, int methods_idx, const char *what, int hint_idx);

/* l_agg.c: the aggregate methods (one closure per agg_builtins[] row) into the table at idx. */
void lagg_register(lua_State *L, int methods_idx);
/* l_agg.c: the grouped view's metatable; by() and ids() for Table and View. */
void lagg_open_grouped(lua_State *L, int view_methods_idx);
int lagg_by(lua_State *L);
int lagg_ids(lua_State *L);

#endif
