#include "format/json_out.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int json_out_string(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (s == NULL)
        return buf_append(b, "null", 4);
    int rc = buf_append(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc |= buf_append(b, run, (size_t)(s - run));
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t n = 2;
        if (c == '\n')
            esc[1] = 'n';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c == '\t')
            esc[1] = 't';
        else if (c < 0x20) {
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        rc |= buf_append(b, esc, n);
        run = s + 1;
    }
    rc |= buf_append(b, run, (size_t)(s - run));
    return rc | buf_append(b, "\"", 1);
}

int json_out_key(struct buf *b, const char *key)
{
    size_t n = strlen(key);
    if (buf_reserve(b, n + 3) != 0)
        return -1;
    b->data[b->len++] = '"';
    memcpy(b->data + b->len, key, n);
    b->len += n;
    b->data[b->len++] = '"';
    b->data[b->len++] = ':';
    b->data[b->len] = '\0';
    return 0;
}

int json_out_fixed(struct buf *b, double v, int decimals)
{
    static const double scale[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (!isfinite(v))
        return buf_append(b, "null", 4);
    if (decimals < 0 || decimals > 9 || fabs(v) * scale[decimals] > 9e15)
        return buf_printf(b, "%.17g", v);
    int64_t q = llround(v * scale[decimals]);
    char tmp[40], *p = tmp + sizeof tmp;
    uint64_t u = q < 0 ? (uint64_t)(-q) : (uint64_t)q;
    int frac = decimals;
    /* Drop trailing zeros of the fraction, but keep one digit after the point. */
    while (frac > 1 && u % 10 == 0)
        u /= 10, frac--;
    if (frac == 0) {
        *--p = '0'; /* decimals 0 still prints as a real: "12.0" */
    } else {
        for (int i = 0; i < frac; i++, u /= 10)
            *--p = (char)('0' + u % 10);
    }
    *--p = '.';
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (q < 0)
        *--p = '-';
    return buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

int json_out_uint(struct buf *b, uint64_t v)
{
    char tmp[20], *p = tmp + sizeof tmp;
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    return buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

int json_out_bool(struct buf *b, bool v)
{
    return v ? buf_append(b, "true", 4) : buf_append(b, "false", 5);
}
