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

#include "testutil.h"

#define DATA    KPI_SOURCE_DIR "/kpis/data/b2b"
#define RULESET KPI_SOURCE_DIR "/kpis/b2b.lua"
#define ENGINE  KPI_BINARY_DIR "/kpiengine"
#define TOL     1e-9

/* ---- a minimal JSON reader: enough to walk to a KPI and read its members ---------- */

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

/* Past the string starting at p (on its opening quote). */
static const char *skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
}

/* Past the value starting at p. */
static const char *skip_value(const char *p)
{
    p = ws(p);
    if (*p == '"') return skip_string(p);
    if (*p != '{' && *p != '[') {
        while (*p && !strchr(",}] \n\r\t", *p))
            p++;
        return p;
    }
    int depth = 0;
    do {
        if (*p == '"') {
            p = skip_string(p);
            continue;
        }
        if (*p == '{' || *p == '[') depth++;
        if (*p == '}' || *p == ']') depth--;
        p++;
    } while (*p && depth > 0);
    return p;
}

static int string_is(const char *v, const char *s)
{
    size_t n = strlen(s);
    return v && *v == '"' && strncmp(v + 1, s, n) == 0 && v[1 + n] == '"';
}

/* The value of member key of the object at obj, or NULL. */
static const char *member(const char *obj, const char *key)
{
    const char *p = ws(obj);
    if (*p != '{') return NULL;
    p = ws(p + 1);
    while (*p == '"') {
        const char *name = p;
        p = ws(skip_string(p));
        if (*p != ':') return NULL;
        const char *value = ws(p + 1);
        if (string_is(name, key)) return value;
        p = ws(skip_value(value));
        if (*p != ',') return NULL;
        p = ws(p + 1);
    }
    return NULL;
}

/* The element of the array at arr whose member field is the string want, or NULL. */
static const char *element_with(const char *arr, const char *field, const char *want)
{
    const char *p = arr ? ws(arr) : NULL;
    if (!p || *p != '[') return NULL;
    p = ws(p + 1);
    while (*p == '{') {
        if (string_is(member(p, field), want)) return p;
        p = ws(skip_value(p));
        if (*p != ',') return NULL;
        p = ws(p + 1);
    }
    return NULL;
}

static int array_length(const char *arr)
{
    const char *p = arr ? ws(arr) : NULL;
    if (!p || *p != '[') return -1;
    p = ws(p + 1);
    int n = 0;
    while (*p && *p != ']') {
        n++;
        p = ws(skip_value(p));
        if (*p == ',') p = ws(p + 1);
    }
    return n;
}

/* A number member; NAN for null. Fails the test when absent or not a number. */
static double number_member(const char *obj, const char *key, const char *what)
{
    const char *v = member(obj, key);
    if (!v) fail_msg("%s: no \"%s\"", what, key);
    if (strncmp(v, "null", 4) == 0) return NAN;
    char *end;
    double d = strtod(v, &end);
    if (end == v) fail_msg("%s: \"%s\" is not a number", what, key);
    return d;
}

/* ---- the engine's output, one run per period ------------------------------------------ */

#define MAX_RUNS 8
static struct {
    char label[32];
    char *json;
} runs[MAX_RUNS];
static int nruns;

/* The JSON report for period label (NULL: the default period), run once and kept. */
static const char *report_for(const char *label)
{
    const char *key = label ? label : "";
    for (int i = 0; i < nruns; i++)
        if (strcmp(runs[i].label, key) == 0) return runs[i].json;
    assert_true(nruns < MAX_RUNS);
    char cmd[1024], opt[64] = "";
    if (label) snprintf(opt, sizeof opt, "--period %s", label);
    /* a store that does not exist: the report comes from the data alone, whatever an
       earlier run saved beside the rule set, and nothing is written */
    snprintf(cmd, sizeof cmd, "'%s' run '%s' %s --format json --no-save --db '%s/none.db'", ENGINE,
             RULESET, opt, tu_tmpdir());
    char *out = NULL, *err = NULL;
    int rc = tu_run(cmd, &out, &err);
    if (rc != 0) fail_msg("kpiengine exited %d: %s", rc, err);
    tu_free(err);
    snprintf(runs[nruns].label, sizeof runs[nruns].label, "%s", key);
    runs[nruns].json = out;
    return runs[nruns++].json;
}

static const char *kpi_of(const char *label, const char *id)
{
    const char *k = element_with(member(report_for(label), "kpis"), "id", id);
    if (!k) fail_msg("%s: no KPI '%s' in the report", label ? label : "default", id);
    return k;
}

/* ---- the oracle --------------------------------------------------------------------- */

typedef struct window {
    const char *label, *s, *e, *ps; /* period, its first day, day after, previous start */
} window;

static const window JUN_2024 = {"2024-06", "2024-06-01", "2024-07-01", "2024-05-01"};
static const window MAY_2024 = {"2024-05", "2024-05-01", "2024-06-01", "2024-04-01"};
static const window MAR_2023 = {"2023-03", "2023-03-01", "2023-04-01", "2023-02-01"};
static const window FEB_2023 = {"2023-02", "2023-02-01", "2023-03-01", "2023-01-01"};
static const window Q2_2024 = {"2024-Q2", "2024-04-01", "2024-07-01", "2024-01-01"};
static const window Q1_2024 = {"2024-Q1", "2024-01-01", "2024-04-01", "2023-10-01"};

static char oracle_db[512];

static double oracle(const window *w, const char *sql)
{
    char setup[256];
    snprintf(setup, sizeof setup,
             ".parameter set $s \"'%s'\"\n.parameter set $e \"'%s'\"\n"
             ".parameter set $ps \"'%s'\"",
             w->s, w->e, w->ps);
    return tu_oracle(oracle_db, setup, sql);
}

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
    for (int i = 0; i < nruns; i++)
        tu_free(runs[i].json);
    nruns = 0;
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

typedef struct kpi_case {
    const char *id;
    const char *sql;
    double minimum, target;
    int lower; /* better = "lower" */
} kpi_case;

static const kpi_case KPIS[] = {
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

/* DESIGN section 4, from the oracle's value. */
static const char *grade(const kpi_case *k, double v)
{
    if (isnan(v) || isinf(v)) return "no_data";
    if (!k->lower)
        return v >= k->target ? "met_target" : v >= k->minimum ? "met_minimum" : "below_minimum";
    return v <= k->target ? "met_target" : v <= k->minimum ? "met_minimum" : "below_minimum";
}

static void check_value(const char *what, double got, double want)
{
    if (isnan(want)) {
        if (!isnan(got)) fail_msg("%s: engine %.17g, oracle has no value", what, got);
        return;
    }
    if (isnan(got) || !tu_close(got, want, TOL))
        fail_msg("%s: engine %.17g, oracle %.17g", what, got, want);
}

/* Every KPI's value, levels and status for period w, and its previous period's value. */
static void check_period(const window *w, const window *prev)
{
    for (size_t i = 0; i < NKPIS; i++) {
        const kpi_case *k = &KPIS[i];
        const char *obj = kpi_of(w->label, k->id);
        char what[128];
        snprintf(what, sizeof what, "%s %s", w->label, k->id);
        double want = oracle(w, k->sql);
        check_value(what, number_member(obj, "value", what), want);
        assert_true(number_member(obj, "minimum", what) == k->minimum);
        assert_true(number_member(obj, "target", what) == k->target);
        if (!string_is(member(obj, "status"), grade(k, want)))
            fail_msg("%s: status is not %s", what, grade(k, want));
        if (!prev) continue;
        snprintf(what, sizeof what, "%s %s previous", w->label, k->id);
        check_value(what, number_member(obj, "previous", what), oracle(prev, k->sql));
    }
}

static const kpi_case *case_of(const char *id)
{
    for (size_t i = 0; i < NKPIS; i++)
        if (strcmp(KPIS[i].id, id) == 0) return &KPIS[i];
    fail_msg("no case for %s", id);
    return NULL;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_b2b_every_kpi_matches_oracle_for_a_month(void **state)
{
    (void)state;
    check_period(&JUN_2024, NULL);
}

static void test_b2b_previous_month_values_match_oracle(void **state)
{
    (void)state;
    check_period(&JUN_2024, &MAY_2024);
}

static void test_b2b_early_month_matches_oracle(void **state)
{
    (void)state;
    check_period(&MAR_2023, &FEB_2023);
}

static void test_b2b_quarter_matches_oracle(void **state)
{
    (void)state;
    check_period(&Q2_2024, &Q1_2024);
}

typedef struct item_case {
    const char *kpi, *key, *sql;
} item_case;

static const item_case ITEMS[] = {
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

/* The KPIs marked additive in the rule set: their items are parts of a sum, not graded. */
static int additive(const char *id)
{
    static const char *const ids[] = {"revenue", "pipeline_created"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strcmp(ids[i], id) == 0) return 1;
    return 0;
}

static void test_b2b_breakdown_items_match_oracle(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ITEMS / sizeof ITEMS[0]; i++) {
        const item_case *c = &ITEMS[i];
        char what[160];
        snprintf(what, sizeof what, "%s[%s]", c->kpi, c->key);
        const char *item =
            element_with(member(kpi_of(JUN_2024.label, c->kpi), "breakdown"), "key", c->key);
        if (!item) fail_msg("%s: no such breakdown item", what);
        double want = oracle(&JUN_2024, c->sql);
        check_value(what, number_member(item, "value", what), want);
        const char *status = member(item, "status");
        if (additive(c->kpi)) {
            if (!status || strncmp(status, "null", 4) != 0)
                fail_msg("%s: status is not null", what);
        } else if (!string_is(status, grade(case_of(c->kpi), want))) {
            fail_msg("%s: status is not %s", what, grade(case_of(c->kpi), want));
        }
    }
}

/* A campaign with spend in the period but no won deal has no ROI: no value, not -100%. */
static void test_b2b_campaign_without_revenue_has_no_roi(void **state)
{
    (void)state;
    const char *name = "Google Ads Hè 2024";
    double won = oracle(&JUN_2024, "SELECT count(*)" WON "AND campaign = 'Google Ads Hè 2024'");
    double spent = oracle(&JUN_2024, "SELECT count(*) FROM spend WHERE" IN_P
                                     "AND campaign = 'Google Ads Hè 2024'");
    assert_true(won == 0 && spent > 0); /* the sample data are so */
    const char *item =
        element_with(member(kpi_of(JUN_2024.label, "roi"), "breakdown"), "key", name);
    assert_non_null(item);
    assert_true(isnan(number_member(item, "value", name)));
    assert_true(string_is(member(item, "status"), "no_data"));
}

static void test_b2b_open_deals_count_in_pipeline_not_outcomes(void **state)
{
    (void)state;
    const window dec = {"2024-12", "2024-12-01", "2025-01-01", "2024-11-01"};
    assert_true(oracle(&dec, "SELECT count(*) FROM deals WHERE stage = 'open' AND created >= $s") >
                0);
    check_value("pipeline 2024-12",
                number_member(kpi_of("2024-12", "pipeline_created"), "value", "pipeline"),
                oracle(&dec, case_of("pipeline_created")->sql));
    check_value("win rate 2024-12", number_member(kpi_of("2024-12", "win_rate"), "value", "win"),
                oracle(&dec, case_of("win_rate")->sql));
}

static void test_b2b_report_covers_every_kpi_in_english(void **state)
{
    (void)state;
    const char *doc = report_for(JUN_2024.label);
    assert_int_equal(array_length(member(doc, "kpis")), (int)NKPIS);
    assert_true(string_is(member(doc, "ruleset"), "B2B – Sao Việt Software"));
    assert_true(string_is(member(kpi_of(JUN_2024.label, "ltv_cac"), "title"), "LTV:CAC"));
    const char *p = member(doc, "period");
    assert_true(string_is(member(p, "grain"), "month"));
    assert_true(string_is(member(p, "end"), "2024-06-30"));
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
