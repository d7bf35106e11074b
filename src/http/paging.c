#include "http/paging.h"

#include <errno.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad_cursor(struct http_problem *pb)
{
    problem_set(pb, 400, "cursor",
                "cursor is not one this list gave out; start again without it and follow the "
                "\"next\" link");
    return -1;
}

int paging_cursor(const struct http_params *p, char want, struct cursor *c,
                  struct http_problem *pb)
{
    memset(c, 0, sizeof *c);
    const struct http_param *q = params_find(p, "cursor");
    if (q == NULL)
        return 0;
    /* Cursors are sent without "=" padding; nettle wants it back. */
    char text[2 * CURSOR_VALUE_MAX + 4];
    uint8_t raw[BASE64_DECODE_LENGTH(sizeof text) + 1];
    size_t n = sizeof raw - 1, tlen = q->vlen;
    if (tlen == 0 || tlen > 2 * CURSOR_VALUE_MAX)
        return bad_cursor(pb);
    memcpy(text, q->val, tlen);
    while (tlen % 4 != 0)
        text[tlen++] = '=';
    struct base64_decode_ctx ctx;
    base64url_decode_init(&ctx);
    if (!base64_decode_update(&ctx, &n, raw, tlen, text) || !base64_decode_final(&ctx) ||
        n < 2 || raw[0] != (uint8_t)want || n - 1 > CURSOR_VALUE_MAX)
        return bad_cursor(pb);
    raw[n] = '\0';
    if (memchr(raw, '\0', n))
        return bad_cursor(pb);
    c->tag = want;
    if (want == 'o') {
        char *end;
        errno = 0;
        c->offset = strtoul((const char *)raw + 1, &end, 10);
        /* An offset that overflows was not given out by us (and would wrap page sums). */
        if (*end != '\0' || raw[1] < '0' || raw[1] > '9' || errno == ERANGE)
            return bad_cursor(pb);
    } else {
        memcpy(c->value, raw + 1, n);
    }
    return 0;
}

int paging_encode(struct buf *out, char tag, const char *value, unsigned long offset)
{
    char raw[CURSOR_VALUE_MAX + 2];
    int n = tag == 'o' ? snprintf(raw, sizeof raw, "o%lu", offset)
                       : snprintf(raw, sizeof raw, "%c%s", tag, value);
    if (n < 0 || (size_t)n >= sizeof raw || buf_reserve(out, BASE64_ENCODE_LENGTH(n) + 4) != 0)
        return -1;
    struct base64_encode_ctx ctx;
    base64url_encode_init(&ctx);
    size_t w = base64_encode_update(&ctx, out->data + out->len, (size_t)n, (const uint8_t *)raw);
    w += base64_encode_final(&ctx, out->data + out->len + w);
    /* Padding is not needed to decode, and "=" would need escaping in a URL. */
    while (w > 0 && out->data[out->len + w - 1] == '=')
        w--;
    out->len += w;
    out->data[out->len] = '\0';
    return 0;
}

int paging_url_encode(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == ',') {
            if (buf_append(out, &s[i], 1) != 0)
                return -1;
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            if (buf_append(out, esc, 3) != 0)
                return -1;
        }
    }
    return 0;
}

int paging_next_link(struct buf *out, const char *path, const struct http_params *p,
                     const char *cursor)
{
    int rc = buf_puts(out, path);
    char sep = '?';
    for (size_t i = 0; rc == 0 && i < p->n; i++) {
        const struct http_param *q = &p->items[i];
        if (q->klen == 6 && memcmp(q->key, "cursor", 6) == 0)
            continue;
        rc |= buf_append(out, &sep, 1);
        rc |= paging_url_encode(out, q->key, q->klen);
        rc |= buf_append(out, "=", 1);
        rc |= paging_url_encode(out, q->val, q->vlen);
        sep = '&';
    }
    rc |= buf_append(out, &sep, 1);
    rc |= buf_puts(out, "cursor=");
    rc |= buf_puts(out, cursor);
    return rc ? -1 : 0;
}
