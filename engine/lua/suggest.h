/*
** suggest.h -- "did you mean ...?" for names a rule set gets wrong.
**
** The caller feeds the candidates one by one (column names, field names, method
** names) and gets back the closest one, or NULL when none is close enough to be a
** plausible typo. Closeness is the Levenshtein distance with letters compared
** without case, so "Amount" suggests "amount", and a swap of two neighbouring letters
** counting as one edit, so "nmae" suggests "name". Nothing is allocated: a suggest
** value lives on the caller's stack and borrows the candidate strings.
*/
#ifndef KPI_SUGGEST_H
#define KPI_SUGGEST_H

#include <stddef.h>

/* Names longer than this are never suggested nor matched (the distance rows are on the stack). */
#define SUGGEST_MAX_LEN 64

typedef struct suggest {
    const char *word; /* what the user wrote */
    size_t len;
    const char *best; /* closest candidate so far, NULL when none qualifies */
    size_t best_dist;
} suggest;

/* Start looking for names close to word (borrowed until the last call). */
void suggest_init(suggest *s, const char *word);
/* Consider one candidate (borrowed); the first of equally close candidates wins. */
void suggest_add(suggest *s, const char *candidate);
/*
** The closest candidate, or NULL when none is close: a distance of at most 1 for
** words up to 4 letters, 2 up to 8, 3 beyond, and always less than the word's length.
** An exact match (same bytes) is not a suggestion.
*/
const char *suggest_result(const suggest *s);
/*
** Edit distance between a and b (insertions, deletions, substitutions and swaps of two
** neighbouring letters), letters compared without case; SIZE_MAX when either is too long.
*/
size_t suggest_distance(const char *a, const char *b);

#endif
