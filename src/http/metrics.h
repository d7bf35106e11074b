/*
 * metrics: process-wide counters for GET /metrics in the Prometheus text
 * format (version 0.0.4). Updated with relaxed atomics from any request
 * thread; nothing here allocates on the request path.
 */
#ifndef BHXH_HTTP_METRICS_H
#define BHXH_HTTP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

/* Route slots: one per route of the router, plus one for requests no route matched. */
#define METRICS_MAX_ROUTES 48

/* Records one finished request: route index (or -1), status, seconds taken, bytes sent. */
void metrics_request(int route, unsigned status, double seconds, size_t bytes);

/* Connection events. */
void metrics_connection_rejected(void); /* refused at accept: over a connection limit */
void metrics_connection_timed_out(void); /* dropped: no complete request in time */
void metrics_connection_open(int delta); /* +1 accepted, -1 closed */

/* Release lifecycle: ok is whether the reload was accepted. */
void metrics_reload(bool ok);

/* GET /metrics: renders every metric (text/plain; version=0.0.4). */
void metrics_handler(const struct http_request *rq, struct http_response *rs);

#endif
