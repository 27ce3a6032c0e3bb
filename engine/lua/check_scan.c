/*
** check_scan.c -- unknown globals in code the evaluation did not reach (a branch not
** taken for the period checked, a helper no KPI called yet).
**
** Each file of the rule set (the main file, its bases, required modules, and every
** file a KPI function comes from) is compiled again, not run, and its bytecode
** (lua_dump, with debug information) is read: a read of a global is OP_GETTABUP on the
** upvalue named _ENV with a constant name, an assignment is OP_SETTABUP. A name read
** that is neither a global of the environment after loading nor assigned anywhere in
** those files is reported at its line, with "did you mean" over the globals, the
** source and KPI names and the files' local variables. An error the evaluation already
** reported at the same line is not repeated.
**
** The dump format is Lua 5.4's (ldump.c): sizes are 7-bit groups, most significant
** first, the last byte marked with 0x80; a function is its source, lines, counts, code,
** constants, upvalues, nested functions, then its debug information. A dump this
** reader does not understand is skipped silently: the scan only adds findings.
** Everything it keeps lives on the Lua stack, so a memory error raised meanwhile leaks
** nothing.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "check_impl.h"
#include "suggest.h"

#define OP_GETTABUP 11
#define OP_SETTABUP 15
#define TAG_FALSE   1 /* constant tags of lobject.h (LUA_V...) */
#define TAG_TRUE    17
#define TAG_INT     3
#define TAG_FLOAT   19
#define TAG_SHORT   4
#define TAG_LONG    20
#define MODULES_KEY "kpiengine.modules" /* dsl_file.c's cache of required modules */

typedef struct reader {
    const unsigned char *p, *end;
    int bad;
} reader;

/* What one pass over the dumps does: collect assignments (0) or report reads (1). */
typedef struct scan {
    check_ctx *c;
    lua_State *L;
    const char *path;
    int report;
    int defined; /* stack index of the table of names assigned anywhere */
    int locals;  /* stack index of the table of local names (suggestions) */
} scan;

static size_t rd_size(reader *r)
{
    size_t x = 0;
    for (int n = 0; n < 10; n++) {
        if (r->p >= r->end) break;
        unsigned b = *r->p++;
        x = (x << 7) | (b & 0x7f);
        if (b & 0x80) return x;
    }
    r->bad = 1;
    return 0;
}

static const unsigned char *rd_skip(reader *r, size_t n)
{
    const unsigned char *at = r->p;
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    r->p += n;
    return at;
}

/* A string of the dump: its bytes and length, or NULL (the absent string). */
static const char *rd_string(reader *r, size_t *len)
{
    size_t size = rd_size(r);
    *len = size ? size - 1 : 0;
    return size ? (const char *)rd_skip(r, size - 1) : NULL;
}

/* Skip one constant; its string when it is one. */
static const char *rd_constant(reader *r, size_t *len)
{
    const unsigned char *tag = rd_skip(r, 1);
    *len = 0;
    if (!tag) return NULL;
    if (*tag == TAG_INT || *tag == TAG_FLOAT)
        rd_skip(r, 8);
    else if (*tag == TAG_SHORT || *tag == TAG_LONG)
        return rd_string(r, len);
    else if (*tag != 0 && *tag != TAG_FALSE && *tag != TAG_TRUE)
        r->bad = 1;
    return NULL;
}

/* Constant idx of the constants starting at k (n of them) if it is a string. */
static const char *constant_at(const unsigned char *k, const unsigned char *end, size_t idx,
                               size_t *len)
{
    reader r = {k, end, 0};
    const char *s = NULL;
    for (size_t i = 0; i <= idx && !r.bad; i++)
        s = rd_constant(&r, len);
    return r.bad ? NULL : s;
}

/* One function's sections, as positions in the dump. */
typedef struct proto_view {
    int linedefined;
    const unsigned char *code, *k, *lineinfo, *abs, *end;
    size_t ncode, nk, nlineinfo, nabs;
    long env; /* the upvalue called _ENV, or -1 */
} proto_view;

/* The line of instruction pc (ldebug.c's luaG_getfuncline). */
static long pc_line(const proto_view *v, size_t pc)
{
    reader r = {v->abs, v->end, 0};
    long line = v->linedefined, base = -1;
    for (size_t i = 0; i < v->nabs && !r.bad; i++) {
        size_t at = rd_size(&r), abs_line = rd_size(&r);
        if (at > pc) break;
        base = (long)at;
        line = (long)abs_line;
    }
    while (++base <= (long)pc && (size_t)base < v->nlineinfo)
        line += (signed char)v->lineinfo[base];
    return line;
}

static void suggest_keys(lua_State *L, int t, suggest *s)
{
    for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1))
        if (lua_type(L, -2) == LUA_TSTRING) suggest_add(s, lua_tostring(L, -2));
}

/* Report name (on top) read at line unless it is defined or already reported. */
static void read_global(scan *sc, const char *name, long line)
{
    lua_State *L = sc->L;
    const dsl *d = sc->c->d;
    if (lua_getfield(L, sc->defined, name) != LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    char seen[200];
    snprintf(seen, sizeof seen, "unknown global '%s'", name);
    for (size_t i = 0; i < sc->c->rep->n; i++) {
        const check_finding *f = &sc->c->rep->items[i];
        if (f->line == line && strcmp(f->file, sc->path) == 0 && strstr(f->message, seen)) return;
    }
    suggest s;
    suggest_init(&s, name);
    suggest_keys(L, sc->defined, &s);
    suggest_keys(L, sc->locals, &s);
    for (size_t i = 0; i < d->nsources; i++)
        suggest_add(&s, d->sources[i]->name);
    for (size_t i = 0; i < d->nkpis; i++)
        suggest_add(&s, d->kpis[i]->id);
    if (suggest_result(&s))
        check_note(sc->c, CHECK_ERROR, 0, sc->path, line, "%s (did you mean '%s'?)", seen,
                   suggest_result(&s));
    else
        check_note(sc->c, CHECK_ERROR, 0, sc->path, line, "%s", seen);
}

/* Every global read or assigned by the function's code. */
static void scan_code(scan *sc, const proto_view *v)
{
    if (v->env < 0) return;
    for (size_t pc = 0; pc < v->ncode; pc++) {
        uint32_t ins;
        memcpy(&ins, v->code + pc * 4, 4);
        unsigned op = ins & 0x7f, a = (ins >> 7) & 0xff, b = (ins >> 16) & 0xff, c = ins >> 24;
        int get = op == OP_GETTABUP && b == (unsigned)v->env;
        int set = op == OP_SETTABUP && a == (unsigned)v->env;
        if (!(get && sc->report) && !(set && !sc->report)) continue;
        size_t len;
        const char *name = constant_at(v->k, v->end, get ? c : b, &len);
        if (!name || len == 0 || len > 120) continue;
        lua_pushlstring(sc->L, name, len);
        if (set) {
            lua_pushboolean(sc->L, 1);
            lua_rawset(sc->L, sc->defined);
        } else {
            read_global(sc, lua_tostring(sc->L, -1), pc_line(v, pc));
            lua_pop(sc->L, 1);
        }
    }
}

/* The debug section: line information, locals (kept as suggestions), upvalue names. */
static void read_debug(scan *sc, reader *r, proto_view *v)
{
    v->nlineinfo = rd_size(r);
    v->lineinfo = rd_skip(r, v->nlineinfo);
    v->nabs = rd_size(r);
    v->abs = r->p;
    for (size_t i = 0; i < v->nabs && !r->bad; i++)
        rd_size(r), rd_size(r);
    size_t nlocals = rd_size(r), len;
    for (size_t i = 0; i < nlocals && !r->bad; i++) {
        const char *name = rd_string(r, &len);
        rd_size(r), rd_size(r);
        if (name && !sc->report && len > 0 && name[0] != '(') {
            lua_pushlstring(sc->L, name, len);
            lua_pushboolean(sc->L, 1);
            lua_rawset(sc->L, sc->locals);
        }
    }
    size_t nup = rd_size(r);
    v->env = -1;
    for (size_t i = 0; i < nup && !r->bad; i++) {
        const char *name = rd_string(r, &len);
        if (name && len == 4 && memcmp(name, "_ENV", 4) == 0) v->env = (long)i;
    }
}

/* One function and, first, the functions nested in it. */
static void scan_function(scan *sc, reader *r, int depth)
{
    proto_view v;
    memset(&v, 0, sizeof v);
    size_t len;
    rd_string(r, &len); /* the source */
    v.linedefined = (int)rd_size(r);
    rd_size(r);    /* lastlinedefined */
    rd_skip(r, 3); /* numparams, is_vararg, maxstacksize */
    v.ncode = rd_size(r);
    if (v.ncode > (size_t)(r->end - r->p) / 4) r->bad = 1;
    v.code = rd_skip(r, v.ncode * 4);
    v.nk = rd_size(r);
    v.k = r->p;
    for (size_t i = 0; i < v.nk && !r->bad; i++)
        rd_constant(r, &len);
    size_t nup = rd_size(r);
    if (nup > (size_t)(r->end - r->p) / 3) r->bad = 1;
    rd_skip(r, nup * 3);
    size_t nprotos = rd_size(r);
    if (depth > 200) r->bad = 1;
    for (size_t i = 0; i < nprotos && !r->bad; i++)
        scan_function(sc, r, depth + 1);
    read_debug(sc, r, &v);
    v.end = r->end;
    if (!r->bad) scan_code(sc, &v);
}

/* Walk the dump of one file (a string on the stack at idx). */
static void scan_dump(scan *sc, int idx)
{
    size_t size;
    const unsigned char *dump = (const unsigned char *)lua_tolstring(sc->L, idx, &size);
    reader r = {dump, dump + size, 0};
    /* signature, version, format, LUAC_DATA, three sizes, LUAC_INT, LUAC_NUM, nupvalues */
    const unsigned char *head = rd_skip(&r, 4 + 1 + 1 + 6 + 3 + 8 + 8 + 1);
    if (!head || memcmp(head, LUA_SIGNATURE, 4) != 0 || head[4] != 0x54 || head[12] != 4 ||
        head[13] != 8 || head[14] != 8)
        return;
    scan_function(sc, &r, 0);
}

/* ---- the files -------------------------------------------------------------------------- */

typedef struct dump_state {
    luaL_Buffer b;
    int started;
} dump_state;

/* lua_dump's writer: the buffer starts on the first write, above the function dumped. */
static int dump_writer(lua_State *L, const void *p, size_t size, void *ud)
{
    dump_state *ds = ud;
    if (!ds->started) {
        ds->started = 1;
        luaL_buffinit(L, &ds->b);
    }
    luaL_addlstring(&ds->b, p, size);
    return 0;
}

/* Compile the file at path (not run) and push its dump, or nothing (returns 0). */
static int push_dump(lua_State *L, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    luaL_Buffer text;
    luaL_buffinit(L, &text);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        luaL_addlstring(&text, chunk, n);
    int failed = ferror(f);
    fclose(f);
    luaL_pushresult(&text);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (failed || sandbox_load(L, s, len, path) != LUA_OK) {
        lua_pop(L, 2); /* pop the error and the text */
        return 0;
    }
    dump_state ds;
    ds.started = 0;
    if (lua_dump(L, dump_writer, &ds, 0) != 0 || !ds.started) {
        lua_settop(L, lua_gettop(L) - 2 - ds.started);
        return 0;
    }
    luaL_pushresult(&ds.b); /* text, function, dump */
    lua_replace(L, -3);
    lua_pop(L, 1); /* pop the function */
    return 1;
}

/* Note the file of the Lua function at idx in the set of paths at the top of the stack. */
static void add_source_of(lua_State *L, int idx, int paths)
{
    lua_Debug ar;
    if (lua_type(L, idx) != LUA_TFUNCTION || lua_iscfunction(L, idx)) return;
    lua_pushvalue(L, idx);
    if (lua_getinfo(L, ">S", &ar) && ar.source[0] == '@') {
        lua_pushboolean(L, 1);
        lua_setfield(L, paths, ar.source + 1);
    }
}

/* The paths (as messages show them) of the rule set's files, as the keys of a new table. */
static void push_paths(lua_State *L, const dsl *d)
{
    lua_newtable(L);
    int paths = lua_gettop(L);
    lua_pushboolean(L, 1);
    lua_setfield(L, paths, d->file);
    for (size_t i = 0; i < d->nfiles; i++) {
        lua_pushboolean(L, 1);
        lua_setfield(L, paths, d->files[i].path);
    }
    for (size_t i = 0; i < d->nkpis; i++) {
        int refs[2] = {d->kpis[i]->value_ref, d->kpis[i]->breakdown_ref};
        for (int j = 0; j < 2; j++) {
            if (refs[j] == LUA_NOREF) continue;
            lua_rawgeti(L, LUA_REGISTRYINDEX, refs[j]);
            add_source_of(L, -1, paths);
            lua_pop(L, 1);
        }
    }
    if (lua_getfield(L, LUA_REGISTRYINDEX, MODULES_KEY) == LUA_TTABLE) {
        for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
            add_source_of(L, -1, paths);
            if (!lua_istable(L, -1)) continue;
            for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) /* a module's functions */
                add_source_of(L, -1, paths);
        }
    }
    lua_pop(L, 1); /* pop the modules */
}

/* lua_CFunction (argument: the check_ctx): the two passes over every file's dump. */
static int scan_main(lua_State *L)
{
    scan sc = {lua_touserdata(L, 1), L, NULL, 0, 0, 0};
    luaL_checkstack(L, 40, "scanning the rule set's files");
    push_paths(L, sc.c->d);
    int paths = lua_gettop(L);
    lua_newtable(L); /* path -> dump */
    int dumps = lua_gettop(L);
    for (lua_pushnil(L); lua_next(L, paths); lua_pop(L, 1))
        if (push_dump(L, lua_tostring(L, -2))) lua_setfield(L, dumps, lua_tostring(L, -3));
    lua_newtable(L); /* the names defined: the environment's, then those assigned */
    sc.defined = lua_gettop(L);
    sandbox_push_env(L);
    for (lua_pushnil(L); lua_next(L, -2);) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, sc.defined); /* defined[key] = value, the key stays for lua_next */
    }
    lua_pop(L, 1); /* pop the environment */
    lua_newtable(L);
    sc.locals = lua_gettop(L);
    for (sc.report = 0; sc.report < 2; sc.report++)
        for (lua_pushnil(L); lua_next(L, dumps); lua_pop(L, 1)) {
            sc.path = lua_tostring(L, -2);
            scan_dump(&sc, lua_gettop(L));
        }
    return 0;
}

void check_scan(check_ctx *c)
{
    if (sandbox_tripped(c->sb) != SANDBOX_OK) return; /* the state is not to be trusted */
    lua_State *L = sandbox_lua(c->sb);
    int base = lua_gettop(L);
    sandbox_begin(c->sb);
    lua_pushcfunction(L, scan_main);
    lua_pushlightuserdata(L, c);
    lua_pcall(L, 1, 0, 0); /* a failure (out of memory) only means fewer findings */
    sandbox_end(c->sb);
    lua_settop(L, base);
}
