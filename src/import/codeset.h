/*
 * codeset: the codes seen so far in one import file, with the line each was
 * first seen on and a small tag (a level). The importer uses it to report a
 * duplicate with the line of the first occurrence, and to check references
 * (a parent office, an admin unit) without asking the database.
 *
 * Ownership: the set copies every code into its own arena; entries returned
 * by codeset_get()/codeset_add() point into the set and stay valid until the
 * next codeset_add() or codeset_free().
 */
#ifndef BHXH_IMPORT_CODESET_H
#define BHXH_IMPORT_CODESET_H

#include <stddef.h>

struct codeset_entry {
    const char *code;
    unsigned long line;
    int tag;
};

struct codeset;

struct codeset *codeset_new(void); /* NULL when out of memory */
void codeset_free(struct codeset *s);

/*
 * Adds code (NUL-terminated) unless it is there already. Returns 1 when
 * added, 0 when present (*first, if not NULL, is then the existing entry),
 * -1 when out of memory.
 */
int codeset_add(struct codeset *s, const char *code, unsigned long line, int tag,
                const struct codeset_entry **first);

/* The entry for code, or NULL. */
const struct codeset_entry *codeset_get(const struct codeset *s, const char *code);

size_t codeset_count(const struct codeset *s);

#endif
