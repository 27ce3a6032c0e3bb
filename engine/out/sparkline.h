/*
** sparkline.h -- a series of numbers as one line of text: "▁▃▅█▆", a block per value
** from its height between the series' smallest and largest value.
**
** Eight heights, U+2581 "▁" (the smallest value) to U+2588 "█" (the largest); a
** value that is missing (not finite, or has[i] == 0) is "·" so gaps stay visible. A
** series whose values are all equal is drawn at mid height ("▄"). Every glyph is one
** terminal column wide.
*/
#ifndef KPI_SPARKLINE_H
#define KPI_SPARKLINE_H

#include <stddef.h>

/*
** The sparkline of values[0..n) into buf (size bytes; 3 bytes per value and the NUL),
** has (may be NULL) saying which values exist. Values that do not fit are left out.
** Returns buf.
*/
const char *sparkline(const double *values, const int *has, size_t n, char *buf, size_t size);

#endif
