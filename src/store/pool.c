#include "store/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.h"

struct store_pool {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    unsigned n, nfree;
    sqlite3 **all;
    sqlite3 **free_list; /* a stack of nfree connections */
};

static int check_schema(sqlite3 *db, const char *path, struct err *e)
{
    for (const char *const *t = STORE_SCHEMA_TABLES; *t; t++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name=?",
                               -1, &st, NULL) != SQLITE_OK) {
            err_set(e, "%s: not a readable SQLite database: %s", path, sqlite3_errmsg(db));
            return -1;
        }
        sqlite3_bind_text(st, 1, *t, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) {
            err_set(e, "%s: not a bhxh-geo release (table \"%s\" is missing)", path, *t);
            return -1;
        }
    }
    return 0;
}

/* Reads the one release row and checks its schema version; writes the id. */
static int read_release_id(sqlite3 *db, const char *path, char *id, struct err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, schema_version FROM release", -1, &st, NULL)) {
        err_set(e, "%s: cannot read the release table: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    int status = -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        err_set(e, "%s: the release table is empty", path);
    } else if (sqlite3_column_int(st, 1) != STORE_SCHEMA_VERSION) {
        err_set(e, "%s: schema version %d, this server reads version %d; re-import the data", path,
                sqlite3_column_int(st, 1), STORE_SCHEMA_VERSION);
    } else {
        snprintf(id, 64, "%s", (const char *)sqlite3_column_text(st, 0));
        status = 0;
    }
    sqlite3_finalize(st);
    return status;
}

static sqlite3 *open_one(const char *path, char *id, struct err *e)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, "%s: cannot open database: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_exec(db, "PRAGMA query_only = 1;", NULL, NULL, NULL);
    if (check_schema(db, path, e) != 0 || read_release_id(db, path, id, e) != 0) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

struct store_pool *store_pool_open(const char *path, unsigned n, char *release_id,
                                   struct err *e)
{
    struct store_pool *p = calloc(1, sizeof *p);
    if (p == NULL) {
        err_set(e, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->freed, NULL);
    if (n == 0 || (p->all = calloc(n, sizeof *p->all)) == NULL ||
        (p->free_list = calloc(n, sizeof *p->free_list)) == NULL) {
        err_set(e, "out of memory");
        store_pool_close(p);
        return NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        char id[64];
        if ((p->all[i] = open_one(path, id, e)) == NULL) {
            store_pool_close(p);
            return NULL;
        }
        p->n++;
        if (i == 0) {
            memcpy(release_id, id, sizeof id);
        } else if (strcmp(id, release_id) != 0) {
            err_set(e, "%s: the file changed while it was being opened; try again", path);
            store_pool_close(p);
            return NULL;
        }
        p->free_list[p->nfree++] = p->all[i];
    }
    return p;
}

sqlite3 *store_pool_get(struct store_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->mu);
    sqlite3 *db = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return db;
}

void store_pool_put(struct store_pool *p, sqlite3 *db)
{
    pthread_mutex_lock(&p->mu);
    p->free_list[p->nfree++] = db;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->mu);
}

void store_pool_close(struct store_pool *p)
{
    if (p == NULL)
        return;
    for (unsigned i = 0; p->all && i < p->n; i++)
        sqlite3_close(p->all[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->freed);
    free(p->all);
    free(p->free_list);
    free(p);
}
