/*
 * Loading: admin_units in (version, code) order fills t->units, so each
 * version is one contiguous slice in code order (a list page is a slice,
 * a lookup a binary search); admin_successors then fills one array of
 * links, each unit pointing at its own run of successors and of
 * predecessors. All of it is read once when a release is opened.
 */
#include "store/admin.h"

#include <stdio.h>
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

static long long count_rows(sqlite3 *db, const char *table)
{
    char sql[64];
    sqlite3_stmt *st;
    long long n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Like strcmp between a key of n bytes and a NUL-terminated string. */
static int cmp_key(const char *key, size_t n, const char *s)
{
    size_t m = strlen(s);
    int c = memcmp(key, s, n < m ? n : m);
    return c ? c : (n < m ? -1 : n > m);
}

/* Fills t->versions from the sorted units and points every unit at its entry. */
static int collect_versions(struct admin_table *t)
{
    t->versions = calloc(t->n ? t->n : 1, sizeof *t->versions);
    if (t->versions == NULL)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        struct admin_unit *u = &t->units[i];
        if (t->nversions == 0 || strcmp(t->versions[t->nversions - 1], u->version) != 0)
            t->versions[t->nversions++] = u->version;
        u->version = t->versions[t->nversions - 1];
    }
    const char *cur = admin_table_current(t);
    for (size_t i = 0; i < t->n; i++)
        t->units[i].current = t->units[i].version == cur;
    return 0;
}

static int load_units(sqlite3 *db, struct arena *strings, struct admin_table *t, struct err *e)
{
    long long count = count_rows(db, "admin_units");
    sqlite3_stmt *st = NULL;
    t->units = count >= 0 ? calloc(count ? (size_t)count : 1, sizeof *t->units) : NULL;
    if (t->units == NULL ||
        sqlite3_prepare_v2(db,
                           "SELECT code, name, type, level, parent_code, version "
                           "FROM admin_units ORDER BY version, code",
                           -1, &st, NULL) != SQLITE_OK) {
        err_set(e, "cannot read admin_units: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    int oom = 0;
    while (!oom && t->n < (size_t)count && sqlite3_step(st) == SQLITE_ROW) {
        struct admin_unit *u = &t->units[t->n++];
        const char **cols[] = {&u->code,  &u->name,        &u->type,
                               &u->level, &u->parent_code, &u->version};
        for (int i = 0; i < 6; i++)
            *cols[i] = copy_col(strings, st, i, &oom);
        if (u->code == NULL || u->name == NULL || u->level == NULL || u->version == NULL)
            oom = 1;
    }
    sqlite3_finalize(st);
    if (oom || collect_versions(t) != 0) {
        err_set(e, "admin_units: a row is malformed or memory ran out");
        return -1;
    }
    return 0;
}

/* A succession while loading: both ends, and the link data. */
struct pair {
    struct admin_unit *old, *new;
    const char *share, *note;
};

static int cmp_by_old(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    if (a->old != b->old)
        return a->old < b->old ? -1 : 1;
    int c = strcmp(a->new->code, b->new->code);
    return c ? c : strcmp(a->new->version, b->new->version);
}

static int cmp_by_new(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    if (a->new != b->new)
        return a->new < b->new ? -1 : 1;
    int c = strcmp(a->old->code, b->old->code);
    return c ? c : strcmp(a->old->version, b->old->version);
}

/* Reads admin_successors into pairs (room for max); returns the count or -1. */
static long read_pairs(sqlite3 *db, struct arena *strings, struct admin_table *t,
                       struct pair *pairs, size_t max)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT old_code, old_version, new_code, new_version, share, note "
                           "FROM admin_successors",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    size_t n = 0;
    int oom = 0;
    while (!oom && n < max && sqlite3_step(st) == SQLITE_ROW) {
        const char *txt[4];
        for (int i = 0; i < 4; i++)
            txt[i] = (const char *)sqlite3_column_text(st, i);
        if (txt[0] == NULL || txt[1] == NULL || txt[2] == NULL || txt[3] == NULL)
            break;
        struct pair *p = &pairs[n];
        p->old = (struct admin_unit *)admin_table_find(t, txt[0], strlen(txt[0]), txt[1]);
        p->new = (struct admin_unit *)admin_table_find(t, txt[2], strlen(txt[2]), txt[3]);
        p->share = copy_col(strings, st, 4, &oom);
        p->note = copy_col(strings, st, 5, &oom);
        if (p->old == NULL || p->new == NULL || p->share == NULL)
            break; /* a dangling reference: the release is not sound */
        n++;
    }
    sqlite3_finalize(st);
    return n == max && !oom ? (long)n : -1;
}

/* Fills t->links: successors in the first n entries, predecessors in the next n. */
static void link_units(struct admin_table *t, struct pair *pairs, size_t n)
{
    qsort(pairs, n, sizeof *pairs, cmp_by_old);
    for (size_t i = 0; i < n; i++) {
        t->links[i] = (struct admin_link){pairs[i].new, pairs[i].share, pairs[i].note};
        if (pairs[i].old->nsuccessors++ == 0)
            pairs[i].old->successors = &t->links[i];
    }
    qsort(pairs, n, sizeof *pairs, cmp_by_new);
    for (size_t i = 0; i < n; i++) {
        t->links[n + i] = (struct admin_link){pairs[i].old, pairs[i].share, pairs[i].note};
        if (pairs[i].new->npredecessors++ == 0)
            pairs[i].new->predecessors = &t->links[n + i];
    }
}

static int load_links(sqlite3 *db, struct arena *strings, struct admin_table *t, struct err *e)
{
    long long count = count_rows(db, "admin_successors");
    size_t n = count > 0 ? (size_t)count : 0;
    struct pair *pairs = count >= 0 ? calloc(n ? n : 1, sizeof *pairs) : NULL;
    t->links = pairs ? calloc(n ? 2 * n : 1, sizeof *t->links) : NULL;
    long got = t->links ? read_pairs(db, strings, t, pairs, n) : -1;
    if (got < 0) {
        err_set(e, "admin_successors: cannot be read, a row names a unit that is not in "
                   "admin_units, or memory ran out");
        free(pairs);
        return -1;
    }
    link_units(t, pairs, n);
    free(pairs);
    return 0;
}

int admin_table_load(sqlite3 *db, struct arena *strings, struct admin_table *t, struct err *e)
{
    memset(t, 0, sizeof *t);
    if (load_units(db, strings, t, e) != 0 || load_links(db, strings, t, e) != 0) {
        admin_table_free(t);
        return -1;
    }
    return 0;
}

void admin_table_free(struct admin_table *t)
{
    free(t->units);
    free(t->versions);
    free(t->links);
    memset(t, 0, sizeof *t);
}

const char *admin_table_current(const struct admin_table *t)
{
    return t->nversions ? t->versions[t->nversions - 1] : NULL;
}

const char *admin_table_version(const struct admin_table *t, const char *s, size_t n)
{
    for (size_t i = 0; i < t->nversions; i++)
        if (cmp_key(s, n, t->versions[i]) == 0)
            return t->versions[i];
    return NULL;
}

void admin_table_range(const struct admin_table *t, const char *version, size_t *first, size_t *end)
{
    size_t lo = 0, hi = t->n, n = strlen(version);
    while (lo < hi) { /* first unit whose version >= version */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(version, n, t->units[mid].version) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    for (hi = t->n; lo < hi;) { /* first unit whose version > version */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(version, n, t->units[mid].version) >= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *end = lo;
}

/* Index of the first unit of [lo, hi) whose code is >= (or, with after, >) the key. */
static size_t lower_code(const struct admin_table *t, size_t lo, size_t hi, const char *code,
                         size_t n, bool after)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_key(code, n, t->units[mid].code);
        if (c > 0 || (after && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct admin_unit *admin_table_find(const struct admin_table *t, const char *code, size_t n,
                                          const char *version)
{
    size_t first, end;
    if (version == NULL && (version = admin_table_current(t)) == NULL)
        return NULL;
    admin_table_range(t, version, &first, &end);
    size_t i = lower_code(t, first, end, code, n, false);
    return i < end && cmp_key(code, n, t->units[i].code) == 0 ? &t->units[i] : NULL;
}

const struct admin_unit *admin_table_latest(const struct admin_table *t, const char *code, size_t n)
{
    for (size_t v = t->nversions; v-- > 0;) {
        const struct admin_unit *u = admin_table_find(t, code, n, t->versions[v]);
        if (u)
            return u;
    }
    return NULL;
}

size_t admin_table_after(const struct admin_table *t, const char *version, const char *after)
{
    size_t first, end;
    admin_table_range(t, version, &first, &end);
    return after ? lower_code(t, first, end, after, strlen(after), true) : first;
}

const struct admin_unit *admin_unit_parent(const struct admin_table *t, const struct admin_unit *u)
{
    if (u->parent_code == NULL)
        return NULL;
    return admin_table_find(t, u->parent_code, strlen(u->parent_code), u->version);
}

static void gather(const struct admin_unit *u, int depth, const struct admin_unit **out, size_t max,
                   size_t *n)
{
    if (u->current) {
        for (size_t i = 0; i < *n; i++)
            if (out[i] == u)
                return;
        if (*n < max)
            out[(*n)++] = u;
        return;
    }
    for (unsigned i = 0; depth < 16 && i < u->nsuccessors; i++)
        gather(u->successors[i].unit, depth + 1, out, max, n);
}

static int cmp_unit_code(const void *x, const void *y)
{
    const struct admin_unit *const *a = x, *const *b = y;
    return strcmp((*a)->code, (*b)->code);
}

size_t admin_current_successors(const struct admin_unit *u, const struct admin_unit **out,
                                size_t max)
{
    size_t n = 0;
    gather(u, 0, out, max, &n);
    qsort(out, n, sizeof *out, cmp_unit_code);
    return n;
}

const char *admin_unit_status(const struct admin_unit *u)
{
    return u->current ? "current" : u->nsuccessors ? "replaced" : "retired";
}
