/*
** campaign.c -- campaigns from a loaded table, and their windows; see campaign.h.
*/
#include "model/campaign.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/kpi_alloc.h"

const char *campaign_window_name(campaign_window w)
{
    switch (w) {
    case WINDOW_BEFORE:
        return "before";
    case WINDOW_DURING:
        return "during";
    default:
        return "after";
    }
}

static int column_of(const table *t, const char *name, const char *source, const char *file,
                     kpi_error *err)
{
    int c = table_find(t, name);
    if (c < 0)
        kpi_error_set(err, KPI_EDATA, file, 0, 0,
                      "campaigns source '%s' has no column '%s' (it needs name, start and end)",
                      source, name);
    return c;
}

/* Row i of column c as a day: dates, timestamps (their day) or ISO text. 0 or -1. */
static int day_at(const column *c, size_t i, int32_t *day)
{
    if (!column_is_valid(c, i)) return -1;
    switch (c->type) {
    case COL_DATE:
        *day = c->v.date[i];
        return 0;
    case COL_TIMESTAMP:
        *day = date_of_timestamp(c->v.i64[i]);
        return 0;
    case COL_STRING: {
        const char *s = dict_str(c->dict, column_code(c, i));
        return date_parse_iso(s, strlen(s), day) == 0 ? 0 : -1;
    }
    default:
        return -1;
    }
}

/* Row i of column c as text into buf, and as a number when it is one. */
static void text_at(const column *c, size_t i, char *buf, size_t size, campaign_field *f)
{
    buf[0] = '\0';
    if (!column_is_valid(c, i)) return;
    f->is_number = c->type == COL_INT64 || c->type == COL_FLOAT64 || c->type == COL_DECIMAL;
    f->number = column_number(c, i);
    switch (c->type) {
    case COL_INT64:
        snprintf(buf, size, "%" PRId64, c->v.i64[i]);
        break;
    case COL_FLOAT64:
        snprintf(buf, size, "%.15g", c->v.f64[i]);
        break;
    case COL_DECIMAL:
        snprintf(buf, size, "%.*f", c->scale, f->number);
        break;
    case COL_DATE:
        date_format_iso(c->v.date[i], buf);
        break;
    case COL_TIMESTAMP:
        date_format_timestamp(c->v.i64[i], buf);
        break;
    case COL_STRING:
        snprintf(buf, size, "%s", dict_str(c->dict, column_code(c, i)));
        break;
    case COL_BOOL:
        snprintf(buf, size, "%s", c->v.b[i] ? "true" : "false");
        break;
    }
}

static int load_fields(const table *t, size_t row, const int *skip, campaign *c)
{
    c->fields = kpi_calloc(t->ncols ? t->ncols : 1, sizeof *c->fields);
    if (!c->fields) return -1;
    for (size_t j = 0; j < t->ncols; j++) {
        if ((int)j == skip[0] || (int)j == skip[1] || (int)j == skip[2]) continue;
        campaign_field *f = &c->fields[c->nfields++];
        char text[512];
        f->column = t->cols[j].name;
        text_at(&t->cols[j], row, text, sizeof text, f);
        if (!(f->text = kpi_strdup(text))) return -1;
    }
    return 0;
}

static int bad_row(kpi_error *err, const char *file, const char *source, size_t row,
                   const char *what)
{
    return kpi_error_set(err, KPI_EDATA, file, 0, 0, "campaigns source '%s', row %zu: %s", source,
                         row + 1, what);
}

static int load_row(const table *t, size_t row, const int *cols, const char *source,
                    const char *file, campaign *c, kpi_error *err)
{
    const column *name = &t->cols[cols[0]];
    char text[512];
    campaign_field unused;
    text_at(name, row, text, sizeof text, &unused);
    if (!text[0]) return bad_row(err, file, source, row, "the campaign has no name");
    if (!(c->name = kpi_strdup(text))) goto oom;
    if (day_at(&t->cols[cols[1]], row, &c->start) != 0)
        return bad_row(err, file, source, row, "start is not a date (expected YYYY-MM-DD)");
    if (day_at(&t->cols[cols[2]], row, &c->end) != 0)
        return bad_row(err, file, source, row, "end is not a date (expected YYYY-MM-DD)");
    if (c->end < c->start)
        return bad_row(err, file, source, row, "the campaign ends before it starts");
    if (load_fields(t, row, cols, c) != 0) goto oom;
    return 0;
oom:
    return kpi_error_set(err, KPI_ENOMEM, file, 0, 0, "out of memory reading the campaigns");
}

int campaign_list_load(const table *t, const char *source, const char *file, campaign_list *out,
                       kpi_error *err)
{
    memset(out, 0, sizeof *out);
    int cols[3];
    const char *names[3] = {"name", "start", "end"};
    for (int i = 0; i < 3; i++)
        if ((cols[i] = column_of(t, names[i], source, file, err)) < 0) return -1;
    out->items = kpi_calloc(t->nrows ? t->nrows : 1, sizeof *out->items);
    if (!out->items)
        return kpi_error_set(err, KPI_ENOMEM, file, 0, 0, "out of memory reading the campaigns");
    for (size_t row = 0; row < t->nrows; row++) {
        out->n++;
        if (load_row(t, row, cols, source, file, &out->items[row], err) != 0) return -1;
    }
    return 0;
}

void campaign_list_free(campaign_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        campaign *c = &l->items[i];
        for (size_t j = 0; j < c->nfields; j++)
            kpi_free(c->fields[j].text);
        kpi_free(c->fields);
        kpi_free(c->name);
    }
    kpi_free(l->items);
    l->items = NULL;
    l->n = 0;
}

const campaign *campaign_find(const campaign_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0) return &l->items[i];
    return NULL;
}

int campaign_window_period(const campaign *c, campaign_window w, int before, int after, period *out)
{
    out->grain = GRAIN_RANGE;
    switch (w) {
    case WINDOW_BEFORE:
        out->start = c->start - before;
        out->stop = c->start;
        return before > 0;
    case WINDOW_DURING:
        out->start = c->start;
        out->stop = c->end + 1;
        return 1;
    default:
        out->start = c->end + 1;
        out->stop = c->end + 1 + after;
        return after > 0;
    }
}

int32_t campaign_due(const campaign *c, int after)
{
    return c->end + after + 1;
}

/* ---- a campaign review's results ---------------------------------------------------------- */

void campaign_review_free(campaign_review *r)
{
    for (size_t i = 0; i < r->n; i++)
        for (int w = 0; w < WINDOW_COUNT; w++)
            report_free(&r->items[i].rep[w]);
    kpi_free(r->items);
    r->items = NULL;
    r->n = 0;
}

const report *campaign_kpis(const campaign_result *cr)
{
    return &cr->rep[WINDOW_DURING];
}

/* The value of KPI k in window w, per day when per_day. 1 and *v, or 0. */
static int window_value(const campaign_result *cr, campaign_window w, size_t k, int per_day,
                        double *v)
{
    if (!cr->has[w] || k >= cr->rep[w].nkpis) return 0;
    const kpi_result *r = &cr->rep[w].kpis[k];
    if (!r->has_value || !isfinite(r->value)) return 0;
    int32_t days = period_days(cr->window[w]);
    *v = per_day ? r->value / (days > 0 ? days : 1) : r->value;
    return 1;
}

int campaign_change(const campaign_result *cr, size_t k, double *change, int *per_day)
{
    const report *kpis = campaign_kpis(cr);
    *per_day = k < kpis->nkpis && kpis->kpis[k].additive;
    double before, after;
    if (!window_value(cr, WINDOW_BEFORE, k, *per_day, &before) ||
        !window_value(cr, WINDOW_AFTER, k, *per_day, &after) || before == 0)
        return 0;
    *change = (after - before) / fabs(before);
    return isfinite(*change);
}
