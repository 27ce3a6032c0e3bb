/*
** rules.h -- a loaded rule set: the sandboxed Lua state that ran the user's file,
** the sources it declared and its KPIs, evaluated on demand for a period.
**
** rules_open() runs the rule-set file in the sandbox (DESIGN section 3): `ruleset`,
** `source`, `kpi`, `review`, `require`, `extends`. Sources load when first used.
** rules_evaluate() computes every KPI for a period, in dependency order, with the
** previous period and breakdowns, and fills a report (see model/report.h).
**
** Errors: KPI_ESCRIPT for anything the rule set does wrong (the message names the
** user's file:line and the KPI), KPI_EDATA / KPI_EIO for its data, KPI_EUSAGE for a
** bad option (an unparsable period).
*/
#ifndef KPI_RULES_H
#define KPI_RULES_H

#include <stddef.h>

#include "core/kpi_error.h"
#include "core/period.h"
#include "model/report.h"

typedef struct rules_options {
    const char *data_dir;     /* root for source paths; NULL = the rule set's folder */
    int verbose;              /* 1: keep engine-internal frames in tracebacks */
    long long max_instructions; /* per run; 0 = default */
    size_t max_memory;        /* bytes of Lua heap; 0 = default */
    double timeout_seconds;   /* wall clock per run; 0 = default */
} rules_options;

void rules_options_init(rules_options *o);

typedef struct rules rules;

/* Load and run the rule-set file. NULL + err on failure. */
rules *rules_open(const char *path, const rules_options *o, kpi_error *err);
/*
** The default period: the latest complete period, at the rule set's grain, of the
** data of its sources' time columns. 0 or -1 + err.
*/
int rules_default_period(rules *r, period *p, kpi_error *err);
/* Evaluate every KPI for p into *out (report_free it). 0 or -1 + err. */
int rules_evaluate(rules *r, period p, report *out, kpi_error *err);
void rules_close(rules *r);

#endif
