/*
 * GET /api: the API definition (api-spec/openapi.yaml, OpenAPI 3.1) as JSON,
 * the "service-desc" of the OGC landing page. The YAML is embedded in the
 * binary at build time (scripts/embed-c) and converted once, on first use;
 * a document that does not convert is a 500 naming the line.
 */
#include "api/api.h"

#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/yaml_json.h"
#include "http/response.h"

/* Generated from api-spec/openapi.yaml (see src/meson.build). */
extern const char api_openapi_yaml[];
extern const size_t api_openapi_yaml_len;

/* The converted document; written once under pthread_once, read-only afterwards. */
static struct {
    pthread_once_t once;
    char *json;
    size_t len;
    char etag_tag[32]; /* ":openapi-<8 hex of its SHA-256>", so the ETag follows the document */
    struct err error;
} doc = {.once = PTHREAD_ONCE_INIT};

static void convert(void)
{
    json_t *v = yaml_json_parse(api_openapi_yaml, api_openapi_yaml_len, &doc.error);
    doc.json = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(v);
    if (doc.json == NULL) {
        if (v != NULL)
            err_set(&doc.error, "out of memory");
        return;
    }
    doc.len = strlen(doc.json);
    struct sha256_ctx sha;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&sha);
    sha256_update(&sha, doc.len, (const uint8_t *)doc.json);
    sha256_digest(&sha, sizeof digest, digest);
    snprintf(doc.etag_tag, sizeof doc.etag_tag, ":openapi-%02x%02x%02x%02x", digest[0], digest[1],
             digest[2], digest[3]);
}

void api_openapi(const struct http_request *rq, struct http_response *rs)
{
    static const char *const no_params[] = {NULL};
    struct http_problem pb;
    if (params_validate(&rq->params, no_params, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    pthread_once(&doc.once, convert);
    if (doc.json == NULL) {
        response_error(rs, rq->instance, 500, NULL, "the API definition does not convert: %s",
                       doc.error.msg);
        return;
    }
    struct buf b = {0};
    buf_append(&b, doc.json, doc.len);
    response_buf(rs, "application/json", &b);
    buf_free(&b);
    rs->etag_variant = doc.etag_tag;
}
