/*
** test_colcache.c -- the binary column cache (engine/core/colcache.c).
**
** A table is saved for a data file and loaded back: expected values are the ones the
** test put in the table (or, for a CSV, the values written in the file), never what a
** load returned. Damage is done with pwrite/truncate at offsets worked out from the
** documented layout: the header is 96 bytes, the directory ends where the column names
** begin, and the data sections follow from the next 4096-byte boundary (where the writer
** starts them, for O_DIRECT), 64-byte aligned, in column order (values, bitmap, then a
** string column's dictionary image, its hash table last).
*/
#define _GNU_SOURCE /* utimensat, symlink */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "colcache.h"
#include "colcache_queue.h"
#include "csv.h"
#include "kpi_alloc.h"
#include "testutil.h"

#define HEADER_BYTES 96
#define OFF_VERSION  8
#define OFF_NROWS    40
#define OFF_NAMESLEN 68
#define OFF_META     72

typedef struct fixture {
    char data[600];  /* the data file */
    char cache[700]; /* its cache file */
    colcache_key key;
    colcache_stamp stamp;
} fixture;

static int allow_allocations(void **state)
{
    (void)state;
    kpi_test_fail_after(-1);
    return 0;
}

/* A data file named for the test and the path of its cache under a directory of its own. */
static void fixture_init(fixture *f, const char *name)
{
    char file[128], dir[600];
    kpi_error err;
    snprintf(file, sizeof file, "%s.csv", name);
    snprintf(f->data, sizeof f->data, "%s", tu_write_file(file, "day,id\n2024-01-01,1\n", -1));
    snprintf(dir, sizeof dir, "%s/cache_%s", tu_tmpdir(), name);
    f->key = (colcache_key){.source_path = f->data, .schema = "day:date;id:int"};
    assert_int_equal(colcache_path(dir, &f->key, f->cache, sizeof f->cache, &err), 0);
    assert_int_equal(colcache_stamp_of(f->data, &f->stamp, &err), 0);
}

static void set_null(table *t, column *c, size_t i)
{
    assert_int_equal(column_set_null(c, t->nrows, i), 0);
}

/* Every type, nulls in most, strings with an empty one, a long one and a repeat. */
static table *sample_table(void)
{
    static const char *const names[] = {"alice", "", "a customer name longer than a slot", NULL,
                                        "alice"};
    table *t = table_new("orders", 5);
    kpi_error err;
    /* Add every column first: adding one may move the others. */
    assert_non_null(table_add_column(t, "day", COL_DATE, 0));
    assert_non_null(table_add_column(t, "id", COL_INT64, 0));
    assert_non_null(table_add_column(t, "price", COL_FLOAT64, 0));
    assert_non_null(table_add_column(t, "amount", COL_DECIMAL, 2));
    assert_non_null(table_add_column(t, "ts", COL_TIMESTAMP, 0));
    assert_non_null(table_add_column(t, "flag", COL_BOOL, 0));
    assert_non_null(table_add_column(t, "customer", COL_STRING, 0));
    column *day = &t->cols[0], *id = &t->cols[1], *price = &t->cols[2], *amount = &t->cols[3];
    column *ts = &t->cols[4], *flag = &t->cols[5], *who = &t->cols[6];
    for (size_t i = 0; i < 5; i++) {
        day->v.date[i] = 19723 + (int32_t)(i / 2);
        id->v.i64[i] = (int64_t)i * 1000000007 - 3;
        price->v.f64[i] = 0.5 * (double)i - 1.25;
        amount->v.i64[i] = 12345 * (int64_t)i;
        ts->v.i64[i] = 1700000000 + (int64_t)i * 3600;
        flag->v.b[i] = i % 2;
        if (names[i]) who->v.code[i] = dict_intern(who->dict, names[i], strlen(names[i]));
    }
    set_null(t, &t->cols[1], 2);
    set_null(t, &t->cols[3], 0);
    set_null(t, &t->cols[3], 4);
    set_null(t, &t->cols[5], 1);
    set_null(t, &t->cols[6], 3);
    assert_int_equal(table_set_time(t, "day", &err), 0);
    assert_int_equal(t->time_sorted, 1);
    return t;
}

static void save_table(fixture *f, const table *t)
{
    kpi_error err;
    assert_int_equal(colcache_save(f->cache, &f->key, t, &f->stamp, &err), 0);
}

static void save_sample(fixture *f)
{
    table *t = sample_table();
    save_table(f, t);
    table_free(t);
}

static table *load_hit(fixture *f, int flags)
{
    table *t = NULL;
    const char *why = "none";
    kpi_error err;
    int rc = colcache_load(f->cache, &f->key, flags, &t, &why, &err);
    if (rc != 1) fail_msg("expected a hit, got %d: %s", rc, why);
    assert_non_null(t);
    return t;
}

/* A miss: returns why; asserts whether the cache file was removed. */
static const char *load_miss(fixture *f, int flags, int removed)
{
    table *t = (table *)f; /* must be reset */
    const char *why = NULL;
    kpi_error err;
    assert_int_equal(colcache_load(f->cache, &f->key, flags, &t, &why, &err), 0);
    assert_null(t);
    assert_non_null(why);
    struct stat st;
    assert_int_equal(lstat(f->cache, &st) != 0, removed);
    return why;
}

static long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

static uint64_t read_u64(const char *path, long off)
{
    uint64_t v = 0;
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &v, sizeof v, off), (ssize_t)sizeof v);
    close(fd);
    return v;
}

static void flip_byte(const char *path, long off)
{
    unsigned char b;
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0x5a;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

static void assert_columns_equal(const table *a, const table *b, size_t i)
{
    const column *x = &a->cols[i], *y = &b->cols[i];
    static const size_t sizes[] = {8, 8, 8, 4, 8, 4, 1};
    assert_string_equal(x->name, y->name);
    assert_int_equal(x->type, y->type);
    assert_int_equal(x->scale, y->scale);
    assert_int_equal(x->nnull, y->nnull);
    assert_int_equal(x->code_bytes, y->code_bytes);
    for (size_t r = 0; r < a->nrows; r++) {
        assert_int_equal(column_is_valid(x, r), column_is_valid(y, r));
        if (x->type != COL_STRING) {
            assert_memory_equal((const char *)x->v.ptr + r * sizes[x->type],
                                (const char *)y->v.ptr + r * sizes[y->type], sizes[x->type]);
        } else if (column_is_valid(x, r)) {
            uint32_t cx = column_code(x, r), cy = column_code(y, r);
            assert_int_equal(cx, cy);
            assert_int_equal(dict_len(x->dict, cx), dict_len(y->dict, cy));
            assert_memory_equal(dict_str(x->dict, cx), dict_str(y->dict, cy),
                                dict_len(x->dict, cx) + 1);
        }
    }
    if (x->type == COL_STRING) assert_int_equal(dict_count(x->dict), dict_count(y->dict));
}

static void assert_tables_equal(const table *a, const table *b)
{
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->nrows, b->nrows);
    assert_int_equal(a->ncols, b->ncols);
    assert_int_equal(a->time_col, b->time_col);
    assert_int_equal(a->time_sorted, b->time_sorted);
    for (size_t i = 0; i < a->ncols; i++)
        assert_columns_equal(a, b, i);
}

static void test_colcache_round_trip_keeps_every_type_nulls_and_dicts(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "round_trip");
    table *want = sample_table();
    save_table(&f, want);
    table *got = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_tables_equal(want, got);
    assert_int_equal(got->cols[3].scale, 2);
    assert_int_equal(got->cols[3].v.i64[1], 12345);
    assert_false(column_is_valid(&got->cols[3], 0));
    assert_string_equal(dict_str(got->cols[6].dict, got->cols[6].v.code[2]),
                        "a customer name longer than a slot");
    table_free(got);
    table_free(want);
}

static void test_colcache_loaded_dict_finds_sorts_and_grows(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "dict_grows");
    save_sample(&f);
    table *t = load_hit(&f, 0);
    dict *d = t->cols[6].dict;
    assert_int_equal(dict_count(d), 3); /* "alice", "", the long name */
    assert_int_equal(dict_find(d, "alice", 5), 0);
    assert_int_equal(dict_find(d, "", 0), 1);
    assert_int_equal(dict_find(d, "a customer name longer than a slot", 34), 2);
    assert_int_equal(dict_find(d, "bob", 3), DICT_NONE);
    const uint32_t *sorted = dict_sorted(d);
    assert_non_null(sorted);
    assert_int_equal(sorted[0], 1); /* "" < "a customer..." < "alice" */
    assert_int_equal(sorted[1], 2);
    assert_int_equal(sorted[2], 0);
    assert_int_equal(dict_intern(d, "bob", 3), 3); /* the image becomes a dict of its own */
    assert_int_equal(dict_intern(d, "alice", 5), 0);
    assert_string_equal(dict_str(d, 2), "a customer name longer than a slot");
    table_free(t);
}

static void test_colcache_loaded_columns_can_be_changed_and_moved(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "moved");
    save_sample(&f);
    table *t = load_hit(&f, 0);
    /* A write lands in a private copy of the page, never in the cache file. */
    assert_int_equal(column_set_null(&t->cols[0], t->nrows, 4), 0);
    assert_int_equal(column_set_null(&t->cols[2], t->nrows, 0), 0); /* a new bitmap */
    /* Moving a column's arrays to another table moves its reference to the mapping. */
    table *other = table_new("other", t->nrows);
    other->cols = kpi_calloc(1, sizeof *other->cols);
    other->cols[0] = t->cols[6];
    other->ncols = 1;
    t->cols[6].v.ptr = NULL;
    t->cols[6].valid = NULL;
    t->cols[6].dict = NULL;
    other->cols[0].name = kpi_strdup("customer");
    table_free(t);
    assert_string_equal(dict_str(other->cols[0].dict, other->cols[0].v.code[4]), "alice");
    table_free(other);
    t = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_true(column_is_valid(&t->cols[0], 4));
    table_free(t);
}

static void test_colcache_csv_table_round_trips(void **state)
{
    (void)state;
    fixture f;
    kpi_error err;
    csv_options o;
    fixture_init(&f, "csv");
    const char *path = tu_write_file("csv.csv",
                                     "date,customer_id,channel,amount\n"
                                     "2024-01-01,C1,web,10.50\n"
                                     "2024-01-01,C2,shop,\n"
                                     "2024-01-02,,web,7.25\n",
                                     -1);
    csv_options_init(&o);
    assert_string_equal(path, f.data);
    assert_int_equal(colcache_stamp_of(f.data, &f.stamp, &err), 0);
    table *want = csv_load(path, NULL, &o, &err);
    assert_non_null(want);
    assert_int_equal(table_set_time(want, "date", &err), 0);
    save_table(&f, want);
    table *got = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_tables_equal(want, got);
    assert_string_equal(got->name, "csv");
    assert_int_equal(got->cols[3].type, COL_DECIMAL);
    assert_int_equal(got->cols[3].v.i64[2], 725);
    assert_int_equal(got->cols[1].nnull, 1);
    table_free(got);
    table_free(want);
}

static void test_colcache_empty_and_absent_columns_round_trip(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "empty");
    table *want = table_new("none", 0);
    assert_non_null(table_add_column(want, "s", COL_STRING, 0));
    assert_non_null(table_add_column(want, "skipped", COL_INT64, 0));
    kpi_array_free(want->cols[1].v.ptr); /* as the loader leaves a column it did not load */
    want->cols[1].v.ptr = NULL;
    want->cols[1].absent = 1;
    save_table(&f, want);
    table *got = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_int_equal(got->nrows, 0);
    assert_int_equal(got->ncols, 2);
    assert_int_equal(dict_count(got->cols[0].dict), 0);
    assert_int_equal(got->cols[1].absent, 1);
    assert_null(got->cols[1].v.ptr);
    assert_int_equal(got->time_col, -1);
    table_free(got);
    table_free(want);
}

static void test_colcache_missing_file_is_a_miss(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "missing");
    assert_string_equal(load_miss(&f, 0, 1), "no cache file");
}

static void test_colcache_size_change_is_stale(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "size");
    save_sample(&f);
    tu_write_file("size.csv", "day,id\n2024-01-01,12\n", -1);
    assert_string_equal(load_miss(&f, 0, 1), "stale: file changed");
}

static void test_colcache_mtime_change_is_stale(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "mtime");
    save_sample(&f);
    struct timespec times[2] = {{0, UTIME_OMIT}, {1600000000, 123456789}};
    assert_int_equal(utimensat(AT_FDCWD, f.data, times, 0), 0);
    assert_int_equal(file_size(f.data), 20); /* same size: only the time differs */
    assert_string_equal(load_miss(&f, 0, 1), "stale: file changed");
}

static void test_colcache_schema_change_is_stale(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "schema");
    save_sample(&f);
    f.key.schema = "day:date;id:string";
    assert_string_equal(load_miss(&f, 0, 1), "stale: schema changed");
}

static void test_colcache_missing_data_file_is_stale(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "nodata");
    save_sample(&f);
    assert_int_equal(unlink(f.data), 0);
    assert_string_equal(load_miss(&f, 0, 1), "stale: data file missing");
}

static void test_colcache_truncated_file_is_removed(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "truncated");
    save_sample(&f);
    assert_int_equal(truncate(f.cache, file_size(f.cache) - 1), 0);
    assert_string_equal(load_miss(&f, 0, 1), "corrupt: truncated");
    save_sample(&f);
    assert_int_equal(truncate(f.cache, 10), 0); /* shorter than a header */
    assert_string_equal(load_miss(&f, 0, 1), "corrupt: truncated");
}

static void test_colcache_flipped_header_byte_is_removed(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "header");
    save_sample(&f);
    flip_byte(f.cache, OFF_NROWS);
    assert_string_equal(load_miss(&f, 0, 1), "corrupt: header checksum");
}

static void test_colcache_flipped_directory_byte_is_removed(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "directory");
    save_sample(&f);
    long dir_end = (long)(read_u64(f.cache, OFF_META) - (uint32_t)read_u64(f.cache, OFF_NAMESLEN));
    flip_byte(f.cache, dir_end - 20); /* inside the last entry */
    assert_string_equal(load_miss(&f, 0, 1), "corrupt: header checksum");
}

static void test_colcache_flipped_data_byte_is_removed_when_verified(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "data");
    save_sample(&f);
    long data_at = (long)((read_u64(f.cache, OFF_META) + 4095) / 4096 * 4096);
    flip_byte(f.cache, data_at + 5); /* the first column's values */
    table *t = load_hit(&f, 0);      /* not verified by default: see colcache.h */
    table_free(t);
    assert_string_equal(load_miss(&f, COLCACHE_VERIFY_DATA, 1), "corrupt: data checksum");
}

static void test_colcache_flipped_dictionary_byte_is_removed_when_verified(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "dictionary");
    save_sample(&f);
    flip_byte(f.cache, file_size(f.cache) - 1); /* the last column's hash table */
    table *t = load_hit(&f, 0);
    table_free(t);
    assert_string_equal(load_miss(&f, COLCACHE_VERIFY_DATA, 1), "corrupt: dictionary checksum");
}

static void test_colcache_damaged_hash_table_lookups_end(void **state)
{
    (void)state;
    fixture f;
    unsigned char ff[1024];
    fixture_init(&f, "damaged");
    save_sample(&f);
    /* The last column's table: 64 slots of 16 bytes, all made full and out of range. */
    memset(ff, 0xff, sizeof ff);
    int fd = open(f.cache, O_RDWR);
    assert_int_equal(pwrite(fd, ff, sizeof ff, file_size(f.cache) - 1024), 1024);
    close(fd);
    table *t = load_hit(&f, 0);
    dict *d = t->cols[6].dict;
    assert_int_equal(dict_find(d, "alice", 5), DICT_NONE);
    assert_int_equal(dict_intern(d, "bob", 3), DICT_NONE); /* no free slot: refused */
    assert_string_equal(dict_str(d, 0), "alice");          /* the strings were not damaged */
    table_free(t);
}

static void test_colcache_dict_image_reads_stay_in_its_bytes(void **state)
{
    (void)state;
    static const char bytes[] = "abc\0de"; /* 7 bytes: "abc", NUL, "de" with no NUL */
    static const uint64_t offs[] = {0, 4, 100};
    static const uint32_t lens[] = {3, 50, 1};
    size_t table_bytes;
    dict *real = dict_new();
    assert_int_equal(dict_intern(real, "abc", 3), 0);
    const void *slots = dict_image_table(real, &table_bytes);
    dict *d = dict_from_image(3, bytes, 7, offs, lens, slots, table_bytes);
    assert_non_null(d);
    assert_int_equal(dict_len(d, 0), 3);
    assert_int_equal(dict_len(d, 1), 2); /* clamped to the bytes there are */
    assert_int_equal(dict_len(d, 2), 0); /* offset past the end: an empty string */
    assert_string_equal(dict_str(d, 2), "");
    assert_int_equal(dict_find(d, "abc", 3), 0);
    assert_non_null(dict_sorted(d));
    assert_null(dict_from_image(3, bytes, 7, offs, lens, slots, table_bytes - 16));
    dict_free(d);
    dict_free(real);
}

static void test_colcache_bad_magic_is_removed(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "magic");
    save_sample(&f);
    flip_byte(f.cache, 0);
    assert_string_equal(load_miss(&f, 0, 1), "corrupt: bad magic");
}

static void test_colcache_other_version_is_removed(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "version");
    save_sample(&f);
    uint32_t v = COLCACHE_VERSION + 1;
    int fd = open(f.cache, O_RDWR);
    assert_int_equal(pwrite(fd, &v, sizeof v, OFF_VERSION), (ssize_t)sizeof v);
    close(fd);
    assert_string_equal(load_miss(&f, 0, 1), "corrupt: unknown version");
}

static void test_colcache_directory_in_place_of_file_is_a_miss(void **state)
{
    (void)state;
    fixture f;
    kpi_error err;
    fixture_init(&f, "isdir");
    save_sample(&f);
    assert_int_equal(unlink(f.cache), 0);
    assert_int_equal(mkdir(f.cache, 0755), 0);
    assert_string_equal(load_miss(&f, 0, 0), "not a regular file");
    table *t = sample_table();
    assert_int_equal(colcache_save(f.cache, &f.key, t, &f.stamp, &err), -1);
    assert_int_equal(err.kind, KPI_EIO);
    assert_string_equal(err.file, f.cache);
    assert_int_equal(err.line, 0);
    assert_non_null(strstr(err.message, "cannot write the column cache"));
    table_free(t);
    assert_int_equal(rmdir(f.cache), 0);
}

static void test_colcache_unreadable_file_is_a_miss(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "unreadable");
    save_sample(&f);
    assert_int_equal(unlink(f.cache), 0);
    assert_int_equal(symlink(f.cache, f.cache), 0); /* a loop: open fails with ELOOP */
    assert_string_equal(load_miss(&f, 0, 0), "unreadable");
    assert_int_equal(unlink(f.cache), 0);
    if (geteuid() != 0) { /* root reads anything */
        save_sample(&f);
        assert_int_equal(chmod(f.cache, 0), 0);
        assert_string_equal(load_miss(&f, 0, 0), "unreadable");
    }
}

static int temp_files_in(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return n;
}

static void test_colcache_save_replaces_atomically_and_leaves_no_temp(void **state)
{
    (void)state;
    fixture f;
    char dir[700];
    fixture_init(&f, "atomic");
    save_sample(&f);
    table *t = load_hit(&f, 0); /* a reader that keeps the old file mapped */
    table *next = table_new("next", 2);
    column *c = table_add_column(next, "n", COL_INT64, 0);
    c->v.i64[0] = 7;
    c->v.i64[1] = 8;
    save_table(&f, next);
    snprintf(dir, sizeof dir, "%s", f.cache);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(temp_files_in(dir), 0);
    table *got = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_tables_equal(next, got);
    assert_int_equal(t->cols[1].v.i64[1], 1000000004); /* the old mapping is intact */
    table_free(got);
    table_free(next);
    table_free(t);
}

/* A table of n rows over several 4 MB write blocks: values from the row number. */
static table *big_table(size_t n)
{
    static const char *const channels[] = {"email", "social", "search"};
    table *t = table_new("big", n);
    assert_non_null(table_add_column(t, "id", COL_INT64, 0));
    assert_non_null(table_add_column(t, "channel", COL_STRING, 0));
    column *id = &t->cols[0], *ch = &t->cols[1];
    for (size_t i = 0; i < n; i++) {
        id->v.i64[i] = (int64_t)(i * 2654435761u % 1000003);
        ch->v.code[i] = dict_intern(ch->dict, channels[i % 3], strlen(channels[i % 3]));
        if (i % 7 == 3) set_null(t, id, i);
    }
    return t;
}

static void test_colcache_table_larger_than_a_write_block_round_trips(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "big");
    size_t n = 700001; /* 5.6 MB of values: two blocks, the last one short */
    table *want = big_table(n);
    save_table(&f, want);
    table *got = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_tables_equal(want, got);
    assert_int_equal(got->cols[0].v.i64[n - 1], (int64_t)((n - 1) * 2654435761u % 1000003));
    assert_false(column_is_valid(&got->cols[0], 699996)); /* 699996 % 7 == 3 */
    assert_int_equal(file_size(f.cache), (long)read_u64(f.cache, OFF_META + 8)); /* no padding */
    table_free(got);
    table_free(want);
}

static void test_colcache_queue_saves_the_table_as_queued(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "queued");
    table *t = sample_table(), *want = sample_table();
    colcache_queue *q = colcache_queue_new();
    assert_non_null(q);
    colcache_queue_save(q, f.cache, &f.key, t, &f.stamp);
    assert_non_null(table_add_column(t, "later", COL_INT64, 0)); /* moves t's column list */
    colcache_queue_wait(q);
    table *got = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_int_equal(got->ncols, 7);
    assert_tables_equal(want, got);
    table_free(got);
    colcache_queue_free(q);
    table_free(t);
    table_free(want);
}

static void test_colcache_queue_saves_in_order_and_free_waits(void **state)
{
    (void)state;
    fixture f;
    char dir[700];
    fixture_init(&f, "queue_order");
    table *first = sample_table(), *second = big_table(1000);
    colcache_queue *q = colcache_queue_new();
    assert_non_null(q);
    colcache_queue_save(q, f.cache, &f.key, first, &f.stamp);
    colcache_queue_save(q, f.cache, &f.key, second, &f.stamp);
    colcache_queue_free(q); /* no wait: free finishes the queued saves */
    table *got = load_hit(&f, COLCACHE_VERIFY_DATA);
    assert_tables_equal(second, got);
    snprintf(dir, sizeof dir, "%s", f.cache);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(temp_files_in(dir), 0);
    table_free(got);
    table_free(first);
    table_free(second);
}

/* An empty file at path, modified `age` seconds ago. */
static void write_aged(const char *path, long age)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    struct timespec times[2] = {{.tv_sec = time(NULL) - age}, {.tv_sec = time(NULL) - age}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void test_colcache_save_removes_a_killed_runs_temporary_file(void **state)
{
    (void)state;
    fixture f;
    char old_tmp[800], young_tmp[800], other[800];
    fixture_init(&f, "orphans");
    save_sample(&f); /* creates the directory */
    snprintf(old_tmp, sizeof old_tmp, "%s.tmp-Ab12Cd", f.cache);
    snprintf(young_tmp, sizeof young_tmp, "%s.tmp-Ef34Gh", f.cache);
    snprintf(other, sizeof other, "%s.other-tmp-Ij56Kl", f.cache);
    write_aged(old_tmp, COLCACHE_ORPHAN_SECONDS + 60);
    write_aged(young_tmp, COLCACHE_ORPHAN_SECONDS - 60); /* maybe a run writing it now */
    write_aged(other, COLCACHE_ORPHAN_SECONDS + 60);    /* not a temporary file of ours */
    save_sample(&f);
    assert_int_equal(access(old_tmp, F_OK), -1);
    assert_int_equal(access(young_tmp, F_OK), 0);
    assert_int_equal(access(other, F_OK), 0);
    table *t = load_hit(&f, COLCACHE_VERIFY_DATA);
    table_free(t);
    unlink(young_tmp);
    unlink(other);
}

static void test_colcache_path_is_one_per_real_file(void **state)
{
    (void)state;
    char a[600], b[600], c[600], rel[600];
    kpi_error err;
    const char *x = tu_write_file("path_x.csv", "a\n1\n", -1);
    tu_write_file("path_y.csv", "a\n1\n", -1);
    colcache_key k = {.source_path = x, .schema = "s"};
    assert_int_equal(colcache_path("/c", &k, a, sizeof a, &err), 0);
    snprintf(rel, sizeof rel, "%s/./path_x.csv", tu_tmpdir());
    k.source_path = rel;
    k.schema = "other"; /* one file per data file: a new schema replaces the old cache */
    assert_int_equal(colcache_path("/c", &k, b, sizeof b, &err), 0);
    assert_string_equal(a, b);
    snprintf(rel, sizeof rel, "%s/path_y.csv", tu_tmpdir());
    assert_int_equal(colcache_path("/c", &k, c, sizeof c, &err), 0);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), strlen("/c/") + 16 + strlen(".kcol"));
    assert_string_equal(a + strlen(a) - 5, ".kcol");
    k.source_path = "/no/such/file.csv";
    assert_int_equal(colcache_path("/c", &k, c, sizeof c, &err), -1);
    assert_int_equal(err.kind, KPI_EIO);
    assert_string_equal(err.file, "/no/such/file.csv");
    assert_non_null(strstr(err.message, "cannot resolve the path"));
}

static void test_colcache_save_creates_the_directory(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "mkdir");
    char deep[600];
    snprintf(deep, sizeof deep, "%s/cache_mkdir/a/b/c.kcol", tu_tmpdir());
    snprintf(f.cache, sizeof f.cache, "%s", deep);
    save_sample(&f);
    table *t = load_hit(&f, 0);
    assert_int_equal(t->nrows, 5);
    table_free(t);
}

static void test_colcache_checksum_sees_every_byte(void **state)
{
    (void)state;
    unsigned char buf[100] = {0};
    uint64_t base = colcache_checksum(0, buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = 1;
        assert_true(colcache_checksum(0, buf, sizeof buf) != base);
        buf[i] = 0;
    }
    assert_true(colcache_checksum(0, buf, 99) != base); /* the length counts */
    assert_true(colcache_checksum(1, buf, sizeof buf) != base);
}

static void test_colcache_out_of_memory_at_every_allocation_leaks_nothing(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, "oom");
    table *want = sample_table();
    for (long n = 0;; n++) {
        kpi_error err;
        kpi_test_fail_after(n);
        int rc = colcache_save(f.cache, &f.key, want, &f.stamp, &err);
        kpi_test_fail_after(-1);
        if (rc == 0) break;
        assert_int_equal(err.kind, KPI_ENOMEM);
        assert_non_null(strstr(err.message, "cannot write the column cache"));
    }
    for (long n = 0;; n++) {
        kpi_error err;
        table *t = NULL;
        const char *why = NULL;
        kpi_test_fail_after(n);
        int rc = colcache_load(f.cache, &f.key, 0, &t, &why, &err);
        kpi_test_fail_after(-1);
        if (rc == 1) {
            assert_tables_equal(want, t);
            table_free(t);
            break;
        }
        assert_int_equal(rc, -1);
        assert_int_equal(err.kind, KPI_ENOMEM);
        assert_string_equal(err.message, "out of memory");
        assert_int_equal(access(f.cache, F_OK), 0); /* a real error keeps the file */
    }
    table_free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colcache_round_trip_keeps_every_type_nulls_and_dicts),
        cmocka_unit_test(test_colcache_loaded_dict_finds_sorts_and_grows),
        cmocka_unit_test(test_colcache_loaded_columns_can_be_changed_and_moved),
        cmocka_unit_test(test_colcache_csv_table_round_trips),
        cmocka_unit_test(test_colcache_empty_and_absent_columns_round_trip),
        cmocka_unit_test(test_colcache_missing_file_is_a_miss),
        cmocka_unit_test(test_colcache_size_change_is_stale),
        cmocka_unit_test(test_colcache_mtime_change_is_stale),
        cmocka_unit_test(test_colcache_schema_change_is_stale),
        cmocka_unit_test(test_colcache_missing_data_file_is_stale),
        cmocka_unit_test(test_colcache_truncated_file_is_removed),
        cmocka_unit_test(test_colcache_flipped_header_byte_is_removed),
        cmocka_unit_test(test_colcache_flipped_directory_byte_is_removed),
        cmocka_unit_test(test_colcache_flipped_data_byte_is_removed_when_verified),
        cmocka_unit_test(test_colcache_flipped_dictionary_byte_is_removed_when_verified),
        cmocka_unit_test(test_colcache_damaged_hash_table_lookups_end),
        cmocka_unit_test(test_colcache_dict_image_reads_stay_in_its_bytes),
        cmocka_unit_test(test_colcache_bad_magic_is_removed),
        cmocka_unit_test(test_colcache_other_version_is_removed),
        cmocka_unit_test(test_colcache_directory_in_place_of_file_is_a_miss),
        cmocka_unit_test(test_colcache_unreadable_file_is_a_miss),
        cmocka_unit_test(test_colcache_save_replaces_atomically_and_leaves_no_temp),
        cmocka_unit_test(test_colcache_table_larger_than_a_write_block_round_trips),
        cmocka_unit_test(test_colcache_queue_saves_the_table_as_queued),
        cmocka_unit_test(test_colcache_queue_saves_in_order_and_free_waits),
        cmocka_unit_test(test_colcache_save_removes_a_killed_runs_temporary_file),
        cmocka_unit_test(test_colcache_path_is_one_per_real_file),
        cmocka_unit_test(test_colcache_save_creates_the_directory),
        cmocka_unit_test(test_colcache_checksum_sees_every_byte),
        cmocka_unit_test_teardown(test_colcache_out_of_memory_at_every_allocation_leaks_nothing,
                                  allow_allocations),
    };
    return cmocka_run_group_tests_name("colcache", tests, NULL, NULL);
}
