/*
 * arena: bump allocation for many small strings that live and die together
 * (a release's place texts). Everything is freed at once by arena_free().
 */
#ifndef BHXH_UTIL_ARENA_H
#define BHXH_UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    size_t used, total; /* bytes handed out / bytes reserved */
};

/* Copies n bytes of s plus a NUL into the arena; returns NULL on out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

#endif
