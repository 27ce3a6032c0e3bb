/*
** check_eval.c -- the check's look at the data: load every source, then run every
** KPI's value and breakdown once, for the latest complete period of the data.
**
** Unlike a run (eval.c), an error does not stop the evaluation: each KPI function runs
** under its own lua_pcall with sandbox_msghandler and its error becomes a finding at
** the user's file:line, naming the KPI; then the next KPI runs. `k` computes other
** KPIs on demand as in a run (memoized, cycles refused), so an error is reported once,
** by the KPI whose own code has it. Only a limit hit (instructions, memory, time) ends
** the evaluation: the state can no longer be trusted.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "check_impl.h"
#include "core/date.h"
#include "core/kpi_alloc.h"
#include "eval.h"
#include "lkpi.h"

enum { TODO, RUNNING, DONE };

typedef struct kpi_memo {
    int state;
    int has_value;
    double value;
} kpi_memo;

typedef struct eval_state {
    check_ctx *c;
    period p;
    kpi_memo *memo;
    int *chain; /* the KPIs being computed, outermost first */
    int depth;
    int k_ref;
    int stopped; /* a limit was hit: unwind */
    int active;  /* k works only while the evaluation runs */
} eval_state;

/* ---- sources ------------------------------------------------------------------------------ */

static void load_sources(check_ctx *c)
{
    for (size_t i = 0; i < c->d->nsources; i++) {
        const dsl_source *s = c->d->sources[i];
        if (check_marked(c, "source", s->name)) continue;
        kpi_error e;
        if (dsl_source_table(NULL, c->d, s->id, &e)) continue;
        /* malformed data is shown where it is; a file that cannot be read, at the source */
        int in_data = e.file[0] && e.line > 0;
        int named = in_data || !s->path || strstr(e.message, s->path) || e.kind == KPI_ESCRIPT;
        check_note(c, CHECK_ERROR, e.kind != KPI_ESCRIPT, in_data ? e.file : s->file,
                   in_data ? e.line : s->line, "%s%s%s%s", e.message, named ? "" : " (",
                   named ? "" : s->path, named ? "" : ")");
    }
}

/* The last day in t's time column, or INT32_MIN when it holds none. */
static int32_t last_day(const table *t)
{
    const column *col = &t->cols[t->time_col];
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < t->nrows; i++) {
        if (!column_is_valid(col, i)) continue;
        int32_t day = col->type == COL_DATE ? col->v.date[i] : date_of_timestamp(col->v.i64[i]);
        if (day > last) last = day;
    }
    return last;
}

/* The latest complete period of the data at the rule set's grain (as a run's default). */
static period check_period(check_ctx *c)
{
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < c->d->nsources; i++) {
        dsl_source *s = c->d->sources[i];
        if (!s->time || !s->t) continue; /* loaded by load_sources, or failed there */
        int32_t day = last_day(s->t);
        if (day > last) last = day;
    }
    if (last == INT32_MIN) last = (int32_t)(time(NULL) / 86400);
    return period_latest_complete(c->d->grain, last);
}

/* ---- one KPI ------------------------------------------------------------------------------ */

static void compute(lua_State *L, eval_state *es, int i);

static int stop(lua_State *L, eval_state *es)
{
    es->stopped = 1;
    lua_pushliteral(L, "check stopped");
    return lua_error(L);
}

/* Lua's errors that mean "a value was missing": no data at run time, not a mistake. */
static int missing_value_error(const char *msg)
{
    return strncmp(msg, "attempt to perform arithmetic on a nil value", 44) == 0 ||
           (strncmp(msg, "attempt to compare ", 19) == 0 && strstr(msg, "nil") != NULL) ||
           strcmp(msg, "attempt to divide by zero") == 0 ||
           strcmp(msg, "attempt to perform 'n%0'") == 0;
}

/* Call function ref with (p, k): its result or error on top; returns the status. */
static int call_kpi(lua_State *L, eval_state *es, int ref)
{
    int base = lua_gettop(L);
    lua_pushcfunction(L, sandbox_msghandler);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    l_period_push(L, es->p);
    lua_rawgeti(L, LUA_REGISTRYINDEX, es->k_ref);
    sandbox_clear_error(es->c->sb);
    es->c->d->has_source_error = 0;
    int status = lua_pcall(L, 2, 1, base + 1);
    lua_remove(L, base + 1); /* remove the handler */
    return status;
}

/* After a call of KPI i's function (what: "kpi 'x'"): 0 when it returned, else 1. */
static int settle(lua_State *L, eval_state *es, int i, int status, const char *what)
{
    check_ctx *c = es->c;
    const dsl_kpi *k = c->d->kpis[i];
    if (es->stopped) return stop(L, es);
    kpi_error e;
    if (status != LUA_OK && (status == LUA_ERRMEM || sandbox_tripped(c->sb) != SANDBOX_OK)) {
        sandbox_error(c->sb, status, what, k->file, k->line, &e);
        check_note(c, CHECK_ERROR, 0, e.file, e.line, "%s (the check stopped here)", e.message);
        return stop(L, es);
    }
    if (c->d->has_source_error) { /* the source's own finding says why */
        c->d->has_source_error = 0;
        return 1;
    }
    if (status == LUA_OK) return 0;
    if (missing_value_error(sandbox_error_message(c->sb))) return 1;
    sandbox_error(c->sb, status, what, k->file, k->line, &e);
    check_note(c, CHECK_ERROR, 0, e.file, e.line, "%s", e.message);
    return 1;
}

static void take_value(lua_State *L, eval_state *es, int i)
{
    const dsl_kpi *k = es->c->d->kpis[i];
    kpi_memo *m = &es->memo[i];
    int t = lua_type(L, -1);
    if (t == LUA_TNUMBER) {
        m->value = lua_tonumber(L, -1);
        m->has_value = isfinite(m->value);
    } else if (t != LUA_TNIL) {
        check_note(es->c, CHECK_ERROR, 0, k->file, k->line,
                   "kpi '%s': value returned %s, expected a number or nil%s", k->id,
                   l_kpi_typename(L, -1),
                   l_series_test(L, -1) ? " (a Series belongs in breakdown)" : "");
    }
}

static void compute(lua_State *L, eval_state *es, int i)
{
    kpi_memo *m = &es->memo[i];
    const dsl_kpi *k = es->c->d->kpis[i];
    if (m->state == DONE) return;
    m->state = RUNNING;
    if (!check_marked(es->c, "kpi", k->id)) {
        char what[200];
        snprintf(what, sizeof what, "kpi '%s'", k->id);
        es->chain[es->depth++] = i;
        int status = call_kpi(L, es, k->value_ref);
        es->depth--;
        if (settle(L, es, i, status, what) == 0) take_value(L, es, i);
        lua_pop(L, 1); /* pop the result or the error */
    }
    m->state = DONE;
}

/* A breakdown's result at idx: a Series, a table of numbers or nil. */
static void check_items(lua_State *L, eval_state *es, const dsl_kpi *k, int idx)
{
    if (lua_isnil(L, idx) || l_series_test(L, idx)) return;
    if (!lua_istable(L, idx)) {
        check_note(es->c, CHECK_ERROR, 0, k->file, k->line,
                   "kpi '%s': breakdown returned %s, expected a Series, a table of numbers or nil",
                   k->id, l_kpi_typename(L, idx));
        return;
    }
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        int kt = lua_type(L, -2);
        if ((kt == LUA_TSTRING || kt == LUA_TNUMBER) && lua_type(L, -1) == LUA_TNUMBER) continue;
        check_note(es->c, CHECK_ERROR, 0, k->file, k->line,
                   "kpi '%s': breakdown entries must be name = number, got %s = %s", k->id,
                   lua_typename(L, kt), l_kpi_typename(L, -1));
        lua_pop(L, 2); /* pop the value and the key: one finding is enough */
        return;
    }
}

static void breakdown(lua_State *L, eval_state *es, int i)
{
    const dsl_kpi *k = es->c->d->kpis[i];
    if (k->breakdown_ref == LUA_NOREF || check_marked(es->c, "kpi", k->id)) return;
    char what[200];
    snprintf(what, sizeof what, "kpi '%s' (breakdown)", k->id);
    int status = call_kpi(L, es, k->breakdown_ref);
    if (settle(L, es, i, status, what) == 0) check_items(L, es, k, lua_gettop(L));
    lua_pop(L, 1); /* pop the result or the error */
}

/* ---- k ------------------------------------------------------------------------------------ */

static int cycle(lua_State *L, eval_state *es, int i)
{
    char chain[400];
    eval_cycle_chain(es->c->d, es->chain, es->depth, i, chain, sizeof chain);
    return luaL_error(L, "cycle between KPIs: %s", chain);
}

/* k.id (upvalue: the eval_state): the KPI's value, computed on demand. */
static int k_index(lua_State *L)
{
    eval_state *es = lua_touserdata(L, lua_upvalueindex(1));
    if (!es->active) return luaL_error(L, "k can only be used while the KPIs are evaluated");
    if (lua_type(L, 2) != LUA_TSTRING)
        return luaL_error(L, "k: kpi ids are strings, got %s", l_kpi_typename(L, 2));
    int i = dsl_kpi_index(es->c->d, lua_tostring(L, 2));
    if (i < 0) return eval_unknown_kpi(L, es->c->d, lua_tostring(L, 2));
    if (es->memo[i].state == RUNNING) return cycle(L, es, i);
    compute(L, es, i);
    if (es->memo[i].has_value)
        lua_pushnumber(L, es->memo[i].value);
    else
        lua_pushnil(L);
    return 1;
}

static void make_k(lua_State *L, eval_state *es)
{
    lua_pushlightuserdata(L, es);
    es->k_ref = eval_new_k(L, k_index, 1);
}

/* ---- every KPI ------------------------------------------------------------------------------ */

/* lua_CFunction (argument: the eval_state): every KPI's value, then its breakdown. */
static int eval_all(lua_State *L)
{
    eval_state *es = lua_touserdata(L, 1);
    l_view_cache_clear(L);
    make_k(L, es);
    for (size_t i = 0; i < es->c->d->nkpis; i++) {
        compute(L, es, (int)i);
        breakdown(L, es, (int)i);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, es->k_ref);
    l_view_cache_clear(L);
    return 0;
}

void check_data(check_ctx *c)
{
    load_sources(c);
    dsl *d = c->d;
    eval_state es;
    memset(&es, 0, sizeof es);
    es.c = c;
    es.p = check_period(c);
    es.memo = kpi_calloc(d->nkpis ? d->nkpis : 1, sizeof *es.memo);
    es.chain = kpi_calloc(d->nkpis ? d->nkpis : 1, sizeof *es.chain);
    if (!es.memo || !es.chain) {
        c->oom = 1;
    } else {
        lua_State *L = sandbox_lua(c->sb);
        int base = lua_gettop(L);
        sandbox_begin(c->sb);
        lua_pushcfunction(L, sandbox_msghandler);
        lua_pushcfunction(L, eval_all);
        lua_pushlightuserdata(L, &es);
        sandbox_clear_error(c->sb);
        es.active = 1;
        int status = lua_pcall(L, 1, 0, base + 1);
        es.active = 0;
        sandbox_end(c->sb);
        if (status != LUA_OK && !es.stopped) {
            kpi_error e;
            sandbox_error(c->sb, status, NULL, d->file, 0, &e);
            check_note(c, CHECK_ERROR, 0, e.file, e.line, "%s", e.message);
        }
        lua_settop(L, base);
    }
    kpi_free(es.memo);
    kpi_free(es.chain);
}
