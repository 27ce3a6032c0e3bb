/*
** store_read.c -- reading the results store back: the history of a rule set's KPIs, a
** KPI's value for a period, and the previous values and recent history of a report;
** see store.h.
*/
#include <math.h>
#include <string.h>

#include "core/kpi_alloc.h"
#include "out/store_impl.h"

/*
** The latest run of each (KPI, grain, period) wins, a run of the whole period before
** one of a period in progress (as_of set: a value to date); `age` counts a KPI's
** periods back from the newest, for last_n; `kpi_order` is the KPI's place in the
** newest run that has it, so KPIs come in rule-set order.
*/
static const char history_sql[] =
    "WITH latest AS ("
    "  SELECT r.kpi, r.position, r.title, r.unit, r.better, u.period_grain, r.period_label,"
    "         u.period_start, u.period_end, r.value, r.minimum, r.target, r.status, r.reason,"
    "         u.id AS run_id, u.started, u.as_of,"
    "         row_number() OVER (PARTITION BY r.kpi, u.period_grain, r.period_label"
    "                            ORDER BY u.as_of IS NULL DESC, u.id DESC) AS newest"
    "  FROM results r JOIN runs u ON u.id = r.run_id"
    "  WHERE u.ruleset = ?1 AND (?2 IS NULL OR r.kpi = ?2)"
    "), ranked AS ("
    "  SELECT *, row_number() OVER (PARTITION BY kpi, period_grain"
    "                               ORDER BY period_start DESC, period_end DESC) AS age,"
    "         first_value(position) OVER (PARTITION BY kpi ORDER BY run_id DESC) AS kpi_order"
    "  FROM latest WHERE newest = 1"
    ")"
    "SELECT kpi, title, unit, better, period_grain, period_label, period_start, period_end,"
    "       value, minimum, target, status, reason, run_id, started, as_of"
    " FROM ranked WHERE ?3 <= 0 OR age <= ?3"
    " ORDER BY kpi_order, kpi, period_grain, period_start, period_end";

static const char previous_sql[] =
    "SELECT r.value FROM results r JOIN runs u ON u.id = r.run_id"
    " WHERE u.ruleset = ?1 AND u.period_grain = ?2 AND u.period_label = ?3 AND r.kpi = ?4"
    "   AND u.as_of IS NULL"
    " ORDER BY u.id DESC LIMIT 1";

static kpi_status status_parse(const char *text)
{
    static const kpi_status all[] = {STATUS_NO_DATA, STATUS_BELOW_MINIMUM, STATUS_MET_MINIMUM,
                                     STATUS_MET_TARGET};
    for (size_t i = 0; text && i < sizeof all / sizeof *all; i++)
        if (strcmp(text, status_name(all[i])) == 0) return all[i];
    return STATUS_NO_DATA;
}

static const char *sql_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

static double sql_number(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

static void history_row(sqlite3_stmt *st, store_history_row *row)
{
    const char *better = sql_text(st, 3);
    row->kpi = sql_text(st, 0);
    row->title = sql_text(st, 1);
    row->unit = sql_text(st, 2);
    row->better = better && strcmp(better, "lower") == 0 ? BETTER_LOWER : BETTER_HIGHER;
    row->period_grain = sql_text(st, 4);
    row->period_label = sql_text(st, 5);
    row->period_start = sql_text(st, 6);
    row->period_end = sql_text(st, 7);
    row->has_value = sqlite3_column_type(st, 8) != SQLITE_NULL;
    row->value = sql_number(st, 8);
    row->minimum = sql_number(st, 9);
    row->target = sql_number(st, 10);
    row->status = row->has_value ? status_parse(sql_text(st, 11)) : STATUS_NO_DATA;
    row->reason = sql_text(st, 12);
    row->run_id = sqlite3_column_int64(st, 13);
    row->started = sql_text(st, 14);
    row->as_of = sql_text(st, 15);
}

int store_history(store *s, const char *ruleset, const char *kpi, int last_n, store_history_cb cb,
                  void *ud, kpi_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, history_sql, -1, &st, NULL);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 1, ruleset);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 2, kpi);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 3, last_n);
    int stopped = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_history_row row;
        history_row(st, &row);
        if ((stopped = cb(&row, ud)) != 0) break;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (stopped) return stopped;
    return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "cannot read the history", err);
}

int store_previous(store *s, const char *ruleset, const char *kpi, const period *p, double *value,
                   int *has, kpi_error *err)
{
    return store_value(s, ruleset, kpi, period_prev(*p), value, has, err);
}

int store_value(store *s, const char *ruleset, const char *kpi, period before, double *value,
                int *has, kpi_error *err)
{
    char label[64];
    int rc = SQLITE_OK;
    *has = 0;
    if (!s->previous)
        rc = sqlite3_prepare_v3(s->db, previous_sql, -1, SQLITE_PREPARE_PERSISTENT, &s->previous,
                                NULL);
    sqlite3_stmt *st = s->previous;
    if (rc == SQLITE_OK) rc = store_bind_text(st, 1, ruleset);
    if (rc == SQLITE_OK) rc = store_bind_text(st, 2, period_grain_name(before.grain));
    if (rc == SQLITE_OK) rc = store_bind_text(st, 3, period_label(before, label, sizeof label));
    if (rc == SQLITE_OK) rc = store_bind_text(st, 4, kpi);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *value = sqlite3_column_double(st, 0);
        *has = 1;
    }
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return 0;
    return store_fail(s, rc, "cannot read the previous value", err);
}

int store_fill_previous(store *s, report *r, kpi_error *err)
{
    for (size_t i = 0; i < r->nkpis; i++) {
        kpi_result *k = &r->kpis[i];
        double saved;
        int has = 0;
        if (store_previous(s, r->ruleset, k->id, &r->period, &saved, &has, err)) return -1;
        if (!has) continue; /* keep what the run computed from the data */
        k->has_previous = 1;
        k->previous = saved;
        k->has_change = k->has_value && isfinite(k->value) && k->previous != 0;
        k->change = k->has_change ? (k->value - k->previous) / fabs(k->previous) : 0;
    }
    return 0;
}

int store_fill_history(store *s, report *r, int n, kpi_error *err)
{
    for (size_t i = 0; n > 0 && i < r->nkpis; i++) {
        kpi_result *k = &r->kpis[i];
        double *values = kpi_calloc((size_t)n, sizeof *values);
        if (!values)
            return kpi_error_set(err, KPI_ENOMEM, s->path, 0, 0, "out of memory reading history");
        size_t first = (size_t)n; /* the oldest period with a value */
        for (int back = n; back >= 1; back--) {
            size_t at = (size_t)(n - back);
            int has = 0;
            if (store_value(s, r->ruleset, k->id, period_shift(r->period, -back), &values[at], &has,
                            err)) {
                kpi_free(values);
                return -1;
            }
            if (!has) values[at] = NAN;
            if (has && at < first) first = at;
        }
        if (first < (size_t)n) { /* leading periods never saved are left out */
            memmove(values, values + first, ((size_t)n - first) * sizeof *values);
            kpi_free(k->history);
            k->history = values;
            k->nhistory = (size_t)n - first;
        } else {
            kpi_free(values);
        }
    }
    return 0;
}
