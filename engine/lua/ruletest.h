/*
** ruletest.h -- test cases declared in Lua beside a rule set, for `kpiengine test`.
**
** Convention: the cases of kpis/retail.lua live in kpis/retail.test.lua. The test file
** runs in the rule set's own sandbox, after the rule set has loaded, with one more
** global, `test`:
**
**   test "cac on a quiet month" {
**     period = "2024-08", as_of = "2024-09-05",   -- both optional, as --period / --as-of
**     data = { orders = { {date = "2024-08-01", customer_id = "C1", amount = 120000} },
**              spend = "fixtures/spend.csv" },     -- inline rows, or a fixture file
**     expect = { cac = 180000, status = { cac = "met_target" } },
**     tolerance = 1e-9,                            -- relative; optional
**   }
**
** ruletest_load() opens the rule set, runs the test file and records every case in C
** (the Lua state is closed afterwards): so each case can later run against a rule set
** opened afresh, and no state leaks from one case into the next.
**
** Checked when the test file runs (errors are KPI_ESCRIPT at the test's file:line):
** unknown fields, a source in `data` or a KPI in `expect` that the rule set does not
** declare (with "did you mean"), a status that is not one of the four, a fixture file
** that does not exist, a period or as_of that does not parse, two cases with one name.
**
** Inline rows become CSV text, loaded by the real CSV loader with the source's declared
** options and column types, so their types are inferred as the source's file would be.
** The header is the first row's keys in alphabetical order, then any key only later rows
** have (alphabetical too); a key a row lacks is an empty field (null). Strings are
** written quoted when they need it, integers as integers, other numbers in their
** shortest round-tripping form, booleans as true / false. A fixture file is read with
** the source's options (a sqlite source reads a .db / .sqlite fixture with its own query
** or table, and any other fixture as a plain CSV file). Its path is relative to the test
** file's folder. Sources a case does not name keep their real data.
*/
#ifndef KPI_RULETEST_H
#define KPI_RULETEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/kpi_error.h"
#include "core/period.h"
#include "model/report.h"
#include "rules.h"

/* The tolerance of a case that gives none: relative, as the end-to-end oracle's. */
#define RULETEST_DEFAULT_TOLERANCE 1e-9

/* What one source is replaced with in a case. */
typedef struct ruletest_data {
    char *source;  /* the source's name */
    char *fixture; /* a fixture file's path (relative to the current folder), or NULL */
    char *csv;     /* inline rows as CSV text (header first), when fixture is NULL */
    size_t csv_len;
} ruletest_data;

/* One expectation: a KPI's value or its status. */
typedef struct ruletest_expect {
    char *kpi;
    int kpi_index; /* its place in the rule set: expectations are kept in that order */
    int is_status; /* 1: status; 0: value */
    double value;
    kpi_status status;
} ruletest_expect;

typedef struct ruletest_case {
    char *name;
    char *file; /* the test file, and the line of `test "name"` */
    int line;
    int has_period;
    period p;
    int has_as_of;
    int32_t as_of;
    char as_of_text[16]; /* as written: the frozen date as `run --as-of` takes it */
    double tolerance;
    ruletest_data *data;
    size_t ndata;
    ruletest_expect *expects;
    size_t nexpects;
} ruletest_case;

typedef struct ruletest_suite {
    char *rules_file;
    char *test_file;
    ruletest_case *cases;
    size_t ncases;
    int pending; /* a `test "x"` still waiting for its { ... } */
} ruletest_suite;

/*
** The rule-set file and test file of arg (a rule set or its test file): "x.test.lua"
** names both x.lua and itself, "x.lua" names itself and x.test.lua. Into rules_file and
** test_file (size bytes each). 0, or -1 when arg does not end in ".lua" or is too long.
*/
int ruletest_paths(const char *arg, char *rules_file, char *test_file, size_t size);

/*
** Open the rule set with options o, run test_file in its sandbox and return the cases
** it declares (ruletest_free them). NULL + err: the rule set's own errors, or
** KPI_ESCRIPT for the test file's (a syntax error, a bad declaration, a file that cannot
** be read), at its file:line.
*/
ruletest_suite *ruletest_load(const char *rules_file, const char *test_file, const rules_options *o,
                              kpi_error *err);
void ruletest_free(ruletest_suite *s);

/*
** Replace the tables of the sources case c names in r (a rule set just opened, no KPI
** evaluated yet) with the case's fixtures. 0, or -1 + err: the loader's error, named
** "data.<source>: ..." and positioned in the fixture file; for inline rows unpositioned
** ("data.orders: row 2: ..."), the case's own file:line saying where they are.
*/
int ruletest_apply(rules *r, const ruletest_case *c, kpi_error *err);

#endif
