/*
** colcache.c -- the binary column cache; see colcache.h for the format and its rules.
**
** Layout of a file:
**   file_header | schema | real path | table name | pad to 8 | dir_entry[ncols] |
**   column names (each NUL-terminated) | pad to 4096 | sections, each 64-byte aligned
** A string column's sections are its values (codes), bitmap, then its dictionary image:
** lengths (uint32), offsets (uint64), the strings (NUL-terminated) and the hash table.
** The writer lays out the data first and writes the header and directory last (pwrite at
** 0), when the checksums are known. Readers take any data start from the end of the
** directory on, 64-byte aligned (the writer's 4096 is for O_DIRECT, see below).
*/
#define _GNU_SOURCE /* st_mtim, realpath, mkstemp */
#include "colcache.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kpi_alloc.h"

#define ALIGN 64

typedef struct file_header {
    char magic[8]; /* "KPICOL" */
    uint32_t version;
    uint32_t ncols;
    uint64_t layout; /* dict_image_layout() of the writer */
    int64_t source_size;
    int64_t source_mtime_ns;
    uint64_t nrows;
    int32_t time_col;
    uint32_t time_sorted;
    uint32_t schema_len, path_len, name_len, names_len;
    uint64_t meta_bytes; /* header, strings, directory, names: what meta_sum covers */
    uint64_t file_bytes;
    uint64_t meta_sum; /* computed with this field zero */
} file_header;

typedef struct section {
    uint64_t off, len;
} section;

enum { SEC_VALUES, SEC_VALID, SEC_LENS, SEC_OFFS, SEC_BYTES, SEC_TABLE, NSECTIONS };

typedef struct dir_entry {
    uint32_t type;
    int32_t scale;
    uint64_t nnull;
    uint32_t absent;
    uint32_t dict_count;
    uint32_t name_len;
    uint32_t code_bytes; /* STRING: 0 (uint32 codes), 1 or 2 (narrow codes) */
    section sec[NSECTIONS];
    uint64_t dict_sum; /* over the dictionary sections */
    uint64_t data_sum; /* over the values and the bitmap */
} dir_entry;

/* The layout is the file format: no padding may creep in. */
_Static_assert(sizeof(file_header) == 96, "file_header is 96 bytes");
_Static_assert(sizeof(dir_entry) == 144, "dir_entry is 144 bytes");

static const char magic[8] = "KPICOL";
static const size_t type_sizes[] = {8, 8, 8, 4, 8, 4, 1}; /* by col_type, as in table.c */

/* Bytes per value: narrow string codes are code_bytes wide. */
static uint64_t value_bytes(uint32_t type, uint32_t code_bytes)
{
    return code_bytes ? code_bytes : type_sizes[type];
}

static int little_endian(void)
{
    return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
}

static uint64_t align_up(uint64_t n, uint64_t a)
{
    return (n + a - 1) & ~(a - 1);
}

/* One step of a lane: a bijection of h ^ w, so a changed word always changes the lane. */
static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

uint64_t colcache_checksum(uint64_t seed, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h0 = seed ^ 0x243F6A8885A308D3ull, h1 = seed ^ 0x13198A2E03707344ull;
    uint64_t h2 = seed ^ 0xA4093822299F31D0ull, h3 = seed ^ 0x082EFA98EC4E6C89ull;
    uint64_t w[4];
    size_t i = 0;
    /* Four independent lanes: one multiply chain would be latency-bound. */
    for (; i + 32 <= n; i += 32) {
        memcpy(w, b + i, 32);
        h0 = mix(h0, w[0]);
        h1 = mix(h1, w[1]);
        h2 = mix(h2, w[2]);
        h3 = mix(h3, w[3]);
    }
    memset(w, 0, sizeof w);
    if (n > i) memcpy(w, b + i, n - i); /* b may be NULL when n is 0 */
    h0 = mix(h0, w[0]);
    h1 = mix(h1, w[1]);
    h2 = mix(h2, w[2]);
    h3 = mix(h3, w[3]);
    uint64_t h = mix(mix(mix(mix(h0, h1), h2), h3), (uint64_t)n);
    return mix(h, h >> 17);
}

int colcache_stamp_of(const char *path, colcache_stamp *st, kpi_error *err)
{
    struct stat s;
    if (stat(path, &s) != 0)
        return kpi_error_set(err, KPI_EIO, path, 0, 0, "cannot stat: %s", strerror(errno));
    st->size = (int64_t)s.st_size;
    st->mtime_ns = (int64_t)s.st_mtim.tv_sec * 1000000000 + s.st_mtim.tv_nsec;
    return 0;
}

/* FNV-1a: fixed forever, since it names the files older runs wrote. */
static uint64_t path_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

int colcache_path(const char *dir, const colcache_key *k, char *out, size_t size, kpi_error *err)
{
    char real[PATH_MAX];
    if (!realpath(k->source_path, real))
        return kpi_error_set(err, KPI_EIO, k->source_path, 0, 0, "cannot resolve the path: %s",
                             strerror(errno));
    int n = snprintf(out, size, "%s/%016llx.kcol", dir, (unsigned long long)path_hash(real));
    if (n < 0 || (size_t)n >= size)
        return kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "cache path too long under '%s'", dir);
    return 0;
}

/* ---- loading ---- */

typedef struct image {
    const char *cache_file;
    unsigned char *base;
    size_t size;
    file_header h;
    const char *schema, *path, *name, *names;
    const dir_entry *dir;
} image;

/* A miss that removes the file (stale or corrupt): the caller rebuilds it. */
static int reject(const image *im, const char *reason, const char **why)
{
    if (why) *why = reason;
    unlink(im->cache_file);
    return 0;
}

/* Check the header and directory bytes; 1 ok, 0 with *why a reason to reject. */
static int check_meta(image *im, const char **why)
{
    file_header *h = &im->h;
    memcpy(h, im->base, sizeof *h);
    if (memcmp(h->magic, magic, sizeof magic) != 0) return *why = "corrupt: bad magic", 0;
    if (h->version != COLCACHE_VERSION) return *why = "corrupt: unknown version", 0;
    if (h->file_bytes != im->size) return *why = "corrupt: truncated", 0;
    if (h->nrows > TABLE_MAX_ROWS) return *why = "corrupt: bad header", 0;
    uint64_t strings = (uint64_t)h->schema_len + h->path_len + h->name_len;
    uint64_t dir_at = align_up(sizeof *h + strings, 8);
    if (dir_at > im->size || h->ncols > (im->size - dir_at) / sizeof(dir_entry) ||
        h->meta_bytes > im->size ||
        dir_at + h->ncols * sizeof(dir_entry) + h->names_len != h->meta_bytes)
        return *why = "corrupt: bad header", 0;
    file_header zeroed = *h;
    zeroed.meta_sum = 0;
    uint64_t sum = colcache_checksum(0, &zeroed, sizeof zeroed);
    sum = colcache_checksum(sum, im->base + sizeof *h, h->meta_bytes - sizeof *h);
    if (sum != h->meta_sum) return *why = "corrupt: header checksum", 0;
    im->schema = (const char *)im->base + sizeof *h;
    im->path = im->schema + h->schema_len;
    im->name = im->path + h->path_len;
    im->dir = (const dir_entry *)(im->base + dir_at);
    im->names = (const char *)(im->dir + h->ncols);
    return 1;
}

static int same_text(const char *stored, uint32_t len, const char *s)
{
    return strlen(s) == len && memcmp(stored, s, len) == 0;
}

/* Whether the key still matches; 1 ok, 0 with *why. */
static int check_key(const image *im, const colcache_key *k, const char **why)
{
    char real[PATH_MAX];
    colcache_stamp st = {0, 0};
    if (!realpath(k->source_path, real) || colcache_stamp_of(real, &st, NULL) != 0)
        return *why = "stale: data file missing", 0;
    if (!same_text(im->path, im->h.path_len, real)) return *why = "stale: another data file", 0;
    if (st.size != im->h.source_size || st.mtime_ns != im->h.source_mtime_ns)
        return *why = "stale: file changed", 0;
    if (!same_text(im->schema, im->h.schema_len, k->schema ? k->schema : ""))
        return *why = "stale: schema changed", 0;
    if (im->h.layout != dict_image_layout()) return *why = "stale: dictionary layout changed", 0;
    return 1;
}

/* Whether a section lies in the data area, aligned, with the expected length. */
static int section_ok(const image *im, const section *s, uint64_t len)
{
    uint64_t data_at = align_up(im->h.meta_bytes, ALIGN);
    if (s->len != len) return 0;
    if (len == 0) return 1;
    return s->off % ALIGN == 0 && s->off >= data_at && s->off <= im->size &&
           len <= im->size - s->off;
}

/* Check one directory entry's sections against nrows and its type. */
static int entry_ok(const image *im, const dir_entry *e)
{
    uint64_t n = im->h.nrows, words = (n + 63) / 64;
    if (e->type > COL_BOOL || e->scale < 0 || e->scale > DECIMAL_MAX_SCALE || e->nnull > n)
        return 0;
    int str = e->type == COL_STRING;
    /* Narrow codes must be able to hold every code of the dictionary. */
    if ((!str && e->code_bytes) || (str && e->code_bytes > 2) ||
        (e->code_bytes == 1 && e->dict_count > 256) ||
        (e->code_bytes == 2 && e->dict_count > 65536))
        return 0;
    if (e->absent) {
        for (int s = 0; s < NSECTIONS; s++)
            if (e->sec[s].len) return 0;
        return e->nnull == 0 && e->dict_count == 0;
    }
    if (!section_ok(im, &e->sec[SEC_VALUES], n * value_bytes(e->type, e->code_bytes))) return 0;
    if (!section_ok(im, &e->sec[SEC_VALID], e->sec[SEC_VALID].len ? words * 8 : 0) ||
        (!e->sec[SEC_VALID].len && e->nnull))
        return 0;
    uint64_t count = str ? e->dict_count : 0;
    if (!str && e->dict_count) return 0;
    if (!section_ok(im, &e->sec[SEC_LENS], count * 4) ||
        !section_ok(im, &e->sec[SEC_OFFS], count * 8) ||
        !section_ok(im, &e->sec[SEC_BYTES], e->sec[SEC_BYTES].len) ||
        !section_ok(im, &e->sec[SEC_TABLE], e->sec[SEC_TABLE].len))
        return 0;
    return !str || dict_image_check(e->dict_count, e->sec[SEC_TABLE].len) == 0;
}

static uint64_t sections_sum(const image *im, const dir_entry *e, int from, int to)
{
    uint64_t sum = 0;
    for (int s = from; s < to; s++)
        sum = colcache_checksum(sum, im->base + e->sec[s].off, e->sec[s].len);
    return sum;
}

/* Check the directory, names and (per flags) the checksums of the data; 1 ok, 0 + *why. */
static int check_columns(const image *im, int flags, const char **why)
{
    const char *name = im->names, *end = im->names + im->h.names_len;
    for (uint32_t i = 0; i < im->h.ncols; i++) {
        const dir_entry *e = &im->dir[i];
        if (e->name_len >= (size_t)(end - name) || memchr(name, 0, e->name_len) ||
            name[e->name_len] != '\0')
            return *why = "corrupt: column names", 0;
        name += e->name_len + 1;
        if (!entry_ok(im, e)) return *why = "corrupt: offsets out of range", 0;
    }
    int32_t tc = im->h.time_col;
    if (tc < -1 || tc >= (int64_t)im->h.ncols ||
        (tc >= 0 && im->dir[tc].type != COL_DATE && im->dir[tc].type != COL_TIMESTAMP))
        return *why = "corrupt: time column", 0;
    for (uint32_t i = 0; i < im->h.ncols && (flags & COLCACHE_VERIFY_DATA); i++) {
        const dir_entry *e = &im->dir[i];
        if (e->absent) continue;
        if (sections_sum(im, e, SEC_VALUES, SEC_LENS) != e->data_sum)
            return *why = "corrupt: data checksum", 0;
        if (e->type == COL_STRING && sections_sum(im, e, SEC_LENS, NSECTIONS) != e->dict_sum)
            return *why = "corrupt: dictionary checksum", 0;
    }
    return 1;
}

static void *at(const image *im, const section *s)
{
    return im->base + (s->len ? s->off : 0); /* never one past the end: see column_array_free */
}

/* Point column c into the image per entry e; -1 when out of memory. */
static int fill_column(const image *im, const dir_entry *e, const char *name, column *c)
{
    c->name = kpi_strndup(name, e->name_len);
    if (!c->name) return -1;
    c->type = (col_type)e->type;
    c->scale = e->scale;
    c->absent = (int)e->absent;
    if (e->absent) return 0;
    c->code_bytes = (int)e->code_bytes;
    c->nnull = (size_t)e->nnull;
    c->v.ptr = at(im, &e->sec[SEC_VALUES]);
    c->valid = e->sec[SEC_VALID].len ? at(im, &e->sec[SEC_VALID]) : NULL;
    if (c->type == COL_STRING) {
        c->dict = dict_from_image(e->dict_count, at(im, &e->sec[SEC_BYTES]), e->sec[SEC_BYTES].len,
                                  at(im, &e->sec[SEC_OFFS]), at(im, &e->sec[SEC_LENS]),
                                  at(im, &e->sec[SEC_TABLE]), e->sec[SEC_TABLE].len);
        if (!c->dict) return kpi_free(c->name), -1; /* not counted in ncols yet */
    }
    return 0;
}

/* The table over the image; on success the columns own the mapping. NULL when out of memory. */
static table *build_table(image *im)
{
    table_mapping *m = table_mapping_new(im->base, im->size);
    table *t = m ? kpi_calloc(1, sizeof *t) : NULL; /* not table_new: no arrays to allocate */
    if (t) {
        t->name = kpi_strndup(im->name, im->h.name_len);
        t->cols = kpi_calloc(im->h.ncols ? im->h.ncols : 1, sizeof *t->cols);
        t->nrows = (size_t)im->h.nrows;
        t->time_col = im->h.time_col;
        t->time_sorted = (int)im->h.time_sorted;
    }
    if (!t || !t->name || !t->cols) goto fail;
    const char *name = im->names;
    for (uint32_t i = 0; i < im->h.ncols; i++) {
        column *c = &t->cols[i];
        if (fill_column(im, &im->dir[i], name, c) != 0) goto fail;
        if (c->v.ptr) {
            c->mapping = m;
            table_mapping_retain(m);
        }
        t->ncols++;
        name += im->dir[i].name_len + 1;
    }
    if (m->refs == 0) { /* no column borrows anything */
        munmap(im->base, im->size);
        kpi_free(m);
    }
    return t;
fail:;
    int held = m && m->refs > 0; /* then the last column table_free releases unmaps */
    if (m && !held) kpi_free(m);
    table_free(t);
    if (!held) munmap(im->base, im->size);
    return NULL;
}

/* Open and map the file; 1 mapped, 0 a miss with *why, never an error. */
static int map_file(image *im, const char **why)
{
    int fd = open(im->cache_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return *why = errno == ENOENT ? "no cache file" : "unreadable", 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return *why = "not a regular file", 0;
    }
    im->size = (size_t)st.st_size;
    if (im->size < sizeof(file_header)) {
        close(fd);
        return reject(im, "corrupt: truncated", why);
    }
    /* Private and writable: code that writes a column in place gets its own copy of the page. */
    void *p = mmap(NULL, im->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return *why = "unreadable", 0;
    im->base = p;
    return 1;
}

int colcache_load(const char *cache_file, const colcache_key *k, int flags, table **out,
                  const char **why, kpi_error *err)
{
    const char *reason = NULL;
    image im = {.cache_file = cache_file};
    *out = NULL;
    if (!why) why = &reason;
    if (!little_endian()) return *why = "unsupported: big-endian host", 0;
    if (!map_file(&im, why)) return 0;
    if (!check_meta(&im, why) || !check_key(&im, k, why) || !check_columns(&im, flags, why)) {
        munmap(im.base, im.size);
        return reject(&im, *why, why);
    }
    *out = build_table(&im);
    if (!*out) return kpi_error_set(err, KPI_ENOMEM, cache_file, 0, 0, "out of memory");
    return 1;
}

/* ---- saving ---- */

/*
** The data area is written through a staging buffer, STAGE_BYTES at a time, with O_DIRECT
** when the file system takes it: the bytes go from the buffer to the disk without
** filling page-cache pages first. On the virtual machines the benchmark runs on, the
** first touch of a fresh page is what costs (about 2 s per GB, against 0.1 s to copy);
** filling 500 MB of page cache made a cold 10M-order run 0.5-1 s slower, while the run
** after it, which now reads from the disk the pages its KPIs touch (the loader maps the
** file without read-ahead advice), takes 0.25 s instead of 0.14 s. The direct writes need
** block-aligned offsets and lengths: the data area starts at a DIRECT_ALIGN boundary and
** its last block is padded, then cut back with ftruncate. The header goes through the
** page cache, last.
*/
#define DIRECT_ALIGN 4096
#define STAGE_BYTES  ((4u << 20) - DIRECT_ALIGN) /* with the slack for alignment: two huge pages */

typedef struct writer {
    int fd;               /* the temporary file */
    int direct_fd;        /* the same file opened with O_DIRECT, -1 when not possible */
    unsigned char *stage; /* the data area's bytes from stage_at, DIRECT_ALIGN aligned */
    size_t fill;          /* bytes in stage */
    uint64_t stage_at;    /* file offset of stage[0] */
    int err;              /* errno of the first failure, 0 = none */
} writer;

/* pwrite all of p at off into fd; 0 or an errno value. */
static int write_at(int fd, const void *p, size_t n, uint64_t off)
{
    const char *b = p;
    while (n) {
        ssize_t k = pwrite(fd, b, n, (off_t)off);
        if (k <= 0) {
            if (k < 0 && errno == EINTR) continue;
            return k < 0 ? errno : EIO;
        }
        b += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return 0;
}

/* Write the staged bytes; a short last block is padded with zeros for O_DIRECT. */
static void w_flush(writer *w)
{
    if (w->err || !w->fill) return;
    size_t n = w->fill;
    if (w->direct_fd >= 0) {
        size_t padded = (size_t)align_up(n, DIRECT_ALIGN);
        memset(w->stage + n, 0, padded - n);
        int e = write_at(w->direct_fd, w->stage, padded, w->stage_at);
        if (e == EINVAL) { /* alignment the device does not take: go on buffered */
            close(w->direct_fd);
            w->direct_fd = -1;
        } else {
            w->err = e;
        }
    }
    if (w->direct_fd < 0 && !w->err) w->err = write_at(w->fd, w->stage, n, w->stage_at);
    w->stage_at += n;
    w->fill = 0;
}

/* Append n bytes of p (zeros when p is NULL) to the data area. */
static void w_put(writer *w, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n && !w->err) {
        size_t k = STAGE_BYTES - w->fill < n ? STAGE_BYTES - w->fill : n;
        if (b) {
            memcpy(w->stage + w->fill, b, k);
            b += k;
        } else {
            memset(w->stage + w->fill, 0, k);
        }
        w->fill += k;
        n -= k;
        if (w->fill == STAGE_BYTES) w_flush(w);
    }
}

static uint64_t w_pos(const writer *w)
{
    return w->stage_at + w->fill;
}

/* Write one section at the next aligned position and chain it into *sum (as the loader does). */
static void w_section(writer *w, section *s, const void *p, size_t n, uint64_t *sum)
{
    if (n) w_put(w, NULL, (size_t)(align_up(w_pos(w), ALIGN) - w_pos(w)));
    s->off = n ? w_pos(w) : 0;
    s->len = n;
    *sum = colcache_checksum(*sum, p, n);
    w_put(w, p, n);
}

/* The dictionary image of d: lengths, offsets, strings, hash table. -1 when out of memory. */
static int write_dict(writer *w, const dict *d, dir_entry *e)
{
    uint32_t n = dict_count(d);
    size_t total = 0, table_bytes, at = 0;
    for (uint32_t i = 0; i < n; i++)
        total += dict_len(d, i) + 1;
    uint32_t *lens = kpi_array_alloc(n ? n : 1, sizeof *lens);
    uint64_t *offs = kpi_array_alloc(n ? n : 1, sizeof *offs);
    char *bytes = kpi_array_alloc(total ? total : 1, 1);
    if (lens && offs && bytes) {
        for (uint32_t i = 0; i < n; i++) {
            lens[i] = (uint32_t)dict_len(d, i);
            offs[i] = at;
            memcpy(bytes + at, dict_str(d, i), lens[i] + 1); /* with its NUL */
            at += lens[i] + 1;
        }
        const void *tab = dict_image_table(d, &table_bytes);
        e->dict_count = n;
        w_section(w, &e->sec[SEC_LENS], lens, (size_t)n * sizeof *lens, &e->dict_sum);
        w_section(w, &e->sec[SEC_OFFS], offs, (size_t)n * sizeof *offs, &e->dict_sum);
        w_section(w, &e->sec[SEC_BYTES], bytes, total, &e->dict_sum);
        w_section(w, &e->sec[SEC_TABLE], tab, table_bytes, &e->dict_sum);
    }
    int ok = lens && offs && bytes;
    kpi_array_free(lens);
    kpi_array_free(offs);
    kpi_array_free(bytes);
    return ok ? 0 : -1;
}

static int write_column(writer *w, const table *t, const column *c, dir_entry *e)
{
    e->type = (uint32_t)c->type;
    e->scale = c->scale;
    e->name_len = (uint32_t)strlen(c->name);
    e->absent = c->absent ? 1 : 0;
    if (c->absent) return 0;
    e->nnull = c->nnull;
    size_t words = (t->nrows + 63) / 64;
    e->code_bytes = c->type == COL_STRING ? (uint32_t)c->code_bytes : 0;
    w_section(w, &e->sec[SEC_VALUES], c->v.ptr, t->nrows * value_bytes(e->type, e->code_bytes),
              &e->data_sum);
    w_section(w, &e->sec[SEC_VALID], c->valid, c->valid ? words * 8 : 0, &e->data_sum);
    if (c->type != COL_STRING) return 0;
    return write_dict(w, c->dict, e);
}

/* Header, strings, directory and names, with the header checksum; NULL when out of memory. */
static unsigned char *build_meta(const table *t, const colcache_key *k, const char *real,
                                 const dir_entry *dir, file_header *h)
{
    const char *strs[3] = {k->schema ? k->schema : "", real, t->name ? t->name : ""};
    size_t at = sizeof *h,
           dir_at = align_up(sizeof *h + h->schema_len + h->path_len + h->name_len, 8);
    unsigned char *meta = kpi_calloc(1, (size_t)h->meta_bytes);
    if (!meta) return NULL;
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(strs[i]);
        memcpy(meta + at, strs[i], n);
        at += n;
    }
    memcpy(meta + dir_at, dir, t->ncols * sizeof *dir);
    at = dir_at + t->ncols * sizeof *dir;
    for (size_t i = 0; i < t->ncols; i++) {
        memcpy(meta + at, t->cols[i].name, dir[i].name_len + 1);
        at += dir[i].name_len + 1;
    }
    h->meta_sum = 0;
    memcpy(meta, h, sizeof *h);
    uint64_t sum = colcache_checksum(0, h, sizeof *h);
    h->meta_sum = colcache_checksum(sum, meta + sizeof *h, (size_t)h->meta_bytes - sizeof *h);
    memcpy(meta, h, sizeof *h);
    return meta;
}

/* The header of t for key k; -1 when a length does not fit the format. */
static int fill_header(const table *t, const colcache_key *k, const char *real,
                       const colcache_stamp *st, file_header *h)
{
    size_t lens[3] = {strlen(k->schema ? k->schema : ""), strlen(real),
                      strlen(t->name ? t->name : "")};
    size_t names = 0;
    for (size_t i = 0; i < t->ncols; i++)
        names += strlen(t->cols[i].name) + 1;
    if (lens[0] > UINT32_MAX || lens[2] > UINT32_MAX || names > UINT32_MAX ||
        t->ncols > UINT32_MAX / sizeof(dir_entry) || t->time_col >= (int)t->ncols)
        return -1;
    memset(h, 0, sizeof *h);
    memcpy(h->magic, magic, sizeof magic);
    h->version = COLCACHE_VERSION;
    h->ncols = (uint32_t)t->ncols;
    h->layout = dict_image_layout();
    h->source_size = st->size;
    h->source_mtime_ns = st->mtime_ns;
    h->nrows = t->nrows;
    h->time_col = t->time_col;
    h->time_sorted = t->time_sorted ? 1 : 0;
    h->schema_len = (uint32_t)lens[0];
    h->path_len = (uint32_t)lens[1];
    h->name_len = (uint32_t)lens[2];
    h->names_len = (uint32_t)names;
    h->meta_bytes =
        align_up(sizeof *h + lens[0] + lens[1] + lens[2], 8) + t->ncols * sizeof(dir_entry) + names;
    return 0;
}

/* Create the directories leading to path (not path itself). */
static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    if (strlen(path) >= sizeof buf) return errno = ENAMETOOLONG, -1;
    strcpy(buf, path);
    for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return 0;
}

/* Write the columns and then the header into fd (the file tmp); 0, or an errno value. */
static int write_all(int fd, const char *tmp, const table *t, const colcache_key *k,
                     const char *real, file_header *h)
{
    dir_entry *dir = kpi_calloc(t->ncols ? t->ncols : 1, sizeof *dir);
    unsigned char *buf = kpi_array_alloc(STAGE_BYTES + DIRECT_ALIGN, 1);
    if (!dir || !buf) {
        kpi_free(dir);
        kpi_array_free(buf);
        return ENOMEM;
    }
    writer w = {.fd = fd,
                .direct_fd = open(tmp, O_WRONLY | O_DIRECT | O_CLOEXEC),
                .stage = (unsigned char *)align_up((uintptr_t)buf, DIRECT_ALIGN),
                .stage_at = align_up(h->meta_bytes, DIRECT_ALIGN)};
    for (size_t i = 0; i < t->ncols && !w.err; i++)
        if (write_column(&w, t, &t->cols[i], &dir[i]) != 0) w.err = ENOMEM;
    uint64_t end = w_pos(&w);
    w_flush(&w);
    if (w.direct_fd >= 0) close(w.direct_fd);
    kpi_array_free(buf);
    h->file_bytes = end > h->meta_bytes ? end : h->meta_bytes;
    if (!w.err && ftruncate(fd, (off_t)h->file_bytes) != 0) w.err = errno; /* the padding */
    unsigned char *meta = w.err ? NULL : build_meta(t, k, real, dir, h);
    if (!w.err && !meta) w.err = ENOMEM;
    if (meta) w.err = write_at(fd, meta, (size_t)h->meta_bytes, 0);
    kpi_free(meta);
    kpi_free(dir);
    return w.err;
}

/*
** Remove the temporary files an earlier save of cache_file left behind (a run killed
** while it wrote). A file still being written is younger: its writes keep its time new.
*/
static void remove_orphans(const char *cache_file)
{
    char pattern[PATH_MAX];
    glob_t g;
    int n = snprintf(pattern, sizeof pattern, "%s.tmp-*", cache_file);
    if (n < 0 || (size_t)n >= sizeof pattern || glob(pattern, GLOB_NOSORT, NULL, &g) != 0) return;
    time_t now = time(NULL);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct stat st;
        if (lstat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode) &&
            now - st.st_mtime > COLCACHE_ORPHAN_SECONDS)
            unlink(g.gl_pathv[i]);
    }
    globfree(&g);
}

int colcache_save(const char *cache_file, const colcache_key *k, const table *t,
                  const colcache_stamp *st, kpi_error *err)
{
    char real[PATH_MAX], tmp[PATH_MAX];
    file_header h;
    if (!little_endian())
        return kpi_error_set(err, KPI_EUSAGE, cache_file, 0, 0,
                             "the column cache needs a little-endian machine");
    if (!realpath(k->source_path, real))
        return kpi_error_set(err, KPI_EIO, k->source_path, 0, 0, "cannot resolve the path: %s",
                             strerror(errno));
    if (fill_header(t, k, real, st, &h) != 0)
        return kpi_error_set(err, KPI_EUSAGE, cache_file, 0, 0,
                             "table '%s' is too large for the column cache", t->name);
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", cache_file);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return kpi_error_set(err, KPI_EUSAGE, cache_file, 0, 0, "cache path too long");
    remove_orphans(cache_file);
    int fd = make_dirs(cache_file) == 0 ? mkstemp(tmp) : -1;
    if (fd < 0)
        return kpi_error_set(err, KPI_EIO, cache_file, 0, 0, "cannot write the column cache: %s",
                             strerror(errno));
    int e = write_all(fd, tmp, t, k, real, &h);
    if (close(fd) != 0 && !e) e = errno;
    if (!e && rename(tmp, cache_file) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return kpi_error_set(err, e == ENOMEM ? KPI_ENOMEM : KPI_EIO, cache_file, 0, 0,
                             "cannot write the column cache: %s", strerror(e));
    }
    return 0;
}
