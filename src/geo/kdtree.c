/*
 * Layout: after building, the points are stored in tree order in parallel
 * arrays; each node covers a contiguous range [begin, end) and stores the
 * bounding box of its unit vectors. Leaves hold at most LEAF_SIZE points.
 */
#include "geo/kdtree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geodesic.h"

#define LEAF_SIZE 8

/*
 * A geodesic between two points whose geodetic unit vectors are θ radians
 * apart is at least θ times the smallest radius of curvature of the WGS 84
 * ellipsoid (the meridian radius at the equator, a(1-e²) = 6 335 439 m).
 * A little less is used so rounding can never make the bound unsafe.
 */
#define LOWER_BOUND_RADIUS_M 6330000.0

struct node {
    double lo[3], hi[3];
    uint32_t begin, end;
    int32_t left, right; /* -1 for a leaf */
};

struct geo_index {
    size_t n;
    double (*xyz)[3];
    double *lat, *lon;
    uint32_t *ids;
    struct node *nodes;
    size_t nnodes;
};

static void to_unit(double lat, double lon, double v[3])
{
    double la = lat * (M_PI / 180), lo = lon * (M_PI / 180);
    v[0] = cos(la) * cos(lo);
    v[1] = cos(la) * sin(lo);
    v[2] = sin(la);
}

/*
 * The build moves each point's unit vector and its input position (28
 * bytes) while it partitions; lat, lon and ids follow once at the end.
 */
struct build {
    double (*xyz)[3];
    uint32_t *from; /* input position of the point now at each place */
    struct node *nodes;
    size_t nnodes;
};

static void swap_points(struct build *b, size_t i, size_t j)
{
    double t3[3];
    memcpy(t3, b->xyz[i], sizeof t3);
    memcpy(b->xyz[i], b->xyz[j], sizeof t3);
    memcpy(b->xyz[j], t3, sizeof t3);
    uint32_t u = b->from[i];
    b->from[i] = b->from[j], b->from[j] = u;
}

/* Quickselect: after the call, the point at k has the k-th smallest coordinate on axis. */
static void select_nth(struct build *b, size_t lo, size_t hi, size_t k, int axis)
{
    while (hi > lo + 1) {
        size_t mid = lo + (hi - lo) / 2;
        double pivot = b->xyz[mid][axis];
        swap_points(b, mid, hi - 1);
        size_t store = lo;
        for (size_t i = lo; i + 1 < hi; i++)
            if (b->xyz[i][axis] < pivot)
                swap_points(b, i, store++);
        swap_points(b, store, hi - 1);
        if (k == store)
            return;
        if (k < store)
            hi = store;
        else
            lo = store + 1;
    }
}

static int32_t build_node(struct build *b, uint32_t begin, uint32_t end)
{
    int32_t id = (int32_t)b->nnodes++;
    struct node *nd = &b->nodes[id];
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (uint32_t i = begin; i < end; i++)
        for (int a = 0; a < 3; a++) {
            double v = b->xyz[i][a]; /* never NaN: unit vectors of checked positions */
            lo[a] = v < lo[a] ? v : lo[a];
            hi[a] = v > hi[a] ? v : hi[a];
        }
    memcpy(nd->lo, lo, sizeof lo);
    memcpy(nd->hi, hi, sizeof hi);
    nd->begin = begin, nd->end = end, nd->left = nd->right = -1;
    if (end - begin <= LEAF_SIZE)
        return id;
    int axis = 0;
    for (int a = 1; a < 3; a++)
        if (hi[a] - lo[a] > hi[axis] - lo[axis])
            axis = a;
    uint32_t mid = begin + (end - begin) / 2;
    select_nth(b, begin, end, mid, axis);
    int32_t l = build_node(b, begin, mid);
    int32_t r = build_node(b, mid, end);
    /* b->nodes does not move during the build: it was sized up front. */
    b->nodes[id].left = l;
    b->nodes[id].right = r;
    return id;
}

struct geo_index *geo_index_build(const double *lat, const double *lon, const uint32_t *ids,
                                  size_t n)
{
    struct geo_index *ix = calloc(1, sizeof *ix);
    uint32_t *from = malloc((n ? n : 1) * sizeof *from);
    if (ix == NULL || from == NULL || n > UINT32_MAX / 2)
        goto fail;
    ix->n = n;
    size_t cap = n ? 2 * (n / (LEAF_SIZE / 2) + 1) : 1;
    ix->xyz = malloc((n ? n : 1) * sizeof *ix->xyz);
    ix->lat = malloc((n ? n : 1) * sizeof *ix->lat);
    ix->lon = malloc((n ? n : 1) * sizeof *ix->lon);
    ix->ids = malloc((n ? n : 1) * sizeof *ix->ids);
    ix->nodes = malloc(cap * sizeof *ix->nodes);
    if (!ix->xyz || !ix->lat || !ix->lon || !ix->ids || !ix->nodes)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        from[i] = (uint32_t)i;
        to_unit(lat[i], lon[i], ix->xyz[i]);
    }
    struct build b = {ix->xyz, from, ix->nodes, 0};
    if (n > 0)
        build_node(&b, 0, (uint32_t)n);
    ix->nnodes = b.nnodes;
    for (size_t i = 0; i < n; i++) {
        ix->lat[i] = lat[from[i]];
        ix->lon[i] = lon[from[i]];
        ix->ids[i] = ids[from[i]];
    }
    free(from);
    return ix;
fail:
    free(from);
    geo_index_free(ix);
    return NULL;
}

void geo_index_free(struct geo_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->xyz);
    free(ix->lat);
    free(ix->lon);
    free(ix->ids);
    free(ix->nodes);
    free(ix);
}

size_t geo_index_size(const struct geo_index *ix)
{
    return ix ? ix->n : 0;
}

/*
 * The search runs in two passes. Pass 1 finds the k points nearest by chord
 * (plain arithmetic on unit vectors). If θk is the angle of the k-th of them,
 * the true k-th geodesic distance is at most θk·R_HI, and a point can only be
 * among the true k nearest if its angle is at most θk·R_HI/R_LO. Pass 2 visits
 * exactly the points inside that angle and ranks them by exact geodesic
 * distance: typically k plus a few, instead of every point pass 1 touched.
 */
#define R_LO LOWER_BOUND_RADIUS_M
/* Above the largest radius of curvature of WGS 84 (the polar one, a^2/b = 6 399 594 m). */
#define R_HI 6400000.0

/* Chord length between unit vectors that are `angle` radians apart. */
static double angle_to_chord(double angle)
{
    return angle >= M_PI ? 2.0 : 2 * sin(angle / 2);
}

static double box_chord2(const struct node *nd, const double q[3])
{
    double d2 = 0;
    for (int a = 0; a < 3; a++) {
        double d = q[a] < nd->lo[a] ? nd->lo[a] - q[a] : (q[a] > nd->hi[a] ? q[a] - nd->hi[a] : 0);
        d2 += d * d;
    }
    return d2;
}

static double point_chord2(const struct geo_index *ix, uint32_t i, const double q[3])
{
    double c2 = 0;
    for (int a = 0; a < 3; a++) {
        double d = ix->xyz[i][a] - q[a];
        c2 += d * d;
    }
    return c2;
}

static int hit_less(const struct geo_hit *a, const struct geo_hit *b)
{
    return a->distance_m < b->distance_m || (a->distance_m == b->distance_m && a->id < b->id);
}

/* The largest (worst) hit is at hits[0]: a max-heap on (distance, id). */
static void heap_sift_down(struct geo_hit *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && hit_less(&h[m], &h[l]))
            m = l;
        if (r < n && hit_less(&h[m], &h[r]))
            m = r;
        if (m == i)
            return;
        struct geo_hit t = h[i];
        h[i] = h[m], h[m] = t;
        i = m;
    }
}

/* Offers a hit to the k-heap in s (keyed by whatever distance the pass uses). */
static void heap_offer(struct geo_knn *s, struct geo_hit hit)
{
    if (s->n < s->k) {
        size_t i = s->n++;
        s->hits[i] = hit;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!hit_less(&s->hits[p], &s->hits[i]))
                break;
            struct geo_hit t = s->hits[p];
            s->hits[p] = s->hits[i], s->hits[i] = t;
            i = p;
        }
    } else if (hit_less(&hit, &s->hits[0])) {
        s->hits[0] = hit;
        heap_sift_down(s->hits, s->n, 0);
    }
}

/* Pass 1: k nearest by squared chord, within s->limit2 (the radius as a chord). */
static double pass1_worst(const struct geo_knn *s)
{
    return s->n < s->k ? s->limit2 : s->hits[0].distance_m;
}

static void pass1_node(struct geo_knn *s, const struct geo_index *ix, int32_t id)
{
    const struct node *nd = &ix->nodes[id];
    if (box_chord2(nd, s->q) > pass1_worst(s))
        return;
    if (nd->left < 0) {
        for (uint32_t i = nd->begin; i < nd->end; i++) {
            double c2 = point_chord2(ix, i, s->q);
            if (c2 <= pass1_worst(s))
                heap_offer(s, (struct geo_hit){ix->ids[i], c2});
        }
        return;
    }
    int32_t first = nd->left, second = nd->right;
    if (box_chord2(&ix->nodes[second], s->q) < box_chord2(&ix->nodes[first], s->q))
        first = nd->right, second = nd->left;
    pass1_node(s, ix, first);
    pass1_node(s, ix, second);
}

/* Pass 2: exact geodesic ranking of every point within the chord window. */
static void pass2_node(struct geo_knn *s, const struct geo_index *ix, int32_t id, double window2)
{
    const struct node *nd = &ix->nodes[id];
    if (box_chord2(nd, s->q) > window2)
        return;
    if (nd->left >= 0) {
        pass2_node(s, ix, nd->left, window2);
        pass2_node(s, ix, nd->right, window2);
        return;
    }
    for (uint32_t i = nd->begin; i < nd->end; i++) {
        if (point_chord2(ix, i, s->q) > window2)
            continue;
        double d = geo_distance_m(s->lat, s->lon, ix->lat[i], ix->lon[i]);
        if (s->max_m > 0 && d > s->max_m)
            continue;
        heap_offer(s, (struct geo_hit){ix->ids[i], d});
    }
}

void geo_knn_begin(struct geo_knn *s, double lat, double lon, size_t k, double max_m,
                   struct geo_hit *hits)
{
    memset(s, 0, sizeof *s);
    s->hits = hits;
    s->k = k;
    s->max_m = max_m;
    s->lat = lat;
    s->lon = lon;
    to_unit(lat, lon, s->q);
    /* Nothing beyond the radius can be in the answer: no geodesic is shorter than θ·R_LO. */
    double c = max_m > 0 ? angle_to_chord(max_m / R_LO) : 2.0;
    s->limit2 = c * c * (1 + 1e-12);
}

void geo_knn_search(struct geo_knn *s, const struct geo_index *ix)
{
    if (ix == NULL || ix->n == 0 || s->k == 0 || s->nix == GEO_KNN_MAX_INDEXES)
        return;
    s->ix[s->nix++] = ix;
    pass1_node(s, ix, 0);
}

static int hit_cmp(const void *a, const void *b)
{
    const struct geo_hit *x = a, *y = b;
    return hit_less(x, y) ? -1 : (hit_less(y, x) ? 1 : 0);
}

size_t geo_knn_finish(struct geo_knn *s)
{
    if (s->n == 0)
        return 0;
    /* The window: the k-th chord's angle widened by R_HI/R_LO (all of pass 1's if fewer than k). */
    double worst_c2 = s->n < s->k ? s->limit2 : s->hits[0].distance_m;
    double theta = 2 * asin(fmin(sqrt(worst_c2) / 2, 1.0));
    double c = angle_to_chord(theta * (R_HI / R_LO));
    double window2 = fmin(c * c * (1 + 1e-9) + 1e-18, s->limit2);
    if (s->n < s->k)
        window2 = s->limit2;
    s->n = 0;
    for (size_t i = 0; i < s->nix; i++)
        pass2_node(s, s->ix[i], 0, window2);
    qsort(s->hits, s->n, sizeof *s->hits, hit_cmp);
    return s->n;
}
