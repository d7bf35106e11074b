#include "store/admin.h"

#include <stdlib.h>
#include <string.h>

static const char *copy_col(struct arena *a, sqlite3_stmt *st, int i, int *oom)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);
    if (s == NULL || n == 0)
        return NULL;
    const char *p = arena_strndup(a, (const char *)s, (size_t)n);
    if (p == NULL)
        *oom = 1;
    return p;
}

int admin_table_load(sqlite3 *db, struct arena *strings, struct admin_table *t, struct err *e)
{
    sqlite3_stmt *st;
    memset(t, 0, sizeof *t);
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM admin_units", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        err_set(e, "cannot read admin_units: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    size_t count = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    t->units = calloc(count ? count : 1, sizeof *t->units);
    if (t->units == NULL || sqlite3_prepare_v2(db,
                                               "SELECT code, name, type, level, parent_code "
                                               "FROM admin_units ORDER BY code",
                                               -1, &st, NULL) != SQLITE_OK) {
        err_set(e, "cannot read admin_units");
        return -1;
    }
    int oom = 0;
    while (!oom && t->n < count && sqlite3_step(st) == SQLITE_ROW) {
        struct admin_unit *u = &t->units[t->n++];
        u->code = copy_col(strings, st, 0, &oom);
        u->name = copy_col(strings, st, 1, &oom);
        u->type = copy_col(strings, st, 2, &oom);
        u->level = copy_col(strings, st, 3, &oom);
        u->parent_code = copy_col(strings, st, 4, &oom);
        if (u->code == NULL || u->name == NULL || u->level == NULL)
            oom = 1;
    }
    sqlite3_finalize(st);
    if (oom) {
        err_set(e, "admin_units: a row is malformed or memory ran out");
        return -1;
    }
    return 0;
}

void admin_table_free(struct admin_table *t)
{
    free(t->units);
    t->units = NULL;
    t->n = 0;
}

/* Like strcmp between a key of n bytes and a NUL-terminated code. */
static int cmp_key(const char *key, size_t n, const char *code)
{
    size_t m = strlen(code);
    int c = memcmp(key, code, n < m ? n : m);
    return c ? c : (n < m ? -1 : n > m);
}

const struct admin_unit *admin_table_find(const struct admin_table *t, const char *code, size_t n)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_key(code, n, t->units[mid].code);
        if (c == 0)
            return &t->units[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t admin_table_after(const struct admin_table *t, const char *after)
{
    if (after == NULL)
        return 0;
    size_t lo = 0, hi = t->n, n = strlen(after);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(after, n, t->units[mid].code) >= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
