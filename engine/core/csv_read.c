/*
** csv_read.c -- how the CSV loader's passes over every byte read the text (see csv_scan.h).
**
** Text in memory is read in place. A file is mapped too, but the count and convert
** passes read it with pread into a buffer of their own that stays in cache: on these
** machines the first touch of each page of a mapping costs far more than copying the
** bytes, and a 48 MB file has twelve thousand pages. The convert pass parses whole
** records of a window of the buffer: when a record runs past the window's end, the
** window keeps it and reads on (growing for a record longer than the buffer). Nothing
** points into the buffer across a refill: pending strings are interned first
** (csv_chunk.c), the date cache keeps a copy, and error positions become positions in
** the mapping.
*/
#define _GNU_SOURCE /* pread */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "csv_scan.h"
#include "kpi_alloc.h"

#ifndef CSV_READ_BUFFER
#define CSV_READ_BUFFER (128u << 10) /* bytes per read: well inside a core's L2 cache */
#endif

typedef unsigned char csv_v16 __attribute__((vector_size(16)));

/* Bytes equal to '"' and to '\n' in [p, end), sixteen at a time; added to *quotes, *newlines. */
static void count_bytes(const char *p, const char *end, size_t *quotes, size_t *newlines)
{
    csv_v16 quote, nl;
    size_t nq = 0, nn = 0;
    memset(&quote, '"', sizeof quote);
    memset(&nl, '\n', sizeof nl);
    while (end - p >= 16) {
        /* Byte lanes count up to 255 blocks before they are added up. */
        size_t blocks = (size_t)(end - p) / 16;
        csv_v16 aq = {0}, an = {0};
        if (blocks > 255) blocks = 255;
        for (size_t k = 0; k < blocks; k++, p += 16) {
            csv_v16 v;
            memcpy(&v, p, 16);
            aq -= (csv_v16)(v == quote);
            an -= (csv_v16)(v == nl);
        }
        for (int i = 0; i < 16; i++) {
            nq += aq[i];
            nn += an[i];
        }
    }
    for (; p < end; p++) {
        nq += *p == '"';
        nn += *p == '\n';
    }
    *quotes += nq;
    *newlines += nn;
}

size_t csv_count_newlines(const char *p, const char *end)
{
    size_t quotes = 0, newlines = 0;
    count_bytes(p, end, &quotes, &newlines);
    return newlines;
}

/* The chunk's read buffer, allocated by the thread that uses it. */
static int need_buffer(csv_chunk *ch, size_t size)
{
    if (ch->inbuf_cap >= size) return 0;
    char *b = kpi_realloc(ch->inbuf, size);
    if (!b) return -1;
    kpi_populate(b, size);
    ch->inbuf = b;
    ch->inbuf_cap = size;
    return 0;
}

/* Read [off, off + len) of the file into buf; 0, or -1 (errno set; 0 for a short file). */
static int read_at(int fd, char *buf, size_t len, size_t off)
{
    while (len > 0) {
        ssize_t got = pread(fd, buf, len, (off_t)off);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got == 0) errno = 0;
            return -1;
        }
        buf += got;
        off += (size_t)got;
        len -= (size_t)got;
    }
    return 0;
}

/* Quotes and line feeds in [from, to) of the text, added to *quotes and *newlines. */
static void count_range(csv_chunk *ch, const char *from, const char *to, size_t *quotes,
                        size_t *newlines)
{
    const csv_ctx *x = ch->ctx;
    size_t off = (size_t)(from - x->data), end = (size_t)(to - x->data);
    if (x->fd >= 0 && need_buffer(ch, CSV_READ_BUFFER) == 0) {
        for (; off < end; off += ch->inbuf_cap) {
            size_t len = end - off < ch->inbuf_cap ? end - off : ch->inbuf_cap;
            if (read_at(x->fd, ch->inbuf, len, off)) break; /* the mapping counts the rest */
            count_bytes(ch->inbuf, ch->inbuf + len, quotes, newlines);
        }
    }
    if (off < end) count_bytes(x->data + off, to, quotes, newlines);
}

void csv_chunk_count(csv_chunk *ch)
{
    const csv_ctx *x = ch->ctx;
    size_t n = x->nchunks, k = (size_t)(ch - x->chunks);
    for (size_t i = 0; i + 1 < n; i++) {
        const csv_chunk *nc = &x->chunks[i];
        size_t len = (size_t)(nc->nominal_end - nc->nominal);
        size_t quotes = 0, newlines = 0;
        count_range(ch, nc->nominal + len / n * k,
                    k + 1 < n ? nc->nominal + len / n * (k + 1) : nc->nominal_end, &quotes,
                    &newlines);
        ch->counted[2 * i] = quotes;
        ch->counted[2 * i + 1] = newlines;
    }
}

static int read_failed(csv_chunk *ch)
{
    const char *why = errno ? strerror(errno) : "the file changed while it was read";
    csv_fail_set(&ch->fail, KPI_EIO, NULL, "cannot read: %s", why);
    return -1;
}

int csv_window_open(csv_chunk *ch, csv_window *w, const char *from)
{
    const csv_ctx *x = ch->ctx;
    if (x->fd < 0) { /* in memory: one window of all the text from `from` */
        *w = (csv_window){.buf = x->data, .p = from, .end = x->end, .last = 1};
        return 0;
    }
    if (need_buffer(ch, CSV_READ_BUFFER)) {
        csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
        return -1;
    }
    *w = (csv_window){.buf = ch->inbuf, .p = ch->inbuf, .end = ch->inbuf};
    w->off = (size_t)(from - x->data);
    return csv_window_more(ch, w);
}

int csv_window_more(csv_chunk *ch, csv_window *w)
{
    const csv_ctx *x = ch->ctx;
    size_t keep = (size_t)(w->end - w->p), size = (size_t)(x->end - x->data);
    if (w->last) return 0;
    w->off += (size_t)(w->p - w->buf);
    memmove(ch->inbuf, w->p, keep);
    if (keep == ch->inbuf_cap && need_buffer(ch, ch->inbuf_cap * 2)) {
        csv_fail_set(&ch->fail, KPI_ENOMEM, NULL, "out of memory");
        return -1;
    }
    size_t want = ch->inbuf_cap - keep, at = w->off + keep;
    if (want > size - at) want = size - at;
    if (read_at(x->fd, ch->inbuf + keep, want, at)) return read_failed(ch);
    w->buf = w->p = ch->inbuf;
    w->end = ch->inbuf + keep + want;
    w->last = at + want == size;
    return 0;
}
