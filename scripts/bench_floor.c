/*
** bench_floor.c -- kpifloor: the speed floor of the bench workload, with no engine.
**
**   kpifloor FILE.csv [--threads N]
**
** Computes what kpibench computes (revenue by month, distinct customers) the fastest
** plain way this one file allows: map it, split it at line ends into one chunk per
** thread, and per line read the date (first field), the customer id (second field)
** and the amount (last field, parsed backwards from the line end), never looking at the
** fields in between. Months index an array of exact sums in hundredths; customer ids
** set bits in a bitmap. No table, no types, no dictionary: the time such a program
** takes is the least any loader plus aggregation can take on this machine, and the
** engine is measured against it.
**
** It is single-purpose: it accepts the layout kpigen writes (header
** `date,...,amount` with customer_id second; ISO dates; amounts with at most two
** decimals; customer ids "C" followed by digits, as kpigen issues them; no line break
** inside a quoted field). Anything else stops it with a message naming the line.
**
** Output is the same as kpibench's, so the bench compares them byte for byte:
**   month YYYY-MM <revenue with 2 decimals>
**   distinct <count>
*/
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define YEAR0       1900
#define NYEARS      300
#define NMONTHS     (NYEARS * 12)
#define MAX_THREADS 64
/* Initial bitmap: kpigen's ids are below ten million while it has fewer customers. */
#define BITMAP_BITS0 (1u << 24)

typedef struct chunk {
    const char *begin, *end; /* whole lines: begin at a line start, end after a '\n' or at EOF */
    int64_t cents[NMONTHS];
    uint64_t rows[NMONTHS]; /* a month with rows is printed even when its sum is 0 */
    uint64_t *seen;         /* bit id = customer "C<id>" seen */
    size_t seen_words;
    const char *bad; /* first line that did not fit the layout, or NULL */
    const char *why;
} chunk;

static int fail(const char *msg, const char *arg)
{
    fprintf(stderr, "kpifloor: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return 1;
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* YYYY-MM-DD at p (10 bytes known to exist): the month's index, or -1. */
static int month_index(const char *p)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? p[i] != '-' : !digit(p[i])) return -1;
    int year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    int month = (p[5] - '0') * 10 + (p[6] - '0');
    if (year < YEAR0 || year >= YEAR0 + NYEARS || month < 1 || month > 12) return -1;
    return (year - YEAR0) * 12 + month - 1;
}

/*
** The amount ending just before `end` ([-]digits[.d[d]]), in hundredths, parsed
** backwards; *start is set to the comma before it. 0, or -1 when it is not one.
*/
static int amount_cents(const char *line, const char *end, int64_t *cents, const char **start)
{
    const char *p = end;
    int64_t value = 0, scale = 1;
    int frac = -1, ndig = 0;
    while (p > line && p[-1] != ',') {
        char c = *--p;
        if (digit(c)) {
            if (++ndig > 17) return -1;
            value += (c - '0') * scale;
            scale *= 10;
        } else if (c == '.' && frac < 0) {
            frac = ndig;
        } else if (c == '-' && p > line && p[-1] == ',') {
            value = -value;
        } else {
            return -1;
        }
    }
    if (p == line || ndig == 0 || frac > 2 || frac == ndig) return -1;
    static const int64_t pad[3] = {100, 10, 1};
    *cents = value * pad[frac < 0 ? 0 : frac];
    *start = p - 1;
    return 0;
}

/* Set bit id in c's bitmap, growing it (doubling) when id is beyond it. */
static int mark_customer(chunk *c, uint64_t id)
{
    size_t word = (size_t)(id >> 6);
    if (word >= c->seen_words) {
        size_t n = c->seen_words;
        while (n <= word)
            n *= 2;
        uint64_t *grown = realloc(c->seen, n * sizeof *grown);
        if (!grown) return -1;
        memset(grown + c->seen_words, 0, (n - c->seen_words) * sizeof *grown);
        c->seen = grown;
        c->seen_words = n;
    }
    c->seen[word] |= 1ull << (id & 63);
    return 0;
}

/*
** "C" then digits, as kpigen writes them (seven digits, zero-padded, or more without a
** leading zero, so equal numbers are equal strings). 0 and *id, or -1.
*/
static int customer_id(const char *p, const char *end, uint64_t *id)
{
    if (p >= end || *p != 'C') return -1;
    const char *d = ++p;
    uint64_t v = 0;
    while (p < end && digit(*p))
        v = v * 10 + (uint64_t)(*p++ - '0');
    size_t n = (size_t)(p - d);
    if (p == end || *p != ',' || n < 7 || n > 12 || (n > 7 && *d == '0')) return -1;
    *id = v;
    return 0;
}

/* One line [p, eol) without its line break. 0, or -1 with c->why. */
static int parse_line(chunk *c, const char *p, const char *eol)
{
    const char *amount_start;
    int64_t cents;
    uint64_t id;
    int m;
    if (eol > p && eol[-1] == '\r') eol--;
    if (eol - p < 12 || p[10] != ',' || (m = month_index(p)) < 0)
        return c->why = "expected an ISO date in the first field", -1;
    if (customer_id(p + 11, eol, &id))
        return c->why = "expected a customer id C<digits> in the second field", -1;
    if (amount_cents(p + 11, eol, &cents, &amount_start))
        return c->why = "expected an amount with at most 2 decimals in the last field", -1;
    if (__builtin_add_overflow(c->cents[m], cents, &c->cents[m]))
        return c->why = "monthly sum overflows", -1;
    c->rows[m]++;
    if (mark_customer(c, id)) return c->why = "out of memory", -1;
    return 0;
}

static void *run_chunk(void *arg)
{
    chunk *c = arg;
    const char *p = c->begin;
    while (p < c->end) {
        const char *eol = memchr(p, '\n', (size_t)(c->end - p));
        if (!eol) eol = c->end;
        if (eol > p && parse_line(c, p, eol)) {
            c->bad = p;
            break;
        }
        p = eol + 1;
    }
    return NULL;
}

/* Split [body, end) into n chunks at line boundaries. */
static void split(const char *body, const char *end, chunk *chunks, int n)
{
    const char *p = body;
    size_t step = (size_t)(end - body) / (size_t)n;
    for (int i = 0; i < n; i++) {
        const char *stop = i == n - 1 ? end : p + step;
        if (stop < p) stop = p;
        if (stop > end) stop = end;
        if (stop < end) {
            const char *nl = memchr(stop, '\n', (size_t)(end - stop));
            stop = nl ? nl + 1 : end;
        }
        chunks[i].begin = p;
        chunks[i].end = stop;
        p = stop;
    }
}

/* The header must put date first, customer_id second and amount last. */
static int check_header(const char *data, const char *end, const char **body)
{
    const char *eol = memchr(data, '\n', (size_t)(end - data));
    if (!eol) return fail("no header line", NULL);
    size_t len = (size_t)(eol - data);
    if (len && data[len - 1] == '\r') len--;
    if (len < 22 || memcmp(data, "date,customer_id,", 17) != 0 ||
        memcmp(data + len - 7, ",amount", 7) != 0)
        return fail("expected the header date,customer_id,...,amount", NULL);
    *body = eol + 1;
    return 0;
}

/* Line number (1-based) of the line starting at bad, for the message. */
static size_t line_of(const char *data, const char *bad)
{
    size_t line = 1;
    for (const char *p = data; p < bad; p++)
        line += *p == '\n';
    return line;
}

static int report(chunk *chunks, int n)
{
    static int64_t cents[NMONTHS];
    static uint64_t rows[NMONTHS];
    uint64_t distinct = 0;
    size_t words = 0;
    for (int i = 0; i < n; i++) {
        for (int m = 0; m < NMONTHS; m++)
            if (__builtin_add_overflow(cents[m], chunks[i].cents[m], &cents[m]))
                return fail("monthly sum overflows", NULL);
        for (int m = 0; m < NMONTHS; m++)
            rows[m] += chunks[i].rows[m];
        if (chunks[i].seen_words > words) words = chunks[i].seen_words;
    }
    for (size_t w = 0; w < words; w++) {
        uint64_t bits = 0;
        for (int i = 0; i < n; i++)
            if (w < chunks[i].seen_words) bits |= chunks[i].seen[w];
        distinct += (uint64_t)__builtin_popcountll(bits);
    }
    for (int m = 0; m < NMONTHS; m++) {
        int64_t v = cents[m];
        if (rows[m] == 0) continue;
        uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        printf("month %04d-%02d %s%" PRIu64 ".%02" PRIu64 "\n", YEAR0 + m / 12, m % 12 + 1,
               v < 0 ? "-" : "", a / 100, a % 100);
    }
    printf("distinct %" PRIu64 "\n", distinct);
    return 0;
}

static int run(const char *path, const char *data, size_t size, int nthreads)
{
    static chunk chunks[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    const char *body;
    if (check_header(data, data + size, &body)) return 1;
    split(body, data + size, chunks, nthreads);
    for (int i = 0; i < nthreads; i++) {
        chunks[i].seen_words = BITMAP_BITS0 / 64;
        chunks[i].seen = calloc(chunks[i].seen_words, sizeof(uint64_t));
        if (!chunks[i].seen) return fail("out of memory", NULL);
    }
    int started = 0, rc = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&tid[started], NULL, run_chunk, &chunks[started])) break;
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (started < nthreads) rc = fail("cannot start threads", NULL);
    for (int i = 0; i < nthreads && !rc; i++)
        if (chunks[i].bad) {
            fprintf(stderr, "kpifloor: %s:%zu: %s\n", path, line_of(data, chunks[i].bad),
                    chunks[i].why);
            rc = 1;
        }
    if (!rc) rc = report(chunks, nthreads);
    for (int i = 0; i < nthreads; i++)
        free(chunks[i].seen);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            nthreads = strtol(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else
            return fprintf(stderr, "usage: kpifloor FILE.csv [--threads N]\n"), 2;
    }
    if (!path) return fprintf(stderr, "usage: kpifloor FILE.csv [--threads N]\n"), 2;
    if (nthreads < 1) nthreads = 1;
    if (nthreads > MAX_THREADS) nthreads = MAX_THREADS;

    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) return fail(strerror(errno), path);
    if (st.st_size == 0) return fail("empty file", path);
    const char *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (data == MAP_FAILED) return fail(strerror(errno), path);
    int rc = run(path, data, (size_t)st.st_size, (int)nthreads);
    munmap((void *)data, (size_t)st.st_size);
    return rc;
}
