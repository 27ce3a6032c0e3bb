/*
** eval.c -- computing the KPIs for a period; see eval.h.
**
** The whole evaluation is one lua_pcall of eval_main. Each KPI function runs under
** its own lua_pcall with sandbox_msghandler. An error that stops the evaluation is
** recorded in ctx->err (the first one wins) and then raised as a plain "stop" all the
** way out; it is recorded first because an enclosing KPI's pcall (k.x computes x
** inside another KPI's call) or a script's own pcall sees only the stop. ctx->fatal is
** checked after every call, so a script that swallows the stop changes nothing.
**
** Report memory is allocated in C and stored in the report at once, so an error that
** unwinds through here never leaks; the report is freed as a whole on failure.
*/
#include "eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/kpi_alloc.h"
#include "lkpi.h"
#include "sandbox.h"
#include "suggest.h"

enum { TODO, RUNNING, DONE };

typedef struct memo_entry {
    int state;
    int has_value;
    double value;
    char reason[256];
} memo_entry;

/* The KPIs of one period: results so far, the chain being computed, its `k` table. */
typedef struct memo {
    period p;
    memo_entry *e;
    int *chain;
    int depth;
    int k_ref;
} memo;

typedef struct eval_ctx {
    dsl *d;
    sandbox *sb;
    report *out;
    memo cur, prev;
    unsigned long run;
    int fatal;
    kpi_error err;
} eval_ctx;

static void compute(lua_State *L, eval_ctx *ctx, memo *m, int i);

/* Unwind to eval_main's caller; ctx->err says why. */
static int stop(lua_State *L)
{
    lua_pushliteral(L, "evaluation stopped");
    return lua_error(L);
}

static int fail(lua_State *L, eval_ctx *ctx)
{
    ctx->fatal = 1;
    return stop(L);
}

/* "kpi 'x'", or "kpi 'x' (previous period 2024-07)" for the previous period. */
static const char *who(const eval_ctx *ctx, const memo *m, int i, char *buf, size_t size)
{
    char label[64];
    if (m == &ctx->prev)
        snprintf(buf, size, "kpi '%s' (previous period %s)", ctx->d->kpis[i]->id,
                 period_label(m->p, label, sizeof label));
    else
        snprintf(buf, size, "kpi '%s'", ctx->d->kpis[i]->id);
    return buf;
}

/* Lua's errors that mean "a value was missing", which make no data rather than a failure. */
static int missing_value_error(const char *msg)
{
    return strncmp(msg, "attempt to perform arithmetic on a nil value", 44) == 0 ||
           (strncmp(msg, "attempt to compare ", 19) == 0 && strstr(msg, "nil") != NULL) ||
           strcmp(msg, "attempt to divide by zero") == 0 || /* integer // 0 */
           strcmp(msg, "attempt to perform 'n%0'") == 0;    /* integer % 0 */
}

/*
** After a KPI's function returned status: stop on a limit, a source that failed to
** load, or a script error; return 1 when the failure only means a missing value.
*/
static int settle(lua_State *L, eval_ctx *ctx, memo *m, int i, int status)
{
    if (ctx->fatal) return stop(L);
    if (ctx->d->has_source_error) {
        ctx->err = ctx->d->source_error;
        return fail(L, ctx);
    }
    if (status == LUA_OK) return 0;
    if (sandbox_tripped(ctx->sb) == SANDBOX_OK && status != LUA_ERRMEM &&
        missing_value_error(sandbox_error_message(ctx->sb)))
        return 1;
    char name[200];
    const dsl_kpi *k = ctx->d->kpis[i];
    sandbox_error(ctx->sb, status, who(ctx, m, i, name, sizeof name), k->file, k->line, &ctx->err);
    return fail(L, ctx);
}

/* Call the KPI's function ref with (p, k) for m; 1 result on top. Returns the status. */
static int call_kpi(lua_State *L, eval_ctx *ctx, memo *m, int ref)
{
    int base = lua_gettop(L);
    lua_pushcfunction(L, sandbox_msghandler);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    l_period_push(L, m->p);
    lua_rawgeti(L, LUA_REGISTRYINDEX, m->k_ref);
    sandbox_clear_error(ctx->sb);
    int status = lua_pcall(L, 2, 1, base + 1);
    lua_remove(L, base + 1); /* remove the handler */
    return status;
}

static void no_data(memo_entry *e, const char *reason)
{
    e->has_value = 0;
    snprintf(e->reason, sizeof e->reason, "%s", reason);
}

/* Take the value at the top of the stack as the KPI's. */
static void take_value(lua_State *L, eval_ctx *ctx, memo *m, int i)
{
    memo_entry *e = &m->e[i];
    int t = lua_type(L, -1);
    if (t == LUA_TNIL) {
        no_data(e, "value is nil (no rows in the period, or an input with no data)");
        return;
    }
    if (t != LUA_TNUMBER) {
        char name[200];
        const dsl_kpi *k = ctx->d->kpis[i];
        kpi_error_set(&ctx->err, KPI_ESCRIPT, k->file, k->line, 0,
                      "%s: value returned %s, expected a number or nil%s",
                      who(ctx, m, i, name, sizeof name), l_kpi_typename(L, -1),
                      l_series_test(L, -1) ? " (a Series belongs in breakdown)" : "");
        fail(L, ctx);
    }
    double v = lua_tonumber(L, -1);
    if (isnan(v))
        no_data(e, "division by zero (0/0: the value is undefined)");
    else if (isinf(v))
        no_data(e, "the value is infinite (a division by zero, or an infinite input)");
    else {
        e->has_value = 1;
        e->value = v;
    }
}

static void compute(lua_State *L, eval_ctx *ctx, memo *m, int i)
{
    memo_entry *e = &m->e[i];
    if (e->state == DONE) return;
    e->state = RUNNING;
    m->chain[m->depth++] = i;
    int status = call_kpi(L, ctx, m, ctx->d->kpis[i]->value_ref);
    m->depth--;
    if (settle(L, ctx, m, i, status))
        no_data(e, sandbox_error_message(ctx->sb));
    else
        take_value(L, ctx, m, i);
    lua_pop(L, 1); /* pop the result or the error */
    e->state = DONE;
}

/* ---- k ------------------------------------------------------------------------------------ */

void eval_cycle_chain(const dsl *d, const int *chain, int depth, int i, char *out, size_t size)
{
    int from = 0;
    out[0] = '\0';
    while (from < depth && chain[from] != i)
        from++;
    for (int j = from; j < depth; j++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s -> ", d->kpis[chain[j]]->id);
    }
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s", d->kpis[i]->id);
}

static int cycle(lua_State *L, eval_ctx *ctx, memo *m, int i)
{
    char chain[400];
    eval_cycle_chain(ctx->d, m->chain, m->depth, i, chain, sizeof chain);
    char name[200];
    int line;
    const char *file = dsl_caller(L, &line);
    kpi_error_set(&ctx->err, KPI_ESCRIPT, file, line, 0, "%s: cycle between KPIs: %s",
                  who(ctx, m, m->chain[m->depth - 1], name, sizeof name), chain);
    return fail(L, ctx);
}

int eval_unknown_kpi(lua_State *L, const dsl *d, const char *id)
{
    suggest s;
    suggest_init(&s, id);
    for (size_t i = 0; i < d->nkpis; i++)
        suggest_add(&s, d->kpis[i]->id);
    if (suggest_result(&s))
        return luaL_error(L, "k: unknown kpi '%s' (did you mean '%s'?)", id, suggest_result(&s));
    return luaL_error(L, "k: unknown kpi '%s'", id);
}

/* k.id: the KPI's value for k's period (upvalues: the memo, the run), computed on demand. */
static int k_index(lua_State *L)
{
    dsl *d = sandbox_user(L);
    eval_ctx *ctx = d->eval;
    memo *m = lua_touserdata(L, lua_upvalueindex(1));
    if (!ctx || (unsigned long)lua_tointeger(L, lua_upvalueindex(2)) != ctx->run ||
        (m != &ctx->cur && m != &ctx->prev))
        return luaL_error(L, "k can only be used while the KPIs are evaluated");
    if (lua_type(L, 2) != LUA_TSTRING)
        return luaL_error(L, "k: kpi ids are strings, got %s", l_kpi_typename(L, 2));
    int i = dsl_kpi_index(d, lua_tostring(L, 2));
    if (i < 0) return eval_unknown_kpi(L, d, lua_tostring(L, 2));
    if (m->e[i].state == RUNNING) return cycle(L, ctx, m, i);
    compute(L, ctx, m, i);
    if (m->e[i].has_value)
        lua_pushnumber(L, m->e[i].value);
    else
        lua_pushnil(L);
    return 1;
}

static int k_newindex(lua_State *L)
{
    return luaL_error(L, "k is read-only (it holds the other KPIs' values)");
}

int eval_new_k(lua_State *L, lua_CFunction index, int nup)
{
    lua_pushcclosure(L, index, nup);
    lua_newtable(L);          /* k */
    lua_createtable(L, 0, 3); /* k mt */
    lua_rotate(L, -3, -1);    /* closure, k, mt -> k, mt, closure */
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, k_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static void make_k(lua_State *L, eval_ctx *ctx, memo *m)
{
    lua_pushlightuserdata(L, m);
    lua_pushinteger(L, (lua_Integer)ctx->run);
    m->k_ref = eval_new_k(L, k_index, 2);
}

/* ---- breakdowns --------------------------------------------------------------------------- */

static int by_key(const void *a, const void *b)
{
    return strcmp(((const breakdown_item *)a)->key, ((const breakdown_item *)b)->key);
}

static void out_of_memory(lua_State *L, eval_ctx *ctx)
{
    kpi_error_set(&ctx->err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    fail(L, ctx);
}

/* Room for n items in r (owned by the report at once). */
static void alloc_items(lua_State *L, eval_ctx *ctx, kpi_result *r, size_t n)
{
    if (n == 0) return;
    if (!(r->items = kpi_calloc(n, sizeof *r->items))) out_of_memory(L, ctx);
    r->nitems = n;
}

static void set_item(lua_State *L, eval_ctx *ctx, const dsl_kpi *k, breakdown_item *it,
                     const char *key, int has, double v)
{
    if (!(it->key = kpi_strdup(key))) out_of_memory(L, ctx);
    it->has_value = has && isfinite(v);
    it->value = it->has_value ? v : 0;
    it->graded = !k->additive; /* a part of a sum is not measured against the whole's levels */
    it->status = status_grade(k->better, k->minimum, k->target, it->has_value, it->value);
}

static void items_from_series(lua_State *L, eval_ctx *ctx, const dsl_kpi *k, kpi_result *r,
                              const series *s)
{
    alloc_items(L, ctx, r, s->n);
    for (size_t j = 0; j < s->n; j++)
        set_item(L, ctx, k, &r->items[j], s->keys[j], s->has[j], s->vals[j]);
}

static int breakdown_type_error(lua_State *L, eval_ctx *ctx, const dsl_kpi *k, const char *key)
{
    kpi_error_set(&ctx->err, KPI_ESCRIPT, k->file, k->line, 0,
                  "kpi '%s': breakdown entry '%s' is %s, expected a number", k->id, key,
                  l_kpi_typename(L, -1));
    return fail(L, ctx);
}

/* A table { key = number } at idx: entries sorted by key. */
static void items_from_table(lua_State *L, eval_ctx *ctx, const dsl_kpi *k, kpi_result *r, int idx)
{
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1))
        n++;
    alloc_items(L, ctx, r, n);
    size_t j = 0;
    for (lua_pushnil(L); lua_next(L, idx) && j < n; lua_pop(L, 1), j++) {
        int kt = lua_type(L, -2);
        lua_pushvalue(L, -2); /* a copy: lua_tolstring would change a number key in place */
        const char *key = kt == LUA_TSTRING || kt == LUA_TNUMBER ? lua_tostring(L, -1) : NULL;
        if (!key) {
            kpi_error_set(&ctx->err, KPI_ESCRIPT, k->file, k->line, 0,
                          "kpi '%s': breakdown keys must be strings or numbers, got %s", k->id,
                          lua_typename(L, kt));
            fail(L, ctx);
        }
        lua_insert(L, -2); /* key copy below the value */
        if (lua_type(L, -1) != LUA_TNUMBER) breakdown_type_error(L, ctx, k, key);
        set_item(L, ctx, k, &r->items[j], key, 1, lua_tonumber(L, -1));
        lua_remove(L, -2); /* remove the key copy */
    }
    qsort(r->items, r->nitems, sizeof *r->items, by_key);
}

static void breakdown(lua_State *L, eval_ctx *ctx, int i, kpi_result *r)
{
    const dsl_kpi *k = ctx->d->kpis[i];
    if (k->breakdown_ref == LUA_NOREF) return;
    int status = call_kpi(L, ctx, &ctx->cur, k->breakdown_ref);
    int top = lua_gettop(L);
    if (settle(L, ctx, &ctx->cur, i, status) == 0) {
        const series *s = l_series_test(L, top);
        if (s) {
            items_from_series(L, ctx, k, r, s);
        } else if (lua_istable(L, top)) {
            items_from_table(L, ctx, k, r, top);
        } else if (!lua_isnil(L, top)) {
            kpi_error_set(&ctx->err, KPI_ESCRIPT, k->file, k->line, 0,
                          "kpi '%s': breakdown returned %s, expected a Series, a table of "
                          "numbers or nil",
                          k->id, l_kpi_typename(L, top));
            fail(L, ctx);
        }
    }
    lua_settop(L, top - 1);
}

/* ---- the evaluation ------------------------------------------------------------------------ */

static void fill_result(lua_State *L, eval_ctx *ctx, int i, kpi_result *r)
{
    const memo_entry *cur = &ctx->cur.e[i], *prev = &ctx->prev.e[i];
    r->has_value = cur->has_value;
    r->value = cur->has_value ? cur->value : 0;
    if (!cur->has_value && !(r->reason = kpi_strdup(cur->reason))) out_of_memory(L, ctx);
    r->status = status_grade(r->better, r->minimum, r->target, r->has_value, r->value);
    r->has_previous = prev->has_value;
    r->previous = prev->has_value ? prev->value : 0;
    r->has_change = r->has_value && r->has_previous && r->previous != 0;
    r->change = r->has_change ? (r->value - r->previous) / fabs(r->previous) : 0;
}

static int eval_main(lua_State *L)
{
    eval_ctx *ctx = lua_touserdata(L, 1);
    l_view_cache_clear(L); /* views of an earlier run may hold rows of replaced tables */
    make_k(L, ctx, &ctx->cur);
    make_k(L, ctx, &ctx->prev);
    for (size_t i = 0; i < ctx->d->nkpis; i++) {
        compute(L, ctx, &ctx->cur, (int)i);
        compute(L, ctx, &ctx->prev, (int)i);
        fill_result(L, ctx, (int)i, &ctx->out->kpis[i]);
        breakdown(L, ctx, (int)i, &ctx->out->kpis[i]);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, ctx->cur.k_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, ctx->prev.k_ref);
    l_view_cache_clear(L);
    return 0;
}

/* A copy of s, or of fallback when s is NULL; 0 or -1 when out of memory. */
static int copy_text(char **slot, const char *s, const char *fallback)
{
    *slot = kpi_strdup(s ? s : fallback);
    return *slot ? 0 : -1;
}

/* Everything of the report that does not need Lua. */
static int fill_static(const dsl *d, period p, report *out)
{
    out->period = p;
    if (copy_text(&out->ruleset, d->name, "") || copy_text(&out->file, d->file, "") ||
        copy_text(&out->currency, d->currency, "") || copy_text(&out->locale, d->locale, ""))
        return -1;
    if (d->nkpis && !(out->kpis = kpi_calloc(d->nkpis, sizeof *out->kpis))) return -1;
    out->nkpis = d->nkpis;
    for (size_t i = 0; i < d->nkpis; i++) {
        const dsl_kpi *k = d->kpis[i];
        kpi_result *r = &out->kpis[i];
        r->better = k->better;
        r->minimum = k->minimum;
        r->target = k->target;
        r->line = k->line;
        r->additive = k->additive;
        if (copy_text(&r->id, k->id, "") || copy_text(&r->title, k->title, k->id) ||
            copy_text(&r->unit, k->unit, "") || copy_text(&r->owner, k->owner, "") ||
            copy_text(&r->review, k->review, "") || copy_text(&r->file, k->file, ""))
            return -1;
    }
    return 0;
}

static int memo_init(memo *m, period p, size_t n)
{
    m->p = p;
    m->depth = 0;
    m->k_ref = LUA_NOREF;
    m->e = kpi_calloc(n ? n : 1, sizeof *m->e);
    m->chain = kpi_calloc(n ? n : 1, sizeof *m->chain);
    return m->e && m->chain ? 0 : -1;
}

static void memo_free(memo *m)
{
    kpi_free(m->e);
    kpi_free(m->chain);
}

int eval_report(lua_State *L, dsl *d, period p, report *out, kpi_error *err)
{
    memset(out, 0, sizeof *out);
    eval_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.d = d;
    ctx.sb = sandbox_of(L);
    ctx.out = out;
    ctx.run = ++d->runs;
    int ok = fill_static(d, p, out) == 0;
    ok = memo_init(&ctx.cur, p, d->nkpis) == 0 && ok;
    ok = memo_init(&ctx.prev, period_prev(p), d->nkpis) == 0 && ok;
    int status = LUA_ERRMEM;
    if (ok) {
        int base = lua_gettop(L);
        lua_pushcfunction(L, sandbox_msghandler);
        lua_pushcfunction(L, eval_main);
        lua_pushlightuserdata(L, &ctx);
        sandbox_clear_error(ctx.sb);
        d->eval = &ctx;
        status = lua_pcall(L, 1, 0, base + 1);
        d->eval = NULL;
        lua_settop(L, base);
    }
    memo_free(&ctx.cur);
    memo_free(&ctx.prev);
    if (status == LUA_OK) return 0;
    if (!ok)
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    else if (ctx.fatal)
        *err = ctx.err;
    else if (d->has_source_error)
        *err = d->source_error;
    else
        sandbox_error(ctx.sb, status, NULL, d->file, 0, err);
    report_free(out);
    return -1;
}
