#include "util/arena.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (256 * 1024)

struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    char data[];
};

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    struct arena_chunk *c = a->head;
    if (c == NULL || c->size - c->used < n + 1) {
        size_t size = n + 1 > CHUNK_SIZE ? n + 1 : CHUNK_SIZE;
        c = malloc(sizeof *c + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += size;
    }
    char *p = c->data + c->used;
    memcpy(p, s, n);
    p[n] = '\0';
    c->used += n + 1;
    a->used += n + 1;
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
