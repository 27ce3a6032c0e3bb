/*
** advutil.c -- runs of kpiengine for the adversarial tests; see advutil.h.
*/
#define _GNU_SOURCE
#include "advutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

double adv_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *adv_path(const char *name)
{
    static char paths[8][1024];
    static int next;
    char *path = paths[next++ & 7];
    snprintf(path, sizeof paths[0], "%s/%s", tu_tmpdir(), name);
    return path;
}

const char *adv_mkdir(const char *name)
{
    const char *path = adv_path(name);
    char partial[1024];
    for (const char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
        size_t n = p ? (size_t)(p - path) : strlen(path);
        snprintf(partial, sizeof partial, "%.*s", (int)n, path);
        if (mkdir(partial, 0755) != 0 && errno != EEXIST) fail_msg("cannot create %s", partial);
        if (!p) break;
    }
    return path;
}

const char *adv_rules(const char *name, const char *body)
{
    char text[16384];
    snprintf(text, sizeof text, "ruleset { name = \"adv\", grain = \"month\" }\n%s", body);
    return tu_write_file(name, text, (size_t)-1);
}

/* The arguments of a run of rules. */
static void run_args(char *args, size_t size, const char *rules, const char *extra)
{
    snprintf(args, size, "run '%s' --no-save --db '%s/none.db' %s", rules, tu_tmpdir(),
             extra ? extra : "");
}

static void check_time(const char *rules, double started, double max_seconds)
{
    double took = adv_seconds() - started;
    if (took > max_seconds)
        fail_msg("kpiengine run %s took %.1f s (bound %.1f s)", rules, took, max_seconds);
}

void adv_run_fails(const char *rules, const char *extra, int code, const char *message,
                   double max_seconds)
{
    char args[2048];
    run_args(args, sizeof args, rules, extra);
    double started = adv_seconds();
    e2e_assert_error(args, code, message);
    check_time(rules, started, max_seconds);
}

char *adv_run_json(const char *rules, const char *extra, double max_seconds)
{
    char args[2048], *out, *err;
    run_args(args, sizeof args, rules, extra);
    strncat(args, " --format json", sizeof args - strlen(args) - 1);
    double started = adv_seconds();
    int rc = e2e_engine(args, &out, &err);
    if (rc != 0) fail_msg("kpiengine %s: exit %d: %s", args, rc, err);
    tu_free(err);
    check_time(rules, started, max_seconds);
    return out;
}

double adv_kpi_value(const char *json, const char *id)
{
    const char *kpi = e2e_with(e2e_member(json, "kpis"), "id", id);
    if (!kpi) fail_msg("no KPI '%s' in the report: %s", id, json);
    return e2e_number_member(kpi, "value", id);
}
