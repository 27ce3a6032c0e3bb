/*
** csv.c -- load a CSV file into a typed table; see csv.h.
**
** This file maps the file, reads the header, plans the chunks, runs the passes of
** csv_chunk.c on threads (one chunk per thread), chains the chunks in file order,
** builds the table at its final size and merges the chunks' string dictionaries.
** The pass structure and its invariants are described in csv_scan.h.
*/
#define _GNU_SOURCE /* O_CLOEXEC, MADV_SEQUENTIAL */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_scan.h"
#include "kpi_alloc.h"

#ifdef CSV_PROFILE
#include <stdlib.h>
#include <time.h>
static double prof_now(void)
{
    struct timespec ts;
    clock_gettime(getenv("CSV_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}
#define PROF(label)                                                                                \
    (fprintf(stderr, "%-8s %7.1f ms\n", label, prof_now() - prof_t0), prof_t0 = prof_now())
#else
#define PROF(label) ((void)0)
#endif

#define CSV_MAX_THREADS 64
#define CSV_MIN_CHUNK   (1u << 20) /* below this a chunk is not worth a thread */
#define CSV_BATCH_ROWS  32         /* records whose string lookups overlap (see csv_pending) */
#define CSV_MERGE_AHEAD 16         /* strings whose slots are prefetched ahead when merging */

void csv_options_init(csv_options *o)
{
    memset(o, 0, sizeof *o);
    o->delimiter = ',';
    o->decimal = '.';
    o->header = 1;
}

/* Line and character column of p: newlines before it, then UTF-8 characters since the last one. */
static void locate(const csv_ctx *x, const char *p, long *line, long *col)
{
    long lines = 1;
    const char *line_start = x->text;
    for (const char *q = x->data; (q = memchr(q, '\n', (size_t)(p - q))) != NULL; q++) {
        lines++;
        line_start = q + 1;
    }
    long chars = 1;
    for (const char *q = line_start; q < p; q++)
        chars += ((unsigned char)*q & 0xC0) != 0x80;
    *line = lines;
    *col = chars;
}

static void report(const csv_ctx *x, const csv_fail *f, kpi_error *err)
{
    long line = 0, col = 0;
    if (f->at) locate(x, f->at, &line, &col);
    kpi_error_set(err, f->kind, x->file, line, col, "%s", f->message);
}

static int out_of_memory(const csv_ctx *x, kpi_error *err)
{
    return kpi_error_set(err, KPI_ENOMEM, x->file, 0, 0, "out of memory loading the file");
}

/* Append one column named by a header field (or c<n>); -1 when out of memory. */
static int add_colspec(csv_ctx *x, const char *s, size_t len, int escaped)
{
    csv_colspec *cols = kpi_realloc(x->cols, (x->ncols + 1) * sizeof *cols);
    if (!cols) return -1;
    x->cols = cols;
    char *name = kpi_strndup(s, len);
    if (!name) return -1;
    if (escaped) { /* undo "" in place */
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
            name[n++] = s[i];
            if (s[i] == '"') i++;
        }
        name[n] = '\0';
    }
    cols[x->ncols++] = (csv_colspec){.name = name, .type = COL_STRING};
    return 0;
}

/* A header field as a column name: text, not empty, not seen before. */
static int check_name(const csv_ctx *x, const csv_field *f, kpi_error *err)
{
    csv_fail fail = {0};
    size_t col = x->ncols - 1;
    if (f->len == 0)
        csv_fail_set(&fail, KPI_EDATA, f->start, "column %zu of the header has an empty name",
                     col + 1);
    else if (csv_check_text(x, col, f, &fail) == 0) {
        for (size_t i = 0; i < col; i++) {
            if (strcmp(x->cols[i].name, x->cols[col].name) != 0) continue;
            csv_fail_set(&fail, KPI_EDATA, f->start,
                         "duplicate column name '%s' (columns %zu and %zu of the header)",
                         x->cols[col].name, i + 1, col + 1);
            break;
        }
    }
    if (fail.kind == KPI_OK) return 0;
    report(x, &fail, err);
    return -1;
}

/* Read the first record: the column names (header) or just their number. Sets x->body. */
static int read_header(csv_ctx *x, int header, kpi_error *err)
{
    const char *p = x->text;
    size_t blank;
    while (p < x->end && (blank = csv_blank_line(p, x->end)) > 0)
        p += blank;
    x->body = p;
    if (p == x->end) return 0; /* no records: a table with no columns */
    int rc;
    do {
        csv_field f;
        rc = csv_next_field(&p, x->end, x->delim, &f);
        if (rc >= CSV_EUNTERMINATED) {
            csv_fail fail = {0};
            csv_fail_set(&fail, KPI_EDATA, f.start, "%s",
                         rc == CSV_EUNTERMINATED ? "unterminated quoted field (opened here)"
                                                 : "unexpected character after closing quote");
            report(x, &fail, err);
            return -1;
        }
        char generated[32];
        int n = snprintf(generated, sizeof generated, "c%zu", x->ncols + 1);
        if (header ? add_colspec(x, f.s, f.len, f.escaped)
                   : add_colspec(x, generated, (size_t)n, 0))
            return out_of_memory(x, err);
        if (header && check_name(x, &f, err)) return -1;
    } while (rc == CSV_MORE);
    if (header) x->body = p;
    return 0;
}

/* Apply the declared column types; every declared name must be a column. */
static int apply_declarations(csv_ctx *x, const csv_options *o, kpi_error *err)
{
    for (size_t i = 0; i < o->ncolumns; i++) {
        const column_decl *d = &o->columns[i];
        size_t col = 0;
        while (col < x->ncols && strcmp(x->cols[col].name, d->name) != 0)
            col++;
        if (col == x->ncols) {
            char names[300] = "";
            size_t used = 0;
            for (size_t k = 0; k < x->ncols && used < sizeof names - 1; k++)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "",
                                         x->cols[k].name);
            return kpi_error_set(err, KPI_EUSAGE, x->file, 0, 0,
                                 "declared column '%s' is not in the file (its columns: %s)",
                                 d->name, x->ncols ? names : "none");
        }
        x->cols[col].declared = 1;
        x->cols[col].type = d->type;
        x->cols[col].scale = d->type == COL_DECIMAL ? d->scale : 0;
    }
    return 0;
}

/*
** The worker threads of one load: worker i runs chunk i's part of every pass and lives
** until the chunks' memory is freed. (The test build's allocator tracks blocks per
** thread; a block must be freed while the thread that allocated it is alive.)
*/
typedef struct csv_pool {
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    void (*task)(csv_chunk *);
    unsigned round; /* bumped for each task */
    size_t running; /* workers still at the current task */
    int quit;
    csv_chunk *chunks;
    size_t n;
    pthread_t tid[CSV_MAX_THREADS];
    int started[CSV_MAX_THREADS];
} csv_pool;

typedef struct csv_worker {
    csv_pool *pool;
    size_t index;
} csv_worker;

static void *worker_main(void *arg)
{
    csv_pool *p = ((csv_worker *)arg)->pool;
    size_t i = ((csv_worker *)arg)->index;
    unsigned seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->round == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->lock);
        if (p->quit) break;
        seen = p->round;
        void (*task)(csv_chunk *) = p->task;
        pthread_mutex_unlock(&p->lock);
        task(&p->chunks[i]);
        pthread_mutex_lock(&p->lock);
        if (--p->running == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Start workers for chunks 1..n-1 (chunk 0 is the caller's); a chunk without a thread runs on the
 * caller's. */
static void pool_start(csv_pool *p, csv_worker *workers, csv_chunk *chunks, size_t n)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->chunks = chunks;
    p->n = n;
    for (size_t i = 1; i < n; i++) {
        workers[i] = (csv_worker){.pool = p, .index = i};
        p->started[i] = pthread_create(&p->tid[i], NULL, worker_main, &workers[i]) == 0;
    }
}

/* Run task on every chunk and wait for all of them. */
static void pool_run(csv_pool *p, void (*task)(csv_chunk *))
{
    pthread_mutex_lock(&p->lock);
    p->task = task;
    p->round++;
    p->running = 0;
    for (size_t i = 1; i < p->n; i++)
        p->running += (size_t)p->started[i];
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->lock);
    task(&p->chunks[0]);
    for (size_t i = 1; i < p->n; i++)
        if (!p->started[i]) task(&p->chunks[i]);
    pthread_mutex_lock(&p->lock);
    while (p->running > 0)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

static void pool_stop(csv_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 1; i < p->n; i++)
        if (p->started[i]) pthread_join(p->tid[i], NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
}

static size_t thread_count(const csv_ctx *x, const csv_options *o)
{
    long n = o->threads > 0 ? o->threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t min_chunk = o->min_chunk ? o->min_chunk : CSV_MIN_CHUNK;
    size_t size = (size_t)(x->end - x->body), most = size / min_chunk;
    if (n < 1) n = 1;
    if (n > CSV_MAX_THREADS) n = CSV_MAX_THREADS;
    if ((size_t)n > most) n = most ? (long)most : 1;
    return (size_t)n;
}

/*
** Split the body into n chunks at unit boundaries. Pass 0 counts quotes per nominal
** chunk; the parity before a nominal start says whether it lies inside a quoted field.
*/
static void plan_chunks(const csv_ctx *x, csv_pool *pool, csv_chunk *chunks, size_t n)
{
    size_t size = (size_t)(x->end - x->body);
    for (size_t i = 0; i < n; i++) {
        chunks[i].nominal = x->body + size / n * i;
        chunks[i].nominal_end = i + 1 < n ? x->body + size / n * (i + 1) : x->end;
    }
    if (n > 1) pool_run(pool, csv_chunk_count_quotes);
    size_t quotes = 0;
    chunks[0].start = x->body;
    for (size_t i = 1; i < n; i++) {
        quotes += chunks[i - 1].quotes;
        const char *s = csv_unit_after(chunks[i].nominal, x->end, (int)(quotes & 1));
        chunks[i].start = s > chunks[i - 1].start ? s : chunks[i - 1].start;
    }
    for (size_t i = 0; i < n; i++)
        chunks[i].limit = i + 1 < n ? chunks[i + 1].start : x->end;
}

/*
** Pass 1 on all chunks, then chain them in file order: a chunk that did not start where
** its predecessor stopped is read again from there. Reports the first error in the file.
*/
static int infer_chunks(const csv_ctx *x, csv_pool *pool, csv_chunk *chunks, size_t n,
                        kpi_error *err)
{
    pool_run(pool, csv_chunk_infer);
    const char *expected = x->body;
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        csv_chunk *ch = &chunks[i];
        if (ch->start != expected) {
            ch->start = expected;
            if (ch->limit < expected) ch->limit = expected;
            csv_chunk_infer(ch);
        }
        if (ch->fail.kind != KPI_OK) {
            report(x, &ch->fail, err);
            return -1;
        }
        expected = ch->stop;
        ch->row0 = rows;
        rows += ch->nrows;
    }
    if (rows > TABLE_MAX_ROWS)
        return kpi_error_set(err, KPI_ERANGE, x->file, 0, 0, "too many rows: %zu (at most %u)",
                             rows, TABLE_MAX_ROWS);
    return 0;
}

static size_t type_size(col_type t)
{
    switch (t) {
    case COL_FLOAT64:
        return sizeof(double);
    case COL_DATE:
        return sizeof(int32_t);
    case COL_STRING:
        return sizeof(uint32_t);
    case COL_BOOL:
        return sizeof(uint8_t);
    case COL_INT64:
    case COL_DECIMAL:
    case COL_TIMESTAMP:
        break;
    }
    return sizeof(int64_t);
}

/*
** Add column col of the final table. Its array is left uninitialised: pass 2 writes
** every row, each thread its own range, so fresh pages are first touched in parallel.
*/
static int add_column(csv_ctx *x, size_t col, const csv_colstat *st, size_t nrows)
{
    const csv_colspec *cs = &x->cols[col];
    int scale = cs->scale;
    col_type type = cs->declared ? cs->type : csv_stat_type(st, &scale);
    if (type == COL_DECIMAL && scale < 0) scale = st->scale;
    column *c = table_add_column(x->t, cs->name, type, scale); /* sized for 0 rows */
    if (!c) return -1;
    if (nrows == 0) return 0;
    void *values = kpi_array_alloc(nrows, type_size(type));
    if (!values) return -1;
    kpi_array_free(c->v.ptr);
    c->v.ptr = values;
    size_t nulls = st->empty + (type == COL_STRING ? 0 : st->quoted_empty);
    if (nulls == 0) return 0;
    size_t words = (nrows + 63) / 64;
    if (!(c->valid = kpi_array_alloc(words, sizeof *c->valid))) return -1;
    memset(c->valid, 0xff, words * sizeof *c->valid);
    c->nnull = nulls;
    return 0;
}

static int build_table(csv_ctx *x, const char *name, csv_chunk *chunks, size_t n)
{
    size_t nrows = chunks[n - 1].row0 + chunks[n - 1].nrows;
    if (!(x->t = table_new(name, 0))) return -1;
    for (size_t col = 0; col < x->ncols; col++) {
        csv_colstat st = chunks[0].stats[col];
        for (size_t i = 1; i < n; i++)
            csv_stat_join(&st, &chunks[i].stats[col]);
        if (add_column(x, col, &st, nrows)) return -1;
    }
    x->t->nrows = nrows;
    for (size_t i = 0; i < n; i++) {
        csv_chunk *ch = &chunks[i];
        if (!(ch->maps = kpi_calloc(x->ncols ? x->ncols : 1, sizeof *ch->maps))) return -1;
        ch->own_codes = i > 0;
        ch->pending_cap = CSV_BATCH_ROWS * (x->ncols ? x->ncols : 1);
        if (!(ch->pending = kpi_malloc(ch->pending_cap * sizeof *ch->pending))) return -1;
        for (size_t col = 0; col < x->ncols; col++) {
            column *c = &x->t->cols[col];
            if (c->type == COL_STRING && csv_strmap_init(&ch->maps[col], i == 0 ? c->dict : NULL))
                return -1;
        }
    }
    return 0;
}

/*
** Merge chunk ch's strings of column col into chunk 0's map (which mirrors the column's
** dict), in the chunk's order of first appearance, and rewrite the chunk's codes.
*/
static int merge_strings(const csv_ctx *x, csv_chunk *chunks, csv_chunk *ch, size_t col)
{
    csv_strmap *into = &chunks[0].maps[col], *from = &ch->maps[col];
    uint32_t *remap = kpi_malloc((from->count ? from->count : 1) * sizeof *remap);
    if (!remap) return -1;
    for (uint32_t code = 0; code < from->count; code++) {
        if (code + CSV_MERGE_AHEAD < from->count)
            __builtin_prefetch(csv_strmap_slot(into, from->meta[code + CSV_MERGE_AHEAD].hash));
        const csv_strmeta *m = &from->meta[code];
        remap[code] =
            csv_strmap_intern_hashed(into, from->text[code], m->len, 1, m->hash, m->prefix);
        if (remap[code] == DICT_NONE) {
            kpi_free(remap);
            return -1;
        }
    }
    uint32_t *codes = x->t->cols[col].v.code + ch->row0;
    for (size_t r = 0; r < ch->nrows; r++)
        codes[r] = codes[r] == CSV_NULL_CODE ? 0 : remap[codes[r]];
    kpi_free(remap);
    return 0;
}

static int convert_chunks(csv_ctx *x, csv_pool *pool, csv_chunk *chunks, size_t n, kpi_error *err)
{
    pool_run(pool, csv_chunk_convert);
#ifdef CSV_PROFILE
    double prof_t0 = prof_now();
#endif
    for (size_t i = 0; i < n; i++) {
        if (chunks[i].fail.kind == KPI_OK) continue;
        report(x, &chunks[i].fail, err);
        return -1;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t col = 0; col < x->ncols; col++)
            if (x->t->cols[col].type == COL_STRING && merge_strings(x, chunks, &chunks[i], col))
                return out_of_memory(x, err);
    PROF("merge");
    return 0;
}

static void free_chunks(const csv_ctx *x, csv_chunk *chunks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        csv_chunk *ch = &chunks[i];
        if (ch->maps)
            for (size_t col = 0; col < x->ncols; col++)
                csv_strmap_free(&ch->maps[col]);
        kpi_free(ch->maps);
        kpi_free(ch->pending);
        kpi_free(ch->scratch);
    }
    if (n) kpi_free(chunks[0].stats);
    kpi_free(chunks);
}

static table *load_body(csv_ctx *x, const csv_options *o, const char *name, kpi_error *err)
{
#ifdef CSV_PROFILE
    double prof_t0 = prof_now();
#endif
    size_t n = thread_count(x, o);
    csv_chunk *chunks = kpi_calloc(n, sizeof *chunks);
    /* Two spare entries between chunks keep their counters off each other's cache lines. */
    size_t stride = x->ncols + 2;
    csv_colstat *stats = kpi_calloc(n * stride, sizeof *stats);
    if (!chunks || !stats) {
        kpi_free(chunks);
        kpi_free(stats);
        out_of_memory(x, err);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        chunks[i].ctx = x;
        chunks[i].stats = stats + i * stride;
    }
    csv_pool pool;
    csv_worker workers[CSV_MAX_THREADS];
    pool_start(&pool, workers, chunks, n);
    plan_chunks(x, &pool, chunks, n);
    PROF("plan");
    int rc = infer_chunks(x, &pool, chunks, n, err);
    PROF("pass1");
    if (rc == 0 && (rc = build_table(x, name, chunks, n)) != 0) out_of_memory(x, err);
    PROF("build");
    if (rc == 0) rc = convert_chunks(x, &pool, chunks, n, err);
    PROF("pass2+m");
    free_chunks(x, chunks, n);
    pool_stop(&pool);
    PROF("free");
    if (rc == 0) return x->t;
    table_free(x->t);
    x->t = NULL;
    return NULL;
}

static int check_options(const csv_options *o, const char *file, kpi_error *err)
{
    char d = o->delimiter, m = o->decimal;
    if (d == '"' || d == '\n' || d == '\r' || d == '\0')
        return kpi_error_set(err, KPI_EUSAGE, file, 0, 0,
                             "the delimiter cannot be a quote, a line break or NUL");
    if (m == '\0' || (m >= '0' && m <= '9') || m == '-' || m == '+')
        return kpi_error_set(err, KPI_EUSAGE, file, 0, 0, "'%c' cannot be the decimal mark",
                             m ? m : '0');
    return 0;
}

/* The file's base name without its extension, the default table name. */
static char *default_name(const char *file)
{
    const char *base = file ? strrchr(file, '/') : NULL;
    base = base ? base + 1 : file ? file : "";
    const char *dot = strrchr(base, '.');
    return kpi_strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

table *csv_load_buffer(const char *file, const char *name, const char *data, size_t len,
                       const csv_options *o, kpi_error *err)
{
    csv_options defaults;
    if (!o) {
        csv_options_init(&defaults);
        o = &defaults;
    }
    if (check_options(o, file, err)) return NULL;
    if (!data) data = "";
    csv_ctx x = {.file = file, .data = data, .end = data + len, .text = data};
    x.delim = o->delimiter;
    x.mark = o->decimal;
    x.date_format = o->date_format;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) x.text += 3;
    char *own_name = name ? NULL : default_name(file);
    table *t = NULL;
    if (!name && !own_name)
        out_of_memory(&x, err);
    else if (read_header(&x, o->header != 0, err) == 0 && apply_declarations(&x, o, err) == 0)
        t = load_body(&x, o, name ? name : own_name, err);
    for (size_t i = 0; i < x.ncols; i++)
        kpi_free(x.cols[i].name);
    kpi_free(x.cols);
    kpi_free(own_name);
    return t;
}

table *csv_load(const char *path, const char *name, const csv_options *o, kpi_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kpi_error_set(err, KPI_EIO, path, 0, 0, "cannot open: %s", strerror(errno)), NULL;
    struct stat st;
    int e = fstat(fd, &st) != 0    ? errno
            : S_ISDIR(st.st_mode)  ? EISDIR
            : !S_ISREG(st.st_mode) ? EINVAL
                                   : 0;
    if (e) {
        close(fd);
        return kpi_error_set(err, KPI_EIO, path, 0, 0, "cannot read: %s", strerror(e)), NULL;
    }
    size_t size = (size_t)st.st_size;
    if (size == 0) {
        close(fd);
        return csv_load_buffer(path, name, "", 0, o, err);
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    e = errno;
    close(fd);
    if (map == MAP_FAILED)
        return kpi_error_set(err, KPI_EIO, path, 0, 0, "cannot map: %s", strerror(e)), NULL;
    madvise(map, size, MADV_SEQUENTIAL); /* advice only */
    table *t = csv_load_buffer(path, name, map, size, o, err);
    munmap(map, size);
    return t;
}
