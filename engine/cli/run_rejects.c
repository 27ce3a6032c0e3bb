/*
** run_rejects.c -- the rows a run's sources left out (on_error = "skip"): a warning per
** source on stderr, and with --rejects FILE every row described, as CSV
** (source,file,line,column,message), so that nobody reads a KPI built on a partial
** load without knowing it.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/kpi_alloc.h"
#include "lua/dsl.h"
#include "out/render.h"
#include "out/textfmt.h"
#include "run.h"

int run_rejects(const run_args *a, rules *rs)
{
    const dsl *d = rules_dsl(rs);
    textbuf b;
    textbuf_init(&b);
    textbuf_puts(&b, "source,file,line,column,message\n");
    for (size_t i = 0; i < d->nsources; i++) {
        const dsl_source *s = d->sources[i];
        if (!s->t || s->rejects.count == 0) continue;
        fprintf(stderr, "kpiengine: warning: source '%s': %zu bad row%s of %s left out%s\n",
                s->name, s->rejects.count, s->rejects.count == 1 ? "" : "s", s->path,
                a->rejects ? "" : " (--rejects FILE lists them)");
        for (size_t k = 0; k < s->rejects.nitems; k++) {
            const csv_reject *r = &s->rejects.items[k];
            render_csv_quoted(&b, s->name);
            textbuf_puts(&b, ",");
            render_csv_quoted(&b, s->path);
            textbuf_printf(&b, ",%ld,%ld,", r->line, r->column);
            render_csv_quoted(&b, r->message);
            textbuf_puts(&b, "\n");
        }
    }
    size_t len;
    char *text = textbuf_finish(&b, &len);
    int rc = EXIT_DONE;
    if (!text)
        rc = engine_error(&(kpi_error){.kind = KPI_ENOMEM, .message = "out of memory"});
    else if (a->rejects)
        rc = write_output(a->rejects, text, len);
    kpi_free(text);
    return rc;
}
