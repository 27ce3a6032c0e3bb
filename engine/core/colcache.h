/*
** colcache.h -- a binary column cache: a second run over an unchanged data file maps
** the table it loaded last time instead of parsing the file again.
**
** A cache file holds one table for one key: the data file's real path, its size and
** modification time (ns) as they were before the load that built the table, and an
** opaque schema string in which the caller puts everything else that decides the
** table (declared columns and types, delimiter, decimal mark, date format, header,
** time column, the columns loaded, ...). Any difference makes the file stale.
**
** Format (little-endian; version COLCACHE_VERSION): a header (magic "KPICOL", version,
** the dict image layout, the key, nrows, ncols, time_col, time_sorted), the schema, the
** real path and the table name, then a directory of fixed entries (type, scale, nnull,
** absent, string code width, and offset and length of the values, the validity bitmap and, for
*strings, the
** dictionary image: lengths, offsets, string bytes, hash table), then the column names.
** The arrays follow, each 64-byte aligned, and are used in place: the loaded table's
** columns point into a private mapping of the file (table_mapping in table.h), and a
** string column's dict is a dict image (dict.h) over the same mapping, so opening a
** cache copies no array and reads only the header and the directory.
**
** Checksums (64-bit, four-lane multiply-xor, about 15 GB/s): one over the header and
** directory, verified on every load, and per column one over its values and bitmap and
** one over its dictionary image, verified only with COLCACHE_VERIFY_DATA. Not reading
** the table is what makes a load fast: on these machines the first touch of a mapped
** page costs far more than checksumming it. Measured on a 10M-row orders table (244 MB
** of cache, a 948k-string customer dictionary; a busy 2-core machine, warm page cache):
** a load takes 0.1-3 ms; verifying the dictionaries alone took 30-60 ms, and
** COLCACHE_VERIFY_DATA takes 100-600 ms. Without verification a damaged array gives wrong
** values, as a damaged CSV file would; a damaged dictionary gives wrong strings, never a
** read outside the file or an endless lookup (see dict_from_image). Truncation, the
** likely damage, is caught by the size check, and the writer never leaves a partial file.
**
** Writing is atomic: a temporary file in the cache directory, the arrays first and the
** header last, then rename. Readers that mapped the old file keep their (unlinked) copy.
** The file is not fsync'ed: waiting for the disk doubled a cold run (1.5-2 s for the
** benchmark's 500 MB of cache), and a cache may be lost. What a power failure can
** leave, a file short of its data or with its first block never written (ext4 and XFS
** write a file's size only with its data), fails the size, magic or header checksum
** test and is rebuilt; --verify-cache (COLCACHE_VERIFY_DATA) checks every byte.
*/
#ifndef KPI_COLCACHE_H
#define KPI_COLCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "kpi_error.h"
#include "table.h"

#define COLCACHE_VERSION 1

typedef struct colcache_key {
    const char *source_path; /* the data file as given; its real path is part of the key */
    const char *schema;      /* everything else that decides the table, built by the caller */
} colcache_key;

/* What the cache remembers of the data file: take it before loading the file. */
typedef struct colcache_stamp {
    int64_t size;
    int64_t mtime_ns;
} colcache_stamp;

/* Flags of colcache_load. */
#define COLCACHE_VERIFY_DATA 1 /* also verify the checksums of the values and bitmaps */

/*
** Stat path into *st. 0, or -1 with err (KPI_EIO) when the file cannot be stat'ed.
** Call it BEFORE loading the file and pass the stamp to colcache_save, so that a file
** changed during the load is never cached as fresh.
*/
int colcache_stamp_of(const char *path, colcache_stamp *st, kpi_error *err);

/*
** The cache file for key k in dir: dir/<16 hex digits of a 64-bit hash of the real
** path>.kcol. 0, or -1 with err when the data file has no real path (KPI_EIO) or out
** does not hold the path (KPI_EUSAGE).
*/
int colcache_path(const char *dir, const colcache_key *k, char *out, size_t size, kpi_error *err);

/*
** Load the table cached in cache_file for key k.
**   1: a hit; *out is a new table (free with table_free) whose arrays live in the mapping.
**   0: a miss, with *why (may be NULL; a static string) saying which:
**      "no cache file", "not a regular file", "unreadable" (left alone), or "stale: file
**      changed" / "stale: schema changed" / "stale: data file missing" / "stale: another
**      data file" / "stale: dictionary layout changed", or "corrupt: truncated" / "bad
**      magic" / "unknown version" / "bad header" / "header checksum" / "column names" /
**      "offsets out of range" / "time column" / "dictionary checksum" / "data checksum".
**      A stale or corrupt file is removed, so the caller just rebuilds it.
**  -1: a real error (out of memory), with err.
*/
int colcache_load(const char *cache_file, const colcache_key *k, int flags, table **out,
                  const char **why, kpi_error *err);

/* A save removes the temporary files of cache_file older than this (a killed run's). */
#define COLCACHE_ORPHAN_SECONDS 3600

/*
** Write t for key k to cache_file, atomically, creating its directory if needed; st is
** the data file's stamp taken before t was loaded. 0, or -1 with err (KPI_EIO, KPI_ENOMEM,
** or KPI_EUSAGE for a table the format cannot hold); nothing is left behind on failure.
** Temporary files of cache_file older than COLCACHE_ORPHAN_SECONDS are removed first.
*/
int colcache_save(const char *cache_file, const colcache_key *k, const table *t,
                  const colcache_stamp *st, kpi_error *err);

/* The checksum of the format over n bytes, chained from seed (exposed for tests). */
uint64_t colcache_checksum(uint64_t seed, const void *p, size_t n);

#endif
