/*
** colcache_queue.c -- saving tables to the column cache on a writer thread; see
** colcache_queue.h.
*/
#include "colcache_queue.h"

#include <pthread.h>
#include <string.h>

#include "kpi_alloc.h"

typedef struct job {
    struct job *next;
    char *cache_file, *source_path, *schema;
    colcache_stamp stamp;
    table snapshot; /* the table as queued: its own column list, the caller's arrays */
} job;

struct colcache_queue {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job was queued, or stop was set */
    pthread_cond_t idle; /* the last job is done */
    job *head, *tail;
    int busy; /* the writer is saving a job it took off the list */
    int stop;
    pthread_t writer;
};

static void job_free(job *j)
{
    kpi_free(j->cache_file);
    kpi_free(j->source_path);
    kpi_free(j->schema);
    kpi_free(j->snapshot.cols);
    kpi_free(j);
}

static void save(const job *j)
{
    kpi_error err;
    colcache_key k = {j->source_path, j->schema};
    (void)colcache_save(j->cache_file, &k, &j->snapshot, &j->stamp, &err);
}

static void *writer_main(void *arg)
{
    colcache_queue *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stop)
            pthread_cond_wait(&q->work, &q->lock);
        if (!q->head) break; /* stopping, and nothing left */
        job *j = q->head;
        q->head = j->next;
        if (!q->head) q->tail = NULL;
        q->busy = 1;
        pthread_mutex_unlock(&q->lock);
        save(j);
        job_free(j);
        pthread_mutex_lock(&q->lock);
        q->busy = 0;
        if (!q->head) pthread_cond_broadcast(&q->idle);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

colcache_queue *colcache_queue_new(void)
{
    colcache_queue *q = kpi_calloc(1, sizeof *q);
    if (!q) return NULL;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->idle, NULL);
    if (pthread_create(&q->writer, NULL, writer_main, q) != 0) {
        pthread_cond_destroy(&q->idle);
        pthread_cond_destroy(&q->work);
        pthread_mutex_destroy(&q->lock);
        kpi_free(q);
        return NULL;
    }
    return q;
}

/* A job for t, or NULL when out of memory. */
static job *job_new(const char *cache_file, const colcache_key *k, const table *t,
                    const colcache_stamp *st)
{
    job *j = kpi_calloc(1, sizeof *j);
    if (!j) return NULL;
    j->cache_file = kpi_strdup(cache_file);
    j->source_path = kpi_strdup(k->source_path);
    j->schema = kpi_strdup(k->schema ? k->schema : "");
    j->stamp = *st;
    j->snapshot = *t;
    j->snapshot.cols = kpi_malloc((t->ncols ? t->ncols : 1) * sizeof *t->cols);
    if (!j->cache_file || !j->source_path || !j->schema || !j->snapshot.cols) {
        job_free(j);
        return NULL;
    }
    if (t->ncols) memcpy(j->snapshot.cols, t->cols, t->ncols * sizeof *t->cols);
    return j;
}

void colcache_queue_save(colcache_queue *q, const char *cache_file, const colcache_key *k,
                         const table *t, const colcache_stamp *st)
{
    job *j = job_new(cache_file, k, t, st);
    if (!j) {
        kpi_error err;
        (void)colcache_save(cache_file, k, t, st, &err);
        return;
    }
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->lock);
}

void colcache_queue_wait(colcache_queue *q)
{
    if (!q) return;
    pthread_mutex_lock(&q->lock);
    while (q->head || q->busy)
        pthread_cond_wait(&q->idle, &q->lock);
    pthread_mutex_unlock(&q->lock);
}

void colcache_queue_free(colcache_queue *q)
{
    if (!q) return;
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->writer, NULL); /* the writer drains the list before it stops */
    pthread_cond_destroy(&q->idle);
    pthread_cond_destroy(&q->work);
    pthread_mutex_destroy(&q->lock);
    kpi_free(q);
}
