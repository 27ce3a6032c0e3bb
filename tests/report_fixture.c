/*
** report_fixture.c -- hand-built reports for the renderer tests (see report_fixture.h).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "report_fixture.h"

period rf_month_2024_08(void)
{
    period p = {GRAIN_MONTH, date_from_civil(2024, 8, 1), date_from_civil(2024, 9, 1)};
    return p;
}

void rf_start_report(report *r, const char *name, const char *locale)
{
    rf_start_report_in(r, name, "kpis/retail.lua", rf_month_2024_08(), locale);
}

void rf_start_report_in(report *r, const char *name, const char *file, period p, const char *locale)
{
    memset(r, 0, sizeof *r);
    r->ruleset = kpi_strdup(name);
    r->file = kpi_strdup(file);
    r->currency = kpi_strdup("VND");
    r->locale = kpi_strdup(locale);
    r->period = p;
}

kpi_result *rf_add_kpi(report *r, const char *id, const char *title, const char *unit,
                       kpi_better better, double minimum, double target)
{
    r->kpis = kpi_realloc(r->kpis, (r->nkpis + 1) * sizeof *r->kpis);
    assert_non_null(r->kpis);
    kpi_result *k = &r->kpis[r->nkpis++];
    memset(k, 0, sizeof *k);
    k->id = kpi_strdup(id);
    k->title = kpi_strdup(title ? title : id);
    k->unit = kpi_strdup(unit);
    k->owner = kpi_strdup("");
    k->review = kpi_strdup("");
    k->better = better;
    k->minimum = minimum;
    k->target = target;
    return k;
}

void rf_set_value(kpi_result *k, double value, kpi_status status)
{
    k->has_value = 1;
    k->value = value;
    k->status = status;
}

void rf_set_previous(kpi_result *k, double previous, double change)
{
    k->has_previous = 1;
    k->previous = previous;
    k->has_change = 1;
    k->change = change;
}

void rf_set_text(char **field, const char *text)
{
    kpi_free(*field);
    *field = kpi_strdup(text);
}

breakdown_item *rf_add_item(kpi_result *k, const char *key, double value, kpi_status status)
{
    k->items = kpi_realloc(k->items, (k->nitems + 1) * sizeof *k->items);
    assert_non_null(k->items);
    breakdown_item *item = &k->items[k->nitems++];
    memset(item, 0, sizeof *item);
    item->key = kpi_strdup(key);
    item->has_value = 1;
    item->value = value;
    item->status = status;
    item->graded = 1;
    return item;
}

void rf_set_history(kpi_result *k, const double *values, size_t n)
{
    k->history = kpi_malloc(n * sizeof *k->history);
    assert_non_null(k->history);
    memcpy(k->history, values, n * sizeof *values);
    k->nhistory = n;
}

void rf_end_report(report *r)
{
    for (size_t i = 0; i < r->nkpis; i++) {
        kpi_free(r->kpis[i].history);
        r->kpis[i].history = NULL;
        r->kpis[i].nhistory = 0;
    }
    report_free(r);
}
