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

#include "testutil.h"

#define DATA    KPI_SOURCE_DIR "/kpis/data/retail"
#define RULESET KPI_SOURCE_DIR "/kpis/retail.lua"
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
    for (int i = 0; i < nruns; i++)
        tu_free(runs[i].json);
    nruns = 0;
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

typedef struct kpi_case {
    const char *id;
    const char *sql;
    double minimum, target;
    int lower; /* better = "lower" */
} kpi_case;

static const kpi_case KPIS[] = {
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

/* ---- tests ---------------------------------------------------------------------------- */

static void test_retail_every_kpi_matches_oracle_for_a_month(void **state)
{
    (void)state;
    check_period(&JUN_2024, NULL);
}

static void test_retail_previous_month_values_match_oracle(void **state)
{
    (void)state;
    check_period(&JUN_2024, &MAY_2024);
}

static void test_retail_change_is_relative_to_previous(void **state)
{
    (void)state;
    const char *obj = kpi_of(JUN_2024.label, "revenue");
    double now = oracle(&JUN_2024, KPIS[0].sql), before = oracle(&MAY_2024, KPIS[0].sql);
    check_value("revenue change", number_member(obj, "change", "revenue"),
                (now - before) / fabs(before));
}

static void test_retail_early_month_matches_oracle(void **state)
{
    (void)state;
    check_period(&MAR_2023, &FEB_2023);
}

static void test_retail_quarter_matches_oracle(void **state)
{
    (void)state;
    check_period(&Q2_2024, &Q1_2024);
}

typedef struct item_case {
    const char *kpi, *key, *sql;
} item_case;

static const item_case ITEMS[] = {
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

static const kpi_case *case_of(const char *id)
{
    for (size_t i = 0; i < NKPIS; i++)
        if (strcmp(KPIS[i].id, id) == 0) return &KPIS[i];
    fail_msg("no case for %s", id);
    return NULL;
}

/* The KPIs marked additive in the rule set: their items are parts of a sum, not graded. */
static int additive(const char *id)
{
    static const char *const ids[] = {"revenue", "campaign_revenue", "social_traffic"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strcmp(ids[i], id) == 0) return 1;
    return 0;
}

static void test_retail_breakdown_items_match_oracle(void **state)
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

static void test_retail_campaign_breakdown_has_one_item_per_campaign(void **state)
{
    (void)state;
    const char *bd = member(kpi_of(JUN_2024.label, "campaign_revenue"), "breakdown");
    double want = oracle(&JUN_2024, "SELECT count(DISTINCT campaign) FROM orders WHERE" IN_P
                                    "AND campaign <> ''");
    assert_int_equal(array_length(bd), (int)want);
    assert_null(element_with(bd, "key", ""));
}

static void test_retail_report_covers_every_kpi_and_names_the_period(void **state)
{
    (void)state;
    const char *doc = report_for(Q2_2024.label);
    assert_int_equal(array_length(member(doc, "kpis")), (int)NKPIS);
    const char *p = member(doc, "period");
    assert_true(string_is(member(p, "grain"), "quarter"));
    assert_true(string_is(member(p, "label"), "2024-Q2"));
    assert_true(string_is(member(p, "start"), "2024-04-01"));
    assert_true(string_is(member(p, "end"), "2024-06-30"));
    assert_true(string_is(member(kpi_of(Q2_2024.label, "revenue"), "title"), "Doanh thu bán hàng"));
}

static void test_retail_default_period_is_latest_complete_month(void **state)
{
    (void)state;
    const char *p = member(report_for(NULL), "period");
    double last = oracle(&JUN_2024, "SELECT count(*) FROM orders WHERE date >= '2024-12-01'");
    assert_true(last > 0); /* the data run to the end of December 2024 */
    assert_true(string_is(member(p, "label"), "2024-12"));
    assert_true(string_is(member(p, "end"), "2024-12-31"));
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
