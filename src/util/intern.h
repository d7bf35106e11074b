/*
 * intern: one copy of each distinct string (or fixed-size record).
 * intern_str returns the arena's copy of a string equal to the one given,
 * making it on first sight, so equal strings get equal pointers;
 * intern_record does the same for records of the size the table was made
 * for (compared byte for byte: zero their padding). The table is only
 * needed while values are being added (a release's load); intern_free drops
 * it and leaves the values in the arena.
 */
#ifndef BHXH_UTIL_INTERN_H
#define BHXH_UTIL_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

struct intern {
    struct arena *arena;
    const char **slots; /* open addressing; NULL is empty */
    uint32_t *hashes;   /* beside slots, to skip most compares */
    size_t cap, n;
    size_t record; /* 0: a table of strings; else of records of this many bytes */
};

/* A table of strings. */
void intern_init(struct intern *t, struct arena *arena);
/* A table of records of `size` bytes. */
void intern_init_records(struct intern *t, struct arena *arena, size_t size);
/* The interned copy of the record at rec; NULL if out of memory. */
const void *intern_record(struct intern *t, const void *rec);
/* The interned copy of the n bytes at s (which need not be NUL-terminated); NULL if out of memory. */
const char *intern_str(struct intern *t, const char *s, size_t n);
void intern_free(struct intern *t);

/* A hash of n bytes (not for adversarial input: the keys are the release's own). */
#define INTERN_HASH_SEED 2166136261u
uint32_t intern_hash(uint32_t h, const void *p, size_t n);

#endif
