/*
 * fuzz_params: libFuzzer target for query-string handling. The input is the
 * query string of a request, optionally followed by a newline and an Accept
 * header value (for response_format's negotiation); the query is split and decoded the way
 * libmicrohttpd hands it to the server ('&' between parameters, the first '=' between name and
 * value, '+' as a space, %XX escapes, NUL bytes kept with their lengths), then fed to everything
 * that reads parameters: params_validate against each endpoint's list, the typed getters,
 * paging_cursor, the kind, bool and code parsers of api/common.c, response_format and
 * paging_next_link.
 *
 * Invariants checked: a refusal is a 400 naming a parameter, with a detail
 * that is valid UTF-8 and mentions that name, and it renders as a
 * problem+json document (not the 500 of a failed JSON encoding); an accepted
 * number is finite and in range; validation agrees with a plain reference
 * implementation; an accepted cursor survives an encode/decode round trip and
 * its offset did not overflow; a next link is printable ASCII with every
 * parameter percent-encoded.
 */
#include <math.h>
#include <nettle/base64.h>
#include <stdint.h>
#include <string.h>

#include "api/common.h"
#include "fuzz.h"
#include "http/paging.h"
#include "http/params.h"
#include "http/response.h"

static const char *const NEAREST[] = {"lat", "lon", "kind", "limit", "radius_m", "f", NULL};
static const char *const FACILITIES[] = {"province",
                                         "district",
                                         "ward",
                                         "parent",
                                         "level",
                                         "ownership",
                                         "accepts_initial_registration",
                                         "q",
                                         "limit",
                                         "cursor",
                                         "f",
                                         NULL};
static const char *const SEARCH[] = {"q",     "kind",   "province", "lat", "lon",
                                     "limit", "cursor", "f",        NULL};
static const char *const MAP[] = {"bbox", "zoom", "kind", "f", NULL};
static const char *const NONE[] = {NULL};
static const char *const *const ENDPOINTS[] = {NEAREST, FACILITIES, SEARCH, MAP, NONE};

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) in place as libmicrohttpd does; returns the new length and NUL-terminates. */
static size_t unescape(char *s, size_t n)
{
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        int hi, lo;
        if (s[r] == '+')
            s[w++] = ' ';
        else if (s[r] == '%' && r + 2 < n && (hi = hexval((unsigned char)s[r + 1])) >= 0 &&
                 (lo = hexval((unsigned char)s[r + 2])) >= 0) {
            s[w++] = (char)(hi * 16 + lo);
            r += 2;
        } else
            s[w++] = s[r];
    }
    s[w] = '\0';
    return w;
}

/* Splits the query string in buf (n bytes, writable, one spare byte) into p. */
static void split_query(char *buf, size_t n, struct http_params *p)
{
    size_t i = 0;
    while (i <= n) {
        size_t end = i;
        while (end < n && buf[end] != '&')
            end++;
        if (end > i) {
            char *key = buf + i, *eq = memchr(key, '=', end - i);
            size_t klen = eq ? (size_t)(eq - key) : end - i;
            size_t vlen = eq ? (size_t)(buf + end - eq - 1) : 0;
            if (eq)
                vlen = unescape(eq + 1, vlen);
            klen = unescape(key, klen);
            params_add(p, key, klen, eq ? eq + 1 : NULL, vlen);
        }
        i = end + 1;
    }
}

/* A refusal: 400, names a parameter the detail mentions, renders as problem+json. */
static void check_refusal(const struct http_problem *pb, const char *what)
{
    FUZZ_CHECK(pb->status == 400, "%s: status %u", what, pb->status);
    /* Only a parameter with an empty name has no name to give. */
    FUZZ_CHECK(pb->param[0] != '\0' || strstr(pb->detail, "\"\"") != NULL,
               "%s: no parameter named in \"%s\"", what, pb->detail);
    FUZZ_CHECK(fuzz_utf8(pb->param), "%s: parameter name is not UTF-8: %s", what, pb->param);
    FUZZ_CHECK(fuzz_utf8(pb->detail), "%s: detail is not UTF-8: %s", what, pb->detail);
    FUZZ_CHECK(strstr(pb->detail, pb->param) != NULL, "%s: detail \"%s\" does not name %s", what,
               pb->detail, pb->param);
    struct http_response rs = {0};
    response_problem(&rs, pb, "/v1/fuzz");
    FUZZ_CHECK(rs.status == 400 && rs.body &&
                   (pb->param[0] == '\0' || strstr(rs.body, "invalid_params")),
               "%s: problem did not render: %u %s", what, rs.status, rs.body ? rs.body : "");
    free(rs.body);
}

/* The reference rules of params_validate: few enough, allowed, no NUL, no repeat. */
static bool reference_valid(const struct http_params *p, const char *const *allowed)
{
    if (p->overflow)
        return false;
    for (size_t i = 0; i < p->n; i++) {
        const struct http_param *q = &p->items[i];
        bool known = false;
        for (const char *const *a = allowed; *a; a++)
            known |= strlen(*a) == q->klen && memcmp(*a, q->key, q->klen) == 0;
        if (!known || memchr(q->val, '\0', q->vlen))
            return false;
        for (size_t j = 0; j < i; j++)
            if (p->items[j].klen == q->klen && memcmp(p->items[j].key, q->key, q->klen) == 0)
                return false;
    }
    return true;
}

static void check_validate(const struct http_params *p)
{
    for (size_t e = 0; e < sizeof ENDPOINTS / sizeof *ENDPOINTS; e++) {
        struct http_problem pb = {0};
        int rc = params_validate(p, ENDPOINTS[e], &pb);
        FUZZ_CHECK((rc == 0) == reference_valid(p, ENDPOINTS[e]), "endpoint %zu: validate %d", e,
                   rc);
        if (rc != 0)
            check_refusal(&pb, "params_validate");
    }
}

static void check_numbers(const struct http_params *p)
{
    static const struct {
        const char *name;
        double lo, hi;
    } dbl[] = {{"lat", -90, 90}, {"lon", -180, 180}, {"radius_m", 1, 1e6}};
    for (size_t i = 0; i < sizeof dbl / sizeof *dbl; i++) {
        struct http_problem pb = {0};
        double v = NAN;
        int rc = params_double(p, dbl[i].name, dbl[i].lo, dbl[i].hi, i == 0, &v, &pb);
        if (rc == 1)
            FUZZ_CHECK(isfinite(v) && v >= dbl[i].lo && v <= dbl[i].hi, "%s = %g", dbl[i].name, v);
        else if (rc < 0)
            check_refusal(&pb, dbl[i].name);
        else
            FUZZ_CHECK(rc == 0 && isnan(v), "%s: rc %d", dbl[i].name, rc);
    }
    static const char *const lng[] = {"limit", "zoom"};
    for (size_t i = 0; i < 2; i++) {
        struct http_problem pb = {0};
        long v = -12345;
        int rc = params_long(p, lng[i], 1, 100, false, &v, &pb);
        if (rc == 1)
            FUZZ_CHECK(v >= 1 && v <= 100, "%s = %ld", lng[i], v);
        else if (rc < 0)
            check_refusal(&pb, lng[i]);
        else
            FUZZ_CHECK(v == -12345, "%s changed while absent", lng[i]);
    }
}

/* The digits of an 'o' cursor, leading zeros aside, must be exactly the offset. */
static void check_offset_text(const char *digits, unsigned long offset)
{
    while (digits[0] == '0' && digits[1] != '\0')
        digits++;
    char want[32];
    snprintf(want, sizeof want, "%lu", offset);
    FUZZ_CHECK(strcmp(digits, want) == 0, "cursor offset \"%s\" read as %s", digits, want);
}

/* The base64url payload of an accepted cursor (tag letter first), NUL-terminated. */
static bool cursor_payload(const struct http_param *q, char *out, size_t cap)
{
    char text[2 * CURSOR_VALUE_MAX + 4];
    size_t tlen = q->vlen, n = cap - 1;
    if (tlen > 2 * CURSOR_VALUE_MAX)
        return false;
    memcpy(text, q->val, tlen);
    while (tlen % 4)
        text[tlen++] = '=';
    struct base64_decode_ctx ctx;
    base64url_decode_init(&ctx);
    if (!base64_decode_update(&ctx, &n, (uint8_t *)out, tlen, text) || !base64_decode_final(&ctx))
        return false;
    out[n] = '\0';
    return true;
}

/* Decodes the cursor text enc for tag as the server would. */
static int decode_again(const char *enc, char tag, struct cursor *c)
{
    struct http_params p = {0};
    struct http_problem pb;
    params_add(&p, "cursor", 6, enc, strlen(enc));
    return paging_cursor(&p, tag, c, &pb);
}

static void check_cursor(const struct http_params *p)
{
    static const char tags[] = {'k', 'o'};
    for (size_t t = 0; t < 2; t++) {
        struct cursor c;
        struct http_problem pb = {0};
        if (paging_cursor(p, tags[t], &c, &pb) != 0) {
            check_refusal(&pb, "cursor");
            continue;
        }
        if (c.tag == 0)
            continue;
        FUZZ_CHECK(c.tag == tags[t], "tag %c for %c", c.tag, tags[t]);
        struct buf enc = {0};
        struct cursor again;
        if (c.tag == 'k') {
            FUZZ_CHECK(strlen(c.value) >= 1 && strlen(c.value) <= CURSOR_VALUE_MAX, "value length");
            FUZZ_CHECK(paging_encode(&enc, 'k', c.value, 0) == 0, "encode k");
            FUZZ_CHECK(decode_again(enc.data, 'k', &again) == 0 &&
                           strcmp(again.value, c.value) == 0,
                       "k cursor round trip via %s", enc.data);
        } else {
            FUZZ_CHECK(paging_encode(&enc, 'o', NULL, c.offset) == 0, "encode o");
            FUZZ_CHECK(decode_again(enc.data, 'o', &again) == 0 && again.offset == c.offset,
                       "o cursor round trip via %s", enc.data);
            char digits[2 * CURSOR_VALUE_MAX];
            FUZZ_CHECK(cursor_payload(params_find(p, "cursor"), digits, sizeof digits),
                       "accepted cursor does not decode");
            check_offset_text(digits + 1, c.offset);
        }
        buf_free(&enc);
    }
}

static void check_common(const struct http_params *p, const char *accept)
{
    struct http_problem pb = {0};
    bool kinds[PLACE_KIND_COUNT];
    if (api_parse_kinds(p, kinds, &pb) == 0) {
        bool any = false;
        for (int i = 0; i < PLACE_KIND_COUNT; i++)
            any |= kinds[i];
        FUZZ_CHECK(any, "kind accepted but no kind chosen");
    } else
        check_refusal(&pb, "kind");
    int b = -7;
    if (api_parse_bool(p, "accepts_initial_registration", &b, &pb) == 0)
        FUZZ_CHECK(b == -7 || b == 0 || b == 1, "bool %d", b);
    else
        check_refusal(&pb, "bool");
    static const size_t maxes[] = {2, 5, 40};
    static const char *const names[] = {"province", "parent", "ward"};
    for (size_t i = 0; i < 3; i++) {
        char storage[41];
        const char *out = "x";
        if (api_code_param(p, names[i], maxes[i], storage, &out, &pb) != 0) {
            check_refusal(&pb, names[i]);
            continue;
        }
        if (out == NULL)
            continue;
        size_t n = strlen(out);
        FUZZ_CHECK(
            n >= 1 && n <= maxes[i] &&
                strspn(out, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-") ==
                    n,
            "%s accepted as \"%s\"", names[i], out);
    }
    struct http_request rq = {.params = *p, .accept = accept};
    enum out_format f = (enum out_format) - 1;
    if (response_format(&rq, &f, &pb) != 0)
        check_refusal(&pb, "f");
    else
        FUZZ_CHECK(f == OUT_JSON || f == OUT_GEOJSON || f == OUT_CSV, "format %d", (int)f);
}

static void check_next_link(const struct http_params *p)
{
    struct buf link = {0};
    FUZZ_CHECK(paging_next_link(&link, "/v1/facilities", p, "a2Zvbw") == 0, "next link");
    for (size_t i = 0; i < link.len; i++) {
        unsigned char c = (unsigned char)link.data[i];
        FUZZ_CHECK(c > 0x20 && c < 0x7F && c != '"' && c != '<' && c != '>' && c != '#',
                   "byte 0x%02X at %zu of the next link %s", c, i, link.data);
    }
    buf_free(&link);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *buf = malloc(size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *nl = memchr(buf, '\n', size), *accept = NULL;
    if (nl) {
        *nl = '\0';
        accept = nl + 1;
        size = (size_t)(nl - buf);
    }
    struct http_params p = {0};
    split_query(buf, size, &p);
    check_validate(&p);
    check_numbers(&p);
    check_cursor(&p);
    check_common(&p, accept);
    check_next_link(&p);
    free(buf);
    return 0;
}
