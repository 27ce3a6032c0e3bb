/*
** cmd_diff.c -- `kpiengine diff A.lua B.lua [--data DIR] [--period P] [--format
** table|json] [-o FILE]`: what differs between two rule sets (lua/rulediff.h), and,
** with --data or --period, each KPI's value and status in both for one period.
**
** Without --data each rule set reads its sources from its own folder; with --data DIR
** both read DIR. Without --period the period is A's default (the latest complete one).
**
** Exit, as diff(1): 0 the rule sets are the same (and so are the values, when
** evaluated); 1 they differ; 2 usage; 3 a script error in either; 4 a data error.
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/kpi_alloc.h"
#include "lua/rulediff.h"
#include "out/textfmt.h"
#include "run.h"

typedef struct diff_args {
    const char *file_a, *file_b;
    const char *data_dir, *period, *format, *output;
    int verbose, help;
} diff_args;

/* The two reports of an evaluation (evaluated = 0 when none was asked for). */
typedef struct diff_values {
    int evaluated;
    report a, b;
} diff_values;

static int diff_option(int argc, char **argv, int *i, diff_args *a)
{
    const char *arg = argv[*i];
    int r;
    if ((r = take_value(argc, argv, i, "--data", &a->data_dir))) return r;
    if ((r = take_value(argc, argv, i, "--period", &a->period))) return r;
    if ((r = take_value(argc, argv, i, "--format", &a->format))) return r;
    if ((r = take_value(argc, argv, i, "--output", &a->output))) return r;
    if ((r = take_value(argc, argv, i, "-o", &a->output))) return r;
    if ((r = take_flag(arg, "--verbose", &a->verbose))) return r;
    if ((r = take_flag(arg, "--help", &a->help))) return r;
    return take_flag(arg, "-h", &a->help);
}

static int parse_diff_args(int argc, char **argv, diff_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = "table";
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = diff_option(argc, argv, &i, a);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("diff: unknown option '%s'", arg);
        } else if (!a->file_a) {
            a->file_a = arg;
        } else if (!a->file_b) {
            a->file_b = arg;
        } else {
            return usage_error("diff: two rule sets expected, got a third: '%s'", arg);
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file_b) return usage_error("diff: two rule sets expected (kpiengine diff A.lua B.lua)");
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0)
        return usage_error("diff: unknown format '%s' (expected table or json)", a->format);
    int rc = check_input_file(a->file_a, "the rule set");
    if (rc == EXIT_DONE) rc = check_input_file(a->file_b, "the rule set");
    if (rc == EXIT_DONE) rc = check_data_dir(a->data_dir);
    return rc;
}

/* ---- evaluating both ------------------------------------------------------------------ */

static int evaluate_both(const diff_args *da, rules *ra, rules *rb, diff_values *v)
{
    kpi_error err;
    kpi_error_clear(&err);
    period p;
    if (da->period && period_parse(da->period, &p, &err) != 0)
        return usage_error("--period: %s", err.message);
    if (!da->period && rules_default_period(ra, &p, &err) != 0) return engine_error(&err);
    run_args a;
    memset(&a, 0, sizeof a);
    a.verbose = da->verbose;
    a.file = da->file_a;
    int rc = run_evaluate(&a, ra, p, &v->a);
    a.file = da->file_b;
    if (rc == EXIT_DONE) rc = run_evaluate(&a, rb, p, &v->b);
    v->evaluated = 1;
    return rc;
}

static const kpi_result *result_of(const report *r, const char *id)
{
    for (size_t i = 0; i < r->nkpis; i++)
        if (strcmp(r->kpis[i].id, id) == 0) return &r->kpis[i];
    return NULL;
}

/* Whether KPI a (or NULL) and b (or NULL) have the same value and status. */
static int same_result(const kpi_result *a, const kpi_result *b)
{
    if (!a || !b) return a == b;
    if (a->status != b->status || a->has_value != b->has_value) return 0;
    return !a->has_value || a->value == b->value;
}

/* Call f for every KPI of A, then those only B has. Returns how many differ. */
static size_t each_kpi(const diff_values *v, textbuf *out, const char *currency,
                       void (*f)(textbuf *, const char *, const kpi_result *, const kpi_result *,
                                 const char *))
{
    size_t differ = 0;
    for (int side = 0; side < 2; side++) {
        const report *r = side ? &v->b : &v->a;
        for (size_t i = 0; i < r->nkpis; i++) {
            const char *id = r->kpis[i].id;
            if (side && result_of(&v->a, id)) continue;
            const kpi_result *a = result_of(&v->a, id), *b = result_of(&v->b, id);
            int same = same_result(a, b);
            differ += !same;
            if (f) f(out, id, a, b, currency);
        }
    }
    return differ;
}

/* ---- the table format -------------------------------------------------------------------- */

static const char *value_cell(const kpi_result *k, const char *currency, char *buf, size_t size)
{
    char num[64];
    if (!k) return snprintf(buf, size, "-"), buf;
    if (!k->has_value) return snprintf(buf, size, "no data"), buf;
    snprintf(buf, size, "%s %s", text_unit_value(k->value, k->unit, currency, num, sizeof num),
             status_name(k->status));
    return buf;
}

static void table_row(textbuf *out, const char *id, const kpi_result *a, const kpi_result *b,
                      const char *currency)
{
    char ca[128], cb[128], change[192] = "";
    value_cell(a, currency, ca, sizeof ca);
    value_cell(b, currency, cb, sizeof cb);
    if (a && b && a->has_value && b->has_value && a->value != b->value) {
        char d[64], pct[32] = "";
        text_unit_value(b->value - a->value, a->unit, currency, d, sizeof d);
        if (a->value != 0) text_change((b->value - a->value) / fabs(a->value), pct, sizeof pct);
        snprintf(change, sizeof change, "%s%s%s%s%s", b->value > a->value ? "+" : "", d,
                 pct[0] ? " (" : "", pct, pct[0] ? ")" : "");
    } else if (!same_result(a, b)) {
        snprintf(change, sizeof change, "changed");
    }
    textbuf_printf(out, "  %-24s %-30s %-30s %s\n", id, ca, cb, change);
}

static void table_item(textbuf *out, const rulediff_item *it)
{
    const char *kind = rulediff_kind_name(it->kind);
    if (it->change == RD_ADDED) {
        textbuf_printf(out, "+ %s %s (%s)\n", kind, it->name, it->at_b ? it->at_b : "?");
    } else if (it->change == RD_REMOVED) {
        textbuf_printf(out, "- %s %s (%s)\n", kind, it->name, it->at_a ? it->at_a : "?");
    } else if (it->change == RD_FORMULA) {
        textbuf_printf(out, "~ kpi %s: formula changed (%s): %s -> %s\n", it->name, it->field,
                       it->a, it->b);
    } else if (it->kind == RD_KPI && it->field &&
               (!strcmp(it->field, "value") || !strcmp(it->field, "breakdown"))) {
        textbuf_printf(out, "~ kpi %s: %s: %s%s -> %s%s\n", it->name, it->field,
                       it->a ? "function at " : "(none)", it->a ? it->a : "",
                       it->b ? "function at " : "(none)", it->b ? it->b : "");
    } else {
        const char *q = it->literal ? "" : "\"";
        textbuf_printf(out, "~ %s %s%s%s: ", kind, it->name, it->field ? ": " : "",
                       it->field ? it->field : "");
        if (it->a)
            textbuf_printf(out, "%s%s%s -> ", q, it->a, q);
        else
            textbuf_puts(out, "(none) -> ");
        if (it->b)
            textbuf_printf(out, "%s%s%s\n", q, it->b, q);
        else
            textbuf_puts(out, "(none)\n");
    }
}

static void render_table(textbuf *out, const diff_args *da, const rulediff *d, const diff_values *v,
                         const char *currency)
{
    if (d->n) textbuf_printf(out, "--- %s\n+++ %s\n", da->file_a, da->file_b);
    for (size_t i = 0; i < d->n; i++)
        table_item(out, &d->items[i]);
    if (d->n == 0)
        textbuf_puts(out, "no differences in the declarations\n");
    else
        textbuf_printf(out, "%zu difference%s\n", d->n, d->n == 1 ? "" : "s");
    if (!v->evaluated) return;
    char label[64];
    textbuf_printf(out, "\nvalues for %s:\n  %-24s %-30s %-30s %s\n",
                   period_label(v->a.period, label, sizeof label), "kpi", "A", "B", "change");
    size_t n = each_kpi(v, out, currency, table_row);
    if (n == 0)
        textbuf_puts(out, "no differences in the values\n");
    else
        textbuf_printf(out, "%zu KPI%s differ%s\n", n, n == 1 ? "" : "s", n == 1 ? "s" : "");
}

/* ---- the json format ------------------------------------------------------------------------ */

static void json_value(textbuf *out, const rulediff_item *it, const char *v)
{
    if (v && it->literal)
        textbuf_puts(out, v);
    else
        text_json_string(out, v);
}

static void json_item(textbuf *out, const rulediff_item *it, int first)
{
    textbuf_puts(out, first ? "\n    {\"kind\": " : ",\n    {\"kind\": ");
    text_json_string(out, rulediff_kind_name(it->kind));
    textbuf_puts(out, ", \"name\": ");
    text_json_string(out, it->name);
    textbuf_puts(out, ", \"change\": ");
    text_json_string(out, rulediff_change_name(it->change));
    textbuf_puts(out, ", \"field\": ");
    text_json_string(out, it->field);
    textbuf_puts(out, ", \"a\": ");
    json_value(out, it, it->a);
    textbuf_puts(out, ", \"b\": ");
    json_value(out, it, it->b);
    textbuf_puts(out, ", \"at_a\": ");
    text_json_string(out, it->at_a);
    textbuf_puts(out, ", \"at_b\": ");
    text_json_string(out, it->at_b);
    textbuf_puts(out, "}");
}

static void json_side(textbuf *out, const kpi_result *k)
{
    if (!k) {
        textbuf_puts(out, "null");
        return;
    }
    textbuf_puts(out, "{\"value\": ");
    text_json_number(out, k->has_value, k->value);
    textbuf_puts(out, ", \"status\": ");
    text_json_string(out, status_name(k->status));
    textbuf_puts(out, "}");
}

static void json_row(textbuf *out, const char *id, const kpi_result *a, const kpi_result *b,
                     const char *currency)
{
    (void)currency; /* the same row function as the table's */
    int has_change = a && b && a->has_value && b->has_value;
    textbuf_puts(out, out->len && out->data[out->len - 1] == '[' ? "\n    {\"id\": "
                                                                 : ",\n    {\"id\": ");
    text_json_string(out, id);
    textbuf_puts(out, ", \"a\": ");
    json_side(out, a);
    textbuf_puts(out, ", \"b\": ");
    json_side(out, b);
    textbuf_puts(out, ", \"change\": ");
    text_json_number(out, has_change, has_change ? b->value - a->value : 0);
    textbuf_printf(out, ", \"same\": %s}", same_result(a, b) ? "true" : "false");
}

static void render_json(textbuf *out, const diff_args *da, const rulediff *d, const diff_values *v,
                        int same)
{
    textbuf_puts(out, "{\"a\": ");
    text_json_string(out, da->file_a);
    textbuf_puts(out, ", \"b\": ");
    text_json_string(out, da->file_b);
    textbuf_printf(out, ", \"same\": %s,\n  \"differences\": [", same ? "true" : "false");
    for (size_t i = 0; i < d->n; i++)
        json_item(out, &d->items[i], i == 0);
    textbuf_puts(out, d->n ? "\n  ]" : "]");
    if (v->evaluated) {
        char label[64];
        textbuf_puts(out, ",\n  \"period\": ");
        text_json_string(out, period_label(v->a.period, label, sizeof label));
        textbuf_puts(out, ",\n  \"values\": [");
        each_kpi(v, out, NULL, json_row);
        textbuf_puts(out, "\n  ]");
    }
    textbuf_puts(out, "}\n");
}

/* ---- the command ---------------------------------------------------------------------------- */

static int open_both(const diff_args *da, rules **ra, rules **rb)
{
    rules_options ro;
    rules_options_init(&ro);
    ro.data_dir = da->data_dir;
    ro.verbose = da->verbose;
    kpi_error err;
    kpi_error_clear(&err);
    if (!(*ra = rules_open(da->file_a, &ro, &err))) return engine_error(&err);
    if (!(*rb = rules_open(da->file_b, &ro, &err))) return engine_error(&err);
    return EXIT_DONE;
}

static int compare(const diff_args *da, rules *ra, rules *rb)
{
    rulediff d;
    diff_values v;
    memset(&v, 0, sizeof v);
    kpi_error err;
    kpi_error_clear(&err);
    if (rulediff_compare(ra, rb, &d, &err) != 0) return engine_error(&err);
    int rc = da->data_dir || da->period ? evaluate_both(da, ra, rb, &v) : EXIT_DONE;
    textbuf out;
    textbuf_init(&out);
    int same = d.n == 0 && (!v.evaluated || each_kpi(&v, NULL, NULL, NULL) == 0);
    if (rc == EXIT_DONE && strcmp(da->format, "json") == 0)
        render_json(&out, da, &d, &v, same);
    else if (rc == EXIT_DONE)
        render_table(&out, da, &d, &v, rules_currency(ra));
    size_t len = 0;
    char *text = textbuf_finish(&out, &len);
    if (rc == EXIT_DONE && !text) {
        fputs("kpiengine: out of memory while writing the differences\n", stderr);
        rc = EXIT_DATA;
    }
    if (rc == EXIT_DONE) rc = write_output(da->output, text, len);
    if (rc == EXIT_DONE && !same) rc = 1;
    kpi_free(text);
    report_free(&v.a);
    report_free(&v.b);
    rulediff_free(&d);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    diff_args da;
    int rc = parse_diff_args(argc, argv, &da);
    if (rc != EXIT_DONE) return rc;
    if (da.help) {
        cli_help();
        return EXIT_DONE;
    }
    rules *ra = NULL, *rb = NULL;
    rc = open_both(&da, &ra, &rb);
    if (rc == EXIT_DONE) rc = compare(&da, ra, rb);
    rules_close(ra);
    rules_close(rb);
    return rc;
}
