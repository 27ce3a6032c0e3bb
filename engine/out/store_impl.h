/*
** store_impl.h -- what the files of the results store share (store.c opens and saves,
** store_read.c reads back): the connection and its helpers. Not for use outside
** engine/out/store*.c; the contract is store.h.
*/
#ifndef KPI_STORE_IMPL_H
#define KPI_STORE_IMPL_H

#include <sqlite3.h>

#include "out/store.h"

struct store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *insert_run, *insert_result, *previous;
};

/* Fill err from SQLite's result rc for an action described by what; returns -1. */
int store_fail(store *s, int rc, const char *what, kpi_error *err);
/* Bind text (NULL binds NULL); SQLite copies it, so the caller's string may go first. */
int store_bind_text(sqlite3_stmt *st, int i, const char *text);

#endif
