/*
 * Loading: two loaders on two connections each read half of the places
 * table (by id) into an array of struct place whose strings live in the
 * release's arenas; the array is then put in (code, kind) order. The array
 * index is the place id used by the spatial indexes, so ties in distance are
 * broken by code simply by comparing ids. SQL queries (lists, search) run
 * on the release's own connection pool and map row ids back with by_rowid.
 * The k-d trees and the cluster indexes are built on two threads.
 *
 * Memory (about 1 million places): a struct place is 72 bytes; the
 * attributes many places share are interned (struct place_attrs); names
 * and addresses are kept packed with a dictionary of the release's frequent
 * words, sampled before the loaders start (text/pack.h: about 40% of their
 * size); the SQLite connections do not keep a memory map of the file once
 * loading is done.
 */
#include "store/release.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/derived.h"
#include "store/pool.h"
#include "util/arena.h"
#include "util/intern.h"
#include "util/prio.h"

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
    struct arena strings, more_strings; /* the second for a second loader */
    struct derived *derived; /* values derived on demand (store/derived.h) */
    struct release_timings timings;
    struct text_pack *pack; /* packs the places' names and addresses */
    char path[4096];            /* for the background check's messages */
    atomic_int integrity;       /* enum release_integrity */
    char integrity_why[sizeof((struct err *)0)->msg]; /* set before integrity becomes FAILED */
    struct kind_points *points; /* while the indexes are built */
};

#define PLACE_COLUMNS                                                                              \
    "kind, code, name, address, phone, parent_code, level, facility_class, ownership, agent_type, " \
    "province_code, district_code, ward_code, email, website, opening_hours, source, updated, "    \
    "lat, lon, accepts_initial_registration, position_approx, id"
#define COL_OWN 1   /* code, name, address, phone: copied for each place */
#define COL_SHARED 5 /* the 13 struct place_attrs fields, in its order: interned */
#define COL_LAT 18

/*
 * A loader reads the places whose id is in (lo, hi] on its own connection
 * into its own arrays, and interns attribute strings (equal strings share
 * one copy) and whole attribute sets (places with equal attributes share
 * one struct place_attrs) into its own arena; the tables live only while
 * the release loads. Two loaders can run at once on two connections.
 */
struct loader {
    struct release *r;
    struct arena *arena;
    struct intern strings; /* attribute strings */
    struct intern sets;    /* struct place_attrs */
    struct place_attrs last; /* the previous row's, whose values the next row often repeats */
    const struct place_attrs *last_set;
    sqlite3 *db;
    sqlite3_int64 lo, hi;
    struct place *places; /* room for cap places; n filled */
    int64_t *rowids;      /* places.id of each place */
    size_t n, cap;
    struct err e;
    int status;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Column i as a string: NULL for SQL NULL or empty; *n receives its length. */
static const char *column(sqlite3_stmt *st, int i, size_t *n)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    *n = (size_t)sqlite3_column_bytes(st, i);
    return s && *n ? s : NULL;
}

static int fill_place(struct loader *l, sqlite3_stmt *st, struct place *p)
{
    size_t n;
    const char *s = column(st, 0, &n);
    enum place_kind kind;
    if (s == NULL || place_kind_parse(s, n, &kind) != 0)
        return -1;
    p->kind = (uint8_t)kind;
    const char **own[] = {&p->code, &p->packed_name, &p->packed_address, &p->phone};
    for (int i = 0; i < 4; i++) {
        s = column(st, COL_OWN + i, &n);
        if (s == NULL)
            continue;
        *own[i] = i == 1 || i == 2 ? text_pack_store(l->r->pack, l->arena, s, n)
                                   : arena_strndup(l->arena, s, n);
        if (*own[i] == NULL)
            return -1;
    }
    struct place_attrs a;
    const char **shared[] = {&a.parent_code,   &a.level,         &a.facility_class, &a.ownership,
                             &a.agent_type,    &a.province_code, &a.district_code,  &a.ward_code,
                             &a.email,         &a.website,       &a.opening_hours,  &a.source,
                             &a.updated};
    const struct place_attrs *prev = &l->last; /* the same 13 fields of the previous row */
    const char *const last[] = {
        prev->parent_code,   prev->level,         prev->facility_class, prev->ownership,
        prev->agent_type,    prev->province_code, prev->district_code,  prev->ward_code,
        prev->email,         prev->website,       prev->opening_hours,  prev->source,
        prev->updated};
    for (int i = 0; i < 13; i++) {
        s = column(st, COL_SHARED + i, &n);
        *shared[i] = NULL;
        if (s == NULL)
            continue;
        if (last[i] && strncmp(last[i], s, n) == 0 && last[i][n] == '\0')
            *shared[i] = last[i]; /* as the previous row: no lookup */
        else if ((*shared[i] = intern_str(&l->strings, s, n)) == NULL)
            return -1;
    }
    a.pack = l->r->pack;
    if (l->last_set && memcmp(&a, &l->last, sizeof a) == 0)
        p->attrs = l->last_set;
    else if ((p->attrs = intern_record(&l->sets, &a)) == NULL)
        return -1;
    l->last = a;
    l->last_set = p->attrs;
    p->lat = sqlite3_column_double(st, COL_LAT);
    p->lon = sqlite3_column_double(st, COL_LAT + 1);
    p->accepts_initial_registration = sqlite3_column_type(st, COL_LAT + 2) == SQLITE_NULL
                                          ? -1
                                          : (sqlite3_column_int(st, COL_LAT + 2) != 0);
    p->position_approx = sqlite3_column_int(st, COL_LAT + 3) != 0;
    return p->code == NULL || p->packed_name == NULL ? -1 : 0;
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

/* Orders places by (code, kind): the order of place ids. */
static int place_cmp(const struct place *a, const struct place *b)
{
    int c = strcmp(a->code, b->code);
    return c ? c : (int)a->kind - (int)b->kind;
}

static int perm_cmp(const void *a, const void *b, void *places)
{
    const struct place *p = places;
    return place_cmp(&p[*(const uint32_t *)a], &p[*(const uint32_t *)b]);
}

/*
 * Puts the n places of *pl (and their ids in *ids) in (code, kind) order,
 * unless they are in it already; the arrays are replaced by ones of n.
 * Returns -1 when memory ran out.
 */
static int sort_run(struct place **pl, int64_t **ids, size_t n)
{
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = place_cmp(&(*pl)[i - 1], &(*pl)[i]) < 0;
    if (sorted)
        return 0;
    uint32_t *perm = malloc(n * sizeof *perm);
    struct place *out = malloc(n * sizeof *out);
    int64_t *out_ids = malloc(n * sizeof *out_ids);
    if (perm == NULL || out == NULL || out_ids == NULL) {
        free(perm), free(out), free(out_ids);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    qsort_r(perm, n, sizeof *perm, perm_cmp, *pl);
    for (size_t i = 0; i < n; i++) {
        out[i] = (*pl)[perm[i]];
        out_ids[i] = (*ids)[perm[i]];
    }
    free(perm);
    free(*pl);
    free(*ids);
    *pl = out, *ids = out_ids;
    return 0;
}

/* Merges the two sorted runs of a and b into one in a (whose arrays are replaced). */
static int merge_runs(struct loader *a, struct loader *b)
{
    size_t n = a->n + b->n, i = 0, j = 0;
    struct place *out = malloc((n ? n : 1) * sizeof *out);
    int64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    if (out == NULL || ids == NULL) {
        free(out), free(ids);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        bool from_a = j == b->n || (i < a->n && place_cmp(&a->places[i], &b->places[j]) <= 0);
        out[k] = from_a ? a->places[i] : b->places[j];
        ids[k] = from_a ? a->rowids[i++] : b->rowids[j++];
    }
    free(a->places);
    free(a->rowids);
    a->places = out, a->rowids = ids, a->n = n;
    return 0;
}

/* Reads the rows of l's range; runs on its own thread when there are two loaders. */
static void *load_range(void *arg)
{
    struct loader *l = arg;
    sqlite3_stmt *st;
    l->status = -1;
    intern_init(&l->strings, l->arena);
    intern_init_records(&l->sets, l->arena, sizeof(struct place_attrs));
    if (sqlite3_prepare_v2(l->db, "SELECT " PLACE_COLUMNS " FROM places WHERE id > ?1 AND id <= ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        err_set(&l->e, "cannot read places: %s", sqlite3_errmsg(l->db));
        return NULL;
    }
    sqlite3_bind_int64(st, 1, l->lo);
    sqlite3_bind_int64(st, 2, l->hi);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (l->n == l->cap || fill_place(l, st, &l->places[l->n]) != 0) {
            err_set(&l->e, "a place row is malformed, or memory ran out");
            sqlite3_finalize(st);
            return NULL;
        }
        l->rowids[l->n++] = sqlite3_column_int64(st, COL_LAT + 4);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        err_set(&l->e, "reading places failed: %s", sqlite3_errstr(rc));
    else if (sort_run(&l->places, &l->rowids, l->n) != 0) /* each loader its own run */
        err_set(&l->e, "out of memory ordering %zu places", l->n);
    else
        l->status = 0;
    return NULL;
}

static void loader_free(struct loader *l)
{
    intern_free(&l->strings);
    intern_free(&l->sets);
    free(l->places);
    free(l->rowids);
}

/* Gives l room for cap places; -1 on out of memory. */
static int loader_alloc(struct loader *l, size_t cap)
{
    l->cap = cap;
    l->places = calloc(cap ? cap : 1, sizeof *l->places);
    l->rowids = malloc((cap ? cap : 1) * sizeof *l->rowids);
    return l->places && l->rowids ? 0 : -1;
}

/*
 * The dictionary that packs names and addresses (text/pack.h), from a
 * sample spread over the table: SAMPLE_RUNS runs of SAMPLE_ROWS rows.
 */
#define SAMPLE_RUNS 8
#define SAMPLE_ROWS 5000

static struct text_pack *sample_pack(sqlite3 *db, sqlite3_int64 max)
{
    struct text_pack_sample *smp = text_pack_sample_new();
    sqlite3_stmt *st = NULL;
    if (smp == NULL || sqlite3_prepare_v2(db,
                                          "SELECT name, address FROM places WHERE id > ?1"
                                          " ORDER BY id LIMIT ?2",
                                          -1, &st, NULL) != SQLITE_OK)
        goto fail;
    for (int k = 0; k < SAMPLE_RUNS; k++) {
        sqlite3_bind_int64(st, 1, max / SAMPLE_RUNS * k);
        sqlite3_bind_int(st, 2, SAMPLE_ROWS);
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < 2; c++) {
                const char *t = (const char *)sqlite3_column_text(st, c);
                if (t && text_pack_sample_add(smp, t, (size_t)sqlite3_column_bytes(st, c)) != 0)
                    goto fail;
            }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return text_pack_build(smp);
fail:
    sqlite3_finalize(st);
    text_pack_sample_free(smp);
    return NULL;
}

/*
 * Reads every place into r->places with ndb loaders (1 or 2) on the
 * connections dbs; *rowids receives the places.id of each (in r->places
 * order; the caller frees it).
 */
static int load_places(struct release *r, sqlite3 **dbs, int ndb, int64_t **rowids,
                       const char *path, struct err *e)
{
    sqlite3_int64 n = scalar(dbs[0], "SELECT count(*) FROM places");
    sqlite3_int64 max = scalar(dbs[0], "SELECT coalesce(max(id), 0) FROM places");
    if (n < 0 || n > (sqlite3_int64)UINT32_MAX / 2 || max < 0 || max > 4 * n + 1000) {
        err_set(e, "%s: unexpected number of places or place ids", path);
        return -1;
    }
    r->max_rowid = (size_t)max;
    if ((r->pack = sample_pack(dbs[0], max)) == NULL) {
        err_set(e, "%s: cannot sample the names and addresses: %s", path,
                sqlite3_errmsg(dbs[0]));
        return -1;
    }
    struct loader l[2] = {{.r = r, .arena = &r->strings, .db = dbs[0], .lo = -1, .hi = max},
                          {.r = r, .arena = &r->more_strings, .db = ndb > 1 ? dbs[1] : NULL,
                           .lo = max / 2, .hi = max}};
    pthread_t t;
    bool two = ndb > 1 && n > 1; /* small releases too, so that tests run this path */
    if (two)
        l[0].hi = max / 2;
    int rc = -1;
    r->by_rowid = malloc(((size_t)max + 1) * sizeof *r->by_rowid);
    if (r->by_rowid == NULL || loader_alloc(&l[0], (size_t)n) || (two && loader_alloc(&l[1], (size_t)n))) {
        err_set(e, "%s: out of memory loading %lld places", path, (long long)n);
        goto out;
    }
    memset(r->by_rowid, 0xff, ((size_t)max + 1) * sizeof *r->by_rowid);
    if (two && pthread_create(&t, NULL, load_range, &l[1]) != 0)
        two = false, l[0].hi = max;
    load_range(&l[0]);
    if (two)
        pthread_join(t, NULL);
    for (int i = 0; i < (two ? 2 : 1); i++)
        if (l[i].status != 0) {
            err_set(e, "%s: %s", path, l[i].e.msg);
            goto out;
        }
    if (two && merge_runs(&l[0], &l[1]) != 0) {
        err_set(e, "%s: out of memory ordering %lld places", path, (long long)n);
        goto out;
    }
    r->places = l[0].places, r->nplaces = l[0].n;
    *rowids = l[0].rowids;
    l[0].places = NULL, l[0].rowids = NULL;
    rc = 0;
out:
    loader_free(&l[0]);
    loader_free(&l[1]);
    return rc;
}

/*
 * Checks that the places (in (code, kind) order) have distinct codes per
 * kind and ids in range, and fills by_rowid from rowids (the places.id of
 * each place).
 */
static int index_places(struct release *r, const int64_t *rowids, struct err *e)
{
    for (size_t i = 0; i < r->nplaces; i++) {
        if (i > 0 && place_cmp(&r->places[i - 1], &r->places[i]) >= 0) {
            err_set(e, "two places of kind %s have the code \"%s\"",
                    place_kind_name(r->places[i].kind), r->places[i].code);
            return -1;
        }
        if (rowids[i] < 0 || (size_t)rowids[i] > r->max_rowid) {
            err_set(e, "place id %lld is out of range", (long long)rowids[i]);
            return -1;
        }
        r->by_rowid[rowids[i]] = (uint32_t)i;
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
    const char *parent = c->attrs->parent_code;
    if (c->kind != PLACE_OFFICE || parent == NULL)
        return NULL;
    return (struct place *)release_find(r, PLACE_OFFICE, parent, strlen(parent));
}

/* Fills each office's children (offices whose parent_code is its code), in code order. */
static int link_children(struct release *r, struct err *e)
{
    size_t total = 0;
    for (size_t i = 0; i < r->nplaces; i++)
        if (r->places[i].kind == PLACE_OFFICE && r->places[i].attrs->parent_code)
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

/* The points of one kind, for its indexes. */
struct kind_points {
    double *lat, *lon;
    uint32_t *ids;
    size_t n;
};

static void *build_clusters(void *arg)
{
    struct release *r = arg;
    const struct kind_points *pts = r->points;
    for (int k = 0; k < PLACE_KIND_COUNT; k++)
        r->clusters[k] = cluster_index_build(pts[k].lat, pts[k].lon, pts[k].ids, pts[k].n);
    return NULL;
}

/*
 * Builds the k-d trees and the cluster indexes of each kind, the two kinds
 * of index on two threads (they read the same point arrays).
 */
static int build_indexes(struct release *r, struct err *e)
{
    struct kind_points pts[PLACE_KIND_COUNT] = {{0}};
    int status = 0;
    for (size_t i = 0; i < r->nplaces; i++)
        pts[r->places[i].kind].n++;
    for (int k = 0; k < PLACE_KIND_COUNT; k++) {
        size_t n = pts[k].n ? pts[k].n : 1;
        pts[k].lat = malloc(n * sizeof *pts[k].lat);
        pts[k].lon = malloc(n * sizeof *pts[k].lon);
        pts[k].ids = malloc(n * sizeof *pts[k].ids);
        if (!pts[k].lat || !pts[k].lon || !pts[k].ids)
            status = -1;
        pts[k].n = 0;
    }
    if (status == 0) {
        for (size_t i = 0; i < r->nplaces; i++) {
            struct kind_points *p = &pts[r->places[i].kind];
            p->lat[p->n] = r->places[i].lat, p->lon[p->n] = r->places[i].lon;
            p->ids[p->n++] = (uint32_t)i;
        }
        r->points = pts;
        pthread_t t;
        bool threaded = pthread_create(&t, NULL, build_clusters, r) == 0;
        for (int k = 0; k < PLACE_KIND_COUNT; k++)
            r->index[k] = geo_index_build(pts[k].lat, pts[k].lon, pts[k].ids, pts[k].n);
        if (threaded)
            pthread_join(t, NULL);
        else
            build_clusters(r);
        r->points = NULL;
        for (int k = 0; k < PLACE_KIND_COUNT; k++)
            if (r->index[k] == NULL || r->clusters[k] == NULL)
                status = -1;
    }
    for (int k = 0; k < PLACE_KIND_COUNT; k++) {
        free(pts[k].lat);
        free(pts[k].lon);
        free(pts[k].ids);
    }
    if (status != 0)
        err_set(e, "out of memory building the spatial index");
    return status;
}

/* PRAGMA quick_check: page structure, indexes' row counts, NOT NULL and types. */
struct check_job {
    sqlite3 *db;
    const char *path;
    struct err e;
    int status;
    double seconds;
    bool map; /* read through a memory map */
};


static void *quick_check(void *arg)
{
    struct check_job *j = arg;
    double t0 = now_s();
    sqlite3_stmt *st;
    j->status = -1;
    if (j->map) /* as read_all; not in the background, where its pages would stay resident long */
        sqlite3_exec(j->db, "PRAGMA mmap_size = 2147418112", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(j->db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK) {
        err_set(&j->e, "%s: integrity check could not run: %s", j->path, sqlite3_errmsg(j->db));
        sqlite3_exec(j->db, "PRAGMA mmap_size = 0", NULL, NULL, NULL);
        return NULL;
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *res = (const char *)sqlite3_column_text(st, 0);
        if (res && strcmp(res, "ok") == 0)
            j->status = 0;
        else
            err_set(&j->e, "%s: integrity check failed: %s", j->path, res ? res : "?");
    } else {
        err_set(&j->e, "%s: integrity check failed: %s", j->path, sqlite3_errmsg(j->db));
    }
    sqlite3_finalize(st);
    sqlite3_exec(j->db, "PRAGMA mmap_size = 0", NULL, NULL, NULL);
    j->seconds = now_s() - t0;
    return NULL;
}

/*
 * The background check: holds its own reference to r, borrows one of its
 * connections, and runs at the lowest CPU priority (Linux applies a nice
 * value to the calling thread only) so requests keep their share.
 */
static void *background_check(void *arg)
{
    struct release *r = arg;
    struct check_job job = {.path = r->path, .db = store_pool_get(r->pool)};
    prio_lower_this_thread(PRIO_IDLE);
    quick_check(&job);
    store_pool_put(r->pool, job.db);
    r->timings.check_s = job.seconds;
    if (job.status != 0) {
        snprintf(r->integrity_why, sizeof r->integrity_why, "%s", job.e.msg);
        fprintf(stderr, "bhxh-geo: release %s FAILED its integrity check: %s\n", r->id,
                job.e.msg);
    } else {
        fprintf(stderr, "bhxh-geo: release %s passed its integrity check in %.2f s\n", r->id,
                job.seconds);
    }
    atomic_store(&r->integrity,
                 job.status == 0 ? RELEASE_INTEGRITY_OK : RELEASE_INTEGRITY_FAILED);
    release_unref(r);
    return NULL;
}

static void start_background_check(struct release *r)
{
    pthread_t t;
    pthread_attr_t attr;
    atomic_store(&r->integrity, RELEASE_INTEGRITY_CHECKING);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, background_check, release_retain(r)) != 0) {
        release_unref(r); /* not the last reference: the caller holds one */
        atomic_store(&r->integrity, RELEASE_INTEGRITY_UNCHECKED);
        fprintf(stderr, "bhxh-geo: release %s: cannot start the integrity check\n", r->id);
    }
    pthread_attr_destroy(&attr);
}

enum release_integrity release_integrity(const struct release *r, const char **why)
{
    enum release_integrity i = atomic_load(&r->integrity);
    if (why)
        *why = i == RELEASE_INTEGRITY_FAILED ? r->integrity_why : NULL;
    return i;
}

const char *release_integrity_name(enum release_integrity i)
{
    static const char *const names[] = {"unchecked", "checking", "ok", "failed"};
    return names[i];
}

/*
 * Reads the places and the administrative units, with two loaders when two
 * connections are given. Reading the whole file goes faster through a
 * memory map; requests later read few pages, and a mapping would keep the
 * pages read now in the process's resident set, so it goes once the
 * reading is done.
 */
static int read_all(struct release *r, sqlite3 **dbs, int ndb, const char *path, struct err *e)
{
    int64_t *rowids = NULL;
    for (int i = 0; i < ndb; i++)
        sqlite3_exec(dbs[i], "PRAGMA mmap_size = 2147418112", NULL, NULL, NULL);
    int rc = -1;
    if (read_built_at(dbs[0], r) != 0)
        err_set(e, "%s: the release table has no build time", path);
    else if (load_places(r, dbs, ndb, &rowids, path, e) == 0 && index_places(r, rowids, e) == 0 &&
             admin_table_load(dbs[0], &r->strings, &r->admin, e) == 0)
        rc = 0;
    for (int i = 0; i < ndb; i++)
        sqlite3_exec(dbs[i], "PRAGMA mmap_size = 0", NULL, NULL, NULL);
    free(rowids);
    return rc;
}

/*
 * Opening reads the file on one connection while, for RELEASE_CHECK_FULL,
 * SQLite's quick_check reads it on another (when the pool has two), so the
 * check costs little extra time on a machine with two cores.
 */
struct release *release_open(const char *path, unsigned connections, enum release_check check,
                             struct err *e)
{
    double t0 = now_s();
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
    struct check_job job = {.path = path, .status = 0, .map = true};
    pthread_t checker;
    bool checking = false;
    if (check == RELEASE_CHECK_FULL) {
        job.db = store_pool_get(r->pool);
        if (connections < 2 || pthread_create(&checker, NULL, quick_check, &job) != 0) {
            quick_check(&job); /* one connection: check, then read on it */
            store_pool_put(r->pool, job.db);
            job.db = NULL;
        } else {
            checking = true;
        }
    }
    int ok = checking || job.status == 0; /* job.status is the checker's until joined */
    if (ok) {
        /* Two loaders when a connection is free beside the check's. */
        sqlite3 *dbs[2] = {store_pool_get(r->pool), NULL};
        int ndb = connections >= (checking ? 3u : 2u) ? 2 : 1;
        if (ndb == 2)
            dbs[1] = store_pool_get(r->pool);
        double t1 = now_s();
        ok = read_all(r, dbs, ndb, path, e) == 0;
        r->timings.read_s = now_s() - t1;
        for (int i = 0; i < ndb; i++)
            store_pool_put(r->pool, dbs[i]);
    }
    if (checking) {
        pthread_join(checker, NULL);
        store_pool_put(r->pool, job.db);
    }
    r->timings.check_s = job.seconds;
    if (job.status != 0) {
        *e = job.e;
        ok = 0;
    }
    atomic_init(&r->integrity, check == RELEASE_CHECK_FULL ? RELEASE_INTEGRITY_OK
                                                           : RELEASE_INTEGRITY_UNCHECKED);
    double t2 = now_s();
    if (!ok || link_children(r, e) != 0 || build_indexes(r, e) != 0) {
        release_unref(r);
        return NULL;
    }
    r->timings.index_s = now_s() - t2;
    r->timings.total_s = now_s() - t0;
    malloc_trim(0); /* the loading's temporary tables leave free pages behind */
    if (check == RELEASE_CHECK_BACKGROUND) {
        snprintf(r->path, sizeof r->path, "%s", path);
        start_background_check(r);
    }
    return r;
}

const struct release_timings *release_timings(const struct release *r)
{
    return &r->timings;
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
    arena_free(&r->more_strings);
    text_pack_free(r->pack);
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

struct release *release_slot_swap(struct release_slot *s, struct release *r)
{
    pthread_mutex_lock(&s->mu);
    struct release *old = s->cur;
    s->cur = r;
    pthread_mutex_unlock(&s->mu);
    return old;
}

void release_slot_set(struct release_slot *s, struct release *r)
{
    release_unref(release_slot_swap(s, r));
}

bool release_unref_quiet(struct release *r, unsigned wait_ms)
{
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (unsigned waited = 0; waited < wait_ms && atomic_load(&r->refs) > 1; waited += 10)
        nanosleep(&pause, NULL);
    bool last = atomic_load(&r->refs) == 1;
    release_unref(r);
    return last;
}

void release_slot_free(struct release_slot *s)
{
    if (s == NULL)
        return;
    release_unref(s->cur);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
