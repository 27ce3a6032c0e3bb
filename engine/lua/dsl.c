/*
** dsl.c -- the rule-set globals ruleset, kpi and review, the checks shared by every
** declaration, and the checks that need the whole rule set. Sources are in
** dsl_source.c; require, extends and running files in dsl_file.c.
**
** A declaration is read in two phases: first every field is checked (errors raise with
** the user's file:line and nothing is changed), then the result is committed. So a
** script that catches a declaration's error with pcall never leaves a half-made KPI.
*/
#define _GNU_SOURCE
#include "dsl.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "core/colcache_queue.h"
#include "core/kpi_alloc.h"
#include "api.h"
#include "lkpi.h"
#include "sandbox.h"
#include "suggest.h"

/* ---- shared helpers --------------------------------------------------------------------- */

const char *dsl_caller(lua_State *L, int *line)
{
    lua_Debug ar;
    for (int level = 1; level <= 200 && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        *line = ar.currentline;
        return ar.source[0] == '@' || ar.source[0] == '=' ? ar.source + 1 : ar.source;
    }
    *line = 0;
    return "?";
}

void dsl_set_string(lua_State *L, char **slot, const char *s)
{
    char *copy = NULL;
    if (s && !(copy = kpi_strdup(s))) luaL_error(L, "out of memory");
    kpi_free(*slot);
    *slot = copy;
}

void *dsl_grow(lua_State *L, void *array, size_t n, size_t elem)
{
    char *grown = kpi_realloc(array, (n + 1) * elem);
    if (!grown) luaL_error(L, "out of memory");
    memset(grown + n * elem, 0, elem);
    return grown;
}

/* Push "a, b, c" of the field names. */
static void push_field_list(lua_State *L, const char *const *fields)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const char *const *f = fields; *f; f++) {
        if (f != fields) luaL_addstring(&b, ", ");
        luaL_addstring(&b, *f);
    }
    luaL_pushresult(&b);
}

void dsl_check_fields(lua_State *L, int idx, const char *what, const char *const *fields)
{
    idx = lua_absindex(L, idx);
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: every field needs a name (write name = value)", what);
        const char *key = lua_tostring(L, -2);
        suggest s;
        suggest_init(&s, key);
        const char *const *f;
        for (f = fields; *f && strcmp(*f, key) != 0; f++)
            suggest_add(&s, *f);
        if (*f) continue;
        if (suggest_result(&s))
            luaL_error(L, "%s: unknown field '%s' (did you mean '%s'?)", what, key,
                       suggest_result(&s));
        push_field_list(L, fields);
        luaL_error(L, "%s: unknown field '%s' (known fields: %s)", what, key, lua_tostring(L, -1));
    }
}

int dsl_opt_string(lua_State *L, int idx, const char *what, const char *field, const char **out)
{
    int t = lua_getfield(L, idx, field); /* declaration tables are plain: no metamethods */
    int kind = 0;
    if (t == LUA_TSTRING) {
        *out = lua_tostring(L, -1); /* kept alive by the declaration table */
        kind = 1;
    } else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        kind = 2;
    } else if (t != LUA_TNIL) {
        luaL_error(L, "%s: field '%s' must be a string, got %s", what, field,
                   l_kpi_typename(L, -1));
    }
    lua_pop(L, 1); /* pop the field */
    return kind;
}

dsl_file *dsl_file_record(lua_State *L, dsl *d, const char *path)
{
    for (size_t i = 0; i < d->nfiles; i++)
        if (strcmp(d->files[i].path, path) == 0) return &d->files[i];
    d->files = dsl_grow(L, d->files, d->nfiles, sizeof *d->files);
    dsl_set_string(L, &d->files[d->nfiles].path, path);
    return &d->files[d->nfiles++];
}

void dsl_declaring(lua_State *L, dsl *d, const char *what)
{
    if (!d->loading)
        luaL_error(L, "%s: declarations are only allowed while the rule set loads", what);
    d->pending = 0;
    int line;
    const char *file = dsl_caller(L, &line);
    dsl_file_record(L, d, file)->declared = 1;
}

void dsl_expect_body(lua_State *L, dsl *d, const char *what)
{
    if (!d->loading)
        luaL_error(L, "%s: declarations are only allowed while the rule set loads", what);
    if (d->pending)
        luaL_error(L, "%s (%s:%d) is missing its definition { ... }", d->pending_what,
                   d->pending_file, d->pending_line);
    int line;
    const char *file = dsl_caller(L, &line);
    snprintf(d->pending_what, sizeof d->pending_what, "%s", what);
    snprintf(d->pending_file, sizeof d->pending_file, "%s", file);
    d->pending_line = line;
    d->pending = 1;
}

/* Raise "what is already declared at file:line" when the calling file declared it before. */
void dsl_check_redeclared(lua_State *L, const char *what, const char *file, int line)
{
    int here;
    const char *caller = dsl_caller(L, &here);
    if (file && strcmp(file, caller) == 0)
        luaL_error(L, "%s is already declared at %s:%d", what, file, line);
}

/* A number field: 1 and *out when present, 0 when absent; raises on another type or inf/nan. */
static int opt_number(lua_State *L, int idx, const char *what, const char *field, double *out)
{
    int t = lua_getfield(L, idx, field);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TNUMBER)
        luaL_error(L, "%s: field '%s' must be a number, got %s", what, field,
                   l_kpi_typename(L, -1));
    *out = lua_tonumber(L, -1);
    if (!isfinite(*out)) luaL_error(L, "%s: field '%s' must be a finite number", what, field);
    lua_pop(L, 1);
    return 1;
}

int dsl_kpi_index(const dsl *d, const char *id)
{
    for (size_t i = 0; i < d->nkpis; i++)
        if (strcmp(d->kpis[i]->id, id) == 0) return (int)i;
    return -1;
}

/* ---- ruleset { ... } ---------------------------------------------------------------- */

int dsl_parse_grain(lua_State *L, const char *what, const char *s, period_grain *g)
{
    static const char *const grains[] = {"day", "week", "month", "quarter", "year", NULL};
    if (period_grain_parse(s, g) == 0 && *g != GRAIN_RANGE) return 0;
    suggest sg;
    suggest_init(&sg, s);
    for (const char *const *n = grains; *n; n++)
        suggest_add(&sg, *n);
    if (suggest_result(&sg))
        return luaL_error(L, "%s: unknown grain '%s' (did you mean '%s'?)", what, s,
                          suggest_result(&sg));
    return luaL_error(L, "%s: unknown grain '%s' (day, week, month, quarter or year)", what, s);
}

static int l_ruleset(lua_State *L)
{
    static const char *const fields[] = {API_RULESET_FIELDS(API_FIELD_NAME) NULL};
    static const char *const texts[] = {"name", "currency", "locale", "description"};
    dsl *d = sandbox_user(L);
    dsl_declaring(L, d, "ruleset");
    if (!lua_istable(L, 1)) luaL_error(L, "ruleset: expected a table: ruleset { name = ... }");
    dsl_check_fields(L, 1, "ruleset", fields);
    dsl_check_redeclared(L, "ruleset", d->ruleset_file, d->ruleset_line);
    const char *text[4] = {NULL, NULL, NULL, NULL};
    int given[4];
    for (int i = 0; i < 4; i++)
        given[i] = dsl_opt_string(L, 1, "ruleset", texts[i], &text[i]);
    const char *grain_text = NULL;
    period_grain grain = d->grain;
    if (dsl_opt_string(L, 1, "ruleset", "grain", &grain_text) == 1)
        dsl_parse_grain(L, "ruleset", grain_text, &grain);
    /* commit */
    char **slots[4] = {&d->name, &d->currency, &d->locale, &d->description};
    for (int i = 0; i < 4; i++)
        if (given[i]) dsl_set_string(L, slots[i], given[i] == 1 ? text[i] : NULL);
    d->grain = grain;
    int line;
    dsl_set_string(L, &d->ruleset_file, dsl_caller(L, &line));
    d->ruleset_line = line;
    return 0;
}

/* ---- kpi "id" { ... } --------------------------------------------------------------------- */

enum { KT_TITLE, KT_UNIT, KT_OWNER, KT_REVIEW, KT_DESCRIPTION, KT_DUE, KT_N };
static const char *const kpi_texts[KT_N] = {"title",  "unit",        "owner",
                                            "review", "description", "due"};
static const char *const kpi_fields[] = {API_KPI_FIELDS(API_FIELD_NAME) NULL};

/* The fields of one kpi declaration, checked but not yet committed. */
typedef struct kpi_decl {
    const char *text[KT_N];
    int text_given[KT_N]; /* 0 absent, 1 string, 2 false */
    int better;           /* -1 absent */
    int has_minimum, has_target;
    double minimum, target;
    int value_given;     /* 1: a function at the declaration table's "value" */
    int breakdown_given; /* 0 absent, 1 function, 2 false */
    int additive;        /* -1 absent, else 0 or 1 */
} kpi_decl;

/* A function field: 0 absent, 1 a function, 2 false (only when removable). */
static int opt_function(lua_State *L, const char *what, const char *field, int removable)
{
    int t = lua_getfield(L, 1, field);
    lua_pop(L, 1);
    if (t == LUA_TNIL) return 0;
    if (t == LUA_TFUNCTION) return 1;
    if (removable && t == LUA_TBOOLEAN) {
        lua_getfield(L, 1, field);
        int is_false = !lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (is_false) return 2;
    }
    lua_getfield(L, 1, field);
    return luaL_error(L, "%s: field '%s' must be a function(p, k), got %s", what, field,
                      l_kpi_typename(L, -1));
}

/* A true / false field: -1 absent, else its value; raises on another type. */
static int opt_boolean(lua_State *L, const char *what, const char *field)
{
    int t = lua_getfield(L, 1, field);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        luaL_error(L, "%s: field '%s' must be true or false, got %s", what, field,
                   l_kpi_typename(L, -1));
    int v = t == LUA_TNIL ? -1 : lua_toboolean(L, -1);
    lua_pop(L, 1); /* pop the field */
    return v;
}

static void read_kpi_decl(lua_State *L, const char *what, int is_new, kpi_decl *k)
{
    for (int i = 0; i < KT_N; i++)
        k->text_given[i] = dsl_opt_string(L, 1, what, kpi_texts[i], &k->text[i]);
    const char *better = NULL;
    k->better = -1;
    if (dsl_opt_string(L, 1, what, "better", &better) == 2 ||
        (better && strcmp(better, "higher") != 0 && strcmp(better, "lower") != 0))
        luaL_error(L, "%s: field 'better' must be \"higher\" or \"lower\"", what);
    if (better) k->better = strcmp(better, "lower") == 0 ? BETTER_LOWER : BETTER_HIGHER;
    k->has_minimum = opt_number(L, 1, what, "minimum", &k->minimum);
    k->has_target = opt_number(L, 1, what, "target", &k->target);
    k->value_given = opt_function(L, what, "value", 0);
    k->breakdown_given = opt_function(L, what, "breakdown", 1);
    k->additive = opt_boolean(L, what, "additive");
    if (!is_new) return;
    if (!k->value_given)
        luaL_error(L, "%s: missing field 'value' (a function(p, k) returning the value)", what);
    if (k->better < 0) luaL_error(L, "%s: missing field 'better' (\"higher\" or \"lower\")", what);
    if (!k->has_minimum) luaL_error(L, "%s: missing field 'minimum' (a number)", what);
    if (!k->has_target) luaL_error(L, "%s: missing field 'target' (a number)", what);
}

/* The two levels must be in the order `better` implies. */
static void check_levels(lua_State *L, const char *what, kpi_better better, double minimum,
                         double target)
{
    if (better == BETTER_HIGHER && target < minimum)
        luaL_error(L, "%s: target (%f) is below minimum (%f), but better = \"higher\"", what,
                   target, minimum);
    if (better == BETTER_LOWER && target > minimum)
        luaL_error(L,
                   "%s: target (%f) is above minimum (%f), but better = \"lower\" (minimum is "
                   "the worst acceptable value)",
                   what, target, minimum);
}

/* Replace a function reference with the declaration table's field (or drop it). */
static void set_ref(lua_State *L, int *ref, int given, const char *field)
{
    if (!given) return;
    luaL_unref(L, LUA_REGISTRYINDEX, *ref);
    *ref = LUA_NOREF;
    if (given != 1) return;
    lua_getfield(L, 1, field);
    *ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static dsl_kpi *new_kpi(lua_State *L, dsl *d, const char *id)
{
    d->kpis = dsl_grow(L, d->kpis, d->nkpis, sizeof *d->kpis);
    dsl_kpi *k = kpi_calloc(1, sizeof *k);
    if (!k) luaL_error(L, "out of memory");
    k->value_ref = k->breakdown_ref = LUA_NOREF;
    d->kpis[d->nkpis++] = k;
    dsl_set_string(L, &k->id, id);
    sandbox_add_name(L, id);
    return k;
}

static void commit_kpi(lua_State *L, dsl *d, dsl_kpi *k, const kpi_decl *c)
{
    char **slots[KT_N] = {&k->title, &k->unit, &k->owner, &k->review, &k->description, &k->due};
    for (int i = 0; i < KT_N; i++)
        if (c->text_given[i])
            dsl_set_string(L, slots[i], c->text_given[i] == 1 ? c->text[i] : NULL);
    if (c->better >= 0) k->better = (kpi_better)c->better;
    if (c->has_minimum) k->minimum = c->minimum;
    if (c->has_target) k->target = c->target;
    if (c->additive >= 0) k->additive = c->additive;
    set_ref(L, &k->value_ref, c->value_given, "value");
    set_ref(L, &k->breakdown_ref, c->breakdown_given, "breakdown");
    int line;
    dsl_set_string(L, &k->file, dsl_caller(L, &line));
    k->line = line;
    (void)d;
}

static int kpi_declarer(lua_State *L)
{
    dsl *d = sandbox_user(L);
    const char *id = lua_tostring(L, lua_upvalueindex(1));
    char what[160];
    snprintf(what, sizeof what, "kpi '%s'", id);
    dsl_declaring(L, d, what);
    if (!lua_istable(L, 1)) luaL_error(L, "%s: expected a table: kpi \"%s\" { ... }", what, id);
    dsl_check_fields(L, 1, what, kpi_fields);
    int i = dsl_kpi_index(d, id);
    if (i >= 0) dsl_check_redeclared(L, what, d->kpis[i]->file, d->kpis[i]->line);
    kpi_decl c;
    read_kpi_decl(L, what, i < 0, &c);
    const dsl_kpi *old = i >= 0 ? d->kpis[i] : NULL;
    kpi_better better = c.better >= 0 ? (kpi_better)c.better : old->better;
    check_levels(L, what, better, c.has_minimum ? c.minimum : old->minimum,
                 c.has_target ? c.target : old->target);
    commit_kpi(L, d, i >= 0 ? d->kpis[i] : new_kpi(L, d, id), &c);
    return 0;
}

/* Check a declared name: a non-empty string of at most 120 bytes. */
static const char *check_name(lua_State *L, const char *kind)
{
    if (lua_type(L, 1) != LUA_TSTRING)
        luaL_error(L, "%s: expected a name: %s \"name\" { ... }", kind, kind);
    size_t len;
    const char *name = lua_tolstring(L, 1, &len);
    if (len == 0 || len > 120 || strlen(name) != len)
        luaL_error(L, "%s: a name must be 1 to 120 characters", kind);
    return name;
}

static int l_kpi(lua_State *L)
{
    const char *id = check_name(L, "kpi");
    char what[160];
    snprintf(what, sizeof what, "kpi '%s'", id);
    dsl_expect_body(L, sandbox_user(L), what);
    lua_settop(L, 1);
    lua_pushcclosure(L, kpi_declarer, 1);
    return 1;
}

/* ---- review "name" { ... } ------------------------------------------------------------ */

static int l_review(lua_State *L)
{
    const char *name = check_name(L, "review");
    char what[160];
    snprintf(what, sizeof what, "review '%s'", name);
    dsl_expect_body(L, sandbox_user(L), what);
    lua_settop(L, 1);
    lua_pushcclosure(L, dsl_review_declarer, 1);
    return 1;
}

/* ---- the whole rule set ------------------------------------------------------------------- */

void dsl_open(lua_State *L, dsl *d)
{
    static const luaL_Reg globals[] = {
        {"ruleset", l_ruleset},   {"source", dsl_source_decl}, {"kpi", l_kpi}, {"review", l_review},
        {"require", dsl_require}, {"extends", dsl_extends},    {NULL, NULL}};
    (void)d;
    sandbox_push_env(L);
    luaL_setfuncs(L, globals, 0);
    lua_pop(L, 1); /* pop the environment */
}

/* The file's base name without its extension: the rule set's name when it gives none. */
static char *default_name(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    return kpi_strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

static char *folder_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash) return kpi_strdup(".");
    if (slash == file) return kpi_strdup("/");
    return kpi_strndup(file, (size_t)(slash - file));
}

dsl *dsl_new(const char *file, const char *data_dir, kpi_error *err)
{
    dsl *d = kpi_calloc(1, sizeof *d);
    if (!d || !(d->file = kpi_strdup(file)) || !(d->dir = folder_of(file)) ||
        !(d->name = default_name(file)) ||
        !(d->root_shown = kpi_strdup(data_dir ? data_dir : d->dir))) {
        dsl_free(d);
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    d->grain = GRAIN_MONTH;
    if (!(d->words = dict_new())) {
        dsl_free(d);
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    char *real = realpath(d->root_shown, NULL); /* malloc'd by libc */
    if (!real) {
        kpi_error_set(err, data_dir ? KPI_EUSAGE : KPI_EIO, d->root_shown, 0, 0,
                      "cannot use this folder for data: %s", strerror(errno));
        dsl_free(d);
        return NULL;
    }
    d->root = kpi_strdup(real);
    free(real);
    if (!d->root) {
        dsl_free(d);
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    return d;
}

static void kpi_free_decl(dsl_kpi *k)
{
    kpi_free(k->id);
    kpi_free(k->title);
    kpi_free(k->unit);
    kpi_free(k->owner);
    kpi_free(k->review);
    kpi_free(k->description);
    kpi_free(k->due);
    kpi_free(k->file);
    kpi_free(k);
}

void dsl_free(dsl *d)
{
    if (!d) return;
    dsl_prefetch_wait(d);
    colcache_queue_free(d->cache_queue); /* its jobs read the tables freed below */
    dict_free(d->words);
    kpi_free(d->cache_dir);
    for (size_t i = 0; i < d->nsources; i++)
        dsl_source_free(d->sources[i]);
    for (size_t i = 0; i < d->nkpis; i++)
        kpi_free_decl(d->kpis[i]);
    for (size_t i = 0; i < d->nreviews; i++)
        dsl_review_free(d->reviews[i]);
    for (size_t i = 0; i < d->nfiles; i++)
        kpi_free(d->files[i].path);
    kpi_free(d->sources);
    kpi_free(d->kpis);
    kpi_free(d->reviews);
    kpi_free(d->files);
    kpi_free(d->file);
    kpi_free(d->dir);
    kpi_free(d->root_shown);
    kpi_free(d->root);
    kpi_free(d->name);
    kpi_free(d->currency);
    kpi_free(d->locale);
    kpi_free(d->description);
    kpi_free(d->ruleset_file);
    kpi_free(d);
}

int dsl_check(dsl *d, kpi_error *err)
{
    if (d->pending)
        return kpi_error_set(err, KPI_ESCRIPT, d->pending_file, d->pending_line, 0,
                             "%s is missing its definition { ... }", d->pending_what);
    if (d->nkpis == 0)
        return kpi_error_set(err, KPI_ESCRIPT, d->file, 0, 0,
                             "the rule set declares no kpi (kpi \"id\" { ... })");
    return dsl_review_check(d, err);
}
