/*
 * OGC API - Features items: GET /collections/{collectionId}/items with
 * limit, offset, bbox and datetime, and GET /collections/{collectionId}/
 * items/{featureId} (the feature id is the place's code). Features are the
 * places as in the API's GeoJSON, in code order; numberMatched counts every
 * match, and next/prev links page by offset.
 *
 * datetime filters on `updated`, the date a row was last checked: an
 * instant matches the rows updated on its calendar date (the date part of
 * a date-time), an interval "start/end" (either end may be ".." or empty)
 * matches the dates within it, ends included. Rows without `updated` match
 * no datetime filter except "../..".
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/ogc.h"
#include "format/place_list.h"
#include "http/paging.h"
#include "http/response.h"
#include "store/release.h"
#include "text/number.h"

#define LIMIT_DEFAULT 10
#define LIMIT_MAX 10000
#define OFFSET_MAX 100000000L

struct items_query {
    long limit, offset;
    bool has_bbox;
    double bbox[4]; /* min lon, min lat, max lon, max lat; min lon > max lon crosses 180° */
    bool has_datetime;
    char from[11], to[11]; /* YYYY-MM-DD, or "" for an open end */
};

/* Reads "minLon,minLat,maxLon,maxLat" (or the 6-number 3D form, heights ignored). */
static int parse_bbox(const struct http_params *p, struct items_query *q, struct http_problem *pb)
{
    const struct http_param *b = params_find(p, "bbox");
    if (b == NULL)
        return 0;
    double v[6];
    size_t n = 0;
    const char *s = b->val, *end = b->val + b->vlen;
    while (n < 6) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *e = comma ? comma : end;
        if (number_parse(s, (size_t)(e - s), &v[n]) != NUMBER_OK)
            break;
        n++;
        if (comma == NULL) {
            s = end;
            break;
        }
        s = comma + 1;
    }
    int lo = n == 6 ? 3 : 2; /* index of max lon */
    bool ok = s == end && (n == 4 || n == 6);
    double minlon = v[0], minlat = v[1], maxlon = ok ? v[lo] : 0, maxlat = ok ? v[lo + 1] : 0;
    if (!ok || minlon < -180 || minlon > 180 || maxlon < -180 || maxlon > 180 || minlat < -90 ||
        maxlat > 90 || minlat > maxlat) {
        problem_set(pb, 400, "bbox",
                    "bbox must be minLon,minLat,maxLon,maxLat in WGS 84 degrees (lon -180..180, "
                    "lat -90..90, minLat <= maxLat)");
        return -1;
    }
    q->has_bbox = true;
    q->bbox[0] = minlon, q->bbox[1] = minlat, q->bbox[2] = maxlon, q->bbox[3] = maxlat;
    return 0;
}

/* One end of a datetime: "", "..", "YYYY-MM-DD" or an RFC 3339 date-time; writes its date. */
static bool datetime_end(const char *s, size_t n, char out[11])
{
    out[0] = '\0';
    if (n == 0 || (n == 2 && memcmp(s, "..", 2) == 0))
        return true;
    int y, m, d, used = 0;
    char buf[48];
    if (n < 10 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (sscanf(buf, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return false;
    if (n > 10) { /* a date-time: check its shape, keep its date */
        struct tm tm;
        const char *rest = strptime(buf + 10, "T%H:%M:%S", &tm);
        if (rest == NULL && (rest = strptime(buf + 10, "t%H:%M:%S", &tm)) == NULL)
            return false;
        if (*rest == '.')
            rest += 1 + strspn(rest + 1, "0123456789");
        if (strcmp(rest, "Z") != 0 && strcmp(rest, "z") != 0 &&
            !((rest[0] == '+' || rest[0] == '-') && strlen(rest) == 6 && rest[3] == ':'))
            return false;
    }
    memcpy(out, buf, 10);
    out[10] = '\0';
    return true;
}

static int parse_datetime(const struct http_params *p, struct items_query *q,
                          struct http_problem *pb)
{
    const struct http_param *t = params_find(p, "datetime");
    if (t == NULL)
        return 0;
    const char *slash = memchr(t->val, '/', t->vlen);
    bool ok;
    if (slash == NULL) {
        ok = t->vlen > 0 && datetime_end(t->val, t->vlen, q->from) && q->from[0] != '\0';
        memcpy(q->to, q->from, sizeof q->to);
    } else {
        size_t n1 = (size_t)(slash - t->val), n2 = t->vlen - n1 - 1;
        ok = datetime_end(t->val, n1, q->from) && datetime_end(slash + 1, n2, q->to) &&
             (q->from[0] == '\0' || q->to[0] == '\0' || strcmp(q->from, q->to) <= 0);
    }
    if (!ok) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, t->val, t->vlen, 40);
        problem_set(pb, 400, "datetime",
                    "datetime must be a date or RFC 3339 date-time, or an interval start/end "
                    "(\"..\" for an open end); got \"%s\"",
                    quoted);
        return -1;
    }
    q->has_datetime = true;
    return 0;
}

static int parse_query(const struct http_request *rq, struct items_query *q,
                       struct http_problem *pb)
{
    static const char *const allowed[] = {"limit", "offset", "bbox", "datetime", NULL};
    q->limit = LIMIT_DEFAULT;
    q->offset = 0;
    if (params_validate(&rq->params, allowed, pb) != 0 ||
        params_long(&rq->params, "limit", 1, LIMIT_MAX, false, &q->limit, pb) < 0 ||
        params_long(&rq->params, "offset", 0, OFFSET_MAX, false, &q->offset, pb) < 0)
        return -1;
    return parse_bbox(&rq->params, q, pb) || parse_datetime(&rq->params, q, pb) ? -1 : 0;
}

static bool matches(const struct items_query *q, const struct place *p)
{
    if (q->has_bbox) {
        bool lon = q->bbox[0] <= q->bbox[2] ? p->lon >= q->bbox[0] && p->lon <= q->bbox[2]
                                            : p->lon >= q->bbox[0] || p->lon <= q->bbox[2];
        if (!lon || p->lat < q->bbox[1] || p->lat > q->bbox[3])
            return false;
    }
    if (q->has_datetime && (q->from[0] || q->to[0])) {
        if (p->attrs->updated == NULL || (q->from[0] && strncmp(p->attrs->updated, q->from, 10) < 0) ||
            (q->to[0] && strncmp(p->attrs->updated, q->to, 10) > 0))
            return false;
    }
    return true;
}

/* An OGC feature: the API's GeoJSON feature of the place, with its code as id. */
static json_t *feature(const struct place *p)
{
    json_t *f = place_feature(p);
    if (f)
        json_object_set_new(f, "id", json_string(p->code));
    return f;
}

/* base + path + the request's parameters; with offset >= 0, that offset replaces the request's. */
static json_t *page_link(const struct http_request *rq, const char *base, const char *rel,
                         long offset)
{
    struct buf b = {0};
    int rc = buf_puts(&b, rq->path);
    for (size_t i = 0; i < rq->params.n; i++) {
        const struct http_param *q = &rq->params.items[i];
        if (offset >= 0 && q->klen == 6 && memcmp(q->key, "offset", 6) == 0)
            continue;
        rc |= buf_puts(&b, strchr(b.data ? b.data : "", '?') ? "&" : "?");
        rc |= paging_url_encode(&b, q->key, q->klen) | buf_puts(&b, "=");
        rc |= paging_url_encode(&b, q->val, q->vlen);
    }
    if (offset >= 0)
        rc |= buf_printf(&b, "%soffset=%ld", strchr(b.data ? b.data : "", '?') ? "&" : "?", offset);
    json_t *l = rc == 0 ? ogc_link(base, b.data, rel, "application/geo+json", NULL) : NULL;
    buf_free(&b);
    return l;
}

/* Runs the query over one kind: the page's features, and every match counted. */
static json_t *run(const struct http_request *rq, enum place_kind kind, const struct items_query *q,
                   size_t *matched)
{
    json_t *features = json_array();
    size_t n = release_place_count(rq->release);
    *matched = 0;
    for (uint32_t id = 0; features && id < n; id++) {
        const struct place *p = release_place(rq->release, id);
        if (p->kind != kind || !matches(q, p))
            continue;
        if (*matched >= (size_t)q->offset && *matched < (size_t)(q->offset + q->limit) &&
            json_array_append_new(features, feature(p)) != 0) {
            json_decref(features);
            return NULL;
        }
        (*matched)++;
    }
    return features;
}

static void answer(const struct http_request *rq, struct http_response *rs,
                   const struct ogc_collection *c, const struct items_query *q)
{
    size_t matched;
    json_t *features = run(rq, c->kind, q, &matched);
    size_t returned = features ? json_array_size(features) : 0;
    char base[OGC_BASE_MAX], coll[64], stamp[32];
    ogc_base(rq, base);
    snprintf(coll, sizeof coll, "/collections/%s", c->id);
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    json_t *links = json_array();
    json_array_append_new(links, page_link(rq, base, "self", -1));
    json_array_append_new(links,
                          ogc_link(base, coll, "collection", "application/json", "The collection"));
    if ((size_t)q->offset + returned < matched)
        json_array_append_new(links, page_link(rq, base, "next", q->offset + q->limit));
    if (q->offset > 0)
        json_array_append_new(
            links, page_link(rq, base, "prev", q->offset > q->limit ? q->offset - q->limit : 0));
    json_t *doc = json_pack("{s:s, s:I, s:I, s:s, s:s, s:o*, s:o*}", "type", "FeatureCollection",
                            "numberMatched", (json_int_t)matched, "numberReturned",
                            (json_int_t)returned, "timeStamp", stamp, "release",
                            release_id(rq->release), "links", links, "features", features);
    response_json(rs, doc);
    if (rs->status == 200)
        rs->content_type = "application/geo+json";
}

void api_ogc_items(const struct http_request *rq, struct http_response *rs)
{
    struct items_query q = {0};
    struct http_problem pb;
    const struct ogc_collection *c = ogc_collection_of(rq, rs, 0);
    if (c == NULL)
        return;
    if (parse_query(rq, &q, &pb) != 0)
        response_problem(rs, &pb, rq->instance);
    else
        answer(rq, rs, c, &q);
}

void api_ogc_item(const struct http_request *rq, struct http_response *rs)
{
    static const char *const no_params[] = {NULL};
    struct http_problem pb;
    const struct ogc_collection *c = ogc_collection_of(rq, rs, 0);
    if (c == NULL)
        return;
    if (params_validate(&rq->params, no_params, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct place *p = release_find(rq->release, c->kind, rq->capture[1], rq->capture_len[1]);
    if (p == NULL) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, rq->capture[1], rq->capture_len[1], 40);
        response_error(rs, rq->instance, 404, "featureId", "no feature \"%s\" in collection %s",
                       quoted, c->id);
        return;
    }
    char base[OGC_BASE_MAX], coll[64], alt[128];
    ogc_base(rq, base);
    snprintf(coll, sizeof coll, "/collections/%s", c->id);
    struct buf self = {0}, code = {0};
    paging_url_encode(&code, p->code, strlen(p->code));
    buf_printf(&self, "%s/items/%s", coll, code.data ? code.data : "");
    snprintf(alt, sizeof alt, "/v1/%s/%s", c->id, code.data ? code.data : "");
    json_t *f = feature(p);
    if (f)
        json_object_set_new(
            f, "links",
            json_pack(
                "[o*, o*, o*]",
                ogc_link(base, self.data ? self.data : coll, "self", "application/geo+json", NULL),
                ogc_link(base, coll, "collection", "application/json", "The collection"),
                ogc_link(base, alt, "alternate", "application/json",
                         "The place in the service's own JSON form")));
    buf_free(&self);
    buf_free(&code);
    response_json(rs, f);
    if (rs->status == 200)
        rs->content_type = "application/geo+json";
}
