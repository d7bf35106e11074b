#include "import/spatial_load.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Stores the n low bytes of v little-endian; returns the byte after them. */
static unsigned char *put_le(unsigned char *out, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (unsigned char)(v >> (8 * i));
    return out + n;
}

static uint64_t double_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/*
 * SpatiaLite's BLOB-Geometry, little-endian: 0x00, 0x01 (byte order), the
 * SRID, the MBR (min x, min y, max x, max y), 0x7C, the class (1 = POINT),
 * x, y, 0xFE.
 */
void spatial_point_blob(unsigned char out[SPATIAL_POINT_BLOB_SIZE], double lon, double lat)
{
    unsigned char *q = out;
    *q++ = 0x00;
    *q++ = 0x01;
    q = put_le(q, 4326, 4);
    q = put_le(q, double_bits(lon), 8);
    q = put_le(q, double_bits(lat), 8);
    q = put_le(q, double_bits(lon), 8);
    q = put_le(q, double_bits(lat), 8);
    *q++ = 0x7C;
    q = put_le(q, 1, 4);
    q = put_le(q, double_bits(lon), 8);
    q = put_le(q, double_bits(lat), 8);
    *q = 0xFE;
}

struct spatial_triggers {
    size_t n;
    struct {
        char *name, *sql; /* sqlite3_malloc'ed */
    } v[];
};

void spatial_triggers_free(struct spatial_triggers *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++) {
        sqlite3_free(t->v[i].name);
        sqlite3_free(t->v[i].sql);
    }
    free(t);
}

/* Appends a trigger to *t; 0, or -1 when memory ran out. */
static int keep(struct spatial_triggers **t, const char *name, const char *sql)
{
    struct spatial_triggers *g = realloc(*t, sizeof *g + ((*t)->n + 1) * sizeof g->v[0]);
    if (g == NULL)
        return -1;
    *t = g;
    g->v[g->n].name = sqlite3_mprintf("%s", name);
    g->v[g->n].sql = sqlite3_mprintf("%s", sql);
    g->n++;
    return g->v[g->n - 1].name && g->v[g->n - 1].sql ? 0 : -1;
}

/* Reads the triggers of table into *t. 0, or -1 with e filled. */
static int list(sqlite3 *h, const char *table, struct spatial_triggers **t, struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(h,
                           "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger'"
                           " AND tbl_name = ?1 ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK) {
        err_set(e, "cannot list the triggers of %s: %s", table, sqlite3_errmsg(h));
        return -1;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (keep(t, (const char *)sqlite3_column_text(st, 0),
                 (const char *)sqlite3_column_text(st, 1))) {
            sqlite3_finalize(st);
            err_set(e, "out of memory");
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        err_set(e, "cannot list the triggers of %s: %s", table, sqlite3_errmsg(h));
        return -1;
    }
    return 0;
}

struct spatial_triggers *spatial_triggers_set_aside(sqlite3 *h, const char *table, struct err *e)
{
    struct spatial_triggers *t = calloc(1, sizeof *t);
    if (t == NULL) {
        err_set(e, "out of memory");
        return NULL;
    }
    if (list(h, table, &t, e)) {
        spatial_triggers_free(t);
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++) {
        char *drop = sqlite3_mprintf("DROP TRIGGER main.\"%w\"", t->v[i].name);
        int rc = drop ? sqlite3_exec(h, drop, NULL, NULL, NULL) : SQLITE_NOMEM;
        sqlite3_free(drop);
        if (rc != SQLITE_OK) {
            err_set(e, "cannot drop trigger %s: %s", t->v[i].name, sqlite3_errmsg(h));
            spatial_triggers_free(t);
            return NULL;
        }
    }
    return t;
}

int spatial_triggers_restore(sqlite3 *h, const struct spatial_triggers *t, struct err *e)
{
    for (size_t i = 0; i < t->n; i++) {
        if (sqlite3_exec(h, t->v[i].sql, NULL, NULL, NULL) != SQLITE_OK) {
            err_set(e, "cannot create trigger %s again: %s", t->v[i].name, sqlite3_errmsg(h));
            return -1;
        }
    }
    return 0;
}
