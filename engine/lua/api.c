/*
** api.c -- the table of the public Lua API (see api.h): globals with their declaration
** fields (expanded from api.h's X-macro lists), then each type of value with its
** methods, fields and operators. The order of the table is the manual's order: a
** global or a type opens a section, the entries after it belong to it.
**
** Aggregate methods (View:sum, GroupedView:sum, ...) take their description from
** agg_builtins[] (core/agg.h), the same row that registers them in Lua; their entries
** here add the signature, the result and an example.
*/
#include "api.h"

#include <stdio.h>
#include <string.h>

#include "core/agg.h"

/* The table is laid out by hand: one entry per group of lines. */
/* clang-format off */
#define API_STATE_ACCEPTED 0
#define API_STATE_PENDING  API_PENDING

/* One declaration field: name "decl.field", signature "field = type". */
#define FIELD_ROW(decl, field, type, required, dflt, meaning, example, state)                   \
    {decl "." field,                                                                           \
     API_FIELD,                                                                                \
     field " = " type,                                                                         \
     meaning,                                                                                  \
     example,                                                                                  \
     type,                                                                                     \
     NULL,                                                                                     \
     dflt,                                                                                     \
     ((required) ? API_REQUIRED : 0) | API_STATE_##state},
#define RULESET_ROW(...) FIELD_ROW("ruleset", __VA_ARGS__)
#define SOURCE_ROW(...)  FIELD_ROW("source", __VA_ARGS__)
#define KPI_ROW(...)     FIELD_ROW("kpi", __VA_ARGS__)
#define REVIEW_ROW(...)  FIELD_ROW("review", __VA_ARGS__)
#define TEST_ROW(...)    FIELD_ROW("test", __VA_ARGS__)

#define GLOBAL(name, sig, params, ret, meaning, example, flags)                                 \
    {name, API_GLOBAL, sig, meaning, example, params, ret, NULL, flags}
#define TYPE(name, meaning, example) {name, API_TYPE, name, meaning, example, NULL, NULL, NULL, 0}
#define METHOD(name, sig, params, ret, meaning, example)                                        \
    {name, API_METHOD, sig, meaning, example, params, ret, NULL, 0}
#define AGG(name, sig, params, ret, meaning, example)                                           \
    {name, API_METHOD, sig, meaning, example, params, ret, NULL, 0}
#define PROPERTY(name, sig, type, meaning, example)                                             \
    {name, API_PROPERTY, sig, meaning, example, type, NULL, NULL, 0}
#define OPERATOR(name, sig, luals, meaning, example)                                            \
    {name, API_OPERATOR, sig, meaning, example, luals, NULL, NULL, 0}

#define PER_GROUP "One value per group, keyed by the group's values joined by \"|\"."

static const api_entry api_table[] = {
    /* ---- declarations ---- */
    GLOBAL("ruleset", "ruleset { name = ..., currency = ..., locale = ..., grain = ... }",
           "spec: RulesetSpec", NULL,
           "Names the rule set and sets its currency, report language and grain. Once per "
           "file; a file that extends another may declare it again to change some fields.",
           "ruleset { name = \"Retail - ABC\", currency = \"VND\", locale = \"vi\", grain = "
           "\"month\" }",
           0),
    API_RULESET_FIELDS(RULESET_ROW)
    GLOBAL("source", "source \"name\" { csv = path | sqlite = path, ... } -> Table",
           "name: string", "fun(spec: SourceSpec): Table",
           "Declares where a table of data comes from (a CSV file, or a SQLite table or query) "
           "and returns it as a Table. It loads when a KPI first uses it. Declared again in a "
           "file that extends, it replaces the base's source of that name everywhere.",
           "local orders = source \"orders\" { csv = \"data/retail/orders.csv\", time = "
           "\"date\" }",
           0),
    API_SOURCE_FIELDS(SOURCE_ROW)
    GLOBAL("kpi", "kpi \"id\" { better = ..., minimum = ..., target = ..., value = ... }",
           "id: string", "fun(spec: KpiSpec)",
           "Declares a KPI: how to compute it for a period and its two levels. Its status is "
           "met_target, met_minimum, below_minimum or no_data. Declared again in a file that "
           "extends, it changes only the fields given (false removes an optional one).",
           "kpi \"aov\" { unit = \"VND\", better = \"higher\", minimum = 450000, target = 520000,\n"
           "  value = function(p, k) return k.revenue / k.order_count end }",
           0),
    API_KPI_FIELDS(KPI_ROW)
    GLOBAL("review", "review \"name\" { every = grain | campaigns = source, ... }",
           "name: string", "fun(spec: ReviewSpec)",
           "Declares when KPIs are looked at: on the calendar (every) or around each campaign "
           "(campaigns, before, after). run --review NAME and schedule read it.",
           "review \"monthly\" { every = \"month\", day = 5, business = true }", 0),
    API_REVIEW_FIELDS(REVIEW_ROW)
    GLOBAL("test", "test \"name\" { period = ..., data = ..., expect = ... }", "name: string",
           "fun(spec: TestSpec)",
           "Declares a test case of a rule set. Cases live beside the rule set: those of "
           "retail.lua in retail.test.lua, which kpiengine test retail.lua runs after the rule "
           "set loads. Each case evaluates the KPIs on its own small data and must give the "
           "expected values and statuses.",
           "test \"revenue sums the month\" { period = \"2024-08\",\n"
           "  data = { orders = { { date = \"2024-08-02\", amount = 120 },\n"
           "                      { date = \"2024-08-30\", amount = 80 } } },\n"
           "  expect = { revenue = 200, status = { revenue = \"below_minimum\" } } }",
           API_TEST_FILE),
    API_TEST_FIELDS(TEST_ROW)
    GLOBAL("require", "require \"name\" -> any", "name: string", "any",
           "Runs name.lua (found next to the calling file, else in lib/ beside it; \"a.b\" is "
           "a/b.lua) once and returns what it returns: shared formulas. Later calls return the "
           "same value.",
           "local m = require \"marketing\"", 0),
    GLOBAL("extends", "extends \"base.lua\"", "path: string", NULL,
           "Takes a whole rule set (path relative to this file) as the start of this one: this "
           "file's declarations then override the base's KPIs, sources, reviews and ruleset by "
           "name. It must come before any declaration of the file.",
           "extends \"retail.lua\"\nkpi \"revenue\" { minimum = 5e8, target = 7e8 }", 0),

    /* ---- Table and View ---- */
    TYPE("Table",
         "What source returns: all the rows of a source. A Table has every method of a View; "
         "filters return Views and aggregates run over all its rows.",
         "local orders = source \"orders\" { csv = \"data/retail/orders.csv\", time = \"date\" "
         "}"),
    TYPE("View",
         "Some rows of a source, chosen by a chain of filters. Views are lazy plans evaluated by "
         "the engine in C and memoized for the run: the same chain asked twice is computed once. "
         "Aggregates skip nulls, except count(); an aggregate over no values is nil.",
         "local paid = orders:during(p):where { status = \"paid\" }"),
    METHOD("View:where", "v:where { column = value | {v1, v2}, ... } -> View\n"
                         "v:where(column, op, value) -> View",
           "filter: string|table<string, any>; op?: string; value?: string|number|boolean",
           "View",
           "Keeps the rows that match: with a table, each column equals its value (or one of a "
           "list of values), all conditions together; with three arguments, column op value "
           "where op is = == != ~= < <= > >=.",
           "sessions:during(p):where { source = \"social\", device = {\"mobile\", \"tablet\"} }\n"
           "deals:during(p):where(\"amount\", \">=\", 1e8)"),
    METHOD("View:during", "v:during(p) -> View", "p: Period", "View",
           "Keeps the rows whose time column falls in period p. The source needs a time "
           "column.",
           "orders:during(p)"),
    METHOD("View:before", "v:before(p) -> View", "p: Period", "View",
           "Keeps the rows dated before period p's first day: all the history before it.",
           "orders:before(p):ids \"customer_id\""),
    METHOD("View:between", "v:between(from, to) -> View",
           "from: string|Period; to: string|Period", "View",
           "Keeps the rows dated from `from` to `to`, both included: ISO dates (\"2024-08-01\"), "
           "or Periods (from a Period's first day, to a Period's last day).",
           "orders:between(\"2024-01-01\", p)"),
    METHOD("View:by", "v:by(column [, column2]) -> GroupedView",
           "column: string; column2?: string", "GroupedView",
           "Groups the rows by the values of one or two columns; an aggregate of the grouped "
           "view gives a Series. Filter before by().",
           "orders:during(p):by \"channel\":sum \"amount\""),
    METHOD("View:ids", "v:ids(column) -> IdSet", "column: string", "IdSet",
           "The set of the column's distinct values over the rows: customers, accounts.",
           "orders:during(p):ids \"customer_id\""),
    AGG("View:count", "v:count() -> integer", "", "integer", "An integer; 0 over no rows.",
        "orders:during(p):count()"),
    AGG("View:sum", "v:sum(column) -> number|nil", "column: string", "number?",
        "nil over no values.", "orders:during(p):sum \"amount\""),
    AGG("View:avg", "v:avg(column) -> number|nil", "column: string", "number?",
        "nil over no values.", "orders:during(p):avg \"amount\""),
    AGG("View:min", "v:min(column) -> number|string|nil", "column: string", "number|string|nil",
        "nil over no values. From Lua, a date or timestamp column gives the ISO text of the earliest.",
        "orders:during(p):min \"date\""),
    AGG("View:max", "v:max(column) -> number|string|nil", "column: string", "number|string|nil",
        "nil over no values. From Lua, a date or timestamp column gives the ISO text of the latest.",
        "orders:during(p):max \"amount\""),
    AGG("View:distinct", "v:distinct(column) -> integer", "column: string", "integer",
        "Nulls are not counted.", "orders:during(p):distinct \"customer_id\""),
    AGG("View:median", "v:median(column) -> number|nil", "column: string", "number?",
        "nil over no values.", "deals:during(p):median \"amount\""),
    AGG("View:quantile", "v:quantile(column, q) -> number|nil", "column: string; q: number",
        "number?", "As DuckDB's quantile_cont; q = 0.5 is the median. nil over no values.",
        "orders:during(p):quantile(\"amount\", 0.9)"),

    /* ---- GroupedView ---- */
    TYPE("GroupedView",
         "A View grouped by one or two columns (View:by). Its methods are the aggregates, each "
         "returning a Series with one value per group.",
         "local by_channel = orders:during(p):by \"channel\""),
    AGG("GroupedView:count", "g:count() -> Series", "", "Series", PER_GROUP,
        "leads:during(p):by \"channel\":count()"),
    AGG("GroupedView:sum", "g:sum(column) -> Series", "column: string", "Series", PER_GROUP,
        "orders:during(p):by \"channel\":sum \"amount\""),
    AGG("GroupedView:avg", "g:avg(column) -> Series", "column: string", "Series", PER_GROUP,
        "orders:during(p):by \"device\":avg \"amount\""),
    AGG("GroupedView:min", "g:min(column) -> Series", "column: string", "Series", PER_GROUP,
        "orders:during(p):by \"channel\":min \"amount\""),
    AGG("GroupedView:max", "g:max(column) -> Series", "column: string", "Series", PER_GROUP,
        "orders:during(p):by \"channel\":max \"amount\""),
    AGG("GroupedView:distinct", "g:distinct(column) -> Series", "column: string", "Series",
        PER_GROUP, "orders:during(p):by \"channel\":distinct \"customer_id\""),
    AGG("GroupedView:median", "g:median(column) -> Series", "column: string", "Series",
        PER_GROUP, "deals:during(p):by \"owner\":median \"amount\""),
    AGG("GroupedView:quantile", "g:quantile(column, q) -> Series", "column: string; q: number",
        "Series", PER_GROUP, "orders:during(p):by \"channel\":quantile(\"amount\", 0.9)"),

    /* ---- Series ---- */
    TYPE("Series",
         "Numbers keyed by text, from a grouped aggregate. Arithmetic aligns keys; an entry "
         "without a value (a key on one side only, a zero divisor) reads as nil and is skipped "
         "by pairs, # and keys. A KPI's breakdown returns one.",
         "local cpl = spend:during(p):by \"channel\":sum \"cost\" / leads:during(p):by "
         "\"channel\":count()"),
    METHOD("Series:top", "s:top(n) -> Series", "n: integer", "Series",
           "The n entries with the largest values, largest first.", "revenue_by_city:top(5)"),
    METHOD("Series:total", "s:total() -> number|nil", "", "number?",
           "The sum of the values; nil when there is none.",
           "orders:during(p):by \"channel\":sum \"amount\":total()"),
    METHOD("Series:keys", "s:keys() -> string[]", "", "string[]",
           "The keys that have a value, in the Series' order.", "for _, key in "
           "ipairs(s:keys()) do ... end"),
    OPERATOR("Series +", "s + t, s + x, x + s", "add(Series|number): Series",
             "Adds key by key (a key missing on one side has no value), or adds a number to "
             "every value.",
             "a:by \"channel\":sum \"x\" + b:by \"channel\":sum \"x\""),
    OPERATOR("Series -", "s - t, s - x, x - s", "sub(Series|number): Series",
             "Subtracts key by key, or a number from every value.", "this_month - last_month"),
    OPERATOR("Series *", "s * t, s * x, x * s", "mul(Series|number): Series",
             "Multiplies key by key, or every value by a number.", "share * 100"),
    OPERATOR("Series /", "s / t, s / x, x / s", "div(Series|number): Series",
             "Divides key by key, or by a number; a zero divisor leaves the entry without "
             "value.",
             "spend:during(p):by \"channel\":sum \"cost\" / leads:during(p):by "
             "\"channel\":count()"),
    OPERATOR("-Series", "-s", "unm: Series", "Negates every value.", "-s"),
    OPERATOR("#Series", "#s", "len: integer", "The number of entries that have a value.",
             "#s"),
    OPERATOR("Series[key]", "s[key] -> number|nil", "[string] number?",
             "The value for key, nil when it has none. Method names win: write keys named like a "
             "method another way, or use pairs.",
             "s[\"email\"]"),
    OPERATOR("pairs(Series)", "pairs(s) -> key, value, ...", "",
             "Iterates over the entries that have a value, in the Series' order.",
             "for channel, cost in pairs(s) do ... end"),

    /* ---- IdSet ---- */
    TYPE("IdSet",
         "A set of distinct values of a column (View:ids): customers, accounts. Set algebra "
         "runs in C.",
         "local cur, prev = orders:during(p):ids \"customer_id\", orders:during(p:prev()):ids "
         "\"customer_id\"\nlocal retention = (cur * prev):count() / prev:count()"),
    METHOD("IdSet:count", "a:count() -> integer", "", "integer", "How many values the set has.",
           "orders:during(p):ids \"customer_id\":count()"),
    METHOD("IdSet:has", "a:has(value) -> boolean", "value: string|number|boolean", "boolean",
           "Whether the set holds value (a string for a text column, a whole number for a "
           "number column).",
           "buyers:has(\"C0012345\")"),
    OPERATOR("IdSet -", "a - b -> IdSet", "sub(IdSet): IdSet",
             "The values in a and not in b: new customers are this period's minus earlier ones.",
             "(orders:during(p):ids \"customer_id\" - orders:before(p):ids "
             "\"customer_id\"):count()"),
    OPERATOR("IdSet *", "a * b -> IdSet", "mul(IdSet): IdSet",
             "The values in both (intersection): customers who bought in both periods.",
             "(cur * prev):count()"),
    OPERATOR("IdSet +", "a + b -> IdSet", "add(IdSet): IdSet", "The values in either (union).",
             "(web + shop):count()"),
    OPERATOR("#IdSet", "#a -> integer", "len: integer", "The same as a:count().", "#cur"),

    /* ---- Period ---- */
    TYPE("Period",
         "The period a KPI is computed for: the first argument p of value and breakdown. A "
         "month, quarter, ISO week, year, day or a range of days (run --period 2024-08 | "
         "2024-Q3 | 2024-W35 | 2024 | 2024-08-01..2024-08-15).",
         "value = function(p) return orders:during(p):sum \"amount\" end"),
    PROPERTY("Period.grain", "p.grain -> string", "string",
             "\"day\", \"week\", \"month\", \"quarter\", \"year\" or \"range\".",
             "if p.grain == \"month\" then ... end"),
    PROPERTY("Period.label", "p.label -> string", "string",
             "The period as written on the command line: \"2024-08\", \"2024-Q3\", "
             "\"2024-W35\", \"2024\".",
             "p.label"),
    PROPERTY("Period.start", "p.start -> string", "string", "The first day, as an ISO date.",
             "orders:between(p.start, p)"),
    PROPERTY("Period.stop", "p.stop -> string", "string",
             "The day after the last day (exclusive), as an ISO date.", "p.stop"),
    METHOD("Period:prev", "p:prev() -> Period", "", "Period",
           "The period before, of the same grain (and length for a range).",
           "orders:during(p:prev()):sum \"amount\""),
    METHOD("Period:shift", "p:shift(n) -> Period", "n: integer", "Period",
           "The period n steps later (earlier when n is negative): p:shift(-12) is the same "
           "month a year before.",
           "orders:during(p:shift(-12)):sum \"amount\""),
    METHOD("Period:days", "p:days() -> integer", "", "integer", "The number of days in p.",
           "spend:during(p):sum \"cost\" / p:days()"),
    METHOD("Period:contains", "p:contains(x) -> boolean", "x: string|Period", "boolean",
           "Whether x (an ISO date, an ISO timestamp, or a Period wholly inside p) is in p.",
           "p:contains(\"2024-12-24\")"),
    OPERATOR("Period ==", "p == q -> boolean", "",
             "Whether both have the same grain and days.", "p == q"),
    OPERATOR("Period <", "p < q, p <= q -> boolean", "",
             "Orders periods by their first day, then their last.", "p < q"),
    OPERATOR("tostring(Period)", "tostring(p) -> string", "",
             "The label (\"2024-08\").", "tostring(p)"),

    /* ---- k ---- */
    TYPE("K",
         "The second argument k of value and breakdown: the other KPIs' values for the same "
         "period. Each is computed once, on first use, in dependency order.",
         "value = function(p, k) return k.revenue / k.order_count end"),
    {"k", API_ARGUMENT, "k.id -> number|nil", "The value of KPI id for the period, nil when it "
     "has no data (then a division by it gives no data too). An unknown id is an error with "
     "\"did you mean\"; a cycle of KPIs is an error naming them; k is read-only.",
     "value = function(p, k) return spend:during(p):sum \"cost\" / k.new_customers end",
     "table<string, number?>", NULL, NULL, 0},
};
/* clang-format on */

const api_entry *api_entries(size_t *n)
{
    *n = sizeof api_table / sizeof *api_table;
    return api_table;
}

const api_entry *api_find(const char *name)
{
    char alias[128];
    if (strncmp(name, "Table:", 6) == 0) { /* Table and View share their methods */
        snprintf(alias, sizeof alias, "View:%s", name + 6);
        name = alias;
    }
    for (size_t i = 0; i < sizeof api_table / sizeof *api_table; i++)
        if (strcmp(api_table[i].name, name) == 0) return &api_table[i];
    return NULL;
}

const char *api_kind_name(api_kind kind)
{
    static const char *const names[] = {"global",   "field",    "type",    "method",
                                        "property", "operator", "argument"};
    return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "entry";
}

/* The aggregate a method entry stands for, or NULL. */
static const agg_def *aggregate_of(const api_entry *e)
{
    if (e->kind != API_METHOD) return NULL;
    const char *colon = strchr(e->name, ':');
    if (!colon || (strncmp(e->name, "View:", 5) != 0 && strncmp(e->name, "GroupedView:", 12) != 0))
        return NULL;
    return agg_lookup(colon + 1);
}

const char *api_meaning(const api_entry *e, char *buf, size_t size)
{
    const agg_def *agg = aggregate_of(e);
    if (agg)
        snprintf(buf, size, "%s %s", agg->doc, e->meaning);
    else
        snprintf(buf, size, "%s", e->meaning);
    return buf;
}

const char *const *api_fields_of(const char *decl)
{
    static const char *const ruleset[] = {API_RULESET_FIELDS(API_FIELD_NAME) NULL};
    static const char *const source[] = {API_SOURCE_FIELDS(API_FIELD_NAME) NULL};
    static const char *const kpi[] = {API_KPI_FIELDS(API_FIELD_NAME) NULL};
    static const char *const review[] = {API_REVIEW_FIELDS(API_FIELD_NAME) NULL};
    static const char *const test[] = {API_TEST_FIELDS(API_FIELD_NAME) NULL};
    static const struct {
        const char *decl;
        const char *const *fields;
    } lists[] = {
        {"ruleset", ruleset}, {"source", source}, {"kpi", kpi}, {"review", review}, {"test", test}};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        if (strcmp(lists[i].decl, decl) == 0) return lists[i].fields;
    return NULL;
}
