/*
** kpi_alloc.h -- the one allocation indirection of the engine.
**
** Every heap allocation in engine/ goes through these macros. A normal build maps
** them to the C library; the unit-test build (KPI_TEST_ALLOC) routes them through
** cmocka's test allocator so a test fails on a leak, a double free or an overrun.
** The test allocator is not thread-safe, so the test build serialises it with a mutex.
**
** kpi_array_alloc() is for large column arrays: it asks the kernel for transparent
** huge pages once the array is big enough to benefit, because touching fresh 4 KiB
** pages one by one is the dominant cost of building a large table.
*/
#ifndef KPI_ALLOC_H
#define KPI_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

#ifdef KPI_TEST_ALLOC
void *kpi_test_malloc(size_t size, const char *file, int line);
void *kpi_test_calloc(size_t n, size_t size, const char *file, int line);
void *kpi_test_realloc(void *p, size_t size, const char *file, int line);
void kpi_test_free(void *p, const char *file, int line);
#define kpi_malloc(n)     kpi_test_malloc((n), __FILE__, __LINE__)
#define kpi_calloc(n, s)  kpi_test_calloc((n), (s), __FILE__, __LINE__)
#define kpi_realloc(p, n) kpi_test_realloc((p), (n), __FILE__, __LINE__)
#define kpi_free(p)       kpi_test_free((p), __FILE__, __LINE__)
/*
** Test builds only: let the next n allocations succeed and fail every later one
** (kpi_malloc/kpi_calloc/kpi_realloc/kpi_array_* return NULL, a failed realloc keeps
** its block) until kpi_test_fail_after(-1) turns failures off. A test walks every
** out-of-memory path of a function by raising n until the call succeeds.
*/
void kpi_test_fail_after(long n);
#else
#define kpi_malloc(n)     malloc(n)
#define kpi_calloc(n, s)  calloc((n), (s))
#define kpi_realloc(p, n) realloc((p), (n))
#define kpi_free(p)       free(p)
#endif

/*
** Allocate an uninitialised array of n elements of size elem (NULL on overflow or
** out of memory). Arrays of 2 MiB and more are 2 MiB aligned and advised as huge
** pages. Free with kpi_array_free().
*/
void *kpi_array_alloc(size_t n, size_t elem);
/* Same as kpi_array_alloc, zero-filled. */
void *kpi_array_calloc(size_t n, size_t elem);
/* Grow (or shrink) an array from kpi_array_alloc, keeping its first min(old,new) elements. */
void *kpi_array_realloc(void *p, size_t old_n, size_t new_n, size_t elem);
void kpi_array_free(void *p);
/*
** Give the memory of an array of `bytes` from kpi_array_alloc back to the system past
** its first `keep` bytes (whole pages), the array staying valid for those: a loader that
** compacted an array in place, or sized it by a bound, keeps only what it uses. Advice
** only.
*/
void kpi_array_trim(void *p, size_t keep, size_t bytes);
/*
** Map the pages of a new block of 64 KiB or more at once: on these machines a page
** fault costs more than the page itself. Advice only: without MADV_POPULATE_WRITE
** (Linux < 5.14) the pages fault in as they are used.
*/
void kpi_populate(void *p, size_t bytes);

/* Duplicate a string / n bytes of a string (NUL-terminated result); NULL when out of memory. */
char *kpi_strdup(const char *s);
char *kpi_strndup(const char *s, size_t n);

#endif
