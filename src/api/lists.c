/*
 * GET /v1/offices, /v1/agents, /v1/facilities and /v1/offices/{code}/children:
 * filtered lists in code order with keyset paging (the cursor holds the last
 * code served, so pages never overlap or skip even across releases).
 */
#include "api/api.h"

#include <string.h>

#include "api/admin_filter.h"
#include "api/common.h"
#include "http/paging.h"
#include "http/response.h"
#include "store/query.h"
#include "store/release.h"
#include "text/fold.h"

#define CODE_PARAM_MAX 40

static const char *const office_params[] = {"province", "district", "ward", "parent", "level",
                                            "q", "limit", "cursor", "f", NULL};
static const char *const agent_params[] = {"province", "district", "ward", "parent",
                                           "q", "limit", "cursor", "f", NULL};
static const char *const facility_params[] = {"province", "district", "ward", "parent", "level",
                                              "ownership", "accepts_initial_registration",
                                              "q", "limit", "cursor", "f", NULL};
static const char *const children_params[] = {"limit", "cursor", "f", NULL};

static const char *const office_levels[] = {"province", "district", NULL};
static const char *const facility_levels[] = {"central", "province", "district", "commune", NULL};
static const char *const ownerships[] = {"public", "private", NULL};

/* Strings the filter points into; they live as long as the request. */
struct filter_storage {
    struct admin_filter admin[3]; /* province, district, ward */
    char parent[CODE_PARAM_MAX + 1];
    struct buf match;
};

static int enum_param(const struct http_params *p, const char *name, const char *const *values,
                      const char **out, struct http_problem *pb)
{
    const struct http_param *q = params_find(p, name);
    if (q == NULL)
        return 0;
    for (const char *const *v = values; *v; v++)
        if (strlen(*v) == q->vlen && memcmp(*v, q->val, q->vlen) == 0) {
            *out = *v;
            return 0;
        }
    char quoted[4 * 40 + 4], list[128] = "";
    problem_quote(quoted, q->val, q->vlen, 40);
    for (const char *const *v = values; *v; v++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", v == values ? "" : ", ", *v);
    problem_set(pb, 400, name, "%s must be one of %s; got \"%s\"", name, list, quoted);
    return -1;
}

/*
 * province, district and ward: codes of any version, resolved to current
 * units (api/admin_filter.h). An old district matches its legacy
 * district_code or the communes that took it over.
 */
static int admin_params(const struct http_request *rq, struct place_filter *f,
                        struct filter_storage *st, struct http_problem *pb)
{
    if (api_admin_filter(rq, "province", "province", &st->admin[0], pb) != 0 ||
        api_admin_filter(rq, "district", "district", &st->admin[1], pb) != 0 ||
        api_admin_filter(rq, "ward", "ward", &st->admin[2], pb) != 0)
        return -1;
    f->provinces = st->admin[0].codes;
    f->district = st->admin[1].code;
    f->district_wards = st->admin[1].resolved ? st->admin[1].codes : NULL;
    f->wards = st->admin[2].codes;
    return 0;
}

/* parent= must name an office of the release (the parent or managing office). */
static int parent_param(const struct http_request *rq, struct filter_storage *st,
                        const char **out, struct http_problem *pb)
{
    if (api_code_param(&rq->params, "parent", CODE_PARAM_MAX, st->parent, out, pb) != 0)
        return -1;
    if (*out && release_find(rq->release, PLACE_OFFICE, *out, strlen(*out)) == NULL) {
        problem_set(pb, 400, "parent", "parent \"%s\" is not an office code of this release",
                    *out);
        return -1;
    }
    return 0;
}

/* The text query as an FTS5 expression in st->match. */
static int text_param(const struct http_params *p, struct filter_storage *st, const char **out,
                      struct http_problem *pb)
{
    const struct http_param *q = params_find(p, "q");
    if (q == NULL)
        return 0;
    int rc = q->vlen <= 200 ? fold_fts_query(q->val, q->vlen, &st->match) : -1;
    if (rc != 0) {
        problem_set(pb, 400, "q", "q must hold at least one letter or digit and at most 200 bytes");
        return -1;
    }
    *out = st->match.data;
    return 0;
}

static int parse_filter(const struct http_request *rq, enum place_kind kind,
                        struct place_filter *f, struct filter_storage *st, struct http_problem *pb)
{
    const struct http_params *p = &rq->params;
    const char *const *allowed = kind == PLACE_OFFICE  ? office_params
                                 : kind == PLACE_AGENT ? agent_params
                                                       : facility_params;
    f->kind = kind;
    f->accepts = -1;
    if (params_validate(p, allowed, pb) != 0 ||
        admin_params(rq, f, st, pb) != 0 ||
        parent_param(rq, st, &f->parent, pb) != 0 ||
        text_param(p, st, &f->match, pb) != 0)
        return -1;
    if (kind == PLACE_OFFICE)
        return enum_param(p, "level", office_levels, &f->level, pb);
    if (kind == PLACE_FACILITY)
        return enum_param(p, "level", facility_levels, &f->level, pb) ||
                       enum_param(p, "ownership", ownerships, &f->ownership, pb) ||
                       api_parse_bool(p, "accepts_initial_registration", &f->accepts, pb)
                   ? -1
                   : 0;
    return 0;
}

static const char *const ADMIN_NAMES[] = {"province", "district", "ward"};

/* Runs the filter for one page and answers it; admin (NULL or 3 filters) may add "resolved". */
static void answer_page(const struct http_request *rq, struct http_response *rs,
                        struct place_filter *f, const struct admin_filter *admin,
                        enum out_format fmt)
{
    struct http_problem pb;
    long limit = LIST_LIMIT_DEFAULT;
    struct cursor cur;
    if (params_long(&rq->params, "limit", 1, LIST_LIMIT_MAX, false, &limit, &pb) < 0 ||
        paging_cursor(&rq->params, 'k', &cur, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct place *found[LIST_LIMIT_MAX + 1];
    struct err e = {{0}};
    f->after = cur.tag ? cur.value : NULL;
    f->limit = (size_t)limit + 1;
    long n = store_list_places(rq->release, f, found, &e);
    if (n < 0) {
        response_error(rs, rq->instance, 500, NULL, "%s", e.msg);
        return;
    }
    struct place_item items[LIST_LIMIT_MAX + 1];
    size_t shown = (size_t)n > (size_t)limit ? (size_t)limit : (size_t)n;
    for (size_t i = 0; i < shown; i++)
        items[i] = (struct place_item){found[i], 0, 0};
    struct buf next = {0};
    if ((size_t)n > shown)
        paging_encode(&next, 'k', found[shown - 1]->code, 0);
    json_t *envelope = json_pack("{s:i}", "limit", (int)limit);
    if (admin)
        api_admin_filter_report(envelope, ADMIN_NAMES, admin, 3);
    api_render_page(rq, rs, fmt, envelope, items, shown, EXTRA_NONE,
                    (size_t)n > shown ? next.data : NULL);
    buf_free(&next);
}

void api_list_places(const struct http_request *rq, struct http_response *rs)
{
    enum place_kind kind = *(const enum place_kind *)rq->route_data;
    struct place_filter f = {0};
    struct filter_storage st = {.match = {0}};
    struct http_problem pb;
    enum out_format fmt;
    if (parse_filter(rq, kind, &f, &st, &pb) != 0 || response_format(rq, &fmt, &pb) != 0)
        response_problem(rs, &pb, rq->instance);
    else
        answer_page(rq, rs, &f, st.admin, fmt);
    buf_free(&st.match);
    for (int i = 0; i < 3; i++)
        api_admin_filter_free(&st.admin[i]);
}

void api_office_children(const struct http_request *rq, struct http_response *rs)
{
    struct http_problem pb;
    enum out_format fmt;
    if (params_validate(&rq->params, children_params, &pb) != 0 ||
        response_format(rq, &fmt, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct place *office =
        release_find(rq->release, PLACE_OFFICE, rq->capture[0], rq->capture_len[0]);
    if (office == NULL) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, rq->capture[0], rq->capture_len[0], 40);
        response_error(rs, rq->instance, 404, "code", "no office with code \"%s\" in release %s",
                       quoted, release_id(rq->release));
        return;
    }
    struct place_filter f = {.kind = PLACE_OFFICE, .parent = office->code, .accepts = -1};
    answer_page(rq, rs, &f, NULL, fmt);
}
