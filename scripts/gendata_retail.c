/*
** gendata_retail.c -- kpigen retail: an online shop's two years of data, in the files a
** shop exports: orders.csv, spend.csv, leads.csv, sessions.csv, campaigns.csv and a
** survey database csat.db (SQLite).
**
** The files agree with each other where a KPI relates them: each channel's spend
** follows the new customers it brought (so the cost of acquiring a customer is
** realistic and moves month to month), each campaign's spend is set from the revenue of
** its orders and the campaign's return (so ROI differs by campaign), and converted
** leads name customers who really placed a first order soon after.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gendata.h"

/* Cost of acquiring one customer on each channel, VND (direct traffic costs nothing). */
static const int64_t CAC[NCHANNELS] = {45000, 210000, 35000, 240000, 120000, 0};

/* Sessions in the analytics export per thousand orders. */
#define SESSIONS_PER_KORDERS 1500

/* mkdir -p: the folder and any missing parents. */
int make_dir(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "kpigen: cannot create '%s': %s\n", path, strerror(errno));
            return -1;
        }
        *p = c;
        if (!c) return 0;
    }
}

const char *join(const char *dir, const char *file)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", dir, file);
    return buf;
}

/* A multiplier in thousandths for each month of the calendar: how well marketing went. */
void month_factors(uint64_t seed, uint64_t stream, uint32_t lo, uint32_t span, uint32_t *f)
{
    rng r;
    rng_seed(&r, seed, stream);
    for (int m = 0; m < 24; m++)
        f[m] = lo + rng_below(&r, span);
}

int month_index(int day)
{
    int y, m, d;
    civil_from_days(cal_first() + day, &y, &m, &d);
    return (y - 2023) * 12 + m - 1;
}

/* An amount of VND in hundredths, rounded to a thousand VND. */
static int64_t round_k(int64_t cents)
{
    return (cents + 50000) / 100000 * 100000;
}

/* Total cost of each campaign (hundredths) from its orders' revenue and its return. */
static void campaign_costs(const order_stats *st, int64_t *cost)
{
    for (int c = 0; c < NCAMPAIGNS; c++)
        cost[c] = st->campaign_revenue[c] * 100 / (100 + CAMPAIGNS[c].roi);
}

static void spend_row(out *o, const char *date, int ch, const char *camp, int64_t cents)
{
    if (cents <= 0) return;
    out_bytes(o, date, 10);
    out_ch(o, ',');
    out_str(o, CHANNELS[ch]);
    out_ch(o, ',');
    out_field(o, camp);
    out_ch(o, ',');
    out_cents(o, cents);
    out_ch(o, '\n');
}

static int gen_spend(const char *dir, uint64_t seed, const order_stats *st)
{
    static out o;
    uint32_t eff[24];
    int64_t ccost[MAX_CAMPAIGNS];
    rng r;
    rng_seed(&r, seed, 2);
    month_factors(seed, 3, 750, 600, eff);
    campaign_costs(st, ccost);
    if (out_open(&o, join(dir, "spend.csv")) != 0) return -1;
    out_str(&o, "date,channel,campaign,cost\n");
    char date[11];
    for (int d = 0; d < CAL_DAYS; d++) {
        day_text(d, date);
        for (int ch = 0; ch < NCHANNELS; ch++) {
            if (!CAC[ch]) continue;
            /* always-on spend: the new customers it bought, plus a floor on quiet days */
            int64_t v = (int64_t)st->new_by_channel[d][ch] * CAC[ch] * eff[month_index(d)] / 1000;
            v = (v + CAC[ch] / 4) * (700 + rng_below(&r, 600)) / 1000;
            spend_row(&o, date, ch, "", round_k(v * 100));
        }
        for (int c = 0; c < NCAMPAIGNS; c++) {
            const campaign *cp = &CAMPAIGNS[c];
            int first = campaign_first_day(cp), last = campaign_last_day(cp);
            if (d < first || d > last) continue;
            int64_t v = ccost[c] / (last - first + 1) * (800 + rng_below(&r, 400)) / 1000;
            spend_row(&o, date, cp->channel, cp->name, round_k(v));
        }
    }
    return out_close(&o);
}

static int gen_campaigns(const char *dir, const order_stats *st)
{
    static out o;
    int64_t ccost[MAX_CAMPAIGNS];
    campaign_costs(st, ccost);
    if (out_open(&o, join(dir, "campaigns.csv")) != 0) return -1;
    out_str(&o, "name,start,end,channel,budget\n");
    char date[11];
    for (int c = 0; c < NCAMPAIGNS; c++) {
        const campaign *cp = &CAMPAIGNS[c];
        out_field(&o, cp->name);
        out_ch(&o, ',');
        day_text(campaign_first_day(cp), date);
        out_bytes(&o, date, 10);
        out_ch(&o, ',');
        day_text(campaign_last_day(cp), date);
        out_bytes(&o, date, 10);
        out_ch(&o, ',');
        out_str(&o, CHANNELS[cp->channel]);
        out_ch(&o, ',');
        /* budgets are planned in millions, with some headroom over what was spent */
        int64_t budget = (ccost[c] * 11 / 10 + 99999999) / 100000000 * 100000000;
        out_cents(&o, budget);
        out_ch(&o, '\n');
    }
    return out_close(&o);
}

/* A count drawn around mean_k / 1000 (integer part plus a chance of one more). */
uint64_t around(rng *r, uint64_t mean_k)
{
    return mean_k / 1000 + (rng_below(r, 1000) < mean_k % 1000);
}

void out_bool(out *o, int b)
{
    out_str(o, b ? ",true" : ",false");
}

/* The customer a converted lead became: one first seen in the week after the lead. */
static uint64_t lead_customer(rng *r, const order_stats *st, int d)
{
    int e = d + 7 < CAL_DAYS ? d + 7 : CAL_DAYS;
    uint64_t lo = st->first_new[d], hi = st->first_new[e];
    if (hi > lo) return lo + rng_below(r, (uint32_t)(hi - lo));
    return rng_below(r, (uint32_t)(st->first_new[d + 1] ? st->first_new[d + 1] : 1));
}

static int gen_leads(const char *dir, uint64_t seed, const order_stats *st)
{
    static const uint32_t chw[NCHANNELS] = {25, 30, 15, 20, 10, 0};
    static const uint32_t resp[NCHANNELS] = {400, 300, 500, 350, 550, 0};
    static const uint32_t conv[NCHANNELS] = {300, 250, 380, 280, 420, 0};
    static out o;
    uint32_t mood[24];
    rng r;
    rng_seed(&r, seed, 4);
    month_factors(seed, 5, 800, 400, mood);
    if (out_open(&o, join(dir, "leads.csv")) != 0) return -1;
    out_str(&o, "date,lead_id,channel,contacted,responded,converted,customer_id\n");
    char date[11];
    uint64_t id = 0;
    for (int d = 0; d < CAL_DAYS; d++) {
        day_text(d, date);
        uint64_t n = around(&r, st->orders[d] * 450);
        uint32_t m = mood[month_index(d)];
        for (uint64_t k = 0; k < n; k++) {
            int ch = rng_pick(&r, chw, NCHANNELS);
            int contacted = rng_chance(&r, 880);
            int responded = contacted && rng_chance(&r, resp[ch] * m / 1000);
            int converted = responded && rng_chance(&r, conv[ch] * m / 1000);
            out_bytes(&o, date, 10);
            out_str(&o, ",L");
            out_uint(&o, ++id, 7);
            out_ch(&o, ',');
            out_str(&o, CHANNELS[ch]);
            out_bool(&o, contacted);
            out_bool(&o, responded);
            out_bool(&o, converted);
            out_ch(&o, ',');
            if (converted) out_customer(&o, lead_customer(&r, st, d));
            out_ch(&o, '\n');
        }
    }
    return out_close(&o);
}

enum { SRC_ORGANIC, SRC_SOCIAL, SRC_PAID, SRC_EMAIL, SRC_DIRECT, SRC_REFERRAL, NSOURCES };
static const char *const SOURCES[NSOURCES] = {"organic", "social", "paid",
                                              "email",   "direct", "referral"};
static const char *const PAGES[] = {"/",
                                    "/khuyen-mai",
                                    "/san-pham/ao-thun",
                                    "/san-pham/giay-the-thao",
                                    "/blog/cach-chon-size",
                                    "/lien-he"};
#define NPAGES 6

/* The network a social or paid visit came through ("" for other sources). */
static const char *session_network(rng *r, int src, int day)
{
    static const char *const social[] = {"facebook", "tiktok", "zalo", "youtube", "instagram"};
    static const char *const paid[] = {"google", "facebook", "tiktok"};
    if (src == SRC_SOCIAL) {
        uint32_t w[] = {450, 200, 180, 110, 60};
        w[1] += (uint32_t)(day * 200 / CAL_DAYS); /* TikTok grows */
        return social[rng_pick(r, w, 5)];
    }
    if (src == SRC_PAID) {
        static const uint32_t w[] = {700, 200, 100};
        return paid[rng_pick(r, w, 3)];
    }
    return "";
}

static void session_row(out *o, rng *r, int d, const char *date, uint64_t id)
{
    static const uint32_t engage[NSOURCES] = {560, 420, 480, 640, 600, 580};
    static const uint32_t page_w[NPAGES] = {30, 20, 18, 14, 12, 6};
    static const uint32_t page_lead[NPAGES] = {60, 120, 80, 90, 140, 220};
    static const uint32_t page_buy[NPAGES] = {100, 150, 120, 110, 50, 30};
    static const uint32_t dev_buy[NDEVICES] = {45, 90, 60};
    uint32_t src_w[NSOURCES] = {340, 240, 160, 80, 130, 50};
    src_w[SRC_SOCIAL] += (uint32_t)(d * 100 / CAL_DAYS);
    uint32_t dev_w[NDEVICES] = {680, 250, 70};
    dev_w[0] += (uint32_t)(d * 60 / CAL_DAYS);
    int src = rng_pick(r, src_w, NSOURCES);
    const char *net = session_network(r, src, d);
    int dev = rng_pick(r, dev_w, NDEVICES);
    int page = rng_pick(r, page_w, NPAGES);
    int engaged = rng_chance(r, engage[src]);
    int lead = engaged && rng_chance(r, page_lead[page]);
    int order = engaged && rng_chance(r, dev_buy[dev] * page_buy[page] / 100);
    out_bytes(o, date, 10);
    out_str(o, ",S");
    out_uint(o, id, 8);
    out_ch(o, ',');
    out_str(o, SOURCES[src]);
    out_ch(o, ',');
    out_str(o, net);
    out_ch(o, ',');
    out_str(o, DEVICES[dev]);
    out_ch(o, ',');
    out_str(o, PAGES[page]);
    out_bool(o, engaged);
    out_bool(o, lead);
    out_bool(o, order);
    out_ch(o, '\n');
}

static int gen_sessions(const char *dir, uint64_t seed, const order_stats *st)
{
    static out o;
    rng r;
    rng_seed(&r, seed, 6);
    if (out_open(&o, join(dir, "sessions.csv")) != 0) return -1;
    out_str(&o, "date,session_id,source,network,device,landing_page,engaged,lead,order\n");
    char date[11];
    uint64_t id = 0;
    for (int d = 0; d < CAL_DAYS; d++) {
        day_text(d, date);
        uint64_t n = around(&r, st->orders[d] * SESSIONS_PER_KORDERS);
        for (uint64_t k = 0; k < n; k++)
            session_row(&o, &r, d, date, ++id);
    }
    return out_close(&o);
}

/* ---------------------------------------------------------------- survey database */

/* Create (replacing) an SQLite file and run schema; NULL after a message. */
sqlite3 *db_create(const char *path, const char *schema)
{
    sqlite3 *db = NULL;
    remove(path);
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "kpigen: %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Commit and close; -1 after a message. */
int db_finish(sqlite3 *db, const char *path, int ok)
{
    if (ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) ok = 0;
    if (!ok) fprintf(stderr, "kpigen: %s: %s\n", path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return ok ? 0 : -1;
}

/* "YYYY-MM-DD HH:MM:SS" for second s of calendar day d, into buf[20]. */
void stamp_text(int d, uint32_t s, char *buf)
{
    day_text(d, buf);
    snprintf(buf + 10, 10, " %02u:%02u:%02u", s / 3600 % 24, s / 60 % 60, s % 60);
}

/* Insert one survey answer through stmt (?1 time, ?2 respondent, ?3 score). */
int db_answer(sqlite3_stmt *stmt, const char *stamp, const char *who, int score)
{
    sqlite3_bind_text(stmt, 1, stamp, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, who, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 3, score);
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Scores 1..5; the busy months (November to January) bring more complaints. */
static int csat_score(rng *r, int month, uint32_t mood)
{
    uint32_t w[5] = {30, 50, 120, 380, 420};
    if (month == 11 || month == 12 || month == 1) w[0] += 40, w[1] += 50, w[4] -= 90;
    w[4] = w[4] * mood / 1000;
    return 1 + rng_pick(r, w, 5);
}

static int gen_csat(const char *dir, uint64_t seed, const order_stats *st)
{
    const char *path = join(dir, "csat.db");
    sqlite3 *db = db_create(path, "CREATE TABLE csat(answered_at TEXT NOT NULL, customer_id "
                                  "TEXT NOT NULL, score INTEGER NOT NULL CHECK(score BETWEEN 1 "
                                  "AND 5));");
    if (!db) return -1;
    sqlite3_stmt *stmt = NULL;
    int ok =
        sqlite3_prepare_v2(db, "INSERT INTO csat VALUES(?1, ?2, ?3)", -1, &stmt, NULL) == SQLITE_OK;
    uint32_t mood[24];
    rng r;
    rng_seed(&r, seed, 7);
    month_factors(seed, 8, 700, 600, mood);
    for (int d = 0; ok && d < CAL_DAYS; d++) {
        uint64_t n = around(&r, st->orders[d] * 120), recent = st->first_new[d > 60 ? d - 60 : 0];
        uint64_t known = st->first_new[d + 1];
        for (uint64_t k = 0; ok && k < n && known; k++) {
            char stamp[20];
            /* answers spread over 07:00-22:00 in order, so the table is sorted by time */
            uint32_t slot = (uint32_t)(15 * 3600 / n);
            stamp_text(d, 7 * 3600 + (uint32_t)k * slot + rng_below(&r, slot), stamp);
            char who[16];
            customer_text(recent + rng_below(&r, (uint32_t)(known - recent)), who);
            int score = csat_score(&r, day_month(d), mood[month_index(d)]);
            ok = db_answer(stmt, stamp, who, score) == 0;
        }
    }
    sqlite3_finalize(stmt);
    return db_finish(db, path, ok);
}

int gen_retail(const char *dir, uint64_t orders, uint64_t seed)
{
    static order_stats st;
    memset(&st, 0, sizeof st);
    if (make_dir(dir) != 0) return -1;
    if (gen_orders(join(dir, "orders.csv"), orders, seed, &st) != 0) return -1;
    if (gen_spend(dir, seed, &st) != 0 || gen_campaigns(dir, &st) != 0 ||
        gen_leads(dir, seed, &st) != 0 || gen_sessions(dir, seed, &st) != 0 ||
        gen_csat(dir, seed, &st) != 0)
        return -1;
    return 0;
}
