/*
** ruletest.c -- test cases beside a rule set: the `test` global, recording its cases,
** and fixtures in place of the sources' data; see ruletest.h. (Checking a case's
** expectations against its report is the command line's: engine/cli/cmd_test.c.)
**
** A declaration is recorded in C as it is read: the case is appended to the suite
** first and filled field by field, every string copied into memory the suite owns at
** once, so a declaration that raises half-way leaves nothing unreachable (the whole
** load fails and ruletest_free releases what was recorded). Inline rows are written
** as CSV into a Lua buffer first and copied once complete.
*/
#define _GNU_SOURCE
#include "ruletest.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "core/csv.h"
#include "core/date.h"
#include "core/kpi_alloc.h"
#include "core/sqlsrc.h"
#include "api.h"
#include "dsl.h"
#include "lkpi.h"
#include "sandbox.h"
#include "suggest.h"

/* Columns an inline row may have (a fixture file has no such limit). */
#define MAX_INLINE_COLUMNS 256
/* Test files larger than this are refused (they are code, not data). */
#define MAX_TEST_FILE_BYTES (16L << 20)

static const char *const case_fields[] = {API_TEST_FIELDS(API_FIELD_NAME) NULL};
static const char *const status_names[] = {"no_data", "below_minimum", "met_minimum", "met_target",
                                           NULL};

/* ---- paths ------------------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int ruletest_paths(const char *arg, char *rules_file, char *test_file, size_t size)
{
    size_t len = strlen(arg);
    if (!ends_with(arg, ".lua") || len + 6 > size) return -1;
    if (ends_with(arg, ".test.lua") && len > 9) {
        snprintf(test_file, size, "%s", arg);
        snprintf(rules_file, size, "%.*s.lua", (int)(len - 9), arg);
    } else {
        snprintf(rules_file, size, "%s", arg);
        snprintf(test_file, size, "%.*s.test.lua", (int)(len - 4), arg);
    }
    return 0;
}

/* ---- freeing ----------------------------------------------------------------------------- */

static void free_case(ruletest_case *c)
{
    for (size_t i = 0; i < c->ndata; i++) {
        kpi_free(c->data[i].source);
        kpi_free(c->data[i].fixture);
        kpi_free(c->data[i].csv);
    }
    for (size_t i = 0; i < c->nexpects; i++)
        kpi_free(c->expects[i].kpi);
    kpi_free(c->data);
    kpi_free(c->expects);
    kpi_free(c->name);
    kpi_free(c->file);
}

void ruletest_free(ruletest_suite *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->ncases; i++)
        free_case(&s->cases[i]);
    kpi_free(s->cases);
    kpi_free(s->rules_file);
    kpi_free(s->test_file);
    kpi_free(s);
}

/* ---- reading one case -------------------------------------------------------------------- */

/* Raise "<what>: unknown <kind> 'x' (did you mean 'y'?)" with the closest of names. */
static int unknown_name(lua_State *L, const char *what, const char *kind, const char *name,
                        const char *hint)
{
    if (hint)
        return luaL_error(L, "%s: unknown %s '%s' (did you mean '%s'?)", what, kind, name, hint);
    return luaL_error(L, "%s: unknown %s '%s'", what, kind, name);
}

static dsl_source *find_source(lua_State *L, const dsl *d, const char *what, const char *name)
{
    suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < d->nsources; i++) {
        if (strcmp(d->sources[i]->name, name) == 0) return d->sources[i];
        suggest_add(&s, d->sources[i]->name);
    }
    unknown_name(L, what, "source", name, suggest_result(&s));
    return NULL;
}

static int find_kpi(lua_State *L, const dsl *d, const char *what, const char *id)
{
    suggest s;
    suggest_init(&s, id);
    for (size_t i = 0; i < d->nkpis; i++) {
        if (strcmp(d->kpis[i]->id, id) == 0) return (int)i;
        suggest_add(&s, d->kpis[i]->id);
    }
    return unknown_name(L, what, "KPI", id, suggest_result(&s));
}

static void read_period(lua_State *L, const char *what, ruletest_case *c)
{
    const char *text = NULL;
    kpi_error err;
    if (dsl_opt_string(L, 1, what, "period", &text) == 1) {
        if (period_parse(text, &c->p, &err) != 0)
            luaL_error(L, "%s: period '%s': %s", what, text, err.message);
        c->has_period = 1;
    }
    text = NULL;
    if (dsl_opt_string(L, 1, what, "as_of", &text) == 1) {
        if (date_parse_iso(text, strlen(text), &c->as_of) != 0 || strlen(text) != 10)
            luaL_error(L, "%s: as_of '%s' is not a date (YYYY-MM-DD)", what, text);
        snprintf(c->as_of_text, sizeof c->as_of_text, "%s", text);
        c->has_as_of = 1;
    }
    char label[64];
    if (c->has_period && c->has_as_of && c->as_of < c->p.start)
        luaL_error(L, "%s: as_of %s is before the period %s starts", what, c->as_of_text,
                   period_label(c->p, label, sizeof label));
}

static void read_tolerance(lua_State *L, const char *what, ruletest_case *c)
{
    c->tolerance = RULETEST_DEFAULT_TOLERANCE;
    int t = lua_getfield(L, 1, "tolerance");
    if (t != LUA_TNIL) {
        if (t != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1)) || lua_tonumber(L, -1) < 0)
            luaL_error(L, "%s: tolerance must be a number >= 0 (relative: 1e-9)", what);
        c->tolerance = lua_tonumber(L, -1);
    }
    lua_pop(L, 1); /* pop the tolerance */
}

/* Append one expectation (zeroed, its KPI set) to c. */
static ruletest_expect *add_expect(lua_State *L, const dsl *d, ruletest_case *c, const char *what,
                                   const char *id)
{
    int at = find_kpi(L, d, what, id);
    c->expects = dsl_grow(L, c->expects, c->nexpects, sizeof *c->expects);
    ruletest_expect *e = &c->expects[c->nexpects++];
    e->kpi_index = at;
    dsl_set_string(L, &e->kpi, id);
    return e;
}

/* expect.status = { id = "met_target", ... } (the table on top). */
static void read_statuses(lua_State *L, const dsl *d, ruletest_case *c, const char *what)
{
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "%s: expect.status is written { kpi = \"met_target\", ... }", what);
        const char *id = lua_tostring(L, -2), *name = lua_tostring(L, -1);
        suggest s;
        suggest_init(&s, name);
        int k;
        for (k = 0; status_names[k] && strcmp(status_names[k], name) != 0; k++)
            suggest_add(&s, status_names[k]);
        if (!status_names[k]) {
            if (suggest_result(&s))
                luaL_error(L, "%s: expect.status.%s: unknown status '%s' (did you mean '%s'?)",
                           what, id, name, suggest_result(&s));
            luaL_error(L,
                       "%s: expect.status.%s: unknown status '%s' (met_target, met_minimum, "
                       "below_minimum or no_data)",
                       what, id, name);
        }
        ruletest_expect *e = add_expect(L, d, c, what, id);
        e->is_status = 1;
        e->status = (kpi_status)k; /* status_names follows kpi_status's order */
    }
}

/* expect = { id = number, ..., status = { ... } } */
static void read_expect(lua_State *L, const dsl *d, ruletest_case *c, const char *what)
{
    int t = lua_getfield(L, 1, "expect");
    if (t != LUA_TTABLE)
        luaL_error(L, "%s: missing field 'expect' (expect = { kpi = value, ... })", what);
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: expect is written { kpi = value, ... }", what);
        const char *id = lua_tostring(L, -2);
        if (strcmp(id, "status") == 0 && lua_istable(L, -1) && dsl_kpi_index(d, id) < 0) {
            read_statuses(L, d, c, what);
            continue;
        }
        if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(lua_tonumber(L, -1))) {
            find_kpi(L, d, what, id); /* an unknown KPI is the first thing to say */
            luaL_error(L, "%s: expect.%s must be a number, got %s", what, id,
                       l_kpi_typename(L, -1));
        }
        ruletest_expect *e = add_expect(L, d, c, what, id);
        e->value = lua_tonumber(L, -1);
    }
    lua_pop(L, 1); /* pop expect */
    if (c->nexpects == 0) luaL_error(L, "%s: expect holds no expectation", what);
}

/* ---- inline rows as CSV ------------------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Add the keys of row (a table at idx) not yet in cols[0..*n), sorted, to cols. */
static void add_keys(lua_State *L, int idx, const char **cols, size_t *n, const char *what)
{
    size_t first = *n;
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: rows are written { column = value, ... }", what);
        const char *key = lua_tostring(L, -2); /* kept alive by the row */
        size_t i;
        for (i = 0; i < *n && strcmp(cols[i], key) != 0; i++)
            ;
        if (i < *n) continue;
        if (*n == MAX_INLINE_COLUMNS)
            luaL_error(L, "%s: more than %d columns", what, MAX_INLINE_COLUMNS);
        cols[(*n)++] = key;
    }
    qsort(cols + first, *n - first, sizeof *cols, compare_names);
}

/* The shortest text of v that reads back as v, with the source's decimal mark. */
static void number_text(lua_State *L, char *buf, size_t size, char decimal)
{
    if (lua_isinteger(L, -1)) {
        snprintf(buf, size, "%lld", (long long)lua_tointeger(L, -1));
        return;
    }
    double v = lua_tonumber(L, -1);
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) break;
    }
    char *dot = strchr(buf, '.');
    if (dot) *dot = decimal;
}

/* Add the field on top (popped) to the CSV buffer b. */
static void add_field(lua_State *L, luaL_Buffer *b, const dsl_source *s, const char *what,
                      const char *col, size_t row)
{
    char text[64];
    const char *str = NULL;
    size_t len = 0;
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING) {
        str = lua_tolstring(L, -1, &len); /* kept alive by the row */
    } else if (t == LUA_TNUMBER && isfinite(lua_tonumber(L, -1))) {
        number_text(L, text, sizeof text, s->csv ? s->decimal : '.');
    } else if (t == LUA_TBOOLEAN) {
        snprintf(text, sizeof text, "%s", lua_toboolean(L, -1) ? "true" : "false");
    } else if (t != LUA_TNIL) {
        luaL_error(L, "%s: row %zu: field '%s' must be a string, a finite number or a boolean",
                   what, row, col);
    }
    lua_pop(L, 1); /* pop the field: the buffer may use the stack */
    if (t == LUA_TNIL) return;
    if (!str) {
        luaL_addstring(b, text);
        return;
    }
    luaL_addchar(b, '"');
    for (size_t i = 0; i < len; i++) {
        if (str[i] == '"') luaL_addchar(b, '"');
        luaL_addchar(b, str[i]);
    }
    luaL_addchar(b, '"');
}

/* Inline rows (the array at idx) as CSV text with the source's delimiter, into dd->csv. */
static void rows_to_csv(lua_State *L, int idx, const dsl_source *s, const char *what,
                        ruletest_data *dd)
{
    lua_Integer nrows = luaL_len(L, idx);
    if (nrows < 1) luaL_error(L, "%s: give at least one row { column = value, ... }", what);
    const char **cols = lua_newuserdatauv(L, MAX_INLINE_COLUMNS * sizeof *cols, 0);
    size_t ncols = 0;
    for (lua_Integer r = 1; r <= nrows; r++) {
        if (lua_rawgeti(L, idx, r) != LUA_TTABLE)
            luaL_error(L, "%s: row %d must be a table { column = value, ... }", what, (int)r);
        add_keys(L, lua_gettop(L), cols, &ncols, what);
        lua_pop(L, 1); /* pop the row */
    }
    char delim = s->csv ? s->delimiter : ',';
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < ncols; i++) {
        if (i) luaL_addchar(&b, delim);
        luaL_addstring(&b, cols[i]);
    }
    for (lua_Integer r = 1; r <= nrows; r++) {
        luaL_addchar(&b, '\n');
        for (size_t i = 0; i < ncols; i++) {
            if (i) luaL_addchar(&b, delim);
            lua_rawgeti(L, idx, r);       /* the row */
            lua_getfield(L, -1, cols[i]); /* row field */
            lua_remove(L, -2);            /* field */
            add_field(L, &b, s, what, cols[i], (size_t)r);
        }
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    size_t len;
    const char *text = lua_tolstring(L, -1, &len);
    if (!(dd->csv = kpi_malloc(len + 1))) luaL_error(L, "out of memory");
    memcpy(dd->csv, text, len + 1);
    dd->csv_len = len;
    lua_pop(L, 2); /* pop the text and the column names */
}

/* data.name = "fixture.csv": relative to the test file's folder; it must exist. */
static void read_fixture(lua_State *L, const char *file, const char *what, ruletest_data *dd)
{
    const char *rel = lua_tostring(L, -1);
    const char *slash = strrchr(file, '/');
    char path[PATH_MAX];
    int n = rel[0] == '/' || !slash
                ? snprintf(path, sizeof path, "%s", rel)
                : snprintf(path, sizeof path, "%.*s/%s", (int)(slash - file), file, rel);
    if (n < 0 || (size_t)n >= sizeof path) luaL_error(L, "%s: the path is too long", what);
    struct stat st;
    if (stat(path, &st) != 0)
        luaL_error(L, "%s: cannot read fixture '%s': %s", what, path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        luaL_error(L, "%s: cannot read fixture '%s': not a regular file", what, path);
    dsl_set_string(L, &dd->fixture, path);
}

/* data = { source = rows | "fixture.csv", ... } */
static void read_data(lua_State *L, const dsl *d, ruletest_case *c, const char *what)
{
    int t = lua_getfield(L, 1, "data");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE)
        luaL_error(L, "%s: data is written { source = rows or \"fixture.csv\", ... }", what);
    int data = lua_gettop(L);
    for (lua_pushnil(L); lua_next(L, data); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "%s: data is written { source = rows or \"fixture.csv\", ... }", what);
        char where[300];
        snprintf(where, sizeof where, "%s: data.%s", what, lua_tostring(L, -2));
        const dsl_source *s = find_source(L, d, what, lua_tostring(L, -2));
        c->data = dsl_grow(L, c->data, c->ndata, sizeof *c->data);
        ruletest_data *dd = &c->data[c->ndata++];
        dsl_set_string(L, &dd->source, s->name);
        if (lua_type(L, -1) == LUA_TSTRING)
            read_fixture(L, c->file, where, dd);
        else if (lua_istable(L, -1))
            rows_to_csv(L, lua_gettop(L), s, where, dd);
        else
            luaL_error(L, "%s: expected rows { {...}, ... } or a fixture file name, got %s", where,
                       l_kpi_typename(L, -1));
    }
    lua_pop(L, 1); /* pop data */
}

/* Expectations in rule-set order, values before statuses: the report reads the same each time. */
static int compare_expects(const void *a, const void *b)
{
    const ruletest_expect *x = a, *y = b;
    if (x->kpi_index != y->kpi_index) return x->kpi_index < y->kpi_index ? -1 : 1;
    return x->is_status - y->is_status;
}

/* ---- the `test` global -------------------------------------------------------------------- */

static int case_declarer(lua_State *L)
{
    ruletest_suite *s = lua_touserdata(L, lua_upvalueindex(1));
    const dsl *d = sandbox_user(L);
    ruletest_case *c = &s->cases[s->ncases - 1];
    s->pending = 0;
    char what[200];
    snprintf(what, sizeof what, "test '%s'", c->name);
    if (!lua_istable(L, 1)) luaL_error(L, "%s: expected a table: test \"name\" { ... }", what);
    lua_settop(L, 1);
    dsl_check_fields(L, 1, what, case_fields);
    read_period(L, what, c);
    read_tolerance(L, what, c);
    read_data(L, d, c, what);
    read_expect(L, d, c, what);
    qsort(c->expects, c->nexpects, sizeof *c->expects, compare_expects);
    return 0;
}

static int l_test(lua_State *L)
{
    ruletest_suite *s = lua_touserdata(L, lua_upvalueindex(1));
    size_t len;
    const char *name = lua_tolstring(L, 1, &len);
    if (lua_type(L, 1) != LUA_TSTRING || len == 0 || len > 120 || strlen(name) != len)
        luaL_error(L, "test: expected a name of 1 to 120 characters: test \"name\" { ... }");
    if (s->pending)
        luaL_error(L, "test '%s' (%s:%d) is missing its definition { ... }",
                   s->cases[s->ncases - 1].name, s->cases[s->ncases - 1].file,
                   s->cases[s->ncases - 1].line);
    for (size_t i = 0; i < s->ncases; i++)
        if (strcmp(s->cases[i].name, name) == 0)
            luaL_error(L, "test '%s' is already declared at %s:%d", name, s->cases[i].file,
                       s->cases[i].line);
    s->cases = dsl_grow(L, s->cases, s->ncases, sizeof *s->cases);
    ruletest_case *c = &s->cases[s->ncases++];
    int line;
    const char *file = dsl_caller(L, &line);
    c->line = line;
    dsl_set_string(L, &c->file, file);
    dsl_set_string(L, &c->name, name);
    s->pending = 1;
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, case_declarer, 1);
    return 1;
}

/* lua_CFunction: add `test` to the environment, then run the test file (arg 1: the suite). */
static int run_tests(lua_State *L)
{
    ruletest_suite *s = lua_touserdata(L, 1);
    sandbox_push_env(L);
    lua_pushvalue(L, 1);
    lua_pushcclosure(L, l_test, 1);
    lua_setfield(L, -2, "test"); /* the environment has no __newindex */
    lua_pop(L, 1);               /* pop the environment */
    sandbox_add_name(L, "test");
    struct stat st;
    if (stat(s->test_file, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_TEST_FILE_BYTES)
        luaL_error(L, "cannot read the test file '%s'", s->test_file);
    size_t size = (size_t)st.st_size;
    char *buf = lua_newuserdatauv(L, size ? size : 1, 0); /* freed by the collector */
    FILE *f = fopen(s->test_file, "rb");
    if (!f) luaL_error(L, "cannot read '%s': %s", s->test_file, strerror(errno));
    size_t got = fread(buf, 1, size, f);
    fclose(f);
    if (got != size) luaL_error(L, "cannot read '%s': read error", s->test_file);
    if (sandbox_load(L, buf, size, s->test_file) != LUA_OK) lua_error(L); /* a syntax error */
    lua_call(L, 0, 0);
    return 0;
}

ruletest_suite *ruletest_load(const char *rules_file, const char *test_file, const rules_options *o,
                              kpi_error *err)
{
    kpi_error_clear(err);
    ruletest_suite *s = kpi_calloc(1, sizeof *s);
    if (!s || !(s->rules_file = kpi_strdup(rules_file)) ||
        !(s->test_file = kpi_strdup(test_file))) {
        ruletest_free(s);
        kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    rules *r = rules_open(rules_file, o, err);
    if (!r) {
        ruletest_free(s);
        return NULL;
    }
    lua_State *L = rules_lua(r);
    sandbox *sb = sandbox_of(L);
    int base = lua_gettop(L);
    sandbox_begin(sb);
    lua_pushcfunction(L, sandbox_msghandler);
    lua_pushcfunction(L, run_tests);
    lua_pushlightuserdata(L, s);
    sandbox_clear_error(sb);
    int status = lua_pcall(L, 1, 0, base + 1);
    sandbox_end(sb);
    if (status != LUA_OK)
        sandbox_error(sb, status, NULL, test_file, 0, err);
    else if (s->pending)
        kpi_error_set(err, KPI_ESCRIPT, s->cases[s->ncases - 1].file, s->cases[s->ncases - 1].line,
                      0, "test '%s' is missing its definition { ... }",
                      s->cases[s->ncases - 1].name);
    lua_settop(L, base);
    rules_close(r);
    if (status != LUA_OK || s->pending) {
        ruletest_free(s);
        return NULL;
    }
    return s;
}

/* ---- running a case ----------------------------------------------------------------------- */

/* Convert a text time column and choose it, as the source's own loader does. */
static int set_time(const dsl_source *s, table *t, const char *shown, kpi_error *err)
{
    int col = table_find(t, s->time);
    if (col < 0)
        return kpi_error_set(err, KPI_EDATA, shown, 0, 0,
                             "source '%s': time column '%s' is not in the test data", s->name,
                             s->time);
    if (t->cols[col].type == COL_STRING && date_convert_column(t, col, s->date_format, err) != 0)
        return -1;
    return table_set_time(t, s->time, err);
}

static int is_sqlite_file(const char *path)
{
    return ends_with(path, ".db") || ends_with(path, ".sqlite") || ends_with(path, ".sqlite3");
}

/* The table of one fixture, with the source's options. NULL + err. */
static table *load_fixture(const dsl_source *s, const ruletest_case *c, const ruletest_data *dd,
                           kpi_error *err)
{
    if (dd->fixture && is_sqlite_file(dd->fixture)) {
        if (!s->sqlite) {
            kpi_error_set(err, KPI_EDATA, dd->fixture, 0, 0,
                          "source '%s' reads a CSV file: give it a CSV fixture", s->name);
            return NULL;
        }
        sqlsrc_options o;
        dsl_sqlsrc_options(s, &o);
        return sqlsrc_load(dd->fixture, s->name, &o, err);
    }
    csv_options o;
    csv_options_init(&o);
    if (s->csv) {
        o.delimiter = s->delimiter;
        o.decimal = s->decimal;
        o.header = dd->fixture ? s->header : 1;
    }
    o.date_format = s->date_format;
    o.columns = s->columns;
    o.ncolumns = s->ncolumns;
    if (dd->fixture) return csv_load(dd->fixture, s->name, &o, err);
    return csv_load_buffer(c->file, s->name, dd->csv, dd->csv_len, &o, err);
}

/* Say which case and source an error of its data comes from. */
static int data_error(const ruletest_case *c, const ruletest_data *dd, kpi_error *err)
{
    kpi_error was = *err;
    if (dd->fixture)
        return kpi_error_set(err, was.kind, was.file[0] ? was.file : dd->fixture, was.line,
                             was.column, "data.%s: %s", dd->source, was.message);
    /* no position: the FAIL line names the case's file:line */
    (void)c;
    if (was.line > 1)
        return kpi_error_set(err, was.kind, NULL, 0, 0, "data.%s: row %ld: %s", dd->source,
                             was.line - 1, was.message);
    return kpi_error_set(err, was.kind, NULL, 0, 0, "data.%s: %s", dd->source, was.message);
}

int ruletest_apply(rules *r, const ruletest_case *c, kpi_error *err)
{
    kpi_error_clear(err);
    dsl *d = rules_dsl(r);
    for (size_t i = 0; i < c->ndata; i++) {
        const ruletest_data *dd = &c->data[i];
        int id = -1;
        for (size_t j = 0; j < d->nsources; j++)
            if (strcmp(d->sources[j]->name, dd->source) == 0) id = (int)j;
        if (id < 0) /* the test file checked it against the same rule set */
            return kpi_error_set(err, KPI_ESCRIPT, c->file, c->line, 0, "data.%s: no such source",
                                 dd->source);
        dsl_source *s = d->sources[id];
        table *t = load_fixture(s, c, dd, err);
        if (t && s->time && set_time(s, t, dd->fixture ? dd->fixture : c->file, err) != 0) {
            table_free(t);
            t = NULL;
        }
        if (!t) return data_error(c, dd, err);
        dsl_prefetch_wait(d); /* the thread may still be loading a source */
        dsl_cache_wait(d);    /* a queued save may still read the old table */
        table_free(s->t);
        s->t = t;
        s->failed = 0;
    }
    return 0;
}
