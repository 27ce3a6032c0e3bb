/*
** testutil.c -- see testutil.h.
*/
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

/*
** The helpers' buffers come from the C library's allocator whether or not this file is
** compiled with UNIT_TESTING (under which cmocka.h renames malloc to its test_malloc):
** callers free them with tu_free or the plain free(), and both must match the allocator.
*/
#undef malloc
#undef calloc
#undef realloc
#undef free

static char tmpdir[256];

const char *tu_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/kpitest.XXXXXX");
        if (!mkdtemp(tmpdir)) fail_msg("mkdtemp failed");
    }
    return tmpdir;
}

const char *tu_write_file(const char *name, const char *content, size_t len)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ & 7];
    snprintf(path, 512, "%s/%s", tu_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot write %s", path);
    if (len == (size_t)-1) len = strlen(content);
    if (fwrite(content, 1, len, f) != len) fail_msg("short write to %s", path);
    fclose(f);
    return path;
}

const char *tu_data(const char *name)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ & 7];
    snprintf(path, 512, "%s/%s", KPI_TEST_DATA, name);
    return path;
}

static char *slurp(const char *path)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (!buf) fail_msg("out of memory reading %s", path);
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) return buf;
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger) {
                free(buf);
                fclose(f);
                fail_msg("out of memory reading %s", path);
            }
            buf = bigger;
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

int tu_run(const char *cmd, char **out, char **err)
{
    char outp[300], errp[300];
    snprintf(outp, sizeof outp, "%s/run.out", tu_tmpdir());
    snprintf(errp, sizeof errp, "%s/run.err", tu_tmpdir());
    size_t size = strlen(cmd) + 700;
    char *full = malloc(size);
    if (!full) fail_msg("out of memory running: %s", cmd);
    snprintf(full, size, "( %s ) >'%s' 2>'%s' </dev/null", cmd, outp, errp);
    int status = system(full);
    free(full);
    if (out) *out = slurp(outp);
    if (err) *err = slurp(errp);
    if (status == -1) fail_msg("cannot run: %s", cmd);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

char *tu_oracle_text(const char *db, const char *setup, const char *sql)
{
    char sql_path[300];
    snprintf(sql_path, sizeof sql_path, "%s/oracle.sql", tu_tmpdir());
    FILE *f = fopen(sql_path, "w");
    if (!f) fail_msg("cannot write %s", sql_path);
    if (setup) fprintf(f, "%s\n", setup);
    fprintf(f, "%s\n", sql);
    fclose(f);
    char cmd[1400];
    if ((size_t)snprintf(cmd, sizeof cmd, "sqlite3 -batch -bail '%s' < '%s'", db, sql_path) >=
        sizeof cmd)
        fail_msg("database path too long for the oracle: %s", db);
    char *out = NULL, *err = NULL;
    int rc = tu_run(cmd, &out, &err);
    if (rc != 0) fail_msg("oracle failed (%d): %s\nSQL: %s", rc, err, sql);
    free(err);
    size_t len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return out;
}

double tu_oracle(const char *db, const char *setup, const char *sql)
{
    char *out = tu_oracle_text(db, setup, sql);
    char *end;
    double v = out[0] ? strtod(out, &end) : NAN;
    if (out[0] && *end != '\0' && *end != '\n' && *end != '|')
        fail_msg("oracle gave a non-number: '%s' for %s", out, sql);
    free(out);
    return v;
}

int tu_close(double a, double b, double tol)
{
    double scale = fmax(1.0, fmax(fabs(a), fabs(b)));
    return fabs(a - b) <= tol * scale;
}

void tu_free(void *p)
{
    free(p);
}
