/*
** eval.h -- computing a rule set's KPIs for one period.
**
** Every KPI's value(p, k) runs under its own lua_pcall; `k` is a read-only table whose
** __index computes another KPI for the same period on demand, once (memoized), so
** KPIs are computed in the order their dependencies need; a KPI reached again while it
** is being computed is a cycle ("cycle between KPIs: cac -> ltv -> cac"). Then each
** KPI's previous value (value(p:prev(), k) with the previous period's own `k`), the
** change (value - previous) / |previous| (none when previous is 0 or missing), the
** status (status_grade), and the breakdown for p.
**
** No data (has_value 0, with the reason) and not an error:
**   value() returns nil                       "value is nil (no rows in the period, ...)"
**   a NaN                                      "division by zero (0/0: the value is undefined)"
**   an infinity                                "the value is infinite (a division by zero, ...)"
**   value() raises one of Lua's missing-value errors: arithmetic on nil, comparing
**   with nil, integer division or modulo by zero (1 // 0, 1 % 0); the reason is Lua's message
**   ("attempt to perform arithmetic on a nil value (field 'new_customers')").
** A KPI that is no data reads as nil through k. Every other error stops the
** evaluation: KPI_ESCRIPT naming the KPI and the user's file:line (a value that is
** not a number or nil, a cycle, an unknown KPI in k, a limit hit), or the source's
** KPI_EDATA / KPI_EIO when a source failed to load.
**
** A breakdown may return a Series, a table { key = number } or nil; its entries are
** graded with the KPI's levels, except for an additive KPI, whose entries are parts of
** its total (graded = 0); NaN or infinite entries have no value. A breakdown that raises
** a missing-value error has no entries.
*/
#ifndef KPI_EVAL_H
#define KPI_EVAL_H

#include <lua.h>

#include "core/kpi_error.h"
#include "core/period.h"
#include "dsl.h"
#include "model/report.h"

/*
** Evaluate every KPI of d for p into *out (which it initialises; report_free it).
** L is the sandbox's state, with limits running (sandbox_begin). 0, or -1 + err and
** an empty *out.
*/
int eval_report(lua_State *L, dsl *d, period p, report *out, kpi_error *err);

/*
** The pieces of `k` that the check's evaluation (check_eval.c) shares:
**   eval_new_k     a read-only table whose __index is index, closed over the nup values
**                  on top of the stack (popped); returns a registry reference to it.
**   eval_unknown_kpi  raise "k: unknown kpi 'id'" with the closest id d declares.
**   eval_cycle_chain  "a -> b -> a" into out: the KPIs of chain[0..depth) from the first
**                  time kpi i appears, then i.
*/
int eval_new_k(lua_State *L, lua_CFunction index, int nup);
int eval_unknown_kpi(lua_State *L, const dsl *d, const char *id);
void eval_cycle_chain(const dsl *d, const int *chain, int depth, int i, char *out, size_t size);

#endif
