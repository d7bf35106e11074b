/*
 * intern: one copy of each distinct string. intern_str returns the arena's
 * copy of a string equal to the one given, making it on first sight, so
 * equal strings get equal pointers. The table is only needed while strings
 * are being added (a release's load); intern_free drops it and leaves the
 * strings in the arena.
 */
#ifndef BHXH_UTIL_INTERN_H
#define BHXH_UTIL_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

struct intern {
    struct arena *arena;
    const char **slots; /* open addressing; NULL is empty */
    uint32_t *hashes;   /* beside slots, to skip most string compares */
    size_t cap, n;
};

void intern_init(struct intern *t, struct arena *arena);
/* The interned copy of the n bytes at s (which need not be NUL-terminated); NULL if out of memory. */
const char *intern_str(struct intern *t, const char *s, size_t n);
void intern_free(struct intern *t);

/* A hash of n bytes (not for adversarial input: the keys are the release's own). */
#define INTERN_HASH_SEED 2166136261u
uint32_t intern_hash(uint32_t h, const void *p, size_t n);

#endif
