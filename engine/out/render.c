/*
** render.c -- choose a renderer by the name of its format; see render.h.
*/
#include <string.h>

#include "render.h"

typedef char *(*render_fn)(const report *r, const render_options *o, size_t *len);

static char *json(const report *r, const render_options *o, size_t *len)
{
    (void)o; /* JSON is one stable shape whatever the language or terminal */
    return render_json(r, len);
}

static char *csv(const report *r, const render_options *o, size_t *len)
{
    (void)o; /* CSV, as JSON, is for programs: one shape in every language */
    return render_csv(r, len);
}

static const struct {
    const char *name;
    render_fn fn;
} renderers[] = {
    {"table", render_table}, {"json", json}, {"csv", csv}, {"md", render_md}, {"html", render_html},
};

static render_fn find(const char *format)
{
    for (size_t i = 0; i < sizeof renderers / sizeof renderers[0]; i++)
        if (strcmp(renderers[i].name, format) == 0) return renderers[i].fn;
    return NULL;
}

int render_format_known(const char *format)
{
    return find(format) != NULL;
}

const char *render_format_names(void)
{
    return "table, json, csv, md, html";
}

char *render_report(const char *format, const report *r, const render_options *o, size_t *len)
{
    render_fn fn = find(format);
    return fn ? fn(r, o, len) : NULL;
}
