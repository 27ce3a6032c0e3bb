/*
** sandbox_impl.h -- what sandbox.c (state, allocator, limits) and sandbox_error.c
** (chunks, the message handler, error reports) share. Internal to engine/lua.
*/
#ifndef KPI_SANDBOX_IMPL_H
#define KPI_SANDBOX_IMPL_H

#include <signal.h>
#include <time.h>

#include "sandbox.h"

/* Registry field: the error value sandbox_rethrow raised last. */
#define RETHROW_KEY "kpiengine.rethrow"
/* Frames a traceback shows at most. */
#define TRACE_FRAMES 8
/*
** Frames the message handler looks at, innermost first. lua_getstack costs as much as
** the level it reaches, so after a stack overflow a full walk would be quadratic.
*/
#define SCAN_FRAMES 40

/* A chunk loaded by sandbox_load: its path and the short_src Lua puts in messages. */
typedef struct chunk_name {
    char *path;
    char short_src[LUA_IDSIZE];
} chunk_name;

/* What the message handler saw of the last error. */
typedef struct error_record {
    int valid;
    char file[512];
    long line;
    char message[512];
    char trace[768];
    int user_frames;
} error_record;

struct sandbox {
    lua_State *L;
    int verbose;
    void *user;
    /* memory */
    size_t used, cap;
    volatile sig_atomic_t refused; /* a growth was refused and not rescued by a retry */
    const void *refused_block;
    size_t refused_old, refused_new;
    /* instructions */
    long long count, max_count;
    /* time */
    double timeout;
    struct timespec deadline, paused_at;
    int pause_depth;
    int has_timer;
    timer_t timer;
    volatile sig_atomic_t time_up;
    lua_State *volatile running;
    volatile sig_atomic_t tripped;
    int has_trip_pos;
    int pos_of_refusal; /* the position was noted when a growth was refused */
    char trip_file[512];
    long trip_line;
    int limit_ref[4]; /* registry refs of the limits' messages, by sandbox_limit */
    /* errors */
    chunk_name *chunks;
    size_t nchunks;
    error_record err;
};

/* Remember the first user position where a limit was noticed (level 0 = running function). */
void sandbox_note_position(lua_State *L, sandbox *sb);
/*
** Count `steps` units of work a long C loop did (pattern matching) against the
** instruction budget, as if they were VM instructions, then sandbox_poll(): the limit
** then stops such a loop as deterministically as it stops a Lua loop.
*/
void sandbox_charge(lua_State *L, unsigned steps);

#endif
