#include "util/arena.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (256 * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    char data[];
};

#define ALIGN _Alignof(max_align_t)

/* n bytes at c->data + c->used + pad, where pad makes the address a multiple of align. */
static char *take(struct arena *a, size_t n, size_t align)
{
    struct arena_chunk *c = a->head;
    size_t pad = c ? (align - (uintptr_t)(c->data + c->used) % align) % align : 0;
    if (c == NULL || c->size - c->used < n + pad) {
        size_t size = n + align > CHUNK_SIZE ? n + align : CHUNK_SIZE;
        c = malloc(sizeof *c + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += size;
        pad = (align - (uintptr_t)c->data % align) % align;
    }
    char *p = c->data + c->used + pad;
    c->used += pad + n;
    a->used += pad + n;
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    char *p = take(a, n ? n : 1, ALIGN);
    if (p)
        memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = take(a, n + 1, 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void arena_free(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = a->total = 0;
}
