/*
** textfmt.h -- text building blocks shared by the renderers: a growing text
** buffer, UTF-8 display width, JSON strings and numbers, and numbers as a person
** reads them in a table (thousands separators, units, percentages).
**
** A textbuf remembers the first allocation failure and ignores later writes, so a
** renderer appends freely and checks once, at textbuf_finish(). Nothing here
** depends on the C locale: separators and decimal marks are written explicitly.
*/
#ifndef KPI_TEXTFMT_H
#define KPI_TEXTFMT_H

#include <stddef.h>

typedef struct textbuf {
    char *data; /* NUL-terminated when not NULL */
    size_t len;
    size_t cap;
    int failed; /* 1 after an allocation failed: the content is incomplete */
} textbuf;

void textbuf_init(textbuf *b);
void textbuf_put(textbuf *b, const char *s, size_t n);
void textbuf_puts(textbuf *b, const char *s);
void textbuf_printf(textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append n copies of c. */
void textbuf_repeat(textbuf *b, char c, size_t n);
/*
** Hand over the text (kpi_free it) and its length; NULL (the buffer freed) when an
** allocation failed. An empty buffer gives "".
*/
char *textbuf_finish(textbuf *b, size_t *len);
void textbuf_free(textbuf *b);

/*
** Terminal columns that s[0..len) occupies: combining marks and zero-width
** characters count 0, East Asian wide and fullwidth characters 2, every other code
** point 1, and each byte of an invalid UTF-8 sequence 1.
*/
size_t text_width(const char *s, size_t len);

/*
** Append s as a JSON string (RFC 8259): quotes, backslash and control characters
** escaped (\n, \t, ... or \u00XX), valid UTF-8 copied, each invalid byte replaced by
** U+FFFD so the output stays valid. NULL appends null.
*/
void text_json_string(textbuf *b, const char *s);
/* Append a JSON number in its shortest round-tripping form; null when !has or not finite. */
void text_json_number(textbuf *b, int has, double v);
/*
** The shortest of "%.15g", "%.16g", "%.17g" that reads back as v (finite v), into buf
** (at least 32 bytes). Returns buf.
*/
const char *text_shortest(double v, char *buf, size_t size);

/*
** v rounded to `decimals` digits (0..6) with ',' every three integer digits:
** 1234567.891, 2 -> "1,234,567.89". Magnitudes from 1e18 print as "%.6g". Returns buf.
*/
const char *text_grouped(double v, int decimals, char *buf, size_t size);
/*
** A KPI value for a table cell, by unit: "count" -> integer ("1,235"); "%", "percent"
** and "ratio" hold fractions and print as percentages ("45.3%"); a currency (the
** report's currency or any three capital letters) -> "171,235 VND" with no decimals
** for currencies without minor units (VND, JPY, KRW, ...) and else 0 or 2; any other
** unit -> up to 2 decimals then the unit ("3.25 days"). Returns buf.
*/
const char *text_unit_value(double v, const char *unit, const char *currency, char *buf,
                            size_t size);
/* A change fraction as a signed percentage: -0.0987 -> "-9.9%", 0.5 -> "+50.0%". Returns buf. */
const char *text_change(double fraction, char *buf, size_t size);
/* A byte count for people: "812 B", "24.0 KiB", "3.4 MiB", "1.2 GiB". Returns buf. */
const char *text_bytes(double bytes, char *buf, size_t size);

#endif
