/*
 * fts_side: the search index places_fts built beside the release, so that
 * a second thread can fill it while the first reads, checks and inserts
 * places. It lives in a database file of its own beside the release being
 * built (OUT.tmp-PID-fts: the import lock's clean-up of OUT.tmp-* removes
 * what a killed import left), holds places_fts as STORE_SCHEMA_FTS_SQL
 * defines it, and is copied, shadow table by shadow table, into the release
 * (whose own places_fts, made by STORE_SCHEMA_SQL, is left empty until
 * then) with INSERT ... SELECT *, which SQLite does record by record
 * without decoding them.
 *
 * While loading, the table keeps up to 64 MiB of terms in memory before it
 * writes a segment and merges no segments as it goes; fts_side_finish()
 * merges them all once ('optimize') and removes those settings again, so
 * the copy has the defaults.
 */
#ifndef BHXH_IMPORT_FTS_SIDE_H
#define BHXH_IMPORT_FTS_SIDE_H

#include <sqlite3.h>

#include "util/err.h"

/*
 * Creates the side database path (replacing any file there) with
 * places_fts and a transaction open; NULL with e filled.
 */
sqlite3 *fts_side_open(const char *path, struct err *e);

/* Commits, merges the index into one segment and drops the load settings. 0, or -1. */
int fts_side_finish(sqlite3 *h, struct err *e);

/*
 * Replaces the rows of every places_fts shadow table of the main database
 * of to with those of the finished side database path (closed by then),
 * which it attaches for the copy. Run outside a transaction of to. 0, or
 * -1 with e filled.
 */
int fts_side_copy(const char *path, sqlite3 *to, struct err *e);

/* Closes the side database (the file stays); NULL is a no-op. */
void fts_side_close(sqlite3 *h);

#endif
