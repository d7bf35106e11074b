/*
 * router: maps a method and path to a handler through a static route table.
 * A route pattern is a path whose segments may be "{name}", matching one
 * non-empty segment that is then available as a capture.
 */
#ifndef BHXH_HTTP_ROUTER_H
#define BHXH_HTTP_ROUTER_H

#include "http/request.h"

typedef void (*route_handler)(const struct http_request *rq, struct http_response *rs);

struct route {
    const char *pattern;
    route_handler handler;
    const void *data; /* handed to the handler as rq->route_data */
};

/*
 * Finds the route for rq->path, fills the captures and calls its handler.
 * Answers 404 for an unknown path, 405 (with the Allow list in the detail)
 * for a method other than GET or HEAD. OPTIONS is handled by the server.
 */
void router_dispatch(struct http_request *rq, struct http_response *rs);

/* The pattern of route number i (as in http_request.route_index), or NULL past the end. */
const char *router_route_pattern(int i);

/* Whether a route matches path (used for OPTIONS and tests). */
const struct route *router_match(const char *path, struct http_request *rq);

#endif
