#include "text/pack.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/intern.h"

#define TAG_PACKED 0x01
#define TAG_RAW 0x02
#define ESCAPE 0x01
#define REF_FIRST 0x02
#define REF_LAST 0x08
#define MIN_WORD 3

/* An open-addressing table of words (bytes with their length). */
struct word_table {
    struct word {
        const char *s;
        uint32_t len, hash, count, index;
    } *slots; /* s == NULL: empty */
    size_t cap, n;
};

struct text_pack_sample {
    struct word_table t;
    struct arena a;
};

struct text_pack {
    struct word_table t;           /* word -> index, for packing */
    const struct word *by_index[TEXT_PACK_WORDS];
    size_t n;
    struct arena a;
};

/* The end of the word starting at s[i]: its non-spaces and one space after them. */
static size_t word_end(const char *s, size_t n, size_t i)
{
    const char *sp = memchr(s + i, ' ', n - i);
    return sp ? (size_t)(sp - s) + 1 : n;
}

static int table_grow(struct word_table *t)
{
    size_t cap = t->cap ? 2 * t->cap : 4096;
    struct word *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].s == NULL)
            continue;
        size_t j = t->slots[i].hash & (cap - 1);
        while (slots[j].s)
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* The slot of the word s[0..n), found or empty (then *found is 0). */
static struct word *table_slot(const struct word_table *t, const char *s, size_t n, uint32_t h)
{
    size_t i = h & (t->cap - 1);
    for (; t->slots[i].s; i = (i + 1) & (t->cap - 1))
        if (t->slots[i].hash == h && t->slots[i].len == n && memcmp(t->slots[i].s, s, n) == 0)
            break;
    return &t->slots[i];
}

struct text_pack_sample *text_pack_sample_new(void)
{
    struct text_pack_sample *smp = calloc(1, sizeof *smp);
    if (smp && table_grow(&smp->t) != 0) {
        free(smp);
        return NULL;
    }
    return smp;
}

void text_pack_sample_free(struct text_pack_sample *smp)
{
    if (smp == NULL)
        return;
    free(smp->t.slots);
    arena_free(&smp->a);
    free(smp);
}

int text_pack_sample_add(struct text_pack_sample *smp, const char *s, size_t n)
{
    for (size_t i = 0, e; i < n; i = e) {
        e = word_end(s, n, i);
        if (e - i < MIN_WORD)
            continue;
        if ((smp->t.n + 1) * 2 > smp->t.cap && table_grow(&smp->t) != 0)
            return -1;
        uint32_t h = intern_hash(INTERN_HASH_SEED, s + i, e - i);
        struct word *w = table_slot(&smp->t, s + i, e - i, h);
        if (w->s == NULL) {
            if ((w->s = arena_strndup(&smp->a, s + i, e - i)) == NULL)
                return -1;
            w->len = (uint32_t)(e - i), w->hash = h, w->count = 0;
            smp->t.n++;
        }
        w->count++;
    }
    return 0;
}

/* By bytes saved over the sample, most first; equal savings by the bytes, for a stable order. */
static int by_saving(const void *a, const void *b)
{
    const struct word *x = *(const struct word *const *)a, *y = *(const struct word *const *)b;
    uint64_t sx = (uint64_t)(x->len - 2) * x->count, sy = (uint64_t)(y->len - 2) * y->count;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, m);
    return c ? c : (int)x->len - (int)y->len;
}

struct text_pack *text_pack_build(struct text_pack_sample *smp)
{
    struct text_pack *tp = calloc(1, sizeof *tp);
    const struct word **cand = malloc((smp->t.n ? smp->t.n : 1) * sizeof *cand);
    if (tp == NULL || cand == NULL || table_grow(&tp->t) != 0)
        goto fail;
    size_t nc = 0;
    for (size_t i = 0; i < smp->t.cap; i++)
        if (smp->t.slots[i].s && smp->t.slots[i].count >= 2)
            cand[nc++] = &smp->t.slots[i];
    qsort(cand, nc, sizeof *cand, by_saving);
    for (size_t i = 0; i < nc && tp->n < TEXT_PACK_WORDS; i++) {
        if ((tp->t.n + 1) * 2 > tp->t.cap && table_grow(&tp->t) != 0)
            goto fail;
        struct word *w = table_slot(&tp->t, cand[i]->s, cand[i]->len, cand[i]->hash);
        if ((w->s = arena_strndup(&tp->a, cand[i]->s, cand[i]->len)) == NULL)
            goto fail;
        w->len = cand[i]->len, w->hash = cand[i]->hash, w->index = (uint32_t)tp->n;
        tp->t.n++;
        tp->n++;
    }
    /* by_index after the table stops growing: it points into the slots */
    for (size_t i = 0; i < tp->t.cap; i++)
        if (tp->t.slots[i].s)
            tp->by_index[tp->t.slots[i].index] = &tp->t.slots[i];
    free(cand);
    text_pack_sample_free(smp);
    return tp;
fail:
    free(cand);
    text_pack_free(tp);
    text_pack_sample_free(smp);
    return NULL;
}

void text_pack_free(struct text_pack *tp)
{
    if (tp == NULL)
        return;
    free(tp->t.slots);
    arena_free(&tp->a);
    free(tp);
}

size_t text_pack_words(const struct text_pack *tp)
{
    return tp->n;
}

/* Packs s (n < TEXT_PACK_MAX bytes) into out (room for 2 n + 2); returns the length. */
static size_t pack(const struct text_pack *tp, const char *s, size_t n, unsigned char *out)
{
    size_t o = 0;
    out[o++] = TAG_PACKED;
    for (size_t i = 0, e; i < n; i = e) {
        e = word_end(s, n, i);
        if (e - i >= MIN_WORD && tp->n) {
            const struct word *w =
                table_slot(&tp->t, s + i, e - i, intern_hash(INTERN_HASH_SEED, s + i, e - i));
            if (w->s) {
                out[o++] = (unsigned char)(REF_FIRST + w->index / 255);
                out[o++] = (unsigned char)(1 + w->index % 255);
                continue;
            }
        }
        for (size_t j = i; j < e; j++) {
            unsigned char c = (unsigned char)s[j];
            if (c >= ESCAPE && c <= REF_LAST)
                out[o++] = ESCAPE;
            out[o++] = c;
        }
    }
    return o;
}

const char *text_pack_store(const struct text_pack *tp, struct arena *a, const char *s, size_t n)
{
    unsigned char first = n ? (unsigned char)s[0] : 0;
    bool tagged = first == TAG_PACKED || first == TAG_RAW;
    if (n + 1 < TEXT_PACK_MAX) {
        unsigned char out[2 * TEXT_PACK_MAX + 2];
        size_t m = pack(tp, s, n, out);
        if (tagged || m < n)
            return arena_strndup(a, (const char *)out, m);
    }
    if (!tagged)
        return arena_strndup(a, s, n);
    char *p = arena_alloc(a, n + 2); /* zeroed: the NUL is there */
    if (p) {
        p[0] = TAG_RAW;
        memcpy(p + 1, s, n);
    }
    return p;
}

const char *text_unpack(const struct text_pack *tp, const char *stored, char tmp[TEXT_PACK_MAX])
{
    if (stored == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)stored;
    if (p[0] == TAG_RAW)
        return stored + 1;
    if (p[0] != TAG_PACKED)
        return stored;
    size_t o = 0;
    for (p++; *p && o < TEXT_PACK_MAX - 1; p++) {
        if (*p == ESCAPE && p[1]) {
            tmp[o++] = (char)*++p;
        } else if (*p >= REF_FIRST && *p <= REF_LAST && p[1]) {
            size_t idx = (size_t)(*p - REF_FIRST) * 255 + (size_t)(p[1] - 1);
            p++;
            const struct word *w = idx < tp->n ? tp->by_index[idx] : NULL;
            size_t len = w ? w->len : 0;
            if (len > TEXT_PACK_MAX - 1 - o)
                len = TEXT_PACK_MAX - 1 - o;
            if (w)
                memcpy(tmp + o, w->s, len);
            o += len;
        } else {
            tmp[o++] = (char)*p;
        }
    }
    tmp[o] = '\0';
    return tmp;
}
