/*
 * release: one opened data release, loaded into memory for serving.
 *
 * Opening a release checks that the file is a bhxh-geo database of the
 * expected schema, loads every place into memory and builds one spatial index
 * per kind. A release is immutable once opened and is shared by all request
 * threads; it is reference-counted so that a newer release can replace it
 * while requests still use the old one (see release_slot).
 */
#ifndef BHXH_STORE_RELEASE_H
#define BHXH_STORE_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "geo/cluster.h"
#include "geo/kdtree.h"
#include "store/admin.h"
#include "store/place.h"
#include "util/err.h"

struct release;

/* How much checking release_open does before accepting a file. */
enum release_check {
    RELEASE_CHECK_SCHEMA, /* expected tables, schema version and one release row */
    RELEASE_CHECK_FULL,   /* that, plus SQLite's PRAGMA quick_check over the whole file */
    /*
     * SCHEMA before accepting, then quick_check on a background thread at low
     * CPU priority while the release serves (release_integrity tells the
     * result): for start-up, when there is no older release to keep serving
     * and answering soon matters more than checking every index page first.
     */
    RELEASE_CHECK_BACKGROUND,
};

/* What is known of a release's integrity (PRAGMA quick_check). */
enum release_integrity {
    RELEASE_INTEGRITY_UNCHECKED, /* opened with RELEASE_CHECK_SCHEMA */
    RELEASE_INTEGRITY_CHECKING,  /* the background check is running */
    RELEASE_INTEGRITY_OK,
    RELEASE_INTEGRITY_FAILED,
};

/* The state of the check; for FAILED, *why (if why is not NULL) receives SQLite's finding. */
enum release_integrity release_integrity(const struct release *r, const char **why);
/* "unchecked", "checking", "ok", "failed". */
const char *release_integrity_name(enum release_integrity i);

/*
 * Opens path read-only with a pool of `connections` SQLite connections (one
 * per request thread is right), checks it, loads it and builds its indexes.
 * Returns a release with one reference, or NULL and fills e.
 */
struct release *release_open(const char *path, unsigned connections, enum release_check check,
                             struct err *e);

/*
 * Seconds release_open took: the integrity check (RELEASE_CHECK_FULL; it runs
 * beside the reading when the pool has two connections), reading places and
 * units, building the indexes, and all of it.
 */
struct release_timings {
    double check_s, read_s, index_s, total_s;
};
const struct release_timings *release_timings(const struct release *r);

/* Reference counting: retain returns r; the last release_unref frees it. */
struct release *release_retain(struct release *r);
void release_unref(struct release *r);

const char *release_id(const struct release *r);
const char *release_built_at(const struct release *r);
size_t release_place_count(const struct release *r);

/* The place with the given id (0 <= id < count); ids follow (code, kind) order. */
const struct place *release_place(const struct release *r, uint32_t id);

/* The id of a place of this release (its index). */
uint32_t release_place_id(const struct release *r, const struct place *p);

/* The place whose row id in the places table is rowid, or NULL. */
const struct place *release_place_by_rowid(const struct release *r, int64_t rowid);

/* The place of that kind and code, or NULL. */
const struct place *release_find(const struct release *r, enum place_kind kind, const char *code,
                                 size_t code_len);

/* The spatial index of one kind (never NULL for an opened release). */
const struct geo_index *release_index(const struct release *r, enum place_kind kind);

/* The map clustering index of one kind (never NULL for an opened release). */
const struct cluster_index *release_cluster_index(const struct release *r, enum place_kind kind);

/* The administrative units of the release. */
const struct admin_table *release_admin(const struct release *r);

/*
 * A read-only SQLite connection to this release's file, borrowed from its
 * pool (waits while all are busy). Give it back with release_db_put before
 * dropping the reference to r; do not keep statements prepared on it.
 */
sqlite3 *release_db_get(struct release *r);
void release_db_put(struct release *r, sqlite3 *db);

/* The values derived from this release on demand (store/derived.h); owned by r. */
struct derived *release_derived(struct release *r);

/*
 * release_slot: the release currently served. get returns it with a new
 * reference (the caller must release_unref it); set installs r (taking over
 * the caller's reference) and drops the slot's reference to the old one.
 */
struct release_slot;
struct release_slot *release_slot_new(struct release *r);
struct release *release_slot_get(struct release_slot *s);
void release_slot_set(struct release_slot *s, struct release *r);
/*
 * As release_slot_set, but returns the old release with the slot's
 * reference instead of dropping it, so the caller chooses which thread
 * frees it (release_unref_quiet).
 */
struct release *release_slot_swap(struct release_slot *s, struct release *r);

/*
 * Drops the caller's reference to r after waiting, at most wait_ms, for the
 * requests that still use it to finish, so that a release that is no longer
 * served is freed by the caller's (background) thread rather than by the
 * request thread that happens to drop the last reference. Returns whether
 * this call freed it.
 */
bool release_unref_quiet(struct release *r, unsigned wait_ms);
void release_slot_free(struct release_slot *s);

#endif
