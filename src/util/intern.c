#include "util/intern.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time: multiply and fold (the idea of FxHash), then a final mix. */
uint32_t intern_hash(uint32_t seed, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = seed, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = ((h << 5 | h >> 59) ^ w) * 0x517cc1b727220a95u;
    }
    if (n) {
        w = 0;
        memcpy(&w, s, n);
        h = ((h << 5 | h >> 59) ^ w) * 0x517cc1b727220a95u;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9u;
    return (uint32_t)(h ^ h >> 32);
}

void intern_init(struct intern *t, struct arena *arena)
{
    memset(t, 0, sizeof *t);
    t->arena = arena;
}

void intern_init_records(struct intern *t, struct arena *arena, size_t size)
{
    intern_init(t, arena);
    t->record = size;
}

void intern_free(struct intern *t)
{
    free(t->slots);
    free(t->hashes);
    t->slots = NULL;
    t->hashes = NULL;
    t->cap = t->n = 0;
}

/* Doubles the table (or makes the first one); -1 on out of memory. */
static int grow(struct intern *t)
{
    size_t cap = t->cap ? 2 * t->cap : 256;
    const char **slots = calloc(cap, sizeof *slots);
    uint32_t *hashes = malloc(cap * sizeof *hashes);
    if (slots == NULL || hashes == NULL) {
        free(slots);
        free(hashes);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i] == NULL)
            continue;
        size_t j = t->hashes[i] & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
        hashes[j] = t->hashes[i];
    }
    free(t->slots);
    free(t->hashes);
    t->slots = slots;
    t->hashes = hashes;
    t->cap = cap;
    return 0;
}

/* Whether the value in a slot equals the n bytes at s (a string's NUL follows them). */
static bool same(const struct intern *t, const char *slot, const char *s, size_t n)
{
    if (t->record)
        return memcmp(slot, s, n) == 0;
    return strncmp(slot, s, n) == 0 && slot[n] == '\0';
}

/* The table's copy of the n bytes at s, made on first sight. */
static const char *intern(struct intern *t, const char *s, size_t n)
{
    if ((t->n + 1) * 4 > t->cap * 3 && grow(t) != 0)
        return NULL;
    uint32_t h = intern_hash(INTERN_HASH_SEED, s, n);
    size_t i = h & (t->cap - 1);
    for (; t->slots[i]; i = (i + 1) & (t->cap - 1))
        if (t->hashes[i] == h && same(t, t->slots[i], s, n))
            return t->slots[i];
    char *copy = t->record ? arena_alloc(t->arena, n) : arena_strndup(t->arena, s, n);
    if (copy == NULL)
        return NULL;
    if (t->record)
        memcpy(copy, s, n);
    t->slots[i] = copy;
    t->hashes[i] = h;
    t->n++;
    return copy;
}

const char *intern_str(struct intern *t, const char *s, size_t n)
{
    return intern(t, s, n);
}

const void *intern_record(struct intern *t, const void *rec)
{
    return intern(t, rec, t->record);
}
