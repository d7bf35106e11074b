/*
 * GET /v1/search: Vietnamese full-text search over names and addresses,
 * diacritic- and case-insensitive, as-you-type prefixes and abbreviations
 * (the folding is text/fold; the index is FTS5). With lat/lon the ranking
 * also favours nearby places.
 */
#include "api/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin_filter.h"
#include "api/common.h"
#include "geo/geodesic.h"
#include "http/paging.h"
#include "http/response.h"
#include "store/query.h"
#include "store/release.h"
#include "text/fold.h"

/* Ranked results are capped: nobody pages past the 500th match of a search box. */
#define SEARCH_MAX_RESULTS 500
#define SEARCH_QUERY_MAX_BYTES 200

struct search_params {
    struct buf match;  /* FTS5 expression of q (fold_fts_query) */
    struct buf folded; /* fold_text of q, to recognise an exact name */
    bool kinds[PLACE_KIND_COUNT];
    struct admin_filter province; /* resolved to current provinces */
    double lat, lon;
    bool near;
    long limit;
    struct cursor cur;
    enum out_format f;
};

static int parse_text(const struct http_params *p, struct search_params *s,
                      struct http_problem *pb)
{
    const struct http_param *q = params_find(p, "q");
    if (q == NULL) {
        problem_set(pb, 400, "q", "parameter \"q\" is required");
        return -1;
    }
    if (q->vlen > SEARCH_QUERY_MAX_BYTES) {
        problem_set(pb, 400, "q", "q is longer than %d bytes", SEARCH_QUERY_MAX_BYTES);
        return -1;
    }
    int rc = fold_fts_query(q->val, q->vlen, &s->match);
    if (rc == 0 && (fold_text(q->val, q->vlen, &s->folded) != 0 || s->folded.data == NULL))
        rc = -2;
    if (rc != 0) {
        problem_set(pb, 400, "q", rc == -1 ? "q must hold at least one letter or digit"
                                           : "out of memory reading q");
        return -1;
    }
    return 0;
}

static int parse_search(const struct http_request *rq, struct search_params *s,
                        struct http_problem *pb)
{
    static const char *const allowed[] = {"q",   "kind",  "province", "lat", "lon",
                                          "limit", "cursor", "f",      NULL};
    const struct http_params *p = &rq->params;
    s->limit = LIST_LIMIT_DEFAULT;
    if (params_validate(p, allowed, pb) != 0 || parse_text(p, s, pb) != 0 ||
        api_parse_kinds(p, s->kinds, pb) != 0 ||
        api_admin_filter(rq, "province", "province", &s->province, pb) != 0 ||
        params_long(p, "limit", 1, LIST_LIMIT_MAX, false, &s->limit, pb) < 0 ||
        paging_cursor(p, 'o', &s->cur, pb) != 0 || response_format(rq, &s->f, pb) != 0)
        return -1;
    int has_lat = params_double(p, "lat", -90, 90, false, &s->lat, pb);
    int has_lon = has_lat < 0 ? -1 : params_double(p, "lon", -180, 180, false, &s->lon, pb);
    if (has_lat < 0 || has_lon < 0)
        return -1;
    if (has_lat != has_lon) {
        problem_set(pb, 400, has_lat ? "lon" : "lat", "lat and lon must be given together");
        return -1;
    }
    s->near = has_lat == 1;
    return 0;
}

/*
 * The relevance of the ranked list (store_search: match class plus a
 * fraction). Near a point it is divided by 1 + log10(1 + km): a place 9 km
 * away needs twice the relevance of one at the door, one 99 km away three
 * times.
 */
static double score_of(const struct search_hit *h, const struct search_params *s, double *dist)
{
    double rel = h->relevance;
    if (!s->near)
        return rel;
    *dist = geo_distance_m(s->lat, s->lon, h->p->lat, h->p->lon);
    return rel / (1 + log10(1 + *dist / 1000));
}

static int cmp_item(const void *a, const void *b)
{
    const struct place_item *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    int c = strcmp(x->p->code, y->p->code);
    return c ? c : (int)x->p->kind - (int)y->p->kind;
}

static void answer(const struct http_request *rq, struct http_response *rs,
                   struct search_params *s, struct search_hit *hits, long n)
{
    struct place_item *items = calloc(n ? (size_t)n : 1, sizeof *items);
    if (items == NULL) {
        response_json(rs, NULL);
        return;
    }
    for (long i = 0; i < n; i++) {
        items[i].p = hits[i].p;
        items[i].score = score_of(&hits[i], s, &items[i].distance_m);
    }
    /* Without a point the list is in its final order (ties in index order). */
    if (s->near)
        qsort(items, (size_t)n, sizeof *items, cmp_item);
    size_t from = s->cur.offset < (size_t)n ? s->cur.offset : (size_t)n;
    size_t shown = (size_t)n - from < (size_t)s->limit ? (size_t)n - from : (size_t)s->limit;
    struct buf next = {0};
    bool more = from + shown < (size_t)n;
    if (more)
        paging_encode(&next, 'o', NULL, from + shown);
    static const char *const names[] = {"province"};
    json_t *envelope = json_pack("{s:i}", "limit", (int)s->limit);
    api_admin_filter_report(envelope, names, &s->province, 1);
    api_render_page(rq, rs, s->f, envelope, items + from, shown,
                    EXTRA_SCORE | (s->near ? EXTRA_DISTANCE : 0), more ? next.data : NULL);
    buf_free(&next);
    free(items);
}

void api_search(const struct http_request *rq, struct http_response *rs)
{
    struct search_params s = {.match = {0}, .folded = {0}};
    struct http_problem pb;
    if (parse_search(rq, &s, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        buf_free(&s.match);
        buf_free(&s.folded);
        api_admin_filter_free(&s.province);
        return;
    }
    struct search_query q = {
        .provinces = s.province.codes, .match = s.match.data, .folded = s.folded.data};
    for (int k = 0; k < PLACE_KIND_COUNT; k++)
        q.kinds |= s.kinds[k] ? 1u << k : 0;
    /*
     * Without a point the list order is final, so fetch only up to the page
     * end (and one more, to know whether there is a next page). Near a point
     * the first SEARCH_MAX_RESULTS of the list are re-ranked by distance.
     */
    size_t want = s.cur.offset + (size_t)s.limit + 1;
    q.limit = s.near || want > SEARCH_MAX_RESULTS ? SEARCH_MAX_RESULTS : want;
    struct search_hit *hits = calloc(q.limit, sizeof *hits);
    struct err e = {{0}};
    long n = hits ? store_search(rq->release, &q, hits, &e) : -1;
    if (n < 0)
        response_error(rs, rq->instance, 500, NULL, "search failed: %s", e.msg);
    else
        answer(rq, rs, &s, hits, n);
    free(hits);
    buf_free(&s.match);
    buf_free(&s.folded);
    api_admin_filter_free(&s.province);
}
