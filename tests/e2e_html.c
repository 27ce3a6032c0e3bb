/*
** e2e_html.c -- end to end: `kpiengine run --format html` on the retail and B2B
** sample rule sets, opened in headless Chromium (the Debian package `chromium`,
** installed by scripts/bootstrap --test) and driven over the DevTools protocol on a
** pipe (--remote-debugging-pipe: no port, no network).
**
** In the browser the page must load with no console message, no script error and
** no error logged (a blocked load, a Content-Security-Policy violation), and make no
** request but the one for the file itself. The DOM is checked (language, one card
** per KPI of the rule set, a <title> in every graphic, the table of all figures)
** and the page must not be wider than the window. A full-page PNG screenshot and an
** A4 PDF are saved as artifacts beside this test in the build tree
** (<build>/tests/artifacts/), and the PDF must be A4 with at least one page.
**
** Expected counts come from the rule-set files themselves (their `kpi "..."` lines),
** not from the engine. The text of each report is also checked for anything that
** points outside the file: no URL, no "//", no src/href, no script, no xmlns.
**
** Without chromium the test fails and says how to install it: a report nobody has
** seen load in a browser is not tested.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define ENGINE    KPI_BINARY_DIR "/kpiengine"
#define ARTIFACTS KPI_BINARY_DIR "/tests/artifacts"
#define WIDTH     1280
#define TIMEOUT_S 60

/* ---- small helpers ----------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static void write_all(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot write %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Occurrences of needle in text. */
static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0, step = strlen(needle);
    for (const char *p = strstr(text, needle); p; p = strstr(p + step, needle))
        n++;
    return n;
}

/* The number of KPIs a rule set defines: its lines that start with `kpi "`. */
static size_t kpis_defined(const char *ruleset)
{
    char *text = read_all(ruleset, NULL);
    assert_non_null(text);
    size_t n = strncmp(text, "kpi \"", 5) == 0;
    n += count_of(text, "\nkpi \"");
    free(text);
    return n;
}

/* The path of the chromium executable, or NULL. */
static const char *find_chromium(void)
{
    static char path[4096];
    static const char *const names[] = {"chromium", "chromium-browser"};
    const char *env = getenv("PATH");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *dir = env ? env : "/usr/bin:/bin";
        while (*dir) {
            size_t n = strcspn(dir, ":");
            snprintf(path, sizeof path, "%.*s/%s", (int)n, dir, names[i]);
            if (n && access(path, X_OK) == 0) return path;
            dir += n + (dir[n] == ':');
        }
    }
    return NULL;
}

static unsigned char *base64_decode(const char *s, size_t n, size_t *out_len)
{
    unsigned char *out = malloc(n / 4 * 3 + 3);
    assert_non_null(out);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *at = strchr(alphabet, s[i]);
        if (!at || !s[i]) continue; /* the protocol escapes '/' as "\/": skip the '\' */
        acc = acc << 6 | (unsigned)(at - alphabet);
        if ((bits += 6) >= 8) out[o++] = (unsigned char)(acc >> (bits -= 8));
    }
    *out_len = o;
    return out;
}

/* ---- the DevTools protocol over a pipe ----------------------------------------- */

typedef struct browser {
    pid_t pid;
    int to, from; /* our ends: we write commands to fd 3 of chromium, read fd 4 */
    char *buf;    /* bytes read, not yet taken as messages */
    size_t len, cap;
    int next_id;
    char session[128];
    const char *page_url;
    char problems[8192]; /* what went wrong in the page, one per line */
    int loaded;
    char profile[512];
} browser;

static void problem(browser *br, const char *what, const char *msg)
{
    size_t n = strlen(br->problems);
    snprintf(br->problems + n, sizeof br->problems - n, "%s: %.300s\n", what, msg);
}

/* The string value of "key": in msg (first occurrence after from), unescaped lightly. */
static void json_get(const char *msg, const char *key, char *out, size_t size)
{
    char pattern[96];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *p = strstr(msg, pattern);
    out[0] = '\0';
    if (!p) return;
    p += strlen(pattern);
    size_t o = 0;
    for (; *p && *p != '"' && o + 1 < size; p++) {
        if (*p == '\\' && p[1]) p++;
        out[o++] = *p;
    }
    out[o] = '\0';
}

static void start_browser(browser *br, const char *chromium, const char *name)
{
    int cmd[2], res[2];
    assert_int_equal(pipe(cmd), 0);
    assert_int_equal(pipe(res), 0);
    snprintf(br->profile, sizeof br->profile, "%s/chromium-%s", tu_tmpdir(), name);
    char profile_opt[600], log[600];
    snprintf(profile_opt, sizeof profile_opt, "--user-data-dir=%s", br->profile);
    snprintf(log, sizeof log, "%s/chromium.log", tu_tmpdir());
    br->pid = fork();
    assert_true(br->pid >= 0);
    if (br->pid == 0) {
        /* move both ends above 4 first, so dup2 onto 3 and 4 cannot clobber either */
        int in = fcntl(cmd[0], F_DUPFD, 10), out = fcntl(res[1], F_DUPFD, 10);
        int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || logfd < 0) _exit(127);
        dup2(logfd, 1), dup2(logfd, 2), dup2(in, 3), dup2(out, 4);
        execl(chromium, chromium, "--headless", "--no-sandbox", "--disable-gpu",
              "--remote-debugging-pipe", profile_opt, "--no-first-run",
              "--no-default-browser-check", "--disable-extensions",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-default-apps", "--hide-scrollbars", "--mute-audio", "about:blank",
              (char *)NULL);
        _exit(127);
    }
    close(cmd[0]), close(res[1]);
    br->to = cmd[1], br->from = res[0];
    signal(SIGPIPE, SIG_IGN);
}

static void send_raw(browser *br, const char *json)
{
    size_t n = strlen(json) + 1; /* messages end with a NUL byte */
    for (size_t at = 0; at < n;) {
        ssize_t w = write(br->to, json + at, n - at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            fail_msg("chromium closed its DevTools pipe (see %s/chromium.log)", tu_tmpdir());
        at += (size_t)w;
    }
}

/* The next message (malloc'd), waiting until the deadline; fails the test on timeout. */
static char *next_message(browser *br, time_t deadline)
{
    for (;;) {
        char *nul = br->len ? memchr(br->buf, '\0', br->len) : NULL;
        if (nul) {
            size_t n = (size_t)(nul - br->buf) + 1;
            char *msg = malloc(n);
            assert_non_null(msg);
            memcpy(msg, br->buf, n);
            memmove(br->buf, br->buf + n, br->len - n);
            br->len -= n;
            return msg;
        }
        int left = (int)(deadline - time(NULL));
        if (left <= 0) fail_msg("chromium did not answer within %d s", TIMEOUT_S);
        struct pollfd pfd = {br->from, POLLIN, 0};
        if (poll(&pfd, 1, 1000) <= 0) continue;
        if (br->cap - br->len < 65536) {
            br->cap = br->cap ? br->cap * 2 : 1 << 20;
            br->buf = realloc(br->buf, br->cap);
            assert_non_null(br->buf);
        }
        ssize_t got = read(br->from, br->buf + br->len, br->cap - br->len);
        if (got == 0) fail_msg("chromium exited (see %s/chromium.log)", tu_tmpdir());
        if (got > 0) br->len += (size_t)got;
    }
}

/* Take note of an event of the page: a load, or anything that must not happen. */
static void on_event(browser *br, const char *msg)
{
    char method[96], text[512];
    json_get(msg, "method", method, sizeof method);
    if (strcmp(method, "Page.loadEventFired") == 0) {
        br->loaded = 1;
    } else if (strcmp(method, "Runtime.consoleAPICalled") == 0) {
        json_get(msg, "value", text, sizeof text);
        problem(br, "console message", text);
    } else if (strcmp(method, "Runtime.exceptionThrown") == 0) {
        json_get(msg, "text", text, sizeof text);
        problem(br, "script error", text);
    } else if (strcmp(method, "Log.entryAdded") == 0 && strstr(msg, "\"level\":\"error\"")) {
        json_get(msg, "text", text, sizeof text);
        problem(br, "console error", text);
    } else if (strcmp(method, "Network.requestWillBeSent") == 0) {
        const char *request = strstr(msg, "\"request\":");
        json_get(request ? request : msg, "url", text, sizeof text);
        if (strcmp(text, br->page_url) != 0) problem(br, "request leaving the file", text);
    } else if (strcmp(method, "Network.loadingFailed") == 0) {
        json_get(msg, "errorText", text, sizeof text);
        problem(br, "failed load", text);
    }
}

/*
** Send a command (to the page's session when there is one) and return its answer
** (malloc'd), handling the events that come before it. Fails on an error answer.
*/
static char *call(browser *br, const char *method, const char *params)
{
    size_t size = strlen(params) + 512;
    char *cmd = malloc(size), prefix[64];
    assert_non_null(cmd);
    int id = ++br->next_id;
    if (br->session[0])
        snprintf(cmd, size, "{\"id\":%d,\"sessionId\":\"%s\",\"method\":\"%s\",\"params\":%s}", id,
                 br->session, method, params);
    else
        snprintf(cmd, size, "{\"id\":%d,\"method\":\"%s\",\"params\":%s}", id, method, params);
    send_raw(br, cmd);
    free(cmd);
    snprintf(prefix, sizeof prefix, "{\"id\":%d,", id);
    time_t deadline = time(NULL) + TIMEOUT_S;
    for (;;) {
        char *msg = next_message(br, deadline);
        if (strncmp(msg, prefix, strlen(prefix)) == 0) {
            if (strncmp(msg + strlen(prefix), "\"error\"", 7) == 0)
                fail_msg("DevTools %s failed: %.400s", method, msg);
            return msg;
        }
        on_event(br, msg);
        free(msg);
    }
}

static void call_quiet(browser *br, const char *method, const char *params)
{
    free(call(br, method, params));
}

/* Events until the page's load event, then half a second more for late errors. */
static void wait_for_load(browser *br)
{
    time_t deadline = time(NULL) + TIMEOUT_S;
    while (!br->loaded) {
        char *msg = next_message(br, deadline);
        on_event(br, msg);
        free(msg);
    }
    struct timespec settle = {0, 500000000};
    nanosleep(&settle, NULL);
    call_quiet(br, "Runtime.evaluate", "{\"expression\":\"1\"}"); /* drains what came */
}

static void stop_browser(browser *br)
{
    br->session[0] = '\0';
    if (br->pid > 0) {
        static const char close_cmd[] =
            "{\"id\":999999,\"method\":\"Browser.close\",\"params\":{}}";
        if (write(br->to, close_cmd, sizeof close_cmd) < 0) { /* gone already: waitpid below */
        }
        for (int i = 0; i < 100; i++) {
            if (waitpid(br->pid, NULL, WNOHANG) == br->pid) {
                br->pid = 0;
                break;
            }
            struct timespec tick = {0, 100000000};
            nanosleep(&tick, NULL);
        }
        if (br->pid > 0) kill(br->pid, SIGKILL), waitpid(br->pid, NULL, 0);
        br->pid = 0;
    }
    close(br->to), close(br->from);
    free(br->buf);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", br->profile);
    tu_run(cmd, NULL, NULL);
}

/* ---- one report in the browser ------------------------------------------------- */

/* Decode the base64 "data" of a DevTools answer into path; returns the bytes (malloc'd). */
static unsigned char *save_data(const char *answer, const char *path, size_t *len)
{
    const char *data = strstr(answer, "\"data\":\"");
    assert_non_null(data);
    data += 8;
    size_t n = strcspn(data, "\"");
    unsigned char *bytes = base64_decode(data, n, len);
    write_all(path, bytes, *len);
    return bytes;
}

static void screenshot(browser *br, const char *name)
{
    char *metrics = call(br, "Page.getLayoutMetrics", "{}");
    const char *content = strstr(metrics, "\"cssContentSize\":");
    assert_non_null(content);
    const char *h = strstr(content, "\"height\":");
    assert_non_null(h);
    long height = strtol(h + 9, NULL, 10);
    free(metrics);
    assert_true(height > 0);
    char params[256], path[512];
    snprintf(params, sizeof params,
             "{\"format\":\"png\",\"captureBeyondViewport\":true,\"clip\":{\"x\":0,\"y\":0,"
             "\"width\":%d,\"height\":%ld,\"scale\":1}}",
             WIDTH, height);
    char *answer = call(br, "Page.captureScreenshot", params);
    snprintf(path, sizeof path, "%s/report-%s.png", ARTIFACTS, name);
    size_t len;
    unsigned char *png = save_data(answer, path, &len);
    assert_true(len > 100);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    free(png);
    free(answer);
    printf("# screenshot: %s (%d x %ld)\n", path, WIDTH, height);
}

static void print_a4(browser *br, const char *name)
{
    char path[512];
    char *answer = call(br, "Page.printToPDF",
                        "{\"paperWidth\":8.27,\"paperHeight\":11.69,\"printBackground\":true,"
                        "\"preferCSSPageSize\":true}");
    snprintf(path, sizeof path, "%s/report-%s.pdf", ARTIFACTS, name);
    size_t len;
    unsigned char *pdf = save_data(answer, path, &len);
    free(answer);
    char *text = malloc(len + 1), *end;
    assert_non_null(text);
    for (size_t i = 0; i < len; i++) /* NULs of binary streams would stop strstr */
        text[i] = pdf[i] ? (char)pdf[i] : ' ';
    text[len] = '\0';
    assert_memory_equal(text, "%PDF", 4);
    size_t pages = count_of(text, "/Type /Page") - count_of(text, "/Type /Pages");
    assert_true(pages >= 1);
    /* A4 is 595.28 x 841.89 points; Chromium rounds it to whole device pixels */
    const char *box = strstr(text, "/MediaBox [0 0 ");
    assert_non_null(box);
    double w = strtod(box + strlen("/MediaBox [0 0 "), &end), h = strtod(end, NULL);
    if (fabs(w - 595.28) > 2 || fabs(h - 841.89) > 2) fail_msg("not A4: %g x %g points", w, h);
    printf("# A4 print: %s (%zu pages)\n", path, pages);
    free(text);
    free(pdf);
}

/* The DOM checks, as one line the page's own DOM writes: "lang=vi cards=22 ...". */
static void check_dom(browser *br, const char *lang, size_t kpis)
{
    char *answer = call(
        br, "Runtime.evaluate",
        "{\"returnByValue\":true,\"expression\":\"(function(){var d=document;"
        "var untitled=0;d.querySelectorAll('svg[role=img]').forEach(function(s){"
        "if(!s.querySelector('title'))untitled++;});"
        "return 'lang='+d.documentElement.lang+' cards='+d.querySelectorAll('article.card').length+"
        "' rows='+d.querySelectorAll('table tbody tr.kpi').length+"
        "' graphics='+d.querySelectorAll('svg[role=img]').length+' untitled='+untitled+"
        "' scripts='+d.scripts.length+' wide='+(d.documentElement.scrollWidth>innerWidth?1:0);"
        "})()\"}");
    char value[256], expected_lang[16];
    json_get(answer, "value", value, sizeof value);
    free(answer);
    printf("# DOM: %s\n", value);
    unsigned cards, rows, graphics, untitled, scripts, wide;
    assert_int_equal(sscanf(value,
                            "lang=%15s cards=%u rows=%u graphics=%u untitled=%u scripts=%u "
                            "wide=%u",
                            expected_lang, &cards, &rows, &graphics, &untitled, &scripts, &wide),
                     7);
    assert_string_equal(expected_lang, lang);
    assert_int_equal(cards, kpis);
    assert_int_equal(rows, kpis);
    assert_true(graphics >= kpis + 1); /* a bullet graph per KPI and the summary bar */
    assert_int_equal(untitled, 0);
    assert_int_equal(scripts, 0);
    assert_int_equal(wide, 0);
}

/* The browser of the running test; the teardown stops it when a check failed half-way. */
static browser the_browser;

static int stop_if_running(void **state)
{
    (void)state;
    if (the_browser.pid > 0) stop_browser(&the_browser);
    memset(&the_browser, 0, sizeof the_browser);
    return 0;
}

static void open_in_browser(const char *html_path, const char *name, const char *lang, size_t kpis)
{
    const char *chromium = find_chromium();
    if (!chromium)
        fail_msg("chromium is not installed: the HTML report test needs it (Debian package "
                 "`chromium`; scripts/bootstrap --test installs it)");
    mkdir(ARTIFACTS, 0755);
    static char url[1024];
    char params[1200], id[128];
    snprintf(url, sizeof url, "file://%s", html_path);
    browser *br = &the_browser;
    memset(br, 0, sizeof *br);
    br->page_url = url;
    start_browser(br, chromium, name);
    char *answer = call(br, "Target.createTarget", "{\"url\":\"about:blank\"}");
    json_get(answer, "targetId", id, sizeof id);
    free(answer);
    snprintf(params, sizeof params, "{\"targetId\":\"%s\",\"flatten\":true}", id);
    answer = call(br, "Target.attachToTarget", params);
    json_get(answer, "sessionId", br->session, sizeof br->session);
    free(answer);
    assert_true(br->session[0] != '\0');
    call_quiet(br, "Runtime.enable", "{}");
    call_quiet(br, "Log.enable", "{}");
    call_quiet(br, "Network.enable", "{}");
    call_quiet(br, "Page.enable", "{}");
    snprintf(params, sizeof params,
             "{\"width\":%d,\"height\":900,\"deviceScaleFactor\":1,\"mobile\":false}", WIDTH);
    call_quiet(br, "Emulation.setDeviceMetricsOverride", params);
    snprintf(params, sizeof params, "{\"url\":\"%s\"}", url);
    call_quiet(br, "Page.navigate", params);
    wait_for_load(br);
    screenshot(br, name); /* first: the artifacts help most when a check below fails */
    print_a4(br, name);
    if (br->problems[0]) fail_msg("%s in the browser:\n%s", html_path, br->problems);
    check_dom(br, lang, kpis);
    stop_browser(br);
}

/* ---- running the engine ----------------------------------------------------------- */

/* Render ruleset as format into tmpdir/name; returns the path (static, rotated). */
static const char *render(const char *ruleset, const char *format, const char *extra,
                          const char *name)
{
    static char paths[4][1024];
    static int turn;
    char *path = paths[turn++ % 4];
    char cmd[3072], *err = NULL;
    snprintf(path, 1024, "%s/%s", tu_tmpdir(), name);
    /* --no-save: a test must not write a results store beside the committed rule sets */
    snprintf(cmd, sizeof cmd, "%s run '%s' --no-save --format %s %s -o '%s'", ENGINE, ruleset,
             format, extra, path);
    int rc = tu_run(cmd, NULL, &err);
    if (rc != 0) fail_msg("%s -> exit %d: %s", cmd, rc, err ? err : "");
    tu_free(err);
    return path;
}

/* Nothing in the page may point outside it. */
static void assert_self_contained(const char *html)
{
    static const char *const banned[] = {
        "http://", "https://", "//",    "src=",    "href=",   "url(",   "@import",
        "<script", "xmlns",    "<link", "<iframe", "<object", "<embed", "<img"};
    for (size_t i = 0; i < sizeof banned / sizeof banned[0]; i++) {
        const char *at = strstr(html, banned[i]);
        if (at)
            fail_msg("the HTML report holds \"%s\": ...%.60s...", banned[i],
                     at - html > 30 ? at - 30 : html);
    }
}

static void check_report(const char *rules_name, const char *lang, const char *currency_text)
{
    char ruleset[512], html_name[64];
    snprintf(ruleset, sizeof ruleset, "%s/kpis/%s.lua", KPI_SOURCE_DIR, rules_name);
    snprintf(html_name, sizeof html_name, "%s.html", rules_name);
    const char *path = render(ruleset, "html", "", html_name);
    char *html = read_all(path, NULL);
    assert_non_null(html);
    char lang_attr[32];
    snprintf(lang_attr, sizeof lang_attr, "<html lang=\"%s\">", lang);
    assert_non_null(strstr(html, lang_attr));
    assert_non_null(strstr(html, currency_text));
    assert_self_contained(html);
    size_t kpis = kpis_defined(ruleset);
    assert_int_equal(count_of(html, "<article class=\"card "), kpis);
    free(html);
    open_in_browser(path, rules_name, lang, kpis);
}

static void test_retail_html_loads_clean_in_chromium(void **state)
{
    (void)state;
    check_report("retail", "vi", " ₫"); /* locale = "vi": Vietnamese labels, dong sign */
}

static void test_b2b_html_loads_clean_in_chromium(void **state)
{
    (void)state;
    check_report("b2b", "en", " VND"); /* locale = "en": international format */
}

static void test_lang_option_overrides_the_rule_set_locale(void **state)
{
    (void)state;
    const char *path =
        render(KPI_SOURCE_DIR "/kpis/retail.lua", "html", "--lang en", "retail-en.html");
    char *html = read_all(path, NULL);
    assert_non_null(html);
    assert_non_null(strstr(html, "<html lang=\"en\">"));
    assert_non_null(strstr(html, "KPI scorecard"));
    assert_null(strstr(html, "₫"));
    free(html);
}

/* Every CSV record of the retail report has the 19 documented columns; one kpi row per KPI. */
static void test_csv_has_a_kpi_row_per_rule_set_kpi(void **state)
{
    (void)state;
    const char *ruleset = KPI_SOURCE_DIR "/kpis/retail.lua";
    char *csv = read_all(render(ruleset, "csv", "", "retail.csv"), NULL);
    assert_non_null(csv);
    const char *header = "row,ruleset,period,start,end,kpi,title,item,unit,better,value,minimum,"
                         "target,status,previous,change,owner,review,reason\r\n";
    assert_memory_equal(csv, header, strlen(header));
    size_t kpi_rows = 0, fields = 1, records = 0;
    int quoted = 0;
    for (const char *p = csv + strlen(header); *p; p++) {
        if (*p == '"') quoted = !quoted;
        if (quoted) continue;
        if (*p == ',') fields++;
        if (*p == '\n') {
            assert_int_equal(fields, 19);
            fields = 1, records++;
        }
        if ((p == csv + strlen(header) || p[-1] == '\n') && strncmp(p, "kpi,", 4) == 0) kpi_rows++;
    }
    assert_true(records > kpi_rows);
    assert_int_equal(kpi_rows, kpis_defined(ruleset));
    free(csv);
}

static void test_md_has_a_table_row_per_rule_set_kpi(void **state)
{
    (void)state;
    const char *ruleset = KPI_SOURCE_DIR "/kpis/b2b.lua";
    char *md = read_all(render(ruleset, "md", "", "b2b.md"), NULL);
    assert_non_null(md);
    assert_non_null(
        strstr(md, "| KPI | Value | Minimum | Target | Status | Previous | Change |\n"));
    size_t rows = count_of(md, "\n| ") - 1 - count_of(md, "\n| ↳ "); /* less the heading row */
    assert_int_equal(rows, kpis_defined(ruleset));
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_retail_html_loads_clean_in_chromium, stop_if_running),
        cmocka_unit_test_teardown(test_b2b_html_loads_clean_in_chromium, stop_if_running),
        cmocka_unit_test(test_lang_option_overrides_the_rule_set_locale),
        cmocka_unit_test(test_csv_has_a_kpi_row_per_rule_set_kpi),
        cmocka_unit_test(test_md_has_a_table_row_per_rule_set_kpi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
