/*
** gendata.h -- the pieces the kpigen generators share: a buffered writer with
** hand-rolled number formatting, a splitmix64 generator, the two-year calendar and
** the marketing campaigns every data set refers to.
*/
#ifndef KPIGEN_GENDATA_H
#define KPIGEN_GENDATA_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

/* ---- output: one big buffer, flushed with fwrite */
#define OUT_BUF (1u << 20)

typedef struct out {
    FILE *f;
    const char *path;
    size_t len;
    int failed;
    char buf[OUT_BUF];
} out;

/* 0, or -1 after a message on stderr. */
int out_open(out *o, const char *path);
void out_flush(out *o);
/* Flush and close; -1 (after a message) if any write failed. */
int out_close(out *o);
void out_bytes(out *o, const char *s, size_t n);
void out_str(out *o, const char *s);
void out_ch(out *o, char c);
void out_uint(out *o, uint64_t v, int width);
void out_cents(out *o, int64_t cents);
void out_field(out *o, const char *s);
/* A customer's number as text ("C0012345"), buf of 24 bytes; and written out. */
void customer_text(uint64_t idx, char *buf);
void out_customer(out *o, uint64_t idx);
/* ",true" / ",false" */
void out_bool(out *o, int b);

/* ---- randomness: splitmix64, one stream per file */
typedef struct rng {
    uint64_t s;
} rng;

void rng_seed(rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(rng *r);
uint32_t rng_below(rng *r, uint32_t n);
double rng_unit(rng *r);
int rng_chance(rng *r, uint32_t permille);
int rng_pick(rng *r, const uint32_t *weights, int n);

/* ---- calendar: day 0 = 2023-01-01, CAL_DAYS days */
#define CAL_DAYS 731

int32_t days_from_civil(int y, int m, int d);
void civil_from_days(int32_t z, int *y, int *m, int *d);
int32_t cal_first(void);
void day_text(int day, char *buf);
int day_weekday(int day);
int day_month(int day);
uint64_t day_weight(int day);
void rows_per_day(uint64_t n, uint64_t *count);

/* ---- channels, devices, campaigns */
enum { CH_ORGANIC, CH_SOCIAL, CH_EMAIL, CH_PAID_SEARCH, CH_REFERRAL, CH_DIRECT, NCHANNELS };
enum { NDEVICES = 3 };
extern const char *const CHANNELS[NCHANNELS];
extern const char *const DEVICES[NDEVICES];

typedef struct civil {
    int y, m, d;
} civil;

typedef struct campaign {
    const char *name;
    civil start, end; /* both days included */
    int channel;      /* the channel that carries it */
    int lift;         /* extra order volume while it runs, percent */
    int roi;          /* return on its cost, percent: sets its spend from its revenue */
} campaign;

#define MAX_CAMPAIGNS 32
extern const campaign CAMPAIGNS[];
extern const int NCAMPAIGNS;
int campaign_first_day(const campaign *c);
int campaign_last_day(const campaign *c);
int campaign_on(int day, int ch);

/* ---- files and survey databases */
int make_dir(const char *dir);
/* dir/file in a static buffer (valid until the next call). */
const char *join(const char *dir, const char *file);
/* A count around mean_k / 1000: the integer part, plus one with the fraction's chance. */
uint64_t around(rng *r, uint64_t mean_k);
/* Create (replacing) an SQLite file, run schema and begin; NULL after a message. */
sqlite3 *db_create(const char *path, const char *schema);
/* Commit (when ok) and close; -1 after a message. */
int db_finish(sqlite3 *db, const char *path, int ok);
/* Insert one survey answer through stmt (?1 time, ?2 respondent, ?3 score); 0 or -1. */
int db_answer(sqlite3_stmt *stmt, const char *stamp, const char *who, int score);
/* "YYYY-MM-DD HH:MM:SS" for second s of calendar day d, into buf[20]. */
void stamp_text(int d, uint32_t s, char *buf);
int month_index(int day);
void month_factors(uint64_t seed, uint64_t stream, uint32_t lo, uint32_t span, uint32_t *f);

/* ---- generators */

/* What the order generator saw, for the files that must agree with the orders. */
typedef struct order_stats {
    uint64_t
        first_new[CAL_DAYS + 1]; /* customers first seen on day d: [first_new[d], first_new[d+1]) */
    uint64_t new_by_channel[CAL_DAYS][NCHANNELS];
    int64_t campaign_revenue[MAX_CAMPAIGNS]; /* hundredths */
    uint64_t orders[CAL_DAYS];
    uint64_t customers;
} order_stats;

/* Each returns 0, or -1 after a message on stderr. st may be NULL. */
int gen_orders(const char *path, uint64_t n, uint64_t seed, order_stats *st);
int gen_retail(const char *dir, uint64_t orders, uint64_t seed);
int gen_b2b(const char *dir, uint64_t deals, uint64_t seed);

#endif
