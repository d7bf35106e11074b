/* GET /healthz: liveness plus the release being served, for load balancers and operators. */
#include "api/api.h"

#include "http/response.h"
#include "store/release.h"

void api_health(const struct http_request *rq, struct http_response *rs)
{
    static const char *const allowed[] = {NULL};
    struct http_problem pb;
    if (params_validate(&rq->params, allowed, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    response_json(rs, json_pack("{s:s, s:s, s:s, s:I}", "status", "ok", "release",
                                release_id(rq->release), "built_at", release_built_at(rq->release),
                                "places", (json_int_t)release_place_count(rq->release)));
    /* A probe must see the live state, never a cached one. */
    rs->cache_control = "no-store";
}
