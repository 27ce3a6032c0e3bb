/*
** check_impl.h -- what the parts of the rule-set check share (check.c: the findings,
** the declarations' checks and the whole run; check_load.c: lenient loading;
** check_eval.c: loading the sources and evaluating each KPI once; check_scan.c: unknown
** globals in the files' bytecode). Not a public header.
**
** Marks: names of declarations the check repaired, as "kind:name" strings, so later
** checks do not report what follows from the repair. "kpi:x" / "source:x" /
** "review:x": the declaration was replaced by a placeholder (its own error is
** reported; nothing else about it is checked, and a placeholder source is not read);
** "levels:x": KPI x's better, minimum or target was filled in (its levels are not
** checked).
*/
#ifndef KPI_CHECK_IMPL_H
#define KPI_CHECK_IMPL_H

#include <lua.h>

#include "check.h"
#include "dsl.h"
#include "sandbox.h"

typedef struct check_ctx {
    check_report *rep;
    dsl *d;
    sandbox *sb;
    char **marks; /* owned */
    size_t nmarks;
    int oom; /* a finding or a mark could not be stored */
} check_ctx;

/* Add a finding to c's report, noting when memory ran out (check_add's arguments). */
void check_note(check_ctx *c, check_severity sev, int data, const char *file, long line,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Mark kind:name (see above); whether kind:name is marked. */
void check_mark(check_ctx *c, const char *kind, const char *name);
int check_marked(const check_ctx *c, const char *kind, const char *name);

/*
** Run the rule-set file with lenient declarations. 0 when it ran to its end; -1 when it
** stopped (a syntax error, its own code failed): the finding is recorded.
*/
int check_load(check_ctx *c);

/* Load every source (findings for those that fail), then evaluate every KPI once. */
void check_data(check_ctx *c);

/* Unknown globals anywhere in the rule set's files (check_scan.c), after check_data. */
void check_scan(check_ctx *c);

#endif
