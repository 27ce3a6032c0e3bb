/*
** render_json.c -- the report as the JSON document of DESIGN section 4; see render.h.
**
** The key order is part of the contract (people diff these files and scripts read
** them), so every object is written field by field here, never from a generic map.
*/
#include "out/render.h"

#include "core/date.h"
#include "core/period.h"
#include "model/review.h"
#include "out/textfmt.h"

/* A string that is NULL or empty is null: "the KPI has none". */
static void json_optional_string(textbuf *b, const char *s)
{
    text_json_string(b, s && s[0] ? s : NULL);
}

static void json_period(textbuf *b, period p)
{
    char label[64], start[16], end[16];
    date_format_iso(p.start, start);
    date_format_iso(p.stop - 1, end); /* stop is exclusive; "end" is the last day inside */
    textbuf_puts(b, "{\"grain\": ");
    text_json_string(b, period_grain_name(p.grain));
    textbuf_puts(b, ", \"label\": ");
    text_json_string(b, period_label(p, label, sizeof label));
    textbuf_puts(b, ", \"start\": ");
    text_json_string(b, start);
    textbuf_puts(b, ", \"end\": ");
    text_json_string(b, end);
    textbuf_puts(b, "}");
}

/* The keys after "kpis": the review, and how much of the period the values count. */
static void json_review(textbuf *b, const report *r)
{
    char as_of[16];
    textbuf_puts(b, " \"review\": ");
    text_json_string(b, r->review);
    if (r->has_as_of) date_format_iso(r->as_of, as_of);
    textbuf_puts(b, ", \"as_of\": ");
    text_json_string(b, r->has_as_of ? as_of : NULL);
    textbuf_printf(b, ", \"in_progress\": %s, \"period_days\": %d, \"days_counted\": %d",
                   r->in_progress ? "true" : "false", (int)period_days(r->period),
                   (int)review_days_counted(r));
    textbuf_puts(b, ", \"rejected\": [");
    for (size_t i = 0; i < r->nrejected; i++) {
        textbuf_puts(b, i ? ", {\"source\": " : "{\"source\": ");
        text_json_string(b, r->rejected[i].source);
        textbuf_puts(b, ", \"file\": ");
        text_json_string(b, r->rejected[i].file);
        textbuf_printf(b, ", \"rows\": %zu}", r->rejected[i].rows);
    }
    textbuf_puts(b, "]}\n");
}

void render_json_breakdown(textbuf *b, const kpi_result *k)
{
    textbuf_puts(b, "[");
    for (size_t i = 0; i < k->nitems; i++) {
        const breakdown_item *item = &k->items[i];
        textbuf_puts(b, i ? ", {\"key\": " : "{\"key\": ");
        text_json_string(b, item->key);
        textbuf_puts(b, ", \"value\": ");
        text_json_number(b, item->has_value, item->value);
        textbuf_puts(b, ", \"status\": ");
        text_json_string(b, item->graded ? status_name(item->status) : NULL);
        textbuf_puts(b, "}");
    }
    textbuf_puts(b, "]");
}

/* "pace": the run-rate projection of an additive KPI in a period in progress, or null. */
static void json_pace(textbuf *b, const kpi_result *k)
{
    textbuf_puts(b, ", \"pace\": ");
    if (!k->has_projection) {
        textbuf_puts(b, "null");
        return;
    }
    textbuf_puts(b, "{\"projection\": ");
    text_json_number(b, 1, k->projection);
    textbuf_puts(b, ", \"status\": ");
    text_json_string(b, status_name(k->pace));
    textbuf_printf(b, ", \"on_pace\": %s}", k->pace == STATUS_MET_TARGET ? "true" : "false");
}

/* "due": progress toward the target by the KPI's deadline, or null. */
static void json_due(textbuf *b, const kpi_result *k)
{
    char day[16];
    textbuf_puts(b, ", \"due\": ");
    if (!k->has_due) {
        textbuf_puts(b, "null");
        return;
    }
    date_format_iso(k->due, day);
    textbuf_puts(b, "{\"date\": ");
    text_json_string(b, day);
    textbuf_printf(b, ", \"days_left\": %d, \"progress\": ", (int)k->days_left);
    text_json_number(b, k->has_progress, k->progress);
    textbuf_puts(b, ", \"state\": ");
    text_json_string(b, review_due_name(k->due_state));
    textbuf_puts(b, "}");
}

static void json_kpi(textbuf *b, const kpi_result *k)
{
    textbuf_puts(b, "{\"id\": ");
    text_json_string(b, k->id);
    textbuf_puts(b, ", \"title\": ");
    text_json_string(b, k->title ? k->title : k->id);
    textbuf_puts(b, ", \"unit\": ");
    text_json_string(b, k->unit ? k->unit : "");
    textbuf_puts(b, ", \"better\": ");
    text_json_string(b, better_name(k->better));
    textbuf_puts(b, ", \"value\": ");
    text_json_number(b, k->has_value, k->value);
    textbuf_puts(b, ", \"minimum\": ");
    text_json_number(b, 1, k->minimum);
    textbuf_puts(b, ", \"target\": ");
    text_json_number(b, 1, k->target);
    textbuf_puts(b, ", \"status\": ");
    text_json_string(b, status_name(k->status));
    textbuf_puts(b, ", \"previous\": ");
    text_json_number(b, k->has_previous, k->previous);
    textbuf_puts(b, ", \"change\": ");
    text_json_number(b, k->has_change, k->change);
    textbuf_puts(b, ", \"breakdown\": ");
    render_json_breakdown(b, k);
    textbuf_puts(b, ", \"owner\": ");
    json_optional_string(b, k->owner);
    textbuf_puts(b, ", \"review\": ");
    json_optional_string(b, k->review);
    textbuf_puts(b, ", \"reason\": ");
    json_optional_string(b, k->has_value ? NULL : k->reason);
    json_pace(b, k);
    json_due(b, k);
    textbuf_puts(b, "}");
}

char *render_json(const report *r, size_t *len)
{
    textbuf b;
    textbuf_init(&b);
    textbuf_puts(&b, "{\"ruleset\": ");
    text_json_string(&b, r->ruleset ? r->ruleset : "");
    textbuf_puts(&b, ", \"file\": ");
    text_json_string(&b, r->file ? r->file : "");
    textbuf_puts(&b, ",\n \"period\": ");
    json_period(&b, r->period);
    textbuf_puts(&b, ",\n \"kpis\": [");
    for (size_t i = 0; i < r->nkpis; i++) {
        textbuf_puts(&b, i ? ",\n  " : "\n  ");
        json_kpi(&b, &r->kpis[i]);
    }
    textbuf_puts(&b, r->nkpis ? "\n ],\n" : "],\n");
    json_review(&b, r);
    return textbuf_finish(&b, len);
}
