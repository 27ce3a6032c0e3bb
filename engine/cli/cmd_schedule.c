/*
** cmd_schedule.c -- `kpiengine schedule FILE.lua [--from D] [--to D]`: the reviews of a
** rule set due between two dates (default: today and the 30 days after), each with the
** period it reviews, in due order. A campaigns review lists each campaign whose review
** (the day after its `after` window) falls in the range; only its source is read.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/kpi_alloc.h"
#include "lua/rules.h"
#include "model/campaign.h"
#include "model/schedule.h"
#include "out/agenda.h"

#define DEFAULT_DAYS_AHEAD 30

typedef struct schedule_args {
    const char *file, *from, *to, *review, *data_dir, *format, *output;
    int32_t from_day, to_day;
    int no_color, help;
} schedule_args;

/* The KPI ids of each review, and the campaigns read, owned while the agenda is shown. */
typedef struct agenda_data {
    const char **ids; /* nreviews x nkpis */
    size_t *idx;      /* room for nkpis indexes */
    size_t nkpis;
    campaign_list *campaigns; /* one per review (empty for schedules) */
    size_t nreviews;
} agenda_data;

static int schedule_option(int argc, char **argv, int *i, schedule_args *a)
{
    const char *arg = argv[*i];
    int r;
    if ((r = take_value(argc, argv, i, "--from", &a->from))) return r;
    if ((r = take_value(argc, argv, i, "--to", &a->to))) return r;
    if ((r = take_value(argc, argv, i, "--review", &a->review))) return r;
    if ((r = take_value(argc, argv, i, "--data", &a->data_dir))) return r;
    if ((r = take_value(argc, argv, i, "--format", &a->format))) return r;
    if ((r = take_value(argc, argv, i, "--output", &a->output))) return r;
    if ((r = take_value(argc, argv, i, "-o", &a->output))) return r;
    if ((r = take_flag(arg, "--no-color", &a->no_color))) return r;
    if ((r = take_flag(arg, "--help", &a->help))) return r;
    return take_flag(arg, "-h", &a->help);
}

static int check_dates(schedule_args *a)
{
    int rc;
    a->from_day = cli_today();
    if (a->from && (rc = parse_day_option("--from", a->from, &a->from_day)) != EXIT_DONE) return rc;
    a->to_day = a->from_day + DEFAULT_DAYS_AHEAD;
    if (a->to && (rc = parse_day_option("--to", a->to, &a->to_day)) != EXIT_DONE) return rc;
    if (a->to_day < a->from_day)
        return usage_error("schedule: --to %s is before --from %s", a->to,
                           a->from ? a->from : "(today)");
    if ((rc = check_data_dir(a->data_dir)) != EXIT_DONE) return rc;
    return check_input_file(a->file, "the rule set");
}

static int parse_schedule_args(int argc, char **argv, schedule_args *a)
{
    memset(a, 0, sizeof *a);
    a->format = "table";
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] != '\0') {
            int r = schedule_option(argc, argv, &i, a);
            if (r < 0) return EXIT_USAGE;
            if (r == 0) return usage_error("schedule: unknown option '%s'", arg);
        } else if (a->file) {
            return usage_error("schedule: one rule-set file expected, got '%s' and '%s'", a->file,
                               arg);
        } else {
            a->file = arg;
        }
    }
    if (a->help) return EXIT_DONE;
    if (!a->file)
        return usage_error("schedule: missing the rule-set file (kpiengine schedule FILE.lua)");
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "json") != 0)
        return usage_error("schedule: unknown format '%s' (expected one of: table, json)",
                           a->format);
    return check_dates(a);
}

/* Room for one more item. */
static agenda_item *add_item(agenda *ag, size_t *cap)
{
    if (ag->nitems == *cap) {
        size_t grown = *cap ? *cap * 2 : 32;
        agenda_item *items = kpi_realloc(ag->items, grown * sizeof *items);
        if (!items) return NULL;
        ag->items = items;
        *cap = grown;
    }
    agenda_item *it = &ag->items[ag->nitems++];
    memset(it, 0, sizeof *it);
    return it;
}

static int add_scheduled(agenda *ag, size_t *cap, const rules_review *v, agenda_item proto)
{
    size_t n = schedule_between(&v->schedule, ag->from, ag->to, NULL, 0);
    period *periods = kpi_calloc(n ? n : 1, sizeof *periods);
    if (!periods) return -1;
    schedule_between(&v->schedule, ag->from, ag->to, periods, n);
    for (size_t i = 0; i < n; i++) {
        agenda_item *it = add_item(ag, cap);
        if (!it) {
            kpi_free(periods);
            return -1;
        }
        *it = proto;
        it->period = periods[i];
        it->due = schedule_due(&v->schedule, periods[i]);
    }
    kpi_free(periods);
    return 0;
}

static int add_campaigns(agenda *ag, size_t *cap, const rules_review *v, const campaign_list *l,
                         agenda_item proto)
{
    for (size_t i = 0; i < l->n; i++) {
        const campaign *c = &l->items[i];
        int32_t due = campaign_due(c, v->after);
        if (due < ag->from || due > ag->to) continue;
        agenda_item *it = add_item(ag, cap);
        if (!it) return -1;
        *it = proto;
        it->campaign = c->name;
        it->due = due;
        it->period = (period){GRAIN_RANGE, c->start - v->before, c->end + 1 + v->after};
    }
    return 0;
}

/* Read review v's campaigns source into *l. EXIT_DONE, or the error's exit code. */
static int read_campaigns(rules *rs, const rules_review *v, campaign_list *l)
{
    kpi_error err;
    kpi_error_clear(&err);
    const table *t = rules_source_table(rs, v->campaigns, &err);
    const char *path = rules_source_path(rs, v->campaigns);
    if (!t || campaign_list_load(t, v->campaigns, path ? path : v->file, l, &err) != 0)
        return engine_error(&err);
    return EXIT_DONE;
}

/* Every review's items (or --review's only) into ag. An exit code. */
static int build_agenda(const schedule_args *a, rules *rs, agenda *ag, agenda_data *data)
{
    size_t cap = 0;
    for (size_t r = 0; r < data->nreviews; r++) {
        rules_review v;
        rules_review_get(rs, r, &v);
        if (a->review && strcmp(a->review, v.name) != 0) continue;
        const char **ids = data->ids + r * data->nkpis;
        size_t n = rules_review_kpis(rs, v.name, data->idx);
        for (size_t k = 0; k < n; k++)
            ids[k] = rules_kpi_id(rs, data->idx[k]);
        agenda_item proto = {0, v.name, v.title, NULL, {GRAIN_RANGE, 0, 0}, ids, n, r};
        int rc = EXIT_DONE;
        if (v.is_campaigns && (rc = read_campaigns(rs, &v, &data->campaigns[r])) != EXIT_DONE)
            return rc;
        if (v.is_campaigns ? add_campaigns(ag, &cap, &v, &data->campaigns[r], proto)
                           : add_scheduled(ag, &cap, &v, proto)) {
            fputs("kpiengine: out of memory\n", stderr);
            return EXIT_DATA;
        }
    }
    agenda_sort(ag);
    return EXIT_DONE;
}

static int show(const schedule_args *a, const agenda *ag)
{
    render_options ro = {cli_use_color(a->no_color, a->output), NULL};
    size_t len = 0;
    char *text = strcmp(a->format, "json") == 0 ? render_agenda_json(ag, &len)
                                                : render_agenda_table(ag, &ro, &len);
    if (!text) {
        fputs("kpiengine: out of memory while rendering the schedule\n", stderr);
        return EXIT_DATA;
    }
    int rc = write_output(a->output, text, len);
    kpi_free(text);
    return rc;
}

static int check_review(const schedule_args *a, const rules *rs)
{
    rules_review v;
    const char *hint = NULL;
    if (!a->review || rules_review_find(rs, a->review, &v, &hint) == 0) return EXIT_DONE;
    char near[200] = "";
    if (hint) snprintf(near, sizeof near, " (did you mean '%s'?)", hint);
    return usage_error("--review: %s has no review '%s'%s", a->file, a->review, near);
}

static int schedule_rules(const schedule_args *a, rules *rs)
{
    int rc = check_review(a, rs);
    if (rc != EXIT_DONE) return rc;
    agenda ag = {rules_name(rs), a->file, a->from_day, a->to_day, NULL, 0};
    agenda_data data = {NULL, NULL, rules_kpi_count(rs), NULL, rules_review_count(rs)};
    data.ids = kpi_calloc(data.nreviews * data.nkpis + 1, sizeof *data.ids);
    data.idx = kpi_calloc(data.nkpis + 1, sizeof *data.idx);
    data.campaigns = kpi_calloc(data.nreviews + 1, sizeof *data.campaigns);
    if (!data.ids || !data.idx || !data.campaigns) {
        fputs("kpiengine: out of memory\n", stderr);
        rc = EXIT_DATA;
    }
    if (rc == EXIT_DONE) rc = build_agenda(a, rs, &ag, &data);
    if (rc == EXIT_DONE) rc = show(a, &ag);
    for (size_t r = 0; data.campaigns && r < data.nreviews; r++)
        campaign_list_free(&data.campaigns[r]);
    kpi_free(data.campaigns);
    kpi_free(data.ids);
    kpi_free(data.idx);
    kpi_free(ag.items);
    return rc;
}

int cmd_schedule(int argc, char **argv)
{
    schedule_args a;
    int rc = parse_schedule_args(argc, argv, &a);
    if (rc != EXIT_DONE) return rc;
    if (a.help) {
        cli_help();
        return EXIT_DONE;
    }
    rules_options ro;
    rules_options_init(&ro);
    ro.data_dir = a.data_dir;
    kpi_error err;
    kpi_error_clear(&err);
    rules *rs = rules_open(a.file, &ro, &err);
    if (!rs) return engine_error(&err);
    rc = schedule_rules(&a, rs);
    rules_close(rs);
    return rc;
}
