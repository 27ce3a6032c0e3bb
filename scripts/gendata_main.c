/*
** gendata_main.c -- kpigen's command line (the generators are in the kpigendata library:
** gendata.c, gendata_retail.c, gendata_b2b.c, which kpiengine init also uses).
**
**   kpigen orders --rows N --out FILE [--seed S]    one orders.csv (the benchmark's)
**   kpigen retail --orders N --out DIR [--seed S]   an online shop's exports
**   kpigen b2b --deals N --out DIR [--seed S]       a B2B vendor's exports
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gendata.h"

/* ---------------------------------------------------------------- command line */

static int usage(void)
{
    fprintf(stderr, "usage: kpigen orders --rows N --out FILE [--seed S]\n"
                    "       kpigen retail --orders N --out DIR [--seed S]\n"
                    "       kpigen b2b --deals N --out DIR [--seed S]\n");
    return 2;
}

static int parse_count(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') return -1;
    *v = x;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    const char *what = argv[1], *outp = NULL;
    uint64_t n = 0, seed = 20240601;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) return usage();
        if (!strcmp(a, "--rows") || !strcmp(a, "--orders") || !strcmp(a, "--deals")) {
            if (parse_count(argv[++i], &n) != 0) return usage();
        } else if (!strcmp(a, "--seed")) {
            if (parse_count(argv[++i], &seed) != 0) return usage();
        } else if (!strcmp(a, "--out")) {
            outp = argv[++i];
        } else {
            return usage();
        }
    }
    if (!outp || n == 0) return usage();
    if (!strcmp(what, "orders")) return gen_orders(outp, n, seed, NULL) ? 1 : 0;
    if (!strcmp(what, "retail")) return gen_retail(outp, n, seed) ? 1 : 0;
    if (!strcmp(what, "b2b")) return gen_b2b(outp, n, seed) ? 1 : 0;
    return usage();
}
