/*
** sandbox.h -- the restricted Lua state a rule set runs in, and its limits.
**
** The environment (sandbox_lib.c): the base functions that are safe for scripts
** (assert, error, ipairs, next, pairs, pcall, xpcall, select, tonumber, tostring, type,
** getmetatable, rawequal, rawget, rawlen, _VERSION, _G) and wrapped ones: `load` only
** takes text and defaults its environment to the rule set's; `setmetatable` refuses
** metatables with __gc, __close or __mode; `rawset` refuses the library tables.
** Libraries: string (no dump; find, match, gmatch and gsub are the engine's own
** matcher, which the time limit can stop, see strmatch.h), table, math, utf8,
** os.time / os.date / os.clock, coroutine without close (create, resume and wrap are
** wrapped to carry the limits into new threads). Nothing else: no io, no debug, no
** package, no print, no dofile / loadfile, no collectgarbage. Library tables are
** read-only proxies (writes raise, __metatable is locked), and so is the string
** metatable. Reading an undefined global raises "unknown global 'x'" with the closest
** name among globals, the caller's locals and upvalues, and names the DSL added.
**
** Limits, each reported as a script error:
**   instructions  a count hook every SANDBOX_HOOK_STEP VM instructions;
**   memory        the state's allocator refuses to grow the heap past the cap (a
**                 failed request is retried once by Lua after an emergency
**                 collection; the limit is hit when the retry fails too);
**   time          the count hook reads the clock, and a POSIX timer signals the
**                 thread running Lua when the deadline passes, whose handler sets a
**                 flag and arms the hook on every event (lua_sethook is the one API
**                 call documented safe in a signal handler). Long C loops that run no
**                 VM instructions (pattern matching) call sandbox_poll().
** Once a limit is hit it stays hit until sandbox_begin(): the hook then fires on every
** instruction, call and return, in the main thread and in any coroutine resumed
** later, and raises again, so pcall or a coroutine cannot swallow it.
**
** Time spent loading data (between sandbox_pause and sandbox_resume) does not count.
** Each sandbox_begin() starts a fresh instruction budget and deadline.
**
** Errors: sandbox_msghandler is the message handler of every lua_pcall the engine
** makes (as lua.c's msghandler). It records where the error happened in the user's
** files (the position prefix of the message when it names a chunk loaded with
** sandbox_load, else the innermost Lua frame) and a traceback of user frames only
** (all frames when verbose); sandbox_error() turns a failed call into a kpi_error.
*/
#ifndef KPI_SANDBOX_H
#define KPI_SANDBOX_H

#include <stddef.h>

#include <lua.h>

#include "core/kpi_error.h"

#define SANDBOX_DEFAULT_INSTRUCTIONS 100000000LL
#define SANDBOX_DEFAULT_MEMORY       ((size_t)256 << 20)
#define SANDBOX_DEFAULT_TIMEOUT      10.0
/* VM instructions between two runs of the count hook. */
#define SANDBOX_HOOK_STEP 1000

typedef struct sandbox sandbox;

typedef struct sandbox_limits {
    long long max_instructions; /* <= 0: default */
    size_t max_memory;          /* bytes of Lua heap; 0: default */
    double timeout_seconds;     /* <= 0: default */
} sandbox_limits;

typedef enum sandbox_limit {
    SANDBOX_OK,
    SANDBOX_INSTRUCTIONS,
    SANDBOX_MEMORY,
    SANDBOX_TIME
} sandbox_limit;

/*
** A new state with the restricted environment, the engine's userdata types and the
** limits (not yet running: see sandbox_begin). NULL + err (KPI_ENOMEM) on failure.
*/
sandbox *sandbox_new(const sandbox_limits *limits, int verbose, kpi_error *err);
/* Close the state (running finalizers) and free everything. NULL is a no-op. */
void sandbox_free(sandbox *sb);
lua_State *sandbox_lua(sandbox *sb);
/* The sandbox of a state or of any of its threads. */
sandbox *sandbox_of(lua_State *L);
/* One pointer the embedder keeps with the state (the DSL's). */
void sandbox_set_user(sandbox *sb, void *user);
void *sandbox_user(lua_State *L);
int sandbox_verbose(lua_State *L);

/* ---- the environment (sandbox_lib.c) ------------------------------------------------ */

/* Build the environment (called once by sandbox_new, in protected mode). */
int sandbox_open_env(lua_State *L);
/* Push the rule set's environment table (the globals every rule-set file shares). */
void sandbox_push_env(lua_State *L);
/* A name "unknown global" may suggest besides the globals (a source's or a KPI's). */
void sandbox_add_name(lua_State *L, const char *name);
/*
** Load text (a whole file's contents; a UTF-8 byte-order mark and a first line starting
** with '#' are skipped) as a function whose _ENV is the environment. path names the
** chunk in messages ("@path") and is remembered for error positions. Binary chunks
** are refused. Returns lua_load's status; on failure the message is on the stack.
*/
int sandbox_load(lua_State *L, const char *text, size_t len, const char *path);

/* ---- limits -------------------------------------------------------------------------- */

/* Start a run: fresh instruction budget, deadline now + timeout, nothing hit. */
void sandbox_begin(sandbox *sb);
/* End a run: stop the timer. */
void sandbox_end(sandbox *sb);
/* Stop / restart the clock around work that is not the script's (loading a source). */
void sandbox_pause(lua_State *L);
void sandbox_resume(lua_State *L);
/* Which limit has been hit since sandbox_begin (SANDBOX_OK: none). */
sandbox_limit sandbox_tripped(const sandbox *sb);
/* Raise the limit's error if one has been hit or the deadline has passed. */
void sandbox_poll(lua_State *L);
/* Put the limits' hook on a new thread (coroutines). */
void sandbox_hook_thread(lua_State *L, lua_State *co);
/*
** Resume co from L like coroutine.resume, keeping track of which thread runs so the
** timer arms the right one; raises in L if a limit was hit meanwhile. Returns the
** number of results moved onto L, or -1 with the error value on top of L.
*/
int sandbox_resume_thread(lua_State *L, lua_State *co, int narg);

/* ---- errors ---------------------------------------------------------------------------- */

/* The message handler for lua_pcall: records the position; returns the error unchanged. */
int sandbox_msghandler(lua_State *L);
/* Forget the recorded error (call before a lua_pcall whose failure you will report). */
void sandbox_clear_error(sandbox *sb);
/*
** Raise the error value on top again after catching it (to clean up first): message
** handlers keep the record made where it was first raised (position, traceback).
*/
int sandbox_rethrow(lua_State *L);
/* The recorded error's message without its position prefix ("" when none). */
const char *sandbox_error_message(const sandbox *sb);
/*
** Fill err after a lua_pcall that returned status (error value on top of L) with the
** recorded error or the limit hit: kind KPI_ESCRIPT, the user's file and line
** (fallback_file / fallback_line when unknown), the message prefixed by "who: " when
** who is not NULL, and the traceback when there is more than one user frame.
*/
void sandbox_error(sandbox *sb, int status, const char *who, const char *fallback_file,
                   long fallback_line, kpi_error *err);
/* The limit's message: "instruction limit exceeded (100000000)" etc., into buf. */
const char *sandbox_limit_message(const sandbox *sb, sandbox_limit which, char *buf, size_t size);

#endif
