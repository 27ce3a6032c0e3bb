/*
** e2e_b2b.c -- end to end: `kpiengine run kpis/b2b.lua` on the committed sample data,
** every KPI compared with the same KPI written as SQL and run by sqlite3 on the same
** files (the CSVs imported as they are, the surveys read from csat.db).
**
** The oracle knows nothing of the engine: its SQL is written from the KPI definitions
** (what an analyst would type; the sales cycle from the two dates, not the export's
** cycle_days column), and the expected statuses come from its values and the levels
** below, which repeat those of kpis/b2b.lua on purpose.
** An open deal has an empty close date, which the SQL must exclude by hand.
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

#define DATA    KPI_SOURCE_DIR "/kpis/data/b2b"
#define RULESET KPI_SOURCE_DIR "/kpis/b2b.lua"

/* ---- the oracle --------------------------------------------------------------------- */

static char oracle_db[512];

static int group_setup(void **state)
{
    (void)state;
    snprintf(oracle_db, sizeof oracle_db, "%s/oracle_b2b.db", tu_tmpdir());
    remove(oracle_db);
    tu_oracle(oracle_db,
              ".import --csv \"" DATA "/deals.csv\" deals\n"
              ".import --csv \"" DATA "/spend.csv\" spend\n"
              ".import --csv \"" DATA "/leads.csv\" leads\n"
              "ATTACH '" DATA "/csat.db' AS survey;\n"
              "CREATE TABLE csat AS SELECT * FROM survey.csat;\n"
              "CREATE TABLE nps AS SELECT * FROM survey.nps;\n"
              "DETACH survey;",
              "SELECT count(*) FROM deals");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    e2e_reports_free();
    return 0;
}

/* ---- the KPIs, as SQL -------------------------------------------------------------- */

#define CLOSED_IN_P " closed <> '' AND closed >= $s AND closed < $e "
#define IN_P        " date >= $s AND date < $e "
#define WON         " FROM deals WHERE stage = 'won' AND" CLOSED_IN_P
#define SPEND       "(SELECT sum(cost) FROM spend WHERE" IN_P ")"
#define NEW_ACCOUNTS                                                                               \
    "(SELECT count(DISTINCT account_id)" WON "AND account_id NOT IN (SELECT account_id FROM "      \
    "deals WHERE stage = 'won' AND closed <> '' AND closed < $s))"
#define DEAL_SIZE "(SELECT avg(amount)" WON ")"
#define CAC       "(" SPEND "* 1.0 /" NEW_ACCOUNTS ")"
#define MARGIN    "0.70"
#define LTV       "(" DEAL_SIZE "*" MARGIN "* 3)"
/* the median: the middle one or two of the won amounts in order */
#define MEDIAN                                                                                     \
    "SELECT avg(a) FROM (SELECT CAST(amount AS REAL) a" WON "ORDER BY a LIMIT 2 - "                \
    "(SELECT count(*)" WON ") % 2 OFFSET ((SELECT count(*)" WON ") - 1) / 2)"
#define CAMPAIGN_REV  "(SELECT sum(amount)" WON "AND campaign <> '')"
#define CAMPAIGN_COST "(SELECT sum(cost) FROM spend WHERE" IN_P "AND campaign <> '')"
#define ANSWERED      " answered_at >= $s AND answered_at < $e "

static const e2e_kpi_case KPIS[] = {
    {"revenue", "SELECT sum(amount)" WON, 2.5e9, 4e9, 0},
    {"deals_won", "SELECT count(*)" WON, 15, 25, 0},
    {"win_rate",
     "SELECT sum(stage = 'won') * 1.0 / sum(stage IN ('won', 'lost')) FROM deals WHERE" CLOSED_IN_P,
     0.25, 0.35, 0},
    {"sales_cycle", "SELECT avg(julianday(closed) - julianday(created))" WON, 60, 45, 1},
    {"deal_size", "SELECT" DEAL_SIZE, 120e6, 150e6, 0},
    {"median_deal", MEDIAN, 90e6, 120e6, 0},
    {"pipeline_created", "SELECT sum(amount) FROM deals WHERE created >= $s AND created < $e", 8e9,
     11e9, 0},
    {"new_customers", "SELECT" NEW_ACCOUNTS, 10, 15, 0},
    {"customers",
     "SELECT count(DISTINCT account_id) FROM deals WHERE stage = 'won' AND closed <> '' AND "
     "closed < $e",
     150, 200, 0},
    {"cac", "SELECT" CAC, 60e6, 35e6, 1},
    {"cac_payback", "SELECT" CAC "/ (" DEAL_SIZE "/ 12 *" MARGIN ")", 12, 6, 1},
    {"ltv", "SELECT" LTV, 250e6, 350e6, 0},
    {"ltv_cac", "SELECT" LTV "/" CAC, 3, 5, 0},
    {"lead_engagement",
     "SELECT sum(responded = 'true') * 1.0 / sum(contacted = 'true') FROM leads WHERE" IN_P, 0.30,
     0.40, 0},
    {"lead_conversion", "SELECT avg(converted = 'true') FROM leads WHERE" IN_P, 0.08, 0.12, 0},
    {"cost_per_lead", "SELECT" SPEND "/ count(*) FROM leads WHERE" IN_P, 3e6, 1.5e6, 1},
    {"roi", "SELECT (" CAMPAIGN_REV "-" CAMPAIGN_COST ") /" CAMPAIGN_COST, 0.5, 2, 0},
    {"csat", "SELECT avg(score >= 4) FROM csat WHERE" ANSWERED, 0.75, 0.85, 0},
    {"nps", "SELECT (sum(score >= 9) - sum(score <= 6)) * 100.0 / count(*) FROM nps WHERE" ANSWERED,
     20, 40, 0},
};
#define NKPIS (sizeof KPIS / sizeof KPIS[0])

/* The KPIs marked additive in the rule set: their items are parts of a sum, not graded. */
static const char *const ADDITIVE[] = {"revenue", "pipeline_created"};

static const e2e_sample SAMPLE = {
    .ruleset = RULESET,
    .oracle_db = oracle_db,
    .kpis = KPIS,
    .nkpis = NKPIS,
    .additive = ADDITIVE,
    .nadditive = sizeof ADDITIVE / sizeof ADDITIVE[0],
};

/* ---- tests ---------------------------------------------------------------------------- */

static void test_b2b_every_kpi_matches_oracle_for_a_month(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_JUN_2024, NULL);
}

static void test_b2b_previous_month_values_match_oracle(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_JUN_2024, &E2E_MAY_2024);
}

static void test_b2b_early_month_matches_oracle(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_MAR_2023, &E2E_FEB_2023);
}

static void test_b2b_quarter_matches_oracle(void **state)
{
    (void)state;
    e2e_check_period(&SAMPLE, &E2E_Q2_2024, &E2E_Q1_2024);
}

static const e2e_item_case ITEMS[] = {
    {"revenue", "Trần Thị Bích", "SELECT sum(amount)" WON "AND owner = 'Trần Thị Bích'"},
    {"win_rate", "event",
     "SELECT sum(stage = 'won') * 1.0 / sum(stage IN ('won', 'lost')) FROM deals WHERE" CLOSED_IN_P
     "AND source = 'event'"},
    {"sales_cycle", "linkedin",
     "SELECT avg(julianday(closed) - julianday(created))" WON "AND source = 'linkedin'"},
    {"pipeline_created", "outbound",
     "SELECT sum(amount) FROM deals WHERE created >= $s AND created < $e AND source = 'outbound'"},
    {"lead_engagement", "partner",
     "SELECT sum(responded = 'true') * 1.0 / sum(contacted = 'true') FROM leads WHERE" IN_P
     "AND channel = 'partner'"},
    {"cost_per_lead", "linkedin",
     "SELECT (SELECT sum(cost) FROM spend WHERE" IN_P "AND channel = 'linkedin') / count(*)"
     " FROM leads WHERE" IN_P "AND channel = 'linkedin'"},
    {"roi", "Hội thảo Chuyển đổi số 2024",
     "WITH r AS (SELECT sum(amount) v" WON "AND campaign = 'Hội thảo Chuyển đổi số 2024'),"
     " c AS (SELECT sum(cost) v FROM spend WHERE" IN_P
     "AND campaign = 'Hội thảo Chuyển đổi số 2024') SELECT (r.v - c.v) / c.v FROM r, c"},
};

static void test_b2b_breakdown_items_match_oracle(void **state)
{
    (void)state;
    e2e_check_items(&SAMPLE, &E2E_JUN_2024, ITEMS, sizeof ITEMS / sizeof ITEMS[0]);
}

/* A campaign with spend in the period but no won deal has no ROI: no value, not -100%. */
static void test_b2b_campaign_without_revenue_has_no_roi(void **state)
{
    (void)state;
    const char *name = "Google Ads Hè 2024";
    double won = e2e_window_oracle(oracle_db, &E2E_JUN_2024,
                                   "SELECT count(*)" WON "AND campaign = 'Google Ads Hè 2024'");
    double spent = e2e_window_oracle(oracle_db, &E2E_JUN_2024,
                                     "SELECT count(*) FROM spend WHERE" IN_P
                                     "AND campaign = 'Google Ads Hè 2024'");
    assert_true(won == 0 && spent > 0); /* the sample data are so */
    const char *item = e2e_with(
        e2e_member(e2e_kpi_of(RULESET, E2E_JUN_2024.label, "roi"), "breakdown"), "key", name);
    assert_non_null(item);
    assert_true(isnan(e2e_number_member(item, "value", name)));
    assert_true(e2e_string_is(e2e_member(item, "status"), "no_data"));
}

static void test_b2b_open_deals_count_in_pipeline_not_outcomes(void **state)
{
    (void)state;
    const e2e_window dec = {"2024-12", "2024-12-01", "2025-01-01", "2024-11-01"};
    assert_true(
        e2e_window_oracle(oracle_db, &dec,
                          "SELECT count(*) FROM deals WHERE stage = 'open' AND created >= $s") > 0);
    e2e_check_value(
        "pipeline 2024-12",
        e2e_number_member(e2e_kpi_of(RULESET, "2024-12", "pipeline_created"), "value", "pipeline"),
        e2e_window_oracle(oracle_db, &dec, e2e_case_of(&SAMPLE, "pipeline_created")->sql));
    e2e_check_value("win rate 2024-12",
                    e2e_number_member(e2e_kpi_of(RULESET, "2024-12", "win_rate"), "value", "win"),
                    e2e_window_oracle(oracle_db, &dec, e2e_case_of(&SAMPLE, "win_rate")->sql));
}

static void test_b2b_report_covers_every_kpi_in_english(void **state)
{
    (void)state;
    const char *doc = e2e_report_for(RULESET, E2E_JUN_2024.label);
    assert_int_equal(e2e_length(e2e_member(doc, "kpis")), (int)NKPIS);
    assert_true(e2e_string_is(e2e_member(doc, "ruleset"), "B2B – Sao Việt Software"));
    assert_true(e2e_string_is(
        e2e_member(e2e_kpi_of(RULESET, E2E_JUN_2024.label, "ltv_cac"), "title"), "LTV:CAC"));
    const char *p = e2e_member(doc, "period");
    assert_true(e2e_string_is(e2e_member(p, "grain"), "month"));
    assert_true(e2e_string_is(e2e_member(p, "end"), "2024-06-30"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b2b_every_kpi_matches_oracle_for_a_month),
        cmocka_unit_test(test_b2b_previous_month_values_match_oracle),
        cmocka_unit_test(test_b2b_early_month_matches_oracle),
        cmocka_unit_test(test_b2b_quarter_matches_oracle),
        cmocka_unit_test(test_b2b_breakdown_items_match_oracle),
        cmocka_unit_test(test_b2b_campaign_without_revenue_has_no_roi),
        cmocka_unit_test(test_b2b_open_deals_count_in_pipeline_not_outcomes),
        cmocka_unit_test(test_b2b_report_covers_every_kpi_in_english),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
