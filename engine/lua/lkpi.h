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

/* Push a Table userdata that owns t (freed by its __gc). Raises on out of memory, after freeing t. */
void l_table_push(lua_State *L, table *t);
/* The table behind a Table or View at idx (raises a type error otherwise). */
const table *l_table_check(lua_State *L, int idx);
/* Push a Series / IdSet userdata that owns s. */
void l_series_push(lua_State *L, series *s);
void l_idset_push(lua_State *L, idset *s);
/* Push a Period userdata; check one. */
void l_period_push(lua_State *L, period p);
period l_period_check(lua_State *L, int idx);

#endif
