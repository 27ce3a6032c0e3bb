/*
** e2eutil.c -- the end-to-end tests' JSON reader, kpiengine runner, window oracle and
** sample rule-set checks (see e2eutil.h).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2eutil.h"
#include "testutil.h"

#define ENGINE KPI_BINARY_DIR "/kpiengine"
#define TOL    1e-9

/* ---- JSON ------------------------------------------------------------------------------ */

static const char *ws(const char *p)
{
    while (p && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Past the string starting at p (on its opening quote). */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
}

/* Past the value starting at p. */
static const char *skip_value(const char *p)
{
    p = ws(p);
    if (*p == '"') return skip_string(p);
    if (*p != '{' && *p != '[') {
        while (*p && !strchr(",}] \n\r\t", *p))
            p++;
        return p;
    }
    int depth = 0;
    do {
        if (*p == '"') {
            p = skip_string(p);
            continue;
        }
        if (*p == '{' || *p == '[') depth++;
        if (*p == '}' || *p == ']') depth--;
        p++;
    } while (*p && depth > 0);
    return p;
}

int e2e_string_is(const char *v, const char *s)
{
    size_t n = strlen(s);
    return v && *v == '"' && strncmp(v + 1, s, n) == 0 && v[1 + n] == '"';
}

int e2e_is_null(const char *v)
{
    return v && strncmp(v, "null", 4) == 0;
}

const char *e2e_member(const char *obj, const char *key)
{
    const char *p = ws(obj);
    if (!p || *p != '{') return NULL;
    p = ws(p + 1);
    while (*p == '"') {
        const char *name = p;
        p = ws(skip_string(p));
        if (*p != ':') return NULL;
        const char *value = ws(p + 1);
        if (e2e_string_is(name, key)) return value;
        p = ws(skip_value(value));
        if (*p != ',') return NULL;
        p = ws(p + 1);
    }
    return NULL;
}

const char *e2e_element(const char *arr, int i)
{
    const char *p = ws(arr);
    if (!p || *p != '[') return NULL;
    p = ws(p + 1);
    for (int at = 0; *p && *p != ']'; at++) {
        if (at == i) return p;
        p = ws(skip_value(p));
        if (*p == ',') p = ws(p + 1);
    }
    return NULL;
}

int e2e_length(const char *arr)
{
    const char *p = ws(arr);
    if (!p || *p != '[') return -1;
    int n = 0;
    while (e2e_element(p, n))
        n++;
    return n;
}

const char *e2e_with(const char *arr, const char *field, const char *want)
{
    const char *e;
    for (int i = 0; (e = e2e_element(arr, i)) != NULL; i++)
        if (e2e_string_is(e2e_member(e, field), want)) return e;
    return NULL;
}

double e2e_number(const char *obj, const char *key)
{
    const char *v = e2e_member(obj, key);
    if (!v || e2e_is_null(v)) return NAN;
    char *end;
    double d = strtod(v, &end);
    return end == v ? NAN : d;
}

double e2e_number_member(const char *obj, const char *key, const char *what)
{
    const char *v = e2e_member(obj, key);
    if (!v) fail_msg("%s: no \"%s\"", what, key);
    if (e2e_is_null(v)) return NAN;
    char *end;
    double d = strtod(v, &end);
    if (end == v) fail_msg("%s: \"%s\" is not a number", what, key);
    return d;
}

const char *e2e_text(const char *obj, const char *key, char *buf, size_t size)
{
    const char *v = e2e_member(obj, key);
    buf[0] = '\0';
    if (!v || *v != '"') return buf;
    const char *end = skip_string(v);
    size_t n = (size_t)(end - v) - 2;
    if (n >= size) n = size - 1;
    memcpy(buf, v + 1, n);
    buf[n] = '\0';
    return buf;
}

/* ---- running kpiengine ----------------------------------------------------------------- */

int e2e_engine(const char *args, char **out, char **err)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "NO_COLOR= '%s' %s", ENGINE, args);
    return tu_run(cmd, out, err);
}

char *e2e_run_ok(const char *fmt, ...)
{
    char args[3000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *out, *err;
    int rc = e2e_engine(args, &out, &err);
    if (rc != 0) fail_msg("kpiengine %s: exit %d: %s", args, rc, err);
    tu_free(err);
    return out;
}

char *e2e_run_fails(const char *args, int code, const char *message)
{
    char *out, *err;
    int rc = e2e_engine(args, &out, &err);
    if (rc != code || !strstr(err, message))
        fail_msg("kpiengine %s: exit %d, stderr '%s' (expected %d and '%s')", args, rc, err, code,
                 message);
    tu_free(err);
    return out;
}

void e2e_assert_error(const char *args, int code, const char *message)
{
    char *out = e2e_run_fails(args, code, message);
    assert_string_equal(out, "");
    tu_free(out);
}

/* The reports run so far, one per rule set and period. */
#define MAX_RUNS 8
static struct {
    const char *ruleset;
    char label[32];
    char *json;
} runs[MAX_RUNS];
static int nruns;

const char *e2e_report_for(const char *ruleset, const char *label)
{
    const char *key = label ? label : "";
    for (int i = 0; i < nruns; i++)
        if (strcmp(runs[i].ruleset, ruleset) == 0 && strcmp(runs[i].label, key) == 0)
            return runs[i].json;
    assert_true(nruns < MAX_RUNS);
    char cmd[1024], opt[64] = "";
    if (label) snprintf(opt, sizeof opt, "--period %s", label);
    /* a store that does not exist: the report comes from the data alone, whatever an
       earlier run saved beside the rule set, and nothing is written */
    snprintf(cmd, sizeof cmd, "'%s' run '%s' %s --format json --no-save --db '%s/none.db'", ENGINE,
             ruleset, opt, tu_tmpdir());
    char *out = NULL, *err = NULL;
    int rc = tu_run(cmd, &out, &err);
    if (rc != 0) fail_msg("kpiengine exited %d: %s", rc, err);
    tu_free(err);
    runs[nruns].ruleset = ruleset;
    snprintf(runs[nruns].label, sizeof runs[nruns].label, "%s", key);
    runs[nruns].json = out;
    return runs[nruns++].json;
}

const char *e2e_kpi_of(const char *ruleset, const char *label, const char *id)
{
    const char *k = e2e_with(e2e_member(e2e_report_for(ruleset, label), "kpis"), "id", id);
    if (!k) fail_msg("%s: no KPI '%s' in the report", label ? label : "default", id);
    return k;
}

void e2e_reports_free(void)
{
    for (int i = 0; i < nruns; i++)
        tu_free(runs[i].json);
    nruns = 0;
}

/* ---- periods and the oracle -------------------------------------------------------------- */

const e2e_window E2E_JUN_2024 = {"2024-06", "2024-06-01", "2024-07-01", "2024-05-01"};
const e2e_window E2E_MAY_2024 = {"2024-05", "2024-05-01", "2024-06-01", "2024-04-01"};
const e2e_window E2E_MAR_2023 = {"2023-03", "2023-03-01", "2023-04-01", "2023-02-01"};
const e2e_window E2E_FEB_2023 = {"2023-02", "2023-02-01", "2023-03-01", "2023-01-01"};
const e2e_window E2E_Q2_2024 = {"2024-Q2", "2024-04-01", "2024-07-01", "2024-01-01"};
const e2e_window E2E_Q1_2024 = {"2024-Q1", "2024-01-01", "2024-04-01", "2023-10-01"};

double e2e_window_oracle(const char *db, const e2e_window *w, const char *sql)
{
    char setup[256];
    snprintf(setup, sizeof setup,
             ".parameter set $s \"'%s'\"\n.parameter set $e \"'%s'\"\n"
             ".parameter set $ps \"'%s'\"",
             w->s, w->e, w->ps);
    return tu_oracle(db, setup, sql);
}

/* ---- the sample rule sets' checks -------------------------------------------------------- */

const char *e2e_grade(const e2e_kpi_case *k, double v)
{
    if (isnan(v) || isinf(v)) return "no_data";
    if (!k->lower)
        return v >= k->target ? "met_target" : v >= k->minimum ? "met_minimum" : "below_minimum";
    return v <= k->target ? "met_target" : v <= k->minimum ? "met_minimum" : "below_minimum";
}

void e2e_check_value(const char *what, double got, double want)
{
    if (isnan(want)) {
        if (!isnan(got)) fail_msg("%s: engine %.17g, oracle has no value", what, got);
        return;
    }
    if (isnan(got) || !tu_close(got, want, TOL))
        fail_msg("%s: engine %.17g, oracle %.17g", what, got, want);
}

void e2e_check_period(const e2e_sample *s, const e2e_window *w, const e2e_window *prev)
{
    for (size_t i = 0; i < s->nkpis; i++) {
        const e2e_kpi_case *k = &s->kpis[i];
        const char *obj = e2e_kpi_of(s->ruleset, w->label, k->id);
        char what[128];
        snprintf(what, sizeof what, "%s %s", w->label, k->id);
        double want = e2e_window_oracle(s->oracle_db, w, k->sql);
        e2e_check_value(what, e2e_number_member(obj, "value", what), want);
        assert_true(e2e_number_member(obj, "minimum", what) == k->minimum);
        assert_true(e2e_number_member(obj, "target", what) == k->target);
        if (!e2e_string_is(e2e_member(obj, "status"), e2e_grade(k, want)))
            fail_msg("%s: status is not %s", what, e2e_grade(k, want));
        if (!prev) continue;
        snprintf(what, sizeof what, "%s %s previous", w->label, k->id);
        e2e_check_value(what, e2e_number_member(obj, "previous", what),
                        e2e_window_oracle(s->oracle_db, prev, k->sql));
    }
}

const e2e_kpi_case *e2e_case_of(const e2e_sample *s, const char *id)
{
    for (size_t i = 0; i < s->nkpis; i++)
        if (strcmp(s->kpis[i].id, id) == 0) return &s->kpis[i];
    fail_msg("no case for %s", id);
    return NULL;
}

static int additive(const e2e_sample *s, const char *id)
{
    for (size_t i = 0; i < s->nadditive; i++)
        if (strcmp(s->additive[i], id) == 0) return 1;
    return 0;
}

void e2e_check_items(const e2e_sample *s, const e2e_window *w, const e2e_item_case *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const e2e_item_case *c = &items[i];
        char what[160];
        snprintf(what, sizeof what, "%s[%s]", c->kpi, c->key);
        const char *item = e2e_with(
            e2e_member(e2e_kpi_of(s->ruleset, w->label, c->kpi), "breakdown"), "key", c->key);
        if (!item) fail_msg("%s: no such breakdown item", what);
        double want = e2e_window_oracle(s->oracle_db, w, c->sql);
        e2e_check_value(what, e2e_number_member(item, "value", what), want);
        const char *status = e2e_member(item, "status");
        if (additive(s, c->kpi)) {
            if (!status || strncmp(status, "null", 4) != 0)
                fail_msg("%s: status is not null", what);
        } else if (!e2e_string_is(status, e2e_grade(e2e_case_of(s, c->kpi), want))) {
            fail_msg("%s: status is not %s", what, e2e_grade(e2e_case_of(s, c->kpi), want));
        }
    }
}

/* ---- files ------------------------------------------------------------------------------ */

void e2e_make_folder(const char *name)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", tu_tmpdir(), name);
    if (mkdir(dir, 0777) != 0) fail_msg("mkdir %s", dir);
}

const char *e2e_path_in(const char *name, const char *rel)
{
    static char paths[8][600];
    static int next;
    char *p = paths[next++ & 7];
    snprintf(p, 600, "%s/%s/%s", tu_tmpdir(), name, rel);
    return p;
}

void e2e_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0) fail_msg("cannot write %s", path);
    fclose(f);
}
