/*
** kpi_error.h -- the error value every core function fills instead of printing.
**
** A core function that can fail takes a caller-owned `kpi_error *` and returns a
** status (0 = ok) or NULL. On failure it fills the error with what went wrong and
** where: the file, a 1-based line and column (0 when not meaningful), and a message
** written for a person ("expected 6 fields, found 5"). Only engine/cli prints errors
** and decides the exit code, from `kind`.
*/
#ifndef KPI_ERROR_H
#define KPI_ERROR_H

typedef enum kpi_error_kind {
    KPI_OK = 0,
    KPI_EDATA,   /* the data is malformed or does not fit its declared type */
    KPI_EIO,     /* a file cannot be opened, read or mapped */
    KPI_ENOMEM,  /* out of memory */
    KPI_EUSAGE,  /* the caller asked for something impossible (unknown column, bad option) */
    KPI_ERANGE,  /* a value or a sum overflows its type */
    KPI_ESCRIPT  /* a rule set (Lua) is wrong: syntax, runtime error, limit hit */
} kpi_error_kind;

typedef struct kpi_error {
    kpi_error_kind kind;
    char file[512]; /* empty when the error is not about a file */
    long line;      /* 1-based, 0 = unknown */
    long column;    /* 1-based, 0 = unknown */
    char message[512];
} kpi_error;

/* Clear an error to "no error". */
void kpi_error_clear(kpi_error *err);

/*
** Fill err (if not NULL) with a kind, a position and a printf-style message.
** file may be NULL. Always returns -1 so that `return kpi_error_set(...)` reads well.
*/
int kpi_error_set(kpi_error *err, kpi_error_kind kind, const char *file, long line, long column,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
** Format err as "file:line:column: message" (omitting what is unknown) into buf.
** Returns buf.
*/
const char *kpi_error_format(const kpi_error *err, char *buf, unsigned long size);

#endif
