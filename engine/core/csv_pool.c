/*
** csv_pool.c -- the CSV loader's worker threads (see csv_scan.h).
**
** Worker i runs chunk i's part of every pass of one load and lives until the chunks'
** memory is freed: the test build's allocator tracks blocks per thread, and a block must
** be freed while the thread that allocated it is alive. A chunk whose thread could not
** be started runs on the caller's thread, so a load never fails for want of threads.
*/
#include <pthread.h>

#include "csv_scan.h"
#include "kpi_alloc.h"

typedef struct worker_arg {
    struct csv_pool *pool;
    size_t index;
} worker_arg;

struct csv_pool {
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    void (*task)(csv_chunk *);
    unsigned round; /* bumped for each task */
    size_t running; /* workers still at the current task */
    int quit;
    csv_chunk *chunks;
    size_t n;
    pthread_t tid[CSV_MAX_THREADS];
    int started[CSV_MAX_THREADS];
    worker_arg args[CSV_MAX_THREADS];
};

static void *worker_main(void *arg)
{
    worker_arg *w = arg;
    csv_pool *p = w->pool;
    size_t i = w->index;
    unsigned seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->round == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->lock);
        if (p->quit) break;
        seen = p->round;
        void (*task)(csv_chunk *) = p->task;
        pthread_mutex_unlock(&p->lock);
        task(&p->chunks[i]);
        pthread_mutex_lock(&p->lock);
        if (--p->running == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

csv_pool *csv_pool_start(csv_chunk *chunks, size_t n)
{
    csv_pool *p = kpi_calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->chunks = chunks;
    p->n = n;
    for (size_t i = 1; i < n; i++) {
        p->args[i] = (worker_arg){.pool = p, .index = i};
        p->started[i] = pthread_create(&p->tid[i], NULL, worker_main, &p->args[i]) == 0;
    }
    return p;
}

void csv_pool_run(csv_pool *p, void (*task)(csv_chunk *))
{
    pthread_mutex_lock(&p->lock);
    p->task = task;
    p->round++;
    p->running = 0;
    for (size_t i = 1; i < p->n; i++)
        p->running += (size_t)p->started[i];
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->lock);
    task(&p->chunks[0]);
    for (size_t i = 1; i < p->n; i++)
        if (!p->started[i]) task(&p->chunks[i]);
    pthread_mutex_lock(&p->lock);
    while (p->running > 0)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

void csv_pool_stop(csv_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 1; i < p->n; i++)
        if (p->started[i]) pthread_join(p->tid[i], NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    kpi_free(p);
}
