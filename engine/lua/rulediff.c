/*
** rulediff.c -- comparing the declarations of two rule sets; see rulediff.h.
**
** Every difference is one item whose strings are copied at once; an allocation that
** fails marks the comparison failed and later items are skipped, so rulediff_compare
** reports out of memory once and rulediff_free releases whatever was recorded.
*/
#define _GNU_SOURCE
#include "rulediff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "core/kpi_alloc.h"
#include "dsl.h"

/* Files larger than this are not read for a function's text (its place is compared). */
#define MAX_SOURCE_BYTES (16L << 20)

typedef struct differ {
    rulediff *out;
    int failed;
    const dsl *da, *db;
    lua_State *la, *lb;
} differ;

const char *rulediff_kind_name(rulediff_kind k)
{
    static const char *const names[] = {"ruleset", "kpi", "source", "review"};
    return names[k];
}

const char *rulediff_change_name(rulediff_change c)
{
    static const char *const names[] = {"added", "removed", "changed", "formula"};
    return names[c];
}

void rulediff_free(rulediff *d)
{
    for (size_t i = 0; i < d->n; i++) {
        rulediff_item *it = &d->items[i];
        kpi_free(it->name);
        kpi_free(it->field);
        kpi_free(it->a);
        kpi_free(it->b);
        kpi_free(it->at_a);
        kpi_free(it->at_b);
    }
    kpi_free(d->items);
    d->items = NULL;
    d->n = 0;
}

/* ---- recording ------------------------------------------------------------------------- */

static char *copy(differ *df, const char *s)
{
    if (!s) return NULL;
    char *c = kpi_strdup(s);
    if (!c) df->failed = 1;
    return c;
}

static char *place(differ *df, const char *file, int line)
{
    if (!file) return NULL;
    char buf[4200];
    snprintf(buf, sizeof buf, "%s:%d", file, line);
    return copy(df, buf);
}

/* Append an item; a, b and the places are copied. Returns it, or NULL when out of memory. */
static rulediff_item *add(differ *df, rulediff_kind kind, rulediff_change change, const char *name,
                          const char *field, const char *a, const char *b)
{
    if (df->failed) return NULL;
    rulediff_item *grown = kpi_realloc(df->out->items, (df->out->n + 1) * sizeof *grown);
    if (!grown) {
        df->failed = 1;
        return NULL;
    }
    df->out->items = grown;
    rulediff_item *it = &grown[df->out->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->change = change;
    it->name = copy(df, name);
    it->field = copy(df, field);
    it->a = copy(df, a);
    it->b = copy(df, b);
    return df->failed ? NULL : it;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* A text field that differs becomes an item, quoted as written. */
static void text_field(differ *df, rulediff_kind kind, const char *name, const char *field,
                       const char *a, const char *b, const char *at_a, const char *at_b)
{
    if (same_text(a, b)) return;
    rulediff_item *it = add(df, kind, RD_CHANGED, name, field, a, b);
    if (it) {
        it->at_a = copy(df, at_a);
        it->at_b = copy(df, at_b);
    }
}

/* A true / false field. */
static void flag_field(differ *df, rulediff_kind kind, const char *name, const char *field, int a,
                       int b, const char *at_a, const char *at_b)
{
    if (!a == !b) return;
    rulediff_item *it =
        add(df, kind, RD_CHANGED, name, field, a ? "true" : "false", b ? "true" : "false");
    if (it) {
        it->literal = 1;
        it->at_a = copy(df, at_a);
        it->at_b = copy(df, at_b);
    }
}

static const char *shortest(double v, char *buf, size_t size)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

static void number_field(differ *df, rulediff_kind kind, const char *name, const char *field,
                         double a, double b, const char *at_a, const char *at_b)
{
    if (a == b) return;
    char ta[40], tb[40];
    rulediff_item *it = add(df, kind, RD_CHANGED, name, field, shortest(a, ta, sizeof ta),
                            shortest(b, tb, sizeof tb));
    if (it) {
        it->literal = 1;
        it->at_a = copy(df, at_a);
        it->at_b = copy(df, at_b);
    }
}

/* ---- a function's text ----------------------------------------------------------------- */

/* The whole file at path, NUL-terminated (kpi_free it), or NULL. */
static char *read_whole(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_SOURCE_BYTES) return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = kpi_malloc((size_t)st.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (buf) buf[got] = '\0';
    return buf;
}

/* The last occurrence of word in s[0..len), or NULL. */
static const char *last_of(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = len; i >= n; i--)
        if (memcmp(s + i - n, word, n) == 0) return s + i - n;
    return NULL;
}

/* Append line [s, e) of a function's text (the first and last cut) to out at *used. */
static void add_line(const char *s, const char *e, int first, int last, char *out, size_t *used)
{
    if (first) {
        const char *f = strstr(s, "function");
        if (f && f < e) s = f;
    }
    if (last) {
        const char *end = last_of(s, (size_t)(e - s), "end");
        if (end) e = end + 3;
    }
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    if (*used) out[(*used)++] = '\n';
    memcpy(out + *used, s, (size_t)(e - s));
    *used += (size_t)(e - s);
    out[*used] = '\0';
}

/* Lines first..last of text, cut and trimmed (kpi_free it), or NULL. */
static char *lines_of(const char *text, int first, int last)
{
    char *out = kpi_malloc(strlen(text) + 1);
    if (!out) return NULL;
    size_t used = 0;
    out[0] = '\0';
    int line = 1;
    for (const char *s = text; *s && line <= last; line++) {
        const char *e = strchr(s, '\n');
        if (!e) e = s + strlen(s);
        if (line >= first) add_line(s, e, line == first, line == last, out, &used);
        s = *e ? e + 1 : e;
    }
    return out;
}

/*
** The text of the function at registry reference ref (kpi_free it) and its place
** "file:first-last" into where; NULL with where "" when there is no function. Text that
** cannot be read is its place.
*/
static char *function_text(differ *df, lua_State *L, int ref, char *where, size_t size)
{
    where[0] = '\0';
    if (ref == LUA_NOREF || ref == LUA_REFNIL) return NULL;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref); /* the function */
    lua_Debug ar;
    memset(&ar, 0, sizeof ar);
    lua_getinfo(L, ">S", &ar); /* pops the function */
    const char *file = ar.source[0] == '@' ? ar.source + 1 : ar.short_src;
    if (ar.lastlinedefined > ar.linedefined)
        snprintf(where, size, "%s:%d-%d", file, ar.linedefined, ar.lastlinedefined);
    else
        snprintf(where, size, "%s:%d", file, ar.linedefined);
    char *whole = ar.source[0] == '@' ? read_whole(file) : NULL;
    char *text = whole ? lines_of(whole, ar.linedefined, ar.lastlinedefined) : copy(df, where);
    kpi_free(whole);
    if (!text) df->failed = 1;
    return text;
}

static void formula(differ *df, const dsl_kpi *a, const dsl_kpi *b, const char *field, int ref_a,
                    int ref_b)
{
    char wa[4200], wb[4200];
    char *ta = function_text(df, df->la, ref_a, wa, sizeof wa);
    char *tb = function_text(df, df->lb, ref_b, wb, sizeof wb);
    if (!same_text(ta, tb)) {
        rulediff_item *it = add(df, RD_KPI, ta && tb ? RD_FORMULA : RD_CHANGED, a->id, field,
                                ta ? wa : NULL, tb ? wb : NULL);
        if (it) {
            it->at_a = place(df, a->file, a->line);
            it->at_b = place(df, b->file, b->line);
        }
    }
    kpi_free(ta);
    kpi_free(tb);
}

/* ---- KPIs ---------------------------------------------------------------------------------- */

static void kpi_fields(differ *df, const dsl_kpi *a, const dsl_kpi *b)
{
    char at_a[4200], at_b[4200];
    snprintf(at_a, sizeof at_a, "%s:%d", a->file, a->line);
    snprintf(at_b, sizeof at_b, "%s:%d", b->file, b->line);
    const char *id = a->id;
    text_field(df, RD_KPI, id, "title", a->title, b->title, at_a, at_b);
    text_field(df, RD_KPI, id, "unit", a->unit, b->unit, at_a, at_b);
    text_field(df, RD_KPI, id, "better", better_name(a->better), better_name(b->better), at_a,
               at_b);
    number_field(df, RD_KPI, id, "minimum", a->minimum, b->minimum, at_a, at_b);
    number_field(df, RD_KPI, id, "target", a->target, b->target, at_a, at_b);
    text_field(df, RD_KPI, id, "owner", a->owner, b->owner, at_a, at_b);
    text_field(df, RD_KPI, id, "review", a->review, b->review, at_a, at_b);
    flag_field(df, RD_KPI, id, "additive", a->additive, b->additive, at_a, at_b);
    text_field(df, RD_KPI, id, "due", a->due, b->due, at_a, at_b);
    formula(df, a, b, "value", a->value_ref, b->value_ref);
    formula(df, a, b, "breakdown", a->breakdown_ref, b->breakdown_ref);
}

static void kpis(differ *df)
{
    for (size_t i = 0; i < df->da->nkpis; i++) {
        const dsl_kpi *a = df->da->kpis[i];
        int j = dsl_kpi_index(df->db, a->id);
        if (j >= 0) {
            kpi_fields(df, a, df->db->kpis[j]);
            continue;
        }
        rulediff_item *it = add(df, RD_KPI, RD_REMOVED, a->id, NULL, NULL, NULL);
        if (it) it->at_a = place(df, a->file, a->line);
    }
    for (size_t j = 0; j < df->db->nkpis; j++) {
        const dsl_kpi *b = df->db->kpis[j];
        if (dsl_kpi_index(df->da, b->id) >= 0) continue;
        rulediff_item *it = add(df, RD_KPI, RD_ADDED, b->id, NULL, NULL, NULL);
        if (it) it->at_b = place(df, b->file, b->line);
    }
}

/* ---- sources --------------------------------------------------------------------------------- */

static int compare_columns(const void *x, const void *y)
{
    return strcmp(((const column_decl *)x)->name, ((const column_decl *)y)->name);
}

/* "amount = decimal(2), id = string" in name order, into buf. */
static const char *columns_text(const dsl_source *s, char *buf, size_t size)
{
    column_decl sorted[64];
    size_t n = s->ncolumns < 64 ? s->ncolumns : 64;
    if (n == 0) return NULL;
    memcpy(sorted, s->columns, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_columns);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        char scale[16] = "";
        if (sorted[i].type == COL_DECIMAL && sorted[i].scale >= 0)
            snprintf(scale, sizeof scale, "(%d)", sorted[i].scale);
        int w = snprintf(buf + used, size - used, "%s%s = %s%s", i ? ", " : "", sorted[i].name,
                         table_type_name(sorted[i].type), scale);
        if (w > 0) used += (size_t)w;
    }
    return buf;
}

static void source_fields(differ *df, const dsl_source *a, const dsl_source *b)
{
    char at_a[4200], at_b[4200], ca[2048], cb[2048];
    snprintf(at_a, sizeof at_a, "%s:%d", a->file, a->line);
    snprintf(at_b, sizeof at_b, "%s:%d", b->file, b->line);
    const char *n = a->name;
    text_field(df, RD_SOURCE, n, "csv", a->csv, b->csv, at_a, at_b);
    text_field(df, RD_SOURCE, n, "sqlite", a->sqlite, b->sqlite, at_a, at_b);
    text_field(df, RD_SOURCE, n, "query", a->query, b->query, at_a, at_b);
    text_field(df, RD_SOURCE, n, "table", a->table_name, b->table_name, at_a, at_b);
    text_field(df, RD_SOURCE, n, "time", a->time, b->time, at_a, at_b);
    text_field(df, RD_SOURCE, n, "date_format", a->date_format, b->date_format, at_a, at_b);
    if (a->csv && b->csv) {
        char x[2] = {a->delimiter, 0}, y[2] = {b->delimiter, 0};
        text_field(df, RD_SOURCE, n, "delimiter", x, y, at_a, at_b);
        x[0] = a->decimal, y[0] = b->decimal;
        text_field(df, RD_SOURCE, n, "decimal", x, y, at_a, at_b);
        flag_field(df, RD_SOURCE, n, "header", a->header, b->header, at_a, at_b);
    }
    text_field(df, RD_SOURCE, n, "columns", columns_text(a, ca, sizeof ca),
               columns_text(b, cb, sizeof cb), at_a, at_b);
}

static const dsl_source *source_named(const dsl *d, const char *name)
{
    for (size_t i = 0; i < d->nsources; i++)
        if (strcmp(d->sources[i]->name, name) == 0) return d->sources[i];
    return NULL;
}

static void sources(differ *df)
{
    for (size_t i = 0; i < df->da->nsources; i++) {
        const dsl_source *a = df->da->sources[i], *b = source_named(df->db, a->name);
        if (b) {
            source_fields(df, a, b);
            continue;
        }
        rulediff_item *it = add(df, RD_SOURCE, RD_REMOVED, a->name, NULL, NULL, NULL);
        if (it) it->at_a = place(df, a->file, a->line);
    }
    for (size_t j = 0; j < df->db->nsources; j++) {
        const dsl_source *b = df->db->sources[j];
        if (source_named(df->da, b->name)) continue;
        rulediff_item *it = add(df, RD_SOURCE, RD_ADDED, b->name, NULL, NULL, NULL);
        if (it) it->at_b = place(df, b->file, b->line);
    }
}

/* ---- reviews and the ruleset ------------------------------------------------------------- */

static const char *kpi_list_text(const dsl_review *r, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->nkpis && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", r->kpis[i]);
        if (w > 0) used += (size_t)w;
    }
    return r->nkpis ? buf : NULL;
}

static void review_fields(differ *df, const dsl_review *a, const dsl_review *b)
{
    char at_a[4200], at_b[4200], ka[2048], kb[2048];
    snprintf(at_a, sizeof at_a, "%s:%d", a->file, a->line);
    snprintf(at_b, sizeof at_b, "%s:%d", b->file, b->line);
    const char *n = a->name;
    text_field(df, RD_REVIEW, n, "every", a->every, b->every, at_a, at_b);
    text_field(df, RD_REVIEW, n, "campaigns", a->campaigns, b->campaigns, at_a, at_b);
    text_field(df, RD_REVIEW, n, "title", a->title, b->title, at_a, at_b);
    number_field(df, RD_REVIEW, n, "before", (double)a->before, (double)b->before, at_a, at_b);
    number_field(df, RD_REVIEW, n, "after", (double)a->after, (double)b->after, at_a, at_b);
    number_field(df, RD_REVIEW, n, "day", (double)a->day, (double)b->day, at_a, at_b);
    flag_field(df, RD_REVIEW, n, "business", a->business, b->business, at_a, at_b);
    text_field(df, RD_REVIEW, n, "kpis", kpi_list_text(a, ka, sizeof ka),
               kpi_list_text(b, kb, sizeof kb), at_a, at_b);
}

static const dsl_review *review_named(const dsl *d, const char *name)
{
    for (size_t i = 0; i < d->nreviews; i++)
        if (strcmp(d->reviews[i]->name, name) == 0) return d->reviews[i];
    return NULL;
}

static void reviews(differ *df)
{
    for (size_t i = 0; i < df->da->nreviews; i++) {
        const dsl_review *a = df->da->reviews[i], *b = review_named(df->db, a->name);
        if (b) {
            review_fields(df, a, b);
            continue;
        }
        rulediff_item *it = add(df, RD_REVIEW, RD_REMOVED, a->name, NULL, NULL, NULL);
        if (it) it->at_a = place(df, a->file, a->line);
    }
    for (size_t j = 0; j < df->db->nreviews; j++) {
        const dsl_review *b = df->db->reviews[j];
        if (review_named(df->da, b->name)) continue;
        rulediff_item *it = add(df, RD_REVIEW, RD_ADDED, b->name, NULL, NULL, NULL);
        if (it) it->at_b = place(df, b->file, b->line);
    }
}

static void ruleset_fields(differ *df)
{
    const dsl *a = df->da, *b = df->db;
    char at_a[4200] = "", at_b[4200] = "";
    if (a->ruleset_file) snprintf(at_a, sizeof at_a, "%s:%d", a->ruleset_file, a->ruleset_line);
    if (b->ruleset_file) snprintf(at_b, sizeof at_b, "%s:%d", b->ruleset_file, b->ruleset_line);
    const char *pa = at_a[0] ? at_a : NULL, *pb = at_b[0] ? at_b : NULL;
    text_field(df, RD_RULESET, "name", NULL, a->name, b->name, pa, pb);
    text_field(df, RD_RULESET, "currency", NULL, a->currency, b->currency, pa, pb);
    text_field(df, RD_RULESET, "locale", NULL, a->locale, b->locale, pa, pb);
    text_field(df, RD_RULESET, "grain", NULL, period_grain_name(a->grain),
               period_grain_name(b->grain), pa, pb);
}

int rulediff_compare(rules *a, rules *b, rulediff *out, kpi_error *err)
{
    memset(out, 0, sizeof *out);
    differ df = {out, 0, rules_dsl(a), rules_dsl(b), rules_lua(a), rules_lua(b)};
    ruleset_fields(&df);
    kpis(&df);
    sources(&df);
    reviews(&df);
    if (!df.failed) return 0;
    rulediff_free(out);
    return kpi_error_set(err, KPI_ENOMEM, NULL, 0, 0, "out of memory while comparing rule sets");
}
