/*
 * pool: a fixed set of read-only SQLite connections to one release file,
 * shared by the request threads. All connections are opened when the pool
 * is created and checked to see the same release id, so a file renamed over
 * the path later can never mix into this release.
 */
#ifndef BHXH_STORE_POOL_H
#define BHXH_STORE_POOL_H

#include <sqlite3.h>

#include "util/err.h"

struct store_pool;

/*
 * Opens n (>= 1) connections to path. Returns NULL and fills e when the file
 * cannot be opened, is not a release, or changed while the pool was opened.
 * release_id receives the id the connections see (at least 64 bytes).
 */
struct store_pool *store_pool_open(const char *path, unsigned n, char *release_id,
                                   struct err *e);

/* Borrows a connection, waiting while all are in use; give it back with store_pool_put. */
sqlite3 *store_pool_get(struct store_pool *p);
void store_pool_put(struct store_pool *p, sqlite3 *db);

/* Closes every connection; none may be borrowed any more. */
void store_pool_close(struct store_pool *p);

#endif
