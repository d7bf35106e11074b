/*
 * GET /v1/nearest: the places nearest to a point, by exact WGS 84 distance.
 * The spatial indexes of the release do the search (no SQL per request).
 */
#include "api/api.h"

#include <math.h>
#include <string.h>

#include "api/common.h"
#include "format/place_list.h"
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

static int parse_query(const struct http_params *p, struct nearest_query *q,
                       struct http_problem *pb)
{
    static const char *const allowed[] = {"lat", "lon", "kind", "limit", "radius_m", "f", NULL};
    memset(q, 0, sizeof *q);
    q->limit = NEAREST_LIMIT_DEFAULT;
    if (params_validate(p, allowed, pb) != 0 ||
        params_double(p, "lat", -90, 90, true, &q->lat, pb) < 0 ||
        params_double(p, "lon", -180, 180, true, &q->lon, pb) < 0 ||
        params_long(p, "limit", 1, NEAREST_LIMIT_MAX, false, &q->limit, pb) < 0 ||
        params_double(p, "radius_m", 1, NEAREST_RADIUS_MAX_M, false, &q->radius_m, pb) < 0)
        return -1;
    return api_parse_kinds(p, q->kinds, pb);
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

void api_nearest(const struct http_request *rq, struct http_response *rs)
{
    struct nearest_query q;
    struct http_problem pb;
    enum out_format f;
    if (parse_query(&rq->params, &q, &pb) != 0 || response_format(rq, &f, &pb) != 0) {
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
    struct place_item items[NEAREST_LIMIT_MAX];
    for (size_t i = 0; i < n; i++)
        items[i] = (struct place_item){release_place(rq->release, hits[i].id), hits[i].distance_m, 0};
    json_t *envelope = json_pack("{s:s, s:o}", "release", release_id(rq->release), "query",
                                 query_json(&q));
    struct buf body = {0};
    if (place_list_render(f, envelope, items, n, EXTRA_DISTANCE, &body) != 0)
        buf_free(&body);
    response_buf(rs, out_format_content_type(f), &body);
}
