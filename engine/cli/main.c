/*
** main.c -- the kpiengine command line: subcommands, options and exit codes.
**
** Exit codes: 0 done; 1 a KPI below its minimum (only with --fail-below); 2 usage;
** 3 script error; 4 data error. Messages go to stderr, data to stdout.
*/
#include <stdio.h>
#include <string.h>

#include "core/inspect.h"

#ifndef KPI_VERSION
#define KPI_VERSION "0"
#endif

enum { EXIT_DONE = 0, EXIT_BELOW = 1, EXIT_USAGE = 2, EXIT_SCRIPT = 3, EXIT_DATA = 4 };

static void usage(FILE *f)
{
    fprintf(f, "usage: kpiengine --version\n"
               "       kpiengine inspect FILE.csv|FILE.db [--table T | --query SQL]\n");
}

static int cmd_inspect(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *table_name = NULL, *query = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--table") == 0 && i + 1 < argc) table_name = argv[++i];
        else if (strcmp(argv[i], "--query") == 0 && i + 1 < argc) query = argv[++i];
        else {
            fprintf(stderr, "kpiengine: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    kpi_error err;
    kpi_error_clear(&err);
    if (inspect_file(stdout, argv[0], table_name, query, &err) != 0) {
        char buf[1200];
        fprintf(stderr, "kpiengine: %s\n", kpi_error_format(&err, buf, sizeof buf));
        return err.kind == KPI_EUSAGE ? EXIT_USAGE : EXIT_DATA;
    }
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("kpiengine %s\n", KPI_VERSION);
        return EXIT_DONE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_DONE;
    }
    if (strcmp(argv[1], "inspect") == 0) return cmd_inspect(argc - 2, argv + 2);
    fprintf(stderr, "kpiengine: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
