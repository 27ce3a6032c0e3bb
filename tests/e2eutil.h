/*
** e2eutil.h -- what the end-to-end tests share: just enough JSON reading to walk the
** engine's reports, running the built kpiengine and capturing what it prints, and the
** periods, sqlite3 oracle and checks of the sample rule sets' tests.
**
** JSON values are pointers into the text they were read from (no copies, no
** unescaping); a function given NULL where a value is expected returns NULL, -1 or NAN,
** so lookups chain without checks. The run helpers fail the current cmocka test on an
** unexpected exit; what they return is freed with tu_free.
*/
#ifndef KPI_E2EUTIL_H
#define KPI_E2EUTIL_H

#include <stddef.h>

/* ---- JSON ------------------------------------------------------------------------------ */

/* Whether the JSON value at v is the string s. */
int e2e_string_is(const char *v, const char *s);

/* Whether the JSON value at v is null. */
int e2e_is_null(const char *v);

/* The value of member key of the object at obj, or NULL. */
const char *e2e_member(const char *obj, const char *key);

/* Element i (0-based) of the array at arr, or NULL. */
const char *e2e_element(const char *arr, int i);

/* The number of elements of the array at arr; -1 when arr is not an array. */
int e2e_length(const char *arr);

/* The element of the array at arr whose member field is the string want, or NULL. */
const char *e2e_with(const char *arr, const char *field, const char *want);

/* A number member of obj; NAN for null or when absent. */
double e2e_number(const char *obj, const char *key);

/* A number member of obj; NAN for null. Fails the test, naming what, when the member is
** absent or not a number. */
double e2e_number_member(const char *obj, const char *key, const char *what);

/* A string member of obj into buf ("" when absent or null; no unescaping). */
const char *e2e_text(const char *obj, const char *key, char *buf, size_t size);

/* ---- files ------------------------------------------------------------------------------ */

/* Create folder name in the test's temporary folder; fails the current test when it cannot. */
void e2e_make_folder(const char *name);

/* The path of rel inside folder name of the test's temporary folder (8 rotating buffers). */
const char *e2e_path_in(const char *name, const char *rel);

/* Write text to path; fails the current test when it cannot. */
void e2e_write_text(const char *path, const char *text);

/* ---- running kpiengine ----------------------------------------------------------------- */

/* Run the built kpiengine with args (shell words, colour off); stdout and stderr as
** tu_run. Returns the exit code. */
int e2e_engine(const char *args, char **out, char **err);

/* Run kpiengine with the printf-formatted args and expect exit 0; returns stdout. */
char *e2e_run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run kpiengine with args and expect exit code with message in stderr; returns stdout
** for the caller to check. */
char *e2e_run_fails(const char *args, int code, const char *message);

/* As e2e_run_fails, and stdout must be empty: a failed command prints no report. */
void e2e_assert_error(const char *args, int code, const char *message);

/* The JSON report of `kpiengine run ruleset` for period label (NULL: the default
** period), from the data alone and saving nothing. Each (ruleset, label) runs once per
** process; the text is kept until e2e_reports_free. */
const char *e2e_report_for(const char *ruleset, const char *label);

/* The object of KPI id in that report; fails the test when there is none. */
const char *e2e_kpi_of(const char *ruleset, const char *label, const char *id);

/* Free every report kept by e2e_report_for. */
void e2e_reports_free(void);

/* ---- periods and the oracle of the sample rule sets -------------------------------------- */

typedef struct e2e_window {
    const char *label, *s, *e, *ps; /* period, its first day, day after, previous start */
} e2e_window;

extern const e2e_window E2E_JUN_2024, E2E_MAY_2024, E2E_MAR_2023, E2E_FEB_2023, E2E_Q2_2024,
    E2E_Q1_2024;

/* tu_oracle on db with the window's days bound to the parameters $s (first day), $e (day
** after the last) and $ps (first day of the previous period). */
double e2e_window_oracle(const char *db, const e2e_window *w, const char *sql);

/* A KPI of a sample rule set as the oracle knows it: its SQL and its levels, which repeat
** the rule set's on purpose. */
typedef struct e2e_kpi_case {
    const char *id;
    const char *sql;
    double minimum, target;
    int lower; /* better = "lower" */
} e2e_kpi_case;

/* A breakdown item of KPI kpi, and the SQL of its value. */
typedef struct e2e_item_case {
    const char *kpi, *key, *sql;
} e2e_item_case;

/* A sample rule set and its oracle: the KPIs checked, and those marked additive (their
** items are parts of a sum, not graded). */
typedef struct e2e_sample {
    const char *ruleset;
    const char *oracle_db;
    const e2e_kpi_case *kpis;
    size_t nkpis;
    const char *const *additive;
    size_t nadditive;
} e2e_sample;

/* The status DESIGN section 4 gives value v of KPI k ("no_data" for NaN or infinity). */
const char *e2e_grade(const e2e_kpi_case *k, double v);

/* Fails the test, naming what, unless the engine's got and the oracle's want agree
** (within 1e-9, relative) or both have no value (NaN). */
void e2e_check_value(const char *what, double got, double want);

/* Every KPI's value, levels and status for period w, and, when prev is not NULL, its
** previous period's value. */
void e2e_check_period(const e2e_sample *s, const e2e_window *w, const e2e_window *prev);

/* The case of KPI id; fails the test when there is none. */
const e2e_kpi_case *e2e_case_of(const e2e_sample *s, const char *id);

/* Every item's value and status in period w: the status is null for an additive KPI's
** item, else the grade of the oracle's value. */
void e2e_check_items(const e2e_sample *s, const e2e_window *w, const e2e_item_case *items,
                     size_t n);

#endif
