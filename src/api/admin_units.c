/*
 * GET /v1/admin-units and /v1/admin-units/{code}: the GSO administrative
 * units a form offers step by step (province, then district, then ward).
 */
#include "api/api.h"

#include <string.h>

#include "api/common.h"
#include "format/csv_out.h"
#include "http/paging.h"
#include "http/response.h"
#include "store/release.h"

static const char *const levels[] = {"province", "district", "ward", NULL};

static json_t *unit_json(const struct admin_unit *u)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s?}", "code", u->code, "name", u->name, "type",
                     u->type, "level", u->level, "parent_code", u->parent_code);
}

struct unit_query {
    const char *level;  /* NULL = any */
    const char *parent; /* NULL = any */
    char parent_buf[16];
    long limit;
    struct cursor cur;
    enum out_format f;
};

static int parse_query(const struct http_request *rq, struct unit_query *q,
                       struct http_problem *pb)
{
    static const char *const allowed[] = {"level", "parent", "limit", "cursor", "f", NULL};
    const struct http_params *p = &rq->params;
    q->limit = LIST_LIMIT_DEFAULT;
    if (params_validate(p, allowed, pb) != 0 ||
        api_code_param(p, "parent", 5, q->parent_buf, &q->parent, pb) != 0 ||
        params_long(p, "limit", 1, LIST_LIMIT_MAX, false, &q->limit, pb) < 0 ||
        paging_cursor(p, 'k', &q->cur, pb) != 0 || response_format(rq, &q->f, pb) != 0)
        return -1;
    const struct http_param *lv = params_find(p, "level");
    for (const char *const *l = levels; lv && *l; l++)
        if (strlen(*l) == lv->vlen && memcmp(*l, lv->val, lv->vlen) == 0)
            q->level = *l;
    if (lv && q->level == NULL) {
        problem_set(pb, 400, "level", "level must be province, district or ward");
        return -1;
    }
    if (q->f == OUT_GEOJSON) {
        problem_set(pb, 400, "f", "administrative units have no geometry here; use f=json or f=csv");
        return -1;
    }
    if (q->parent && !admin_table_find(release_admin(rq->release), q->parent, strlen(q->parent))) {
        problem_set(pb, 400, "parent", "parent \"%s\" is not an administrative unit code", q->parent);
        return -1;
    }
    return 0;
}

static bool unit_matches(const struct admin_unit *u, const struct unit_query *q)
{
    return (q->level == NULL || strcmp(u->level, q->level) == 0) &&
           (q->parent == NULL || (u->parent_code && strcmp(u->parent_code, q->parent) == 0));
}

static int render_csv(const struct admin_unit *const *units, size_t n, struct buf *out)
{
    int rc = csv_out_field(out, "code", true) | csv_out_field(out, "name", false) |
             csv_out_field(out, "type", false) | csv_out_field(out, "level", false) |
             csv_out_field(out, "parent_code", false) | csv_out_end(out);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = csv_out_field(out, units[i]->code, true) | csv_out_field(out, units[i]->name, false) |
             csv_out_field(out, units[i]->type, false) | csv_out_field(out, units[i]->level, false) |
             csv_out_field(out, units[i]->parent_code, false) | csv_out_end(out);
    return rc;
}

static void render_units(const struct http_request *rq, struct http_response *rs,
                         const struct unit_query *q, const struct admin_unit *const *units,
                         size_t n, const char *next)
{
    struct buf link = {0}, body = {0};
    if (next)
        paging_next_link(&link, rq->path, &rq->params, next);
    if (q->f == OUT_CSV) {
        if (render_csv(units, n, &body) != 0)
            buf_free(&body);
        response_buf(rs, out_format_content_type(OUT_CSV), &body);
    } else {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++)
            json_array_append_new(arr, unit_json(units[i]));
        response_json(rs, json_pack("{s:s, s:i, s:o, s:s?}", "release", release_id(rq->release),
                                    "limit", (int)q->limit, "results", arr, "next", link.data));
    }
    if (link.data && rs->status == 200) {
        struct buf h = {0};
        buf_printf(&h, "<%s>; rel=\"next\"", link.data);
        rs->link = buf_steal(&h);
    }
    buf_free(&link);
    buf_free(&body);
}

void api_admin_units(const struct http_request *rq, struct http_response *rs)
{
    struct unit_query q = {0};
    struct http_problem pb;
    if (parse_query(rq, &q, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct admin_table *t = release_admin(rq->release);
    const struct admin_unit *page[LIST_LIMIT_MAX];
    size_t n = 0, i = admin_table_after(t, q.cur.tag ? q.cur.value : NULL);
    bool more = false;
    for (; i < t->n; i++) {
        if (!unit_matches(&t->units[i], &q))
            continue;
        if (n == (size_t)q.limit) {
            more = true;
            break;
        }
        page[n++] = &t->units[i];
    }
    struct buf next = {0};
    if (more)
        paging_encode(&next, 'k', page[n - 1]->code, 0);
    render_units(rq, rs, &q, page, n, more ? next.data : NULL);
    buf_free(&next);
}

void api_admin_unit(const struct http_request *rq, struct http_response *rs)
{
    static const char *const allowed[] = {NULL};
    struct http_problem pb;
    if (params_validate(&rq->params, allowed, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct admin_table *t = release_admin(rq->release);
    const struct admin_unit *u = admin_table_find(t, rq->capture[0], rq->capture_len[0]);
    if (u == NULL) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, rq->capture[0], rq->capture_len[0], 40);
        response_error(rs, rq->instance, 404, "code",
                       "no administrative unit with code \"%s\" in release %s", quoted,
                       release_id(rq->release));
        return;
    }
    json_t *doc = unit_json(u), *ancestors = json_array();
    /* Walk up: ward -> district -> province; the bound guards against a cycle. */
    const struct admin_unit *a = u;
    for (int step = 0; step < 8 && a && a->parent_code; step++) {
        a = admin_table_find(t, a->parent_code, strlen(a->parent_code));
        if (a)
            json_array_insert_new(ancestors, 0,
                                  json_pack("{s:s, s:s, s:s}", "code", a->code, "name", a->name,
                                            "level", a->level));
    }
    size_t children = 0;
    for (size_t i = 0; i < t->n; i++)
        children += t->units[i].parent_code && strcmp(t->units[i].parent_code, u->code) == 0;
    json_object_set_new(doc, "ancestors", ancestors);
    json_object_set_new(doc, "children_count", json_integer((json_int_t)children));
    response_json(rs, doc);
}
