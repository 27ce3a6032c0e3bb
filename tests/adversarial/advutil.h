/*
** advutil.h -- what the adversarial tests share: hostile rule sets and data written at
** run time into the test's temporary folder, and runs of the built kpiengine that must
** fail with a given exit code and message (file and position included) within a time
** bound, or succeed with a JSON report.
**
** Every run is `kpiengine run FILE --no-save` with a results store that does not exist,
** so nothing is written beside the rule sets. A run that hangs is stopped by the ctest
** TIMEOUT of its executable; a run that ends but takes longer than its bound fails the
** test, naming the time it took.
*/
#ifndef KPI_ADVUTIL_H
#define KPI_ADVUTIL_H

#include <stddef.h>

/* Exit codes of the command line (DESIGN section 4). */
#define ADV_USAGE  2
#define ADV_SCRIPT 3
#define ADV_DATA   4

/* Seconds on a monotonic clock. */
double adv_seconds(void);

/* Write tu_tmpdir()/name with `ruleset { name = "adv" }` on line 1 and body from line 2. */
const char *adv_rules(const char *name, const char *body);

/* A path below tu_tmpdir() (static buffer rotated 8 ways). */
const char *adv_path(const char *name);

/* Create the folder tu_tmpdir()/name (and its parents); returns its path. */
const char *adv_mkdir(const char *name);

/*
** Run `kpiengine run rules --no-save extra`: it must exit with code, print message (a
** substring of stderr, usually "file:line[:column]: text") and nothing on stdout, and
** end within max_seconds.
*/
void adv_run_fails(const char *rules, const char *extra, int code, const char *message,
                   double max_seconds);

/* The same run with --format json must succeed within max_seconds; returns stdout (tu_free). */
char *adv_run_json(const char *rules, const char *extra, double max_seconds);

/* The value of KPI id in a JSON report (NAN for null); fails the test when it is absent. */
double adv_kpi_value(const char *json, const char *id);

#endif
