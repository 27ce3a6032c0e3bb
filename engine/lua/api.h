/*
** api.h -- the public Lua API of rule sets, described once: every global, every field
** of a declaration, every method and field of the engine's values, every operator and
** the `k` argument, each with its signature, meaning and an example (DESIGN section 3).
**
** Everything that shows or checks the language reads this one table: the reference
** manual (`kpiengine doc --markdown`, docs/lua-api.md), the editor annotations
** (`kpiengine doc --meta`, docs/kpiengine.meta.lua), `kpiengine doc NAME`, and the
** DSL's lists of accepted fields. tests/test_lua_api.c checks the table against the
** running language: every field the DSL accepts is described and every described field
** is accepted, and every method in the Lua metatables has an entry.
**
** Declaration fields are X-macro lists, one per declaration, so the DSL's field lists
** are made from them at compile time (dsl_check_fields takes a NULL-terminated list):
**
**     static const char *const kpi_fields[] = {API_KPI_FIELDS(API_FIELD_NAME) NULL};
**
** A row is X(field, type, required, default, meaning, example, state):
**   type      the value's type in LuaLS notation ("string", "number?", "\"fail\"|\"skip\"")
**   required  1 when a new declaration must give it (an override may leave it out)
**   default   what an absent field means, as text; NULL when there is nothing to say
**   example   one `field = value` Lua expression, valid inside the declaration's table
**   state     ACCEPTED, or PENDING: described but not yet read by the DSL, so
**             API_FIELD_NAME leaves it out of the accepted list. The change that teaches
**             the DSL the field turns it to ACCEPTED.
*/
#ifndef KPI_API_H
#define KPI_API_H

#include <stddef.h>

/* ---- declaration fields ------------------------------------------------------------------ */

#define API_RULESET_FIELDS(X)                                                                      \
    X("name", "string", 0, "the file's name without .lua",                                         \
      "The rule set's name, shown at the top of every report and saved with every run.",           \
      "name = \"Retail - ABC\"", ACCEPTED)                                                         \
    X("currency", "string", 0, NULL, "Currency code of the money amounts, shown in reports.",      \
      "currency = \"VND\"", ACCEPTED)                                                              \
    X("locale", "string", 0, "English",                                                            \
      "Language and number format of the reports: \"vi\" (also \"vi-VN\") is Vietnamese, "         \
      "anything else English. run --lang overrides it.",                                           \
      "locale = \"vi\"", ACCEPTED)                                                                 \
    X("grain", "\"day\"|\"week\"|\"month\"|\"quarter\"|\"year\"", 0, "\"month\"",                  \
      "The period a run reviews when --period is not given: the latest complete one at this "      \
      "grain (or the one holding --as-of).",                                                       \
      "grain = \"month\"", ACCEPTED)                                                               \
    X("description", "string", 0, NULL, "A note on the rule set for the people who keep it.",      \
      "description = \"Monthly review of the online shop\"", ACCEPTED)

#define API_SOURCE_FIELDS(X)                                                                       \
    X("csv", "string", 0, NULL,                                                                    \
      "Path of a CSV file (RFC 4180, UTF-8), relative to the rule set's folder or to --data "      \
      "DIR; it may not leave that folder. Give csv or sqlite.",                                    \
      "csv = \"data/retail/orders.csv\"", ACCEPTED)                                                \
    X("sqlite", "string", 0, NULL,                                                                 \
      "Path of a SQLite database (same rules as csv), read through query or table.",               \
      "sqlite = \"data/retail/csat.db\"", ACCEPTED)                                                \
    X("query", "string", 0, NULL, "With sqlite: the SELECT whose result rows are the source.",     \
      "query = \"SELECT answered_at, score FROM csat\"", ACCEPTED)                                 \
    X("table", "string", 0, NULL, "With sqlite: a table read whole (instead of query).",           \
      "table = \"csat\"", ACCEPTED)                                                                \
    X("time", "string", 0, NULL,                                                                   \
      "The column that dates each row: ISO dates, ISO timestamps, SQLite dates or text in "        \
      "date_format. during, before, between and the default period need it.",                      \
      "time = \"date\"", ACCEPTED)                                                                 \
    X("delimiter", "string", 0, "\",\"",                                                           \
      "With csv: the one character between fields, such as \";\" or \"\\t\".",                     \
      "delimiter = \";\"", ACCEPTED)                                                               \
    X("decimal", "\".\"|\",\"", 0, "\".\"",                                                        \
      "With csv: the decimal mark of numbers; it must differ from the delimiter.",                 \
      "decimal = \",\"", ACCEPTED)                                                                 \
    X("date_format", "string", 0, "ISO (YYYY-MM-DD)",                                              \
      "How text dates in the time column are written: %d day, %m month, %Y year, %y two-digit "    \
      "year, %b month name (Jan..Dec), %% a percent sign; other characters match themselves.",     \
      "date_format = \"%d/%m/%Y\"", ACCEPTED)                                                      \
    X("header", "boolean", 0, "true",                                                              \
      "With csv: whether the first line names the columns; without one they are c1, c2, ...",      \
      "header = false", ACCEPTED)                                                                  \
    X("columns", "table<string, string>", 0, "types inferred from the data",                       \
      "Column types that override inference: int, float, decimal, decimal(N) (exact, N "           \
      "decimal places: money), date, timestamp, string or bool.",                                  \
      "columns = { amount = \"decimal(2)\", customer_id = \"string\" }", ACCEPTED)                 \
    X("encoding", "string", 0, "\"utf-8\"",                                                        \
      "The file's text encoding. Only UTF-8 (with or without a byte-order mark) is read.",         \
      "encoding = \"utf-8\"", ACCEPTED)                                                            \
    X("description", "string", 0, NULL, "A note on the data for the people who keep it.",          \
      "description = \"Orders exported from the shop every night\"", ACCEPTED)                     \
    X("on_error", "\"fail\"|\"skip\"", 0, "\"fail\"",                                              \
      "What a malformed row does: \"fail\" stops with the row's file:line and the reason; "        \
      "\"skip\" leaves the row out and counts it.",                                                \
      "on_error = \"skip\"", ACCEPTED)

#define API_KPI_FIELDS(X)                                                                          \
    X("title", "string", 0, "the id", "The KPI's name in reports.", "title = \"Revenue\"",         \
      ACCEPTED)                                                                                    \
    X("unit", "string", 0, NULL,                                                                   \
      "What the value measures: a currency code (\"VND\"), \"count\", \"%\" (the value is a "      \
      "fraction: 0.35 shows as 35%) or any word.",                                                 \
      "unit = \"VND\"", ACCEPTED)                                                                  \
    X("better", "\"higher\"|\"lower\"", 1, NULL,                                                   \
      "Which way is good; it decides how the value is graded against minimum and target.",         \
      "better = \"higher\"", ACCEPTED)                                                             \
    X("minimum", "number", 1, NULL,                                                                \
      "The floor: a value short of it is below_minimum. For better = \"lower\" it is the "         \
      "worst acceptable value (the larger of the two levels).",                                    \
      "minimum = 9e8", ACCEPTED)                                                                   \
    X("target", "number", 1, NULL,                                                                 \
      "The goal: a value that reaches it is met_target; between minimum and target it is "         \
      "met_minimum.",                                                                              \
      "target = 1.2e9", ACCEPTED)                                                                  \
    X("owner", "string", 0, NULL,                                                                  \
      "Who answers for the KPI; shown in reports. run --owner NAME keeps only this owner's "       \
      "KPIs.",                                                                                     \
      "owner = \"Head of Sales\"", ACCEPTED)                                                       \
    X("review", "string", 0, NULL,                                                                 \
      "The review (a review declaration's name) that looks at this KPI.", "review = \"monthly\"",  \
      ACCEPTED)                                                                                    \
    X("value", "fun(p: Period, k: K): number?", 1, NULL,                                           \
      "Computes the value for period p; k holds the other KPIs' values. nil, a zero "              \
      "denominator, NaN or infinity mean no data (status no_data, with the reason).",              \
      "value = function(p) return orders:during(p):sum \"amount\" end", ACCEPTED)                  \
    X("breakdown", "fun(p: Period, k: K): Series|table<string, number>", 0, NULL,                  \
      "The value split by a key (channel, device, ...): a Series or a table { key = number }. "    \
      "Each item is graded against the levels unless the KPI is additive. false removes an "       \
      "inherited breakdown.",                                                                      \
      "breakdown = function(p) return orders:during(p):by \"channel\":sum \"amount\" end",         \
      ACCEPTED)                                                                                    \
    X("due", "string", 0, NULL,                                                                    \
      "A deadline as an ISO date: reports show the progress towards the target and the days "      \
      "left.",                                                                                     \
      "due = \"2024-12-31\"", ACCEPTED)                                                            \
    X("additive", "boolean", 0, "false",                                                           \
      "true when the value is a sum over its parts and over time (revenue, counts): breakdown "    \
      "items are parts of the total and not graded, and a period in progress gets a run-rate "     \
      "projection.",                                                                               \
      "additive = true", ACCEPTED)                                                                 \
    X("description", "string", 0, NULL, "What the KPI means and how it is computed, in words.",    \
      "description = \"Sum of the order amounts, returns excluded\"", ACCEPTED)

#define API_REVIEW_FIELDS(X)                                                                       \
    X("every", "\"day\"|\"week\"|\"month\"|\"quarter\"|\"year\"", 0, NULL,                         \
      "A review on the calendar: due every grain, for the period just ended. Give every or "       \
      "campaigns.",                                                                                \
      "every = \"month\"", ACCEPTED)                                                               \
    X("campaigns", "string", 0, NULL,                                                              \
      "A review around each campaign: the name of a declared source with columns name, start "     \
      "and end (dates), one row per campaign.",                                                    \
      "campaigns = \"campaigns\"", ACCEPTED)                                                       \
    X("before", "integer", 0, "0",                                                                 \
      "With campaigns: days before each campaign's start that form the baseline window.",          \
      "before = 14", ACCEPTED)                                                                     \
    X("after", "integer", 0, "0",                                                                  \
      "With campaigns: days after each campaign's end that show its after-effect.", "after = 30",  \
      ACCEPTED)                                                                                    \
    X("day", "integer", 0, "the period's first day",                                               \
      "With every: the day of the period the review falls due (1 to 31; 1 to 7 for a week).",      \
      "day = 5", ACCEPTED)                                                                         \
    X("business", "boolean", 0, "false",                                                           \
      "With every: day counts working days (Monday to Friday) instead of calendar days.",          \
      "business = true", ACCEPTED)                                                                 \
    X("kpis", "string[]", 0, "the KPIs whose review field names it, else all",                     \
      "The ids of the KPIs the review covers, in this order.", "kpis = { \"revenue\", \"cac\" }",  \
      ACCEPTED)                                                                                    \
    X("title", "string", 0, "the name", "The review's name in reports and schedules.",             \
      "title = \"Monthly business review\"", ACCEPTED)                                             \
    X("description", "string", 0, NULL, "What the review is for, in words.",                       \
      "description = \"With the sales team, first week of the month\"", ACCEPTED)

#define API_TEST_FIELDS(X)                                                                         \
    X("period", "string", 0, "the latest complete period of the data, as run",                     \
      "The period evaluated, as run --period: 2024-08, 2024-Q3, 2024-W35, 2024 or "                \
      "2024-08-01..2024-08-15.",                                                                   \
      "period = \"2024-08\"", ACCEPTED)                                                            \
    X("as_of", "string", 0, NULL,                                                                  \
      "The day the case stands on, as run --as-of: a period not over by then counts its days up "  \
      "to it.",                                                                                    \
      "as_of = \"2024-08-10\"", ACCEPTED)                                                          \
    X("data", "table<string, table[]|string>", 0, "the sources' own files",                        \
      "The data of the case, per source name: a list of rows ({ column = value, ... }, types "     \
      "inferred as from the source's file) or the path of a fixture file relative to the test "    \
      "file. Sources not named keep their real data.",                                             \
      "data = { orders = { { date = \"2024-08-02\", amount = 120 } } }", ACCEPTED)                 \
    X("expect", "table<string, number|table<string, string>>", 1, NULL,                            \
      "What the run must give: kpi id = value, and status = { kpi id = status } with status "      \
      "met_target, met_minimum, below_minimum or no_data.",                                        \
      "expect = { revenue = 120, status = { revenue = \"below_minimum\" } }", ACCEPTED)            \
    X("tolerance", "number", 0, "1e-9",                                                            \
      "How far a value may be from the expected one, relative to it.", "tolerance = 1e-6",         \
      ACCEPTED)

/* The field's name when the DSL accepts it (ACCEPTED), nothing when PENDING. */
#define API_FIELD_NAME(field, type, required, dflt, meaning, example, state)                       \
    API_NAME_IF_##state(field)
#define API_NAME_IF_ACCEPTED(field) field,
#define API_NAME_IF_PENDING(field)

/* ---- the table ------------------------------------------------------------------------- */

typedef enum api_kind {
    API_GLOBAL,   /* a global of rule sets: kpi, source, require */
    API_FIELD,    /* a field of a declaration table: "kpi.target" */
    API_TYPE,     /* a type of value: "View", "Period" */
    API_METHOD,   /* a method of a type: "View:sum" */
    API_PROPERTY, /* a field of a value: "Period.label" */
    API_OPERATOR, /* an operator on a type: "Series +" */
    API_ARGUMENT  /* an argument the engine passes: "k" */
} api_kind;

/* Flags of an entry. */
enum {
    API_PENDING = 1,  /* described, not yet accepted by this build (see the state above) */
    API_REQUIRED = 2, /* a field a new declaration must give */
    API_TEST_FILE = 4 /* a global of test files (x.test.lua) only, not of rule sets */
};

typedef struct api_entry {
    const char *name; /* "source.csv", "View:sum", "Period.label", "k" */
    api_kind kind;
    const char *signature; /* how it is written: "v:sum(column) -> number|nil" */
    const char *meaning;   /* what it does; for an aggregate, also agg_builtins' text */
    const char *example;   /* Lua */
    const char *type;      /* fields and properties: LuaLS type; methods and globals:
                              "; "-separated "name: type" parameters; operators: the
                              LuaLS @operator text, "[string] type" for indexing, or ""
                              when LuaLS has no notation for it */
    const char *returns;   /* methods and globals: LuaLS type of the result, or NULL */
    const char *dflt;      /* fields: what an absent field means, or NULL */
    unsigned flags;
} api_entry;

/* Every entry, in the manual's order; *n gets how many. */
const api_entry *api_entries(size_t *n);
/* The entry called name (exact), or NULL. "Table:x" finds "View:x": they share methods. */
const api_entry *api_find(const char *name);
/* The kind's word for people: "global", "field", "method", ... */
const char *api_kind_name(api_kind kind);
/*
** The meaning of e as one text: e->meaning, preceded for an aggregate by the
** aggregate's own description in agg_builtins (core/agg.h). Into buf (size bytes).
*/
const char *api_meaning(const api_entry *e, char *buf, size_t size);
/*
** The accepted field names of declaration decl ("ruleset", "source", "kpi", "review",
** "test"), NULL-terminated, as the DSL checks them; NULL for another decl.
*/
const char *const *api_fields_of(const char *decl);

#endif
