/* Unit tests for text/pack: every string comes back byte for byte, and frequent words shrink. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "text/pack.h"

static const char *WARDS[] = {"Phường Ba Đình", "Xã An Khánh", "Phường Bến Nghé", "Xã Quỹ Nhất",
                              "Thị trấn Phú Mỹ", "Đặc khu Phú Quốc"};
static const char *PROVINCES[] = {"Thành phố Hà Nội", "Tỉnh Ninh Bình", "Thành phố Hồ Chí Minh",
                                  "Tỉnh An Giang"};

/* Stores s and checks it unpacks to itself; returns the stored size. */
static size_t round_trip(const struct text_pack *tp, struct arena *a, const char *s, size_t n,
                         int *bad)
{
    char tmp[TEXT_PACK_MAX];
    const char *stored = text_pack_store(tp, a, s, n);
    const char *back = stored ? text_unpack(tp, stored, tmp) : NULL;
    if (back == NULL || strlen(back) != n || memcmp(back, s, n) != 0) {
        (*bad)++;
        if (*bad <= 3)
            fprintf(stderr, "# not round-tripped: \"%.60s\" (%zu bytes)\n", s, n);
    }
    return stored ? strlen(stored) + 1 : 0;
}

int main(void)
{
    struct text_pack_sample *smp = text_pack_sample_new();
    char s[4096];
    CHECK(smp != NULL);
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(s, sizeof s, "Thôn %d, %s, %s", i % 40, WARDS[i % 6], PROVINCES[i % 4]);
        CHECK(text_pack_sample_add(smp, s, (size_t)n) == 0);
        n = snprintf(s, sizeof s, "Đại lý thu Bưu điện %s – điểm thu số %d", WARDS[i % 6], i);
        CHECK(text_pack_sample_add(smp, s, (size_t)n) == 0);
    }
    struct text_pack *tp = text_pack_build(smp);
    CHECK(tp != NULL && text_pack_words(tp) > 10 && text_pack_words(tp) <= TEXT_PACK_WORDS);

    struct arena a = {0};
    int bad = 0;
    size_t raw = 0, stored = 0;
    for (int i = 0; i < 2000; i++) { /* text like the sample: packed smaller */
        int n = snprintf(s, sizeof s, "Thôn %d, %s, %s", i % 50, WARDS[(i * 7) % 6],
                         PROVINCES[(i * 3) % 4]);
        raw += (size_t)n + 1;
        stored += round_trip(tp, &a, s, (size_t)n, &bad);
    }
    CHECKF(stored * 10 < raw * 7, "frequent words shrink: %zu -> %zu bytes", raw, stored);

    /* Awkward strings: empty, spaces, control bytes that look like the codes, tags in front. */
    const char *odd[] = {"", " ", "   ", "Xã", "Xã ", " Xã An Khánh ", "\x01", "\x02",
                         "\x01Phường Ba Đình", "\x02Tỉnh", "a\x01\x02\x03\x04\x05\x06\x07\x08z",
                         "Tỉnh Tỉnh Tỉnh", "\x7f\xff\xfe", "tab\there"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
        round_trip(tp, &a, odd[i], strlen(odd[i]), &bad);
    /* Lengths around the limit, plain and starting with a tag byte. */
    for (size_t n = TEXT_PACK_MAX - 4; n <= TEXT_PACK_MAX + 4; n++)
        for (int tag = 0; tag < 3; tag++) {
            for (size_t j = 0; j < n; j++)
                s[j] = "Phường Bến Nghé "[j % 17] ? "Phường Bến Nghé "[j % 17] : 'x';
            if (tag)
                s[0] = (char)tag;
            round_trip(tp, &a, s, n, &bad);
        }
    /* Random bytes 1..255. */
    srand(7);
    for (int i = 0; i < 20000; i++) {
        size_t n = (size_t)(rand() % 60);
        for (size_t j = 0; j < n; j++)
            s[j] = (char)(1 + rand() % 255);
        round_trip(tp, &a, s, n, &bad);
    }
    CHECKF(bad == 0, "%d strings did not come back", bad);
    CHECK(text_unpack(tp, NULL, s) == NULL);

    /* An empty dictionary packs nothing but still keeps every string. */
    struct text_pack *empty = text_pack_build(text_pack_sample_new());
    CHECK(empty != NULL && text_pack_words(empty) == 0);
    round_trip(empty, &a, "\x01x", 2, &bad);
    round_trip(empty, &a, "Tỉnh An Giang", strlen("Tỉnh An Giang"), &bad);
    CHECK(bad == 0);
    text_pack_free(empty);
    text_pack_free(tp);
    arena_free(&a);
    return harness_done();
}
