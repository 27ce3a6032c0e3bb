/*
** history.c -- reading a rule set's history from the store into series; see history.h.
**
** store_history hands over rows KPI by KPI, then grain by grain, oldest period first,
** so a new series starts whenever the KPI or the grain changes.
*/
#include "out/history.h"

#include <math.h>
#include <string.h>

#include "core/kpi_alloc.h"

typedef struct loader {
    history *h;
    size_t cap_series, cap_points;
    int failed;
} loader;

static char *copy(loader *l, const char *s)
{
    char *c = kpi_strdup(s ? s : "");
    if (!c) l->failed = 1;
    return c;
}

static history_series *series_for(loader *l, const store_history_row *row)
{
    history *h = l->h;
    history_series *last = h->nseries ? &h->series[h->nseries - 1] : NULL;
    if (last && strcmp(last->kpi, row->kpi) == 0 && strcmp(last->grain, row->period_grain) == 0)
        return last;
    if (h->nseries == l->cap_series) {
        size_t cap = l->cap_series ? l->cap_series * 2 : 8;
        history_series *grown = kpi_realloc(h->series, cap * sizeof *grown);
        if (!grown) return NULL;
        h->series = grown;
        l->cap_series = cap;
    }
    history_series *s = &h->series[h->nseries++];
    memset(s, 0, sizeof *s);
    l->cap_points = 0;
    s->kpi = copy(l, row->kpi);
    s->title = copy(l, row->title);
    s->unit = copy(l, row->unit);
    s->grain = copy(l, row->period_grain);
    s->better = row->better;
    return s;
}

static int add_row(const store_history_row *row, void *ud)
{
    loader *l = ud;
    history_series *s = series_for(l, row);
    if (!s) return 1;
    if (s->npoints == l->cap_points) {
        size_t cap = l->cap_points ? l->cap_points * 2 : 16;
        history_point *grown = kpi_realloc(s->points, cap * sizeof *grown);
        if (!grown) return 1;
        s->points = grown;
        l->cap_points = cap;
    }
    history_point *p = &s->points[s->npoints++];
    memset(p, 0, sizeof *p);
    p->label = copy(l, row->period_label);
    p->start = copy(l, row->period_start);
    p->end = copy(l, row->period_end);
    p->as_of = row->as_of ? copy(l, row->as_of) : NULL;
    p->started = copy(l, row->started);
    p->has_value = row->has_value;
    p->value = row->value;
    p->minimum = row->minimum;
    p->target = row->target;
    p->status = row->status;
    p->run_id = row->run_id;
    return l->failed;
}

int history_load(store *s, const char *ruleset, const char *kpi, int last, history *h,
                 kpi_error *err)
{
    loader l = {h, 0, 0, 0};
    int rc = store_history(s, ruleset, kpi, last, add_row, &l, err);
    if (rc > 0 || l.failed)
        return kpi_error_set(err, KPI_ENOMEM, store_path(s), 0, 0,
                             "out of memory reading the history");
    return rc;
}

void history_free(history *h)
{
    for (size_t i = 0; i < h->nseries; i++) {
        history_series *s = &h->series[i];
        for (size_t j = 0; j < s->npoints; j++) {
            history_point *p = &s->points[j];
            kpi_free(p->label);
            kpi_free(p->start);
            kpi_free(p->end);
            kpi_free(p->as_of);
            kpi_free(p->started);
        }
        kpi_free(s->points);
        kpi_free(s->kpi);
        kpi_free(s->title);
        kpi_free(s->unit);
        kpi_free(s->grain);
    }
    kpi_free(h->series);
    h->series = NULL;
    h->nseries = 0;
}
