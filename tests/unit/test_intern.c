/* Unit tests for util/intern and util/arena: one copy per distinct string, aligned records. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "util/arena.h"
#include "util/intern.h"

int main(void)
{
    struct arena a = {0};
    struct intern t;
    intern_init(&t, &a);

    const char *x = intern_str(&t, "Hà Nội", strlen("Hà Nội"));
    const char *y = intern_str(&t, "Hà Nội", strlen("Hà Nội"));
    CHECK(x != NULL && x == y);
    CHECK(strcmp(x, "Hà Nội") == 0);
    /* A prefix, a longer string and a string cut from a longer buffer are all different. */
    const char *ab = intern_str(&t, "ab", 2), *abc = intern_str(&t, "abc", 3);
    const char *cut = intern_str(&t, "abcdef", 2);
    CHECK(ab != abc && strcmp(abc, "abc") == 0);
    CHECK(cut == ab && strcmp(cut, "ab") == 0);
    CHECK(intern_str(&t, "", 0) == intern_str(&t, "", 0));

    /* Many strings: the table grows and every one keeps its single copy. */
    enum { N = 100000 };
    static const char *first[N];
    char key[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "%05d-ward", i);
        first[i] = intern_str(&t, key, (size_t)n);
    }
    size_t distinct = t.n, wrong = 0;
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "%05d-ward", i);
        const char *again = intern_str(&t, key, (size_t)n);
        wrong += again != first[i] || strcmp(again, key) != 0;
    }
    CHECKF(wrong == 0, "%zu of %d strings interned twice or changed", wrong, N);
    CHECKF(t.n == distinct, "the table grew on lookups of known strings: %zu -> %zu", distinct,
           t.n);
    CHECK(x == intern_str(&t, "Hà Nội", strlen("Hà Nội"))); /* survived the growth */

    /* Records: equal bytes share one copy, a differing byte does not. */
    struct rec {
        const char *a, *b;
        long n;
    };
    struct intern rt;
    intern_init_records(&rt, &a, sizeof(struct rec));
    struct rec r1 = {x, ab, 1}, r2 = {x, ab, 1}, r3 = {x, abc, 1};
    const struct rec *p1 = intern_record(&rt, &r1), *p2 = intern_record(&rt, &r2);
    const struct rec *p3 = intern_record(&rt, &r3);
    CHECK(p1 != NULL && p1 == p2 && p1 != &r1);
    CHECK(p3 != NULL && p3 != p1 && p3->b == abc);
    CHECK(((uintptr_t)p1 % _Alignof(max_align_t)) == 0);
    for (long i = 0; i < 5000; i++) { /* growth keeps the first copies */
        struct rec r = {x, ab, i + 2};
        intern_record(&rt, &r);
    }
    CHECK(intern_record(&rt, &r2) == p1 && rt.n == 5002);
    intern_free(&rt);

    /* Hashes: equal bytes equal hashes, and a tail byte counts. */
    CHECK(intern_hash(INTERN_HASH_SEED, "abcdefghi", 9) == intern_hash(INTERN_HASH_SEED, "abcdefghi", 9));
    CHECK(intern_hash(INTERN_HASH_SEED, "abcdefghi", 9) != intern_hash(INTERN_HASH_SEED, "abcdefghj", 9));
    CHECK(intern_hash(INTERN_HASH_SEED, "abcdefgh", 8) != intern_hash(INTERN_HASH_SEED, "abcdefgh\0", 9));

    /* Records from the arena are aligned and zeroed, between strings of odd sizes. */
    int misaligned = 0, dirty = 0;
    for (int i = 0; i < 5000; i++) {
        arena_strndup(&a, "abcdefgh", (size_t)(i % 7));
        double *d = arena_alloc(&a, 3 * sizeof *d);
        misaligned += ((uintptr_t)d % _Alignof(max_align_t)) != 0;
        dirty += d[0] != 0 || d[1] != 0 || d[2] != 0;
        d[0] = d[1] = d[2] = 1.5;
    }
    CHECK(misaligned == 0);
    CHECK(dirty == 0);
    intern_free(&t);
    CHECK(strcmp(x, "Hà Nội") == 0); /* the strings stay in the arena */
    arena_free(&a);
    return harness_done();
}
