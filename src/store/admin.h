/*
 * admin: the administrative units of a release (GSO codes), held in memory
 * sorted by code. Strings belong to the arena the table was loaded into.
 */
#ifndef BHXH_STORE_ADMIN_H
#define BHXH_STORE_ADMIN_H

#include <sqlite3.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

struct admin_unit {
    const char *code, *name, *type, *level, *parent_code; /* type/parent_code may be NULL */
};

struct admin_table {
    struct admin_unit *units; /* sorted by code */
    size_t n;
};

/* Loads every row of admin_units; strings are copied into strings. Returns 0 or -1 with e. */
int admin_table_load(sqlite3 *db, struct arena *strings, struct admin_table *t, struct err *e);
void admin_table_free(struct admin_table *t);

/* The unit with that code (n bytes), or NULL. */
const struct admin_unit *admin_table_find(const struct admin_table *t, const char *code,
                                          size_t n);

/* Index of the first unit whose code is greater than after (0 when after is NULL). */
size_t admin_table_after(const struct admin_table *t, const char *after);

#endif
