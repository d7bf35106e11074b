/*
 * GET /healthz: liveness plus the release being served, for load balancers
 * and operators. 503 with status "fail" once the release served has failed
 * its integrity check (a server started on a damaged file keeps answering
 * from what it could read, but a balancer should take it out).
 */
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
    const char *why;
    enum release_integrity integrity = release_integrity(rq->release, &why);
    bool failed = integrity == RELEASE_INTEGRITY_FAILED;
    json_t *body = json_pack("{s:s, s:s, s:s, s:I, s:s}", "status", failed ? "fail" : "ok",
                             "release", release_id(rq->release), "built_at",
                             release_built_at(rq->release), "places",
                             (json_int_t)release_place_count(rq->release), "integrity",
                             release_integrity_name(integrity));
    if (failed && body)
        json_object_set_new(body, "integrity_detail", json_string(why));
    response_json(rs, body);
    if (failed)
        rs->status = 503;
    /* A probe must see the live state, never a cached one. */
    rs->cache_control = "no-store";
}
