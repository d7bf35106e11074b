/*
 * fold: Vietnamese search folding (the contract is fold.h). A scanner walks
 * the UTF-8 input one word at a time, writing each word folded; the public
 * functions only decide what goes around a word: a space, an abbreviation's
 * expansion, FTS5 quotes. The data (which letters fold to what, which code
 * points separate words) is generated into fold_table.h by
 * scripts/gen-fold-table; the abbreviations are the table below.
 *
 * A folded word is never longer than the input it came from (ASCII stays one
 * byte, a precomposed letter of 2-3 bytes becomes one, kept letters are
 * copied), which is how the scanner can write into memory reserved up front.
 */
#include "text/fold.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "text/fold_table.h"
#include "text/utf8.h"

#define ABBR_LETTER 1u   /* one letter: needs a dot, or a number after spaces */
#define ABBR_NUMBERED 2u /* may be glued to a number of 1-3 digits: "p5" */

/* Folded abbreviations and what they stand for, folded too. */
static const struct fold_abbr {
    const char *abbr;
    const char *full;
    unsigned flags;
} ABBRS[] = {
    {"bhxh", "bao hiem xa hoi", 0},
    {"bv", "benh vien", 0},
    {"bvdk", "benh vien da khoa", 0},
    {"pk", "phong kham", 0},
    {"pkdk", "phong kham da khoa", 0},
    {"ttyt", "trung tam y te", 0},
    {"tyt", "tram y te", 0},
    {"tp", "thanh pho", 0},
    {"tx", "thi xa", 0},
    {"tt", "thi tran", 0},
    {"p", "phuong", ABBR_LETTER | ABBR_NUMBERED},
    {"q", "quan", ABBR_LETTER | ABBR_NUMBERED},
    {"h", "huyen", ABBR_LETTER},
    {"x", "xa", ABBR_LETTER},
};

/* Where a scan of the input stands; p[i..n) is still to be read. */
struct fold_scan {
    const unsigned char *p;
    size_t n, i;
};

enum fold_class {
    CLASS_SEP,   /* separates words: punctuation, space, invalid byte */
    CLASS_MARK,  /* combining mark U+0300..U+036F: dropped */
    CLASS_ASCII, /* becomes one lower-case ASCII letter or digit */
    CLASS_KEEP,  /* another letter or digit: copied as it is */
};

static uint32_t decode(const unsigned char *p, size_t len)
{
    static const unsigned char lead_bits[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t c = p[0] & lead_bits[len];
    for (size_t k = 1; k < len; k++)
        c = (c << 6) | (p[k] & 0x3Fu);
    return c;
}

/* The ASCII letter c folds to, or 0. */
static char map_lookup(uint32_t c)
{
    size_t lo = 0, hi = sizeof FOLD_MAP / sizeof *FOLD_MAP;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (FOLD_MAP[mid].cp == c)
            return FOLD_MAP[mid].to;
        if (FOLD_MAP[mid].cp < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static bool is_sep(uint32_t c)
{
    size_t lo = 0, hi = sizeof FOLD_SEP / sizeof *FOLD_SEP;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c < FOLD_SEP[mid].lo)
            hi = mid;
        else if (c > FOLD_SEP[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/*
 * Classifies what starts at s->p + s->i: *len is its length in bytes (1 for
 * a byte that is not well-formed UTF-8), *ch the folded byte for CLASS_ASCII.
 */
static enum fold_class classify(const struct fold_scan *s, size_t *len, char *ch)
{
    const unsigned char *p = s->p + s->i;
    size_t l = utf8_seq_len(p, s->n - s->i);
    *len = l ? l : 1;
    if (l == 0)
        return CLASS_SEP;
    if (l == 1) {
        unsigned char b = p[0];
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        *ch = (char)b;
        return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ? CLASS_ASCII : CLASS_SEP;
    }
    uint32_t c = decode(p, l);
    if (c >= 0x300 && c <= 0x36F)
        return CLASS_MARK;
    if ((*ch = map_lookup(c)) != 0)
        return CLASS_ASCII;
    return is_sep(c) ? CLASS_SEP : CLASS_KEEP;
}

/*
 * Writes the next word of the input, folded, to dst and returns its length;
 * 0 when no word is left. dst must have room for the rest of the input.
 * Leaves s->i just past the word and any combining marks on it.
 */
static size_t fold_word(struct fold_scan *s, char *dst)
{
    size_t len, w = 0;
    char ch;
    while (s->i < s->n) {
        enum fold_class k = classify(s, &len, &ch);
        if (k == CLASS_SEP && w > 0)
            break;
        if (k == CLASS_ASCII)
            dst[w++] = ch;
        else if (k == CLASS_KEEP) {
            memcpy(dst + w, s->p + s->i, len);
            w += len;
        }
        s->i += len;
    }
    return w;
}

/*
 * Appends the next word to out, after a space unless out has grown no
 * further than start. Returns the word's length, 0 when the input has no
 * word left, or -1 when memory ran out.
 */
static ssize_t next_word(struct fold_scan *s, struct buf *out, size_t start)
{
    if (buf_reserve(out, s->n - s->i + 1) != 0)
        return -1;
    size_t sp = out->len > start;
    size_t w = fold_word(s, out->data + out->len + sp);
    if (w > 0) {
        if (sp)
            out->data[out->len] = ' ';
        out->len += sp + w;
    }
    out->data[out->len] = '\0';
    return (ssize_t)w;
}

/* Undoes the appends since start. */
static void rollback(struct buf *out, size_t start)
{
    out->len = start;
    if (out->data)
        out->data[start] = '\0';
}

/* True when the raw text at s->i goes on with a dot, or a digit after spaces. */
static bool marked_after(const struct fold_scan *s)
{
    size_t i = s->i;
    if (i < s->n && s->p[i] == '.')
        return true;
    while (i < s->n && (s->p[i] == ' ' || s->p[i] == '\t'))
        i++;
    return i < s->n && s->p[i] >= '0' && s->p[i] <= '9';
}

/*
 * The abbreviation the word w[0..n) stands for, the scan having just read
 * it, or NULL. num receives a number glued to it ("p5": "5"), else "".
 */
static const struct fold_abbr *abbr_find(const char *w, size_t n, const struct fold_scan *s,
                                         char num[4])
{
    size_t alen = n;
    while (alen > 1 && w[alen - 1] >= '0' && w[alen - 1] <= '9')
        alen--;
    size_t digits = n - alen;
    num[0] = '\0';
    if (digits > 3)
        return NULL;
    for (size_t k = 0; k < sizeof ABBRS / sizeof *ABBRS; k++) {
        const struct fold_abbr *a = &ABBRS[k];
        if (a->abbr[0] != w[0] || strncmp(a->abbr, w, alen) != 0 || a->abbr[alen] != '\0')
            continue;
        if (digits > 0) {
            if (!(a->flags & ABBR_NUMBERED))
                return NULL;
            memcpy(num, w + alen, digits);
            num[digits] = '\0';
            return a;
        }
        return (a->flags & ABBR_LETTER) && !marked_after(s) ? NULL : a;
    }
    return NULL;
}

int fold_text(const char *s, size_t n, struct buf *out)
{
    struct fold_scan sc = {(const unsigned char *)s, n, 0};
    size_t start = out->len;
    ssize_t w;
    while ((w = next_word(&sc, out, start)) > 0)
        ;
    if (w < 0) {
        rollback(out, start);
        return -1;
    }
    return 0;
}

int fold_index_text(const char *s, size_t n, struct buf *out)
{
    struct fold_scan sc = {(const unsigned char *)s, n, 0};
    size_t start = out->len;
    ssize_t w;
    char num[4];
    while ((w = next_word(&sc, out, start)) > 0) {
        const struct fold_abbr *a = abbr_find(out->data + out->len - w, (size_t)w, &sc, num);
        if (a && buf_printf(out, " %s%s%s", a->full, *num ? " " : "", num) != 0) {
            w = -1;
            break;
        }
    }
    if (w < 0) {
        rollback(out, start);
        return -1;
    }
    return 0;
}

/*
 * Appends one query term for the word w[0..n): "w"*, or ("w"* OR "full")
 * for an abbreviation a; after " AND " unless it is the first since start.
 * The AND is spelled out because FTS5 only ANDs phrases implicitly, not a
 * parenthesised OR and a phrase.
 */
static int put_term(struct buf *out, size_t start, const char *w, size_t n,
                    const struct fold_abbr *a, const char *num)
{
    /* Words hold no '"' (a separator), so quoting needs no escapes. */
    assert(memchr(w, '"', n) == NULL);
    if ((out->len > start && buf_puts(out, " AND ") != 0) || buf_puts(out, a ? "(\"" : "\"") ||
        buf_append(out, w, n) || buf_puts(out, "\"*"))
        return -1;
    if (a == NULL)
        return 0;
    return buf_printf(out, " OR \"%s%s%s\")", a->full, *num ? " " : "", num);
}

int fold_fts_query(const char *q, size_t n, struct buf *out)
{
    struct fold_scan sc = {(const unsigned char *)q, n, 0};
    struct buf word = {0};
    size_t start = out->len;
    int rc = 0;
    char num[4];

    for (int terms = 0; terms < FOLD_QUERY_MAX_TERMS; terms++) {
        buf_reset(&word);
        ssize_t w = next_word(&sc, &word, 0);
        if (w <= 0) {
            rc = w < 0 ? -2 : 0;
            break;
        }
        const struct fold_abbr *a = abbr_find(word.data, (size_t)w, &sc, num);
        if (put_term(out, start, word.data, (size_t)w, a, num) != 0) {
            rc = -2;
            break;
        }
    }
    buf_free(&word);
    if (rc == 0 && out->len == start)
        rc = -1;
    if (rc != 0)
        rollback(out, start);
    return rc;
}
