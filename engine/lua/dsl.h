/*
** dsl.h -- the rule-set language: the globals `ruleset`, `source`, `kpi`, `review`,
** `require` and `extends` (DESIGN section 3) and the declarations they record.
**
**   ruleset { name, currency, locale, grain = "month", description }
**   source "name" { csv = path | sqlite = path, query = sql | table = name, time = col,
**                   delimiter, decimal, date_format, header, columns = { c = "decimal(2)" },
**                   encoding = "utf-8", description }            -> a Table
**   kpi "id" { title, unit, better = "higher" | "lower", minimum, target, owner, review,
**              value = function(p, k), breakdown = function(p, k), description, due,
**              additive = true | false }
**   review "name" { every = grain | campaigns = source, before, after, day, business,
**                   kpis = {ids}, title, description }
**   require "x"        x.lua next to the calling file, else lib/x.lua beside it; run once
**                      (cached by real path, like package.loaded); "a.b" is a/b.lua
**   extends "base.lua" run the base rule set first (path relative to the calling file);
**                      this file's declarations then override the base's by name
**
** additive = true says the KPI's value is a sum over its breakdown items and over time
** (revenue, orders, spend, visits): the items are parts of the total, so they are not
** graded against the total's levels (breakdown_item.graded = 0). Ratios, rates and
** averages are not additive (the default) and their items are graded.
**
** Override rules (a name declared again): in the same file it is an error ("already
** declared at file:line"). Declared by another file (a base reached through extends, or
** a required file), it overrides: a kpi merges field by field over the earlier
** definition (fields not given are kept; `false` removes an optional field) and keeps
** its place in the order; a source keeps its number (so Tables captured earlier see it)
** and its whole spec is replaced; a review is replaced; `ruleset` merges field by field.
** KPIs keep declaration order. `extends` must come before any declaration of its file.
**
** Every unknown field is an error naming the closest known one ("kpi 'cac': unknown
** field 'tagret' (did you mean 'target'?)"), reported at the declaration's file:line.
** Source paths are relative to the data root (the rule set's folder, or --data DIR);
** absolute paths and paths that leave the root (after resolving symbolic links) are
** refused. Declarations are only allowed while the rule set loads.
*/
#ifndef KPI_DSL_H
#define KPI_DSL_H

#include <pthread.h>
#include <stddef.h>

#include <lua.h>

#include "core/colcache.h"
#include "core/csv.h"
#include "core/kpi_error.h"
#include "core/period.h"
#include "core/sqlsrc.h"
#include "core/table.h"
#include "model/report.h"

typedef struct dsl_source {
    char *name;
    int id;             /* 1-based; stays when extends replaces the spec */
    char *csv, *sqlite; /* the path as written (one of them) */
    char *query, *table_name, *time, *date_format;
    char *path; /* resolved below the root */
    char delimiter, decimal;
    int header;
    int skip_bad_rows;    /* on_error = "skip": bad rows are left out and counted (rejects) */
    csv_rejects rejects;  /* of the last load from the file */
    column_decl *columns; /* names owned */
    size_t ncolumns;
    char *file; /* where declared */
    int line;
    table *t;             /* loaded on first use */
    int failed;           /* a load failed: the same error every time */
    int prefetched;       /* loaded ahead (dsl_prefetch): wait for it, or load it if not taken */
    int taken, ready;     /* of a prefetched source: a thread loads it; its load is over */
    colcache_stamp stamp; /* the file's size and time before it was read (stamped) */
    int stamped;
    char cache_schema[2048]; /* the rest of its cache key, taken with the stamp */
    kpi_error error;
} dsl_source;

/*
** Threads loading sources ahead of the KPIs (dsl_prefetch). The evaluating thread loads
** what the KPIs read meanwhile, so two loads run at once. A second thread (three loads)
** was about 4% faster at 10M orders, but the transient memory of three loads put a
** 1M-order run over half the size of its CSV files.
*/
#define DSL_PREFETCH_THREADS 1

typedef struct dsl_kpi {
    char *id;
    char *title, *unit, *owner, *review, *description, *due; /* NULL when absent */
    kpi_better better;
    double minimum, target;
    int value_ref, breakdown_ref; /* registry references; LUA_NOREF when absent */
    int additive;                 /* a sum over items and time: items are not graded */
    char *file;                   /* where declared (the last declaration that touched it) */
    int line;
} dsl_kpi;

typedef struct dsl_review {
    char *name;
    char *every, *campaigns, *title, *description; /* NULL when absent */
    long before, after, day;
    int business; /* `business = true`: day counts Monday..Friday (model/schedule.h) */
    char **kpis;
    size_t nkpis;
    char *file;
    int line;
} dsl_review;

/* A file the rule set ran (its own, a base, a required one). */
typedef struct dsl_file {
    char *path;   /* as shown in messages */
    int declared; /* it declared something (extends must come first) */
    int extended; /* it called extends */
} dsl_file;

typedef struct dsl {
    char *file;       /* the rule set as given */
    char *dir;        /* its folder ("." when the path has none) */
    char *root_shown; /* the data root as given (--data DIR, or dir): source paths start with it */
    char *root;       /* the data root's real path: no source may leave it */
    char *name, *currency, *locale, *description;
    period_grain grain;
    char *ruleset_file; /* where `ruleset` was declared, NULL when it was not */
    int ruleset_line;
    dsl_source **sources;
    size_t nsources;
    dsl_kpi **kpis;
    size_t nkpis;
    dsl_review **reviews;
    size_t nreviews;
    int loading;     /* 1 while the rule set's files run: declarations are allowed */
    dsl_file *files; /* files that declared something or called extends */
    size_t nfiles;
    int pending; /* a `kpi "x"` (or source, review) still waiting for its { ... } */
    char pending_what[160];
    char pending_file[512];
    int pending_line;
    int has_source_error;
    kpi_error source_error; /* the first source that failed to load under Lua */
    void *eval;             /* the evaluation in progress (eval.c), NULL otherwise */
    /*
    ** Every name and string literal of the files the rule set ran: a CSV source loads
    ** only the columns named somewhere in them (and its time and declared columns); a
    ** column reached another way is loaded when first used (dsl_source_column).
    */
    struct dict *words;
    void (*progress)(const char *path, double fraction, void *arg); /* rules_options */
    void *progress_arg;
    char *cache_dir;  /* the column cache's folder (rules_options.cache_dir), NULL: none */
    int cache_verify; /* rules_options.cache_verify */
    struct colcache_queue *cache_queue; /* saves tables meanwhile (when cache_dir is set) */
    int prefetch_started;               /* dsl_prefetch ran */
    int prefetch_running;               /* prefetch_threads are to be joined */
    int nprefetch;                      /* threads started */
    pthread_t prefetch_threads[DSL_PREFETCH_THREADS];
    pthread_mutex_t prefetch_lock; /* see dsl_source.c, "sources loaded ahead" */
    pthread_cond_t prefetch_ready;
    unsigned long runs; /* evaluations so far: a stale `k` table knows it is stale */
} dsl;

/* A new, empty rule set for file; data_dir NULL = file's folder. NULL + err. */
dsl *dsl_new(const char *file, const char *data_dir, kpi_error *err);
/* Free the declarations and loaded tables (after the Lua state is closed). */
void dsl_free(dsl *d);
/* Register the DSL's globals in the sandbox environment of L (protected mode). */
void dsl_open(lua_State *L, dsl *d);
/*
** lua_CFunction: run the rule-set file d->file (d is sandbox_user(L)) and check the
** result. Call it through lua_pcall with sandbox_msghandler.
*/
int dsl_run(lua_State *L);
/* After dsl_run: the checks that need the whole rule set. 0 or -1 + err (KPI_ESCRIPT). */
int dsl_check(dsl *d, kpi_error *err);

/* The kpi with this id (index into d->kpis), or -1. */
int dsl_kpi_index(const dsl *d, const char *id);

/* ---- sources (dsl_source.c) ------------------------------------------------------------ */

/* lua_CFunction behind `source "name"`: returns the declarer closure. */
int dsl_source_decl(lua_State *L);
/*
** The table of source id (1-based), loading it on first use (the sandbox's clock is
** paused meanwhile). NULL + err on failure: KPI_EDATA / KPI_EIO / KPI_ENOMEM from the
** loader, positioned in the data file. L may be NULL (no Lua running).
*/
const table *dsl_source_table(lua_State *L, dsl *d, int id, kpi_error *err);
/*
** Load column col of source id's table, which its first load left absent (see
** dsl.words). 0, or -1 + err (the data file changed since, or the loader's error).
*/
int dsl_source_column(lua_State *L, dsl *d, int id, int col, kpi_error *err);
/* Note the names and string literals of a rule-set file's text (dsl.words). 0, or -1 out of memory.
 */
int dsl_note_words(dsl *d, const char *text, size_t len);
/* The SQLite loader's options for source s (query or table, date format, declared columns). */
void dsl_sqlsrc_options(const dsl_source *s, sqlsrc_options *o);
/* Load CSV source s from its file: its columns as dsl.words says, or only column `only`. */
table *dsl_load_csv(const dsl *d, dsl_source *s, const char *only, kpi_error *err);
/*
** The column cache (dsl_columns.c). dsl_cache_load stamps s's file and returns the table
** cached for it when there is a fresh one (its time column already chosen), else NULL;
** dsl_cache_save queues t, s's table, to be written for the next run while this one goes
** on (colcache_queue.h; without a queue it writes at once): t must stay unchanged until
** dsl_cache_wait, which dsl_free calls before it frees the tables. Neither ever fails a run.
*/
table *dsl_cache_load(const dsl *d, dsl_source *s);
void dsl_cache_save(const dsl *d, const dsl_source *s, const table *t);
void dsl_cache_wait(const dsl *d);
/* Free a source's declaration and table. */
void dsl_source_free(dsl_source *s);
/*
** Load the sources ahead, on DSL_PREFETCH_THREADS threads (once per rule set; see dsl_source.c),
** and wait for those threads: dsl_source_table waits by itself, so only code that reads
** the sources' tables directly needs dsl_prefetch_wait.
*/
void dsl_prefetch(dsl *d);
void dsl_prefetch_wait(dsl *d);
/* Around a change or a read of d->words that may meet the prefetch threads. */
void dsl_words_lock(const dsl *d);
void dsl_words_unlock(const dsl *d);
/*
** The path of rel below the data root, into out (root_shown/rel, as messages show it);
** what names the declaration in messages ("source 'orders'"). 0, or -1 + err
** (KPI_ESCRIPT) when rel is empty, absolute, too long, or leaves the root either by
** its ".." parts or, when the file exists, through a symbolic link.
*/
int dsl_resolve_path(const dsl *d, const char *what, const char *rel, char *out, size_t size,
                     kpi_error *err);

/* ---- shared by the declaration files ------------------------------------------------------ */

/* The file:line of the Lua code calling the running C function (level 1). */
const char *dsl_caller(lua_State *L, int *line);
/*
** Check the declaration table at idx: every key a known field (a NULL-terminated list).
** Raises "<what>: unknown field 'x' (did you mean 'y'?)".
*/
void dsl_check_fields(lua_State *L, int idx, const char *what, const char *const *fields);
/*
** Optional string field of the table at idx: 0 absent, 1 a string (*out), 2 false (an
** override removing the field). Raises on another type.
*/
int dsl_opt_string(lua_State *L, int idx, const char *what, const char *field, const char **out);
/*
** The start of every declaration: raise unless declarations are allowed now, settle the
** pending `kpi "x"` (what names it), and note that the calling file declared something.
*/
void dsl_declaring(lua_State *L, dsl *d, const char *what);
/* The record of the file at path (added when new); raises on out of memory. */
dsl_file *dsl_file_record(lua_State *L, dsl *d, const char *path);
/* `kpi "x"` and the like: remember what waits for its { ... } (raises if one already waits). */
void dsl_expect_body(lua_State *L, dsl *d, const char *what);
/* Replace *slot with a copy of s (NULL clears it); raises on out of memory. */
void dsl_set_string(lua_State *L, char **slot, const char *s);
/* Grow an array by one element (zeroed); raises on out of memory. */
void *dsl_grow(lua_State *L, void *array, size_t n, size_t elem);
/* Raise "what is already declared at file:line" when the calling file is file. */
void dsl_check_redeclared(lua_State *L, const char *what, const char *file, int line);
/* Parse a grain name (not "range") or raise with a suggestion. */
int dsl_parse_grain(lua_State *L, const char *what, const char *s, period_grain *g);

/* ---- reviews (dsl_review.c) ------------------------------------------------------------ */

/* The declarer closure `review "name"` returns (upvalue 1: the name). */
int dsl_review_declarer(lua_State *L);
void dsl_review_free(dsl_review *r);
/* Reviews name declared KPIs and sources; KPIs name declared reviews, a due date. 0 or -1 + err. */
int dsl_review_check(const dsl *d, kpi_error *err);

/* ---- files (dsl_file.c) ------------------------------------------------------------------ */

/* The globals `require` and `extends`. */
int dsl_require(lua_State *L);
int dsl_extends(lua_State *L);
/*
** Read and run the rule-set file at path (as shown in messages) in the sandbox; its
** first result stays on the stack. Raises on a missing file, a syntax error or the
** file's own error.
*/
void dsl_run_file(lua_State *L, dsl *d, const char *path);

#endif
