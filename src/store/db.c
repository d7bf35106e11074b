/*
 * Ties a SQLite connection to its SpatiaLite cache: SpatiaLite 5 keeps
 * per-connection state that must be released after the connection closes.
 */
#include "store/db.h"

#include <spatialite.h>
#include <stdlib.h>

struct store_db {
    sqlite3 *h;
    void *spatialite_cache;
};

struct store_db *store_db_open(const char *path, bool readonly, struct err *e)
{
    struct store_db *db = calloc(1, sizeof *db);
    if (db == NULL) {
        err_set(e, "out of memory");
        return NULL;
    }
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, "%s: cannot open database: %s", path,
                db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        store_db_close(db);
        return NULL;
    }
    sqlite3_extended_result_codes(db->h, 1);
    db->spatialite_cache = spatialite_alloc_connection();
    spatialite_init_ex(db->h, db->spatialite_cache, 0);
    return db;
}

void store_db_close(struct store_db *db)
{
    if (db == NULL)
        return;
    if (db->h)
        sqlite3_close(db->h);
    if (db->spatialite_cache)
        spatialite_cleanup_ex(db->spatialite_cache);
    free(db);
}

sqlite3 *store_db_handle(struct store_db *db)
{
    return db->h;
}

int store_db_exec(struct store_db *db, const char *sql, struct err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(e, "SQL error: %s", msg ? msg : sqlite3_errmsg(db->h));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}
