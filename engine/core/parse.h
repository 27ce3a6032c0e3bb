/*
** parse.h -- text to number and bool, shared by the CSV and SQLite loaders and filters.
**
** All functions take a (pointer, length) pair, need no NUL terminator, never call
** setlocale-dependent code (strtod is avoided for the common forms), and return
**   0            the text is a value of that kind, *out set
**   PARSE_SYNTAX the text is not of that kind
**   PARSE_RANGE  the text is of that kind but does not fit (int64 overflow, 1e309,
**                more fraction digits than the scale allows)
** Leading/trailing spaces are not accepted (the loaders trim when they mean to).
*/
#ifndef KPI_PARSE_H
#define KPI_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define PARSE_SYNTAX 1
#define PARSE_RANGE  2

/* [+-]digits */
int parse_int64(const char *s, size_t len, int64_t *out);
/*
** [+-]digits[mark digits] with no exponent; *out = value * 10^(*scale), *scale = number
** of fraction digits written (PARSE_RANGE when over DECIMAL_MAX_SCALE or overflow).
*/
int parse_decimal(const char *s, size_t len, char mark, int64_t *out, int *scale);
/* As parse_decimal but scaled to exactly `scale` digits (fewer are padded; more is PARSE_RANGE). */
int parse_decimal_at(const char *s, size_t len, char mark, int scale, int64_t *out);
/* [+-]digits[mark digits][(e|E)[+-]digits]; finite results only (1e309 is PARSE_RANGE). */
int parse_double(const char *s, size_t len, char mark, double *out);
/* true/false, TRUE/FALSE, True/False, yes/no (any case) -> 1/0. */
int parse_bool(const char *s, size_t len, uint8_t *out);

#endif
