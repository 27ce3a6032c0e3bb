/*
** e2e_review.c -- what a review adds to a run: a period still in progress (value to
** date, the run-rate projection of additive KPIs, whether they are on pace), a KPI's
** deadline (due), and campaign reviews (each campaign before, during and after it).
**
** The data is the retail sample (read with --data); every value is checked against
** sqlite3 on the same CSV files over the same days (the oracle). Day counts and
** deadlines are worked out by hand (noted beside them).
*/
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e2eutil.h"
#include "testutil.h"

#define DATA   KPI_SOURCE_DIR "/kpis"
#define TOL    1e-9

static const char pace_rules[] =
    "ruleset { name = \"Pace test\", currency = \"VND\", grain = \"month\" }\n"
    "local orders = source \"orders\" { csv = \"data/retail/orders.csv\", time = \"date\" }\n"
    "kpi \"revenue\" { unit = \"VND\", better = \"higher\", additive = true,\n"
    "  minimum = 350e6, target = 450e6, due = \"2024-12-31\",\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n"
    "kpi \"orders\" { unit = \"count\", better = \"higher\", additive = true,\n"
    "  minimum = 600, target = 700, value = function(p) return orders:during(p):count() end }\n"
    "kpi \"aov\" { unit = \"VND\", better = \"higher\", minimum = 450000, target = 520000,\n"
    "  value = function(p) return orders:during(p):avg \"amount\" end }\n"
    "kpi \"late\" { unit = \"VND\", better = \"higher\", additive = true, due = \"2024-08-10\",\n"
    "  minimum = 1, target = 1e12, value = function(p) return orders:during(p):sum \"amount\" end "
    "}\n";

static const char campaign_rules[] =
    "ruleset { name = \"Campaign test\", currency = \"VND\" }\n"
    "local orders = source \"orders\" { csv = \"data/retail/orders.csv\", time = \"date\" }\n"
    "source \"campaigns\" { csv = \"data/retail/campaigns.csv\" }\n"
    "kpi \"revenue\" { unit = \"VND\", better = \"higher\", additive = true,\n"
    "  minimum = 100e6, target = 150e6,\n"
    "  value = function(p) return orders:during(p):sum \"amount\" end }\n"
    "kpi \"aov\" { unit = \"VND\", better = \"higher\", minimum = 450000, target = 520000,\n"
    "  value = function(p) return orders:during(p):avg \"amount\" end }\n"
    "kpi \"count\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
    "  value = function(p) return orders:during(p):count() end }\n"
    "review \"campaigns\" { campaigns = \"campaigns\", before = 14, after = 30,\n"
    "  kpis = { \"revenue\", \"aov\" } }\n";

static void assert_error(const char *args, int code, const char *message)
{
    tu_free(e2e_run_fails(args, code, message));
}

/* The oracle over the sample's orders: sql's %s are replaced by from and to. */
static double orders_oracle(const char *what, const char *from, const char *to)
{
    char setup[600], sql[400];
    snprintf(setup, sizeof setup, ".import --csv '%s/data/retail/orders.csv' orders", DATA);
    snprintf(sql, sizeof sql, "SELECT %s FROM orders WHERE date BETWEEN '%s' AND '%s'", what, from,
             to);
    return tu_oracle(":memory:", setup, sql);
}

static const char *kpi(const char *json, const char *id)
{
    const char *k = e2e_with(e2e_member(json, "kpis"), "id", id);
    if (!k) fail_msg("no KPI %s in the report", id);
    return k;
}

/* ---- a period in progress ------------------------------------------------------------------ */

static void test_period_in_progress_counts_days_to_date_and_projects(void **state)
{
    (void)state;
    const char *rules = tu_write_file("pace.lua", pace_rules, (size_t)-1);
    char *json =
        e2e_run_ok("run '%s' --data '%s' --as-of 2024-08-15 --no-save --format json", rules, DATA);
    char text[64];
    assert_string_equal(e2e_text(e2e_member(json, "period"), "label", text, sizeof text),
                        "2024-08");
    assert_string_equal(e2e_text(json, "as_of", text, sizeof text), "2024-08-15");
    assert_true(strstr(json, "\"in_progress\": true") != NULL);
    assert_true(e2e_number(json, "period_days") == 31 && e2e_number(json, "days_counted") == 15);
    const char *rev = kpi(json, "revenue");
    double to_date = orders_oracle("sum(amount)", "2024-08-01", "2024-08-15");
    double same_days_july = orders_oracle("sum(amount)", "2024-07-01", "2024-07-15");
    assert_true(tu_close(e2e_number(rev, "value"), to_date, TOL));
    assert_true(tu_close(e2e_number(rev, "previous"), same_days_july, TOL));
    assert_true(
        tu_close(e2e_number(rev, "change"), (to_date - same_days_july) / same_days_july, 1e-12));
    /* projection: 15 of 31 days counted */
    double projected = to_date * 31.0 / 15.0;
    const char *pace = e2e_member(rev, "pace");
    assert_true(tu_close(e2e_number(pace, "projection"), projected, TOL));
    const char *grade = projected >= 450e6   ? "met_target"
                        : projected >= 350e6 ? "met_minimum"
                                             : "below_minimum";
    assert_string_equal(e2e_text(pace, "status", text, sizeof text), grade);
    assert_true(strstr(pace, projected >= 450e6 ? "\"on_pace\": true" : "\"on_pace\": false"));
    double count = orders_oracle("count(*)", "2024-08-01", "2024-08-15");
    assert_true(tu_close(e2e_number(e2e_member(kpi(json, "orders"), "pace"), "projection"),
                         count * 31.0 / 15.0, TOL));
    /* not additive: the value to date, and no projection */
    const char *aov = kpi(json, "aov");
    assert_true(tu_close(e2e_number(aov, "value"),
                         orders_oracle("avg(amount)", "2024-08-01", "2024-08-15"), TOL));
    assert_true(e2e_is_null(e2e_member(aov, "pace")));
    tu_free(json);
}

static void test_deadline_shows_progress_days_left_and_state(void **state)
{
    (void)state;
    const char *rules = tu_write_file("due.lua", pace_rules, (size_t)-1);
    char *json =
        e2e_run_ok("run '%s' --data '%s' --as-of 2024-08-15 --no-save --format json", rules, DATA);
    double to_date = orders_oracle("sum(amount)", "2024-08-01", "2024-08-15");
    const char *due = e2e_member(kpi(json, "revenue"), "due");
    char text[64];
    assert_string_equal(e2e_text(due, "date", text, sizeof text), "2024-12-31");
    /* 08-15 to 12-31: 16 + 30 + 31 + 30 + 31 days */
    assert_true(e2e_number(due, "days_left") == 138);
    assert_true(tu_close(e2e_number(due, "progress"), to_date / 450e6, TOL));
    assert_string_equal(e2e_text(due, "state", text, sizeof text),
                        to_date * 31.0 / 15.0 >= 450e6 ? "on_pace" : "behind");
    const char *late = e2e_member(kpi(json, "late"), "due");
    assert_true(e2e_number(late, "days_left") == -5); /* 08-10 was five days before 08-15 */
    assert_string_equal(e2e_text(late, "state", text, sizeof text), "overdue");
    assert_true(e2e_is_null(e2e_member(kpi(json, "aov"), "due")));
    tu_free(json);
    /* a whole period: counted to its last day, 08-31 to 12-31 is 30 + 31 + 30 + 31 days */
    json = e2e_run_ok(
        "run '%s' --data '%s' --period 2024-08 --as-of 2024-09-10 --no-save --format json", rules,
        DATA);
    assert_true(strstr(json, "\"in_progress\": false") != NULL);
    due = e2e_member(kpi(json, "revenue"), "due");
    assert_true(e2e_number(due, "days_left") == 122);
    double august = orders_oracle("sum(amount)", "2024-08-01", "2024-08-31");
    assert_string_equal(e2e_text(due, "state", text, sizeof text),
                        august >= 450e6 ? "met" : "open");
    assert_true(e2e_is_null(e2e_member(kpi(json, "revenue"), "pace")));
    tu_free(json);
}

static void test_table_says_to_date_pace_and_deadline(void **state)
{
    (void)state;
    const char *rules = tu_write_file("pace_table.lua", pace_rules, (size_t)-1);
    char *table = e2e_run_ok("run '%s' --data '%s' --as-of 2024-08-15 --no-save", rules, DATA);
    assert_non_null(strstr(table, "2024-08 (2024-08-01 to 2024-08-31) · to date: 2024-08-15, 15 "
                                  "of 31 days"));
    assert_non_null(strstr(table, "projected by 2024-08-31 ("));
    assert_non_null(strstr(table, "↳ due 2024-12-31, 138 days left: "));
    assert_non_null(strstr(table, "↳ due 2024-08-10, 5 days ago: "));
    assert_non_null(strstr(table, "· overdue"));
    tu_free(table);
}

static void test_current_month_is_in_progress_to_today(void **state)
{
    (void)state;
    const char *rules = tu_write_file("today.lua", pace_rules, (size_t)-1);
    char *month, *today;
    assert_int_equal(tu_run("date +%Y-%m", &month, NULL), 0);
    assert_int_equal(tu_run("date +%F", &today, NULL), 0);
    month[strcspn(month, "\n")] = '\0';
    today[strcspn(today, "\n")] = '\0';
    char *json =
        e2e_run_ok("run '%s' --data '%s' --period %s --no-save --format json", rules, DATA, month);
    char text[64];
    int last_day = strstr(json, "\"in_progress\": false") != NULL; /* run on a month's last day */
    if (!last_day) {
        assert_string_equal(e2e_text(json, "as_of", text, sizeof text), today);
        assert_true(e2e_number(json, "days_counted") == atoi(today + 8));
    }
    tu_free(json);
    tu_free(month);
    tu_free(today);
}

static void test_bad_deadline_is_a_script_error(void **state)
{
    (void)state;
    const char *rules = tu_write_file(
        "bad_due.lua",
        "ruleset { name = \"d\" }\n"
        "kpi \"x\" { due = \"end of year\", better = \"higher\", minimum = 1, target = 2,\n"
        "  value = function(p) return 1 end }\n",
        (size_t)-1);
    char args[1000];
    snprintf(args, sizeof args, "run '%s' --period 2024-08 --no-save", rules);
    assert_error(args, 3, "bad_due.lua:2:");
    assert_error(args, 3, "kpi 'x': due must be a date as \"2024-12-31\", got \"end of year\"");
}

/* ---- campaigns ----------------------------------------------------------------------------- */

static void assert_window(const char *windows, const char *name, const char *start, const char *end,
                          int days)
{
    const char *w = e2e_member(windows, name);
    char a[16], b[16];
    if (!w || e2e_is_null(w)) fail_msg("no %s window", name);
    assert_string_equal(e2e_text(w, "start", a, sizeof a), start);
    assert_string_equal(e2e_text(w, "end", b, sizeof b), end);
    assert_true(e2e_number(w, "days") == days);
}

static void test_campaign_windows_match_the_oracle(void **state)
{
    (void)state;
    const char *rules = tu_write_file("camp.lua", campaign_rules, (size_t)-1);
    char db[600];
    snprintf(db, sizeof db, "%s/camp.db", tu_tmpdir());
    char *json =
        e2e_run_ok("run '%s' --data '%s' --review campaigns --campaign 'Khuyến mãi hè 2024'"
                   " --db '%s' --format json",
                   rules, DATA, db);
    const char *c = e2e_element(e2e_member(json, "campaigns"), 0);
    assert_null(e2e_element(e2e_member(json, "campaigns"), 1));
    char text[64];
    assert_string_equal(e2e_text(c, "name", text, sizeof text), "Khuyến mãi hè 2024");
    assert_string_equal(e2e_text(c, "due", text, sizeof text), "2024-07-31");
    assert_string_equal(e2e_text(e2e_member(c, "fields"), "channel", text, sizeof text), "email");
    assert_true(e2e_number(e2e_member(c, "fields"), "budget") == 24000000);
    /* the campaign ran 06-01 .. 06-30: 14 days before it, 30 after */
    const char *windows = e2e_member(c, "windows");
    assert_window(windows, "before", "2024-05-18", "2024-05-31", 14);
    assert_window(windows, "during", "2024-06-01", "2024-06-30", 30);
    assert_window(windows, "after", "2024-07-01", "2024-07-30", 30);
    const char *kpis = e2e_member(c, "kpis");
    assert_int_equal(e2e_length(kpis), 2);
    const char *rev = e2e_with(kpis, "id", "revenue");
    double before = orders_oracle("sum(amount)", "2024-05-18", "2024-05-31");
    double during = orders_oracle("sum(amount)", "2024-06-01", "2024-06-30");
    double after = orders_oracle("sum(amount)", "2024-07-01", "2024-07-30");
    assert_true(tu_close(e2e_number(e2e_member(rev, "before"), "value"), before, TOL));
    assert_true(tu_close(e2e_number(e2e_member(rev, "during"), "value"), during, TOL));
    assert_true(tu_close(e2e_number(e2e_member(rev, "after"), "value"), after, TOL));
    /* additive: per day, 30 days after against 14 before */
    assert_true(strstr(rev, "\"change_per_day\": true") != NULL);
    assert_true(
        tu_close(e2e_number(rev, "change"), (after / 30 - before / 14) / (before / 14), 1e-12));
    const char *aov = e2e_with(kpis, "id", "aov");
    double aov_before = orders_oracle("avg(amount)", "2024-05-18", "2024-05-31");
    double aov_after = orders_oracle("avg(amount)", "2024-07-01", "2024-07-30");
    assert_true(tu_close(e2e_number(e2e_member(aov, "after"), "value"), aov_after, TOL));
    assert_true(tu_close(e2e_number(aov, "change"), (aov_after - aov_before) / aov_before, 1e-12));
    tu_free(json);
    char *runs = tu_oracle_text(db, NULL,
                                "SELECT group_concat(period_label || ':' || review, ' ') FROM"
                                " (SELECT * FROM runs ORDER BY id);"
                                " SELECT count(*) FROM results");
    assert_string_equal(runs, "2024-05-18..2024-05-31:campaigns 2024-06-01..2024-06-30:campaigns "
                              "2024-07-01..2024-07-30:campaigns\n6");
    tu_free(runs);
}

static void test_campaigns_cut_at_as_of(void **state)
{
    (void)state;
    const char *rules = tu_write_file("camp_asof.lua", campaign_rules, (size_t)-1);
    char *json = e2e_run_ok("run '%s' --data '%s' --review campaigns --as-of 2024-06-20 --no-save"
                            " --format json",
                            rules, DATA);
    char setup[600];
    snprintf(setup, sizeof setup, ".import --csv '%s/data/retail/campaigns.csv' c", DATA);
    double started =
        tu_oracle(":memory:", setup, "SELECT count(*) FROM c WHERE start <= '2024-06-20'");
    const char *list = e2e_member(json, "campaigns");
    assert_int_equal(e2e_length(list), (int)started);
    /* Sinh nhật cửa hàng 2024 runs 06-15 .. 06-23: six days so far, no after window yet */
    const char *c = e2e_with(list, "name", "Sinh nhật cửa hàng 2024");
    const char *windows = e2e_member(c, "windows");
    assert_window(windows, "during", "2024-06-15", "2024-06-20", 6);
    assert_true(e2e_is_null(e2e_member(windows, "after")));
    const char *rev = e2e_with(e2e_member(c, "kpis"), "id", "revenue");
    assert_true(tu_close(e2e_number(e2e_member(rev, "during"), "value"),
                         orders_oracle("sum(amount)", "2024-06-15", "2024-06-20"), TOL));
    assert_true(e2e_is_null(e2e_member(rev, "after")));
    assert_true(e2e_is_null(e2e_member(rev, "change")));
    assert_null(e2e_with(list, "name", "Back to School 2024")); /* starts 08-10 */
    tu_free(json);
}

static void test_campaign_review_bad_input_is_reported(void **state)
{
    (void)state;
    const char *rules = tu_write_file("camp_bad.lua", campaign_rules, (size_t)-1);
    char args[2000];
    snprintf(args, sizeof args,
             "run '%s' --data '%s' --review campaigns --campaign 'Sinh nhat cửa hàng 2024'"
             " --no-save",
             rules, DATA);
    assert_error(args, 2,
                 "--campaign: no campaign is called 'Sinh nhat cửa hàng 2024' (did you mean 'Sinh "
                 "nhật cửa hàng 2024'?)");
    snprintf(args, sizeof args,
             "run '%s' --data '%s' --review campaigns --period 2024-06 --no-save", rules, DATA);
    assert_error(args, 2, "--period: a campaigns review takes its periods from the campaigns");
    tu_write_file("nocamp.csv", "name,start,finish\nX,2024-01-01,2024-01-05\n", (size_t)-1);
    const char *nocol =
        tu_write_file("nocamp.lua",
                      "ruleset { name = \"n\" }\nsource \"c\" { csv = \"nocamp.csv\" }\n"
                      "kpi \"one\" { better = \"higher\", minimum = 1, target = 2, value = "
                      "function(p) return 1 end }\n"
                      "review \"campaigns\" { campaigns = \"c\", before = 7, after = 7 }\n",
                      (size_t)-1);
    snprintf(args, sizeof args, "run '%s' --review campaigns --no-save", nocol);
    assert_error(args, 4, "nocamp.csv: campaigns source 'c' has no column 'end'");
    tu_write_file("backwards.csv", "name,start,end\nX,2024-01-05,2024-01-01\n", (size_t)-1);
    const char *back =
        tu_write_file("backwards.lua",
                      "ruleset { name = \"n\" }\nsource \"c\" { csv = \"backwards.csv\" }\n"
                      "kpi \"one\" { better = \"higher\", minimum = 1, target = 2, value = "
                      "function(p) return 1 end }\n"
                      "review \"campaigns\" { campaigns = \"c\", before = 7, after = 7 }\n",
                      (size_t)-1);
    snprintf(args, sizeof args, "run '%s' --review campaigns --no-save", back);
    assert_error(args, 4, "campaigns source 'c', row 1: the campaign ends before it starts");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_in_progress_counts_days_to_date_and_projects),
        cmocka_unit_test(test_deadline_shows_progress_days_left_and_state),
        cmocka_unit_test(test_table_says_to_date_pace_and_deadline),
        cmocka_unit_test(test_current_month_is_in_progress_to_today),
        cmocka_unit_test(test_bad_deadline_is_a_script_error),
        cmocka_unit_test(test_campaign_windows_match_the_oracle),
        cmocka_unit_test(test_campaigns_cut_at_as_of),
        cmocka_unit_test(test_campaign_review_bad_input_is_reported),
    };
    return cmocka_run_group_tests_name("e2e_review", tests, NULL, NULL);
}
