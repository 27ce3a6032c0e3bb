/*
** e2e_retail.c -- end to end: `kpiengine run kpis/retail.lua` on the committed sample
** data, every KPI compared with the same KPI written as SQL and run by sqlite3 on the
** same files (the CSVs imported as they are, the survey read from csat.db).
**
** The oracle knows nothing of the engine: its SQL is written from the KPI definitions
** (what a analyst would type), and the expected statuses come from its values and the
** levels below, which repeat those of kpis/retail.lua on purpose: a changed level in
** the rule set must be a deliberate change here too.
**
** Periods are passed to the SQL as parameters: $s (first day), $e (day after the last)
** and $ps (first day of the previous period, whose end is $s).
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

#include "e2eutil.h"
#include "testutil.h"

#define DATA    KPI_SOURCE_DIR "/kpis/data/retail"
#define RULESET KPI_SOURCE_DIR "/kpis/retail.lua"

/* ---- the oracle --------------------------------------------------------------------- */

static char oracle_db[512];

static int group_setup(void **state)
{
    (void)state;
    snprintf(oracle_db, sizeof oracle_db, "%s/oracle_retail.db", tu_tmpdir());
    remove(oracle_db);
    tu_oracle(oracle_db,
              ".import --csv \"" DATA "/orders.csv\" orders\n"
              ".import --csv \"" DATA "/spend.csv\" spend\n"
              ".import --csv \"" DATA "/leads.csv\" leads\n"
              ".import --csv \"" DATA "/sessions.csv\" sessions\n"
              "ATTACH '" DATA "/csat.db' AS survey;\n"
              "CREATE TABLE csat AS SELECT * FROM survey.csat;\n"
              "DETACH survey;",
              "SELECT count(*) FROM orders");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    e2e_reports_free();
    return 0;
}

/* ---- the KPIs, as SQL -------------------------------------------------------------- */

#define IN_P    " date >= $s AND date < $e "
#define IN_PREV " date >= $ps AND date < $s "
#define SPEND   "(SELECT sum(cost) FROM spend WHERE" IN_P ")"
#define NEW_CUST                                                                                   \
    "(SELECT count(DISTINCT customer_id) FROM orders WHERE" IN_P                                   \
    "AND customer_id NOT IN (SELECT customer_id FROM orders WHERE date < $s))"
#define RETENTION                                                                                  \
    "(SELECT count(DISTINCT customer_id) * 1.0 /"                                                  \
    " (SELECT count(DISTINCT customer_id) FROM orders WHERE" IN_PREV ")"                           \
    " FROM orders WHERE" IN_P "AND customer_id IN (SELECT customer_id FROM orders WHERE" IN_PREV   \
    "))"
#define CAMPAIGN_REV  "(SELECT sum(amount) FROM orders WHERE" IN_P "AND campaign <> '')"
#define CAMPAIGN_COST "(SELECT sum(cost) FROM spend WHERE" IN_P "AND campaign <> '')"

static const e2e_kpi_case KPIS[] = {
    {"revenue", "SELECT sum(amount) FROM orders WHERE" IN_P, 350e6, 450e6, 0},
    {"order_count", "SELECT count(*) FROM orders WHERE" IN_P, 700, 900, 0},
    {"aov", "SELECT sum(amount) / count(*) FROM orders WHERE" IN_P, 450000, 520000, 0},
    {"campaign_revenue", "SELECT" CAMPAIGN_REV, 40e6, 80e6, 0},
    {"customers", "SELECT count(DISTINCT customer_id) FROM orders WHERE" IN_P, 400, 550, 0},
    {"new_customers", "SELECT" NEW_CUST, 50, 80, 0},
    {"cac", "SELECT" SPEND "/" NEW_CUST, 500000, 300000, 1},
    {"retention", "SELECT" RETENTION, 0.45, 0.55, 0},
    {"churn", "SELECT 1 -" RETENTION, 0.55, 0.45, 1},
    {"clv",
     "SELECT sum(amount) / count(DISTINCT customer_id) * 0.30 / (1 -" RETENTION
     ") FROM orders WHERE" IN_P,
     450000, 650000, 0},
    {"csat", "SELECT avg(score >= 4) FROM csat WHERE answered_at >= $s AND answered_at < $e", 0.75,
     0.85, 0},
    {"lead_engagement",
     "SELECT sum(responded = 'true') * 1.0 / sum(contacted = 'true') FROM leads WHERE" IN_P, 0.35,
     0.45, 0},
    {"lead_conversion", "SELECT avg(converted = 'true') FROM leads WHERE" IN_P, 0.10, 0.14, 0},
    {"cost_per_lead", "SELECT" SPEND "/ count(*) FROM leads WHERE" IN_P, 120000, 70000, 1},
    {"roi", "SELECT (" CAMPAIGN_REV "-" CAMPAIGN_COST ") /" CAMPAIGN_COST, 0.5, 1.5, 0},
    {"traffic_to_interest", "SELECT avg(engaged = 'true') FROM sessions WHERE" IN_P, 0.50, 0.55, 0},
    {"interest_to_lead",
     "SELECT sum(lead = 'true') * 1.0 / sum(engaged = 'true') FROM sessions WHERE" IN_P, 0.09, 0.11,
     0},
    {"landing_conversion", "SELECT avg(\"order\" = 'true') FROM sessions WHERE" IN_P, 0.028, 0.035,
     0},
    {"organic_traffic", "SELECT count(*) FROM sessions WHERE" IN_P "AND source = 'organic'", 300,
     400, 0},
    {"social_traffic", "SELECT count(*) FROM sessions WHERE" IN_P "AND source = 'social'", 300, 450,
     0},
    {"mobile_share", "SELECT avg(device = 'mobile') FROM sessions WHERE" IN_P, 0.60, 0.70, 0},
    {"mobile_conversion",
     "SELECT avg(\"order\" = 'true') FROM sessions WHERE" IN_P "AND device = 'mobile'", 0.025, 0.03,
     0},
};
#define NKPIS (sizeof KPIS / sizeof KPIS[0])

/* The KPIs marked additive in the rule set: their items are parts of a sum, not graded. */
static const char *const ADDITIVE[] = {"revenue", "campaign_revenue", "social_traffic"};

static const e2e_sample SAMPLE = {
    .ruleset = RULESET,
    .oracle_db = oracle_db,
    .kpis = KPIS,
    .nkpis = NKPIS,
    .additive = ADDITIVE,
    .nadditive = sizeof ADDITIVE / sizeof ADDITIVE[0],
};

/* ---- tests ---------------------------------------------------------------------------- */

static void test_retail_every_kpi_matches_oracle_for_a_month(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_JUN_2024, NULL);
}

static void test_retail_previous_month_values_match_oracle(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_JUN_2024, &E2E_MAY_2024);
}

static void test_retail_change_is_relative_to_previous(void **state)
{
    (void)state;
    const char *obj = e2e_kpi_of(RULESET, E2E_JUN_2024.label, "revenue");
    double now = e2e_window_oracle(oracle_db, &E2E_JUN_2024, KPIS[0].sql),
           before = e2e_window_oracle(oracle_db, &E2E_MAY_2024, KPIS[0].sql);
    e2e_check_value("revenue change", e2e_number_member(obj, "change", "revenue"),
                    (now - before) / fabs(before));
}

static void test_retail_early_month_matches_oracle(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_MAR_2023, &E2E_FEB_2023);
}

static void test_retail_quarter_matches_oracle(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_Q2_2024, &E2E_Q1_2024);
}

static const e2e_item_case ITEMS[] = {
    {"revenue", "social", "SELECT sum(amount) FROM orders WHERE" IN_P "AND channel = 'social'"},
    {"campaign_revenue", "Khuyến mãi hè 2024",
     "SELECT sum(amount) FROM orders WHERE" IN_P "AND campaign = 'Khuyến mãi hè 2024'"},
    {"roi", "Sinh nhật cửa hàng 2024",
     "WITH r AS (SELECT sum(amount) v FROM orders WHERE" IN_P
     "AND campaign = 'Sinh nhật cửa hàng 2024'), c AS (SELECT sum(cost) v FROM spend WHERE" IN_P
     "AND campaign = 'Sinh nhật cửa hàng 2024') SELECT (r.v - c.v) / c.v FROM r, c"},
    {"cost_per_lead", "paid_search",
     "SELECT (SELECT sum(cost) FROM spend WHERE" IN_P "AND channel = 'paid_search') / count(*)"
     " FROM leads WHERE" IN_P "AND channel = 'paid_search'"},
    {"lead_engagement", "email",
     "SELECT sum(responded = 'true') * 1.0 / sum(contacted = 'true') FROM leads WHERE" IN_P
     "AND channel = 'email'"},
    {"social_traffic", "tiktok",
     "SELECT count(*) FROM sessions WHERE" IN_P "AND source = 'social' AND network = 'tiktok'"},
    {"landing_conversion", "/khuyen-mai",
     "SELECT avg(\"order\" = 'true') FROM sessions WHERE" IN_P "AND landing_page = '/khuyen-mai'"},
    /* no order from this page this month: a rate of 0, not "no data" */
    {"landing_conversion", "/lien-he",
     "SELECT avg(\"order\" = 'true') FROM sessions WHERE" IN_P "AND landing_page = '/lien-he'"},
    {"mobile_share", "desktop", "SELECT avg(device = 'desktop') FROM sessions WHERE" IN_P},
    {"mobile_conversion", "tablet",
     "SELECT avg(\"order\" = 'true') FROM sessions WHERE" IN_P "AND device = 'tablet'"},
};

static void test_retail_breakdown_items_match_oracle(void **state)
{
    (void)state;
    e2e_check_items(&SAMPLE, &E2E_JUN_2024, ITEMS, sizeof ITEMS / sizeof ITEMS[0]);
}

static void test_retail_campaign_breakdown_has_one_item_per_campaign(void **state)
{
    (void)state;
    const char *bd =
        e2e_member(e2e_kpi_of(RULESET, E2E_JUN_2024.label, "campaign_revenue"), "breakdown");
    double want = e2e_window_oracle(oracle_db, &E2E_JUN_2024,
                                    "SELECT count(DISTINCT campaign) FROM orders WHERE" IN_P
                                    "AND campaign <> ''");
    assert_int_equal(e2e_length(bd), (int)want);
    assert_null(e2e_with(bd, "key", ""));
}

static void test_retail_report_covers_every_kpi_and_names_the_period(void **state)
{
    (void)state;
    const char *doc = e2e_report_for(RULESET, E2E_Q2_2024.label);
    assert_int_equal(e2e_length(e2e_member(doc, "kpis")), (int)NKPIS);
    const char *p = e2e_member(doc, "period");
    assert_true(e2e_string_is(e2e_member(p, "grain"), "quarter"));
    assert_true(e2e_string_is(e2e_member(p, "label"), "2024-Q2"));
    assert_true(e2e_string_is(e2e_member(p, "start"), "2024-04-01"));
    assert_true(e2e_string_is(e2e_member(p, "end"), "2024-06-30"));
    assert_true(
        e2e_string_is(e2e_member(e2e_kpi_of(RULESET, E2E_Q2_2024.label, "revenue"), "title"),
                      "Doanh thu bán hàng"));
}

static void test_retail_default_period_is_latest_complete_month(void **state)
{
    (void)state;
    const char *p = e2e_member(e2e_report_for(RULESET, NULL), "period");
    double last = e2e_window_oracle(oracle_db, &E2E_JUN_2024,
                                    "SELECT count(*) FROM orders WHERE date >= '2024-12-01'");
    assert_true(last > 0); /* the data run to the end of December 2024 */
    assert_true(e2e_string_is(e2e_member(p, "label"), "2024-12"));
    assert_true(e2e_string_is(e2e_member(p, "end"), "2024-12-31"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retail_every_kpi_matches_oracle_for_a_month),
        cmocka_unit_test(test_retail_previous_month_values_match_oracle),
        cmocka_unit_test(test_retail_change_is_relative_to_previous),
        cmocka_unit_test(test_retail_early_month_matches_oracle),
        cmocka_unit_test(test_retail_quarter_matches_oracle),
        cmocka_unit_test(test_retail_breakdown_items_match_oracle),
        cmocka_unit_test(test_retail_campaign_breakdown_has_one_item_per_campaign),
        cmocka_unit_test(test_retail_report_covers_every_kpi_and_names_the_period),
        cmocka_unit_test(test_retail_default_period_is_latest_complete_month),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
