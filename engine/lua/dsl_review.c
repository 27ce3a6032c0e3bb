/*
** dsl_review.c -- `review "name" { ... }`: when a rule set's KPIs are reviewed, on a
** calendar (every = "month", day = 5) or around campaigns (campaigns = "campaigns",
** before = 14, after = 30 days). Reviews are checked and kept; scheduling reads them.
** Also the checks that tie reviews, KPIs and sources together once all are declared,
** and a KPI's deadline (due = "2024-12-31"), which reviews report progress against.
**
** `business = true` makes `day` count Monday..Friday; which days a grain allows is
** model/schedule.h's rule (schedule_check), so the declaration and the arithmetic agree.
*/
#include <math.h>
#include <string.h>

#include <lauxlib.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "api.h"
#include "dsl.h"
#include "model/schedule.h"
#include "lkpi.h"
#include "sandbox.h"
#include "suggest.h"

static const char *const review_fields[] = {API_REVIEW_FIELDS(API_FIELD_NAME) NULL};

/* The fields of one review declaration, checked but not yet committed. */
typedef struct review_decl {
    const char *every, *campaigns, *title, *description;
    long before, after, day;
    int has_before, has_after, has_day;
    int business;
    size_t nkpis; /* the list stays in the declaration table */
} review_decl;

/* A whole number in [lo, hi]: 1 and *out when present, 0 when absent; raises otherwise. */
static int opt_integer(lua_State *L, const char *what, const char *field, long lo, long hi,
                       long *out)
{
    int t = lua_getfield(L, 1, field);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    int exact = 0;
    lua_Integer v = lua_tointegerx(L, -1, &exact);
    if (t != LUA_TNUMBER || !exact || v < lo || v > hi)
        luaL_error(L, "%s: field '%s' must be a whole number from %ld to %ld", what, field, lo, hi);
    lua_pop(L, 1);
    *out = (long)v;
    return 1;
}

/* The kpis = { "a", "b" } list: its length, after checking every entry is a string. */
static size_t kpi_list(lua_State *L, const char *what)
{
    int t = lua_getfield(L, 1, "kpis");
    size_t n = 0;
    if (t == LUA_TTABLE) {
        n = (size_t)lua_rawlen(L, -1);
        for (size_t i = 1; i <= n; i++) {
            if (lua_rawgeti(L, -1, (lua_Integer)i) != LUA_TSTRING)
                luaL_error(L, "%s: kpis must be a list of kpi ids, entry %d is %s", what, (int)i,
                           l_kpi_typename(L, -1));
            lua_pop(L, 1);
        }
    } else if (t != LUA_TNIL) {
        luaL_error(L, "%s: kpis must be a list of kpi ids, got %s", what, l_kpi_typename(L, -1));
    }
    lua_pop(L, 1);
    return n;
}

/* A true / false field: 0 when absent; raises on another type. */
static int opt_boolean(lua_State *L, const char *what, const char *field)
{
    int t = lua_getfield(L, 1, field);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        luaL_error(L, "%s: field '%s' must be true or false, got %s", what, field,
                   l_kpi_typename(L, -1));
    int v = lua_toboolean(L, -1);
    lua_pop(L, 1); /* pop the field */
    return v;
}

/* The day a schedule names must exist in its grain (day = 9 of a week does not). */
static void check_schedule(lua_State *L, const char *what, period_grain g, const review_decl *r)
{
    schedule_rule rule = {g, r->has_day ? (int)r->day : 0, r->business};
    char why[200];
    if (schedule_check(&rule, why, sizeof why) != 0) luaL_error(L, "%s: %s", what, why);
}

static void read_review(lua_State *L, const char *what, review_decl *r)
{
    memset(r, 0, sizeof *r);
    const char **texts[4] = {&r->every, &r->campaigns, &r->title, &r->description};
    const char *names[4] = {"every", "campaigns", "title", "description"};
    for (int i = 0; i < 4; i++)
        if (dsl_opt_string(L, 1, what, names[i], texts[i]) == 2)
            luaL_error(L, "%s: field '%s' must be a string", what, names[i]);
    if (!r->every == !r->campaigns)
        luaL_error(L,
                   "%s: give either every = \"month\" (a schedule) or campaigns = \"source\" "
                   "(around each campaign)",
                   what);
    period_grain g;
    if (r->every) dsl_parse_grain(L, what, r->every, &g);
    r->has_before = opt_integer(L, what, "before", 0, 3660, &r->before);
    r->has_after = opt_integer(L, what, "after", 0, 3660, &r->after);
    r->has_day = opt_integer(L, what, "day", 1, 31, &r->day);
    r->business = opt_boolean(L, what, "business");
    if (r->every && (r->has_before || r->has_after))
        luaL_error(L, "%s: before and after only apply to campaigns", what);
    if (r->campaigns && (r->has_day || r->business))
        luaL_error(L, "%s: %s only applies to a schedule (every = ...)", what,
                   r->has_day ? "day" : "business");
    if (r->every) check_schedule(L, what, g, r);
    r->nkpis = kpi_list(L, what);
}

void dsl_review_free(dsl_review *r)
{
    if (!r) return;
    kpi_free(r->name);
    kpi_free(r->every);
    kpi_free(r->campaigns);
    kpi_free(r->title);
    kpi_free(r->description);
    for (size_t i = 0; i < r->nkpis; i++)
        kpi_free(r->kpis[i]);
    kpi_free(r->kpis);
    kpi_free(r->file);
    kpi_free(r);
}

static dsl_review *find_review(const dsl *d, const char *name)
{
    for (size_t i = 0; i < d->nreviews; i++)
        if (strcmp(d->reviews[i]->name, name) == 0) return d->reviews[i];
    return NULL;
}

static void commit_review(lua_State *L, dsl_review *r, const review_decl *c)
{
    dsl_set_string(L, &r->every, c->every);
    dsl_set_string(L, &r->campaigns, c->campaigns);
    dsl_set_string(L, &r->title, c->title);
    dsl_set_string(L, &r->description, c->description);
    r->before = c->has_before ? c->before : 0;
    r->after = c->has_after ? c->after : 0;
    r->day = c->has_day ? c->day : 0;
    r->business = c->business;
    for (size_t i = 0; i < r->nkpis; i++)
        kpi_free(r->kpis[i]);
    r->nkpis = 0;
    lua_getfield(L, 1, "kpis");
    for (size_t i = 0; i < c->nkpis; i++) {
        r->kpis = dsl_grow(L, r->kpis, r->nkpis, sizeof *r->kpis);
        lua_rawgeti(L, -1, (lua_Integer)i + 1);
        dsl_set_string(L, &r->kpis[r->nkpis++], lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1); /* pop the list */
    int line;
    dsl_set_string(L, &r->file, dsl_caller(L, &line));
    r->line = line;
}

int dsl_review_declarer(lua_State *L)
{
    dsl *d = sandbox_user(L);
    const char *name = lua_tostring(L, lua_upvalueindex(1));
    char what[160];
    snprintf(what, sizeof what, "review '%s'", name);
    dsl_declaring(L, d, what);
    if (!lua_istable(L, 1))
        luaL_error(L, "%s: expected a table: review \"%s\" { ... }", what, name);
    dsl_check_fields(L, 1, what, review_fields);
    dsl_review *r = find_review(d, name);
    if (r) dsl_check_redeclared(L, what, r->file, r->line);
    review_decl c;
    read_review(L, what, &c);
    if (!r) {
        d->reviews = dsl_grow(L, d->reviews, d->nreviews, sizeof *d->reviews);
        if (!(r = kpi_calloc(1, sizeof *r))) luaL_error(L, "out of memory");
        d->reviews[d->nreviews++] = r;
        dsl_set_string(L, &r->name, name);
    }
    commit_review(L, r, &c);
    return 0;
}

/* ---- checks over the whole rule set ------------------------------------------------------ */

/* " (did you mean 'x'?)" for name among the KPI ids, or "". */
static const char *near_kpi(const dsl *d, const char *name, char *buf, size_t size)
{
    suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < d->nkpis; i++)
        suggest_add(&s, d->kpis[i]->id);
    buf[0] = '\0';
    if (suggest_result(&s)) snprintf(buf, size, " (did you mean '%s'?)", suggest_result(&s));
    return buf;
}

static const char *near_review(const dsl *d, const char *name, char *buf, size_t size)
{
    suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < d->nreviews; i++)
        suggest_add(&s, d->reviews[i]->name);
    buf[0] = '\0';
    if (suggest_result(&s)) snprintf(buf, size, " (did you mean '%s'?)", suggest_result(&s));
    return buf;
}

static const char *near_source(const dsl *d, const char *name, char *buf, size_t size)
{
    suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < d->nsources; i++)
        suggest_add(&s, d->sources[i]->name);
    buf[0] = '\0';
    if (suggest_result(&s)) snprintf(buf, size, " (did you mean '%s'?)", suggest_result(&s));
    return buf;
}

static int source_declared(const dsl *d, const char *name)
{
    for (size_t i = 0; i < d->nsources; i++)
        if (strcmp(d->sources[i]->name, name) == 0) return 1;
    return 0;
}

int dsl_review_check(const dsl *d, kpi_error *err)
{
    char hint[200];
    for (size_t i = 0; i < d->nkpis; i++) {
        const dsl_kpi *k = d->kpis[i];
        int32_t due;
        if (k->due && date_parse_iso(k->due, strlen(k->due), &due) != 0)
            return kpi_error_set(err, KPI_ESCRIPT, k->file, k->line, 0,
                                 "kpi '%s': due must be a date as \"2024-12-31\", got \"%s\"",
                                 k->id, k->due);
        if (k->review && !find_review(d, k->review))
            return kpi_error_set(err, KPI_ESCRIPT, k->file, k->line, 0,
                                 "kpi '%s': review '%s' is not declared%s", k->id, k->review,
                                 near_review(d, k->review, hint, sizeof hint));
    }
    for (size_t i = 0; i < d->nreviews; i++) {
        const dsl_review *r = d->reviews[i];
        for (size_t j = 0; j < r->nkpis; j++)
            if (dsl_kpi_index(d, r->kpis[j]) < 0)
                return kpi_error_set(err, KPI_ESCRIPT, r->file, r->line, 0,
                                     "review '%s': unknown kpi '%s'%s", r->name, r->kpis[j],
                                     near_kpi(d, r->kpis[j], hint, sizeof hint));
        if (r->campaigns && !source_declared(d, r->campaigns))
            return kpi_error_set(err, KPI_ESCRIPT, r->file, r->line, 0,
                                 "review '%s': campaigns names no declared source '%s'%s", r->name,
                                 r->campaigns, near_source(d, r->campaigns, hint, sizeof hint));
    }
    return 0;
}
