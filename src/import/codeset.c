/*
 * Open addressing with linear probing over a power-of-two table kept at most
 * half full; the 32-bit FNV-1a hash is stored in the slot so that probing
 * compares strings only on a hash match. Codes live in an arena, so growing
 * the table moves slots but never strings.
 */
#include "import/codeset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

struct slot {
    struct codeset_entry e; /* e.code == NULL: empty */
    uint32_t hash;
};

struct codeset {
    struct slot *slots;
    size_t cap, count; /* cap is a power of two */
    struct arena arena;
};

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

struct codeset *codeset_new(void)
{
    struct codeset *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->cap = 64;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (s->slots == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void codeset_free(struct codeset *s)
{
    if (s == NULL)
        return;
    arena_free(&s->arena);
    free(s->slots);
    free(s);
}

static struct slot *find(const struct codeset *s, const char *code, uint32_t h)
{
    size_t mask = s->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct slot *sl = &s->slots[i];
        if (sl->e.code == NULL || (sl->hash == h && strcmp(sl->e.code, code) == 0))
            return sl;
    }
}

static int grow(struct codeset *s)
{
    struct codeset bigger = {.cap = s->cap * 2};
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (bigger.slots == NULL)
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].e.code != NULL)
            *find(&bigger, s->slots[i].e.code, s->slots[i].hash) = s->slots[i];
    free(s->slots);
    s->slots = bigger.slots;
    s->cap = bigger.cap;
    return 0;
}

int codeset_add(struct codeset *s, const char *code, unsigned long line, int tag,
                const struct codeset_entry **first)
{
    if ((s->count + 1) * 2 > s->cap && grow(s) != 0)
        return -1;
    uint32_t h = hash_str(code);
    struct slot *sl = find(s, code, h);
    if (sl->e.code != NULL) {
        if (first)
            *first = &sl->e;
        return 0;
    }
    char *copy = arena_strndup(&s->arena, code, strlen(code));
    if (copy == NULL)
        return -1;
    sl->e.code = copy;
    sl->e.line = line;
    sl->e.tag = tag;
    sl->hash = h;
    s->count++;
    return 1;
}

const struct codeset_entry *codeset_get(const struct codeset *s, const char *code)
{
    struct slot *sl = find(s, code, hash_str(code));
    return sl->e.code ? &sl->e : NULL;
}

size_t codeset_count(const struct codeset *s)
{
    return s->count;
}
