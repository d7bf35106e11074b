/*
 * request: what a handler sees of an HTTP request and what it fills in for
 * the answer. The server owns both for the duration of one request.
 */
#ifndef BHXH_HTTP_REQUEST_H
#define BHXH_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "http/params.h"
#include "http/problem.h"

struct release;
struct static_site;

#define REQUEST_CAPTURES 2

struct http_request {
    const char *method;
    const char *path;                      /* decoded path, no query string */
    const char *instance;                  /* path percent-encoded, for problem "instance" */
    struct http_params params;             /* query parameters, in order */
    const char *capture[REQUEST_CAPTURES]; /* {name} segments of the matched route */
    size_t capture_len[REQUEST_CAPTURES];
    const void *route_data;  /* the matched route's data pointer */
    int route_index;         /* the matched route's number, -1 when none matched */
    struct release *release; /* the release this request reads; never NULL */
    const char *accept;      /* Accept header, or NULL */
    /* The web widget's files (http/static.h), or NULL. */
    const struct static_site *web;
    /* Headers a few handlers read (downloads, absolute links); NULL when absent. */
    const char *accept_encoding;
    const char *range;
    const char *if_range;
    const char *host;            /* Host */
    const char *forwarded_proto; /* X-Forwarded-Proto, set by a TLS-terminating proxy */
};

#define RESPONSE_HEADERS_MAX 4

/* A further response header: a static name and a copied value. */
struct http_header {
    const char *name;
    char value[200];
};

struct http_response {
    unsigned status;
    const char *content_type; /* static string */
    char *body;               /* malloc'd, owned by the response */
    size_t len;
    const char *cache_control; /* static string; NULL for the default */
    bool etag;                 /* carries the release ETag (and may become a 304) */
    const char *etag_value;    /* with etag: sent instead of the release ETag; outlives rs */
    char *link;                /* malloc'd Link header value (rel="next"), or NULL */
    const char *release_id;    /* the release that answered (X-Release header), or NULL */
    const char *etag_variant;  /* appended to the release id in the ETag ("", ".csv") */
    bool is_problem;
    struct http_problem problem;
    /*
     * A download answers from an open file instead of body: bytes
     * [file_offset, file_offset + len) of file_fd, which the response owns
     * (the server closes it, whatever the answer). Set by response_file().
     */
    bool has_file;
    int file_fd;
    uint64_t file_offset;
    time_t last_modified; /* sent as Last-Modified, checked against If-Modified-Since; 0: none */
    const char *vary;     /* static Vary value; NULL means "Accept" */
    struct http_header headers[RESPONSE_HEADERS_MAX]; /* sent with 2xx and 4xx, not with 304 */
    size_t nheaders;
};

#endif
