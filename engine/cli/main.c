/*
** main.c -- the kpiengine command line: dispatch to the subcommands (cli.h).
**
**   kpiengine run FILE.lua [options]    evaluate a rule set for one period
**   kpiengine inspect FILE.csv | FILE.db (--table T | --query SQL)
**   kpiengine --help | --version
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef KPI_VERSION
#define KPI_VERSION "0"
#endif

const char cli_usage_text[] =
    "usage: kpiengine run FILE.lua [options]\n"
    "       kpiengine inspect FILE.csv\n"
    "       kpiengine inspect FILE.db (--table T | --query SQL)\n"
    "       kpiengine --help | --version\n"
    "\n"
    "run: evaluate every KPI of a rule set for one period and report it.\n"
    "  --period P          2024-08, 2024-Q3, 2024-W35, 2024 or 2024-08-01..2024-08-15\n"
    "                      (default: the latest complete period of the data)\n"
    "  --data DIR          read the sources' files under DIR instead of the rule set's folder\n"
    "  --format F          table (default) or json\n"
    "  --lang L            vi or en: labels and number formats (default: the rule set's locale)\n"
    "  -o, --output FILE   write the report to FILE (replaced atomically) instead of stdout\n"
    "  --fail-below        exit 1 when a KPI is below its minimum\n"
    "  --no-color          no colours (also off when NO_COLOR is set or stdout is not a terminal)\n"
    "  --verbose           timings on stderr and engine frames in script tracebacks\n"
    "  Options also take the form --option=value.\n"
    "\n"
    "inspect: load a CSV file, or a SQLite table or query, and describe it: rows, load\n"
    "  time, memory against the file size, and per column its type, nulls, distinct\n"
    "  strings and the range of numbers and dates.\n"
    "\n"
    "exit codes: 0 done, 1 a KPI below its minimum (with --fail-below), 2 usage,\n"
    "            3 script error, 4 data error\n";

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("missing a command (run or inspect)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("kpiengine %s\n", KPI_VERSION);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(cli_usage_text, stdout);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "inspect") == 0) return cmd_inspect(argc - 2, argv + 2);
    if (cmd[0] == '-') return usage_error("unknown option '%s'", cmd);
    return usage_error("unknown command '%s'", cmd);
}
