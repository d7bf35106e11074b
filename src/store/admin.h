/*
 * admin: the administrative units of a release (GSO codes) in all their
 * versions, and which later units took over each earlier one, held in
 * memory. Strings belong to the arena the table was loaded into; units,
 * links and version strings belong to the table (admin_table_free).
 *
 * A unit is (code, version): a code may name different units in two
 * versions (91 is Tỉnh Kiên Giang in 2025-03, Tỉnh An Giang in 2025-07).
 * The latest version is the current one.
 */
#ifndef BHXH_STORE_ADMIN_H
#define BHXH_STORE_ADMIN_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

struct admin_unit;

/* One end of a succession: the other unit, and how much of the old one went into the new one. */
struct admin_link {
    const struct admin_unit *unit;
    const char *share; /* "full" or "partial" */
    const char *note;  /* may be NULL */
};

struct admin_unit {
    const char *code, *name, *type, *level, *parent_code,
        *version;                          /* type/parent_code may be NULL */
    const struct admin_link *successors;   /* units of later versions that took it over, by code */
    const struct admin_link *predecessors; /* units of earlier versions it took over, by code */
    unsigned nsuccessors, npredecessors;
    bool current; /* in the latest version */
};

struct admin_table {
    struct admin_unit *units; /* sorted by (version, code) */
    size_t n;
    const char **versions; /* ascending; versions[nversions - 1] is the current one */
    size_t nversions;
    struct admin_link *links; /* storage for successors and predecessors */
};

/*
 * Loads every row of admin_units and admin_successors; strings are copied
 * into strings. Returns 0 or -1 with e.
 */
int admin_table_load(sqlite3 *db, struct arena *strings, struct admin_table *t, struct err *e);
void admin_table_free(struct admin_table *t);

/* The current version, or NULL when the table is empty. */
const char *admin_table_current(const struct admin_table *t);

/* The table's own copy of version s (n bytes), or NULL when it is not a version of the table. */
const char *admin_table_version(const struct admin_table *t, const char *s, size_t n);

/* The unit with that code (n bytes) in version (NULL = current), or NULL. */
const struct admin_unit *admin_table_find(const struct admin_table *t, const char *code, size_t n,
                                          const char *version);

/* The unit with that code in the latest version that has it, or NULL. */
const struct admin_unit *admin_table_latest(const struct admin_table *t, const char *code,
                                            size_t n);

/* The units of version: indexes [*first, *end) of t->units, in code order. */
void admin_table_range(const struct admin_table *t, const char *version, size_t *first,
                       size_t *end);

/* Index of the first unit of version whose code is greater than after (NULL: the first). */
size_t admin_table_after(const struct admin_table *t, const char *version, const char *after);

/* The unit directly above u (same version), or NULL. */
const struct admin_unit *admin_unit_parent(const struct admin_table *t, const struct admin_unit *u);

/*
 * The units of the current version that took u over, following successors
 * through any versions in between: at most max into out, in code order
 * without repeats. Returns how many (u itself when it is current).
 */
size_t admin_current_successors(const struct admin_unit *u, const struct admin_unit **out,
                                size_t max);

/* "current", "replaced" (an older unit with successors) or "retired" (without). */
const char *admin_unit_status(const struct admin_unit *u);

#endif
