/* Unit tests for text/nfc: decomposed Vietnamese composed, and the fast path's claim checked. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "text/nfc.h"

/* NFC of s as a NUL-terminated string in out (static storage, one at a time). */
static const char *nfc(const char *s)
{
    static struct buf b;
    buf_reset(&b);
    if (nfc_append(s, strlen(s), &b) != 0 || buf_append(&b, "", 1) != 0)
        return "(failed)";
    return b.data;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    o[0] = (char)(0xE0 | cp >> 12), o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* The code points the fast path accepts without normalising. */
static bool fast(uint32_t cp)
{
    return (cp >= 1 && cp < 0x300) || (cp >= 0x1EA0 && cp <= 0x1EFF);
}

int main(void)
{
    /* Already NFC: no work needed, and normalising changes nothing. */
    const char *composed[] = {"", "Trạm Y tế xã An Khánh", "Nguyễn Văn Hùng", "Đắk Lắk",
                              "Bà Rịa – Vũng Tàu", "Hồ Chí Minh, café"};
    for (size_t i = 0; i < sizeof composed / sizeof *composed; i++) {
        const char *s = composed[i];
        /* the en dash (U+2013) is outside the fast set: looked at, harmlessly */
        CHECKF(!nfc_maybe_needed(s, strlen(s)) || strchr(s, 0xE2) != NULL,
               "\"%s\" needs no normalising", s);
        CHECKF(strcmp(nfc(s), s) == 0, "\"%s\" is unchanged", s);
    }
    /* Decomposed Vietnamese (as macOS writes it) is composed. */
    CHECK(nfc_maybe_needed("Nguye\xCC\x82\xCC\x83n", 9));
    CHECK(strcmp(nfc("Nguye\xCC\x82\xCC\x83n"), "Nguyễn") == 0);
    CHECK(strcmp(nfc("e\xCC\xA3\xCC\x82"), "ệ") == 0);  /* e + dot below + circumflex */
    CHECK(strcmp(nfc("e\xCC\x82\xCC\xA3"), "ệ") == 0);  /* the marks the other way round */
    CHECK(strcmp(nfc("D\xCC\x9B"), "D\xCC\x9B") == 0);  /* no precomposed form: kept */
    CHECK(strcmp(nfc("Tra\xCC\xA3m Y te\xCC\x82\xCC\x81"), "Trạm Y tế") == 0);
    /* A singleton: ANGSTROM SIGN becomes A WITH RING ABOVE. */
    CHECK(nfc_maybe_needed("\xE2\x84\xAB", 3));
    CHECK(strcmp(nfc("\xE2\x84\xAB"), "\xC3\x85") == 0);
    /* Invalid UTF-8 is refused. */
    struct buf b = {0};
    CHECK(nfc_append("\xC3", 1, &b) == -1 && b.len == 0);
    buf_free(&b);

    /*
     * The fast path's claim: every code point it accepts is NFC on its own,
     * is recognised, and no pair of them changes under NFC.
     */
    static uint32_t set[0x300 + 0x60];
    size_t n = 0;
    for (uint32_t cp = 1; cp <= 0x1EFF; cp++)
        if (fast(cp))
            set[n++] = cp;
    size_t single_bad = 0, pair_bad = 0;
    char s[8];
    for (size_t i = 0; i < n; i++) {
        size_t len = put_utf8(s, set[i]);
        s[len] = '\0';
        single_bad += nfc_maybe_needed(s, len) || strcmp(nfc(s), s) != 0;
    }
    CHECKF(single_bad == 0, "%zu code points of the fast set are not NFC alone", single_bad);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            size_t len = put_utf8(s, set[i]);
            len += put_utf8(s + len, set[j]);
            s[len] = '\0';
            pair_bad += strcmp(nfc(s), s) != 0;
        }
    CHECKF(pair_bad == 0, "%zu pairs of the fast set change under NFC", pair_bad);
    /* And just outside the set: a combining mark is noticed. */
    CHECK(nfc_maybe_needed("a\xCC\x80", 3));
    CHECK(nfc_maybe_needed("\xE1\xBA\x9F", 3)); /* U+1E9F, just below the Vietnamese block */
    return harness_done();
}
