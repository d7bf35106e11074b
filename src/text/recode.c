/*
 * Legacy Vietnamese encodings to UTF-8: CP1258 through iconv, TCVN3
 * through a table, both followed by Vietnamese composition. A recoder owns
 * its iconv descriptor and a scratch buffer reused from field to field.
 */
#include "text/recode.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text/recode_table.h"
#include "text/utf8.h"

struct recoder {
    enum recode_encoding enc;
    iconv_t cd;     /* CP1258 -> UTF-8, or (iconv_t)-1 */
    struct buf tmp; /* iconv output before composition */
};

bool recode_parse_name(const char *s, enum recode_encoding *out)
{
    static const struct {
        const char *name;
        enum recode_encoding enc;
    } names[] = {
        {"utf-8", RECODE_UTF8},          {"utf8", RECODE_UTF8},   {"cp1258", RECODE_CP1258},
        {"windows-1258", RECODE_CP1258}, {"tcvn3", RECODE_TCVN3}, {"abc", RECODE_TCVN3},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].enc;
            return true;
        }
    }
    return false;
}

const char *recode_name(enum recode_encoding enc)
{
    switch (enc) {
    case RECODE_CP1258:
        return "CP1258";
    case RECODE_TCVN3:
        return "TCVN3";
    default:
        return "UTF-8";
    }
}

struct recoder *recoder_new(enum recode_encoding enc, struct err *e)
{
    struct recoder *r = calloc(1, sizeof *r);
    if (r == NULL) {
        err_set(e, "out of memory");
        return NULL;
    }
    r->enc = enc;
    r->cd = (iconv_t)-1;
    if (enc == RECODE_CP1258 && (r->cd = iconv_open("UTF-8", "CP1258")) == (iconv_t)-1) {
        err_set(e, "iconv cannot convert from CP1258 on this system: %s", strerror(errno));
        free(r);
        return NULL;
    }
    return r;
}

void recoder_free(struct recoder *r)
{
    if (r == NULL)
        return;
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    buf_free(&r->tmp);
    free(r);
}

static int put_cp(struct buf *out, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | cp >> 6);
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12);
        b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | cp >> 18);
        b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(out, b, n);
}

/* Decodes the well-formed sequence of len bytes at s. */
static uint32_t get_cp(const unsigned char *s, size_t len)
{
    static const unsigned char lead_mask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = s[0] & lead_mask[len];
    for (size_t i = 1; i < len; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    return cp;
}

static int cmp_pair(const void *a, const void *b)
{
    const struct recode_pair *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return x->mark < y->mark ? -1 : x->mark > y->mark;
}

/* The precomposed form of base + mark, or 0. */
static uint32_t compose(uint32_t base, uint32_t mark)
{
    if (base > 0xFFFF || mark < 0x0300 || mark > 0x0323)
        return 0;
    struct recode_pair key = {(uint16_t)base, (uint16_t)mark, 0};
    const struct recode_pair *p = bsearch(
        &key, VI_COMPOSE, sizeof VI_COMPOSE / sizeof VI_COMPOSE[0], sizeof VI_COMPOSE[0], cmp_pair);
    return p ? p->composed : 0;
}

int recode_compose_vi(const char *s, size_t n, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = out->len, last_at = 0, i = 0;
    uint32_t last = 0; /* the code point just written, 0 when none or not composable */

    if (buf_reserve(out, n + 1) != 0)
        return -1;
    while (i < n) {
        size_t len = utf8_seq_len(p + i, n - i);
        if (len == 0) { /* not UTF-8: copy the byte, compose nothing across it */
            if (buf_append(out, p + i, 1) != 0)
                goto oom;
            i++;
            last = 0;
            continue;
        }
        uint32_t cp = get_cp(p + i, len), c = last ? compose(last, cp) : 0;
        if (c != 0) {
            out->len = last_at; /* replace the base letter */
            if (put_cp(out, c) != 0)
                goto oom;
            last = 0;
        } else {
            last_at = out->len;
            if (buf_append(out, p + i, len) != 0)
                goto oom;
            last = cp;
        }
        i += len;
    }
    if (out->data)
        out->data[out->len] = '\0';
    return 0;
oom:
    out->len = start;
    return -1;
}

/* Offset of the first byte >= 0x80 in s, or n. */
static size_t first_high(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return i;
    return n;
}

static int tcvn3_to_utf8(const char *s, size_t n, struct buf *out, size_t *bad_at, struct err *e)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        uint32_t cp = b < 0x80 ? b : TCVN3_HIGH[b - 0x80];
        if (cp == 0 && b != 0) {
            *bad_at = i;
            err_set(e, "byte 0x%02X is not a character of TCVN3 (ABC)", b);
            return -1;
        }
        if (put_cp(out, cp) != 0)
            return -2;
    }
    return 0;
}

/*
 * CP1258 -> UTF-8 into r->tmp through iconv. glibc holds back the last
 * letter in case a combining mark follows, so a final call without input
 * flushes it.
 */
static int cp1258_to_tmp(struct recoder *r, const char *s, size_t n, size_t *bad_at, struct err *e)
{
    char *in = (char *)s;
    size_t in_left = n, want = n * 4 + 16;
    bool flushing = false;

    buf_reset(&r->tmp);
    iconv(r->cd, NULL, NULL, NULL, NULL);
    for (;;) {
        if (buf_reserve(&r->tmp, want) != 0)
            return -2;
        char *o = r->tmp.data + r->tmp.len;
        size_t o_left = r->tmp.cap - r->tmp.len - 1;
        size_t rc = flushing ? iconv(r->cd, NULL, NULL, &o, &o_left)
                             : iconv(r->cd, &in, &in_left, &o, &o_left);
        int err = errno;
        r->tmp.len = (size_t)(o - r->tmp.data);
        r->tmp.data[r->tmp.len] = '\0';
        if (rc != (size_t)-1) {
            if (flushing)
                return 0;
            flushing = true;
        } else if (err == E2BIG) {
            want = r->tmp.cap; /* grow */
        } else {
            *bad_at = (size_t)(in - s);
            err_set(e, "byte 0x%02X is not a character of CP1258 (Windows-1258)",
                    *bad_at < n ? (unsigned char)s[*bad_at] : 0);
            return -1;
        }
    }
}

int recoder_to_utf8(struct recoder *r, const char *s, size_t n, struct buf *out, size_t *bad_at,
                    struct err *e)
{
    size_t start = out->len;
    if (r->enc == RECODE_UTF8)
        return buf_append(out, s, n) == 0 ? 0 : -2;
    size_t high = first_high(s, n);
    if (high == n)
        return buf_append(out, s, n) == 0 ? 0 : -2; /* ASCII is the same in all three */
    if (utf8_validate(s, n, NULL)) {
        *bad_at = high;
        err_set(e,
                "is valid UTF-8 with accented letters, not %s: the file seems to be saved "
                "as UTF-8 already (leave out --encoding)",
                recode_name(r->enc));
        return -1;
    }
    int rc;
    if (r->enc == RECODE_TCVN3) {
        rc = tcvn3_to_utf8(s, n, out, bad_at, e);
    } else {
        rc = cp1258_to_tmp(r, s, n, bad_at, e);
        if (rc == 0 && recode_compose_vi(r->tmp.data ? r->tmp.data : "", r->tmp.len, out) != 0)
            rc = -2;
    }
    if (rc != 0)
        out->len = start;
    else if (out->data)
        out->data[out->len] = '\0';
    return rc;
}
