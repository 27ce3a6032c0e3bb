/*
** strmatch.h -- string.find, string.match, string.gmatch and string.gsub for the sandbox.
**
** Lua's own matcher backtracks in C without running VM instructions, so a pattern
** such as ("a-"):rep(12) .. "b" against ("a"):rep(30) runs for hours where no hook
** can stop it. These functions have the semantics, results and error messages of
** Lua 5.4's (same patterns, captures, anchors, frontier and balance items, init
** arguments, gsub replacement strings, tables and functions), and call sandbox_poll()
** every few thousand matching steps, so the time limit stops them.
*/
#ifndef KPI_STRMATCH_H
#define KPI_STRMATCH_H

#include <lua.h>

/* Set find, match, gmatch and gsub in the table at lib_idx. */
void strmatch_register(lua_State *L, int lib_idx);

#endif
