#include "api/common.h"

#include <stdlib.h>
#include <string.h>

#include "http/paging.h"
#include "http/response.h"
#include "store/release.h"

int api_parse_kinds(const struct http_params *p, bool kinds[PLACE_KIND_COUNT],
                    struct http_problem *pb)
{
    const struct http_param *k = params_find(p, "kind");
    for (int i = 0; i < PLACE_KIND_COUNT; i++)
        kinds[i] = k == NULL;
    if (k == NULL)
        return 0;
    const char *s = k->val, *end = k->val + k->vlen;
    for (;;) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *e = comma ? comma : end;
        enum place_kind kind;
        if (place_kind_parse(s, (size_t)(e - s), &kind) != 0) {
            char quoted[4 * 40 + 4];
            problem_quote(quoted, s, (size_t)(e - s), 40);
            problem_set(pb, 400, "kind",
                        "kind must be a comma-separated list of office, agent, facility; got \"%s\"",
                        quoted);
            return -1;
        }
        if (kinds[kind]) {
            problem_set(pb, 400, "kind", "kind lists \"%s\" twice", place_kind_name(kind));
            return -1;
        }
        kinds[kind] = true;
        if (comma == NULL)
            return 0;
        s = comma + 1;
    }
}

int api_parse_bool(const struct http_params *p, const char *name, int *out,
                   struct http_problem *pb)
{
    const struct http_param *q = params_find(p, name);
    if (q == NULL)
        return 0;
    if (q->vlen == 4 && memcmp(q->val, "true", 4) == 0)
        *out = 1;
    else if (q->vlen == 5 && memcmp(q->val, "false", 5) == 0)
        *out = 0;
    else {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, q->val, q->vlen, 40);
        problem_set(pb, 400, name, "%s must be true or false; got \"%s\"", name, quoted);
        return -1;
    }
    return 0;
}

int api_code_param(const struct http_params *p, const char *name, size_t max, char *storage,
                   const char **out, struct http_problem *pb)
{
    const struct http_param *q = params_find(p, name);
    *out = NULL;
    if (q == NULL)
        return 0;
    bool ok = q->vlen >= 1 && q->vlen <= max;
    for (size_t i = 0; ok && i < q->vlen; i++) {
        char c = q->val[i];
        ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
             c == '.' || c == '_' || c == '-';
    }
    if (!ok) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, q->val, q->vlen, 40);
        problem_set(pb, 400, name, "%s must be a code of 1 to %zu letters, digits, '.', '_' or '-'; got \"%s\"",
                    name, max, quoted);
        return -1;
    }
    memcpy(storage, q->val, q->vlen);
    storage[q->vlen] = '\0';
    *out = storage;
    return 0;
}

void api_render_page(const struct http_request *rq, struct http_response *rs, enum out_format f,
                     json_t *envelope, const struct place_item *items, size_t n,
                     unsigned extras, const char *next_cursor)
{
    struct buf link = {0};
    if (next_cursor && paging_next_link(&link, rq->path, &rq->params, next_cursor) != 0) {
        json_decref(envelope);
        buf_free(&link);
        response_json(rs, NULL);
        return;
    }
    if (envelope) {
        json_object_set_new(envelope, "release", json_string(release_id(rq->release)));
        json_object_set_new(envelope, "next", link.data ? json_string(link.data) : json_null());
    }
    struct buf body = {0};
    if (place_list_render(f, envelope, items, n, extras, &body) != 0)
        buf_free(&body);
    response_buf(rs, out_format_content_type(f), &body);
    if (link.data)
        response_link_next(rs, link.data);
    buf_free(&link);
    buf_free(&body);
}
