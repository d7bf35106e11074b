/*
 * GET /v1/admin-units and /v1/admin-units/{code}: the GSO administrative
 * units a form offers step by step (province, then its communes; before
 * the July 2025 reform province, district, ward), in the current version by
 * default or an earlier one with version=, and what became of an old code.
 *
 * A code names a unit per version (91: Tỉnh An Giang since 2025-07, Tỉnh
 * Kiên Giang before). /v1/admin-units/{code} answers the current unit when
 * the code is one, listing in "formerly" what the code meant before;
 * otherwise the latest unit that had the code, with status "replaced" and
 * its "successors". version= asks for one version's meaning.
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
    return json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:s}", "code", u->code, "name", u->name,
                     "type", u->type, "level", u->level, "parent_code", u->parent_code, "version",
                     u->version, "status", admin_unit_status(u));
}

/* version=: one of the release's versions (the current one when absent). */
static int version_param(const struct http_request *rq, const char **out, struct http_problem *pb)
{
    const struct admin_table *t = release_admin(rq->release);
    const struct http_param *v = params_find(&rq->params, "version");
    *out = admin_table_current(t);
    if (v == NULL)
        return 0;
    if ((*out = admin_table_version(t, v->val, v->vlen)) != NULL)
        return 0;
    char quoted[4 * 40 + 4], list[160] = "";
    problem_quote(quoted, v->val, v->vlen, 40);
    for (size_t i = 0; i < t->nversions && strlen(list) < sizeof list - 16; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 t->versions[i]);
    problem_set(pb, 400, "version", "version must be one of %s; got \"%s\"", list, quoted);
    return -1;
}

struct unit_query {
    const char *level;   /* NULL = any */
    const char *parent;  /* NULL = any */
    const char *version; /* never NULL once parsed (an empty release has no units to list) */
    char parent_buf[16];
    long limit;
    struct cursor cur;
    enum out_format f;
};

/* parent= must be a unit of the version listed; an old code gets a hint. */
static int check_parent(const struct http_request *rq, const struct unit_query *q,
                        struct http_problem *pb)
{
    const struct admin_table *t = release_admin(rq->release);
    size_t n = strlen(q->parent);
    if (q->version && admin_table_find(t, q->parent, n, q->version))
        return 0;
    const struct admin_unit *other = admin_table_latest(t, q->parent, n);
    if (other)
        problem_set(pb, 400, "parent",
                    "parent \"%s\" is not a unit of version %s; it is %s (%s) of version %s: add "
                    "version=%s",
                    q->parent, q->version ? q->version : "-", other->name, other->level,
                    other->version, other->version);
    else
        problem_set(pb, 400, "parent", "parent \"%s\" is not an administrative unit code",
                    q->parent);
    return -1;
}

static int parse_query(const struct http_request *rq, struct unit_query *q, struct http_problem *pb)
{
    static const char *const allowed[] = {"level",  "parent", "version", "limit",
                                          "cursor", "f",      NULL};
    const struct http_params *p = &rq->params;
    q->limit = LIST_LIMIT_DEFAULT;
    if (params_validate(p, allowed, pb) != 0 || version_param(rq, &q->version, pb) != 0 ||
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
    if (q->f == OUT_GEOJSON && params_find(p, "f") == NULL) {
        q->f = OUT_JSON; /* an Accept header asking for GeoJSON: answer the default */
    } else if (q->f == OUT_GEOJSON) {
        problem_set(pb, 400, "f",
                    "administrative units have no geometry here; use f=json or f=csv");
        return -1;
    }
    return q->parent ? check_parent(rq, q, pb) : 0;
}

static bool unit_matches(const struct admin_unit *u, const struct unit_query *q)
{
    return (q->level == NULL || strcmp(u->level, q->level) == 0) &&
           (q->parent == NULL || (u->parent_code && strcmp(u->parent_code, q->parent) == 0));
}

static int render_csv(const struct admin_unit *const *units, size_t n, struct buf *out)
{
    static const char *const cols[] = {"code",        "name",    "type",  "level",
                                       "parent_code", "version", "status"};
    int rc = 0;
    for (size_t k = 0; k < 7; k++)
        rc |= csv_out_field(out, cols[k], k == 0);
    rc |= csv_out_end(out);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct admin_unit *u = units[i];
        const char *v[] = {
            u->code, u->name, u->type, u->level, u->parent_code, u->version, admin_unit_status(u)};
        for (size_t k = 0; k < 7; k++)
            rc |= csv_out_field(out, v[k], k == 0);
        rc |= csv_out_end(out);
    }
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
        response_json(rs, json_pack("{s:s, s:s?, s:i, s:o, s:s?}", "release",
                                    release_id(rq->release), "version", q->version, "limit",
                                    (int)q->limit, "results", arr, "next", link.data));
    }
    if (link.data)
        response_link_next(rs, link.data);
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
    size_t n = 0, i = 0, first = 0, end = 0;
    if (q.version) {
        admin_table_range(t, q.version, &first, &end);
        i = admin_table_after(t, q.version, q.cur.tag ? q.cur.value : NULL);
    }
    bool more = false;
    for (; i < end; i++) {
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

/* ---- one unit ---- */

static json_t *link_json(const struct admin_link *l)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "code", l->unit->code, "version",
                     l->unit->version, "name", l->unit->name, "level", l->unit->level, "share",
                     l->share, "note", l->note);
}

static json_t *links_json(const struct admin_link *links, unsigned n)
{
    json_t *arr = json_array();
    for (unsigned i = 0; arr && i < n; i++)
        json_array_append_new(arr, link_json(&links[i]));
    return arr;
}

/* The units above u, from the province down. */
static json_t *ancestors_json(const struct admin_table *t, const struct admin_unit *u)
{
    json_t *arr = json_array();
    const struct admin_unit *a = u;
    /* Walk up: ward -> district -> province; the bound guards against a cycle. */
    for (int step = 0; arr && step < 8 && (a = admin_unit_parent(t, a)) != NULL; step++)
        json_array_insert_new(
            arr, 0,
            json_pack("{s:s, s:s, s:s}", "code", a->code, "name", a->name, "level", a->level));
    return arr;
}

/* What the same code meant in the versions before u's, latest first. */
static json_t *formerly_json(const struct admin_table *t, const struct admin_unit *u)
{
    json_t *arr = json_array();
    size_t len = strlen(u->code);
    for (size_t v = t->nversions; arr && v-- > 0;) {
        const struct admin_unit *o = admin_table_find(t, u->code, len, t->versions[v]);
        if (o == NULL || strcmp(o->version, u->version) >= 0)
            continue;
        json_t *j = unit_json(o);
        json_object_set_new(j, "successors", links_json(o->successors, o->nsuccessors));
        json_array_append_new(arr, j);
    }
    return arr;
}

/* The unit the path names: version= given, else the current one, else the latest. */
static const struct admin_unit *lookup(const struct http_request *rq, const char *version)
{
    const struct admin_table *t = release_admin(rq->release);
    const char *code = rq->capture[0];
    size_t n = rq->capture_len[0];
    if (params_find(&rq->params, "version"))
        return admin_table_find(t, code, n, version);
    const struct admin_unit *u = admin_table_find(t, code, n, NULL);
    return u ? u : admin_table_latest(t, code, n);
}

void api_admin_unit(const struct http_request *rq, struct http_response *rs)
{
    static const char *const allowed[] = {"version", NULL};
    struct http_problem pb;
    const char *version;
    if (params_validate(&rq->params, allowed, &pb) != 0 || version_param(rq, &version, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct admin_table *t = release_admin(rq->release);
    const struct admin_unit *u = lookup(rq, version);
    if (u == NULL) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, rq->capture[0], rq->capture_len[0], 40);
        response_error(rs, rq->instance, 404, "code",
                       "no administrative unit with code \"%s\"%s%s in release %s", quoted,
                       params_find(&rq->params, "version") ? " in version " : "",
                       params_find(&rq->params, "version") ? version : "", release_id(rq->release));
        return;
    }
    size_t children = 0, first, end;
    admin_table_range(t, u->version, &first, &end);
    for (size_t i = first; i < end; i++)
        children += t->units[i].parent_code && strcmp(t->units[i].parent_code, u->code) == 0;
    json_t *doc = unit_json(u);
    json_object_set_new(doc, "ancestors", ancestors_json(t, u));
    json_object_set_new(doc, "children_count", json_integer((json_int_t)children));
    json_object_set_new(doc, "successors", links_json(u->successors, u->nsuccessors));
    json_object_set_new(doc, "predecessors", links_json(u->predecessors, u->npredecessors));
    json_object_set_new(doc, "formerly", formerly_json(t, u));
    response_json(rs, doc);
}
