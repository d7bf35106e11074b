/*
 * arena: bump allocation for many small strings and records that live and
 * die together (a release's place texts and shared attributes). Everything is freed at once by arena_free().
 */
#ifndef BHXH_UTIL_ARENA_H
#define BHXH_UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    size_t used, total; /* bytes handed out / bytes reserved */
};

/* n bytes aligned for any object (zeroed); NULL on out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies n bytes of s plus a NUL into the arena; returns NULL on out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

#endif
