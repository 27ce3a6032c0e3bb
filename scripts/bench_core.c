/*
** bench_core.c -- kpibench: the engine's core on the benchmark workload, no Lua.
**
**   kpibench FILE.csv [--threads N] [--time COL] [--amount COL] [--customer COL]
**
** Loads an orders CSV with csv_load, then computes what scripts/bench compares with
** sqlite3 and with the hand-written floor (kpifloor):
**   revenue by month    sum(amount) for every calendar month of the data
**   distinct customers  count of distinct customer ids over all rows
**
** Revenue by month goes through the core API as a rule set would: when the time column
** is sorted, each month is a select_time row range (two binary searches) summed by
** agg_run; otherwise the rows are grouped by day in one pass (group_build) and the few
** day sums are added up per month, so an unsorted file is not scanned once per month.
**
** stdout carries only the results, in the form every bench program prints, so the
** bench can compare them byte for byte:
**   month YYYY-MM <revenue with 2 decimals>
**   distinct <count>
** stderr carries one line of measurements (key=value): rows, load and aggregate time,
** table memory, CSV size, peak resident memory (VmHWM).
*/
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agg.h"
#include "csv.h"
#include "date.h"
#include "group.h"
#include "kpi_alloc.h"
#include "kpi_error.h"
#include "period.h"
#include "select.h"
#include "table.h"

typedef struct bench_args {
    const char *path;
    const char *time_col;
    const char *amount_col;
    const char *customer_col;
    int threads;
} bench_args;

/* One month's revenue; months are few (one per calendar month of the data). */
typedef struct month_sum {
    period month;
    double revenue;
    int has;
} month_sum;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Peak resident set of this process in KiB, from /proc (0 when unavailable). */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static int usage(void)
{
    fprintf(stderr, "usage: kpibench FILE.csv [--threads N] [--time COL] [--amount COL] "
                    "[--customer COL]\n");
    return 2;
}

static int parse_args(int argc, char **argv, bench_args *a)
{
    *a = (bench_args){NULL, "date", "amount", "customer_id", 0};
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (opt[0] != '-') {
            if (a->path) return -1;
            a->path = opt;
            continue;
        }
        if (i + 1 >= argc) return -1;
        const char *val = argv[++i];
        if (strcmp(opt, "--threads") == 0)
            a->threads = atoi(val);
        else if (strcmp(opt, "--time") == 0)
            a->time_col = val;
        else if (strcmp(opt, "--amount") == 0)
            a->amount_col = val;
        else if (strcmp(opt, "--customer") == 0)
            a->customer_col = val;
        else
            return -1;
    }
    return a->path ? 0 : -1;
}

static int find_column(const table *t, const char *name, kpi_error *err)
{
    int col = table_find(t, name);
    if (col < 0) kpi_error_set(err, KPI_EUSAGE, NULL, 0, 0, "no column named \"%s\"", name);
    return col;
}

/*
** The months from the one holding the first day of the data to the one holding its
** last day: *out (caller frees) and *n. Dates come from the min and max kernels.
*/
static int data_months(const table *t, const selection *all, month_sum **out, size_t *n,
                       kpi_error *err)
{
    agg_value lo, hi;
    if (agg_run(t, all, NULL, AGG_MIN, t->time_col, 0, &lo, err) ||
        agg_run(t, all, NULL, AGG_MAX, t->time_col, 0, &hi, err))
        return -1;
    *out = NULL;
    *n = 0;
    if (lo.is_null) return 0;
    int timestamps = t->cols[t->time_col].type == COL_TIMESTAMP;
    int32_t first = timestamps ? date_of_timestamp((int64_t)lo.value) : (int32_t)lo.value;
    int32_t last = timestamps ? date_of_timestamp((int64_t)hi.value) : (int32_t)hi.value;
    size_t count = 0;
    for (period p = period_containing(GRAIN_MONTH, first); p.start <= last; p = period_shift(p, 1))
        count++;
    *out = kpi_calloc(count, sizeof **out);
    if (!*out) return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
    period p = period_containing(GRAIN_MONTH, first);
    for (size_t i = 0; i < count; i++, p = period_shift(p, 1))
        (*out)[i].month = p;
    *n = count;
    return 0;
}

/* Sorted time column: one select_time range and one sum per month. */
static int revenue_by_ranges(const table *t, const selection *all, int amount, month_sum *months,
                             size_t n, kpi_error *err)
{
    for (size_t i = 0; i < n; i++) {
        selection sel;
        agg_value v;
        if (select_time(t, all, months[i].month.start, months[i].month.stop, &sel, err)) return -1;
        int rc = agg_run(t, &sel, NULL, AGG_SUM, amount, 0, &v, err);
        selection_free(&sel);
        if (rc) return -1;
        months[i].revenue = v.value;
        months[i].has = !v.is_null;
    }
    return 0;
}

/* The group's day, read from the time column of its first row. */
static int32_t group_day(const table *t, const grouping *g, size_t group)
{
    const column *c = &t->cols[t->time_col];
    uint32_t row = g->first_row[group];
    return c->type == COL_TIMESTAMP ? date_of_timestamp(c->v.i64[row]) : c->v.date[row];
}

/*
** Unsorted time column: group by the time column in one pass, sum per group, then add
** the group sums into their months (a loop over groups, not rows). Groups come in
** ascending key order, so a month's groups are consecutive.
*/
static int revenue_by_groups(const table *t, const selection *all, int amount, month_sum *months,
                             size_t n, kpi_error *err)
{
    grouping g;
    int rc = -1;
    if (group_build(t, all, &t->time_col, 1, &g, err)) return -1;
    agg_value *sums = kpi_calloc(g.ngroups ? g.ngroups : 1, sizeof *sums);
    if (!sums) {
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    if (agg_run(t, all, &g, AGG_SUM, amount, 0, sums, err)) goto done;
    size_t m = 0;
    for (size_t k = 0; k < g.ngroups; k++) {
        if (sums[k].is_null || !column_is_valid(&t->cols[t->time_col], g.first_row[k])) continue;
        int32_t day = group_day(t, &g, k);
        while (m < n && day >= months[m].month.stop)
            m++;
        if (m == n) break;
        months[m].revenue += sums[k].value;
        months[m].has = 1;
    }
    rc = 0;
done:
    kpi_free(sums);
    group_free(&g);
    return rc;
}

static void print_results(const month_sum *months, size_t n, const agg_value *distinct)
{
    for (size_t i = 0; i < n; i++) {
        char label[32];
        if (!months[i].has) continue;
        period_label(months[i].month, label, sizeof label);
        printf("month %s %.2f\n", label, months[i].revenue);
    }
    printf("distinct %.0f\n", distinct->is_null ? 0.0 : distinct->value);
}

/* Everything after the load: the time column, revenue by month, distinct customers. */
static int run_aggregates(table *t, const bench_args *a, kpi_error *err)
{
    int amount, customer;
    selection all;
    month_sum *months = NULL;
    size_t nmonths = 0;
    agg_value distinct;
    int rc = -1;

    if (table_set_time(t, a->time_col, err) || (amount = find_column(t, a->amount_col, err)) < 0 ||
        (customer = find_column(t, a->customer_col, err)) < 0)
        return -1;
    selection_all(t, &all);
    if (data_months(t, &all, &months, &nmonths, err)) return -1;
    if (t->time_sorted)
        rc = revenue_by_ranges(t, &all, amount, months, nmonths, err);
    else
        rc = revenue_by_groups(t, &all, amount, months, nmonths, err);
    if (rc == 0) rc = agg_run(t, &all, NULL, AGG_DISTINCT, customer, 0, &distinct, err);
    if (rc == 0) print_results(months, nmonths, &distinct);
    kpi_free(months);
    selection_free(&all);
    return rc;
}

int main(int argc, char **argv)
{
    bench_args a;
    csv_options opt;
    kpi_error err;
    struct stat st;
    char msg[1200];

    if (parse_args(argc, argv, &a)) return usage();
    kpi_error_clear(&err);
    csv_options_init(&opt);
    opt.threads = a.threads;

    double t0 = now_ms();
    table *t = csv_load(a.path, "orders", &opt, &err);
    if (!t) {
        fprintf(stderr, "kpibench: %s\n", kpi_error_format(&err, msg, sizeof msg));
        return 4;
    }
    double t1 = now_ms();
    int rc = run_aggregates(t, &a, &err);
    double t2 = now_ms();
    if (rc) {
        fprintf(stderr, "kpibench: %s\n", kpi_error_format(&err, msg, sizeof msg));
        table_free(t);
        return 4;
    }
    fflush(stdout);
    fprintf(stderr,
            "kpibench: rows=%zu load_ms=%.1f agg_ms=%.1f total_ms=%.1f table_bytes=%zu "
            "csv_bytes=%lld peak_rss_kib=%ld time_sorted=%d\n",
            t->nrows, t1 - t0, t2 - t1, t2 - t0, table_memory(t),
            stat(a.path, &st) == 0 ? (long long)st.st_size : -1LL, peak_rss_kib(), t->time_sorted);
    table_free(t);
    return 0;
}
