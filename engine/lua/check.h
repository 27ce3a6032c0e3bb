/*
** check.h -- a consultant's lint for a rule set: load it leniently, look at its
** declarations, read its sources and evaluate each KPI once, and list every problem
** found as a finding (file, line, severity, message) instead of stopping at the first.
**
** What is checked (each finding names the user's file:line):
**   loading     syntax errors and errors of the file's own code (these stop the load:
**               one finding, and nothing after it is checked); every unknown field of a
**               declaration (with "did you mean"), missing required fields (a kpi's
**               value, better, minimum, target; a source's csv or sqlite, a sqlite
**               source's query or table; a review's every or campaigns), fields of the
**               wrong type, levels in the wrong order for `better`, a declaration
**               without its { ... }. The declaration is then repaired in a copy of its
**               table (the field dropped, a placeholder given) and loaded again, so
**               the rest of the file loads and is checked too.
**   cross refs  a kpi's review that is not declared, a review's kpis = {...} naming no
**               KPI, a campaigns review naming no source, a due date that is not a date
**               (with "did you mean" over the declared names).
**   levels      minimum equal to target (a warning: the KPI meets both or neither).
**   units       (known units below) a spelling close to a known unit (a warning with
**               the suggestion), money in another currency than the rule set's, a "%"
**               or "ratio" KPI whose levels are outside the unit's range (warnings).
**   sources     every declared source is loaded: a file that is missing or is not a
**               database, malformed data (errors with data = 1: exit code 4). What the
**               engine counts as the rule set's error, as a run does (a time column the
**               data lacks, a SQLite query that does not run), has data = 0.
**   evaluation  every KPI's value and breakdown run once, for the latest complete
**               period of the data, each under its own protected call: unknown
**               globals, columns a source lacks, aggregates over a column of the wrong
**               type, k.x naming no KPI, cycles, values of the wrong type. Each error is
**               attributed to the KPI (its message names it) at the line where it
**               happened, and the next KPI is evaluated. A missing value (a nil, a
**               division by zero) is no data at run time, not a finding. KPIs that read
**               a source that could not be loaded are not evaluated further (the
**               source's finding says why).
**   globals     every file of the rule set (main file, bases, required modules) is
**               compiled again, not run, and its bytecode read: a global that is read but
**               neither a global after loading nor assigned anywhere in those files is
**               an error at its line, also in code the evaluation did not reach.
**
** Known units: count, %, percent, ratio (fractions: 0.35 is 35%), x (a multiple), points,
** score, seconds, minutes, hours, days, weeks, months, years (and their singulars), and
** money: the rule set's currency or any ISO-style code of three capital letters. Other
** words are the rule set's own units and are accepted as written, unless they are a
** likely misspelling of a known unit. Ranges: "ratio" levels in 0..1; "%" and "percent"
** levels in -1..10 (-100% to 1000%), which catches 35 written for 35%.
**
** Library code: nothing is printed; the caller sorts and prints the findings.
*/
#ifndef KPI_CHECK_H
#define KPI_CHECK_H

#include <stddef.h>

#include "core/kpi_error.h"
#include "rules.h"

typedef enum check_severity { CHECK_ERROR, CHECK_WARNING } check_severity;

typedef struct check_finding {
    char *file; /* the user's file (a rule-set file, or a data file for malformed data) */
    long line;  /* 1-based; 0 when the finding is about the whole file */
    check_severity severity;
    int data;      /* 1: a source could not be read (exit code 4 rather than 3) */
    char *message; /* one line, naming the KPI, source or review concerned */
} check_finding;

typedef struct check_report {
    check_finding *items; /* owned */
    size_t n, cap;
    size_t nkpis, nsources, nreviews; /* what the rule set declares (when it loaded) */
    int loaded;                       /* 0: the file stopped loading (one finding says why) */
} check_report;

/*
** Check the rule set at path (o as for rules_open: data_dir, limits; NULL = defaults)
** into *out, which it initialises (check_report_free it, also on failure). Returns 0
** when the check ran, whatever it found; -1 + err only when it could not run at all
** (out of memory, the data folder cannot be used).
*/
int check_ruleset(const char *path, const rules_options *o, check_report *out, kpi_error *err);

/* Free the findings. */
void check_report_free(check_report *r);

/*
** Add a finding (copies file and the formatted message; the message is cut at its first
** newline). 0, or -1 when out of memory.
*/
int check_add(check_report *r, check_severity sev, int data, const char *file, long line,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Sort by file, then line, keeping the order of equal positions; drop exact duplicates. */
void check_sort(check_report *r);

/* How many findings have severity sev; whether one of them is a data (source) error. */
size_t check_count(const check_report *r, check_severity sev);
int check_has_data_error(const check_report *r);

#endif
