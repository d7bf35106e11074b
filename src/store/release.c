/*
 * Loading: one SELECT over places ordered by (code, kind) fills an array of
 * struct place whose strings live in the release's arena; the array index is
 * the place id used by the spatial indexes, so ties in distance are broken by
 * code simply by comparing ids. SQL queries (lists, search) run on the
 * release's own connection pool and map row ids back with by_rowid.
 */
#include "store/release.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/derived.h"
#include "store/pool.h"
#include "util/arena.h"

struct release {
    atomic_int refs;
    char id[64];
    char built_at[40];
    size_t nplaces;
    struct place *places;
    uint32_t *by_rowid; /* places.id -> array index, UINT32_MAX where none */
    size_t max_rowid;
    const struct place **children; /* storage for place.children */
    struct geo_index *index[PLACE_KIND_COUNT];
    struct cluster_index *clusters[PLACE_KIND_COUNT];
    struct store_pool *pool;
    struct admin_table admin;
    struct arena strings;
    struct derived *derived; /* values derived on demand (store/derived.h) */
};

#define PLACE_COLUMNS                                                                              \
    "kind, code, name, parent_code, level, facility_class, ownership, agent_type, address, "      \
    "province_code, district_code, ward_code, phone, email, website, opening_hours, source, "     \
    "updated, lat, lon, accepts_initial_registration, position_approx, id"

/* Copies column i into the arena; NULL for SQL NULL or an empty string. */
static const char *column_str(struct release *r, sqlite3_stmt *st, int i, int *oom)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    int n = sqlite3_column_bytes(st, i);
    if (s == NULL || n == 0)
        return NULL;
    const char *p = arena_strndup(&r->strings, (const char *)s, (size_t)n);
    if (p == NULL)
        *oom = 1;
    return p;
}

static int fill_place(struct release *r, sqlite3_stmt *st, struct place *p)
{
    int oom = 0;
    const char *kind = (const char *)sqlite3_column_text(st, 0);
    if (kind == NULL || place_kind_parse(kind, strlen(kind), &p->kind) != 0)
        return -1;
    const char **fields[] = {&p->code,          &p->name,        &p->parent_code, &p->level,
                             &p->facility_class, &p->ownership,  &p->agent_type,  &p->address,
                             &p->province_code, &p->district_code, &p->ward_code, &p->phone,
                             &p->email,         &p->website,     &p->opening_hours, &p->source,
                             &p->updated};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        *fields[i] = column_str(r, st, (int)i + 1, &oom);
    p->lat = sqlite3_column_double(st, 18);
    p->lon = sqlite3_column_double(st, 19);
    p->accepts_initial_registration =
        sqlite3_column_type(st, 20) == SQLITE_NULL ? -1 : (sqlite3_column_int(st, 20) != 0);
    p->position_approx = sqlite3_column_int(st, 21) != 0;
    return oom || p->code == NULL || p->name == NULL ? -1 : 0;
}

static sqlite3_int64 scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    sqlite3_int64 v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Sizes places and by_rowid for the rows of the file; *count receives the number of places. */
static int alloc_places(sqlite3 *db, struct release *r, const char *path, size_t *count,
                        struct err *e)
{
    sqlite3_int64 n = scalar(db, "SELECT count(*) FROM places");
    sqlite3_int64 max = scalar(db, "SELECT coalesce(max(id), 0) FROM places");
    if (n < 0 || n > (sqlite3_int64)UINT32_MAX / 2 || max < 0 || max > 4 * n + 1000) {
        err_set(e, "%s: unexpected number of places or place ids", path);
        return -1;
    }
    r->max_rowid = (size_t)max;
    r->places = calloc(n ? (size_t)n : 1, sizeof *r->places);
    r->by_rowid = malloc(((size_t)max + 1) * sizeof *r->by_rowid);
    if (r->places == NULL || r->by_rowid == NULL) {
        err_set(e, "%s: out of memory loading %lld places", path, (long long)n);
        return -1;
    }
    memset(r->by_rowid, 0xff, ((size_t)max + 1) * sizeof *r->by_rowid);
    *count = (size_t)n;
    return 0;
}

static int load_places(sqlite3 *db, struct release *r, const char *path, struct err *e)
{
    size_t n;
    if (alloc_places(db, r, path, &n, e) != 0)
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT " PLACE_COLUMNS " FROM places ORDER BY code, kind", -1, &st,
                           NULL) != SQLITE_OK) {
        err_set(e, "%s: cannot read places: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->nplaces < n) {
        sqlite3_int64 rowid = sqlite3_column_int64(st, 22);
        if (fill_place(r, st, &r->places[r->nplaces]) != 0 || rowid < 0 ||
            (size_t)rowid > r->max_rowid) {
            err_set(e, "%s: a place row is malformed or memory ran out", path);
            sqlite3_finalize(st);
            return -1;
        }
        r->by_rowid[rowid] = (uint32_t)r->nplaces++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        err_set(e, "%s: reading places failed: %s", path, sqlite3_errstr(rc));
        return -1;
    }
    return 0;
}

static int read_built_at(sqlite3 *db, struct release *r)
{
    sqlite3_stmt *st;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT built_at FROM release", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        snprintf(r->built_at, sizeof r->built_at, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The parent office of c when c is an office with one (loading only: the array is still mutable). */
static struct place *office_parent(struct release *r, const struct place *c)
{
    if (c->kind != PLACE_OFFICE || c->parent_code == NULL)
        return NULL;
    return (struct place *)release_find(r, PLACE_OFFICE, c->parent_code, strlen(c->parent_code));
}

/* Fills each office's children (offices whose parent_code is its code), in code order. */
static int link_children(struct release *r, struct err *e)
{
    size_t total = 0;
    for (size_t i = 0; i < r->nplaces; i++)
        if (r->places[i].kind == PLACE_OFFICE && r->places[i].parent_code)
            total++;
    r->children = malloc((total ? total : 1) * sizeof *r->children);
    if (r->children == NULL) {
        err_set(e, "out of memory linking the office tree");
        return -1;
    }
    /* Two passes: count per parent, then fill; places are in code order already. */
    for (size_t i = 0; i < r->nplaces; i++) {
        struct place *parent = office_parent(r, &r->places[i]);
        if (parent)
            parent->nchildren++;
    }
    size_t off = 0;
    for (size_t i = 0; i < r->nplaces; i++) {
        struct place *p = &r->places[i];
        p->children = p->nchildren ? r->children + off : NULL;
        off += p->nchildren;
        p->nchildren = 0;
    }
    for (size_t i = 0; i < r->nplaces; i++) {
        struct place *parent = office_parent(r, &r->places[i]);
        if (parent)
            ((const struct place **)parent->children)[parent->nchildren++] = &r->places[i];
    }
    return 0;
}

static int build_indexes(struct release *r, struct err *e)
{
    size_t n = r->nplaces ? r->nplaces : 1;
    double *lat = malloc(n * sizeof *lat), *lon = malloc(n * sizeof *lon);
    uint32_t *ids = malloc(n * sizeof *ids);
    int status = lat && lon && ids ? 0 : -1;
    for (int k = 0; status == 0 && k < PLACE_KIND_COUNT; k++) {
        size_t m = 0;
        for (size_t i = 0; i < r->nplaces; i++)
            if (r->places[i].kind == (enum place_kind)k) {
                lat[m] = r->places[i].lat, lon[m] = r->places[i].lon, ids[m] = (uint32_t)i;
                m++;
            }
        r->index[k] = geo_index_build(lat, lon, ids, m);
        r->clusters[k] = cluster_index_build(lat, lon, ids, m);
        if (r->index[k] == NULL || r->clusters[k] == NULL)
            status = -1;
    }
    if (status != 0)
        err_set(e, "out of memory building the spatial index");
    free(lat);
    free(lon);
    free(ids);
    return status;
}

/* PRAGMA quick_check: page structure, indexes' row counts, NOT NULL and types. */
static int quick_check(sqlite3 *db, const char *path, struct err *e)
{
    sqlite3_stmt *st;
    int status = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK) {
        err_set(e, "%s: integrity check could not run: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *res = (const char *)sqlite3_column_text(st, 0);
        if (res && strcmp(res, "ok") == 0)
            status = 0;
        else
            err_set(e, "%s: integrity check failed: %s", path, res ? res : "?");
    } else {
        err_set(e, "%s: integrity check failed: %s", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return status;
}

struct release *release_open(const char *path, unsigned connections, enum release_check check,
                             struct err *e)
{
    struct release *r = calloc(1, sizeof *r);
    if (r == NULL) {
        err_set(e, "out of memory");
        return NULL;
    }
    atomic_init(&r->refs, 1);
    if ((r->derived = derived_new()) == NULL) {
        err_set(e, "out of memory");
        free(r);
        return NULL;
    }
    r->pool = store_pool_open(path, connections ? connections : 1, r->id, e);
    if (r->pool == NULL) {
        release_unref(r);
        return NULL;
    }
    sqlite3 *db = store_pool_get(r->pool);
    int ok = (check != RELEASE_CHECK_FULL || quick_check(db, path, e) == 0) &&
             read_built_at(db, r) == 0 && load_places(db, r, path, e) == 0 &&
             admin_table_load(db, &r->strings, &r->admin, e) == 0;
    store_pool_put(r->pool, db);
    if (!ok || link_children(r, e) != 0 || build_indexes(r, e) != 0) {
        release_unref(r);
        return NULL;
    }
    return r;
}

struct release *release_retain(struct release *r)
{
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    return r;
}

void release_unref(struct release *r)
{
    if (r == NULL || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (int k = 0; k < PLACE_KIND_COUNT; k++) {
        geo_index_free(r->index[k]);
        cluster_index_free(r->clusters[k]);
    }
    derived_free(r->derived);
    store_pool_close(r->pool);
    free(r->places);
    free(r->by_rowid);
    free(r->children);
    admin_table_free(&r->admin);
    arena_free(&r->strings);
    free(r);
}

struct derived *release_derived(struct release *r)
{
    return r->derived;
}

const char *release_id(const struct release *r)
{
    return r->id;
}

const char *release_built_at(const struct release *r)
{
    return r->built_at;
}

size_t release_place_count(const struct release *r)
{
    return r->nplaces;
}

const struct place *release_place(const struct release *r, uint32_t id)
{
    return id < r->nplaces ? &r->places[id] : NULL;
}

uint32_t release_place_id(const struct release *r, const struct place *p)
{
    return (uint32_t)(p - r->places);
}

const struct place *release_place_by_rowid(const struct release *r, int64_t rowid)
{
    if (rowid < 0 || (uint64_t)rowid > r->max_rowid || r->by_rowid[rowid] == UINT32_MAX)
        return NULL;
    return &r->places[r->by_rowid[rowid]];
}

/* Orders like strcmp, for a key of n bytes that may hold any byte. */
static int cmp_code(const char *code, size_t n, const char *other)
{
    size_t m = strlen(other);
    int c = memcmp(code, other, n < m ? n : m);
    if (c != 0)
        return c;
    return n < m ? -1 : (n > m ? 1 : 0);
}

const struct place *release_find(const struct release *r, enum place_kind kind, const char *code,
                                 size_t code_len)
{
    size_t lo = 0, hi = r->nplaces;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct place *p = &r->places[mid];
        int c = cmp_code(code, code_len, p->code);
        if (c == 0)
            c = (int)kind - (int)p->kind;
        if (c == 0)
            return p;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const struct geo_index *release_index(const struct release *r, enum place_kind kind)
{
    return r->index[kind];
}

const struct admin_table *release_admin(const struct release *r)
{
    return &r->admin;
}

const struct cluster_index *release_cluster_index(const struct release *r, enum place_kind kind)
{
    return r->clusters[kind];
}

sqlite3 *release_db_get(struct release *r)
{
    return store_pool_get(r->pool);
}

void release_db_put(struct release *r, sqlite3 *db)
{
    store_pool_put(r->pool, db);
}

struct release_slot {
    pthread_mutex_t mu;
    struct release *cur;
};

struct release_slot *release_slot_new(struct release *r)
{
    struct release_slot *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    s->cur = r;
    return s;
}

struct release *release_slot_get(struct release_slot *s)
{
    pthread_mutex_lock(&s->mu);
    struct release *r = release_retain(s->cur);
    pthread_mutex_unlock(&s->mu);
    return r;
}

void release_slot_set(struct release_slot *s, struct release *r)
{
    pthread_mutex_lock(&s->mu);
    struct release *old = s->cur;
    s->cur = r;
    pthread_mutex_unlock(&s->mu);
    release_unref(old);
}

void release_slot_free(struct release_slot *s)
{
    if (s == NULL)
        return;
    release_unref(s->cur);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
