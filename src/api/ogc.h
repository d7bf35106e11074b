/*
 * ogc: pieces shared by the OGC API - Features handlers (api/ogc.c for the
 * landing page, conformance and collections; api/ogc_items.c for items).
 * Internal to src/api.
 */
#ifndef BHXH_API_OGC_H
#define BHXH_API_OGC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"
#include "store/place.h"

#define OGC_BASE_MAX 300

/* The three feature collections: offices, agents, facilities. */
struct ogc_collection {
    const char *id; /* "offices": also the /v1 path segment */
    enum place_kind kind;
    const char *title;
    const char *description;
};

/* The collection named by capture i, or NULL after answering 404. */
const struct ogc_collection *ogc_collection_of(const struct http_request *rq,
                                               struct http_response *rs, size_t i);

/*
 * The absolute base of links, "http://HOST" from the Host header ("https"
 * when X-Forwarded-Proto says so), or "" (links are then relative) when the
 * header is missing or not a plain host[:port].
 */
void ogc_base(const struct http_request *rq, char out[OGC_BASE_MAX]);

/* {"href": base + path, "rel", "type", "title"?} (title may be NULL). New reference or NULL. */
json_t *ogc_link(const char *base, const char *path, const char *rel, const char *type,
                 const char *title);

#endif
