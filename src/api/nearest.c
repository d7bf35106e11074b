/*
 * GET /v1/nearest: the places nearest to a point, by exact WGS 84 distance.
 * The spatial indexes of the release do the search (no SQL per request).
 */
#include "api/api.h"

#include <math.h>
#include <string.h>

#include "format/place_json.h"
#include "geo/kdtree.h"
#include "http/response.h"
#include "store/release.h"

#define NEAREST_LIMIT_MAX 100
#define NEAREST_LIMIT_DEFAULT 10
#define NEAREST_RADIUS_MAX_M 1000000.0

struct nearest_query {
    double lat, lon, radius_m; /* radius_m 0 = unbounded */
    long limit;
    bool kinds[PLACE_KIND_COUNT];
};

/* Parses "office,facility" into q->kinds; all kinds when absent. */
static int parse_kinds(const struct http_params *p, struct nearest_query *q,
                       struct http_problem *pb)
{
    const struct http_param *k = params_find(p, "kind");
    if (k == NULL) {
        for (int i = 0; i < PLACE_KIND_COUNT; i++)
            q->kinds[i] = true;
        return 0;
    }
    const char *s = k->val, *end = k->val + k->vlen;
    for (;;) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *e = comma ? comma : end;
        enum place_kind kind;
        if (place_kind_parse(s, (size_t)(e - s), &kind) != 0) {
            char quoted[4 * 40 + 4];
            problem_quote(quoted, s, (size_t)(e - s), 40);
            problem_set(
                pb, 400, "kind",
                "kind must be a comma-separated list of office, agent, facility; got \"%s\"",
                quoted);
            return -1;
        }
        q->kinds[kind] = true;
        if (comma == NULL)
            return 0;
        s = comma + 1;
    }
}

static int parse_query(const struct http_params *p, struct nearest_query *q,
                       struct http_problem *pb)
{
    static const char *const allowed[] = {"lat", "lon", "kind", "limit", "radius_m", NULL};
    memset(q, 0, sizeof *q);
    q->limit = NEAREST_LIMIT_DEFAULT;
    if (params_validate(p, allowed, pb) != 0 ||
        params_double(p, "lat", -90, 90, true, &q->lat, pb) < 0 ||
        params_double(p, "lon", -180, 180, true, &q->lon, pb) < 0 ||
        params_long(p, "limit", 1, NEAREST_LIMIT_MAX, false, &q->limit, pb) < 0 ||
        params_double(p, "radius_m", 1, NEAREST_RADIUS_MAX_M, false, &q->radius_m, pb) < 0)
        return -1;
    return parse_kinds(p, q, pb);
}

static json_t *query_json(const struct nearest_query *q)
{
    json_t *kinds = json_array();
    for (int i = 0; i < PLACE_KIND_COUNT; i++)
        if (q->kinds[i])
            json_array_append_new(kinds, json_string(place_kind_name((enum place_kind)i)));
    return json_pack("{s:f, s:f, s:o, s:I, s:o}", "lat", q->lat, "lon", q->lon, "kind", kinds,
                     "limit", (json_int_t)q->limit, "radius_m",
                     q->radius_m > 0 ? json_real(q->radius_m) : json_null());
}

static json_t *results_json(const struct release *r, const struct geo_hit *hits, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *o = place_json(release_place(r, hits[i].id));
        /* Decimetres are as exact as the positions themselves. */
        if (o == NULL ||
            json_object_set_new(o, "distance_m", json_real(round(hits[i].distance_m * 10) / 10)) ||
            json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

void api_nearest(const struct http_request *rq, struct http_response *rs)
{
    struct nearest_query q;
    struct http_problem pb;
    if (parse_query(&rq->params, &q, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    struct geo_hit hits[NEAREST_LIMIT_MAX];
    struct geo_knn knn;
    geo_knn_begin(&knn, q.lat, q.lon, (size_t)q.limit, q.radius_m, hits);
    for (int k = 0; k < PLACE_KIND_COUNT; k++)
        if (q.kinds[k])
            geo_knn_search(&knn, release_index(rq->release, (enum place_kind)k));
    size_t n = geo_knn_finish(&knn);
    json_t *results = results_json(rq->release, hits, n);
    response_json(rs, results ? json_pack("{s:s, s:o, s:o}", "release", release_id(rq->release),
                                          "query", query_json(&q), "results", results)
                              : NULL);
}
