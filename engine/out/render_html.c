/*
** render_html.c -- the report as one self-contained HTML page; see render.h.
**
** The page: a masthead (client, rule set, file, period, generated at), a summary
** (KPIs per status, and how to read the graphics), one card per KPI
** (render_html_card.c), and the table of all figures, which is both the text
** alternative of every graphic and what a reader copies numbers from.
**
** Self-contained means it opens from disk, offline, years later: no script, no
** font, image or style sheet fetched, no link; a Content-Security-Policy forbids
** any load even if a browser found one. Styles are inline; graphics inline <svg>.
** The print rules lay it out on A4 (two columns of cards, the table on its own
** pages with its heading repeated, colours kept).
*/
#define _POSIX_C_SOURCE 200809L
#include "out/render.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "out/numfmt.h"
#include "out/render_html_impl.h"

/* Pieces under 4095 bytes each: the longest string literal ISO C promises. */
static const char *const css[] = {
    ":root{--ink:#1b2430;--muted:#5c6776;--line:#dfe3e8;--paper:#fff;--bg:#f3f5f7;"
    "--brand:#1f3a5f;--bar:#1e293b;--band-poor:#f4d3cf;--band-ok:#f6e6c3;--band-good:#d3ebd8}\n"
    ".st-met_target{--c:#15803d;--cbg:#dcf5e3}.st-met_minimum{--c:#a15c07;--cbg:#fdf0d2}\n"
    ".st-below_minimum{--c:#b42318;--cbg:#fde3df}.st-no_data{--c:#64748b;--cbg:#eef1f4}\n"
    "*{box-sizing:border-box}\n"
    "html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 \"Segoe UI\","
    "\"Noto Sans\",Roboto,\"Helvetica Neue\",Arial,\"DejaVu Sans\",sans-serif;"
    "font-variant-numeric:tabular-nums}\n"
    ".page{max-width:1200px;margin:0 auto;padding:24px 24px 32px}\n"
    "h1,h2,h3,h4,p,ul,ol,dl{margin:0}\n"
    ".masthead{background:var(--paper);border:1px solid var(--line);"
    "border-top:6px solid var(--brand);border-radius:8px;padding:18px 22px;display:flex;"
    "flex-wrap:wrap;justify-content:space-between;gap:12px 32px}\n"
    ".eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;font-weight:700;"
    "color:var(--brand)}\n"
    "h1{font-size:26px;line-height:1.2;margin:2px 0 6px}\n"
    ".period{font-size:17px;font-weight:600}.period span{white-space:nowrap}"
    ".period .pd{font-weight:400;color:var(--muted);margin-left:4px;font-size:14px}\n"
    ".meta{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:13px;"
    "align-self:end}\n"
    ".meta dt{color:var(--muted)}.meta dd{margin:0}\n"
    ".summary{margin:16px 0;background:var(--paper);border:1px solid var(--line);"
    "border-radius:8px;padding:14px 22px}\n"
    ".summary h2,.figures h2{font-size:16px;margin-bottom:8px}"
    ".summary h2 span{font-weight:400;color:var(--muted)}\n"
    ".mix{display:block;border-radius:4px}.mix rect{fill:var(--c)}\n"
    ".counts{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:8px 28px;margin:10px 0 "
    "8px}\n"
    ".counts li{display:flex;align-items:baseline;gap:6px}.counts b{font-size:22px}\n"
    ".counts .sym{color:var(--c);font-size:18px}\n"
    ".legend{font-size:12px;color:var(--muted);display:flex;flex-wrap:wrap;gap:2px 14px}"
    ".legend span{white-space:nowrap}\n",

    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(350px,1fr));gap:14px}\n"
    ".card{background:var(--paper);border:1px solid var(--line);border-left:5px solid var(--c);"
    "border-radius:8px;padding:12px 16px 14px;display:flex;flex-direction:column;gap:8px}\n"
    ".card-head{display:flex;justify-content:space-between;align-items:flex-start;gap:10px}\n"
    ".card h3{font-size:15px;line-height:1.3}\n"
    ".sub{font-size:12px;color:var(--muted);margin-top:2px}\n"
    ".sub .id{font-family:\"DejaVu Sans Mono\",Consolas,monospace;font-size:11px}\n"
    ".pill{flex:none;white-space:nowrap;font-size:12px;font-weight:600;color:var(--c);"
    "background:var(--cbg);border-radius:999px;padding:3px 10px}\n"
    ".figure{display:flex;justify-content:space-between;align-items:flex-end;gap:12px}\n"
    ".value{font-size:26px;font-weight:700;line-height:1.15;letter-spacing:-.01em}\n"
    ".exact{font-size:12px;color:var(--muted)}\n"
    ".change{font-size:13px;font-weight:600;margin-top:3px}.change .vs{font-weight:400;"
    "color:var(--muted)}\n"
    ".change.good{color:#15803d}.change.bad{color:#b42318}.change.flat{color:var(--muted)}\n"
    ".spark{flex:none}.spark .line{fill:none;stroke:#64748b;stroke-width:1.6;"
    "stroke-linejoin:round}.spark .pt{fill:#64748b}"
    ".spark .dot{fill:var(--c);stroke:#fff;stroke-width:1}\n"
    ".bullet,.ibar{display:block;overflow:visible}\n"
    ".band-poor{fill:var(--band-poor);background:var(--band-poor)}"
    ".band-ok{fill:var(--band-ok);background:var(--band-ok)}"
    ".band-good{fill:var(--band-good);background:var(--band-good)}\n"
    ".bar{fill:var(--bar)}.mk-min{stroke:#475569;stroke-width:2}"
    ".mk-tgt{stroke:#0f172a;stroke-width:3}.mk-prev polygon{fill:#64748b}\n"
    "i.mk{display:inline-block;vertical-align:middle;margin-right:5px}\n"
    "i.mk-tgt{width:3px;height:14px;background:#0f172a}"
    "i.mk-min{width:2px;height:11px;background:#475569}\n"
    "i.mk-prev{width:0;height:0;border-left:5px solid transparent;"
    "border-right:5px solid transparent;border-top:7px solid #64748b}\n"
    "i.mk-bar{width:16px;height:7px;background:var(--bar)}"
    "i.sw{display:inline-block;width:14px;height:10px;vertical-align:middle;margin-right:4px}\n"
    ".levels{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:2px 16px;font-size:12px;"
    "color:var(--muted)}.levels b{color:var(--ink);font-weight:600}\n"
    ".levels .dir{margin-left:auto}\n"
    ".reason{font-size:13px;background:var(--cbg);border-radius:6px;padding:6px 10px}\n",

    ".breakdown{border-top:1px solid var(--line);padding-top:8px}\n"
    ".breakdown h4{font-size:12px;text-transform:uppercase;letter-spacing:.06em;"
    "color:var(--muted);margin-bottom:4px}.breakdown h4 span{text-transform:none;"
    "letter-spacing:0;font-weight:400}\n"
    ".bars{list-style:none;padding:0;font-size:12.5px}\n"
    ".bars li{display:grid;grid-template-columns:minmax(0,9.5em) minmax(60px,1fr) auto 1.3em;"
    "align-items:center;gap:8px;padding:1px 0}\n"
    ".bars .key{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
    ".bars .num{text-align:right;white-space:nowrap}\n"
    ".bars .sym{color:var(--c);text-align:center;font-weight:700}\n"
    ".bars li:not(.ungraded) .bar{fill:var(--c)}.bars .ungraded .bar{fill:#64748b}\n"
    ".bars .mk-tgt{stroke-width:2}.bars .mk-min{stroke-width:1.5}\n"
    ".more{font-size:12px;color:var(--muted);margin-top:2px}\n"
    ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
    "white-space:nowrap}\n"
    ".figures{margin-top:20px;background:var(--paper);border:1px solid var(--line);"
    "border-radius:8px;padding:14px 22px}\n"
    "table{border-collapse:collapse;width:100%;font-size:12.5px}\n"
    "caption{text-align:left;color:var(--muted);font-size:12px;padding-bottom:6px}\n"
    "th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "thead th{background:#eef1f5;font-weight:600;white-space:nowrap}\n"
    "td.n{text-align:right;white-space:nowrap}\n"
    "tbody th{font-weight:600}tr.item th{font-weight:400;padding-left:22px;color:var(--muted)}\n"
    "tr.item td{color:var(--muted)}\n"
    "td.s{white-space:nowrap}td.s .sym{color:var(--c);font-weight:700;margin-right:4px}\n"
    ".why{display:block;font-weight:400;font-size:11.5px;color:var(--muted)}\n"
    "footer{margin-top:16px;font-size:11.5px;color:var(--muted);text-align:center}\n"
    "@page{size:A4;margin:12mm 11mm 13mm}\n"
    "@media print{body{background:#fff;font-size:9.5pt}.page{max-width:none;padding:0}\n"
    ".masthead,.summary,.figures{border-radius:0;padding:8px 12px}"
    ".summary{margin:8px 0}\n"
    ".cards{grid-template-columns:1fr 1fr;gap:8px}\n"
    ".card{break-inside:avoid;padding:8px 11px;gap:5px}.value{font-size:20px}\n"
    ".figures{break-before:page;border:0;padding:0}thead{display:table-header-group}\n"
    "tr{break-inside:avoid}table{font-size:8pt}th,td{padding:3px 5px}tbody th{width:24%}\n"
    ".o{display:none}footer{margin-top:8px}}\n" /* owners are on the cards; numbers need room */
    "tbody th{width:30%}td.o{font-size:11.5px;color:var(--muted)}\n",
};

static void put_head(const html_doc *d, const char *client)
{
    textbuf *b = d->b;
    char name[NUMFMT_SIZE];
    textbuf_printf(b,
                   "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'\">\n<meta name=\"generator\" content=\"kpiengine\">\n"
                   "<title>%s · ",
                   i18n_code(d->lang), i18n_text(d->lang, I18N_SCORECARD));
    html_text(b, client);
    textbuf_printf(b, " · %s</title>\n<style>\n",
                   numfmt_period(d->lang, d->r->period, name, sizeof name));
    for (size_t i = 0; i < sizeof css / sizeof css[0]; i++)
        textbuf_puts(b, css[i]);
    textbuf_puts(b, "</style>\n</head>\n<body>\n<div class=\"page\">\n");
}

static void meta_row(textbuf *b, const char *label, const char *text, size_t len)
{
    textbuf_printf(b, "<dt>%s</dt><dd>", label);
    html_text_n(b, text, len);
    textbuf_puts(b, "</dd>\n");
}

/* The generation time in the local zone, with its offset from UTC. */
static const char *generated_text(i18n_lang lang, long long generated, char *buf, size_t size)
{
    time_t t = (time_t)generated;
    struct tm tm;
    if (!localtime_r(&t, &tm)) return numfmt_datetime(lang, generated, 0, buf, size);
    long long local =
        (long long)date_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
        tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return numfmt_datetime(lang, local, (int)((local - generated) / 60), buf, size);
}

/*
** "Retail – ABC" names rule set "Retail" for client "ABC" (an en or em dash between
** spaces); *set_len is the length of the rule set's part. NULL: no client named.
*/
static const char *split_client(const char *name, size_t *set_len)
{
    const char *dash = strstr(name, " – ");
    if (!dash) dash = strstr(name, " — ");
    if (!dash || dash == name || dash[5] == '\0') return NULL;
    *set_len = (size_t)(dash - name);
    return dash + 5; /* a space, three bytes of dash, a space */
}

static void put_masthead(const html_doc *d, long long generated)
{
    textbuf *b = d->b;
    const report *r = d->r;
    const char *name = r->ruleset && r->ruleset[0] ? r->ruleset : i18n_text(d->lang, I18N_UNNAMED);
    size_t set_len = strlen(name);
    const char *client = split_client(name, &set_len);
    char period_name[NUMFMT_SIZE], days[NUMFMT_SIZE], when[NUMFMT_SIZE];
    textbuf_printf(b, "<header class=\"masthead\"><div><p class=\"eyebrow\">%s</p><h1>",
                   i18n_text(d->lang, I18N_SCORECARD));
    html_text(b, client ? client : name);
    textbuf_printf(b,
                   "</h1><p class=\"period\"><span class=\"pn\">%s</span> <span "
                   "class=\"pd\">%s</span></p></div>\n<dl class=\"meta\">\n",
                   numfmt_period(d->lang, r->period, period_name, sizeof period_name),
                   numfmt_period_days(d->lang, r->period, days, sizeof days));
    if (client) meta_row(b, i18n_text(d->lang, I18N_CLIENT), client, strlen(client));
    meta_row(b, i18n_text(d->lang, I18N_RULESET), name, set_len);
    if (r->file && r->file[0]) meta_row(b, i18n_text(d->lang, I18N_FILE), r->file, strlen(r->file));
    textbuf_printf(b, "<dt>%s</dt><dd>%s</dd>\n", i18n_text(d->lang, I18N_GENERATED),
                   generated_text(d->lang, generated, when, sizeof when)); /* our own text */
    textbuf_puts(b, "</dl></header>\n");
}

static const kpi_status summary_order[4] = {STATUS_MET_TARGET, STATUS_MET_MINIMUM,
                                            STATUS_BELOW_MINIMUM, STATUS_NO_DATA};

/* A stacked bar of the KPIs per status; its title says the counts in words. */
static void put_mix(const html_doc *d, const size_t count[4])
{
    textbuf *b = d->b;
    textbuf_puts(b, "<svg class=\"mix\" width=\"100%\" height=\"12\" role=\"img\"><title>");
    for (size_t i = 0; i < 4; i++)
        textbuf_printf(b, "%s%zu %s", i ? ", " : "", count[summary_order[i]],
                       i18n_status(d->lang, summary_order[i]));
    textbuf_puts(b, "</title>");
    long at = 0; /* hundredths of a percent, so the parts add up to exactly 100% */
    size_t done = 0;
    for (size_t i = 0; i < 4; i++) {
        size_t n = count[summary_order[i]];
        if (n == 0) continue;
        done += n;
        long end = (long)(10000 * done / d->r->nkpis);
        textbuf_printf(b,
                       "<rect class=\"%s\" x=\"%ld.%02ld%%\" width=\"%ld.%02ld%%\" y=\"0\" "
                       "height=\"12\"></rect>",
                       html_status_class(summary_order[i]), at / 100, at % 100, (end - at) / 100,
                       (end - at) % 100);
        at = end;
    }
    textbuf_puts(b, "</svg>\n");
}

/* How to read the graphics: each mark and band with its word (a span keeps them together). */
static void put_legend(const html_doc *d)
{
    static const struct {
        const char *cls;
        int is_status;
        int key;
    } items[] = {
        {"mk mk-bar", 0, I18N_VALUE},
        {"mk mk-tgt", 0, I18N_TARGET},
        {"mk mk-min", 0, I18N_MINIMUM},
        {"mk mk-prev", 0, I18N_PREVIOUS},
        {"sw band-good", 1, STATUS_MET_TARGET},
        {"sw band-ok", 1, STATUS_MET_MINIMUM},
        {"sw band-poor", 1, STATUS_BELOW_MINIMUM},
    };
    textbuf_puts(d->b, "</ul>\n<p class=\"legend\">");
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        textbuf_printf(d->b, "<span><i class=\"%s\"></i>%s</span>", items[i].cls,
                       items[i].is_status ? i18n_status(d->lang, (kpi_status)items[i].key)
                                          : i18n_text(d->lang, (i18n_key)items[i].key));
    textbuf_puts(d->b, "</p>\n");
}

static void put_summary(const html_doc *d)
{
    textbuf *b = d->b;
    i18n_lang lang = d->lang;
    size_t count[4] = {0, 0, 0, 0};
    char n[32];
    for (size_t i = 0; i < d->r->nkpis; i++)
        count[d->r->kpis[i].status & 3]++;
    textbuf_printf(b,
                   "<section class=\"summary\" aria-labelledby=\"sum\"><h2 id=\"sum\">%s "
                   "<span>· %s</span></h2>\n",
                   i18n_text(lang, I18N_SUMMARY), i18n_kpi_count(lang, d->r->nkpis, n, sizeof n));
    if (d->r->nkpis) put_mix(d, count);
    textbuf_puts(b, "<ul class=\"counts\">\n");
    for (size_t i = 0; i < 4; i++)
        textbuf_printf(b,
                       "<li class=\"%s\"><span class=\"sym\" aria-hidden=\"true\">%s</span>"
                       "<b>%zu</b> %s</li>\n",
                       html_status_class(summary_order[i]), render_status_symbol(summary_order[i]),
                       count[summary_order[i]], i18n_status(lang, summary_order[i]));
    put_legend(d);
    textbuf_puts(b, "</section>\n");
}

/* A number cell of the table: the value of k in full, or "–". */
static void cell_value(const html_doc *d, const kpi_result *k, int has, double v)
{
    char buf[NUMFMT_SIZE];
    textbuf_puts(d->b, "<td class=\"n\">");
    html_text(d->b, has && isfinite(v)
                        ? numfmt_value(d->lang, v, k->unit, d->r->currency, buf, sizeof buf)
                        : NUMFMT_NONE);
    textbuf_puts(d->b, "</td>");
}

static void cell_status(const html_doc *d, int graded, kpi_status s)
{
    if (!graded) {
        textbuf_puts(d->b, "<td></td>");
        return;
    }
    textbuf_printf(d->b,
                   "<td class=\"s %s\"><span class=\"sym\" aria-hidden=\"true\">%s</span>%s</td>",
                   html_status_class(s), render_status_symbol(s), i18n_status(d->lang, s));
}

static void table_kpi_row(const html_doc *d, const kpi_result *k)
{
    textbuf *b = d->b;
    char buf[NUMFMT_SIZE];
    textbuf_puts(b, "<tr class=\"kpi\"><th scope=\"row\">");
    html_text(b, k->title && k->title[0] ? k->title : k->id);
    if (!(k->has_value && isfinite(k->value)) && k->reason && k->reason[0]) {
        textbuf_puts(b, "<span class=\"why\">");
        html_text(b, k->reason);
        textbuf_puts(b, "</span>");
    }
    textbuf_puts(b, "</th>");
    cell_value(d, k, k->has_value, k->value);
    cell_value(d, k, 1, k->minimum);
    cell_value(d, k, 1, k->target);
    cell_status(d, 1, k->status);
    cell_value(d, k, k->has_previous, k->previous);
    textbuf_printf(b, "<td class=\"n\">%s</td><td class=\"o\">",
                   k->has_change && isfinite(k->change)
                       ? numfmt_change(d->lang, k->change, buf, sizeof buf)
                       : NUMFMT_NONE);
    html_text(b, k->owner);
    textbuf_puts(b, "</td></tr>\n");
}

static void table_item_row(const html_doc *d, const kpi_result *k, const breakdown_item *it)
{
    /* a no-break space keeps the arrow with the key when the column is narrow */
    textbuf_puts(d->b,
                 "<tr class=\"item\"><th scope=\"row\"><span aria-hidden=\"true\">↳&nbsp;</span>");
    html_text(d->b, it->key);
    textbuf_puts(d->b, "</th>");
    cell_value(d, k, it->has_value, it->value);
    textbuf_puts(d->b, "<td></td><td></td>");
    cell_status(d, it->graded, it->status);
    textbuf_puts(d->b, "<td></td><td></td><td></td></tr>\n");
}

static void put_table(const html_doc *d)
{
    static const i18n_key heads[] = {I18N_KPI,    I18N_VALUE,    I18N_MINIMUM, I18N_TARGET,
                                     I18N_STATUS, I18N_PREVIOUS, I18N_CHANGE,  I18N_OWNER};
    textbuf *b = d->b;
    char days[NUMFMT_SIZE];
    textbuf_printf(b,
                   "<section class=\"figures\" aria-labelledby=\"fig\"><h2 id=\"fig\">%s</h2>\n"
                   "<table>\n<caption>%s</caption>\n<thead><tr>",
                   i18n_text(d->lang, I18N_ALL_FIGURES),
                   numfmt_period_days(d->lang, d->r->period, days, sizeof days));
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        textbuf_printf(b, "<th scope=\"col\"%s>%s</th>",
                       heads[i] == I18N_OWNER ? " class=\"o\"" : "", i18n_text(d->lang, heads[i]));
    textbuf_puts(b, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < d->r->nkpis; i++) {
        const kpi_result *k = &d->r->kpis[i];
        table_kpi_row(d, k);
        for (size_t j = 0; j < k->nitems; j++)
            table_item_row(d, k, &k->items[j]);
    }
    textbuf_puts(b, "</tbody>\n</table>\n</section>\n");
}

char *render_html_at(const report *r, const render_options *o, long long generated, size_t *len)
{
    textbuf b;
    textbuf_init(&b);
    html_doc d = {&b, r, i18n_pick(o ? o->lang : NULL, r->locale)};
    const char *name = r->ruleset && r->ruleset[0] ? r->ruleset : i18n_text(d.lang, I18N_UNNAMED);
    size_t set_len;
    const char *client = split_client(name, &set_len);
    put_head(&d, client ? client : name);
    put_masthead(&d, generated);
    textbuf_puts(&b, "<main>\n");
    put_summary(&d);
    if (r->nkpis == 0) textbuf_printf(&b, "<p>%s</p>\n", i18n_text(d.lang, I18N_NO_KPIS));
    textbuf_printf(&b, "<section class=\"cards\" aria-label=\"%s\">\n",
                   i18n_text(d.lang, I18N_KPI));
    for (size_t i = 0; i < r->nkpis; i++)
        html_card(&d, &r->kpis[i], i + 1);
    textbuf_puts(&b, "</section>\n");
    if (r->nkpis) put_table(&d);
    textbuf_puts(&b, "</main>\n<footer>kpiengine");
#ifdef KPI_VERSION
    textbuf_puts(&b, " " KPI_VERSION);
#endif
    textbuf_puts(&b, "</footer>\n</div>\n</body>\n</html>\n");
    return textbuf_finish(&b, len);
}

/* $SOURCE_DATE_EPOCH when it holds a number of seconds (reproducible builds), else now. */
static long long generation_time(void)
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && epoch[0]) {
        char *end;
        errno = 0;
        long long t = strtoll(epoch, &end, 10);
        if (errno == 0 && *end == '\0' && t >= 0) return t;
    }
    return (long long)time(NULL);
}

char *render_html(const report *r, const render_options *o, size_t *len)
{
    return render_html_at(r, o, generation_time(), len);
}
