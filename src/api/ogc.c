/*
 * OGC API - Features, Part 1: Core (with the GeoJSON class): the landing
 * page GET /, GET /conformance, GET /collections and GET /collections/{id}.
 * The items are in api/ogc_items.c. The three collections are the place
 * kinds; their spatial extent is computed from the release. Links are
 * absolute when the request has a usable Host header (QGIS and GDAL follow
 * them as given).
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/ogc.h"
#include "http/response.h"
#include "store/release.h"

#define CRS84 "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

static const struct ogc_collection collections[] = {
    {"offices", PLACE_OFFICE, "BHXH offices (cơ quan BHXH)",
     "Vietnam Social Security offices: provincial offices and the district offices under them."},
    {"agents", PLACE_AGENT, "Collection agents (đại lý thu BHXH, BHYT)",
     "Places that collect voluntary social insurance and household health insurance "
     "contributions."},
    {"facilities", PLACE_FACILITY, "Health insurance facilities (cơ sở KCB BHYT)",
     "Hospitals, clinics and commune health stations contracted for health insurance."},
};

static const char *const no_params[] = {NULL};

const struct ogc_collection *ogc_collection_of(const struct http_request *rq,
                                               struct http_response *rs, size_t i)
{
    for (size_t c = 0; c < sizeof collections / sizeof *collections; c++)
        if (strlen(collections[c].id) == rq->capture_len[i] &&
            memcmp(collections[c].id, rq->capture[i], rq->capture_len[i]) == 0)
            return &collections[c];
    char quoted[4 * 40 + 4];
    problem_quote(quoted, rq->capture[i], rq->capture_len[i], 40);
    response_error(rs, rq->instance, 404, "collectionId",
                   "no collection \"%s\"; the collections are offices, agents and facilities",
                   quoted);
    return NULL;
}

void ogc_base(const struct http_request *rq, char out[OGC_BASE_MAX])
{
    static const char host_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789.-:[]";
    const char *h = rq->host;
    size_t n = h ? strlen(h) : 0;
    bool https = rq->forwarded_proto && strcasecmp(rq->forwarded_proto, "https") == 0;
    if (n == 0 || n > 255 || strspn(h, host_chars) != n)
        out[0] = '\0';
    else
        snprintf(out, OGC_BASE_MAX, "%s://%s", https ? "https" : "http", h);
}

json_t *ogc_link(const char *base, const char *path, const char *rel, const char *type,
                 const char *title)
{
    char href[OGC_BASE_MAX + 600];
    snprintf(href, sizeof href, "%s%s", base, path);
    json_t *l = json_pack("{s:s, s:s, s:s}", "href", href, "rel", rel, "type", type);
    if (l && title)
        json_object_set_new(l, "title", json_string(title));
    return l;
}

/* Checks that the request has no query parameters; answers 400 otherwise. */
static bool no_query(const struct http_request *rq, struct http_response *rs)
{
    struct http_problem pb;
    if (params_validate(&rq->params, no_params, &pb) == 0)
        return true;
    response_problem(rs, &pb, rq->instance);
    return false;
}

void api_ogc_landing(const struct http_request *rq, struct http_response *rs)
{
    if (!no_query(rq, rs))
        return;
    char base[OGC_BASE_MAX], desc[256];
    ogc_base(rq, base);
    snprintf(desc, sizeof desc,
             "BHXH offices, collection agents and BHYT facilities of Viet Nam (release %s) as "
             "OGC API - Features, and the service's own API under /v1.",
             release_id(rq->release));
    json_t *links = json_pack(
        "[o*, o*, o*, o*, o*]", ogc_link(base, "/", "self", "application/json", "This document"),
        ogc_link(base, "/api", "service-desc", "application/json",
                 "The API definition (OpenAPI 3.1, as JSON)"),
        ogc_link(base, "/conformance", "conformance", "application/json",
                 "The conformance classes implemented"),
        ogc_link(base, "/collections", "data", "application/json", "The feature collections"),
        ogc_link(base, "/v1/datasets", "related", "application/json",
                 "Bulk downloads of the release (CSV, GeoJSON, SQLite) with licences and "
                 "checksums"));
    response_json(rs, json_pack("{s:s, s:s, s:s, s:o*}", "title", "bhxh-geo", "description", desc,
                                "release", release_id(rq->release), "links", links));
}

void api_ogc_conformance(const struct http_request *rq, struct http_response *rs)
{
    if (!no_query(rq, rs))
        return;
    response_json(rs, json_pack("{s:[s, s]}", "conformsTo",
                                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"));
}

/* The extent of one kind: bbox of its places and, when rows carry `updated`, their dates. */
static json_t *extent_json(struct release *r, enum place_kind kind)
{
    double b[4] = {180, 90, -180, -90};
    const char *first = NULL, *last = NULL;
    size_t n = release_place_count(r), found = 0;
    for (uint32_t id = 0; id < n; id++) {
        const struct place *p = release_place(r, id);
        if (p->kind != kind)
            continue;
        found++;
        b[0] = p->lon < b[0] ? p->lon : b[0], b[1] = p->lat < b[1] ? p->lat : b[1];
        b[2] = p->lon > b[2] ? p->lon : b[2], b[3] = p->lat > b[3] ? p->lat : b[3];
        if (p->attrs->updated && (first == NULL || strcmp(p->attrs->updated, first) < 0))
            first = p->attrs->updated;
        if (p->attrs->updated && (last == NULL || strcmp(p->attrs->updated, last) > 0))
            last = p->attrs->updated;
    }
    if (found == 0)
        return json_object();
    json_t *e = json_pack("{s:{s:[[f, f, f, f]], s:s}}", "spatial", "bbox", b[0], b[1], b[2], b[3],
                          "crs", CRS84);
    if (e && first) {
        char from[32], to[32];
        snprintf(from, sizeof from, "%.10sT00:00:00Z", first);
        snprintf(to, sizeof to, "%.10sT23:59:59Z", last);
        json_object_set_new(e, "temporal",
                            json_pack("{s:[[s, s]], s:s}", "interval", from, to, "trs",
                                      "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"));
    }
    return e;
}

static json_t *collection_json(const struct http_request *rq, const struct ogc_collection *c,
                               const char *base)
{
    char self[64], items[80], csv[80], geojson[80];
    snprintf(self, sizeof self, "/collections/%s", c->id);
    snprintf(items, sizeof items, "/collections/%s/items", c->id);
    snprintf(csv, sizeof csv, "/v1/datasets/%s.csv", c->id);
    snprintf(geojson, sizeof geojson, "/v1/datasets/%s.geojson", c->id);
    json_t *links = json_pack(
        "[o*, o*, o*, o*]", ogc_link(base, self, "self", "application/json", "This collection"),
        ogc_link(base, items, "items", "application/geo+json", "The features, in pages"),
        ogc_link(base, geojson, "enclosure", "application/geo+json", "All features in one file"),
        ogc_link(base, csv, "enclosure", "text/csv", "All features as CSV"));
    return json_pack("{s:s, s:s, s:s, s:s, s:o*, s:[s], s:o*}", "id", c->id, "title", c->title,
                     "description", c->description, "itemType", "feature", "extent",
                     extent_json(rq->release, c->kind), "crs", CRS84, "links", links);
}

void api_ogc_collections(const struct http_request *rq, struct http_response *rs)
{
    if (!no_query(rq, rs))
        return;
    char base[OGC_BASE_MAX];
    ogc_base(rq, base);
    json_t *list = json_array();
    for (size_t i = 0; list && i < sizeof collections / sizeof *collections; i++)
        json_array_append_new(list, collection_json(rq, &collections[i], base));
    response_json(
        rs, json_pack("{s:[o*], s:o*}", "links",
                      ogc_link(base, "/collections", "self", "application/json", "This document"),
                      "collections", list));
}

void api_ogc_collection(const struct http_request *rq, struct http_response *rs)
{
    if (!no_query(rq, rs))
        return;
    const struct ogc_collection *c = ogc_collection_of(rq, rs, 0);
    if (c == NULL)
        return;
    char base[OGC_BASE_MAX];
    ogc_base(rq, base);
    response_json(rs, collection_json(rq, c, base));
}
