/*
** e2e_schedule.c -- `kpiengine schedule` and `kpiengine run --review NAME`: which reviews
** are due between two dates, which period a review run evaluates, which KPIs it covers,
** and the errors a wrong review, date or option gets.
**
** Due dates are worked out by hand from the calendar (weekdays noted beside them); the
** campaigns come from the retail sample's campaigns.csv (read with --data).
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

#define DATA   KPI_SOURCE_DIR "/kpis"

/* Orders from the retail sample; reviews of every kind. */
static const char rules_text[] =
    "ruleset { name = \"Schedule test\", currency = \"VND\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"data/retail/orders.csv\", time = \"date\" }\n"
    "source \"campaigns\" { csv = \"data/retail/campaigns.csv\" }\n"
    "kpi \"revenue\" { unit = \"VND\", better = \"higher\", additive = true,\n"
    "  minimum = 350e6, target = 450e6,\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n"
    "kpi \"orders\" { unit = \"count\", better = \"higher\", review = \"quarterly\",\n"
    "  minimum = 2000, target = 2500, value = function(p) return orders:during(p):count() end }\n"
    "kpi \"aov\" { unit = \"VND\", better = \"higher\", minimum = 450000, target = 520000,\n"
    "  value = function(p) return orders:during(p):avg \"amount\" end }\n"
    "review \"monthly\" { every = \"month\", day = 5, kpis = { \"revenue\", \"aov\" } }\n"
    "review \"weekly\" { every = \"week\", day = 5, business = true }\n"
    "review \"quarterly\" { every = \"quarter\" }\n"
    "review \"campaigns\" { campaigns = \"campaigns\", before = 14, after = 30 }\n";

static const char *write_rules(const char *name, const char *text)
{
    return tu_write_file(name, text, (size_t)-1);
}

/* "due review label" for each item of a schedule's JSON, joined by "; ". */
static const char *agenda_text(const char *json)
{
    static char text[4096];
    text[0] = '\0';
    const char *items = e2e_member(json, "reviews");
    const char *it;
    for (int i = 0; (it = e2e_element(items, i)) != NULL; i++) {
        char due[16], review[32], label[128], campaign[128];
        e2e_text(it, "due", due, sizeof due);
        e2e_text(it, "review", review, sizeof review);
        e2e_text(e2e_member(it, "period"), "label", label, sizeof label);
        e2e_text(it, "campaign", campaign, sizeof campaign);
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%s %s %s", i ? "; " : "", due, review,
                 campaign[0] ? campaign : label);
    }
    return text;
}

/* ---- schedule ------------------------------------------------------------------------------ */

static void test_schedule_lists_reviews_due_in_order(void **state)
{
    (void)state;
    const char *rules = write_rules("sched.lua", rules_text);
    char *json = e2e_run_ok(
        "schedule '%s' --data '%s' --from 2024-09-01 --to 2024-10-10 --format json", rules, DATA);
    /*
    ** monthly, day 5: August's review on 09-05, September's on 10-05.
    ** weekly, business day 5 = Friday of the next ISO week: Fri 09-06 reviews W35
    ** (Mon 08-26 .. Sun 09-01), then 09-13 W36, 09-20 W37, 09-27 W38, 10-04 W39.
    ** quarterly: Q3 on 10-01. campaigns: Back to School 2024 ran 08-10 .. 09-05, so its
    ** 30 days after end 10-05 and its review is due 10-06.
    */
    assert_string_equal(agenda_text(json),
                        "2024-09-05 monthly 2024-08; 2024-09-06 weekly 2024-W35; "
                        "2024-09-13 weekly 2024-W36; 2024-09-20 weekly 2024-W37; "
                        "2024-09-27 weekly 2024-W38; 2024-10-01 quarterly 2024-Q3; "
                        "2024-10-04 weekly 2024-W39; 2024-10-05 monthly 2024-09; "
                        "2024-10-06 campaigns Back to School 2024");
    const char *items = e2e_member(json, "reviews");
    const char *camp = e2e_element(items, 8);
    char text[64];
    assert_string_equal(e2e_text(e2e_member(camp, "period"), "start", text, sizeof text),
                        "2024-07-27"); /* 14 days before 08-10 */
    assert_string_equal(e2e_text(e2e_member(camp, "period"), "end", text, sizeof text),
                        "2024-10-05");
    /* the KPIs each review covers: its list; those naming it; else all */
    assert_int_equal(e2e_length(e2e_member(e2e_element(items, 0), "kpis")), 2);
    assert_true(e2e_string_is(e2e_element(e2e_member(e2e_element(items, 5), "kpis"), 0), "orders"));
    assert_int_equal(e2e_length(e2e_member(e2e_element(items, 5), "kpis")), 1);
    assert_int_equal(e2e_length(e2e_member(e2e_element(items, 1), "kpis")), 3);
    assert_string_equal(e2e_text(json, "from", text, sizeof text), "2024-09-01");
    assert_string_equal(e2e_text(json, "to", text, sizeof text), "2024-10-10");
    tu_free(json);
}

static void test_schedule_one_review_across_the_year_end(void **state)
{
    (void)state;
    const char *rules = write_rules("sched_year.lua", rules_text);
    char *json = e2e_run_ok("schedule '%s' --data '%s' --from 2024-12-25 --to 2025-01-10"
                            " --review weekly --format json",
                            rules, DATA);
    /* Fridays 12-27 (W51, Dec 16-22), 01-03 (W52, Dec 23-29), 01-10 (2025-W01, Dec 30 - Jan 5) */
    assert_string_equal(agenda_text(json),
                        "2024-12-27 weekly 2024-W51; 2025-01-03 weekly 2024-W52; "
                        "2025-01-10 weekly 2025-W01");
    tu_free(json);
    char *table = e2e_run_ok("schedule '%s' --data '%s' --from 2025-01-01 --to 2025-01-10"
                             " --review quarterly",
                             rules, DATA);
    assert_non_null(strstr(table, "Schedule test · schedule · "));
    assert_non_null(strstr(table, "2025-01-01  quarterly  2024-Q4"));
    assert_non_null(strstr(table, "1 review due."));
    tu_free(table);
    table =
        e2e_run_ok("schedule '%s' --data '%s' --from 2025-01-02 --to 2025-01-02 --review quarterly",
                   rules, DATA);
    assert_non_null(strstr(table, "No reviews due."));
    tu_free(table);
}

static void test_schedule_bad_input_is_reported(void **state)
{
    (void)state;
    const char *rules = write_rules("sched_bad.lua", rules_text);
    char args[2000];
    snprintf(args, sizeof args, "schedule '%s' --data '%s' --from 2024-02-30", rules, DATA);
    e2e_assert_error(args, 2, "--from: '2024-02-30' is not a day of the calendar");
    snprintf(args, sizeof args, "schedule '%s' --data '%s' --to tomorrow", rules, DATA);
    e2e_assert_error(args, 2, "--to: 'tomorrow' is not a date (expected YYYY-MM-DD");
    snprintf(args, sizeof args, "schedule '%s' --from 2024-03-01 --to 2024-02-01", rules);
    e2e_assert_error(args, 2, "schedule: --to 2024-02-01 is before --from 2024-03-01");
    snprintf(args, sizeof args, "schedule '%s' --data '%s' --review montly", rules, DATA);
    e2e_assert_error(args, 2, "--review: ");
    snprintf(args, sizeof args, "schedule '%s' --data '%s' --review montly", rules, DATA);
    e2e_assert_error(args, 2, "has no review 'montly' (did you mean 'monthly'?)");
    e2e_assert_error("schedule", 2, "schedule: missing the rule-set file");
    const char *bad = write_rules("bad_day.lua", "ruleset { name = \"b\" }\n"
                                                 "review \"w\" { every = \"week\",\n"
                                                 "  day = 6, business = true }\n");
    snprintf(args, sizeof args, "schedule '%s'", bad);
    e2e_assert_error(args, 3, "bad_day.lua:2:");
    e2e_assert_error(
        args, 3,
        "review 'w': day must be a business weekday from 1 (Monday) to 5 (Friday) for a "
        "week review");
    bad = write_rules("bad_business.lua",
                      "ruleset { name = \"b\" }\nsource \"c\" { csv = \"c.csv\" }\n"
                      "review \"c\" { campaigns = \"c\", business = true }\n");
    snprintf(args, sizeof args, "schedule '%s'", bad);
    e2e_assert_error(args, 3, "review 'c': business only applies to a schedule (every = ...)");
    bad = write_rules("bad_daily.lua", "ruleset { name = \"b\" }\n"
                                       "review \"d\" { every = \"day\", day = 2 }\n");
    snprintf(args, sizeof args, "schedule '%s'", bad);
    e2e_assert_error(args, 3, "review 'd': day does not apply to a daily review");
}

/* ---- run --review ---------------------------------------------------------------------------- */

/* The ids of the report's KPIs, joined by ",". */
static const char *kpi_ids(const char *json)
{
    static char text[512];
    text[0] = '\0';
    const char *k;
    for (int i = 0; (k = e2e_element(e2e_member(json, "kpis"), i)) != NULL; i++) {
        char id[64];
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%s", i ? "," : "",
                 e2e_text(k, "id", id, sizeof id));
    }
    return text;
}

static void assert_review_run(const char *rules, const char *review, const char *as_of,
                              const char *label, const char *ids)
{
    char *json = e2e_run_ok("run '%s' --data '%s' --review %s --as-of %s --no-save --format json",
                            rules, DATA, review, as_of);
    char got[64];
    e2e_text(e2e_member(json, "period"), "label", got, sizeof got);
    if (strcmp(got, label) != 0)
        fail_msg("review %s as of %s: period %s, expected %s", review, as_of, got, label);
    assert_string_equal(kpi_ids(json), ids);
    assert_string_equal(e2e_text(json, "review", got, sizeof got), review);
    tu_free(json);
}

static void test_run_review_evaluates_the_latest_due_period(void **state)
{
    (void)state;
    const char *rules = write_rules("review_run.lua", rules_text);
    /* July's monthly review is due 08-05, August's 09-05 */
    assert_review_run(rules, "monthly", "2024-09-04", "2024-07", "revenue,aov");
    assert_review_run(rules, "monthly", "2024-09-05", "2024-08", "revenue,aov");
    /* Q2's is due 07-01 */
    assert_review_run(rules, "quarterly", "2024-09-30", "2024-Q2", "orders");
    assert_review_run(rules, "quarterly", "2024-10-01", "2024-Q3", "orders");
    /* Thu 2024-09-12: the latest Friday is 09-06, which reviewed W35 */
    assert_review_run(rules, "weekly", "2024-09-12", "2024-W35", "revenue,orders,aov");
    assert_review_run(rules, "weekly", "2024-09-13", "2024-W36", "revenue,orders,aov");
}

static void test_run_review_values_match_the_oracle(void **state)
{
    (void)state;
    const char *rules = write_rules("review_values.lua", rules_text);
    char *json = e2e_run_ok("run '%s' --data '%s' --review monthly --as-of 2024-09-05 --no-save"
                            " --format json",
                            rules, DATA);
    char setup[600];
    snprintf(setup, sizeof setup, ".import --csv '%s/data/retail/orders.csv' orders", DATA);
    double revenue =
        tu_oracle(":memory:", setup, "SELECT sum(amount) FROM orders WHERE date LIKE '2024-08-%'");
    double july =
        tu_oracle(":memory:", setup, "SELECT sum(amount) FROM orders WHERE date LIKE '2024-07-%'");
    const char *k = e2e_with(e2e_member(json, "kpis"), "id", "revenue");
    assert_true(tu_close(e2e_number(k, "value"), revenue, 1e-9));
    assert_true(tu_close(e2e_number(k, "previous"), july, 1e-9));
    tu_free(json);
}

static void test_run_review_saves_the_review_name(void **state)
{
    (void)state;
    const char *rules = write_rules("review_save.lua", rules_text);
    char db[600];
    snprintf(db, sizeof db, "%s/review_save.db", tu_tmpdir());
    tu_free(e2e_run_ok("run '%s' --data '%s' --review quarterly --as-of 2024-10-01 --db '%s'",
                       rules, DATA, db));
    char *runs = tu_oracle_text(db, NULL,
                                "SELECT period_label, review, (SELECT group_concat(kpi) FROM"
                                " results) FROM runs");
    assert_string_equal(runs, "2024-Q3|quarterly|orders");
    tu_free(runs);
}

static void test_run_review_bad_input_is_reported(void **state)
{
    (void)state;
    const char *rules = write_rules("review_bad.lua", rules_text);
    char args[2000];
    snprintf(args, sizeof args, "run '%s' --data '%s' --review montly --no-save", rules, DATA);
    e2e_assert_error(args, 2,
                     "has no review 'montly' (did you mean 'monthly'?); its reviews: "
                     "monthly, weekly, quarterly, campaigns");
    snprintf(args, sizeof args, "run '%s' --campaign 'Tết 2024' --no-save", rules);
    e2e_assert_error(args, 2, "--campaign: only with --review");
    snprintf(args, sizeof args, "run '%s' --data '%s' --review monthly --campaign x --no-save",
             rules, DATA);
    e2e_assert_error(args, 2, "--campaign: review 'monthly' is a schedule (every = month)");
    snprintf(args, sizeof args, "run '%s' --as-of 2024-13-01 --no-save", rules);
    e2e_assert_error(args, 2, "--as-of: '2024-13-01' is not a date");
    snprintf(args, sizeof args,
             "run '%s' --data '%s' --period 2024-08 --as-of 2024-07-31 --no-save", rules, DATA);
    e2e_assert_error(args, 2,
                     "--as-of 2024-07-31 is before the period 2024-08 starts (2024-08-01)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_lists_reviews_due_in_order),
        cmocka_unit_test(test_schedule_one_review_across_the_year_end),
        cmocka_unit_test(test_schedule_bad_input_is_reported),
        cmocka_unit_test(test_run_review_evaluates_the_latest_due_period),
        cmocka_unit_test(test_run_review_values_match_the_oracle),
        cmocka_unit_test(test_run_review_saves_the_review_name),
        cmocka_unit_test(test_run_review_bad_input_is_reported),
    };
    return cmocka_run_group_tests_name("e2e_schedule", tests, NULL, NULL);
}
