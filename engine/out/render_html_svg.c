/*
** render_html_svg.c -- the graphics of the HTML report and its text escaping; see
** render_html_impl.h.
**
** Graphics are inline <svg> (HTML5 needs no xmlns, so the file names no URL at all).
** Horizontal positions are percentages of the drawing's width, so a bullet graph
** or a bar fills its card at any screen or paper width without a viewBox that
** would stretch its marks. Every coordinate is written from integers (hundredths
** of a percent, tenths of a pixel): no printf %f, so no locale can change them.
** Each graphic has role="img" and a <title> saying in words what it draws; the
** report's table of all figures is the full text alternative.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kpi_alloc.h"
#include "out/numfmt.h"
#include "out/render.h"
#include "out/render_html_impl.h"

/* The replacement for what HTML cannot carry as is; NULL: copy the character. */
static const char *html_escape_of(unsigned long cp)
{
    switch (cp) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    case '/':
        return "&#47;";
    case '\t':
    case '\n':
    case '\r':
        return " ";
    default:
        break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return ""; /* controls: not allowed in HTML */
    return NULL;
}

void html_text(textbuf *b, const char *s)
{
    if (s) html_text_n(b, s, strlen(s));
}

void html_text_n(textbuf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* run: bytes to copy as they are, not yet copied */
    while (i < len) {
        unsigned long cp = 0;
        size_t n = i18n_utf8_length(p + i, len - i, &cp);
        const char *rep = n == 0 ? "\xEF\xBF\xBD" : html_escape_of(cp);
        if (n == 0) n = 1;
        if (rep) {
            textbuf_put(b, s + i - run, run);
            textbuf_puts(b, rep);
            run = 0;
        } else {
            run += n;
        }
        i += n;
    }
    textbuf_put(b, s + i - run, run);
}

const char *html_status_class(kpi_status s)
{
    switch (s) {
    case STATUS_MET_TARGET:
        return "st-met_target";
    case STATUS_MET_MINIMUM:
        return "st-met_minimum";
    case STATUS_BELOW_MINIMUM:
        return "st-below_minimum";
    case STATUS_NO_DATA:
        break;
    }
    return "st-no_data";
}

/* ---- coordinates ----------------------------------------------------------- */

/* A fraction of the width in [0, 1] as a percentage with two decimals: "41.37%". */
static void put_pct(textbuf *b, double f)
{
    if (!(f > 0)) f = 0; /* also NaN */
    if (f > 1) f = 1;
    long hundredths = lround(f * 10000);
    textbuf_printf(b, "%ld.%02ld%%", hundredths / 100, hundredths % 100);
}

/* A length in pixels with one decimal: "12.5". */
static void put_px(textbuf *b, double v)
{
    long tenths = lround(v * 10);
    if (tenths < 0) {
        textbuf_puts(b, "-");
        tenths = -tenths;
    }
    textbuf_printf(b, "%ld.%ld", tenths / 10, tenths % 10);
}

/* The range of values a graphic spans: always includes 0, so bars start at zero. */
typedef struct axis {
    double lo, hi;
} axis;

static void axis_include(axis *a, int has, double v)
{
    if (!has || !isfinite(v)) return;
    if (v < a->lo) a->lo = v;
    if (v > a->hi) a->hi = v;
}

/* Leave `room` of the span free past the largest (and below the smallest) value. */
static void axis_pad(axis *a, double room)
{
    double span = a->hi - a->lo;
    if (span <= 0) {
        a->hi = a->lo + 1;
        return;
    }
    if (a->hi > 0) a->hi += span * room;
    if (a->lo < 0) a->lo -= span * room;
}

static double axis_frac(const axis *a, double v)
{
    double f = (v - a->lo) / (a->hi - a->lo);
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

/* A value of k in words, for titles: "515.355.383 ₫". */
static const char *value_text(const html_doc *d, const kpi_result *k, double v, char *buf)
{
    return numfmt_value(d->lang, v, k->unit, d->r->currency, buf, NUMFMT_SIZE);
}

static void put_rect(textbuf *b, const char *cls, double x0, double x1, int y, int h)
{
    textbuf_printf(b, "<rect class=\"%s\" x=\"", cls);
    put_pct(b, x0);
    textbuf_puts(b, "\" width=\"");
    put_pct(b, x1 - x0);
    textbuf_printf(b, "\" y=\"%d\" height=\"%d\"></rect>", y, h);
}

static void put_vline(textbuf *b, const char *cls, double x, int y1, int y2)
{
    textbuf_printf(b, "<line class=\"%s\" x1=\"", cls);
    put_pct(b, x);
    textbuf_puts(b, "\" x2=\"");
    put_pct(b, x);
    textbuf_printf(b, "\" y1=\"%d\" y2=\"%d\"></line>", y1, y2);
}

/* ---- bullet graph ---------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The qualitative bands: each stretch between levels tinted by the grade it gives. */
static void bullet_bands(textbuf *b, const kpi_result *k, const axis *a)
{
    double cut[4];
    size_t n = 0;
    cut[n++] = a->lo;
    if (isfinite(k->minimum) && k->minimum > a->lo && k->minimum < a->hi) cut[n++] = k->minimum;
    if (isfinite(k->target) && k->target > a->lo && k->target < a->hi) cut[n++] = k->target;
    cut[n++] = a->hi;
    qsort(cut, n, sizeof *cut, compare_doubles);
    for (size_t i = 0; i + 1 < n; i++) {
        if (!(cut[i + 1] > cut[i])) continue;
        double mid = cut[i] + (cut[i + 1] - cut[i]) / 2;
        kpi_status s = status_grade(k->better, k->minimum, k->target, 1, mid);
        const char *cls = s == STATUS_MET_TARGET    ? "band band-good"
                          : s == STATUS_MET_MINIMUM ? "band band-ok"
                                                    : "band band-poor";
        put_rect(b, cls, axis_frac(a, cut[i]), axis_frac(a, cut[i + 1]), 8, 20);
    }
}

/* "; Minimum 350.000.000 ₫": a level in a title, when it is set. */
static void title_level(const html_doc *d, const kpi_result *k, i18n_key label, int has, double v)
{
    char buf[NUMFMT_SIZE];
    if (!has || !isfinite(v)) return;
    textbuf_printf(d->b, "; %s ", i18n_text(d->lang, label));
    html_text(d->b, value_text(d, k, v, buf));
}

static void bullet_title(const html_doc *d, const kpi_result *k)
{
    char buf[NUMFMT_SIZE];
    textbuf *b = d->b;
    textbuf_puts(b, "<title>");
    html_text(b, k->title && k->title[0] ? k->title : k->id);
    textbuf_puts(b, ": ");
    html_text(b, k->has_value && isfinite(k->value) ? value_text(d, k, k->value, buf)
                                                    : i18n_status(d->lang, STATUS_NO_DATA));
    title_level(d, k, I18N_MINIMUM, 1, k->minimum);
    title_level(d, k, I18N_TARGET, 1, k->target);
    title_level(d, k, I18N_PREVIOUS, k->has_previous, k->previous);
    textbuf_puts(b, "</title>");
}

void html_bullet(const html_doc *d, const kpi_result *k)
{
    textbuf *b = d->b;
    axis a = {0, 0};
    int has_value = k->has_value && isfinite(k->value);
    int has_previous = k->has_previous && isfinite(k->previous);
    axis_include(&a, has_value, k->value);
    axis_include(&a, 1, k->minimum);
    axis_include(&a, 1, k->target);
    axis_include(&a, has_previous, k->previous);
    axis_pad(&a, 0.12);
    textbuf_puts(b, "<svg class=\"bullet\" width=\"100%\" height=\"34\" role=\"img\">");
    bullet_title(d, k);
    bullet_bands(b, k, &a);
    if (has_value) {
        double zero = axis_frac(&a, 0), v = axis_frac(&a, k->value);
        put_rect(b, "bar", v < zero ? v : zero, v < zero ? zero : v, 14, 8);
    }
    if (isfinite(k->minimum)) put_vline(b, "mk-min", axis_frac(&a, k->minimum), 9, 27);
    if (isfinite(k->target)) put_vline(b, "mk-tgt", axis_frac(&a, k->target), 3, 33);
    if (has_previous) {
        /* a nested svg places the marker by percentage; the triangle is in pixels */
        textbuf_puts(b, "<svg class=\"mk-prev\" x=\"");
        put_pct(b, axis_frac(&a, k->previous));
        textbuf_puts(b, "\" y=\"0\" width=\"1\" height=\"1\" overflow=\"visible\">"
                        "<polygon points=\"-5,0 5,0 0,7\"></polygon></svg>");
    }
    textbuf_puts(b, "</svg>\n");
}

/* ---- sparkline ------------------------------------------------------------- */

#define SPARK_W   132
#define SPARK_H   34
#define SPARK_PAD 4

static void spark_title(const html_doc *d, const kpi_result *k, const double *v, size_t n)
{
    char first[NUMFMT_SIZE], last[NUMFMT_SIZE];
    size_t i = 0;
    while (i < n && !isfinite(v[i]))
        i++;
    textbuf_printf(d->b, "<title>%s (%zu): ", i18n_text(d->lang, I18N_TREND), n);
    html_text(d->b, i < n ? value_text(d, k, v[i], first) : NUMFMT_NONE);
    textbuf_puts(d->b, " → ");
    html_text(d->b, isfinite(v[n - 1]) ? value_text(d, k, v[n - 1], last) : NUMFMT_NONE);
    textbuf_puts(d->b, "</title>");
}

static void spark_point(textbuf *b, double x, double y)
{
    put_px(b, x);
    textbuf_puts(b, ",");
    put_px(b, y);
}

/*
** The runs of known values as polylines (a period without data breaks the line); a
** run of one value, which a line cannot show, as a dot.
*/
static void spark_lines(textbuf *b, const double *v, size_t n, const axis *a)
{
    double step = (double)(SPARK_W - 2 * SPARK_PAD) / (double)(n - 1);
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && isfinite(v[end]))
            end++;
        if (end - i == 1) {
            textbuf_puts(b, "<circle class=\"pt\" cx=\"");
            put_px(b, SPARK_PAD + step * (double)i);
            textbuf_puts(b, "\" cy=\"");
            put_px(b, SPARK_H - SPARK_PAD - axis_frac(a, v[i]) * (SPARK_H - 2 * SPARK_PAD));
            textbuf_puts(b, "\" r=\"1.5\"></circle>");
        } else if (end - i > 1) {
            textbuf_puts(b, "<polyline class=\"line\" points=\"");
            for (size_t j = i; j < end; j++) {
                if (j > i) textbuf_puts(b, " ");
                spark_point(b, SPARK_PAD + step * (double)j,
                            SPARK_H - SPARK_PAD - axis_frac(a, v[j]) * (SPARK_H - 2 * SPARK_PAD));
            }
            textbuf_puts(b, "\"></polyline>");
        }
        i = end < n ? end + 1 : end;
    }
}

void html_sparkline(const html_doc *d, const kpi_result *k)
{
    if (!k->history || k->nhistory == 0) return;
    size_t n = k->nhistory + 1;
    double *v = kpi_malloc(n * sizeof *v);
    if (!v) {
        d->b->failed = 1;
        return;
    }
    memcpy(v, k->history, k->nhistory * sizeof *v);
    v[n - 1] = k->has_value ? k->value : NAN;
    axis a = {INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++)
        axis_include(&a, 1, v[i]);
    if (a.lo > a.hi) a.lo = a.hi = 0;           /* no value at all: a flat line nowhere */
    if (a.hi - a.lo <= 0) a.lo -= 1, a.hi += 1; /* a flat series sits in the middle */
    textbuf_printf(d->b,
                   "<svg class=\"spark\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                   "role=\"img\">",
                   SPARK_W, SPARK_H, SPARK_W, SPARK_H);
    spark_title(d, k, v, n);
    spark_lines(d->b, v, n, &a);
    if (isfinite(v[n - 1])) {
        textbuf_printf(d->b, "<circle class=\"dot %s\" cx=\"", html_status_class(k->status));
        put_px(d->b, SPARK_W - SPARK_PAD);
        textbuf_puts(d->b, "\" cy=\"");
        put_px(d->b, SPARK_H - SPARK_PAD - axis_frac(&a, v[n - 1]) * (SPARK_H - 2 * SPARK_PAD));
        textbuf_puts(d->b, "\" r=\"3\"></circle>");
    }
    textbuf_puts(d->b, "</svg>\n");
    kpi_free(v);
}

/* ---- breakdown bars -------------------------------------------------------- */

/* Largest value first; items without a value last; ties keep the report's order. */
static int compare_items(const void *a, const void *b)
{
    const breakdown_item *x = *(const breakdown_item *const *)a;
    const breakdown_item *y = *(const breakdown_item *const *)b;
    int hx = x->has_value && isfinite(x->value), hy = y->has_value && isfinite(y->value);
    if (hx != hy) return hy - hx;
    if (hx && x->value != y->value) return x->value < y->value ? 1 : -1;
    return (x > y) - (x < y);
}

static void bar_row(const html_doc *d, const kpi_result *k, const breakdown_item *it, const axis *a)
{
    textbuf *b = d->b;
    char full[NUMFMT_SIZE], shown[NUMFMT_SIZE];
    int has = it->has_value && isfinite(it->value);
    const char *status = it->graded ? i18n_status(d->lang, it->status) : "";
    value_text(d, k, it->value, full);
    numfmt_value_short(d->lang, it->value, k->unit, d->r->currency, shown, sizeof shown);
    textbuf_printf(b, "<li class=\"%s\"><span class=\"key\" title=\"",
                   it->graded ? html_status_class(it->status) : "ungraded");
    html_text(b, it->key);
    textbuf_puts(b, "\">");
    html_text(b, it->key);
    textbuf_puts(b, "</span><svg class=\"ibar\" width=\"100%\" height=\"16\" role=\"img\"><title>");
    html_text(b, it->key);
    textbuf_puts(b, ": ");
    html_text(b, has ? full : NUMFMT_NONE);
    textbuf_printf(b, "%s%s</title>", status[0] ? " – " : "", status);
    if (has) {
        double zero = axis_frac(a, 0), v = axis_frac(a, it->value);
        put_rect(b, "bar", v < zero ? v : zero, v < zero ? zero : v, 3, 10);
    }
    if (it->graded && isfinite(k->minimum)) put_vline(b, "mk-min", axis_frac(a, k->minimum), 0, 16);
    if (it->graded && isfinite(k->target)) put_vline(b, "mk-tgt", axis_frac(a, k->target), 0, 16);
    textbuf_puts(b, "</svg><span class=\"num\">");
    html_text(b, has ? shown : NUMFMT_NONE);
    textbuf_puts(b, "</span><span class=\"sym\">");
    if (it->graded)
        textbuf_printf(b, "<span aria-hidden=\"true\">%s</span><span class=\"vh\"> %s</span>",
                       render_status_symbol(it->status), status);
    textbuf_puts(b, "</span></li>\n");
}

void html_breakdown(const html_doc *d, const kpi_result *k, size_t shown)
{
    if (k->nitems == 0) return;
    const breakdown_item **sorted = kpi_malloc(k->nitems * sizeof *sorted);
    if (!sorted) {
        d->b->failed = 1;
        return;
    }
    axis a = {0, 0};
    int graded = 0;
    for (size_t i = 0; i < k->nitems; i++) {
        sorted[i] = &k->items[i];
        axis_include(&a, k->items[i].has_value, k->items[i].value);
        graded |= k->items[i].graded;
    }
    if (graded) axis_include(&a, 1, k->minimum), axis_include(&a, 1, k->target);
    axis_pad(&a, 0.04);
    qsort(sorted, k->nitems, sizeof *sorted, compare_items);
    textbuf_printf(d->b, "<div class=\"breakdown\"><h4>%s", i18n_text(d->lang, I18N_BREAKDOWN));
    if (!graded) textbuf_printf(d->b, " <span>(%s)</span>", i18n_text(d->lang, I18N_NOT_GRADED));
    textbuf_puts(d->b, "</h4>\n<ol class=\"bars\">\n");
    size_t n = k->nitems < shown ? k->nitems : shown;
    for (size_t i = 0; i < n; i++)
        bar_row(d, k, sorted[i], &a);
    textbuf_puts(d->b, "</ol>\n");
    if (k->nitems > n)
        textbuf_printf(d->b, "<p class=\"more\">+ %zu %s</p>\n", k->nitems - n,
                       i18n_text(d->lang, I18N_MORE_ITEMS));
    textbuf_puts(d->b, "</div>\n");
    kpi_free(sorted);
}
