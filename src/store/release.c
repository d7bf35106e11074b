/*
 * Loading: one SELECT over places ordered by (code, kind) fills an array of
 * struct place whose strings live in the release's arena; the array index is
 * the place id used by the spatial indexes, so ties in distance are broken by
 * code simply by comparing ids.
 */
#include "store/release.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/schema.h"
#include "util/arena.h"

struct release {
    atomic_int refs;
    char id[64];
    char built_at[40];
    size_t nplaces;
    struct place *places;
    struct geo_index *index[PLACE_KIND_COUNT];
    struct arena strings;
};

static int check_schema(sqlite3 *db, const char *path, struct err *e)
{
    for (const char *const *t = STORE_SCHEMA_TABLES; *t; t++) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                    -1, &st, NULL);
        if (rc != SQLITE_OK) {
            err_set(e, "%s: not a readable SQLite database: %s", path, sqlite3_errmsg(db));
            return -1;
        }
        sqlite3_bind_text(st, 1, *t, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) {
            err_set(e, "%s: not a bhxh-geo release (table \"%s\" is missing)", path, *t);
            return -1;
        }
    }
    return 0;
}

static int read_release_row(sqlite3 *db, struct release *r, const char *path, struct err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, built_at, schema_version FROM release", -1, &st, NULL)) {
        err_set(e, "%s: cannot read the release table: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    int rc = sqlite3_step(st), status = -1;
    if (rc != SQLITE_ROW) {
        err_set(e, "%s: the release table is empty", path);
    } else if (sqlite3_column_int(st, 2) != STORE_SCHEMA_VERSION) {
        err_set(e, "%s: schema version %d, this server reads version %d; re-import the data", path,
                sqlite3_column_int(st, 2), STORE_SCHEMA_VERSION);
    } else {
        snprintf(r->id, sizeof r->id, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(r->built_at, sizeof r->built_at, "%s", (const char *)sqlite3_column_text(st, 1));
        status = 0;
    }
    sqlite3_finalize(st);
    return status;
}

#define PLACE_COLUMNS                                                                              \
    "kind, code, name, parent_code, level, facility_class, ownership, agent_type, address, "       \
    "province_code, district_code, ward_code, phone, email, website, opening_hours, source, "      \
    "updated, lat, lon, accepts_initial_registration, position_approx"

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
    const char **fields[] = {&p->code,           &p->name,          &p->parent_code,   &p->level,
                             &p->facility_class, &p->ownership,     &p->agent_type,    &p->address,
                             &p->province_code,  &p->district_code, &p->ward_code,     &p->phone,
                             &p->email,          &p->website,       &p->opening_hours, &p->source,
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

static int load_places(sqlite3 *db, struct release *r, const char *path, struct err *e)
{
    sqlite3_stmt *st;
    sqlite3_int64 n = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM places", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (n < 0 || n > (sqlite3_int64)UINT32_MAX / 2) {
        err_set(e, "%s: unexpected number of places", path);
        return -1;
    }
    r->places = calloc(n ? (size_t)n : 1, sizeof *r->places);
    if (r->places == NULL) {
        err_set(e, "%s: out of memory loading %lld places", path, (long long)n);
        return -1;
    }
    if (sqlite3_prepare_v2(db, "SELECT " PLACE_COLUMNS " FROM places ORDER BY code, kind", -1, &st,
                           NULL) != SQLITE_OK) {
        err_set(e, "%s: cannot read places: %s", path, sqlite3_errmsg(db));
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->nplaces < (size_t)n) {
        if (fill_place(r, st, &r->places[r->nplaces]) != 0) {
            err_set(e, "%s: a place row is malformed or memory ran out", path);
            sqlite3_finalize(st);
            return -1;
        }
        r->nplaces++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        err_set(e, "%s: reading places failed: %s", path, sqlite3_errstr(rc));
        return -1;
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
        if (r->index[k] == NULL)
            status = -1;
    }
    if (status != 0)
        err_set(e, "out of memory building the spatial index");
    free(lat);
    free(lon);
    free(ids);
    return status;
}

struct release *release_open(const char *path, struct err *e)
{
    struct store_db *db = store_db_open(path, true, e);
    if (db == NULL)
        return NULL;
    struct release *r = calloc(1, sizeof *r);
    if (r != NULL)
        atomic_init(&r->refs, 1);
    sqlite3 *h = store_db_handle(db);
    int ok = r != NULL && check_schema(h, path, e) == 0 && read_release_row(h, r, path, e) == 0 &&
             load_places(h, r, path, e) == 0 && build_indexes(r, e) == 0;
    store_db_close(db);
    if (!ok) {
        if (r == NULL)
            err_set(e, "out of memory");
        else
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
    if (r == NULL)
        return;
    if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (int k = 0; k < PLACE_KIND_COUNT; k++)
        geo_index_free(r->index[k]);
    free(r->places);
    arena_free(&r->strings);
    free(r);
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
