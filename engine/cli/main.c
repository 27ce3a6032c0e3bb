/*
** main.c -- the kpiengine command line: dispatch to the subcommands (cli.h).
**
**   kpiengine run FILE.lua [options]    evaluate a rule set for one period or a review
**   kpiengine schedule FILE.lua          the reviews due between two dates
**   kpiengine history FILE.lua [KPI]     the values saved by past runs
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
    "       kpiengine schedule FILE.lua [--from DATE] [--to DATE] [--review NAME]\n"
    "       kpiengine history FILE.lua [KPI] [--last N] [--db FILE]\n"
    "       kpiengine inspect FILE.csv\n"
    "       kpiengine inspect FILE.db (--table T | --query SQL)\n"
    "       kpiengine --help | --version\n"
    "\n"
    "run: evaluate every KPI of a rule set for one period and report it.\n"
    "  --period P          2024-08, 2024-Q3, 2024-W35, 2024 or 2024-08-01..2024-08-15\n"
    "                      (default: the latest complete period of the data)\n"
    "  --data DIR          read the sources' files under DIR instead of the rule set's folder\n"
    "  --format F          table (default), json, csv, md or html\n"
    "  --lang L            vi or en: labels and number formats (default: the rule set's locale)\n"
    "  -o, --output FILE   write the report to FILE (replaced atomically) instead of stdout\n"
    "  --fail-below        exit 1 when a KPI is below its minimum\n"
    "  --as-of DATE        the day the run stands on (default: today): a period not over by\n"
    "                      then counts its days up to DATE only (value to date, with the\n"
    "                      run-rate projection of additive KPIs and whether they are on pace);\n"
    "                      without --period, the period (at the rule set's grain) holding DATE\n"
    "  --review NAME       only the KPIs of review NAME, for the latest period its schedule\n"
    "                      has made due by --as-of (or --period); a campaigns review evaluates\n"
    "                      each campaign before, during and after it\n"
    "  --campaign NAME     with a campaigns review: that campaign only\n"
    "  --db FILE           the results store (default: .kpiengine/results.db beside the rule\n"
    "                      set); every run is appended to it, and previous values come from it\n"
    "  --no-save           do not write the run into the store\n"
    "  --no-color          no colours (also off when NO_COLOR is set or stdout is not a terminal)\n"
    "  --verbose           timings on stderr and engine frames in script tracebacks\n"
    "  Options also take the form --option=value.\n"
    "\n"
    "schedule: list the reviews due from --from (default: today) to --to (default: 30 days\n"
    "  later), each with the period it reviews; --review NAME lists one review only.\n"
    "  Also --data DIR, --format table|json, -o FILE.\n"
    "\n"
    "history: the values and statuses saved by past runs of the rule set, period by\n"
    "  period, with a sparkline; KPI shows one KPI, --last N the newest N periods, --db FILE\n"
    "  another store. Also --format table|json, -o FILE.\n"
    "\n"
    "inspect: load a CSV file, or a SQLite table or query, and describe it: rows, load\n"
    "  time, memory against the file size, and per column its type, nulls, distinct\n"
    "  strings and the range of numbers and dates.\n"
    "\n"
    "exit codes: 0 done, 1 a KPI below its minimum (with --fail-below), 2 usage,\n"
    "            3 script error, 4 data error\n";

int main(int argc, char **argv)
{
    if (argc < 2) return usage_error("missing a command (run, schedule, history or inspect)");
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
    if (strcmp(cmd, "schedule") == 0) return cmd_schedule(argc - 2, argv + 2);
    if (strcmp(cmd, "history") == 0) return cmd_history(argc - 2, argv + 2);
    if (cmd[0] == '-') return usage_error("unknown option '%s'", cmd);
    return usage_error("unknown command '%s'", cmd);
}
