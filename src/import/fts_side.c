#include "import/fts_side.h"

#include <stdlib.h>
#include <unistd.h>

#include "store/schema.h"

static const char PRAGMAS[] = "PRAGMA page_size = 16384;\n"
                              "PRAGMA journal_mode = OFF;\n"
                              "PRAGMA synchronous = OFF;\n"
                              "PRAGMA cache_size = -65536;\n";

static const char LOAD[] =
    "INSERT INTO places_fts(places_fts, rank) VALUES ('automerge', 0);\n"
    "INSERT INTO places_fts(places_fts, rank) VALUES ('crisismerge', 64);\n"
    "INSERT INTO places_fts(places_fts, rank) VALUES ('hashsize', 67108864);\n"
    "BEGIN;\n";

static const char LOADED[] =
    "COMMIT;\n"
    "INSERT INTO places_fts(places_fts) VALUES ('optimize');\n"
    "DELETE FROM places_fts_config WHERE k IN ('automerge', 'crisismerge', 'hashsize');\n";

static int fail(sqlite3 *h, const char *what, struct err *e)
{
    err_set(e, "search index (temporary database): %s: %s", what, sqlite3_errmsg(h));
    return -1;
}

sqlite3 *fts_side_open(const char *path, struct err *e)
{
    sqlite3 *h = NULL;
    unlink(path);
    int rc = sqlite3_open_v2(
        path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK || sqlite3_exec(h, PRAGMAS, NULL, NULL, NULL) ||
        sqlite3_exec(h, STORE_SCHEMA_FTS_SQL, NULL, NULL, NULL) ||
        sqlite3_exec(h, LOAD, NULL, NULL, NULL)) {
        if (h == NULL)
            err_set(e, "search index (temporary database): cannot open: out of memory");
        else
            fail(h, "cannot create", e);
        sqlite3_close(h);
        return NULL;
    }
    return h;
}

int fts_side_finish(sqlite3 *h, struct err *e)
{
    if (sqlite3_exec(h, LOADED, NULL, NULL, NULL) != SQLITE_OK)
        return fail(h, "cannot merge", e);
    return 0;
}

/* Runs sql (made with sqlite3_mprintf; freed here) on h. 0, or -1 with e filled. */
static int run(sqlite3 *h, char *sql, struct err *e)
{
    if (sql == NULL) {
        err_set(e, "out of memory");
        return -1;
    }
    int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        err_set(e, "cannot copy the search index: %s", sqlite3_errmsg(h));
        return -1;
    }
    return 0;
}

/* Copies every places_fts_* table of fts_side into main, inside one transaction. */
static int copy_tables(sqlite3 *to, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(to,
                           "SELECT name FROM fts_side.sqlite_master WHERE type = 'table'"
                           " AND name LIKE 'places\\_fts\\_%' ESCAPE '\\' ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK) {
        err_set(e, "cannot copy the search index: %s", sqlite3_errmsg(to));
        return -1;
    }
    char *names[16];
    int n = 0;
    while (n < 16 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        names[n++] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    rc = 0;
    for (int i = 0; i < n; i++) {
        /* Emptied first, so that SQLite can copy the records as they are. */
        if (rc == 0 && names[i] == NULL) {
            err_set(e, "out of memory");
            rc = -1;
        }
        if (rc == 0)
            rc = run(to,
                     sqlite3_mprintf("DELETE FROM main.\"%w\";"
                                     "INSERT INTO main.\"%w\" SELECT * FROM fts_side.\"%w\";",
                                     names[i], names[i], names[i]),
                     e);
        sqlite3_free(names[i]);
    }
    return rc;
}

int fts_side_copy(const char *path, sqlite3 *to, struct err *e)
{
    if (run(to, sqlite3_mprintf("ATTACH %Q AS fts_side", path), e))
        return -1;
    int rc = run(to, sqlite3_mprintf("BEGIN"), e) || copy_tables(to, e) ||
             run(to, sqlite3_mprintf("COMMIT"), e);
    struct err ignored;
    if (rc)
        run(to, sqlite3_mprintf("ROLLBACK"), &ignored);
    if (run(to, sqlite3_mprintf("DETACH fts_side"), rc ? &ignored : e))
        rc = -1;
    return rc ? -1 : 0;
}

void fts_side_close(sqlite3 *h)
{
    sqlite3_close(h);
}
