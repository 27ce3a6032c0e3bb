/*
** lkpi.h -- the Lua userdata types of the engine and how the DSL creates them.
**
** One binding file per type (l_table.c: kpi.Table and kpi.View; l_series.c: kpi.Series;
** l_idset.c: kpi.IdSet; l_period.c: kpi.Period), each with one luaopen_kpi_* function
** that registers its metatable(s) in the registry under the names above.
*/
#ifndef KPI_LKPI_H
#define KPI_LKPI_H

#include <lua.h>

#include "core/idset.h"
#include "core/period.h"
#include "core/series.h"
#include "core/table.h"

int luaopen_kpi_table(lua_State *L);
int luaopen_kpi_series(lua_State *L);
int luaopen_kpi_idset(lua_State *L);
int luaopen_kpi_period(lua_State *L);
/* Register all four. */
void l_kpi_open_all(lua_State *L);

/*
** Sources are declared by the DSL and numbered 1, 2, ...; a Table userdata names its
** source by number, so `extends` can replace a source by name and every KPI that
** captured the old Table sees the new one, and a source loads only when first used.
**
** l_source_table() is implemented by the DSL (rules.c): it returns the source's
** table, loading it on first use; on a data error it records the kpi_error for the
** exit code and raises a Lua error naming the source and file:line:column.
*/
const table *l_source_table(lua_State *L, int source_id);
/*
** Make column col of the source's table usable: a column the first load left absent
** (no name in the rule set's text spelled it) is loaded now. Raises as l_source_table.
*/
void l_source_column(lua_State *L, int source_id, int col);
/* The source's name (for messages and view cache keys). */
const char *l_source_name(lua_State *L, int source_id);
/* Push a Table userdata for source source_id. */
void l_table_push(lua_State *L, int source_id);
/* Push a Series / IdSet userdata that owns s. */
void l_series_push(lua_State *L, series *s);
void l_idset_push(lua_State *L, idset *s);
/* Push a Period userdata; check one. */
void l_period_push(lua_State *L, period p);
period l_period_check(lua_State *L, int idx);

/*
** Additions for the DSL and the bindings themselves.
**
** l_series_newslot / l_idset_newslot push an empty Series / IdSet userdata and return
** its slot (NULL until filled); the caller stores an owned object in it right after
** the core call that makes it. Creating the userdata first means running out of
** memory raises before anything is owned, never after (an empty Series slot reads as
** an empty series; an empty IdSet slot is refused as "not an IdSet"). l_series_push
** and l_idset_push take ownership of s even when they raise (they free it then).
*/
series **l_series_newslot(lua_State *L);
idset **l_idset_newslot(lua_State *L);
/*
** The series / id set / period at idx, or NULL / 0 when the value is not one (never
** raises). The pointers are borrowed from the userdata: valid while it is reachable.
*/
const series *l_series_test(lua_State *L, int idx);
const idset *l_idset_test(lua_State *L, int idx);
int l_period_test(lua_State *L, int idx, period *p);
/*
** Views are memoized for a run: the same plan (source, filters, grouping) asked twice
** returns the same View. Clear the cache when a run ends or a source's table is
** replaced: a cached view holds row numbers of the table it was made from.
*/
void l_view_cache_clear(lua_State *L);
/* A value's type for messages: "Period", "View", "Series", ... for ours, Lua's name otherwise. */
const char *l_kpi_typename(lua_State *L, int idx);
/* Raise "<method>: expected <expected>, got <type of the value at idx>". */
int l_kpi_typeerror(lua_State *L, const char *method, const char *expected, int idx);

#endif
