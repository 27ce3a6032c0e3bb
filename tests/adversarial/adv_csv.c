/*
** adv_csv.c -- hostile CSV sources through the real command line: broken structure
** (ragged rows, unterminated quotes, NUL bytes, invalid UTF-8), sizes (a 100 MB field,
** 100k columns, a header alone, an empty file), encodings and line ends (BOM, mixed
** CRLF/LF) and values (days that do not exist, integers past int64, 1e309, thousands
** separators).
**
** A broken file is a data error (exit 4) naming the file, the line and the column
** where the offending field starts; a value that only a declared type rejects is the
** same; a recovery (BOM skipped, CRLF/LF mixed, an undeclared column widened) must give
** the value reasoned out here. The big inputs are generated at run time and removed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "advutil.h"
#include "testutil.h"

#define QUICK 10.0
/* The generated 100 MB and 100k-column files: loading takes about two seconds. */
#define BIG 60.0

/*
** A rule set named name reading csv (line 2: source "o", time column "day", then
** fields), with KPI "k" (lines 3-4) whose value is expr over `o` and the period `p`.
*/
static const char *csv_rules(const char *name, const char *csv, const char *fields,
                             const char *expr)
{
    char body[2048];
    snprintf(body, sizeof body,
             "local o = source \"o\" { csv = \"%s\", time = \"day\"%s }\n"
             "kpi \"k\" { unit = \"count\", better = \"higher\", minimum = 1, target = 2,\n"
             "  value = function(p) return %s end }\n",
             csv, fields ? fields : "", expr);
    return adv_rules(name, body);
}

/* Write csv (len bytes, or a C string) and run a rule set over it that must fail. */
static void csv_fails(const char *csv, const char *content, size_t len, const char *fields,
                      int code, const char *message)
{
    char rules[128];
    snprintf(rules, sizeof rules, "%.100s.lua", csv);
    tu_write_file(csv, content, len);
    adv_run_fails(csv_rules(rules, csv, fields, "o:during(p):count()"), "--period 2024-08", code,
                  message, QUICK);
}

/* The value of KPI k of a rule set over csv (content as csv_fails) for August 2024. */
static double csv_value(const char *csv, const char *content, size_t len, const char *fields,
                        const char *expr)
{
    char rules[128];
    snprintf(rules, sizeof rules, "%.100s.lua", csv);
    tu_write_file(csv, content, len);
    char *json = adv_run_json(csv_rules(rules, csv, fields, expr), "--period 2024-08", QUICK);
    double v = adv_kpi_value(json, "k");
    tu_free(json);
    return v;
}

#define TEXT ((size_t)-1)

/* ---- structure ------------------------------------------------------------------------- */

static void test_adv_csv_ragged_rows_name_line_and_column(void **state)
{
    (void)state;
    csv_fails("ragged_short.csv", "day,amount\n2024-08-01,5\n2024-08-02\n", TEXT, NULL, ADV_DATA,
              "ragged_short.csv:3:1: source 'o': expected 2 fields, found 1");
    csv_fails("ragged_long.csv", "day,amount\n2024-08-01,5,7\n", TEXT, NULL, ADV_DATA,
              "ragged_long.csv:2:14: source 'o': expected 2 fields, found 3");
}

static void test_adv_csv_unterminated_quote_names_where_it_opened(void **state)
{
    (void)state;
    csv_fails("unterminated.csv", "day,amount\n2024-08-01,\"5\n2024-08-02,6\n", TEXT, NULL,
              ADV_DATA,
              "unterminated.csv:2:12: source 'o': unterminated quoted field (opened here)");
    csv_fails("unterminated_eof.csv", "day,amount\n2024-08-01,5\n\"2024-08-02,6", TEXT, NULL,
              ADV_DATA,
              "unterminated_eof.csv:3:1: source 'o': unterminated quoted field (opened here)");
}

static void test_adv_csv_nul_byte_names_its_field(void **state)
{
    (void)state;
    static const char data[] = "day,amount\n2024-08-01,5\n2024-08-02,6\0007\n";
    csv_fails("nul.csv", data, sizeof data - 1, NULL, ADV_DATA,
              "nul.csv:3:12: source 'o': NUL byte in data");
}

static void test_adv_csv_invalid_utf8_names_its_field(void **state)
{
    (void)state;
    tu_write_file("bad_utf8.csv",
                  "day,amount,name\n2024-08-01,5,ab\n2024-08-02,6,a\xff"
                  "b\n",
                  TEXT);
    adv_run_fails(csv_rules("bad_utf8.lua", "bad_utf8.csv", NULL, "o:during(p):distinct \"name\""),
                  "--period 2024-08", ADV_DATA,
                  "bad_utf8.csv:3:14: source 'o': invalid UTF-8 in column 'name'", QUICK);
}

/* ---- sizes ----------------------------------------------------------------------------- */

static void test_adv_csv_100_mb_field_loads(void **state)
{
    (void)state;
    const char *path = adv_path("big_field.csv");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static char chunk[1 << 20];
    memset(chunk, 'x', sizeof chunk);
    fputs("day,amount,note\n2024-08-01,5,", f);
    for (int i = 0; i < 100; i++)
        assert_int_equal(fwrite(chunk, 1, sizeof chunk, f), sizeof chunk);
    fputs("\n2024-08-02,6,short\n2024-07-31,7,short\n", f);
    assert_int_equal(fclose(f), 0);
    const char *rules =
        csv_rules("big_field.lua", "big_field.csv", NULL,
                  "o:during(p):distinct \"note\" * 1000 + o:during(p):sum \"amount\"");
    char *json = adv_run_json(rules, "--period 2024-08", BIG);
    /* August: the 100 MB note and "short", amounts 5 + 6 */
    assert_true(adv_kpi_value(json, "k") == 2 * 1000 + 11);
    tu_free(json);
    unlink(path);
}

/* Write tu_tmpdir()/name: a header day,c0..c{n-1} and the rows of days, row r holding r * i in ci.
 */
static const char *write_wide(const char *name, int n, const char *const *days, int rows,
                              int short_row)
{
    const char *path = adv_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("day", f);
    for (int i = 0; i < n; i++)
        fprintf(f, ",c%d", i);
    for (int r = 0; r < rows; r++) {
        fprintf(f, "\n%s", days[r]);
        int fields = r + 1 == short_row ? n - 1 : n;
        for (int i = 0; i < fields; i++)
            fprintf(f, ",%d", (r + 1) * i);
    }
    fputc('\n', f);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void test_adv_csv_100k_columns_load(void **state)
{
    (void)state;
    static const char *const days[] = {"2024-08-01", "2024-08-02", "2024-09-01"};
    const char *path = write_wide("wide.csv", 100000, days, 3, 0);
    const char *rules = csv_rules("wide.lua", "wide.csv", NULL, "o:during(p):sum \"c99999\"");
    char *json = adv_run_json(rules, "--period 2024-08", BIG);
    assert_true(adv_kpi_value(json, "k") == 1 * 99999 + 2 * 99999); /* rows 1 and 2 */
    tu_free(json);
    unlink(path);
    path = write_wide("wide_ragged.csv", 100000, days, 3, 2);
    rules = csv_rules("wide_ragged.lua", "wide_ragged.csv", NULL, "o:during(p):sum \"c99999\"");
    adv_run_fails(rules, "--period 2024-08", ADV_DATA,
                  "wide_ragged.csv:3:1: source 'o': expected 100001 fields, found 100000", BIG);
    unlink(path);
}

static void test_adv_csv_header_only_is_an_empty_table(void **state)
{
    (void)state;
    assert_true(csv_value("header_only.csv", "day,amount\n", TEXT, NULL, "o:during(p):count()") ==
                0);
    /* no dates at all: no default period */
    adv_run_fails(adv_path("header_only.csv.lua"), "", ADV_DATA,
                  "header_only.csv.lua: the sources' time columns hold no dates", QUICK);
}

static void test_adv_csv_empty_file_is_a_data_error(void **state)
{
    (void)state;
    csv_fails("empty.csv", "", TEXT, NULL, ADV_DATA,
              "empty.csv: source 'o': the file is empty (no header line, no records)");
    csv_fails("bom_only.csv", "\xef\xbb\xbf\n\n", TEXT, NULL, ADV_DATA,
              "bom_only.csv: source 'o': the file is empty (no header line, no records)");
}

/* ---- encodings and line ends ------------------------------------------------------------ */

static void test_adv_csv_bom_is_skipped(void **state)
{
    (void)state;
    /* the first column is "day", not "\ufeffday": the time column is found */
    assert_true(csv_value("bom.csv",
                          "\xef\xbb\xbf"
                          "day,amount\n2024-08-01,5\n2024-08-02,6\n",
                          TEXT, NULL, "o:during(p):sum \"amount\"") == 11);
}

static void test_adv_csv_mixed_crlf_and_lf_are_fine(void **state)
{
    (void)state;
    /* and a last record without a line break, and a quoted CRLF inside a field */
    assert_true(csv_value("crlf.csv",
                          "day,amount,note\r\n2024-08-01,5,a\n2024-08-02,6,\"b\r\nc\"\r\n"
                          "2024-08-03,7,d",
                          TEXT, NULL,
                          "o:during(p):sum \"amount\" * 10 + o:during(p):distinct \"note\"") ==
                180 + 3);
}

/* ---- values ----------------------------------------------------------------------------- */

static void test_adv_csv_day_that_does_not_exist_names_its_field(void **state)
{
    (void)state;
    csv_fails("bad_date.csv", "day,amount\n2024-08-01,5\n2024-02-30,6\n", TEXT, NULL, ADV_DATA,
              "bad_date.csv:3:1: source 'o': time column 'day': '2024-02-30' is not a calendar "
              "day");
    /* a quoted line break and a blank line before it: the line is the file's, not the row's */
    csv_fails("bad_date_nl.csv", "amount,note,day\r\n5,\"a\nb\",2024-08-01\r\n\r\n6,c,2024-02-30\n",
              TEXT, NULL, ADV_DATA,
              "bad_date_nl.csv:5:5: source 'o': time column 'day': '2024-02-30' is not a calendar "
              "day");
    csv_fails("bad_date_decl.csv", "day,amount\n2024-08-01,5\n2024-02-30,6\n", TEXT,
              ", columns = { day = \"date\" }", ADV_DATA,
              "bad_date_decl.csv:3:1: source 'o': '2024-02-30' in column 'day' is not a calendar "
              "day");
}

static void test_adv_csv_integer_past_int64(void **state)
{
    (void)state;
    /* undeclared: the column widens to float (csv.h) */
    double v =
        csv_value("int_wide.csv", "day,amount\n2024-08-01,5\n2024-08-02,99999999999999999999\n",
                  TEXT, NULL, "o:during(p):sum \"amount\"");
    assert_true(tu_close(v, 1e20 + 5, 1e-12));
    csv_fails("int_decl.csv", "day,amount\n2024-08-01,5\n2024-08-02,99999999999999999999\n", TEXT,
              ", columns = { amount = \"int\" }", ADV_DATA,
              "int_decl.csv:3:12: source 'o': '99999999999999999999' in column 'amount' does not "
              "fit a 64-bit integer");
    /* each value fits, their sum does not: the KPI's error, at its line */
    tu_write_file("int_sum.csv", "day,amount\n2024-08-01,9223372036854775807\n2024-08-02,1\n",
                  TEXT);
    adv_run_fails(csv_rules("int_sum.lua", "int_sum.csv", NULL, "o:during(p):sum \"amount\""),
                  "--period 2024-08", ADV_SCRIPT,
                  "int_sum.lua:4: kpi 'k': sum: sum of 'amount' overflows", QUICK);
}

static void test_adv_csv_1e309_in_a_float_column_is_out_of_range(void **state)
{
    (void)state;
    csv_fails("e309_decl.csv", "day,amount\n2024-08-01,1.5\n2024-08-02,1e309\n", TEXT,
              ", columns = { amount = \"float\" }", ADV_DATA,
              "e309_decl.csv:3:12: source 'o': '1e309' in column 'amount' is out of range for a "
              "float");
    csv_fails("e309_neg_decl.csv", "day,amount\n2024-08-01,-1e309\n", TEXT,
              ", columns = { amount = \"float\" }", ADV_DATA,
              "e309_neg_decl.csv:2:12: source 'o': '-1e309' in column 'amount' is out of range "
              "for a float");
}

static void test_adv_csv_thousands_separators_are_not_numbers(void **state)
{
    (void)state;
    /* undeclared: "1,234,567" makes the column text, which a sum refuses at the KPI's line */
    tu_write_file("thousands.csv", "day,amount\n2024-08-01,\"1,234,567\"\n2024-08-02,1\n", TEXT);
    adv_run_fails(csv_rules("thousands.lua", "thousands.csv", NULL, "o:during(p):sum \"amount\""),
                  "--period 2024-08", ADV_SCRIPT,
                  "thousands.lua:4: kpi 'k': sum: cannot sum text column 'amount'", QUICK);
    csv_fails("thousands_decl.csv", "day,amount\n2024-08-01,\"1,234,567\"\n2024-08-02,1\n", TEXT,
              ", columns = { amount = \"float\" }", ADV_DATA,
              "thousands_decl.csv:2:12: source 'o': '1,234,567' in column 'amount' is not a "
              "number");
}

static void test_adv_csv_1e309_in_an_undeclared_column_is_out_of_range(void **state)
{
    (void)state;
    tu_write_file("e309.csv", "day,amount\n2024-08-01,1.5\n2024-08-02,1e309\n", TEXT);
    adv_run_fails(csv_rules("e309.lua", "e309.csv", NULL, "o:during(p):sum \"amount\""),
                  "--period 2024-08", ADV_DATA,
                  "e309.csv:3:12: source 'o': '1e309' in column 'amount' is out of range for a "
                  "float",
                  QUICK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adv_csv_ragged_rows_name_line_and_column),
        cmocka_unit_test(test_adv_csv_unterminated_quote_names_where_it_opened),
        cmocka_unit_test(test_adv_csv_nul_byte_names_its_field),
        cmocka_unit_test(test_adv_csv_invalid_utf8_names_its_field),
        cmocka_unit_test(test_adv_csv_100_mb_field_loads),
        cmocka_unit_test(test_adv_csv_100k_columns_load),
        cmocka_unit_test(test_adv_csv_header_only_is_an_empty_table),
        cmocka_unit_test(test_adv_csv_empty_file_is_a_data_error),
        cmocka_unit_test(test_adv_csv_bom_is_skipped),
        cmocka_unit_test(test_adv_csv_mixed_crlf_and_lf_are_fine),
        cmocka_unit_test(test_adv_csv_day_that_does_not_exist_names_its_field),
        cmocka_unit_test(test_adv_csv_integer_past_int64),
        cmocka_unit_test(test_adv_csv_1e309_in_a_float_column_is_out_of_range),
        cmocka_unit_test(test_adv_csv_thousands_separators_are_not_numbers),
        cmocka_unit_test(test_adv_csv_1e309_in_an_undeclared_column_is_out_of_range),
    };
    return cmocka_run_group_tests_name("adversarial csv", tests, NULL, NULL);
}
