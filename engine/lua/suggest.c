/*
** suggest.c -- closest-name suggestions; see suggest.h.
*/
#include "suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

size_t suggest_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN) return SIZE_MAX;
    /*
    ** Three rows of the dynamic-programming matrix suffice: row i reads rows i - 1 and,
    ** for a swap of two neighbouring letters, i - 2. Counting a swap as one edit
    ** (optimal string alignment) matters for short names: "nmae" is one slip from "name".
    */
    size_t before[SUGGEST_MAX_LEN + 1], prev[SUGGEST_MAX_LEN + 1], cur[SUGGEST_MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (ca == cb ? 0 : 1);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            cur[j] = best;
        }
        memcpy(before, prev, (lb + 1) * sizeof *prev);
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

void suggest_init(suggest *s, const char *word)
{
    s->word = word;
    s->len = strlen(word);
    s->best = NULL;
    s->best_dist = SIZE_MAX;
}

/* The largest distance still read as a typo of a word of len letters. */
static size_t max_distance(size_t len)
{
    size_t d = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    return d < len ? d : len - (len > 0);
}

void suggest_add(suggest *s, const char *candidate)
{
    if (strcmp(s->word, candidate) == 0) return;
    size_t d = suggest_distance(s->word, candidate);
    if (d <= max_distance(s->len) && d < s->best_dist) {
        s->best = candidate;
        s->best_dist = d;
    }
}

const char *suggest_result(const suggest *s)
{
    return s->best;
}
