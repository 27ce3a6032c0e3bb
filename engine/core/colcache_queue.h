/*
** colcache_queue.h -- saving tables to the column cache on a thread of their own.
**
** Writing a table's cache file takes as long as the disk needs for it (0.2-0.4 s for the
** benchmark's 250 MB orders table), time in which the run can load its next source or
** evaluate its KPIs instead. A queue saves its tables one after another, in the order
** given, on one writer thread.
**
** A queued table is read while the caller goes on: its arrays, bitmaps, dictionaries,
** names and the table itself must stay alive and unchanged until colcache_queue_wait
** or colcache_queue_free returns. The queue copies the table's column list, so the
** caller may give the table new columns or fill an absent one meanwhile (the job saves
** the columns as they were when queued). Reading a dict's sorted order (dict_sorted)
** is safe meanwhile: the writer never touches it.
*/
#ifndef KPI_COLCACHE_QUEUE_H
#define KPI_COLCACHE_QUEUE_H

#include "colcache.h"

typedef struct colcache_queue colcache_queue;

/* A new queue with its writer thread; NULL when out of memory or no thread can start. */
colcache_queue *colcache_queue_new(void);

/*
** Save t for key k to cache_file (colcache_save) on the writer thread. When the job
** cannot be queued (out of memory) the table is saved at once instead. A failed save
** leaves no file behind and is not reported: a cache not written only makes the next
** run slower.
*/
void colcache_queue_save(colcache_queue *q, const char *cache_file, const colcache_key *k,
                         const table *t, const colcache_stamp *st);

/* Wait until every queued save is done (written or given up). */
void colcache_queue_wait(colcache_queue *q);

/* Wait for the queued saves, stop the thread and free q (NULL is fine). */
void colcache_queue_free(colcache_queue *q);

#endif
