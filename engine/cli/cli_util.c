/*
** cli_util.c -- option matching, error reporting and output for the subcommands; see cli.h.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/date.h"

int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kpiengine: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'kpiengine --help' for more information.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* Print an engine error and map its kind to the exit code. */
int engine_error(const kpi_error *err)
{
    char buf[1200];
    fprintf(stderr, "kpiengine: %s\n", kpi_error_format(err, buf, sizeof buf));
    switch (err->kind) {
    case KPI_EUSAGE:
        return EXIT_USAGE;
    case KPI_ESCRIPT:
        return EXIT_SCRIPT;
    default:
        return EXIT_DATA; /* EDATA, EIO, ERANGE, ENOMEM: the data cannot be processed */
    }
}

double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
** Match argv[*i] against option `name` that takes a value, as "name VALUE" or
** "name=VALUE". Returns 1 and sets *value (advancing *i) on a match, 0 when argv[*i]
** is another option, -1 after reporting a missing value.
*/
int take_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        if (**value) return 1;
    } else if (arg[n] != '\0') {
        return 0;
    } else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
        *value = argv[++*i];
        return 1;
    }
    usage_error("option '%s' needs a value", name);
    return -1;
}

/* Match a flag (an option without a value). 1 on a match, 0 if not, -1 after an error. */
int take_flag(const char *arg, const char *name, int *flag)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '=') {
        usage_error("option '%s' takes no value", name);
        return -1;
    }
    if (arg[n] != '\0') return 0;
    *flag = 1;
    return 1;
}

/* A file named on the command line must exist and be a regular file. */
int check_input_file(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return usage_error("%s: cannot open %s: %s", path, what, strerror(errno));
    if (!S_ISREG(st.st_mode)) return usage_error("%s: %s is not a regular file", path, what);
    return EXIT_DONE;
}

int check_data_dir(const char *dir)
{
    struct stat st;
    if (dir && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
        return usage_error("--data: '%s' is not a directory", dir);
    return EXIT_DONE;
}

/* ---- output ------------------------------------------------------------ */

static int write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Make the rename itself durable; failure only weakens durability, so it is ignored. */
static void sync_parent_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    fsync(fd);
    close(fd);
}

/*
** Write text to path atomically: a temporary file beside it, flushed to disk, then
** renamed over path. On failure the temporary file is removed and path untouched.
*/
static int write_atomic(const char *path, const char *text, size_t len)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) goto fail;
    if (write_all(fd, text, len) != 0 || fsync(fd) != 0) goto fail;
    int rc = close(fd);
    fd = -1;
    if (rc != 0 || rename(tmp, path) != 0) goto fail;
    sync_parent_dir(path);
    return EXIT_DONE;
fail:;
    int saved = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    fprintf(stderr, "kpiengine: %s: cannot write the report: %s\n", path, strerror(saved));
    return EXIT_DATA;
}

int write_output(const char *path, const char *text, size_t len)
{
    if (path && strcmp(path, "-") != 0) return write_atomic(path, text, len);
    if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "kpiengine: cannot write the report to stdout: %s\n", strerror(errno));
        return EXIT_DATA;
    }
    return EXIT_DONE;
}

/* ---- dates and the store's place ----------------------------------------------------- */

int32_t cli_today(void)
{
    time_t now = time(NULL);
    struct tm local;
    if (!localtime_r(&now, &local)) return date_of_timestamp((int64_t)now);
    return date_from_civil(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
}

int parse_day_option(const char *opt, const char *text, int32_t *day)
{
    int rc = date_parse_iso(text, strlen(text), day);
    if (rc == 0) return EXIT_DONE;
    if (rc == DATE_NOEXIST) return usage_error("%s: '%s' is not a day of the calendar", opt, text);
    return usage_error("%s: '%s' is not a date (expected YYYY-MM-DD, as 2024-08-15)", opt, text);
}

void default_db_path(const char *file, char *out, size_t size)
{
    const char *slash = strrchr(file, '/');
    if (!slash)
        snprintf(out, size, ".kpiengine/results.db");
    else
        snprintf(out, size, "%.*s/.kpiengine/results.db", (int)(slash - file), file);
}

const char *default_cache_dir(char *out, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(out, size, "%s/kpiengine", xdg);
    else if (home && home[0] == '/')
        n = snprintf(out, size, "%s/.cache/kpiengine", home);
    else
        return NULL;
    return n > 0 && (size_t)n < size ? out : NULL;
}

int cli_use_color(int no_color, const char *output)
{
    const char *env = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (no_color || (env && env[0])) return 0;
    if (output && strcmp(output, "-") != 0) return 0;
    if (term && strcmp(term, "dumb") == 0) return 0;
    return isatty(STDOUT_FILENO);
}

int cli_show_progress(void)
{
    return isatty(STDERR_FILENO);
}

/*
** The loads in progress: sources load on several threads at once (dsl_prefetch), so
** each has its own entry and the one line shows every load past its delay, redrawn
** under a lock.
*/
#define PROGRESS_LOADS 8
typedef struct progress_load {
    char path[512]; /* "" = a free entry */
    double start, fraction;
} progress_load;

static struct {
    pthread_mutex_t lock;
    progress_load loads[PROGRESS_LOADS];
    int width; /* of the line shown; 0: none */
} progress_line = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The entry of path, a new one when it has none; NULL when all are taken (not shown). */
static progress_load *progress_entry(const char *path, double now)
{
    progress_load *free_one = NULL;
    for (int i = 0; i < PROGRESS_LOADS; i++) {
        progress_load *l = &progress_line.loads[i];
        if (l->path[0] && strncmp(l->path, path, sizeof l->path - 1) == 0) return l;
        if (!l->path[0] && !free_one) free_one = l;
    }
    if (free_one) {
        snprintf(free_one->path, sizeof free_one->path, "%s", path);
        free_one->start = now;
        free_one->fraction = 0;
    }
    return free_one;
}

/* Draw the line anew: the loads past the delay, or nothing (erasing what was shown). */
static void progress_draw(double now)
{
    const char *after_env = getenv("KPIENGINE_PROGRESS_AFTER");
    double after = after_env && after_env[0] ? atof(after_env) : 1.0;
    char text[1024] = "";
    size_t n = 0;
    for (int i = 0; i < PROGRESS_LOADS && n < sizeof text; i++) {
        const progress_load *l = &progress_line.loads[i];
        if (!l->path[0] || now - l->start < after) continue;
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%s %3d%%",
                              n ? ", " : "kpiengine: loading ", l->path, (int)(l->fraction * 100));
    }
    if (n == 0 && progress_line.width == 0) return;
    int len = (int)(n < sizeof text ? n : sizeof text - 1);
    fprintf(stderr, "\r%.*s", len, text);
    if (len < progress_line.width) /* blank what the longer line left, then come back */
        fprintf(stderr, "%*s\r%.*s", progress_line.width - len, "", len, text);
    progress_line.width = len;
    fflush(stderr);
}

void cli_progress(const char *path, double fraction, void *arg)
{
    (void)arg;
    double now = seconds_now();
    pthread_mutex_lock(&progress_line.lock);
    progress_load *l = progress_entry(path, now);
    if (l && fraction >= 1.0) /* the load is over */
        l->path[0] = '\0';
    else if (l)
        l->fraction = fraction;
    progress_draw(now);
    pthread_mutex_unlock(&progress_line.lock);
}
