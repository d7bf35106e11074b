/*
 * GET /v1/map: what a map screen shows for its visible box at its zoom: the
 * places themselves when there are few (at most MAP_MAX_POINTS), otherwise
 * grid clusters with Supercluster's conventions (cluster, cluster_id,
 * point_count, point_count_abbreviated) plus the zoom at which each splits.
 */
#include "api/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "format/csv_out.h"
#include "format/json_out.h"
#include "format/place_json.h"
#include "geo/cluster.h"
#include "http/response.h"
#include "store/release.h"

#define MAP_MAX_POINTS 300
/* A 4K screen at 64 px per cell spans about 60 x 34 cells; more means a box absurd for the zoom. */
#define MAP_MAX_CELLS 4096

struct map_query {
    double bbox[4]; /* min lon, min lat, max lon, max lat */
    long zoom;
    bool kinds[PLACE_KIND_COUNT];
    enum out_format f;
};

static int parse_bbox(const struct http_params *p, double bbox[4], struct http_problem *pb)
{
    const struct http_param *q = params_find(p, "bbox");
    if (q == NULL) {
        problem_set(pb, 400, "bbox", "parameter \"bbox\" is required: minLon,minLat,maxLon,maxLat");
        return -1;
    }
    /* Each number is checked by the same strict parser as any other parameter. */
    const char *s = q->val, *end = q->val + q->vlen;
    static const char *const names[4] = {"minLon", "minLat", "maxLon", "maxLat"};
    for (int i = 0; i < 4; i++) {
        const char *comma = i < 3 ? memchr(s, ',', (size_t)(end - s)) : NULL;
        const char *e = i < 3 ? comma : end;
        struct http_params one = {0};
        params_add(&one, names[i], strlen(names[i]), s, e ? (size_t)(e - s) : 0);
        double lim = i % 2 == 0 ? 180 : 90;
        if (e == NULL || params_double(&one, names[i], -lim, lim, true, &bbox[i], pb) != 1) {
            problem_set(pb, 400, "bbox",
                        "bbox must be minLon,minLat,maxLon,maxLat in degrees (lon -180..180, "
                        "lat -90..90); %s is missing or not such a number",
                        names[i]);
            return -1;
        }
        s = e + 1;
    }
    if (bbox[0] >= bbox[2] || bbox[1] >= bbox[3]) {
        problem_set(pb, 400, "bbox",
                    "bbox is inverted or empty: minLon must be less than maxLon and minLat less "
                    "than maxLat");
        return -1;
    }
    return 0;
}

static int parse_map(const struct http_request *rq, struct map_query *m, struct http_problem *pb)
{
    static const char *const allowed[] = {"bbox", "zoom", "kind", "f", NULL};
    const struct http_params *p = &rq->params;
    if (params_validate(p, allowed, pb) != 0 || parse_bbox(p, m->bbox, pb) != 0 ||
        params_long(p, "zoom", 0, CLUSTER_MAX_ZOOM, true, &m->zoom, pb) < 0 ||
        api_parse_kinds(p, m->kinds, pb) != 0 || response_format(rq, &m->f, pb) != 0)
        return -1;
    return 0;
}

/* Writers into space reserved beforehand: each returns the end of what it wrote. */
static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#define PUT(p, lit) put(p, lit, sizeof lit - 1)

static char *put_uint(char *p, uint64_t v)
{
    char tmp[20], *t = tmp + sizeof tmp;
    do
        *--t = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    return put(p, t, (size_t)(tmp + sizeof tmp - t));
}

/* Supercluster's abbreviation: 950, "1.2k", "15k" (integer rounding, half up as round()); <= 32 bytes. */
static char *put_abbreviated(char *p, uint64_t n)
{
    if (n < 1000)
        return put_uint(p, n);
    if (n >= UINT64_C(1) << 52) /* beyond exact integers in a double: as printf rounds it */
        return p + snprintf(p, 32, "\"%.0fk\"", round((double)n / 1000));
    *p++ = '"';
    if (n >= 10000) {
        p = put_uint(p, (n + 500) / 1000);
    } else {
        uint64_t tenths = (n + 50) / 100; /* 10 .. 100 */
        p = put_uint(p, tenths / 10);
        if (tenths % 10)
            *p++ = '.', p = put_uint(p, tenths % 10);
    }
    return PUT(p, "k\"");
}

/* The members of a cluster's properties, without braces. */
static int write_cluster_props(struct buf *b, const struct cluster_result *res, size_t i,
                               const enum place_kind *kinds)
{
    const struct cluster_item *it = &res->items[i];
    size_t need = 192; /* the fixed text, three numbers of <= 20 digits, the abbreviation */
    for (size_t k = 0; k < res->nkinds; k++)
        need += strlen(place_kind_name(kinds[k])) + 24;
    if (buf_reserve(b, need) != 0)
        return -1;
    char *p = b->data + b->len;
    p = PUT(p, "\"cluster\":true,\"cluster_id\":");
    p = put_uint(p, it->cluster_id);
    p = PUT(p, ",\"point_count\":");
    p = put_uint(p, it->count);
    p = PUT(p, ",\"point_count_abbreviated\":");
    p = put_abbreviated(p, it->count);
    p = PUT(p, ",\"expansion_zoom\":");
    p = put_uint(p, (uint64_t)it->expansion_zoom);
    p = PUT(p, ",\"kinds\":{");
    for (size_t k = 0; k < res->nkinds; k++) {
        const char *name = place_kind_name(kinds[k]);
        if (k)
            *p++ = ',';
        *p++ = '"';
        p = put(p, name, strlen(name));
        p = PUT(p, "\":");
        p = put_uint(p, res->kind_counts[i * res->nkinds + k]);
    }
    *p++ = '}';
    *p = '\0';
    b->len = (size_t)(p - b->data);
    return 0;
}

/* One item as a JSON object (geojson false) or a GeoJSON Feature. */
static int write_item(struct buf *b, const struct http_request *rq,
                      const struct cluster_result *res, size_t i, const enum place_kind *kinds,
                      bool geojson)
{
    const struct cluster_item *it = &res->items[i];
    if (it->count <= 1) {
        const struct place *p = release_place(rq->release, it->id);
        int rc = geojson ? place_feature_open(b, p) : place_json_open(b, p, true);
        return rc | buf_puts(b, geojson ? ",\"cluster\":false}}" : ",\"cluster\":false}");
    }
    int rc = 0;
    if (geojson) {
        rc |= buf_puts(b, "{\"type\":\"Feature\",\"id\":") | json_out_uint(b, it->cluster_id);
        rc |= buf_puts(b, ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
        rc |= json_out_fixed(b, it->lon, 7) | buf_append(b, ",", 1) | json_out_fixed(b, it->lat, 7);
        rc |= buf_puts(b, "]},\"properties\":{") | write_cluster_props(b, res, i, kinds);
        return rc | buf_puts(b, "}}");
    }
    rc |= buf_append(b, "{", 1) | write_cluster_props(b, res, i, kinds);
    rc |= buf_puts(b, ",\"lat\":") | json_out_fixed(b, it->lat, 7);
    rc |= buf_puts(b, ",\"lon\":") | json_out_fixed(b, it->lon, 7);
    return rc | buf_append(b, "}", 1);
}

static int render_csv(const struct http_request *rq, const struct cluster_result *res,
                      struct buf *out)
{
    static const char *const cols[] = {"cluster", "cluster_id", "point_count", "expansion_zoom",
                                       "lat",     "lon",        "kind",        "code",
                                       "name"};
    int rc = 0;
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        rc |= csv_out_field(out, cols[i], i == 0);
    rc |= csv_out_end(out);
    for (size_t i = 0; rc == 0 && i < res->n; i++) {
        const struct cluster_item *it = &res->items[i];
        const struct place *p = it->count <= 1 ? release_place(rq->release, it->id) : NULL;
        rc |= csv_out_field(out, p ? "false" : "true", true);
        rc |= p ? csv_out_field(out, NULL, false) : buf_printf(out, ",%llu", (unsigned long long)it->cluster_id);
        rc |= buf_printf(out, ",%llu", (unsigned long long)it->count);
        rc |= p ? csv_out_field(out, NULL, false) : buf_printf(out, ",%d", it->expansion_zoom);
        rc |= csv_out_number(out, p ? p->lat : round(it->lat * 1e7) / 1e7, false);
        rc |= csv_out_number(out, p ? p->lon : round(it->lon * 1e7) / 1e7, false);
        rc |= csv_out_field(out, p ? place_kind_name(p->kind) : NULL, false);
        rc |= csv_out_field(out, p ? p->code : NULL, false);
        char name[TEXT_PACK_MAX];
        rc |= csv_out_field(out, p ? place_name(p, name) : NULL, false);
        rc |= csv_out_end(out);
    }
    return rc;
}

static void render(const struct http_request *rq, struct http_response *rs,
                   const struct map_query *m, const struct cluster_result *res,
                   const enum place_kind *kinds)
{
    struct buf body = {0};
    if (m->f == OUT_CSV) {
        if (render_csv(rq, res, &body) != 0)
            buf_free(&body);
        response_buf(rs, out_format_content_type(OUT_CSV), &body);
        return;
    }
    bool geojson = m->f == OUT_GEOJSON;
    int rc = buf_printf(&body, "{%s\"release\":", geojson ? "\"type\":\"FeatureCollection\"," : "");
    rc |= json_out_string(&body, release_id(rq->release));
    rc |= buf_printf(&body, ",\"zoom\":%ld,\"clustered\":%s,\"total\":%llu,", m->zoom,
                     res->clustered ? "true" : "false", (unsigned long long)res->total);
    if (!geojson) {
        rc |= buf_puts(&body, "\"bbox\":[");
        for (int k = 0; k < 4; k++)
            rc |= (k ? buf_append(&body, ",", 1) : 0) | json_out_fixed(&body, m->bbox[k], 9);
        rc |= buf_puts(&body, "],");
    }
    rc |= buf_puts(&body, geojson ? "\"features\":[" : "\"results\":[");
    for (size_t i = 0; rc == 0 && i < res->n; i++)
        rc |= (i ? buf_append(&body, ",", 1) : 0) | write_item(&body, rq, res, i, kinds, geojson);
    rc |= buf_puts(&body, "]}");
    if (rc != 0)
        buf_free(&body);
    response_buf(rs, out_format_content_type(m->f), &body);
    buf_free(&body);
}

void api_map(const struct http_request *rq, struct http_response *rs)
{
    struct map_query m = {0};
    struct http_problem pb;
    if (parse_map(rq, &m, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct cluster_index *ix[PLACE_KIND_COUNT];
    enum place_kind kinds[PLACE_KIND_COUNT];
    size_t nix = 0;
    for (int k = 0; k < PLACE_KIND_COUNT; k++)
        if (m.kinds[k]) {
            kinds[nix] = (enum place_kind)k;
            ix[nix++] = release_cluster_index(rq->release, (enum place_kind)k);
        }
    struct cluster_result res = {0};
    int rc = cluster_query(ix, nix, m.bbox[0], m.bbox[1], m.bbox[2], m.bbox[3], (int)m.zoom,
                           MAP_MAX_POINTS, MAP_MAX_CELLS, &res);
    if (rc == CLUSTER_ERR_TOO_MANY_CELLS)
        response_error(rs, rq->instance, 400, "bbox",
                       "bbox spans %llu map cells at zoom %ld (at most %d): zoom out or show a "
                       "smaller box",
                       (unsigned long long)res.cells, m.zoom, MAP_MAX_CELLS);
    else if (rc != CLUSTER_OK)
        response_error(rs, rq->instance, rc == CLUSTER_ERR_ARG ? 400 : 500, "bbox",
                       "the map query could not be answered (code %d)", rc);
    else
        render(rq, rs, &m, &res, kinds);
    cluster_result_free(&res);
}
