/*
** cmd_init.c -- `kpiengine init DIR --template retail|b2b`: a new client folder that
** runs at once:
**
**   DIR/<template>.lua     the sample rule set (kpis/<template>.lua)
**   DIR/<template>.test.lua  its test cases, when the sample has them
**   DIR/lib/NAME.lua       the shared formulas (every kpis/lib/NAME.lua)
**   DIR/data/<template>/   sample data, two years of it
**   DIR/README.md          how to run, check and test it
**
** The binary needs nothing from the source tree: the rule sets are embedded at build
** time (init_templates.h, made by CMakeLists.txt), and the sample data comes from the
** same deterministic generator as kpis/data (scripts/gendata*.c, the kpigendata
** library) with the same seeds, so it is byte for byte the committed sample.
**
** The folder is built under DIR.tmp-XXXXXX beside DIR and renamed to DIR at the end:
** a failure removes the temporary folder and leaves nothing half made. DIR may exist
** only when empty.
*/
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gendata.h"
#include "init_templates.h"
#include "lua/suggest.h"

/* The sizes and seed of scripts/gen-sample: the sample data equals kpis/data. */
#define SAMPLE_SEED   20240601
#define RETAIL_ORDERS 16000
#define B2B_DEALS     1500
#define INIT_PATH_MAX 4096

typedef struct init_template {
    const char *name;
    const char *what; /* for the README */
    int (*generate)(const char *dir, uint64_t n, uint64_t seed);
    uint64_t rows;
} init_template;

static const init_template TEMPLATES[] = {
    {"retail", "an online shop (orders, marketing spend, leads, web sessions, surveys)", gen_retail,
     RETAIL_ORDERS},
    {"b2b", "a B2B software vendor (deals, pipeline, leads, spend, surveys)", gen_b2b, B2B_DEALS},
};

static const char README[] =
    "# KPIs of a %s client\n"
    "\n"
    "A kpiengine rule set made by `kpiengine init --template %s`: %s.\n"
    "\n"
    "- `%s.lua`: the rule set: where the data is, the KPIs with their minimum and target,\n"
    "  who owns them and when they are reviewed. Adapt it to the client.\n"
    "- `%s.test.lua`: test cases: small data with the values the KPIs must give.\n"
    "- `lib/*.lua`: formulas shared by rule sets (`require \"marketing\"`).\n"
    "- `data/%s/`: sample data for 2023 and 2024. Replace the files with the client's\n"
    "  exports (same columns), or keep them elsewhere and pass `--data DIR`.\n"
    "\n"
    "## Run\n"
    "\n"
    "From this folder:\n"
    "\n"
    "    kpiengine run %s.lua                         # the latest complete month\n"
    "    kpiengine run %s.lua --period 2024-06        # a month, 2024-Q2, 2024-W23 or 2024\n"
    "    kpiengine run %s.lua --format html -o report.html\n"
    "    kpiengine run %s.lua --owner \"NAME\"          # one owner's KPIs only\n"
    "    kpiengine run %s.lua --review monthly        # what the monthly review looks at\n"
    "\n"
    "Every run is saved in `.kpiengine/results.db` (`--no-save` to skip it);\n"
    "`kpiengine history %s.lua` shows the values period by period.\n"
    "\n"
    "## Check and test\n"
    "\n"
    "    kpiengine check %s.lua     # every source, column and KPI, without running a report\n"
    "    kpiengine test %s.lua      # the cases of the test file, on their own small data\n"
    "\n"
    "## The language\n"
    "\n"
    "    kpiengine doc kpi          # one entry of the reference: kpi, View:sum, Period.label\n"
    "    kpiengine doc --markdown   # the whole reference manual\n"
    "    kpiengine doc --meta > kpiengine.meta.lua   # completion in editors "
    "(lua-language-server)\n";

/* ---- files ---------------------------------------------------------------------------- */

static int write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "kpiengine: init: cannot write '%s': %s\n", path, strerror(errno));
        return EXIT_DATA;
    }
    int failed = fwrite(text, 1, len, f) != len;
    if (fclose(f) != 0) failed = 1;
    if (failed) {
        fprintf(stderr, "kpiengine: init: write error on '%s'\n", path);
        return EXIT_DATA;
    }
    return EXIT_DONE;
}

/* dir/rel into dst; EXIT_DATA after a message when too long. */
static int join_path(char *dst, size_t size, const char *dir, const char *rel)
{
    int n = snprintf(dst, size, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "kpiengine: init: path too long: %s/%s\n", dir, rel);
        return EXIT_DATA;
    }
    return EXIT_DONE;
}

static int make_folder(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return EXIT_DONE;
    fprintf(stderr, "kpiengine: init: cannot create '%s': %s\n", path, strerror(errno));
    return EXIT_DATA;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove a folder and everything in it (the temporary folder after a failure). */
static void remove_tree(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* 1 when path does not exist or is an empty folder, 0 otherwise (a message printed). */
static int usable_target(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return errno == ENOENT;
    DIR *d = S_ISDIR(st.st_mode) ? opendir(path) : NULL;
    if (!d) return 0;
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* ---- the folder ---------------------------------------------------------------------------- */

/* The rule set, its test cases (x.test.lua) and lib/, from the embedded templates. */
static int write_rules(const char *dir, const init_template *t)
{
    char path[INIT_PATH_MAX], want[64], cases[64];
    snprintf(want, sizeof want, "%s.lua", t->name);
    snprintf(cases, sizeof cases, "%s.test.lua", t->name);
    int rc = join_path(path, sizeof path, dir, "lib");
    if (rc == EXIT_DONE) rc = make_folder(path);
    for (size_t i = 0; rc == EXIT_DONE && i < sizeof init_templates / sizeof *init_templates; i++) {
        const char *rel = init_templates[i].path;
        if (strcmp(rel, want) != 0 && strcmp(rel, cases) != 0 && strncmp(rel, "lib/", 4) != 0)
            continue;
        rc = join_path(path, sizeof path, dir, rel);
        if (rc == EXIT_DONE) rc = write_file(path, init_templates[i].text, init_templates[i].len);
    }
    return rc;
}

static int write_readme(const char *dir, const init_template *t)
{
    char path[INIT_PATH_MAX];
    char text[sizeof README + 1024];
    const char *n = t->name;
    int len = snprintf(text, sizeof text, README, n, n, t->what, n, n, n, n, n, n, n, n, n, n, n);
    if (len < 0 || (size_t)len >= sizeof text) return EXIT_DATA;
    int rc = join_path(path, sizeof path, dir, "README.md");
    return rc == EXIT_DONE ? write_file(path, text, (size_t)len) : rc;
}

static int write_data(const char *dir, const init_template *t)
{
    char data[INIT_PATH_MAX], rel[64];
    snprintf(rel, sizeof rel, "data/%s", t->name);
    int rc = join_path(data, sizeof data, dir, "data");
    if (rc == EXIT_DONE) rc = make_folder(data);
    if (rc == EXIT_DONE) rc = join_path(data, sizeof data, dir, rel);
    if (rc != EXIT_DONE) return rc;
    if (t->generate(data, t->rows, SAMPLE_SEED) != 0) {
        fprintf(stderr, "kpiengine: init: cannot write the sample data into '%s'\n", data);
        return EXIT_DATA;
    }
    return EXIT_DONE;
}

/*
** Build the folder under a temporary name beside target, then rename it to target
** (rename replaces an empty folder of that name).
*/
static int build_folder(const char *target, const init_template *t)
{
    char tmp[INIT_PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", target);
    if (n < 0 || (size_t)n >= sizeof tmp) return usage_error("init: path too long: %s", target);
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "kpiengine: init: cannot create a folder beside '%s': %s\n", target,
                strerror(errno));
        return EXIT_DATA;
    }
    chmod(tmp, 0755); /* mkdtemp makes it private; a client folder is an ordinary one */
    int rc = write_rules(tmp, t);
    if (rc == EXIT_DONE) rc = write_data(tmp, t);
    if (rc == EXIT_DONE) rc = write_readme(tmp, t);
    if (rc == EXIT_DONE && rename(tmp, target) != 0) {
        fprintf(stderr, "kpiengine: init: cannot create '%s': %s\n", target, strerror(errno));
        rc = EXIT_DATA;
    }
    if (rc != EXIT_DONE) remove_tree(tmp);
    return rc;
}

/* ---- the command ---------------------------------------------------------------------------- */

static const init_template *find_template(const char *name)
{
    suggest s;
    suggest_init(&s, name);
    for (size_t i = 0; i < sizeof TEMPLATES / sizeof *TEMPLATES; i++) {
        if (strcmp(TEMPLATES[i].name, name) == 0) return &TEMPLATES[i];
        suggest_add(&s, TEMPLATES[i].name);
    }
    if (suggest_result(&s))
        usage_error("init: unknown template '%s' (did you mean '%s'?)", name, suggest_result(&s));
    else
        usage_error("init: unknown template '%s' (retail or b2b)", name);
    return NULL;
}

static int parse_init_args(int argc, char **argv, const char **dir, const char **tmpl, int *help)
{
    *dir = *tmpl = NULL;
    *help = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int r;
        if (arg[0] == '-' && arg[1]) {
            if ((r = take_value(argc, argv, &i, "--template", tmpl)) ||
                (r = take_flag(arg, "--help", help)) || (r = take_flag(arg, "-h", help))) {
                if (r < 0) return EXIT_USAGE;
                continue;
            }
            return usage_error("init: unknown option '%s'", arg);
        }
        if (*dir) return usage_error("init: one folder expected, got '%s' and '%s'", *dir, arg);
        *dir = arg;
    }
    if (*help) return EXIT_DONE;
    if (!*dir)
        return usage_error("init: missing the folder (kpiengine init DIR --template retail)");
    if (!*tmpl) return usage_error("init: missing --template (retail or b2b)");
    return EXIT_DONE;
}

int cmd_init(int argc, char **argv)
{
    const char *dir, *tmpl;
    int help;
    int rc = parse_init_args(argc, argv, &dir, &tmpl, &help);
    if (rc != EXIT_DONE || help) {
        if (help) cli_help();
        return rc;
    }
    const init_template *t = find_template(tmpl);
    if (!t) return EXIT_USAGE;
    char target[INIT_PATH_MAX];
    snprintf(target, sizeof target, "%s", dir);
    for (size_t len = strlen(target); len > 1 && target[len - 1] == '/'; len--)
        target[len - 1] = '\0'; /* "DIR/" names DIR; the temporary folder goes beside it */
    if (!usable_target(target))
        return usage_error("init: '%s' exists and is not an empty folder; choose a new one", dir);
    if ((rc = build_folder(target, t)) != EXIT_DONE) return rc;
    printf("Created %s (template %s). Try:\n  kpiengine run %s/%s.lua\n", target, t->name, target,
           t->name);
    return EXIT_DONE;
}
