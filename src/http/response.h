/*
 * response: filling a struct http_response from JSON or from a problem.
 * The body is malloc'd and owned by the response (the server hands it to the
 * HTTP library, which frees it).
 */
#ifndef BHXH_HTTP_RESPONSE_H
#define BHXH_HTTP_RESPONSE_H

#include <jansson.h>

#include "format/place_list.h"
#include "http/request.h"
#include "util/buf.h"

/* 200 application/json with the release ETag; steals the reference to doc. */
void response_json(struct http_response *rs, json_t *doc);

/*
 * The output format a list request asks for: the "f" parameter (json,
 * geojson, csv) when given, else the Accept header (application/geo+json,
 * text/csv), else JSON. Returns 0, or -1 with a 400 problem for a bad "f".
 */
int response_format(const struct http_request *rq, enum out_format *f, struct http_problem *pb);

/* 200 with the release ETag and body taken from b (which is left empty). */
void response_buf(struct http_response *rs, const char *content_type, struct buf *b);

/* Adds `Link: <url>; rel="next"` to a 200 answer (no-op otherwise). */
void response_link_next(struct http_response *rs, const char *url);

/* An RFC 9457 problem from pb; instance is the request path. */
void response_problem(struct http_response *rs, const struct http_problem *pb,
                      const char *instance);

/* Shortcut: set a problem and render it. */
void response_error(struct http_response *rs, const char *instance, unsigned status,
                    const char *param, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Reason phrase for a status code ("Not Found"). */
const char *response_reason(unsigned status);

/*
 * A download: status (200 or 206) whose body is bytes [offset, offset + len)
 * of the open file fd. The response takes fd over: the server closes it
 * whatever the answer becomes (a 304, or a problem set afterwards).
 */
void response_file(struct http_response *rs, unsigned status, const char *content_type, int fd,
                   uint64_t offset, uint64_t len);

/* Adds a header (name static; value formatted and copied). Returns 0, or -1 when full. */
int response_header(struct http_response *rs, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
