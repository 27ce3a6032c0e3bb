/*
** kpi_alloc.c -- allocation helpers; see kpi_alloc.h.
*/
#define _GNU_SOURCE
#include "kpi_alloc.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE (2u << 20)

#ifdef KPI_TEST_ALLOC
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* cmocka serialises nothing, and the CSV loader allocates from several threads. Recursive:
** a failed check inside _test_free longjmps out with the lock held, and the next test on the
** same thread must not deadlock on it. */
static pthread_mutex_t test_alloc_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static long allocations_left = -1; /* -1: never fail; guarded by test_alloc_lock */

void kpi_test_fail_after(long n)
{
    pthread_mutex_lock(&test_alloc_lock);
    allocations_left = n < 0 ? -1 : n;
    pthread_mutex_unlock(&test_alloc_lock);
}

/* Whether the allocation being made must fail; call with the lock held. */
static int must_fail(void)
{
    if (allocations_left < 0) return 0;
    if (allocations_left == 0) return 1;
    allocations_left--;
    return 0;
}

void *kpi_test_malloc(size_t size, const char *file, int line)
{
    pthread_mutex_lock(&test_alloc_lock);
    void *p = must_fail() ? NULL : _test_malloc(size, file, line);
    pthread_mutex_unlock(&test_alloc_lock);
    return p;
}

void *kpi_test_calloc(size_t n, size_t size, const char *file, int line)
{
    pthread_mutex_lock(&test_alloc_lock);
    void *p = must_fail() ? NULL : _test_calloc(n, size, file, line);
    pthread_mutex_unlock(&test_alloc_lock);
    return p;
}

void *kpi_test_realloc(void *p, size_t size, const char *file, int line)
{
    pthread_mutex_lock(&test_alloc_lock);
    void *q = must_fail() ? NULL : _test_realloc(p, size, file, line);
    pthread_mutex_unlock(&test_alloc_lock);
    return q;
}

void kpi_test_free(void *p, const char *file, int line)
{
    pthread_mutex_lock(&test_alloc_lock);
    _test_free(p, file, line);
    pthread_mutex_unlock(&test_alloc_lock);
}
#endif

void *kpi_array_alloc(size_t n, size_t elem)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, elem, &bytes)) return NULL;
    if (bytes == 0) bytes = 1;
#ifndef KPI_TEST_ALLOC
    if (bytes >= HUGE_PAGE) {
        void *p = NULL;
        /* Rounding up a size near SIZE_MAX would wrap to a tiny allocation. */
        if (bytes > SIZE_MAX - (HUGE_PAGE - 1)) return NULL;
        size_t rounded = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
        if (posix_memalign(&p, HUGE_PAGE, rounded) != 0) return NULL;
        madvise(p, rounded, MADV_HUGEPAGE); /* advice only: failure is harmless */
        return p;
    }
#endif
    return kpi_malloc(bytes);
}

void *kpi_array_calloc(size_t n, size_t elem)
{
    void *p = kpi_array_alloc(n, elem);
    if (p) memset(p, 0, n * elem);
    return p;
}

void *kpi_array_realloc(void *p, size_t old_n, size_t new_n, size_t elem)
{
    if (!p) return kpi_array_alloc(new_n, elem);
    void *q = kpi_array_alloc(new_n, elem);
    if (!q) return NULL;
    memcpy(q, p, (old_n < new_n ? old_n : new_n) * elem);
    kpi_array_free(p);
    return q;
}

void kpi_array_free(void *p)
{
    kpi_free(p);
}

void kpi_array_trim(void *p, size_t keep, size_t bytes)
{
#ifndef KPI_TEST_ALLOC
    const uintptr_t page = 4096;
    if (bytes < HUGE_PAGE) return; /* a malloc block: not ours to cut */
    /* The block runs to the huge page kpi_array_alloc rounded it to, all of it mapped. */
    size_t rounded = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    uintptr_t from = ((uintptr_t)p + keep + page - 1) & ~(page - 1);
    uintptr_t to = (uintptr_t)p + rounded;
    if (to > from) madvise((void *)from, to - from, MADV_DONTNEED);
#else
    (void)p;
    (void)keep;
    (void)bytes;
#endif
}

void kpi_populate(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    const uintptr_t page = 4096;
    uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t to = ((uintptr_t)p + bytes) & ~(page - 1);
    if (bytes >= (64u << 10) && to > from) madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

char *kpi_strndup(const char *s, size_t n)
{
    char *d = kpi_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *kpi_strdup(const char *s)
{
    return kpi_strndup(s, strlen(s));
}
