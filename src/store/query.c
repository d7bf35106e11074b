#include "store/query.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"

/* Collected WHERE terms and their bound text values, in order. */
struct where {
    struct buf sql;
    const char *values[12];
    int nvalues;
};

static void add_term(struct where *w, const char *sql_term, const char *value)
{
    if (value == NULL || w->nvalues == (int)(sizeof w->values / sizeof *w->values))
        return;
    buf_puts(&w->sql, " AND ");
    buf_puts(&w->sql, sql_term);
    w->values[w->nvalues++] = value;
}

/* A term with two bound values (both set, or the term is left out). */
static void add_term2(struct where *w, const char *sql_term, const char *a, const char *b)
{
    if (a == NULL || b == NULL || w->nvalues + 2 > (int)(sizeof w->values / sizeof *w->values))
        return;
    buf_puts(&w->sql, " AND ");
    buf_puts(&w->sql, sql_term);
    w->values[w->nvalues++] = a;
    w->values[w->nvalues++] = b;
}

#define IN_JSON(col) col " IN (SELECT value FROM json_each(?))"

static int bind_all(sqlite3_stmt *st, const struct where *w, int first)
{
    for (int i = 0; i < w->nvalues; i++)
        if (sqlite3_bind_text(st, first + i, w->values[i], -1, SQLITE_STATIC) != SQLITE_OK)
            return -1;
    return 0;
}

/* Runs st and maps each row's first column (a places.id) to a place. */
static long collect_places(struct release *r, sqlite3 *db, sqlite3_stmt *st,
                           const struct place **out, size_t max, double *ranks, struct err *e)
{
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && (size_t)n < max) {
        const struct place *p = release_place_by_rowid(r, sqlite3_column_int64(st, 0));
        if (p == NULL)
            continue;
        if (ranks)
            ranks[n] = sqlite3_column_double(st, 1);
        out[n++] = p;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err_set(e, "query failed: %s", sqlite3_errmsg(db));
        return -1;
    }
    return n;
}

static long run(struct release *r, const char *sql, const struct where *w, size_t limit,
                const struct place **out, double *ranks, struct err *e)
{
    sqlite3 *db = release_db_get(r);
    sqlite3_stmt *st = NULL;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        err_set(e, "query failed: %s", sqlite3_errmsg(db));
    } else if (bind_all(st, w, 1) != 0 ||
               sqlite3_bind_int64(st, w->nvalues + 1, (sqlite3_int64)limit) != SQLITE_OK) {
        err_set(e, "query failed: %s", sqlite3_errmsg(db));
    } else {
        n = collect_places(r, db, st, out, limit, ranks, e);
    }
    sqlite3_finalize(st);
    release_db_put(r, db);
    return n;
}

long store_list_places(struct release *r, const struct place_filter *f, const struct place **out,
                       struct err *e)
{
    static const char accepts_text[2][2] = {"0", "1"};
    struct where w = {.nvalues = 0};
    add_term(&w, "kind = ?", place_kind_name(f->kind));
    add_term(&w, IN_JSON("province_code"), f->provinces);
    if (f->district_wards)
        add_term2(&w, "(district_code = ? OR " IN_JSON("ward_code") ")", f->district,
                  f->district_wards);
    else
        add_term(&w, "district_code = ?", f->district);
    add_term(&w, IN_JSON("ward_code"), f->wards);
    add_term(&w, "parent_code = ?", f->parent);
    add_term(&w, "level = ?", f->level);
    add_term(&w, "ownership = ?", f->ownership);
    add_term(&w, "accepts_initial_registration = CAST(? AS INTEGER)",
             f->accepts < 0 ? NULL : accepts_text[f->accepts != 0]);
    add_term(&w, "id IN (SELECT rowid FROM places_fts WHERE places_fts MATCH ?)", f->match);
    add_term(&w, "code > ?", f->after);
    struct buf sql = {0};
    buf_printf(&sql, "SELECT id FROM places WHERE 1%s ORDER BY code LIMIT ?",
               w.sql.data ? w.sql.data : "");
    long n = sql.data ? run(r, sql.data, &w, f->limit, out, NULL, e) : -1;
    if (sql.data == NULL)
        err_set(e, "out of memory");
    buf_free(&sql);
    buf_free(&w.sql);
    return n;
}

long store_search(struct release *r, const struct search_query *q, struct search_hit *out,
                  struct err *e)
{
    struct where w = {.nvalues = 0};
    add_term(&w, "places_fts MATCH ?", q->match);
    add_term(&w, IN_JSON("p.province_code"), q->provinces);
    struct buf sql = {0};
    buf_puts(&sql, "SELECT p.id, bm25(places_fts, 4.0, 1.0) AS rank FROM places_fts "
                   "JOIN places p ON p.id = places_fts.rowid WHERE 1");
    buf_puts(&sql, w.sql.data ? w.sql.data : "");
    /* Kind names are constants of this program, so they may be written into the SQL. */
    buf_puts(&sql, " AND p.kind IN (''");
    for (int k = 0; k < PLACE_KIND_COUNT; k++)
        if (q->kinds & (1u << k))
            buf_printf(&sql, ", '%s'", place_kind_name((enum place_kind)k));
    buf_puts(&sql, ") ORDER BY rank, p.code LIMIT ?");
    long n = -1;
    const struct place **places = calloc(q->limit ? q->limit : 1, sizeof *places);
    double *ranks = calloc(q->limit ? q->limit : 1, sizeof *ranks);
    if (sql.data && places && ranks)
        n = run(r, sql.data, &w, q->limit, places, ranks, e);
    else
        err_set(e, "out of memory");
    for (long i = 0; i < n; i++)
        out[i] = (struct search_hit){places[i], ranks[i]};
    free(places);
    free(ranks);
    buf_free(&sql);
    buf_free(&w.sql);
    return n;
}
