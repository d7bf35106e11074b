/*
 * request: what a handler sees of an HTTP request and what it fills in for
 * the answer. The server owns both for the duration of one request.
 */
#ifndef BHXH_HTTP_REQUEST_H
#define BHXH_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "http/params.h"
#include "http/problem.h"

struct release;

#define REQUEST_CAPTURES 2

struct http_request {
    const char *method;
    const char *path;                      /* decoded path, no query string */
    const char *instance;                  /* path percent-encoded, for problem "instance" */
    struct http_params params;             /* query parameters, in order */
    const char *capture[REQUEST_CAPTURES]; /* {name} segments of the matched route */
    size_t capture_len[REQUEST_CAPTURES];
    const void *route_data;  /* the matched route's data pointer */
    struct release *release; /* the release this request reads; never NULL */
    const char *accept;      /* Accept header, or NULL */
};

struct http_response {
    unsigned status;
    const char *content_type; /* static string */
    char *body;               /* malloc'd, owned by the response */
    size_t len;
    const char *cache_control; /* static string; NULL for the default */
    bool etag;                 /* carries the release ETag (and may become a 304) */
    char *link;                /* malloc'd Link header value (rel="next"), or NULL */
    bool is_problem;
    struct http_problem problem;
};

#endif
