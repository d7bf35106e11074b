#include "import/fts_side.h"

#include <stdlib.h>

#include "store/schema.h"

static const char PRAGMAS[] = "PRAGMA journal_mode = OFF;\n"
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

sqlite3 *fts_side_open(struct err *e)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2("", &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
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

/* Copies the rows of table name (a shadow table of places_fts) from from to to. */
static int copy_table(sqlite3 *from, sqlite3 *to, const char *name, struct err *e)
{
    char *del = sqlite3_mprintf("DELETE FROM main.\"%w\"", name);
    char *sel = sqlite3_mprintf("SELECT * FROM main.\"%w\"", name);
    sqlite3_stmt *src = NULL, *dst = NULL;
    int rc = -1;

    if (del == NULL || sel == NULL) {
        err_set(e, "out of memory");
        goto out;
    }
    if (sqlite3_exec(to, del, NULL, NULL, NULL) != SQLITE_OK) {
        err_set(e, "cannot empty %s: %s", name, sqlite3_errmsg(to));
        goto out;
    }
    if (sqlite3_prepare_v2(from, sel, -1, &src, NULL) != SQLITE_OK) {
        fail(from, name, e);
        goto out;
    }
    int ncol = sqlite3_column_count(src);
    sqlite3_free(sel);
    sqlite3_str *ins = sqlite3_str_new(to);
    sqlite3_str_appendf(ins, "INSERT INTO main.\"%w\" VALUES (?", name);
    for (int i = 1; i < ncol; i++)
        sqlite3_str_appendall(ins, ", ?");
    sqlite3_str_appendall(ins, ")");
    sel = sqlite3_str_finish(ins);
    if (sel == NULL || sqlite3_prepare_v2(to, sel, -1, &dst, NULL) != SQLITE_OK) {
        err_set(e, "cannot copy %s: %s", name, sel ? sqlite3_errmsg(to) : "out of memory");
        goto out;
    }
    while ((rc = sqlite3_step(src)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++)
            sqlite3_bind_value(dst, i + 1, sqlite3_column_value(src, i));
        if (sqlite3_step(dst) != SQLITE_DONE) {
            err_set(e, "cannot copy %s: %s", name, sqlite3_errmsg(to));
            rc = -1;
            goto out;
        }
        sqlite3_reset(dst);
    }
    if (rc != SQLITE_DONE) {
        fail(from, name, e);
        rc = -1;
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(src);
    sqlite3_finalize(dst);
    sqlite3_free(del);
    sqlite3_free(sel);
    return rc;
}

int fts_side_copy(sqlite3 *from, sqlite3 *to, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(from,
                           "SELECT name FROM main.sqlite_master WHERE type = 'table'"
                           " AND name LIKE 'places\\_fts\\_%' ESCAPE '\\' ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(from, "cannot list its tables", e);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (copy_table(from, to, (const char *)sqlite3_column_text(st, 0), e)) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(from, "cannot list its tables", e);
    return 0;
}

void fts_side_close(sqlite3 *h)
{
    sqlite3_close(h);
}
