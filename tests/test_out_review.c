/*
** test_out_review.c -- what a review adds to a report (engine/model/review.c): keeping a
** review's KPIs, the projection of a period in progress, progress toward a deadline;
** and campaign windows and before/after changes (engine/model/campaign.c).
**
** Reports are built by hand; every expected number is worked out beside it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "core/date.h"
#include "core/kpi_alloc.h"
#include "model/campaign.h"
#include "model/review.h"
#include "testutil.h"

static int32_t D(const char *iso)
{
    int32_t day;
    if (date_parse_iso(iso, strlen(iso), &day) != 0) fail_msg("bad date %s", iso);
    return day;
}

/* A report of n KPIs "k0".."k<n-1>" for August 2024, levels 200 / 300, higher is better. */
static void make_report(report *r, size_t n)
{
    memset(r, 0, sizeof *r);
    r->period = (period){GRAIN_MONTH, D("2024-08-01"), D("2024-09-01")};
    r->kpis = kpi_calloc(n, sizeof *r->kpis);
    assert_non_null(r->kpis);
    r->nkpis = n;
    for (size_t i = 0; i < n; i++) {
        char id[8] = {'k', (char)('0' + i), 0};
        kpi_result *k = &r->kpis[i];
        k->id = kpi_strdup(id);
        k->minimum = 200;
        k->target = 300;
        k->has_value = 1;
        k->value = 100;
        k->status = status_grade(k->better, k->minimum, k->target, 1, k->value);
    }
}

static void test_review_keep_keeps_the_chosen_kpis_in_order(void **state)
{
    (void)state;
    report r;
    make_report(&r, 5);
    const size_t keep[] = {1, 3, 4};
    assert_int_equal(review_keep(&r, keep, 3), 0);
    assert_int_equal(r.nkpis, 3);
    assert_string_equal(r.kpis[0].id, "k1");
    assert_string_equal(r.kpis[1].id, "k3");
    assert_string_equal(r.kpis[2].id, "k4");
    assert_int_equal(review_keep(&r, NULL, 0), 0);
    assert_int_equal(r.nkpis, 0);
    report_free(&r);
}

static void test_review_projects_additive_kpis_of_a_period_in_progress(void **state)
{
    (void)state;
    report r;
    make_report(&r, 2);
    r.kpis[0].additive = 1;
    r.in_progress = r.has_as_of = 1;
    r.as_of = D("2024-08-10"); /* 10 of August's 31 days */
    assert_int_equal(review_days_counted(&r), 10);
    review_project(&r);
    assert_true(r.kpis[0].has_projection);
    assert_true(fabs(r.kpis[0].projection - 310) < 1e-9); /* 100 / 10 * 31 */
    assert_int_equal(r.kpis[0].pace, STATUS_MET_TARGET);  /* 310 >= 300 */
    assert_false(r.kpis[1].has_projection);               /* not additive */
    r.kpis[0].value = 90;                                 /* 279: met minimum only */
    review_project(&r);
    assert_int_equal(r.kpis[0].pace, STATUS_MET_MINIMUM);
    r.in_progress = 0; /* a whole period has nothing to project */
    r.kpis[0].has_projection = 0;
    review_project(&r);
    assert_false(r.kpis[0].has_projection);
    assert_int_equal(review_days_counted(&r), 31);
    report_free(&r);
}

static void test_review_due_reports_days_left_progress_and_state(void **state)
{
    (void)state;
    report r;
    make_report(&r, 1);
    kpi_result *k = &r.kpis[0];
    /* a whole August: counted to 08-31; 2024-12-31 is 30 + 31 + 30 + 31 = 122 days later */
    review_set_due(&r, k, D("2024-12-31"));
    assert_int_equal(k->days_left, 122);
    assert_true(k->has_progress && fabs(k->progress - 100.0 / 300.0) < 1e-12);
    assert_int_equal(k->due_state, DUE_OPEN);
    review_set_due(&r, k, D("2024-08-20"));
    assert_int_equal(k->days_left, -11);
    assert_int_equal(k->due_state, DUE_OVERDUE);
    assert_string_equal(review_due_name(k->due_state), "overdue");
    k->value = 300;
    k->status = STATUS_MET_TARGET;
    review_set_due(&r, k, D("2024-08-20"));
    assert_int_equal(k->due_state, DUE_MET); /* met beats overdue */
    /* lower is better: progress is target / value */
    k->better = BETTER_LOWER;
    k->value = 400;
    k->status = STATUS_BELOW_MINIMUM;
    review_set_due(&r, k, D("2024-12-31"));
    assert_true(fabs(k->progress - 0.75) < 1e-12);
    /* in progress with a projection: on pace or behind */
    k->better = BETTER_HIGHER;
    k->additive = 1;
    k->value = 100;
    k->status = STATUS_BELOW_MINIMUM;
    r.in_progress = r.has_as_of = 1;
    r.as_of = D("2024-08-10");
    review_project(&r);
    review_set_due(&r, k, D("2024-12-31"));
    assert_int_equal(k->days_left, 143); /* 08-10 to 12-31: 21 + 122 */
    assert_int_equal(k->due_state, DUE_ON_PACE);
    assert_string_equal(review_due_words(k->due_state), "on pace");
    k->value = 50; /* 155 projected */
    review_project(&r);
    review_set_due(&r, k, D("2024-12-31"));
    assert_int_equal(k->due_state, DUE_BEHIND);
    k->has_value = 0; /* no value: no progress */
    review_set_due(&r, k, D("2024-12-31"));
    assert_false(k->has_progress);
    report_free(&r);
}

static void test_campaign_windows_surround_the_campaign(void **state)
{
    (void)state;
    campaign c = {NULL, D("2024-06-01"), D("2024-06-30"), NULL, 0};
    period p;
    char a[16], b[16];
    assert_int_equal(campaign_window_period(&c, WINDOW_BEFORE, 14, 30, &p), 1);
    date_format_iso(p.start, a);
    date_format_iso(p.stop - 1, b);
    assert_string_equal(a, "2024-05-18");
    assert_string_equal(b, "2024-05-31");
    assert_int_equal(campaign_window_period(&c, WINDOW_DURING, 14, 30, &p), 1);
    assert_int_equal(period_days(p), 30);
    assert_int_equal(campaign_window_period(&c, WINDOW_AFTER, 14, 30, &p), 1);
    date_format_iso(p.start, a);
    date_format_iso(p.stop - 1, b);
    assert_string_equal(a, "2024-07-01");
    assert_string_equal(b, "2024-07-30");
    date_format_iso(campaign_due(&c, 30), a);
    assert_string_equal(a, "2024-07-31");
    assert_int_equal(campaign_window_period(&c, WINDOW_BEFORE, 0, 30, &p), 0);
    assert_int_equal(campaign_window_period(&c, WINDOW_AFTER, 14, 0, &p), 0);
    date_format_iso(campaign_due(&c, 0), a);
    assert_string_equal(a, "2024-07-01");
}

static void test_campaign_change_compares_rates_per_day_for_additive_kpis(void **state)
{
    (void)state;
    campaign c = {NULL, D("2024-06-01"), D("2024-06-30"), NULL, 0};
    campaign_result cr;
    memset(&cr, 0, sizeof cr);
    cr.c = &c;
    for (int w = 0; w < WINDOW_COUNT; w++) {
        cr.has[w] = campaign_window_period(&c, (campaign_window)w, 10, 20, &cr.window[w]);
        make_report(&cr.rep[w], 1);
    }
    cr.rep[WINDOW_BEFORE].kpis[0].value = 100; /* 10 per day over 10 days */
    cr.rep[WINDOW_AFTER].kpis[0].value = 300;  /* 15 per day over 20 days */
    double change;
    int per_day;
    assert_int_equal(campaign_change(&cr, 0, &change, &per_day), 1);
    assert_false(per_day);
    assert_true(fabs(change - 2.0) < 1e-12); /* (300 - 100) / 100 */
    cr.rep[WINDOW_DURING].kpis[0].additive = 1;
    assert_int_equal(campaign_change(&cr, 0, &change, &per_day), 1);
    assert_true(per_day);
    assert_true(fabs(change - 0.5) < 1e-12); /* (15 - 10) / 10 */
    cr.rep[WINDOW_BEFORE].kpis[0].value = 0; /* a zero base has no change */
    assert_int_equal(campaign_change(&cr, 0, &change, &per_day), 0);
    cr.has[WINDOW_AFTER] = 0;
    assert_int_equal(campaign_change(&cr, 0, &change, &per_day), 0);
    for (int w = 0; w < WINDOW_COUNT; w++)
        report_free(&cr.rep[w]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_keep_keeps_the_chosen_kpis_in_order),
        cmocka_unit_test(test_review_projects_additive_kpis_of_a_period_in_progress),
        cmocka_unit_test(test_review_due_reports_days_left_progress_and_state),
        cmocka_unit_test(test_campaign_windows_surround_the_campaign),
        cmocka_unit_test(test_campaign_change_compares_rates_per_day_for_additive_kpis),
    };
    return cmocka_run_group_tests_name("review", tests, NULL, NULL);
}
