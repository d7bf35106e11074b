#include "http/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char OOM_BODY[] =
    "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500,"
    "\"detail\":\"out of memory\",\"instance\":\"/\"}";

static void set_body(struct http_response *rs, json_t *doc, unsigned status, const char *type)
{
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
    *f = OUT_JSON;
    if (rq->accept && strstr(rq->accept, "application/geo+json"))
        *f = OUT_GEOJSON;
    else if (rq->accept && strstr(rq->accept, "text/csv") && !strstr(rq->accept, "json"))
        *f = OUT_CSV;
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
}

void response_json(struct http_response *rs, json_t *doc)
{
    set_body(rs, doc, 200, "application/json");
    rs->etag = rs->status == 200;
}

const char *response_reason(unsigned status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
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
