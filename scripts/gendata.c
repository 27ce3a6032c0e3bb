/*
** gendata.c -- deterministic synthetic business data for the sample rule sets
** (kpis/data/...) and for the benchmark: the shared pieces (output, randomness,
** calendar, campaigns) and the orders generator. With gendata_retail.c and
** gendata_b2b.c it forms the kpigendata library, used by kpigen (gendata_main.c) and
** by `kpiengine init` for a new client folder's sample data.
**
** The same seed and size always give the same CSV bytes, on any machine: the generator
** uses integer arithmetic and exact IEEE operations on binary fractions (splitmix64),
** never libm or printf's locale-dependent float formatting. (A survey database has the
** same rows everywhere; its file bytes also depend on the SQLite version.) Output goes
** through one big buffer with hand-rolled integer formatting, so ten million orders take
** seconds.
**
** The calendar is fixed: two years, 2023-01-01 .. 2024-12-31. Orders are sorted by date;
** daily volume follows a growth trend, weekends, the season and the marketing campaigns.
** Customers are numbered by their first order, so the customers first seen on a day are
** a contiguous range of numbers (the lead generator links converted leads through it).
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gendata.h"

/* ---------------------------------------------------------------- output */

int out_open(out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    o->f = fopen(path, "wb");
    if (!o->f) {
        fprintf(stderr, "kpigen: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

void out_flush(out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) o->failed = 1;
    o->len = 0;
}

int out_close(out *o)
{
    out_flush(o);
    if (fclose(o->f) != 0) o->failed = 1;
    if (o->failed) fprintf(stderr, "kpigen: write error on '%s'\n", o->path);
    return o->failed ? -1 : 0;
}

/* Make room for n more bytes (n must be small against the buffer). */
static inline void out_room(out *o, size_t n)
{
    if (OUT_BUF - o->len < n) out_flush(o);
}

void out_bytes(out *o, const char *s, size_t n)
{
    if (n > OUT_BUF / 2) {
        out_flush(o);
        if (fwrite(s, 1, n, o->f) != n) o->failed = 1;
        return;
    }
    out_room(o, n);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void out_str(out *o, const char *s)
{
    out_bytes(o, s, strlen(s));
}

void out_ch(out *o, char c)
{
    out_room(o, 1);
    o->buf[o->len++] = c;
}

/* Unsigned integer, at least `width` digits (zero-padded). */
void out_uint(out *o, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width && n < (int)sizeof tmp)
        tmp[n++] = '0';
    out_room(o, (size_t)n);
    while (n)
        o->buf[o->len++] = tmp[--n];
}

/* A money amount given in hundredths: 12345678 -> "123456.78". */
void out_cents(out *o, int64_t cents)
{
    if (cents < 0) {
        out_ch(o, '-');
        cents = -cents;
    }
    out_uint(o, (uint64_t)cents / 100, 1);
    out_ch(o, '.');
    out_uint(o, (uint64_t)cents % 100, 2);
}

/* A CSV field: quoted (RFC 4180) only when it holds a comma, a quote or a line break. */
void out_field(out *o, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        out_str(o, s);
        return;
    }
    out_ch(o, '"');
    for (; *s; s++) {
        if (*s == '"') out_ch(o, '"');
        out_ch(o, *s);
    }
    out_ch(o, '"');
}

/* ---------------------------------------------------------------- randomness */

uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Each stream (orders, leads, ...) gets its own generator, so changing one file's
** generator never shifts another's numbers. */
void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    r->s = seed * 0x2545f4914f6cdd1dULL + stream * 0x9e3779b97f4a7c15ULL;
    (void)rng_next(r);
}

/* Uniform in [0, n), n <= 2^32. */
uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1): an exact 53-bit binary fraction, the same on every machine. */
double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* True with probability permille / 1000. */
int rng_chance(rng *r, uint32_t permille)
{
    return rng_below(r, 1000) < permille;
}

/* An index drawn with the given integer weights. */
int rng_pick(rng *r, const uint32_t *weights, int n)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    uint32_t x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < weights[i]) return i;
        x -= weights[i];
    }
    return n - 1;
}

/* ---------------------------------------------------------------- calendar */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DD" of calendar day `day` (0 = CAL_Y0-01-01) into buf[11]. */
void day_text(int day, char *buf)
{
    int y, m, d;
    civil_from_days(cal_first() + day, &y, &m, &d);
    /* The generator stays within 2023..2030, so every field fits its width. */
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

int32_t cal_first(void)
{
    return days_from_civil(2023, 1, 1);
}

/* 0 = Monday .. 6 = Sunday. */
int day_weekday(int day)
{
    int32_t z = cal_first() + day; /* 1970-01-01 was a Thursday */
    return (int)(((z % 7) + 7 + 3) % 7);
}

int day_month(int day)
{
    int y, m, d;
    civil_from_days(cal_first() + day, &y, &m, &d);
    return m;
}

/* ---------------------------------------------------------------- campaigns */

/* Names in the shop's language; one has a comma, so the CSV writer must quote it. */
const campaign CAMPAIGNS[] = {
    {"Tết 2023", {2023, 1, 5}, {2023, 1, 20}, CH_SOCIAL, 60, 250},
    {"Ngày Phụ nữ 8.3.2023", {2023, 3, 1}, {2023, 3, 8}, CH_SOCIAL, 30, -15},
    {"Khuyến mãi hè 2023", {2023, 6, 1}, {2023, 6, 30}, CH_EMAIL, 25, 180},
    {"Back to School 2023", {2023, 8, 10}, {2023, 9, 5}, CH_PAID_SEARCH, 20, 90},
    {"Ngày độc thân 11.11.2023", {2023, 11, 1}, {2023, 11, 12}, CH_SOCIAL, 55, 320},
    {"Black Friday 2023", {2023, 11, 20}, {2023, 11, 27}, CH_PAID_SEARCH, 70, 140},
    {"Giáng sinh, Năm mới 2024", {2023, 12, 15}, {2023, 12, 31}, CH_EMAIL, 30, 200},
    {"Tết 2024", {2024, 1, 25}, {2024, 2, 9}, CH_SOCIAL, 65, 280},
    {"Ngày Phụ nữ 8.3.2024", {2024, 3, 1}, {2024, 3, 8}, CH_SOCIAL, 30, 40},
    {"Khuyến mãi hè 2024", {2024, 6, 1}, {2024, 6, 30}, CH_EMAIL, 30, 150},
    {"Sinh nhật cửa hàng 2024", {2024, 6, 15}, {2024, 6, 23}, CH_SOCIAL, 35, -20},
    {"Back to School 2024", {2024, 8, 10}, {2024, 9, 5}, CH_PAID_SEARCH, 25, 110},
    {"Ngày độc thân 11.11.2024", {2024, 11, 1}, {2024, 11, 12}, CH_SOCIAL, 60, 350},
    {"Black Friday 2024", {2024, 11, 25}, {2024, 12, 2}, CH_PAID_SEARCH, 75, 160},
    {"Giáng sinh 2024", {2024, 12, 15}, {2024, 12, 31}, CH_EMAIL, 30, 190},
};
const int NCAMPAIGNS = (int)(sizeof CAMPAIGNS / sizeof CAMPAIGNS[0]);

const char *const CHANNELS[NCHANNELS] = {"organic",     "social",   "email",
                                         "paid_search", "referral", "direct"};
const char *const DEVICES[NDEVICES] = {"mobile", "desktop", "tablet"};

int campaign_first_day(const campaign *c)
{
    return days_from_civil(c->start.y, c->start.m, c->start.d) - cal_first();
}

int campaign_last_day(const campaign *c)
{
    return days_from_civil(c->end.y, c->end.m, c->end.d) - cal_first();
}

/* ---------------------------------------------------------------- orders */

/*
** Relative order volume of a day, in thousandths: a 40% growth over the two years,
** busier weekends, a quiet month after Tết, and each running campaign's lift.
*/
uint64_t day_weight(int day)
{
    static const int month_pm[13] = {0,    1150, 850,  950,  950,  1000, 1050,
                                     1000, 1000, 1050, 1000, 1150, 1250};
    uint64_t w = 1000 + (uint64_t)day * 400 / CAL_DAYS;
    int wd = day_weekday(day);
    w = w * (uint64_t)(wd >= 5 ? 1250 : wd == 4 ? 1100 : 950) / 1000;
    w = w * (uint64_t)month_pm[day_month(day)] / 1000;
    for (int i = 0; i < NCAMPAIGNS; i++)
        if (day >= campaign_first_day(&CAMPAIGNS[i]) && day <= campaign_last_day(&CAMPAIGNS[i]))
            w = w * (uint64_t)(100 + CAMPAIGNS[i].lift) / 100;
    return w;
}

/* Number of rows of each calendar day for n rows in all, by day_weight; exact total. */
void rows_per_day(uint64_t n, uint64_t *count)
{
    uint64_t cum[CAL_DAYS + 1];
    cum[0] = 0;
    for (int d = 0; d < CAL_DAYS; d++)
        cum[d + 1] = cum[d] + day_weight(d);
    for (int d = 0; d < CAL_DAYS; d++) {
        /* n * cum fits 64 bits for n up to about 4e12 */
        count[d] = n * cum[d + 1] / cum[CAL_DAYS] - n * cum[d] / cum[CAL_DAYS];
    }
}

/* The text of a customer number into buf[16]: a fixed bijection of 0..9999999 so that
** numbers look issued by a CRM, not by first purchase; beyond ten million, the number. */
void customer_text(uint64_t idx, char *buf)
{
    if (idx < 10000000) idx = (idx * 7919 + 1234567) % 10000000;
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + idx % 10);
        idx /= 10;
    } while (idx);
    while (n < 7)
        tmp[n++] = '0';
    buf[0] = 'C';
    for (int i = 0; i < n; i++)
        buf[1 + i] = tmp[n - 1 - i];
    buf[1 + n] = '\0';
}

void out_customer(out *o, uint64_t idx)
{
    char buf[24];
    customer_text(idx, buf);
    out_str(o, buf);
}

/*
** The buyer of the next order. A new customer with a probability that starts high (the
** shop was young) and settles near 7%; otherwise the buyer of an earlier order, drawn
** with a bias to recent orders: customers who bought often are drawn often (a few
** loyal buyers, many who bought once) and interest fades with time.
*/
static uint32_t next_customer(rng *r, uint64_t i, uint64_t n, uint32_t *buyer, uint32_t *ncust)
{
    double ramp = 1.0 - (double)i / (0.1 * (double)n);
    double p_new = 0.07 + (ramp > 0 ? 0.5 * ramp : 0);
    if (i == 0 || rng_unit(r) < p_new) return buyer[i] = (*ncust)++;
    double u = rng_unit(r);
    if (rng_chance(r, 120)) { /* any customer, recent ones more likely */
        uint32_t k = (uint32_t)((double)*ncust * u * u);
        return buyer[i] = *ncust - 1 - (k < *ncust ? k : *ncust - 1);
    }
    uint64_t j = (uint64_t)((double)i * (1.0 - u * u));
    return buyer[i] = buyer[j < i ? j : i - 1];
}

/* Basket value in hundredths of VND: 1..4 items from a price list, sometimes a 2.5%
** loyalty discount (which leaves 50 hundredths on odd totals). */
static int64_t order_amount(rng *r)
{
    static const int64_t price[] = {59900,  89000,  129000, 149900, 199000,  259000,
                                    349000, 459000, 699000, 990000, 1490000, 2490000};
    static const uint32_t pw[] = {14, 14, 13, 12, 11, 9, 8, 7, 5, 4, 2, 1};
    static const uint32_t items_w[] = {55, 27, 12, 6};
    int items = 1 + rng_pick(r, items_w, 4);
    int64_t sum = 0;
    for (int k = 0; k < items; k++)
        sum += price[rng_pick(r, pw, 12)];
    if (rng_chance(r, 60)) return sum * 975 / 10;
    return sum * 100;
}

static int pick_channel(rng *r, int day)
{
    /* social grows and email shrinks over the two years */
    uint32_t w[NCHANNELS] = {300, 200, 110, 180, 60, 150};
    w[CH_SOCIAL] += (uint32_t)(day * 80 / CAL_DAYS);
    w[CH_EMAIL] -= (uint32_t)(day * 40 / CAL_DAYS);
    return rng_pick(r, w, NCHANNELS);
}

static int pick_device(rng *r, int day)
{
    uint32_t w[NDEVICES] = {580, 340, 80};
    w[0] += (uint32_t)(day * 100 / CAL_DAYS);
    return rng_pick(r, w, NDEVICES);
}

/* A campaign running on `day` whose own channel is ch, or -1. */
int campaign_on(int day, int ch)
{
    for (int i = 0; i < NCAMPAIGNS; i++)
        if (CAMPAIGNS[i].channel == ch && day >= campaign_first_day(&CAMPAIGNS[i]) &&
            day <= campaign_last_day(&CAMPAIGNS[i]))
            return i;
    return -1;
}

/*
** Attribution: an order from a paid channel during a campaign belongs to it most of the
** time; a campaign on social also draws some paid_search and email orders.
*/
static int order_campaign(rng *r, int day, int ch)
{
    if (ch != CH_SOCIAL && ch != CH_EMAIL && ch != CH_PAID_SEARCH) return -1;
    int c = campaign_on(day, ch);
    if (c >= 0) return rng_chance(r, 750) ? c : -1;
    for (int k = 0; k < NCHANNELS; k++) {
        c = campaign_on(day, k);
        if (c >= 0 && rng_chance(r, 200)) return c;
    }
    return -1;
}

static void write_order(out *o, const char *date, uint32_t customer, int ch, int camp, int dev,
                        int64_t amount)
{
    out_bytes(o, date, 10);
    out_ch(o, ',');
    out_customer(o, customer);
    out_ch(o, ',');
    out_str(o, CHANNELS[ch]);
    out_ch(o, ',');
    if (camp >= 0) out_field(o, CAMPAIGNS[camp].name);
    out_ch(o, ',');
    out_str(o, DEVICES[dev]);
    out_ch(o, ',');
    out_cents(o, amount);
    out_ch(o, '\n');
}

int gen_orders(const char *path, uint64_t n, uint64_t seed, order_stats *st)
{
    static uint64_t count[CAL_DAYS];
    static out o;
    if (n > UINT32_MAX) {
        fprintf(stderr, "kpigen: at most %u orders\n", (unsigned)UINT32_MAX);
        return -1;
    }
    uint32_t *buyer = malloc((size_t)n * sizeof *buyer); /* buyer of each order so far */
    if (!buyer) {
        fprintf(stderr, "kpigen: out of memory\n");
        return -1;
    }
    if (out_open(&o, path) != 0) {
        free(buyer);
        return -1;
    }
    rng r;
    rng_seed(&r, seed, 1);
    rows_per_day(n, count);
    out_str(&o, "date,customer_id,channel,campaign,device,amount\n");
    uint32_t ncust = 0;
    uint64_t i = 0;
    char date[11];
    for (int d = 0; d < CAL_DAYS; d++) {
        day_text(d, date);
        if (st) st->first_new[d] = ncust;
        for (uint64_t k = 0; k < count[d]; k++, i++) {
            uint32_t before = ncust;
            uint32_t c = next_customer(&r, i, n, buyer, &ncust);
            int ch = pick_channel(&r, d);
            int camp = order_campaign(&r, d, ch);
            int dev = pick_device(&r, d);
            int64_t amount = order_amount(&r);
            write_order(&o, date, c, ch, camp, dev, amount);
            if (st) {
                if (ncust != before) st->new_by_channel[d][ch]++;
                if (camp >= 0) st->campaign_revenue[camp] += amount;
                st->orders[d]++;
            }
        }
    }
    if (st) {
        st->first_new[CAL_DAYS] = ncust;
        st->customers = ncust;
    }
    free(buyer);
    return out_close(&o);
}
