/*
** sandbox_error.c -- chunks and error positions: loading text chunks under names the
** message handler can recognise, the message handler itself, and turning a failed
** lua_pcall into a kpi_error with the user's file:line (see sandbox.h).
**
** Lua puts "short_src:line:" before a runtime error's message, where short_src is the
** chunk name cut to LUA_IDSIZE. Every chunk loaded with sandbox_load is remembered
** with the short_src Lua makes of it, so the prefix can be matched exactly and mapped
** back to the full path, even for an error raised in another coroutine.
*/
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "core/kpi_alloc.h"
#include "sandbox_impl.h"

/* ---- chunks and error positions ------------------------------------------------------ */

/* The short_src Lua makes of "@path" (luaO_chunkid): the path, or "..." and its tail. */
static void chunk_short_src(const char *path, char out[LUA_IDSIZE])
{
    size_t len = strlen(path);
    if (len + 1 <= LUA_IDSIZE) {
        memcpy(out, path, len + 1);
        return;
    }
    size_t tail = LUA_IDSIZE - 4; /* "..." and the terminating NUL */
    memcpy(out, "...", 3);
    memcpy(out + 3, path + len - tail, tail + 1);
}

static void remember_chunk(sandbox *sb, const char *path)
{
    for (size_t i = 0; i < sb->nchunks; i++)
        if (strcmp(sb->chunks[i].path, path) == 0) return;
    chunk_name *grown = kpi_realloc(sb->chunks, (sb->nchunks + 1) * sizeof *grown);
    if (!grown) return; /* positions fall back to the innermost frame */
    sb->chunks = grown;
    char *copy = kpi_strdup(path);
    if (!copy) return;
    grown[sb->nchunks].path = copy;
    chunk_short_src(path, grown[sb->nchunks].short_src);
    sb->nchunks++;
}

/* Hands the parser its text one byte at a time, counting the bytes it took. */
typedef struct byte_reader {
    const char *p;
    size_t left, given;
} byte_reader;

static const char *one_byte(lua_State *L, void *ud, size_t *size)
{
    (void)L;
    byte_reader *r = ud;
    if (r->left == 0) {
        *size = 0;
        return NULL;
    }
    *size = 1;
    r->left--;
    r->given++;
    return r->p++;
}

/*
** Lua reports some load errors without a line: nesting that exhausts the parser's C
** stack (deeply nested parentheses, tables or blocks) says only "C stack overflow".
** Load again one byte at a time: the parser stops where it failed, and the bytes it
** took give the line. Stack: [chunk name, message] -> [chunk name, message with line].
*/
static void add_load_position(lua_State *L, const char *text, size_t len, const char *path)
{
    char short_src[LUA_IDSIZE];
    chunk_short_src(path, short_src);
    const char *msg = lua_tostring(L, -1);
    size_t n = strlen(short_src);
    if (!msg || (strncmp(msg, short_src, n) == 0 && msg[n] == ':')) return;
    byte_reader r = {text, len, 0};
    lua_load(L, one_byte, &r, lua_tostring(L, -2), "t"); /* the function or a message */
    lua_pop(L, 1);
    long line = 1;
    for (size_t i = 0; i + 1 < r.given; i++) /* the last byte taken may be a lookahead */
        line += text[i] == '\n';
    if (strcmp(msg, "C stack overflow") == 0)
        msg = "expressions, tables or blocks nested too deeply (C stack overflow)";
    lua_pushfstring(L, "%s:%d: %s", short_src, (int)line, msg);
    lua_remove(L, -2); /* remove the message without a line */
}

int sandbox_load(lua_State *L, const char *text, size_t len, const char *path)
{
    remember_chunk(sandbox_of(L), path);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (len > 0 && text[0] == '#') /* keep the newline so line numbers stay right */
        while (len > 0 && *text != '\n') {
            text++;
            len--;
        }
    lua_pushfstring(L, "@%s", path);
    int status = luaL_loadbufferx(L, text, len, lua_tostring(L, -1), "t");
    if (status != LUA_OK && status != LUA_ERRMEM) add_load_position(L, text, len, path);
    lua_remove(L, -2); /* remove the chunk name */
    if (status != LUA_OK) return status;
    sandbox_push_env(L);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1); /* _ENV is the first upvalue */
    return LUA_OK;
}

/* If msg starts with "<short_src>:<line>:" of a loaded chunk, fill the position and return the
 * rest. */
static const char *strip_position(const sandbox *sb, const char *msg, char *file, size_t size,
                                  long *line)
{
    for (size_t i = 0; i < sb->nchunks; i++) {
        size_t n = strlen(sb->chunks[i].short_src);
        if (strncmp(msg, sb->chunks[i].short_src, n) != 0 || msg[n] != ':') continue;
        const char *p = msg + n + 1;
        if (!isdigit((unsigned char)*p)) continue;
        long l = 0;
        while (isdigit((unsigned char)*p) && l < 100000000L)
            l = l * 10 + (*p++ - '0');
        if (*p != ':') continue;
        snprintf(file, size, "%s", sb->chunks[i].path);
        *line = l;
        p++;
        return *p == ' ' ? p + 1 : p;
    }
    return NULL;
}

static int user_frame(const lua_Debug *ar)
{
    return ar->source[0] == '@' && ar->currentline > 0;
}

/* Append one traceback line for the frame ar (filled with "Sln"). */
static void trace_frame(error_record *e, const lua_Debug *ar)
{
    size_t used = strlen(e->trace);
    char *out = e->trace + used;
    size_t room = sizeof e->trace - used;
    const char *src = ar->source[0] == '@' ? ar->source + 1 : ar->short_src;
    if (ar->currentline > 0)
        snprintf(out, room, "\n\t%s:%d: in ", src, ar->currentline);
    else
        snprintf(out, room, "\n\t%s: in ", src);
    used = strlen(e->trace);
    out = e->trace + used;
    room = sizeof e->trace - used;
    if (*ar->namewhat)
        snprintf(out, room, "function '%s'", ar->name);
    else if (*ar->what == 'm')
        snprintf(out, room, "main chunk");
    else if (*ar->what == 'C')
        snprintf(out, room, "?");
    else
        snprintf(out, room, "function <%s:%d>", src, ar->linedefined);
}

/* The traceback (user frames, or all when verbose) and the innermost user frame. */
static void trace_stack(lua_State *L, sandbox *sb, error_record *e, int need_position)
{
    lua_Debug ar;
    int shown = 0;
    e->trace[0] = '\0';
    e->user_frames = 0;
    for (int level = 1; level <= SCAN_FRAMES && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sln", &ar)) continue;
        int mine = user_frame(&ar);
        if (mine && need_position) {
            snprintf(e->file, sizeof e->file, "%s", ar.source + 1);
            e->line = ar.currentline;
            need_position = 0;
        }
        e->user_frames += mine;
        if ((mine || sb->verbose) && shown++ < TRACE_FRAMES) trace_frame(e, &ar);
    }
}

static void record_error(lua_State *L, sandbox *sb)
{
    error_record *e = &sb->err;
    e->valid = 1;
    e->file[0] = '\0';
    e->line = 0;
    const char *msg;
    if (lua_type(L, 1) == LUA_TSTRING)
        msg = lua_tostring(L, 1);
    else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
        msg = lua_tostring(L, -1);
    else
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    const char *rest = strip_position(sb, msg, e->file, sizeof e->file, &e->line);
    snprintf(e->message, sizeof e->message, "%s", rest ? rest : msg);
    if (lua_checkstack(L, LUA_MINSTACK)) trace_stack(L, sb, e, rest == NULL);
    lua_settop(L, 1); /* return the error value unchanged */
}

int sandbox_msghandler(lua_State *L)
{
    sandbox *sb = sandbox_of(L);
    if (sandbox_tripped(sb) != SANDBOX_OK) { /* the host reports the limit */
        sandbox_note_position(L, sb);
        return 1;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, RETHROW_KEY);
    int rethrown = sb->err.valid && lua_rawequal(L, 1, -1);
    lua_pop(L, 1); /* pop the rethrown value */
    if (!rethrown) record_error(L, sb);
    return 1;
}

void sandbox_clear_error(sandbox *sb)
{
    sb->err.valid = 0;
    lua_pushnil(sb->L);
    lua_setfield(sb->L, LUA_REGISTRYINDEX, RETHROW_KEY);
}

int sandbox_rethrow(lua_State *L)
{
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, RETHROW_KEY);
    return lua_error(L);
}

const char *sandbox_error_message(const sandbox *sb)
{
    return sb->err.valid ? sb->err.message : "";
}

void sandbox_error(sandbox *sb, int status, const char *who, const char *fallback_file,
                   long fallback_line, kpi_error *err)
{
    const char *file = fallback_file;
    long line = fallback_line;
    char text[1400];
    sandbox_limit lim = sandbox_tripped(sb);
    if (lim == SANDBOX_OK && status == LUA_ERRMEM) lim = SANDBOX_MEMORY;
    if (lim != SANDBOX_OK) {
        sandbox_limit_message(sb, lim, text, sizeof text);
        if (sb->has_trip_pos) {
            file = sb->trip_file;
            line = sb->trip_line;
        }
    } else if (sb->err.valid) {
        const error_record *e = &sb->err;
        int show_trace = e->user_frames > 1 || (sb->verbose && e->trace[0]);
        snprintf(text, sizeof text, "%s%s%s", e->message, show_trace ? "\nstack traceback:" : "",
                 show_trace ? e->trace : "");
        if (e->line > 0) {
            file = e->file;
            line = e->line;
        }
    } else {
        const char *msg = lua_tostring(sb->L, -1);
        snprintf(text, sizeof text, "%s", msg ? msg : "unknown error");
    }
    kpi_error_set(err, KPI_ESCRIPT, file, line, 0, "%s%s%s", who ? who : "", who ? ": " : "", text);
}
