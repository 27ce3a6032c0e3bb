/*
** e2e_json.h -- just enough JSON reading for the end-to-end tests of the history,
** schedule and review commands: find a member of an object, an element of an array by
** one of its members, and read numbers and strings. Values are pointers into the text.
** Included by one test file each (static functions).
*/
#ifndef KPI_E2E_JSON_H
#define KPI_E2E_JSON_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *ej_ws(const char *p)
{
    while (p && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static const char *ej_skip_string(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
}

static const char *ej_skip_value(const char *p)
{
    p = ej_ws(p);
    if (*p == '"') return ej_skip_string(p);
    if (*p != '{' && *p != '[') {
        while (*p && !strchr(",}] \n\r\t", *p))
            p++;
        return p;
    }
    int depth = 0;
    do {
        if (*p == '"') {
            p = ej_skip_string(p);
            continue;
        }
        if (*p == '{' || *p == '[') depth++;
        if (*p == '}' || *p == ']') depth--;
        p++;
    } while (*p && depth > 0);
    return p;
}

/* Whether the JSON value at v is the string s. */
static int ej_string_is(const char *v, const char *s)
{
    size_t n = strlen(s);
    return v && *v == '"' && strncmp(v + 1, s, n) == 0 && v[1 + n] == '"';
}

static int ej_is_null(const char *v)
{
    return v && strncmp(v, "null", 4) == 0;
}

/* The value of member key of the object at obj, or NULL. */
static const char *ej_member(const char *obj, const char *key)
{
    const char *p = obj ? ej_ws(obj) : NULL;
    if (!p || *p != '{') return NULL;
    p = ej_ws(p + 1);
    while (*p == '"') {
        const char *name = p;
        p = ej_ws(ej_skip_string(p));
        if (*p != ':') return NULL;
        const char *value = ej_ws(p + 1);
        if (ej_string_is(name, key)) return value;
        p = ej_ws(ej_skip_value(value));
        if (*p != ',') return NULL;
        p = ej_ws(p + 1);
    }
    return NULL;
}

/* Element i (0-based) of the array at arr, or NULL. */
static const char *ej_element(const char *arr, int i)
{
    const char *p = arr ? ej_ws(arr) : NULL;
    if (!p || *p != '[') return NULL;
    p = ej_ws(p + 1);
    for (int at = 0; *p && *p != ']'; at++) {
        if (at == i) return p;
        p = ej_ws(ej_skip_value(p));
        if (*p == ',') p = ej_ws(p + 1);
    }
    return NULL;
}

static int ej_length(const char *arr)
{
    int n = 0;
    while (ej_element(arr, n))
        n++;
    return arr && *ej_ws(arr) == '[' ? n : -1;
}

/* The element of the array at arr whose member field is the string want, or NULL. */
static const char *ej_with(const char *arr, const char *field, const char *want)
{
    const char *e;
    for (int i = 0; (e = ej_element(arr, i)) != NULL; i++)
        if (ej_string_is(ej_member(e, field), want)) return e;
    return NULL;
}

/* A number member of obj; NAN for null or when absent. */
static double ej_number(const char *obj, const char *key)
{
    const char *v = ej_member(obj, key);
    if (!v || ej_is_null(v)) return NAN;
    char *end;
    double d = strtod(v, &end);
    return end == v ? NAN : d;
}

/* A string member of obj into buf ("" when absent or null; no unescaping). */
static const char *ej_text(const char *obj, const char *key, char *buf, size_t size)
{
    const char *v = ej_member(obj, key);
    buf[0] = '\0';
    if (!v || *v != '"') return buf;
    const char *end = ej_skip_string(v);
    size_t n = (size_t)(end - v) - 2;
    if (n >= size) n = size - 1;
    memcpy(buf, v + 1, n);
    buf[n] = '\0';
    return buf;
}

#endif
