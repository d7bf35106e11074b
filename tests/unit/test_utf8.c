/* Unit tests for text/utf8: strict validation and the offset of the first bad byte. */
#include <string.h>

#include "harness.h"
#include "text/utf8.h"

static bool valid(const char *s)
{
    return utf8_validate(s, strlen(s), NULL);
}

/* Offset reported for an invalid string, or (size_t)-1 if it was accepted. */
static size_t bad_at(const char *s, size_t n)
{
    size_t off = (size_t)-1;
    if (utf8_validate(s, n, &off))
        return (size_t)-1;
    return off;
}

int main(void)
{
    /* Good. */
    CHECK(valid(""));
    CHECK(valid("plain ASCII, long enough for the 8-byte fast path"));
    CHECK(valid("B\xE1\xBB\x87nh vi\xE1\xBB\x87n \xC4\x90\x61 khoa Ki\xC3\xAAn Giang"));
    CHECK(valid("\xF0\x9F\x98\x80"));      /* U+1F600 */
    CHECK(valid("\xF4\x8F\xBF\xBF"));      /* U+10FFFF, the last code point */
    CHECK(valid("\xED\x9F\xBF"));          /* U+D7FF, just below the surrogates */
    CHECK(valid("\xEE\x80\x80"));          /* U+E000, just above them */
    CHECK(valid("\xE0\xA0\x80"));          /* U+0800, smallest 3-byte */
    CHECK(valid("\xF0\x90\x80\x80"));      /* U+10000, smallest 4-byte */
    CHECK(valid("\xC2\x80"));              /* U+0080, smallest 2-byte */
    CHECK(utf8_validate("a\0b", 3, NULL)); /* NUL is valid UTF-8 */

    /* Bad, with the offset of the first bad sequence. */
    CHECKF(bad_at("Ki\xEAn Giang", 10) == 2, "Latin-1 e-circumflex at offset %zu",
           bad_at("Ki\xEAn Giang", 10));
    CHECK(bad_at("\xC0\x80", 2) == 0);         /* overlong NUL */
    CHECK(bad_at("\xC1\xBF", 2) == 0);         /* overlong */
    CHECK(bad_at("ab\xE0\x80\x80", 5) == 2);   /* overlong 3-byte */
    CHECK(bad_at("\xF0\x8F\xBF\xBF", 4) == 0); /* overlong 4-byte */
    CHECK(bad_at("x\xED\xA0\x80", 4) == 1);    /* surrogate U+D800 */
    CHECK(bad_at("\xED\xBF\xBF", 3) == 0);     /* surrogate U+DFFF */
    CHECK(bad_at("\xF4\x90\x80\x80", 4) == 0); /* U+110000 */
    CHECK(bad_at("\xF5\x80\x80\x80", 4) == 0); /* lead byte beyond range */
    CHECK(bad_at("\xFF", 1) == 0);
    CHECK(bad_at("abc\x80", 4) == 3);   /* lone continuation */
    CHECK(bad_at("\xE1\x80", 2) == 0);  /* truncated at end */
    CHECK(bad_at("\xE1\x80z", 3) == 0); /* truncated by ASCII */
    CHECK(bad_at("\xC3", 1) == 0);
    CHECK(bad_at("0123456789abcdef\xE9", 17) == 16); /* after the fast path */
    /* n is honoured: the bad byte beyond n is not looked at. */
    CHECK(utf8_validate("ok\xFF", 2, NULL));
    return harness_done();
}
