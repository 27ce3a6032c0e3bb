/*
** cli.h -- what the subcommands of the kpiengine command line share: exit codes,
** option matching, error reporting and writing the output.
**
** Exit codes (DESIGN section 4): 0 done; 1 a KPI below its minimum (only with
** --fail-below); 2 usage (bad option, missing argument, a file named on the command
** line that does not exist); 3 script error; 4 data error (malformed data, a file
** that cannot be read or written, out of memory). Messages go to stderr as
** "kpiengine: file:line:column: message"; data goes to stdout or to -o FILE, which
** is replaced atomically so a failed run never leaves a half-written report.
*/
#ifndef KPI_CLI_H
#define KPI_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "core/kpi_error.h"

enum { EXIT_DONE = 0, EXIT_BELOW = 1, EXIT_USAGE = 2, EXIT_SCRIPT = 3, EXIT_DATA = 4 };

/* Print the whole --help text to stdout. */
void cli_help(void);

/* Print "kpiengine: <message>" and the hint to --help; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print an engine error and map its kind to the exit code. */
int engine_error(const kpi_error *err);
double seconds_now(void);

/*
** Match argv[*i] against option `name` that takes a value, as "name VALUE" or
** "name=VALUE". Returns 1 and sets *value (advancing *i) on a match, 0 when argv[*i]
** is another option, -1 after reporting a missing value.
*/
int take_value(int argc, char **argv, int *i, const char *name, const char **value);
/* Match a flag (an option without a value). 1 on a match, 0 if not, -1 after an error. */
int take_flag(const char *arg, const char *name, int *flag);
/* A file named on the command line must exist and be a regular file. */
int check_input_file(const char *path, const char *what);
/* The --data option, when given (dir not NULL), must name a directory. */
int check_data_dir(const char *dir);

/* Write text to path (replaced atomically) or, for NULL or "-", to stdout. */
int write_output(const char *path, const char *text, size_t len);

/*
** Whether to colour what goes to output (NULL or "-": stdout): only on a terminal, never
** with --no-color (no_color), a non-empty NO_COLOR, TERM=dumb or into a file.
*/
int cli_use_color(int no_color, const char *output);
/*
** The progress line of long loads (rules_options.progress): on stderr, only when it is
** a terminal, for each file whose load has taken over a second (KPIENGINE_PROGRESS_AFTER
** seconds when set; several files load at once), erased when the loads end. May be
** called from any thread. cli_show_progress says whether to ask.
*/
int cli_show_progress(void);
void cli_progress(const char *path, double fraction, void *arg);
/* Today in the local time zone, as days since 1970-01-01: what "due" and "to date" mean. */
int32_t cli_today(void);
/* The ISO date text given to option opt into *day: EXIT_DONE, or EXIT_USAGE after saying why. */
int parse_day_option(const char *opt, const char *text, int32_t *day);
/*
** The results store of rule set `file` when --db is not given: .kpiengine/results.db in
** the rule set's folder. Into out (size bytes).
*/
void default_db_path(const char *file, char *out, size_t size);
/*
** The column cache's folder when --cache is not given: $XDG_CACHE_HOME/kpiengine, else
** ~/.cache/kpiengine, into out; NULL (no cache) when neither is known.
*/
const char *default_cache_dir(char *out, size_t size);

/* The subcommands: argv holds what follows the command's name. */
int cmd_run(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_doc(int argc, char **argv);

#endif
