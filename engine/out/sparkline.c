/*
** sparkline.c -- numbers as block characters; see sparkline.h.
*/
#include "out/sparkline.h"

#include <math.h>
#include <string.h>

static const char *const blocks[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
#define GAP "·"

static int present(const double *values, const int *has, size_t i)
{
    return (!has || has[i]) && isfinite(values[i]);
}

const char *sparkline(const double *values, const int *has, size_t n, char *buf, size_t size)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!present(values, has, i)) continue;
        lo = fmin(lo, values[i]);
        hi = fmax(hi, values[i]);
    }
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *glyph = GAP;
        if (present(values, has, i)) {
            int level = 3; /* all values equal: mid height */
            if (hi > lo) level = (int)lround((values[i] - lo) / (hi - lo) * 7.0);
            glyph = blocks[level < 0 ? 0 : level > 7 ? 7 : level];
        }
        size_t len = strlen(glyph);
        if (used + len + 1 > size) break;
        memcpy(buf + used, glyph, len);
        used += len;
        buf[used] = '\0';
    }
    return buf;
}
