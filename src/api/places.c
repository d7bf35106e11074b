/* GET /v1/{offices,agents,facilities}/{code}: one place by its code. */
#include "api/api.h"

#include "format/place_json.h"
#include "http/response.h"
#include "store/release.h"

const enum place_kind api_kind_office = PLACE_OFFICE;
const enum place_kind api_kind_agent = PLACE_AGENT;
const enum place_kind api_kind_facility = PLACE_FACILITY;

void api_place_by_code(const struct http_request *rq, struct http_response *rs)
{
    static const char *const allowed[] = {NULL};
    struct http_problem pb;
    if (params_validate(&rq->params, allowed, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    enum place_kind kind = *(const enum place_kind *)rq->route_data;
    const struct place *p = release_find(rq->release, kind, rq->capture[0], rq->capture_len[0]);
    if (p == NULL) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, rq->capture[0], rq->capture_len[0], 40);
        response_error(rs, rq->instance, 404, "code", "no %s with code \"%s\" in release %s",
                       place_kind_name(kind), quoted, release_id(rq->release));
        return;
    }
    struct buf b = {0};
    if (place_json_write(&b, p) != 0)
        buf_free(&b);
    response_buf(rs, "application/json", &b);
    buf_free(&b);
}
