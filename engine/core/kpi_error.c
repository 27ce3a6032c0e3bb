/*
** kpi_error.c -- error values; see kpi_error.h.
*/
#include "kpi_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void kpi_error_clear(kpi_error *err)
{
    if (!err) return;
    err->kind = KPI_OK;
    err->file[0] = '\0';
    err->line = err->column = 0;
    err->message[0] = '\0';
}

int kpi_error_set(kpi_error *err, kpi_error_kind kind, const char *file, long line, long column,
                  const char *fmt, ...)
{
    if (!err) return -1;
    /*
    ** Format into locals first: a caller may pass err's own file or message back in
    ** (re-raising with more context), and snprintf onto its own source is undefined.
    */
    char path[sizeof err->file], text[sizeof err->message];
    snprintf(path, sizeof path, "%s", file ? file : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    err->kind = kind;
    memcpy(err->file, path, sizeof path);
    err->line = line;
    err->column = column;
    memcpy(err->message, text, sizeof text);
    return -1;
}

const char *kpi_error_format(const kpi_error *err, char *buf, unsigned long size)
{
    if (err->file[0] && err->line > 0 && err->column > 0)
        snprintf(buf, size, "%s:%ld:%ld: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%ld: %s", err->file, err->line, err->message);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, err->message);
    else
        snprintf(buf, size, "%s", err->message);
    return buf;
}
