#include "http/router.h"

#include <string.h>

#include "api/api.h"
#include "http/metrics.h"
#include "http/response.h"
#include "http/static.h"

static const struct route routes[] = {
    {"/healthz", api_health, NULL},
    {"/metrics", metrics_handler, NULL},
    {"/v1/nearest", api_nearest, NULL},
    {"/v1/offices", api_list_places, &api_kind_office},
    {"/v1/agents", api_list_places, &api_kind_agent},
    {"/v1/facilities", api_list_places, &api_kind_facility},
    {"/v1/offices/{code}/children", api_office_children, NULL},
    {"/v1/admin-units", api_admin_units, NULL},
    {"/v1/admin-units/{code}", api_admin_unit, NULL},
    {"/v1/search", api_search, NULL},
    {"/v1/map", api_map, NULL},
    {"/v1/offices/{code}", api_place_by_code, &api_kind_office},
    {"/v1/agents/{code}", api_place_by_code, &api_kind_agent},
    {"/v1/facilities/{code}", api_place_by_code, &api_kind_facility},
    /* Open data: release downloads, and OGC API - Features (api/datasets.c, api/ogc*.c). */
    {"/v1/datasets", api_datasets, NULL},
    {"/v1/datasets/{file}", api_dataset_file, NULL},
    {"/", api_ogc_landing, NULL},
    {"/conformance", api_ogc_conformance, NULL},
    {"/api", api_openapi, NULL},
    {"/collections", api_ogc_collections, NULL},
    {"/collections/{collectionId}", api_ogc_collection, NULL},
    {"/collections/{collectionId}/items", api_ogc_items, NULL},
    {"/collections/{collectionId}/items/{featureId}", api_ogc_item, NULL},
    /* The web widget's allow-listed files (http/static.h). */
    {"/widget.js", static_serve, NULL},
    {"/widget.css", static_serve, NULL},
    {"/demo", static_serve, NULL},
    {"/leaflet/leaflet.js", static_serve, NULL},
    {"/leaflet/leaflet.css", static_serve, NULL},
};

/* Matches one pattern; fills captures into rq when rq is not NULL. */
static bool match(const char *pattern, const char *path, struct http_request *rq)
{
    size_t ncap = 0;
    while (*pattern && *path) {
        if (pattern[0] == '{') {
            const char *close = strchr(pattern, '}');
            size_t seg = strcspn(path, "/");
            if (close == NULL || seg == 0 || ncap == REQUEST_CAPTURES)
                return false;
            if (rq) {
                rq->capture[ncap] = path;
                rq->capture_len[ncap] = seg;
            }
            ncap++;
            pattern = close + 1;
            path += seg;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

const char *router_route_pattern(int i)
{
    return i >= 0 && (size_t)i < sizeof routes / sizeof *routes ? routes[i].pattern : NULL;
}

const struct route *router_match(const char *path, struct http_request *rq)
{
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        if (match(routes[i].pattern, path, rq))
            return &routes[i];
    return NULL;
}

void router_dispatch(struct http_request *rq, struct http_response *rs)
{
    const struct route *r = router_match(rq->path, rq);
    if (r == NULL) {
        response_error(rs, rq->instance, 404, NULL,
                       "no resource at this path; see /v1/ in the API description");
        return;
    }
    rq->route_index = (int)(r - routes);
    if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
        response_error(rs, rq->instance, 405, NULL,
                       "method %.16s is not allowed here; use GET or HEAD", rq->method);
        return;
    }
    rq->route_data = r->data;
    r->handler(rq, rs);
}
