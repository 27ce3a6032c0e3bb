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

static const struct {
    const char *name;
    render_fn fn;
} renderers[] = {
    {"table", render_table},
    {"json", json},
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
    return "table, json";
}

char *render_report(const char *format, const report *r, const render_options *o, size_t *len)
{
    render_fn fn = find(format);
    return fn ? fn(r, o, len) : NULL;
}
