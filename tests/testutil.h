/*
** testutil.h -- helpers shared by the tests: temporary files, running commands, and
** the oracle (the sqlite3 command-line shell running SQL on the same data).
**
** Include after <cmocka.h>'s prerequisites; the helpers fail the current test
** (cmocka's fail_msg) on their own errors, so callers need not check.
*/
#ifndef KPI_TESTUTIL_H
#define KPI_TESTUTIL_H

#include <stddef.h>

/* A fresh per-process temporary directory (created on first use). */
const char *tu_tmpdir(void);
/* Write content (len bytes; len == (size_t)-1: strlen) to tu_tmpdir()/name; returns the path (static buffer rotated 8 ways). */
const char *tu_write_file(const char *name, const char *content, size_t len);
/* Path of a file in tests/data. */
const char *tu_data(const char *name);

/*
** Run a shell command; capture stdout and stderr (malloc'd, NUL-terminated; pass NULL
** to discard). Returns the exit status (128+signal when killed).
*/
int tu_run(const char *cmd, char **out, char **err);

/*
** The oracle: run the sqlite3 shell on `db` (a path, or ":memory:") with the dot
** commands in `setup` (may be NULL; e.g. ".import --csv orders.csv orders") and then
** `sql`; return the first column of the first row as a double. A NULL result
** returns NAN. Fails the test if sqlite3 fails.
*/
double tu_oracle(const char *db, const char *setup, const char *sql);
/* The same, returning the whole output text (malloc'd), rows separated by newlines, columns by '|'. */
char *tu_oracle_text(const char *db, const char *setup, const char *sql);

/*
** Free what tu_run / tu_oracle_text returned. Test files are built with UNIT_TESTING, where
** cmocka turns free() into its checking test_free(); these buffers come from the plain malloc.
*/
void tu_free(void *p);

/* Relative closeness: |a - b| <= tol * max(1, |a|, |b|). */
int tu_close(double a, double b, double tol);

#endif
