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

#endif
