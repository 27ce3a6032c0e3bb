/*
** main.c -- the kpiengine command line: dispatch to the subcommands (cli.h).
**
**   kpiengine run FILE.lua [options]    evaluate a rule set for one period or a review
**   kpiengine schedule FILE.lua          the reviews due between two dates
**   kpiengine history FILE.lua [KPI]     the values saved by past runs
**   kpiengine inspect FILE.csv | FILE.db (--table T | --query SQL)
**   kpiengine check FILE.lua             every problem of a rule set, without a report
**   kpiengine init DIR --template T      a new client folder from a template
**   kpiengine test FILE.lua              the rule set's test cases (FILE.test.lua)
**   kpiengine diff A.lua B.lua           what differs between two rule sets
**   kpiengine doc [NAME]                 the reference of the rule-set language
**   kpiengine --help | --version
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef KPI_VERSION
#define KPI_VERSION "0"
#endif

/* The --help text, in parts: C limits the length of one string literal. */
static const char *const usage_parts[] = {
    "usage: kpiengine run FILE.lua [options]\n"
    "       kpiengine schedule FILE.lua [--from DATE] [--to DATE] [--review NAME]\n"
    "       kpiengine history FILE.lua [KPI] [--last N] [--db FILE]\n"
    "       kpiengine inspect FILE.csv\n"
    "       kpiengine inspect FILE.db (--table T | --query SQL)\n"
    "       kpiengine check FILE.lua [--data DIR]\n"
    "       kpiengine init DIR --template retail|b2b\n"
    "       kpiengine test FILE.lua | FILE.test.lua [--data DIR] [--verbose]\n"
    "       kpiengine diff A.lua B.lua [--data DIR] [--period P] [--format table|json] [-o FILE]\n"
    "       kpiengine doc [NAME | --markdown | --meta] [-o FILE]\n"
    "       kpiengine --help | --version\n"
    "\n",
    "run: evaluate every KPI of a rule set for one period and report it.\n"
    "  --period P          2024-08, 2024-Q3, 2024-W35, 2024 or 2024-08-01..2024-08-15\n"
    "                      (default: the latest complete period of the data)\n"
    "  --data DIR          read the sources' files under DIR instead of the rule set's folder\n"
    "  --format F          table (default), json, csv, md or html\n"
    "  --lang L            vi or en: labels and number formats (default: the rule set's locale)\n"
    "  -o, --output FILE   write the report to FILE (replaced atomically) instead of stdout\n"
    "  --fail-below        exit 1 when a KPI is below its minimum\n"
    "  --owner NAME        only the KPIs whose owner is NAME (exactly as in the rule set)\n"
    "  --rejects FILE      the rows sources with on_error = \"skip\" left out, as CSV\n"
    "                      (source,file,line,column,message)\n"
    "  --cache DIR         the column cache: tables of unchanged files are mapped from DIR\n"
    "                      instead of parsed (default: $XDG_CACHE_HOME/kpiengine, else\n"
    "                      ~/.cache/kpiengine)\n"
    "  --no-cache          read every source from its file, and cache nothing\n"
    "  --verify-cache      also check every cached value against its checksum (a cache\n"
    "                      file's header and layout are always checked)\n"
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
    "\n",
    "schedule: list the reviews due from --from (default: today) to --to (default: 30 days\n"
    "  later), each with the period it reviews; --review NAME lists one review only.\n"
    "  Also --data DIR, --format table|json, -o FILE.\n"
    "\n"
    "history: the values and statuses saved by past runs of the rule set, period by\n"
    "  period, with a sparkline; KPI shows one KPI, --last N the newest N periods, --db FILE\n"
    "  another store. Also --format table|json, -o FILE.\n"
    "\n",
    "check: load a rule set and its sources without running the report, evaluate each KPI\n"
    "  once, and list every problem as file:line: error|warning: message (unknown fields,\n"
    "  globals, columns, KPIs and reviews with \"did you mean\"; missing fields; levels in\n"
    "  the wrong order; units that do not fit; sources that cannot be read), then a\n"
    "  summary. Exit 0 without errors (warnings alone pass), 3 for a rule-set error, 4\n"
    "  when a source cannot be read. Also --data DIR.\n"
    "\n"
    "init: a new client folder DIR (new, or an empty folder) from a template, retail or\n"
    "  b2b: the rule set, its test cases, lib/*.lua, two years of sample data under data/\n"
    "  and a README.md; `kpiengine run DIR/retail.lua` works at once.\n"
    "\n"
    "test: run the test cases of a rule set; those of kpis/retail.lua live in\n"
    "  kpis/retail.test.lua (name either file). Each test \"name\" { period, as_of, data,\n"
    "  expect, tolerance } replaces the sources named in data with inline rows or a fixture\n"
    "  file (other sources keep their real data), evaluates every KPI as run --as-of does and\n"
    "  checks expect. Prints PASS or FAIL per case, then \"N passed, N failed\".\n"
    "  Exit 0 all passed, 1 a case failed, 3 an error in the test file. Also --data DIR.\n"
    "\n"
    "diff: what differs between two rule sets: KPIs added or removed, changed fields and\n"
    "  formulas (both file:line ranges), sources and reviews. With --data DIR or --period P,\n"
    "  also each KPI's value and status in both for that period (default period: A's latest\n"
    "  complete one). Exit 0 the same, 1 they differ (as diff(1)). Also --format, -o FILE.\n"
    "\n"
    "doc: the reference of the rule-set language. NAME shows one entry (kpi, kpi.target,\n"
    "  View:sum, Period.label; a bare name such as target shows every entry ending in it);\n"
    "  --markdown the whole manual, --meta annotations for lua-language-server; without\n"
    "  arguments, the list of names. -o FILE writes to FILE.\n"
    "\n",
    "inspect: load a CSV file, or a SQLite table or query, and describe it: rows, load\n"
    "  time, memory against the file size, and per column its type, nulls, distinct\n"
    "  strings and the range of numbers and dates.\n"
    "\n"
    "exit codes: 0 done, 1 a KPI below its minimum (with --fail-below), 2 usage,\n"
    "            3 script error, 4 data error\n",
};

void cli_help(void)
{
    for (size_t i = 0; i < sizeof usage_parts / sizeof *usage_parts; i++)
        fputs(usage_parts[i], stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing a command (run, check, test, diff, schedule, history, init, "
                           "doc or inspect)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("kpiengine %s\n", KPI_VERSION);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_help();
        return EXIT_DONE;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "inspect") == 0) return cmd_inspect(argc - 2, argv + 2);
    if (strcmp(cmd, "schedule") == 0) return cmd_schedule(argc - 2, argv + 2);
    if (strcmp(cmd, "history") == 0) return cmd_history(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "init") == 0) return cmd_init(argc - 2, argv + 2);
    if (strcmp(cmd, "test") == 0) return cmd_test(argc - 2, argv + 2);
    if (strcmp(cmd, "diff") == 0) return cmd_diff(argc - 2, argv + 2);
    if (strcmp(cmd, "doc") == 0) return cmd_doc(argc - 2, argv + 2);
    if (cmd[0] == '-') return usage_error("unknown option '%s'", cmd);
    return usage_error("unknown command '%s'", cmd);
}
