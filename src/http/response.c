#include "http/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <stddef.h>


static const char OOM_BODY[] =
    "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,"
    "\"detail\":\"out of memory\",\"instance\":\"/\"}";

/* Closes the file of a download answer that is being replaced by another body. */
static void drop_file(struct http_response *rs)
{
    if (rs->has_file)
        close(rs->file_fd);
    rs->has_file = false;
}

static void set_body(struct http_response *rs, json_t *doc, unsigned status, const char *type)
{
    drop_file(rs);
    char *s = doc ? json_dumps(doc, FORMAT_JSON_FLAGS) : NULL;
    json_decref(doc);
    if (s == NULL) {
        s = strdup(OOM_BODY);
        status = 500;
        type = "application/problem+json";
    }
    free(rs->body);
    rs->body = s;
    rs->len = s ? strlen(s) : 0;
    rs->status = status;
    rs->content_type = type;
}

/* The q value of one media range's parameters (";q=0.5"); 1 when absent. */
static double range_q(const char *params, size_t n)
{
    const char *end = params + n;
    for (const char *p = params; p != NULL && p < end; p = memchr(p + 1, ';', (size_t)(end - p - 1))) {
        const char *v = p + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        if (v + 2 <= end && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=')
            return strtod(v + 2, NULL);
    }
    return 1;
}

/*
 * Content negotiation over the three list formats (RFC 9110 12.5.1): each
 * format takes the q of the most specific range that matches it (exact, then
 * a whole major type, then any); the highest
 * q wins, JSON first on ties. Nothing acceptable, or no header: JSON.
 */
static enum out_format accept_format(const char *accept)
{
    static const char *const types[3] = {"application/json", "application/geo+json", "text/csv"};
    double q[3] = {-1, -1, -1};
    int spec[3] = {-1, -1, -1}; /* 2 exact type, 1 "type/any", 0 any */
    for (const char *s = accept; s && *s;) {
        size_t len = strcspn(s, ","), tlen;
        while (len > 0 && (*s == ' ' || *s == '\t'))
            s++, len--;
        tlen = strcspn(s, ";, \t");
        tlen = tlen < len ? tlen : len;
        const char *semi = memchr(s, ';', len);
        double rq = semi ? range_q(semi, len - (size_t)(semi - s)) : 1;
        for (int i = 0; i < 3; i++) {
            const char *slash = strchr(types[i], '/');
            size_t major = (size_t)(slash - types[i]) + 1; /* "text/" */
            int level = -1;
            if (tlen == strlen(types[i]) && strncasecmp(s, types[i], tlen) == 0)
                level = 2;
            else if (tlen == major + 1 && strncasecmp(s, types[i], major) == 0 && s[major] == '*')
                level = 1;
            else if (tlen == 3 && strncmp(s, "*/*", 3) == 0)
                level = 0;
            if (level > spec[i])
                spec[i] = level, q[i] = rq;
        }
        s += len;
        if (*s == ',')
            s++;
    }
    int best = 0;
    for (int i = 1; i < 3; i++)
        if (q[i] > q[best])
            best = i;
    return q[best] > 0 ? (enum out_format)best : OUT_JSON;
}

int response_format(const struct http_request *rq, enum out_format *f, struct http_problem *pb)
{
    const struct http_param *q = params_find(&rq->params, "f");
    if (q != NULL) {
        static const struct {
            const char *name;
            enum out_format f;
        } names[] = {{"json", OUT_JSON}, {"geojson", OUT_GEOJSON}, {"csv", OUT_CSV}};
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            if (q->vlen == strlen(names[i].name) && memcmp(q->val, names[i].name, q->vlen) == 0) {
                *f = names[i].f;
                return 0;
            }
        char quoted[4 * 40 + 4];
        problem_quote(quoted, q->val, q->vlen, 40);
        problem_set(pb, 400, "f", "f must be json, geojson or csv; got \"%s\"", quoted);
        return -1;
    }
    *f = accept_format(rq->accept);
    return 0;
}

void response_buf(struct http_response *rs, const char *content_type, struct buf *b)
{
    if (b->data == NULL) {
        set_body(rs, NULL, 500, NULL);
        return;
    }
    free(rs->body);
    rs->len = b->len;
    rs->body = buf_steal(b);
    rs->status = 200;
    rs->content_type = content_type;
    rs->etag = true;
    /* Each representation of a URL needs its own validator (RFC 9110 8.8.3). */
    rs->etag_variant = strstr(content_type, "geo+json") ? ".geojson"
                       : strstr(content_type, "text/csv") ? ".csv"
                                                          : "";
}

void response_link_next(struct http_response *rs, const char *url)
{
    if (rs->status != 200)
        return;
    struct buf h = {0};
    buf_printf(&h, "<%s>; rel=\"next\"", url);
    free(rs->link);
    rs->link = buf_steal(&h);
}

void response_json(struct http_response *rs, json_t *doc)
{
    set_body(rs, doc, 200, "application/json");
    rs->etag = rs->status == 200;
}

void response_file(struct http_response *rs, unsigned status, const char *content_type, int fd,
                   uint64_t offset, uint64_t len)
{
    drop_file(rs);
    free(rs->body);
    rs->body = NULL;
    rs->has_file = true;
    rs->file_fd = fd;
    rs->file_offset = offset;
    rs->len = (size_t)len;
    rs->status = status;
    rs->content_type = content_type;
    rs->etag = true;
}

int response_header(struct http_response *rs, const char *name, const char *fmt, ...)
{
    if (rs->nheaders == RESPONSE_HEADERS_MAX)
        return -1;
    struct http_header *h = &rs->headers[rs->nheaders++];
    h->name = name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->value, sizeof h->value, fmt, ap);
    va_end(ap);
    return 0;
}

const char *response_reason(unsigned status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 416:
        return "Range Not Satisfiable";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

void response_problem(struct http_response *rs, const struct http_problem *pb, const char *instance)
{
    bool bad_param = pb->status == 400 && pb->param[0] != '\0';
    json_t *doc =
        json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
                  bad_param ? "/problems/invalid-parameter" : "about:blank", "title",
                  bad_param ? "Invalid parameter" : response_reason(pb->status), "status",
                  (int)pb->status, "detail", pb->detail, "instance", instance ? instance : "");
    if (doc != NULL && bad_param)
        json_object_set_new(doc, "invalid_params",
                            json_pack("[{s:s, s:s}]", "name", pb->param, "reason", pb->detail));
    set_body(rs, doc, pb->status, "application/problem+json");
    rs->etag = false;
    rs->is_problem = true;
    rs->problem = *pb;
}

void response_error(struct http_response *rs, const char *instance, unsigned status,
                    const char *param, const char *fmt, ...)
{
    struct http_problem pb = {.status = status};
    snprintf(pb.param, sizeof pb.param, "%s", param ? param : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pb.detail, sizeof pb.detail, fmt, ap);
    va_end(ap);
    response_problem(rs, &pb, instance);
}
