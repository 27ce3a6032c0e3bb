/*
** csv.c -- load a CSV file into a typed table; see csv.h.
**
** This file maps the file, reads the header and plans the chunks (one per thread, split
** at record boundaries, each with a bound of its rows); csv_build.c runs the passes of
** csv_chunk.c on them and builds the table. The pass structure and its invariants are
** described in csv_scan.h.
*/
#define _GNU_SOURCE /* O_CLOEXEC */
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
#include "dict.h"
#include "kpi_alloc.h"

#define CSV_MIN_CHUNK (1u << 20) /* below this a chunk is not worth a thread */

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

void csv_locate_from(const csv_ctx *x, const char **from, long *line, const char **line_start,
                     const char *p, long *col)
{
    (void)x;
    for (const char *q = *from; (q = memchr(q, '\n', (size_t)(p - q))) != NULL; q++) {
        ++*line;
        *line_start = q + 1;
    }
    *from = p;
    long chars = 1;
    for (const char *q = *line_start; q < p; q++)
        chars += ((unsigned char)*q & 0xC0) != 0x80;
    *col = chars;
}

void csv_rejects_free(csv_rejects *r)
{
    if (!r) return;
    kpi_free(r->items);
    r->items = NULL;
    r->nitems = r->count = 0;
}

void csv_report(const csv_ctx *x, const csv_fail *f, kpi_error *err)
{
    long line = 0, col = 0;
    if (f->at) locate(x, f->at, &line, &col);
    kpi_error_set(err, f->kind, x->file, line, col, "%s", f->message);
}

int csv_out_of_memory(const csv_ctx *x, kpi_error *err)
{
    return kpi_error_set(err, KPI_ENOMEM, x->file, 0, 0, "out of memory loading the file");
}

/* Append one column named by a header field (or c<n>); -1 when out of memory. */
static int add_colspec(csv_ctx *x, const char *s, size_t len, int escaped)
{
    /* Grown by doubling from 8 (full at 0 and at each power of two from 8): 100k columns
       would otherwise copy the array 100k times. */
    size_t have = x->ncols;
    if (have == 0 || (have >= 8 && (have & (have - 1)) == 0)) {
        csv_colspec *grown = kpi_realloc(x->cols, (have ? 2 * have : 8) * sizeof *grown);
        if (!grown) return -1;
        x->cols = grown;
    }
    csv_colspec *cols = x->cols;
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

/*
** A header field as a column name: text, not empty, not seen before. `seen` holds the
** names so far, coded in header order: a hash lookup, so 100k columns stay linear.
*/
static int check_name(const csv_ctx *x, const csv_field *f, dict *seen, kpi_error *err)
{
    csv_fail fail = {0};
    size_t col = x->ncols - 1;
    if (f->len == 0)
        csv_fail_set(&fail, KPI_EDATA, f->start, "column %zu of the header has an empty name",
                     col + 1);
    else if (csv_check_text(x, col, f, &fail) == 0) {
        const char *name = x->cols[col].name;
        uint32_t first = dict_intern(seen, name, strlen(name));
        if (first == DICT_NONE) return csv_out_of_memory(x, err);
        if (first != col)
            csv_fail_set(&fail, KPI_EDATA, f->start,
                         "duplicate column name '%s' (columns %zu and %zu of the header)", name,
                         (size_t)first + 1, col + 1);
    }
    if (fail.kind == KPI_OK) return 0;
    csv_report(x, &fail, err);
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
    dict *seen = header ? dict_new() : NULL;
    if (header && !seen) return csv_out_of_memory(x, err);
    int rc, failed = 0;
    do {
        csv_field f;
        rc = csv_next_field(&p, x->end, x->delim, &f);
        if (rc >= CSV_EUNTERMINATED) {
            csv_fail fail = {0};
            csv_fail_set(&fail, KPI_EDATA, f.start, "%s",
                         rc == CSV_EUNTERMINATED ? "unterminated quoted field (opened here)"
                                                 : "unexpected character after closing quote");
            csv_report(x, &fail, err);
            failed = -1;
            break;
        }
        char generated[32];
        int n = snprintf(generated, sizeof generated, "c%zu", x->ncols + 1);
        if (header ? add_colspec(x, f.s, f.len, f.escaped)
                   : add_colspec(x, generated, (size_t)n, 0))
            failed = csv_out_of_memory(x, err);
        else if (header)
            failed = check_name(x, &f, seen, err);
    } while (rc == CSV_MORE && !failed);
    dict_free(seen);
    if (failed) return -1;
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
    if (o->keep)
        for (size_t col = 0; col < x->ncols; col++)
            x->cols[col].skip = !o->keep(x->cols[col].name, o->keep_arg);
    return 0;
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
** Line feeds in [body, p), from the counts of the nominal chunks before p and a count
** from the last of them to p. The last nominal chunk has no count: a p inside it is a
** chunk start near its beginning, or the end after a record that ran over all of it.
*/
static size_t newlines_before(const csv_chunk *chunks, size_t n, const char *p)
{
    size_t total = 0, j = 0;
    while (j + 1 < n && chunks[j + 1].nominal <= p)
        total += chunks[j++].newlines;
    return total + csv_count_newlines(chunks[j].nominal, p);
}

/*
** Split the body into n chunks at unit boundaries. The count pass gives the quote
** parity before each nominal start (whether it lies inside a quoted field) and the line
** feeds, which bound the records of a chunk: each of its units ends at one of its line
** feeds, but for a last record without one at the end of the file. The last chunk is
** not counted (see csv_scan.h): a one-pass record holds ncols fields, so ncols bytes
** with its line feed, and a record that breaks the bound fails the pass anyway.
*/
static void plan_chunks(const csv_ctx *x, csv_pool *pool, csv_chunk *chunks, size_t n)
{
    size_t size = (size_t)(x->end - x->body);
    for (size_t i = 0; i < n; i++) {
        chunks[i].nominal = x->body + size / n * i;
        chunks[i].nominal_end = i + 1 < n ? x->body + size / n * (i + 1) : x->end;
    }
    if (n > 1) csv_pool_run(pool, csv_chunk_count);
    for (size_t i = 0; i + 1 < n; i++) {
        chunks[i].quotes = chunks[i].newlines = 0;
        for (size_t k = 0; k < n; k++) {
            chunks[i].quotes += chunks[k].counted[2 * i];
            chunks[i].newlines += chunks[k].counted[2 * i + 1];
        }
    }
    size_t quotes = 0;
    chunks[0].start = x->body;
    for (size_t i = 1; i < n; i++) {
        quotes += chunks[i - 1].quotes;
        const char *s = csv_unit_after(chunks[i].nominal, x->end, (int)(quotes & 1));
        chunks[i].start = s > chunks[i - 1].start ? s : chunks[i - 1].start;
    }
    size_t before = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        const char *start = chunks[i].start, *limit = chunks[i + 1].start;
        size_t upto = newlines_before(chunks, n, limit);
        /* Exact for well-formed chunks: a wrong bound only means they did not chain. */
        chunks[i].limit = limit;
        chunks[i].cap = upto - before + (limit > start && limit[-1] != '\n');
        before = upto;
    }
    csv_chunk *last = &chunks[n - 1];
    last->limit = x->end;
    last->cap = (size_t)(x->end - last->start) / (x->ncols > 1 ? x->ncols : 1) + 1;
}

static table *load_body(csv_ctx *x, const csv_options *o, const char *name, kpi_error *err)
{
    size_t n = thread_count(x, o), ncols = x->ncols ? x->ncols : 1;
    csv_chunk *chunks = kpi_calloc(n, sizeof *chunks);
    /* Spare entries between chunks keep their counters off each other's cache lines. */
    size_t stride = ncols + 2;
    csv_colstat *stats = kpi_calloc(n * stride, sizeof *stats);
    csv_colwork *work = kpi_calloc(n * stride, sizeof *work);
    csv_colsample *sample = kpi_calloc(n * stride, sizeof *sample);
    size_t *counted = kpi_calloc(n * 2 * n, sizeof *counted);
    csv_pool *pool = chunks ? csv_pool_start(chunks, n) : NULL;
    table *t = NULL;
    if (chunks && stats && work && sample && counted && pool) {
        for (size_t i = 0; i < n; i++) {
            chunks[i].ctx = x;
            chunks[i].stats = stats + i * stride;
            chunks[i].work = work + i * stride;
            chunks[i].sample = sample + i * stride;
            chunks[i].counted = counted + i * 2 * n;
            chunks[i].done = 0;
        }
        x->chunks = chunks;
        x->nchunks = n;
        plan_chunks(x, pool, chunks, n);
        t = csv_build(x, pool, chunks, n, name, err);
    } else {
        csv_out_of_memory(x, err);
    }
    if (pool) csv_pool_stop(pool);
    kpi_free(work);
    kpi_free(sample);
    kpi_free(counted);
    kpi_free(stats);
    kpi_free(chunks);
    return t;
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
    if (o->skip_bad_rows && !o->rejects)
        return kpi_error_set(err, KPI_EUSAGE, file, 0, 0,
                             "skipping bad rows needs a place to count them");
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

/* Load the text data[0..len); fd >= 0: the text is that file's, mapped, which the passes
 * over every byte read through a small buffer instead. */
static table *load_text(const char *file, const char *name, const char *data, size_t len, int fd,
                        const csv_options *o, kpi_error *err)
{
    csv_options defaults;
    if (!o) {
        csv_options_init(&defaults);
        o = &defaults;
    }
    if (check_options(o, file, err)) return NULL;
    if (!data) data = "";
    csv_ctx x = {.file = file, .data = data, .end = data + len, .text = data, .fd = fd};
    x.delim = o->delimiter;
    x.mark = o->decimal;
    x.date_format = o->date_format;
    x.skip_bad_rows = o->skip_bad_rows;
    x.rejects = o->rejects;
    x.read_twice = o->read_twice;
    if (o->read_twice) *o->read_twice = 0;
    if (o->rejects) memset(o->rejects, 0, sizeof *o->rejects);
    if (fd >= 0) { /* a file: worth telling how far along it is */
        x.progress = o->progress;
        x.progress_arg = o->progress_arg;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) x.text += 3;
    char *own_name = name ? NULL : default_name(file);
    table *t = NULL;
    if (!name && !own_name)
        csv_out_of_memory(&x, err);
    else if (read_header(&x, o->header != 0, err) == 0 && apply_declarations(&x, o, err) == 0)
        t = load_body(&x, o, name ? name : own_name, err);
    if (x.progress) x.progress(1.0, x.progress_arg);
    for (size_t i = 0; i < x.ncols; i++)
        kpi_free(x.cols[i].name);
    kpi_free(x.cols);
    kpi_free(own_name);
    return t;
}

table *csv_load_buffer(const char *file, const char *name, const char *data, size_t len,
                       const csv_options *o, kpi_error *err)
{
    return load_text(file, name, data, len, -1, o, err);
}

/*
** A file is mapped, so that any byte can be reached (the header, samples, error
** positions, the two-pass load), but the passes over all of it read it with pread into
** a buffer that stays in cache: touching every page of a mapping costs more than the
** copy (csv_chunk.c).
*/
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
    if (map == MAP_FAILED) {
        e = errno;
        close(fd);
        return kpi_error_set(err, KPI_EIO, path, 0, 0, "cannot map: %s", strerror(e)), NULL;
    }
    table *t = load_text(path, name, map, size, fd, o, err);
    munmap(map, size);
    close(fd);
    return t;
}
