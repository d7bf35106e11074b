/*
 * Unit tests for text/recode: CP1258 and TCVN3 (ABC) to UTF-8 on real
 * Kiên Giang names, the TCVN3 table against glibc's TCVN5712-1 and
 * Windows-1252 converters, Vietnamese composition, and refusals (bytes
 * outside the encoding, a file that is UTF-8 already).
 *
 * The legacy byte strings were produced by Python's cp1258 codec (with the
 * tone written as a combining mark where CP1258 has no precomposed letter,
 * as Windows does) and by the inverse of the TCVN3 table; the expected
 * UTF-8 is the NFC text typed in this (UTF-8) file.
 */
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "text/recode.h"

struct word {
    const char *utf8, *cp1258, *tcvn3, *tcvn3_utf8;
};

/* "Ủy ban": TCVN3 has no upper-case Ủ; a .VnTimeH font showed the lower-case code as Ủ. */
static const struct word WORDS[] = {
    {"Kiên Giang", "Ki\xEAn Giang", "Ki\xAAn Giang", "Kiên Giang"},
    {"Rạch Giá",
     "Ra\xF2"
     "ch Gi\xE1",
     "R\xB9"
     "ch Gi\xB8",
     "Rạch Giá"},
    {"Hòn Đất", "Ho\xCCn \xD0\xE2\xECt", "H\xDFn \xA7\xCAt", "Hòn Đất"},
    {"Phú Quốc",
     "Ph\xFA Qu\xF4\xEC"
     "c",
     "Ph\xF3 Qu\xE8"
     "c",
     "Phú Quốc"},
    {"Vĩnh Thuận", "Vi\xDEnh Thu\xE2\xF2n", "V\xDCnh Thu\xCBn", "Vĩnh Thuận"},
    {"Giồng Riềng", "Gi\xF4\xCCng Ri\xEA\xCCng", "Gi\xE5ng Ri\xD2ng", "Giồng Riềng"},
    {"Gò Quao", "Go\xCC Quao", "G\xDF Quao", "Gò Quao"},
    {"U Minh Thượng", "U Minh Th\xFD\xF5\xF2ng", "U Minh Th\xAD\xEEng", "U Minh Thượng"},
    {"Kiên Lương", "Ki\xEAn L\xFD\xF5ng", "Ki\xAAn L\xAD\xACng", "Kiên Lương"},
    {"Bệnh viện Đa khoa",
     "B\xEA\xF2nh vi\xEA\xF2n \xD0"
     "a khoa",
     "B\xD6nh vi\xD6n \xA7"
     "a khoa",
     "Bệnh viện Đa khoa"},
    {"Trạm Y tế xã Hòn Nghệ", "Tra\xF2m Y t\xEA\xEC xa\xDE Ho\xCCn Ngh\xEA\xF2",
     "Tr\xB9m Y t\xD5 x\xB7 H\xDFn Ngh\xD6", "Trạm Y tế xã Hòn Nghệ"},
    {"Thổ Chu", "Th\xF4\xD2 Chu", "Th\xE6 Chu", "Thổ Chu"},
    {"Mã CSKCB", "Ma\xDE CSKCB", "M\xB7 CSKCB", "Mã CSKCB"},
    {"Tên cơ sở", "T\xEAn c\xF5 s\xF5\xD2", "T\xAAn c\xAC s\xEB", "Tên cơ sở"},
    {"Địa chỉ",
     "\xD0i\xF2"
     "a chi\xD2",
     "\xA7\xDE"
     "a ch\xD8",
     "Địa chỉ"},
    {"Tuyến", "Tuy\xEA\xECn", "Tuy\xD5n", "Tuyến"},
    {"Hạng", "Ha\xF2ng", "H\xB9ng", "Hạng"},
    {"Kinh độ", "Kinh \xF0\xF4\xF2", "Kinh \xAE\xE9", "Kinh độ"},
    {"Vĩ độ", "Vi\xDE \xF0\xF4\xF2", "V\xDC \xAE\xE9", "Vĩ độ"},
    {"Ủy ban", "U\xD2y ban", "\xF1y ban", "ủy ban"},
};

/* Converts s with r; returns a malloc'd string, or NULL (then *rc says why). */
static char *convert(struct recoder *r, const char *s, int *rc, size_t *bad_at, struct err *e)
{
    struct buf out = {0};
    *rc = recoder_to_utf8(r, s, strlen(s), &out, bad_at, e);
    if (*rc != 0) {
        buf_free(&out);
        return NULL;
    }
    return out.data ? buf_steal(&out) : strdup("");
}

static void test_names(void)
{
    enum recode_encoding enc;
    CHECK(recode_parse_name("CP1258", &enc) && enc == RECODE_CP1258);
    CHECK(recode_parse_name("windows-1258", &enc) && enc == RECODE_CP1258);
    CHECK(recode_parse_name("TCVN3", &enc) && enc == RECODE_TCVN3);
    CHECK(recode_parse_name("abc", &enc) && enc == RECODE_TCVN3);
    CHECK(recode_parse_name("UTF-8", &enc) && enc == RECODE_UTF8);
    CHECK(!recode_parse_name("latin1", &enc));
    CHECK(!recode_parse_name("vni", &enc));
}

static void test_words(void)
{
    struct err e;
    struct recoder *cp = recoder_new(RECODE_CP1258, &e), *tc = recoder_new(RECODE_TCVN3, &e);
    CHECKF(cp && tc, "recoder_new: %s", e.msg);
    if (!cp || !tc)
        return;
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++) {
        int rc;
        size_t bad;
        char *a = convert(cp, WORDS[i].cp1258, &rc, &bad, &e);
        CHECKF(a && strcmp(a, WORDS[i].utf8) == 0, "cp1258 %s -> %s (%s)", WORDS[i].utf8,
               a ? a : "NULL", a ? "" : e.msg);
        free(a);
        char *b = convert(tc, WORDS[i].tcvn3, &rc, &bad, &e);
        CHECKF(b && strcmp(b, WORDS[i].tcvn3_utf8) == 0, "tcvn3 %s -> %s (%s)", WORDS[i].utf8,
               b ? b : "NULL", b ? "" : e.msg);
        free(b);
    }
    recoder_free(cp);
    recoder_free(tc);
}

static void put_utf8(char *out, uint32_t cp)
{
    iconv_t cd = iconv_open("UTF-8", "UTF-32LE");
    unsigned char in[4] = {cp & 0xFF, cp >> 8 & 0xFF, cp >> 16 & 0xFF, 0};
    char *ip = (char *)in, *op = out;
    size_t il = 4, ol = 8;
    iconv(cd, &ip, &il, &op, &ol);
    *op = '\0';
    iconv_close(cd);
}

/* One byte through glibc's converter from charset, as UTF-8 into out ("" if refused). */
static void glibc_byte(const char *charset, unsigned char b, char *out)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    char in[1] = {(char)b}, *ip = in, *op = out;
    size_t il = 1, ol = 15;
    if (cd == (iconv_t)-1 || iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
        op = out;
    else if (cd != (iconv_t)-1)
        iconv(cd, NULL, NULL, &op, &ol); /* glibc holds the letter back for a tone mark */
    *op = '\0';
    if (cd != (iconv_t)-1)
        iconv_close(cd);
}

/*
 * Every byte of TCVN3: the Vietnamese letters (0xA0-0xFE) agree with
 * glibc's TCVN5712-1 (VN1, a superset of VN3 in those positions), the
 * 0x80-0x9F punctuation with Windows-1252, and the bytes VN3 lacks are
 * refused.
 */
static void test_tcvn3_table(void)
{
    static const unsigned char missing[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xAF, 0xB0, 0xB1, 0xB2,
                                            0xB3, 0xB4, 0xBA, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4,
                                            0xC5, 0xCD, 0xD9, 0xDA, 0xDB, 0xE0, 0xF0, 0xFF};
    struct err e;
    struct recoder *tc = recoder_new(RECODE_TCVN3, &e);
    int letters = 0;
    for (unsigned b = 0x80; b <= 0xFF; b++) {
        char in[4] = {'x', (char)b, 'y', 0}, want[24] = "x", ref[16];
        bool absent = memchr(missing, (int)b, sizeof missing) != NULL;
        int rc;
        size_t bad = 99;
        char *got = convert(tc, in, &rc, &bad, &e);
        if (absent) {
            CHECKF(got == NULL && rc == -1 && bad == 1 && strstr(e.msg, "TCVN3"),
                   "byte 0x%02X must be refused", b);
            free(got);
            continue;
        }
        glibc_byte(b < 0xA0 ? "CP1252" : "TCVN5712-1", (unsigned char)b, ref);
        strcat(strcat(want, ref), "y");
        CHECKF(got && *ref && strcmp(got, want) == 0, "byte 0x%02X: %s, glibc %s", b,
               got ? got : "NULL", ref);
        letters += b >= 0xA1;
        free(got);
    }
    CHECKF(letters == 14 + 60, "%d letters in 0xA1-0xFE (14 bases, 12 vowels x 5 tones)", letters);
    recoder_free(tc);
}

/* All 120 vowel + tone pairs: CP1258 base byte(s) + tone byte through iconv, and NFD through
 * compose. */
static void test_composition(void)
{
    /* CP1258 bytes of the 24 bases and the 5 tone marks, with their code points. */
    static const struct {
        const char *cp1258;
        uint32_t cp;
    } bases[] = {
        {"a", 'a'}, {"\xE3", 0x103}, {"\xE2", 0xE2},  {"e", 'e'}, {"\xEA", 0xEA},  {"i", 'i'},
        {"o", 'o'}, {"\xF4", 0xF4},  {"\xF5", 0x1A1}, {"u", 'u'}, {"\xFD", 0x1B0}, {"y", 'y'},
        {"A", 'A'}, {"\xC3", 0x102}, {"\xC2", 0xC2},  {"E", 'E'}, {"\xCA", 0xCA},  {"I", 'I'},
        {"O", 'O'}, {"\xD4", 0xD4},  {"\xD5", 0x1A0}, {"U", 'U'}, {"\xDD", 0x1AF}, {"Y", 'Y'},
    };
    static const struct {
        const char *cp1258;
        uint32_t cp;
    } tones[] = {
        {"\xCC", 0x300}, {"\xEC", 0x301}, {"\xDE", 0x303}, {"\xD2", 0x309}, {"\xF2", 0x323}};
    struct err e;
    struct recoder *cp = recoder_new(RECODE_CP1258, &e);
    int composed = 0;
    for (size_t i = 0; i < 24; i++) {
        for (size_t j = 0; j < 5; j++) {
            char in[8], nfd[16], b[8], m[8];
            snprintf(in, sizeof in, "%s%s", bases[i].cp1258, tones[j].cp1258);
            put_utf8(b, bases[i].cp);
            put_utf8(m, tones[j].cp);
            snprintf(nfd, sizeof nfd, "%s%s", b, m);
            int rc;
            size_t bad;
            char *via_iconv = convert(cp, in, &rc, &bad, &e);
            struct buf c = {0};
            recode_compose_vi(nfd, strlen(nfd), &c);
            /* one precomposed letter: 2 or 3 UTF-8 bytes, the same both ways */
            bool one = via_iconv && strlen(via_iconv) <= 3 && c.data &&
                       strcmp(via_iconv, c.data) == 0 && strcmp(c.data, nfd) != 0;
            CHECKF(one, "base U+%04X + U+%04X: iconv %s, compose %s", bases[i].cp, tones[j].cp,
                   via_iconv ? via_iconv : "NULL", c.data ? c.data : "NULL");
            composed += one;
            free(via_iconv);
            buf_free(&c);
        }
    }
    CHECK(composed == 120);
    /*
     * ê + dot below -> ệ (U+1EC7); anything else is left as it is: o + horn
     * + dot below (a horn is never combining in CP1258), A + circumflex +
     * acute (nor is a circumflex), n + grave, a mark with no letter before.
     */
    struct buf c = {0};
    const char *in =
        "B\xC3\xAA\xCC\xA3nh, \xC6\xB0o\xCC\x9B\xCC\xA3, A\xCC\x82\xCC\x81, n\xCC\x80, "
        "\xCC\x81x";
    recode_compose_vi(in, strlen(in), &c);
    CHECKF(c.data && strcmp(c.data, "Bệnh, ưo\xCC\x9B\xCC\xA3, A\xCC\x82\xCC\x81, n\xCC\x80, "
                                    "\xCC\x81x") == 0,
           "compose: %s", c.data ? c.data : "NULL");
    buf_free(&c);
    recoder_free(cp);
}

static void test_refusals(void)
{
    struct err e;
    struct recoder *cp = recoder_new(RECODE_CP1258, &e), *tc = recoder_new(RECODE_TCVN3, &e);
    int rc;
    size_t bad = 0;
    char *s = convert(cp, "Ki\xEAn\x81", &rc, &bad, &e);
    CHECKF(s == NULL && rc == -1 && bad == 4 && strstr(e.msg, "0x81") && strstr(e.msg, "CP1258"),
           "0x81 in CP1258: rc %d at %zu: %s", rc, bad, e.msg);
    free(s);
    s = convert(tc, "Ki\xAAn \xC0", &rc, &bad, &e);
    CHECKF(s == NULL && rc == -1 && bad == 5 && strstr(e.msg, "0xC0"), "0xC0 in TCVN3: %s", e.msg);
    free(s);
    s = convert(cp, "Kiên Giang", &rc, &bad, &e);
    CHECKF(s == NULL && rc == -1 && bad == 2 && strstr(e.msg, "UTF-8"),
           "UTF-8 text declared CP1258: %s", e.msg);
    free(s);
    s = convert(tc, "Rạch Giá", &rc, &bad, &e);
    CHECKF(s == NULL && rc == -1 && strstr(e.msg, "leave out --encoding"),
           "UTF-8 text declared TCVN3: %s", e.msg);
    free(s);
    s = convert(cp, "plain ASCII, 10.01", &rc, &bad, &e);
    CHECKF(s && strcmp(s, "plain ASCII, 10.01") == 0, "ASCII passes");
    free(s);
    s = convert(tc, "", &rc, &bad, &e);
    CHECKF(s && *s == '\0', "empty passes");
    free(s);
    recoder_free(cp);
    recoder_free(tc);
}

int main(void)
{
    test_names();
    test_words();
    test_tcvn3_table();
    test_composition();
    test_refusals();
    return harness_done();
}
