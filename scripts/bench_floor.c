/*
** bench_floor.c -- kpifloor: the speed floor of the retail bench, with no engine.
**
**   kpifloor DIR --from YYYY-MM-DD --to YYYY-MM-DD [--threads N]
**
** Reads every byte of the four CSV files of a retail data set (DIR/orders.csv,
** spend.csv, leads.csv, sessions.csv) once, on all cores, and computes the least a
** KPI run needs from them: for the orders of the period [from, to) the revenue, the
** order count and the distinct customers; for every file its row count. Each file is
** mapped and split at line ends into one chunk per thread; a thread takes its chunk of
** each file in turn. An order line is looked at only where it must be: its date (first
** field, compared as text: ISO dates sort as text), and, inside the period, the
** customer id (second field) and the amount (last field, parsed backwards from the line
** end). Sums are exact hundredths; customer ids set bits in a bitmap. The other files
** are only scanned for line ends. No table, no types, no dictionary: the time this
** takes is the least any engine can take on this input, and kpiengine is measured
** against it.
**
** It is single-purpose: it accepts the layout kpigen writes (orders header
** `date,customer_id,...,amount`; ISO dates; amounts with at most two decimals; customer
** ids "C" followed by digits; no line break inside a quoted field). Anything else stops
** it with a message naming the file and line.
**
** Output, one value a line, for scripts/bench to compare with kpiengine's KPIs:
**   revenue <with 2 decimals>
**   order_count <n>
**   customers <n>
**   rows <file> <n>          (for each of the four files)
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

#define MAX_THREADS 64
#define NFILES      4
/* Initial bitmap: kpigen's ids are below ten million while it has fewer customers. */
#define BITMAP_BITS0 (1u << 24)

static const char *const FILES[NFILES] = {"orders", "spend", "leads", "sessions"};

typedef struct mapped {
    char path[4096];
    const char *data; /* the whole file, mapped */
    size_t size;
    const char *body; /* after the header line */
} mapped;

/* One thread's work: chunk [begin[f], end[f]) of each file f, whole lines. */
typedef struct worker {
    const char *begin[NFILES], *end[NFILES];
    const char *from, *to; /* the period, ISO dates */
    int64_t cents;
    uint64_t orders;
    uint64_t lines[NFILES];
    uint64_t *seen; /* bit id = customer "C<id>" seen in the period */
    size_t seen_words;
    const char *bad; /* first order line that did not fit the layout, or NULL */
    const char *why;
} worker;

static int fail(const char *msg, const char *arg)
{
    fprintf(stderr, "kpifloor: %s%s%s\n", arg ? arg : "", arg ? ": " : "", msg);
    return 1;
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
** The amount ending just before `end` ([-]digits[.d[d]]), in hundredths, parsed
** backwards down to the comma before it. 0, or -1 when it is not one.
*/
static int amount_cents(const char *line, const char *end, int64_t *cents)
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
    return 0;
}

/* Set bit id in w's bitmap, growing it (doubling) when id is beyond it. */
static int mark_customer(worker *w, uint64_t id)
{
    size_t word = (size_t)(id >> 6);
    if (word >= w->seen_words) {
        size_t n = w->seen_words;
        while (n <= word)
            n *= 2;
        uint64_t *grown = realloc(w->seen, n * sizeof *grown);
        if (!grown) return -1;
        memset(grown + w->seen_words, 0, (n - w->seen_words) * sizeof *grown);
        w->seen = grown;
        w->seen_words = n;
    }
    w->seen[word] |= 1ull << (id & 63);
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

/* One order line [p, eol) of the period, without its line break. 0, or -1 with w->why. */
static int order_line(worker *w, const char *p, const char *eol)
{
    int64_t cents;
    uint64_t id;
    if (eol > p && eol[-1] == '\r') eol--;
    if (customer_id(p + 11, eol, &id))
        return w->why = "expected a customer id C<digits> in the second field", -1;
    if (amount_cents(p + 11, eol, &cents))
        return w->why = "expected an amount with at most 2 decimals in the last field", -1;
    if (__builtin_add_overflow(w->cents, cents, &w->cents))
        return w->why = "the revenue overflows", -1;
    w->orders++;
    if (mark_customer(w, id)) return w->why = "out of memory", -1;
    return 0;
}

/* The orders chunk: every line's date, and the lines of the period in full. */
static void scan_orders(worker *w)
{
    const char *p = w->begin[0], *end = w->end[0];
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        w->lines[0]++;
        if (eol - p < 12 || p[10] != ',' || p[4] != '-' || p[7] != '-') {
            w->bad = p, w->why = "expected an ISO date in the first field";
            return;
        }
        if (memcmp(p, w->from, 10) >= 0 && memcmp(p, w->to, 10) < 0 && order_line(w, p, eol)) {
            w->bad = p;
            return;
        }
        p = eol + 1;
    }
}

/* Lines of [p, end): its line breaks, plus a last line without one. */
static uint64_t count_lines(const char *p, const char *end)
{
    uint64_t n = 0;
    for (const char *q = p; q < end; q++)
        n += *q == '\n';
    return n + (end > p && end[-1] != '\n');
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    scan_orders(w);
    for (int f = 1; f < NFILES && !w->bad; f++)
        w->lines[f] = count_lines(w->begin[f], w->end[f]);
    return NULL;
}

/* Split file m into n chunks at line boundaries: workers[i].begin/end[f]. */
static void split(const mapped *m, int f, worker *workers, int n)
{
    const char *p = m->body, *end = m->data + m->size;
    size_t step = (size_t)(end - p) / (size_t)n;
    for (int i = 0; i < n; i++) {
        const char *stop = i == n - 1 ? end : p + step;
        if (stop > end) stop = end;
        if (stop < end) {
            const char *nl = memchr(stop, '\n', (size_t)(end - stop));
            stop = nl ? nl + 1 : end;
        }
        workers[i].begin[f] = p;
        workers[i].end[f] = stop;
        p = stop;
    }
}

/* Map DIR/<name>.csv and find the end of its header. */
static int map_file(const char *dir, const char *name, mapped *m)
{
    snprintf(m->path, sizeof m->path, "%s/%s.csv", dir, name);
    int fd = open(m->path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        return fail(strerror(errno), m->path);
    }
    m->size = (size_t)st.st_size;
    m->data = m->size ? mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (m->data == MAP_FAILED || !m->size)
        return fail(m->size ? strerror(errno) : "empty file", m->path);
    madvise((void *)m->data, m->size, MADV_SEQUENTIAL);
    const char *eol = memchr(m->data, '\n', m->size);
    if (!eol) return fail("no header line", m->path);
    m->body = eol + 1;
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

static int report(const worker *workers, int n)
{
    int64_t cents = 0;
    uint64_t orders = 0, distinct = 0, lines[NFILES] = {0};
    size_t words = 0;
    for (int i = 0; i < n; i++) {
        if (__builtin_add_overflow(cents, workers[i].cents, &cents))
            return fail("the revenue overflows", NULL);
        orders += workers[i].orders;
        for (int f = 0; f < NFILES; f++)
            lines[f] += workers[i].lines[f];
        if (workers[i].seen_words > words) words = workers[i].seen_words;
    }
    for (size_t w = 0; w < words; w++) {
        uint64_t bits = 0;
        for (int i = 0; i < n; i++)
            if (w < workers[i].seen_words) bits |= workers[i].seen[w];
        distinct += (uint64_t)__builtin_popcountll(bits);
    }
    uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    printf("revenue %s%" PRIu64 ".%02" PRIu64 "\n", cents < 0 ? "-" : "", a / 100, a % 100);
    printf("order_count %" PRIu64 "\ncustomers %" PRIu64 "\n", orders, distinct);
    for (int f = 0; f < NFILES; f++)
        printf("rows %s %" PRIu64 "\n", FILES[f], lines[f]);
    return 0;
}

/* Start the workers, wait for them, report the first bad line. */
static int run_workers(const mapped *maps, worker *workers, int n)
{
    pthread_t tid[MAX_THREADS];
    int started = 0, rc = 0;
    for (; started < n; started++)
        if (pthread_create(&tid[started], NULL, run_worker, &workers[started])) break;
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    if (started < n) return fail("cannot start threads", NULL);
    for (int i = 0; i < n && !rc; i++)
        if (workers[i].bad) {
            fprintf(stderr, "kpifloor: %s:%zu: %s\n", maps[0].path,
                    line_of(maps[0].data, workers[i].bad), workers[i].why);
            rc = 1;
        }
    return rc ? rc : report(workers, n);
}

static int run(const char *dir, const char *from, const char *to, int nthreads)
{
    static mapped maps[NFILES];
    static worker workers[MAX_THREADS];
    int rc = 0, nmapped = 0;
    for (; nmapped < NFILES && !rc; nmapped++)
        rc = map_file(dir, FILES[nmapped], &maps[nmapped]);
    if (!rc && strncmp(maps[0].data, "date,customer_id,", 17) != 0)
        rc = fail("expected the header date,customer_id,...,amount", maps[0].path);
    for (int f = 0; f < NFILES && !rc; f++)
        split(&maps[f], f, workers, nthreads);
    for (int i = 0; i < nthreads && !rc; i++) {
        workers[i].from = from, workers[i].to = to;
        workers[i].seen_words = BITMAP_BITS0 / 64;
        workers[i].seen = calloc(workers[i].seen_words, sizeof(uint64_t));
        if (!workers[i].seen) rc = fail("out of memory", NULL);
    }
    if (!rc) rc = run_workers(maps, workers, nthreads);
    for (int i = 0; i < nthreads; i++)
        free(workers[i].seen);
    for (int f = 0; f < nmapped; f++)
        if (maps[f].data && maps[f].data != MAP_FAILED) munmap((void *)maps[f].data, maps[f].size);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: kpifloor DIR --from YYYY-MM-DD --to YYYY-MM-DD [--threads N]\n");
    return 2;
}

static int iso_day(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !digit(s[i])) return 0;
    return s[10] == '\0';
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *from = NULL, *to = NULL;
    long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            nthreads = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
            from = argv[++i];
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
            to = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else
            return usage();
    }
    if (!dir || !from || !to || !iso_day(from) || !iso_day(to)) return usage();
    if (nthreads < 1) nthreads = 1;
    if (nthreads > MAX_THREADS) nthreads = MAX_THREADS;
    return run(dir, from, to, (int)nthreads);
}
