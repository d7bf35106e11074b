/*
 * db: opening a release database (SQLite with SpatiaLite loaded), for the
 * importer (read-write, new file) and the server (read-only).
 */
#ifndef BHXH_STORE_DB_H
#define BHXH_STORE_DB_H

#include <sqlite3.h>
#include <stdbool.h>

#include "util/err.h"

struct store_db;

/*
 * Opens path with SpatiaLite initialised on the connection. With readonly the
 * file must exist and is opened SQLITE_OPEN_READONLY; otherwise it is created.
 * Returns NULL and fills e on failure. Free with store_db_close().
 */
struct store_db *store_db_open(const char *path, bool readonly, struct err *e);
void store_db_close(struct store_db *db);

/* The SQLite handle, owned by db: valid until store_db_close(). */
sqlite3 *store_db_handle(struct store_db *db);

/* Runs one or more SQL statements that return no rows; fills e with the SQLite message. */
int store_db_exec(struct store_db *db, const char *sql, struct err *e);

#endif
