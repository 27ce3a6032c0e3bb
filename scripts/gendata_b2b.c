/*
** gendata_b2b.c -- kpigen b2b: a software vendor selling annual contracts to companies,
** two years of CRM and marketing exports: accounts.csv, deals.csv, leads.csv,
** spend.csv, campaigns.csv and a survey database csat.db (tables csat and nps).
**
** Deals are made first, in memory, so that the other files can agree with them: an
** account's `created` is the day of its first deal, converted leads name the account of
** a deal opened soon after, marketing spend is sized from the customers won (so the cost
** of acquiring one is realistic), and surveys follow won deals.
** A deal still running on the last day of the calendar is "open" with no close date.
*/
#include <stdlib.h>
#include <string.h>

#include "gendata.h"

enum { B_WEBSITE, B_LINKEDIN, B_GOOGLE, B_FACEBOOK, B_EVENT, B_EMAIL, B_PARTNER, NB_CHANNELS };
static const char *const B_CHANNELS[NB_CHANNELS + 1] = {
    "website", "linkedin", "google_ads", "facebook", "event", "email", "partner", "outbound"};
#define B_OUTBOUND NB_CHANNELS /* sales prospecting: a deal source with no marketing spend */

static const campaign B_CAMPAIGNS[] = {
    {"Hội thảo Chuyển đổi số 2023", {2023, 4, 10}, {2023, 4, 28}, B_EVENT, 0, 60},
    {"Vietnam Manufacturing Expo 2023", {2023, 8, 14}, {2023, 8, 31}, B_EVENT, 0, 120},
    {"Webinar Tối ưu chuỗi cung ứng", {2023, 10, 2}, {2023, 10, 31}, B_LINKEDIN, 0, 200},
    {"LinkedIn ABM Q1 2024", {2024, 1, 8}, {2024, 3, 29}, B_LINKEDIN, 0, 90},
    {"Hội thảo Chuyển đổi số 2024", {2024, 5, 20}, {2024, 6, 14}, B_EVENT, 0, 150},
    {"Google Ads Hè 2024", {2024, 6, 3}, {2024, 7, 31}, B_GOOGLE, 0, -30},
    {"Vietnam Manufacturing Expo 2024", {2024, 8, 12}, {2024, 8, 30}, B_EVENT, 0, 80},
    {"Webinar AI cho doanh nghiệp", {2024, 10, 14}, {2024, 11, 15}, B_LINKEDIN, 0, 240},
};
#define NB_CAMPAIGNS (int)(sizeof B_CAMPAIGNS / sizeof B_CAMPAIGNS[0])

static const char *const OWNERS[] = {"Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Nam",
                                     "Phạm Minh Thu", "Võ Quốc Bảo",   "Đặng Thu Hà"};
#define NOWNERS 6

/* Companies: a legal form, a name and a trade (which gives the industry). */
static const char *const FORMS[] = {"Công ty TNHH", "Công ty Cổ phần", "Tập đoàn"};
static const char *const NAMES[] = {
    "Minh Phát",  "Hòa Bình",   "Thành Công", "Việt Tiến",  "Sao Mai",    "An Khang",
    "Phú Thịnh",  "Đại Dương",  "Hưng Thịnh", "Trường Sơn", "Bình Minh",  "Tân Tiến",
    "Kim Long",   "Hoàng Gia",  "Nam Việt",   "Đông Á",     "Thiên Phúc", "Hải Âu",
    "Phương Nam", "Ánh Dương",  "Vạn Xuân",   "Hồng Hà",    "Lạc Hồng",   "Toàn Cầu",
    "Sông Hàn",   "Tây Nguyên", "Cửu Long",   "Bắc Sơn",    "Gia Phú",    "Quang Trung"};
static const char *const TRADES[] = {"Logistics", "Thực phẩm", "Xây dựng", "Công nghệ",
                                     "Dược phẩm", "Nhựa",      "Dệt may",  "Giáo dục",
                                     "Cơ khí",    "Thương mại"};
static const char *const INDUSTRIES[] = {"Vận tải",  "Sản xuất", "Xây dựng", "Công nghệ", "Y tế",
                                         "Sản xuất", "Sản xuất", "Giáo dục", "Sản xuất",  "Bán lẻ"};
static const char *const REGIONS[] = {"Hà Nội",    "TP. Hồ Chí Minh", "Đà Nẵng",
                                      "Hải Phòng", "Cần Thơ",         "Bình Dương"};
#define NNAMES  30
#define NTRADES 10

typedef struct deal {
    uint32_t account;
    int created, closed; /* calendar days; closed = -1 while open */
    int won, source, owner, camp;
    int64_t amount; /* hundredths of VND */
} deal;

typedef struct b2b {
    deal *deals;
    size_t ndeals;
    uint32_t naccounts;
    int *account_created;
    uint64_t won_new; /* accounts won for the first time */
} b2b;

/* Deals opened per day: working days only, a 50% growth over the two years, quiet Tết. */
static uint64_t b2b_weight(int day)
{
    if (day_weekday(day) >= 5) return 0;
    int y, m, d;
    civil_from_days(cal_first() + day, &y, &m, &d);
    uint64_t w = 1000 + (uint64_t)day * 500 / CAL_DAYS;
    if ((y == 2023 && m == 1 && d >= 18) || (y == 2024 && m == 2 && d >= 5 && d <= 16)) w /= 4;
    for (int c = 0; c < NB_CAMPAIGNS; c++)
        if (day >= campaign_first_day(&B_CAMPAIGNS[c]) && day <= campaign_last_day(&B_CAMPAIGNS[c]))
            w = w * 13 / 10;
    return w;
}

/* Annual contract value, hundredths of VND, rounded to half a million. */
static int64_t deal_amount(rng *r)
{
    static const int64_t base[] = {24, 36, 48, 60, 90, 120, 180, 240, 360, 480, 720};
    static const uint32_t w[] = {8, 12, 14, 14, 13, 11, 9, 7, 5, 4, 3};
    int64_t v = base[rng_pick(r, w, 11)] * 1000000 * (850 + rng_below(r, 300)) / 1000;
    return (v + 250000) / 500000 * 500000 * 100;
}

static int b2b_campaign(rng *r, int day, int source)
{
    for (int c = 0; c < NB_CAMPAIGNS; c++)
        if (B_CAMPAIGNS[c].channel == source && day >= campaign_first_day(&B_CAMPAIGNS[c]) &&
            day <= campaign_last_day(&B_CAMPAIGNS[c]))
            return rng_chance(r, 700) ? c : -1;
    return -1;
}

/* One deal opened on day d: a new prospect, or an existing customer buying more. */
static void make_deal(b2b *b, rng *r, int d, deal *dl, uint32_t *customers, uint32_t *ncustomers)
{
    static const uint32_t src_w[NB_CHANNELS + 1] = {22, 18, 16, 8, 12, 8, 6, 10};
    static const uint32_t win[NB_CHANNELS + 1] = {330, 260, 240, 180, 300, 280, 420, 160};
    int upsell = *ncustomers > 0 && rng_chance(r, 250);
    dl->created = d;
    dl->source = rng_pick(r, src_w, NB_CHANNELS + 1);
    dl->owner = (int)rng_below(r, NOWNERS);
    dl->camp = b2b_campaign(r, d, dl->source);
    dl->amount = deal_amount(r);
    if (upsell) {
        dl->account = customers[rng_below(r, *ncustomers)];
    } else {
        dl->account = b->naccounts++;
        b->account_created[dl->account] = d;
    }
    dl->won = rng_chance(r, upsell ? win[dl->source] * 17 / 10 : win[dl->source]);
    double u = rng_unit(r) + rng_unit(r) + rng_unit(r);
    int cycle = dl->won ? 15 + (int)(u * 30) : 7 + (int)(u * 22);
    if (upsell) cycle = cycle * 6 / 10;
    dl->closed = d + cycle < CAL_DAYS ? d + cycle : -1;
}

static int make_deals(b2b *b, uint64_t n, uint64_t seed)
{
    b->deals = calloc(n ? n : 1, sizeof *b->deals);
    b->account_created = calloc(n ? n : 1, sizeof *b->account_created);
    uint32_t *customers = calloc(n ? n : 1, sizeof *customers);
    if (!b->deals || !b->account_created || !customers) {
        free(customers);
        fprintf(stderr, "kpigen: out of memory\n");
        return -1;
    }
    uint64_t cum[CAL_DAYS + 1];
    cum[0] = 0;
    for (int d = 0; d < CAL_DAYS; d++)
        cum[d + 1] = cum[d] + b2b_weight(d);
    rng r;
    rng_seed(&r, seed, 11);
    uint32_t ncustomers = 0;
    size_t i = 0;
    for (int d = 0; d < CAL_DAYS; d++) {
        uint64_t k = n * cum[d + 1] / cum[CAL_DAYS] - n * cum[d] / cum[CAL_DAYS];
        /* accounts won before today may buy again */
        for (size_t j = 0; j < i; j++)
            if (b->deals[j].won && b->deals[j].closed == d - 1)
                customers[ncustomers++] = b->deals[j].account;
        for (; k > 0; k--, i++)
            make_deal(b, &r, d, &b->deals[i], customers, &ncustomers);
    }
    b->ndeals = i;
    free(customers);
    return 0;
}

static void out_day(out *o, int day)
{
    char date[11];
    day_text(day, date);
    out_bytes(o, date, 10);
}

static void account_text(uint32_t a, char *buf)
{
    snprintf(buf, 16, "A%05u", a + 1);
}

static int write_accounts(const char *dir, const b2b *b)
{
    static out o;
    if (out_open(&o, join(dir, "accounts.csv")) != 0) return -1;
    out_str(&o, "account_id,name,industry,region,created\n");
    for (uint32_t a = 0; a < b->naccounts; a++) {
        char id[16], name[160];
        uint32_t k = (a * 7 + 3) % (NNAMES * NTRADES * 3); /* 7 is prime to 900 */
        account_text(a, id);
        const char *trade = TRADES[k / NNAMES % NTRADES];
        int len = snprintf(name, sizeof name, "%s %s %s", FORMS[k / (NNAMES * NTRADES)],
                           NAMES[k % NNAMES], trade);
        if (a >= NNAMES * NTRADES * 3) snprintf(name + len, sizeof name - (size_t)len, " %u", a);
        out_str(&o, id);
        out_ch(&o, ',');
        out_field(&o, name);
        out_ch(&o, ',');
        out_str(&o, INDUSTRIES[k / NNAMES % NTRADES]);
        out_ch(&o, ',');
        out_str(&o, REGIONS[(a * 5 + 1) % 6]);
        out_ch(&o, ',');
        out_day(&o, b->account_created[a]);
        out_ch(&o, '\n');
    }
    return out_close(&o);
}

static int write_deals(const char *dir, const b2b *b)
{
    static out o;
    if (out_open(&o, join(dir, "deals.csv")) != 0) return -1;
    out_str(&o,
            "deal_id,account_id,created,closed,stage,amount,owner,source,campaign,cycle_days\n");
    for (size_t i = 0; i < b->ndeals; i++) {
        const deal *dl = &b->deals[i];
        char id[16];
        account_text(dl->account, id);
        out_str(&o, "D");
        out_uint(&o, i + 1, 6);
        out_ch(&o, ',');
        out_str(&o, id);
        out_ch(&o, ',');
        out_day(&o, dl->created);
        out_ch(&o, ',');
        if (dl->closed >= 0) out_day(&o, dl->closed);
        out_str(&o, dl->closed < 0 ? ",open," : dl->won ? ",won," : ",lost,");
        out_cents(&o, dl->amount);
        out_ch(&o, ',');
        out_str(&o, OWNERS[dl->owner]);
        out_ch(&o, ',');
        out_str(&o, B_CHANNELS[dl->source]);
        out_ch(&o, ',');
        if (dl->camp >= 0) out_field(&o, B_CAMPAIGNS[dl->camp].name);
        out_ch(&o, ',');
        if (dl->closed >= 0) out_uint(&o, (uint64_t)(dl->closed - dl->created), 1);
        out_ch(&o, '\n');
    }
    return out_close(&o);
}

/* Leads: about four per deal, on the deal's channels; a converted lead names the account
** of a deal from its channel opened within the next week. */
static int write_leads(const char *dir, const b2b *b, uint64_t seed)
{
    static const uint32_t resp[NB_CHANNELS] = {350, 280, 300, 220, 550, 330, 600};
    static const uint32_t conv[NB_CHANNELS] = {300, 260, 240, 180, 380, 250, 450};
    static out o;
    uint32_t mood[24];
    rng r;
    rng_seed(&r, seed, 12);
    month_factors(seed, 13, 800, 400, mood);
    if (out_open(&o, join(dir, "leads.csv")) != 0) return -1;
    out_str(&o, "date,lead_id,channel,contacted,responded,converted,account_id\n");
    uint64_t id = 0;
    size_t first = 0; /* first deal opened on day d or later */
    for (int d = 0; d < CAL_DAYS; d++) {
        while (first < b->ndeals && b->deals[first].created < d)
            first++;
        size_t next = first;
        while (next < b->ndeals && b->deals[next].created < d + 7)
            next++;
        for (size_t j = first; j < next; j++) {
            const deal *dl = &b->deals[j];
            if (dl->created != d || dl->source == B_OUTBOUND) continue;
            uint64_t n = 1 + around(&r, 3000);
            for (uint64_t k = 0; k < n; k++) {
                int ch = dl->source;
                int contacted = rng_chance(&r, 900);
                uint32_t m = mood[month_index(d)];
                int responded = contacted && rng_chance(&r, resp[ch] * m / 1000);
                int converted = responded && rng_chance(&r, conv[ch] * m / 1000);
                out_day(&o, d);
                out_str(&o, ",BL");
                out_uint(&o, ++id, 6);
                out_ch(&o, ',');
                out_str(&o, B_CHANNELS[ch]);
                out_bool(&o, contacted);
                out_bool(&o, responded);
                out_bool(&o, converted);
                out_ch(&o, ',');
                if (converted) {
                    char acc[16];
                    account_text(b->deals[j + rng_below(&r, (uint32_t)(next - j))].account, acc);
                    out_str(&o, acc);
                }
                out_ch(&o, '\n');
            }
        }
    }
    return out_close(&o);
}

static int workdays_between(int first, int last)
{
    int n = 0;
    for (int d = first; d <= last; d++)
        n += day_weekday(d) < 5;
    return n ? n : 1;
}

/* Spend sized from the customers won: about 30 million VND per new customer in all,
** split by channel and working day, plus each campaign's cost from its won revenue. */
static int write_spend(const char *dir, const b2b *b, uint64_t seed)
{
    static const uint32_t share[NB_CHANNELS] = {10, 26, 24, 10, 14, 6, 10};
    static out o;
    int64_t ccost[NB_CAMPAIGNS] = {0};
    for (size_t i = 0; i < b->ndeals; i++)
        if (b->deals[i].camp >= 0 && b->deals[i].won && b->deals[i].closed >= 0)
            ccost[b->deals[i].camp] += b->deals[i].amount;
    for (int c = 0; c < NB_CAMPAIGNS; c++)
        ccost[c] = ccost[c] * 100 / (100 + B_CAMPAIGNS[c].roi);
    uint32_t eff[24];
    month_factors(seed, 14, 700, 600, eff);
    int workdays = workdays_between(0, CAL_DAYS - 1);
    /* per working day and share point (the shares add up to 100), in hundredths: the
       30 million VND per new customer, times 100 hundredths, over 100 share points */
    int64_t unit = (int64_t)b->won_new * 30000000 * 100 / 100 / workdays;
    rng r;
    rng_seed(&r, seed, 15);
    if (out_open(&o, join(dir, "spend.csv")) != 0) return -1;
    out_str(&o, "date,channel,campaign,cost\n");
    for (int d = 0; d < CAL_DAYS; d++) {
        if (day_weekday(d) >= 5) continue;
        for (int ch = 0; ch < NB_CHANNELS; ch++) {
            int64_t v = unit * share[ch] * eff[month_index(d)] / 1000;
            v = v * (700 + rng_below(&r, 600)) / 1000 / 100000 * 100000;
            out_day(&o, d);
            out_ch(&o, ',');
            out_str(&o, B_CHANNELS[ch]);
            out_str(&o, ",,");
            out_cents(&o, v);
            out_ch(&o, '\n');
        }
        for (int c = 0; c < NB_CAMPAIGNS; c++) {
            const campaign *cp = &B_CAMPAIGNS[c];
            int first = campaign_first_day(cp), last = campaign_last_day(cp);
            if (d < first || d > last || ccost[c] <= 0) continue;
            int64_t v = ccost[c] / workdays_between(first, last) / 100000 * 100000;
            out_day(&o, d);
            out_ch(&o, ',');
            out_str(&o, B_CHANNELS[cp->channel]);
            out_ch(&o, ',');
            out_field(&o, cp->name);
            out_ch(&o, ',');
            out_cents(&o, v);
            out_ch(&o, '\n');
        }
    }
    return out_close(&o);
}

static int write_campaigns(const char *dir)
{
    static out o;
    if (out_open(&o, join(dir, "campaigns.csv")) != 0) return -1;
    out_str(&o, "name,start,end,channel,budget\n");
    for (int c = 0; c < NB_CAMPAIGNS; c++) {
        const campaign *cp = &B_CAMPAIGNS[c];
        out_field(&o, cp->name);
        out_ch(&o, ',');
        out_day(&o, campaign_first_day(cp));
        out_ch(&o, ',');
        out_day(&o, campaign_last_day(cp));
        out_ch(&o, ',');
        out_str(&o, B_CHANNELS[cp->channel]);
        out_ch(&o, ',');
        out_cents(&o, (int64_t)(c % 3 + 2) * 100000000 * 100);
        out_ch(&o, '\n');
    }
    return out_close(&o);
}

typedef struct answer {
    int day;
    uint32_t account, seq;
} answer;

static int answer_cmp(const void *a, const void *b)
{
    const answer *x = a, *y = b;
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Insert answers (sorted by day) with scores drawn from w[0..nw), spread over each day. */
static int insert_answers(sqlite3 *db, const char *sql, answer *a, size_t n, rng *r,
                          const uint32_t *w, int nw, int lowest)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) return -1;
    qsort(a, n, sizeof *a, answer_cmp);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t j = i;
        while (j < n && a[j].day == a[i].day)
            j++;
        uint32_t slot = (uint32_t)(10 * 3600 / (j - i));
        for (size_t k = i; rc == 0 && k < j; k++) {
            char stamp[20], who[16];
            stamp_text(a[k].day, 8 * 3600 + (uint32_t)(k - i) * slot + rng_below(r, slot), stamp);
            account_text(a[k].account, who);
            rc = db_answer(stmt, stamp, who, lowest + rng_pick(r, w, nw));
        }
        i = j;
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* csat: an onboarding survey one to three weeks after a won deal (score 1..5); nps: each
** customer is asked about once a quarter (score 0..10). */
static int write_surveys(const char *dir, const b2b *b, uint64_t seed)
{
    static const uint32_t csat_w[5] = {40, 60, 150, 400, 350};
    static const uint32_t nps_w[11] = {10, 8, 10, 12, 15, 25, 40, 90, 140, 170, 130};
    const char *path = join(dir, "csat.db");
    sqlite3 *db = db_create(path, "CREATE TABLE csat(answered_at TEXT NOT NULL, account_id TEXT "
                                  "NOT NULL, score INTEGER NOT NULL);"
                                  "CREATE TABLE nps(answered_at TEXT NOT NULL, account_id TEXT "
                                  "NOT NULL, score INTEGER NOT NULL);");
    if (!db) return -1;
    answer *a = calloc(b->ndeals + 1, sizeof *a);
    answer *p = calloc((size_t)b->naccounts * 9 + 1, sizeof *p);
    int ok = a && p;
    rng r;
    rng_seed(&r, seed, 16);
    size_t na = 0, np = 0;
    for (size_t i = 0; ok && i < b->ndeals; i++) {
        const deal *dl = &b->deals[i];
        int day = dl->closed + 7 + (int)rng_below(&r, 14);
        if (dl->won && dl->closed >= 0 && day < CAL_DAYS && rng_chance(&r, 700))
            a[na++] = (answer){day, dl->account, (uint32_t)na};
    }
    for (size_t i = 0; ok && i < b->ndeals; i++) {
        const deal *dl = &b->deals[i];
        if (!dl->won || dl->closed < 0) continue;
        /* one invitation per quarter after the win, answered six times in ten */
        for (int day = dl->closed + 30 + (int)rng_below(&r, 60);
             day < CAL_DAYS && np < (size_t)b->naccounts * 9; day += 91)
            if (rng_chance(&r, 600)) p[np++] = (answer){day, dl->account, (uint32_t)np};
    }
    ok = ok &&
         insert_answers(db, "INSERT INTO csat VALUES(?1, ?2, ?3)", a, na, &r, csat_w, 5, 1) == 0;
    ok = ok &&
         insert_answers(db, "INSERT INTO nps VALUES(?1, ?2, ?3)", p, np, &r, nps_w, 11, 0) == 0;
    free(a);
    free(p);
    return db_finish(db, path, ok);
}

int gen_b2b(const char *dir, uint64_t deals, uint64_t seed)
{
    b2b b;
    memset(&b, 0, sizeof b);
    if (make_dir(dir) != 0 || make_deals(&b, deals, seed) != 0) {
        free(b.deals);
        free(b.account_created);
        return -1;
    }
    uint8_t *won = calloc(b.naccounts + 1, 1);
    for (size_t i = 0; won && i < b.ndeals; i++)
        if (b.deals[i].won && b.deals[i].closed >= 0 && !won[b.deals[i].account]++) b.won_new++;
    int rc = !won || write_accounts(dir, &b) != 0 || write_deals(dir, &b) != 0 ||
                     write_leads(dir, &b, seed) != 0 || write_spend(dir, &b, seed) != 0 ||
                     write_campaigns(dir) != 0 || write_surveys(dir, &b, seed) != 0
                 ? -1
                 : 0;
    free(won);
    free(b.deals);
    free(b.account_created);
    return rc;
}
