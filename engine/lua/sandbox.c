/*
** sandbox.c -- the rule set's Lua state: allocator with a cap, the limits' hook and
** timer, and running coroutines under the limits. The environment is in sandbox_lib.c,
** chunks and error reports in sandbox_error.c.
**
** Invariants: sb->running is the thread executing Lua code (or the main thread), kept
** by sandbox_resume_thread so the timer's signal arms the right thread. sb->tripped
** only goes from SANDBOX_OK to a limit, and back only in sandbox_begin. The limits'
** error values are strings made in advance (registry references), so raising one
** never allocates, which matters when the limit is memory.
*/
#define _GNU_SOURCE
#include "sandbox_impl.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "core/kpi_alloc.h"
#include "lkpi.h"

#define ALL_EVENTS (LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT)

static void limits_hook(lua_State *L, lua_Debug *ar);

sandbox *sandbox_of(lua_State *L)
{
    sandbox *sb;
    memcpy(&sb, lua_getextraspace(L), sizeof sb);
    return sb;
}

lua_State *sandbox_lua(sandbox *sb)
{
    return sb->L;
}

void sandbox_set_user(sandbox *sb, void *user)
{
    sb->user = user;
}

void *sandbox_user(lua_State *L)
{
    return sandbox_of(L)->user;
}

int sandbox_verbose(lua_State *L)
{
    return sandbox_of(L)->verbose;
}

sandbox_limit sandbox_tripped(const sandbox *sb)
{
    if (sb->tripped == SANDBOX_OK && sb->refused) return SANDBOX_MEMORY;
    return (sandbox_limit)sb->tripped;
}

/* ---- memory ------------------------------------------------------------------------ */

static void arm(lua_State *L)
{
    lua_sethook(L, limits_hook, ALL_EVENTS, 1);
}

static void trip(sandbox *sb, sandbox_limit which)
{
    if (sb->tripped == SANDBOX_OK) sb->tripped = which;
    lua_State *running = sb->running;
    if (running) arm(running);
}

static int same_request(const sandbox *sb, const void *ptr, size_t old, size_t nsize)
{
    return sb->refused_block == ptr && sb->refused_old == old && sb->refused_new == nsize;
}

/*
** The state's allocator. Shrinking and freeing always succeed (Lua relies on it).
** Growth past the cap is refused. The VM then collects garbage and asks again with the
** same arguments: if that retry fits, nothing happened; if it is refused too, the limit
** is hit. A refusal that is never retried (lauxlib's buffers call the allocator
** directly and raise an ordinary error) is the limit as soon as the hook runs next, so
** a script cannot catch it and go on.
*/
static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        if (ptr) kpi_free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (nsize > old && nsize - old > sb->cap - (sb->used < sb->cap ? sb->used : sb->cap)) {
        if (sb->refused && same_request(sb, ptr, old, nsize)) {
            trip(sb, SANDBOX_MEMORY);
        } else {
            sb->refused_block = ptr;
            sb->refused_old = old;
            sb->refused_new = nsize;
            sb->refused = 1;
            lua_State *running = sb->running;
            if (running && !sb->has_trip_pos) {
                /* Safe here: the VM saved its pc before allocating, and the call chain is intact.
                 */
                sandbox_note_position(running, sb);
                sb->pos_of_refusal = 1;
            }
            if (running) arm(running);
        }
        return NULL;
    }
    /* Decided before the realloc: ptr must not be read once it may have been freed. */
    int retried = sb->refused && same_request(sb, ptr, old, nsize);
    void *q = kpi_realloc(ptr, nsize);
    if (!q) return NULL; /* the machine is out of memory: Lua raises its memory error */
    if (retried) { /* rescued by the retry */
        sb->refused = 0;
        if (sb->pos_of_refusal) sb->has_trip_pos = 0;
    }
    sb->used = sb->used - old + nsize;
    return q;
}

/* ---- instructions and time ----------------------------------------------------------- */

static double seconds_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static int past_deadline(sandbox *sb)
{
    if (sb->pause_depth > 0) return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return seconds_between(sb->deadline, now) >= 0;
}

void sandbox_note_position(lua_State *L, sandbox *sb)
{
    if (sb->has_trip_pos) return;
    sb->pos_of_refusal = 0;
    lua_Debug ar;
    for (int level = 0; level <= SCAN_FRAMES && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        snprintf(sb->trip_file, sizeof sb->trip_file, "%s",
                 ar.source[0] == '@' ? ar.source + 1 : ar.short_src);
        sb->trip_line = ar.currentline;
        sb->has_trip_pos = 1;
        return;
    }
}

/* Raise the hit limit's message; every later event of this thread raises again. */
static int raise_limit(lua_State *L, sandbox *sb)
{
    sandbox_note_position(L, sb);
    arm(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->limit_ref[sb->tripped]);
    return lua_error(L);
}

static void limits_hook(lua_State *L, lua_Debug *ar)
{
    sandbox *sb = sandbox_of(L);
    if (sb->tripped == SANDBOX_OK) {
        if (sb->refused) {
            sb->tripped = SANDBOX_MEMORY;
        } else if (sb->time_up || (ar->event == LUA_HOOKCOUNT && past_deadline(sb))) {
            sb->tripped = SANDBOX_TIME;
        } else if (lua_gethookcount(L) != SANDBOX_HOOK_STEP) {
            /* Armed for a refusal that the retry rescued: back to counting. */
            lua_sethook(L, limits_hook, LUA_MASKCOUNT, SANDBOX_HOOK_STEP);
            return;
        } else if (ar->event == LUA_HOOKCOUNT) {
            sb->count += SANDBOX_HOOK_STEP;
            if (sb->count > sb->max_count) sb->tripped = SANDBOX_INSTRUCTIONS;
        }
        if (sb->tripped == SANDBOX_OK) return;
    } else if (ar->event == LUA_HOOKCALL && lua_getinfo(L, "f", ar)) {
        /* Let the message handler run: raising in it would only recurse to "error in error
         * handling". */
        int handler = lua_tocfunction(L, -1) == sandbox_msghandler;
        lua_pop(L, 1); /* pop the function */
        if (handler) return;
    }
    raise_limit(L, sb);
}

void sandbox_poll(lua_State *L)
{
    sandbox *sb = sandbox_of(L);
    if (sb->tripped == SANDBOX_OK && sb->refused) sb->tripped = SANDBOX_MEMORY;
    if (sb->tripped == SANDBOX_OK && (sb->time_up || past_deadline(sb))) sb->tripped = SANDBOX_TIME;
    if (sb->tripped != SANDBOX_OK) raise_limit(L, sb);
}

void sandbox_charge(lua_State *L, unsigned steps)
{
    sandbox *sb = sandbox_of(L);
    if (sb->tripped == SANDBOX_OK) {
        sb->count += steps;
        if (sb->count > sb->max_count) sb->tripped = SANDBOX_INSTRUCTIONS;
    }
    sandbox_poll(L);
}

void sandbox_hook_thread(lua_State *L, lua_State *co)
{
    sandbox *sb = sandbox_of(L);
    if (sandbox_tripped(sb) != SANDBOX_OK)
        arm(co);
    else
        lua_sethook(co, limits_hook, LUA_MASKCOUNT, SANDBOX_HOOK_STEP);
}

/* The timer's signal: runs on the thread executing Lua (SIGEV_THREAD_ID). */
static void on_timer(int sig, siginfo_t *si, void *context)
{
    (void)sig;
    (void)context;
    if (si->si_code != SI_TIMER) return; /* not ours */
    sandbox *sb = si->si_value.sival_ptr;
    if (!sb || sb->pause_depth > 0) return;
    sb->time_up = 1;
    lua_State *running = sb->running;
    if (running) lua_sethook(running, limits_hook, ALL_EVENTS, 1);
}

static int timer_signal(void)
{
    return SIGRTMIN + 4;
}

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_installed;

static void install_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_timer;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    handler_installed = sigaction(timer_signal(), &sa, NULL) == 0;
}

/* Set the timer to fire at the deadline (absolute, monotonic clock). */
static void set_timer(sandbox *sb, int on)
{
    if (!sb->has_timer) return;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (on) its.it_value = sb->deadline;
    timer_settime(sb->timer, on ? TIMER_ABSTIME : 0, &its, NULL);
}

/* A signal-delivering timer for the calling thread; without one the hook's clock check remains. */
static void start_timer(sandbox *sb)
{
    pthread_once(&handler_once, install_handler);
    if (!handler_installed) return;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = timer_signal();
    sev.sigev_value.sival_ptr = sb;
    sev._sigev_un._tid = gettid();
    if (timer_create(CLOCK_MONOTONIC, &sev, &sb->timer) != 0) return;
    sb->has_timer = 1;
    set_timer(sb, 1);
}

void sandbox_begin(sandbox *sb)
{
    sandbox_end(sb);
    sb->count = 0;
    sb->tripped = SANDBOX_OK;
    sb->time_up = 0;
    sb->has_trip_pos = 0;
    sb->pos_of_refusal = 0;
    sb->refused = 0;
    sb->pause_depth = 0;
    sb->running = sb->L;
    lua_sethook(sb->L, limits_hook, LUA_MASKCOUNT, SANDBOX_HOOK_STEP);
    clock_gettime(CLOCK_MONOTONIC, &sb->deadline);
    double whole = (double)(long long)sb->timeout;
    sb->deadline.tv_sec += (time_t)whole;
    sb->deadline.tv_nsec += (long)((sb->timeout - whole) * 1e9);
    if (sb->deadline.tv_nsec >= 1000000000L) {
        sb->deadline.tv_sec++;
        sb->deadline.tv_nsec -= 1000000000L;
    }
    start_timer(sb);
}

void sandbox_end(sandbox *sb)
{
    if (sb->has_timer) {
        /* After timer_delete returns no signal of it is pending for this thread. */
        timer_delete(sb->timer);
        sb->has_timer = 0;
    }
    sb->running = sb->L;
}

void sandbox_pause(lua_State *L)
{
    sandbox *sb = sandbox_of(L);
    if (sb->pause_depth++ > 0) return;
    set_timer(sb, 0);
    clock_gettime(CLOCK_MONOTONIC, &sb->paused_at);
}

void sandbox_resume(lua_State *L)
{
    sandbox *sb = sandbox_of(L);
    if (sb->pause_depth == 0 || --sb->pause_depth > 0) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ns = (long long)(now.tv_sec - sb->paused_at.tv_sec) * 1000000000LL +
                   (now.tv_nsec - sb->paused_at.tv_nsec);
    ns += sb->deadline.tv_nsec;
    sb->deadline.tv_sec += (time_t)(ns / 1000000000LL);
    sb->deadline.tv_nsec = (long)(ns % 1000000000LL);
    set_timer(sb, 1);
}

int sandbox_resume_thread(lua_State *L, lua_State *co, int narg)
{
    sandbox *sb = sandbox_of(L);
    if (co == L) {
        lua_pushliteral(L, "cannot resume non-suspended coroutine");
        return -1;
    }
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, narg);
    lua_State *caller = sb->running;
    sb->running = co;
    if (sandbox_tripped(sb) != SANDBOX_OK) arm(co);
    int nres = 0;
    int status = lua_resume(co, L, narg, &nres);
    sb->running = caller;
    if (sandbox_tripped(sb) != SANDBOX_OK) sandbox_poll(L); /* a limit is never swallowed */
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1); /* the error value */
    return -1;
}

const char *sandbox_limit_message(const sandbox *sb, sandbox_limit which, char *buf, size_t size)
{
    switch (which) {
    case SANDBOX_INSTRUCTIONS:
        snprintf(buf, size, "instruction limit exceeded (%lld)", sb->max_count);
        break;
    case SANDBOX_MEMORY:
        if (sb->cap % ((size_t)1 << 20) == 0)
            snprintf(buf, size, "memory limit exceeded (%zu MiB)", sb->cap >> 20);
        else if (sb->cap % 1024 == 0)
            snprintf(buf, size, "memory limit exceeded (%zu KiB)", sb->cap >> 10);
        else
            snprintf(buf, size, "memory limit exceeded (%zu bytes)", sb->cap);
        break;
    case SANDBOX_TIME:
        snprintf(buf, size, "time limit exceeded (%g s)", sb->timeout);
        break;
    default:
        snprintf(buf, size, "no limit exceeded");
    }
    return buf;
}

/* ---- the state ---------------------------------------------------------------------- */

/* Protected part of sandbox_new: libraries, environment, userdata types, limit messages. */
static int setup(lua_State *L)
{
    sandbox *sb = sandbox_of(L);
    lua_gc(L, LUA_GCINC, 0, 0, 0); /* incremental: 5.4.4's generational mode has known bugs */
    sandbox_open_env(L);
    l_kpi_open_all(L);
    char buf[128];
    for (int which = SANDBOX_INSTRUCTIONS; which <= SANDBOX_TIME; which++) {
        lua_pushstring(L, sandbox_limit_message(sb, (sandbox_limit)which, buf, sizeof buf));
        sb->limit_ref[which] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
}

static int on_panic(lua_State *L)
{
    (void)L;
    return 0; /* every call into Lua is protected; nothing to do but let lua_error return */
}

sandbox *sandbox_new(const sandbox_limits *limits, int verbose, kpi_error *err)
{
    sandbox *sb = kpi_calloc(1, sizeof *sb);
    if (!sb) {
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory creating the Lua state");
        return NULL;
    }
    sb->verbose = verbose;
    sb->max_count = limits && limits->max_instructions > 0 ? limits->max_instructions
                                                           : SANDBOX_DEFAULT_INSTRUCTIONS;
    sb->cap = limits && limits->max_memory > 0 ? limits->max_memory : SANDBOX_DEFAULT_MEMORY;
    sb->timeout =
        limits && limits->timeout_seconds > 0 ? limits->timeout_seconds : SANDBOX_DEFAULT_TIMEOUT;
    sb->L = lua_newstate(limited_alloc, sb);
    if (!sb->L) {
        kpi_free(sb);
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory creating the Lua state");
        return NULL;
    }
    memcpy(lua_getextraspace(sb->L), &sb, sizeof sb); /* new threads copy it */
    lua_atpanic(sb->L, on_panic);
    sb->running = sb->L;
    lua_pushcfunction(sb->L, setup);
    if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "cannot set up the Lua state: %s",
                      lua_tostring(sb->L, -1) ? lua_tostring(sb->L, -1) : "out of memory");
        sandbox_free(sb);
        return NULL;
    }
    return sb;
}

void sandbox_free(sandbox *sb)
{
    if (!sb) return;
    sandbox_end(sb);
    lua_sethook(sb->L, NULL, 0, 0);
    lua_close(sb->L);
    for (size_t i = 0; i < sb->nchunks; i++)
        kpi_free(sb->chunks[i].path);
    kpi_free(sb->chunks);
    kpi_free(sb);
}
