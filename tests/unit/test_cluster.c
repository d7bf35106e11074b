/*
 * Grid clustering must agree with brute force: counts per cell, the points
 * listed, per-kind counts and expansion zooms, over clumpy points in Viet Nam
 * with exact duplicates. The projection here is written independently
 * (asinh(tan φ)) and cells are computed in floating point, not from codes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo/cluster.h"
#include "harness.h"

#define N 20000
#define NDUP 60
#define HUGE_N 1000000

static unsigned long long rng = 88172645463325252ULL;

static double uniform(double lo, double hi)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

static double lat[N], lon[N], px[N], py[N];
static uint32_t ids[N];

/* Web Mercator unit square, y southwards. */
static double proj_x(double lo)
{
    return (lo + 180) / 360;
}

static double proj_y(double la)
{
    la = fmax(-85.05112878, fmin(85.05112878, la));
    return (1 - asinh(tan(la * M_PI / 180)) / M_PI) / 2;
}

static uint64_t cell_coord(double u, int level)
{
    double v = floor(u * ldexp(1, level)), top = ldexp(1, level) - 1;
    return v < 0 ? 0 : (uint64_t)(v > top ? top : v);
}

/* Morton prefix of the cell of (x, y) at level, bit by bit. */
static uint64_t cell_key(double x, double y, int level)
{
    uint64_t cx = cell_coord(x, level), cy = cell_coord(y, level), r = 0;
    for (int b = 0; b < level; b++)
        r |= ((cx >> b) & 1) << (2 * b) | ((cy >> b) & 1) << (2 * b + 1);
    return r;
}

static double tw(size_t i)
{
    return i / 89 % 2 ? 1e-9 : -1e-9;
}

static void make_points(void)
{
    for (size_t i = 0; i < N; i++) {
        ids[i] = (uint32_t)(1000 + i * 7);
        if (i < 3000) { /* Hà Nội */
            lat[i] = 21.0285 + uniform(-0.05, 0.05), lon[i] = 105.8542 + uniform(-0.05, 0.05);
        } else if (i < 6000) { /* TP HCM */
            lat[i] = 10.7769 + uniform(-0.05, 0.05), lon[i] = 106.7009 + uniform(-0.05, 0.05);
        } else if (i < 6000 + NDUP) { /* one spot in Huế, many times */
            lat[i] = 16.4637, lon[i] = 107.5909;
        } else if (i < 6000 + NDUP + 2) { /* and twins 0.1 mm SE, NW: likely the same quantum */
            double d = i == 6000 + NDUP ? 1e-9 : -1e-9;
            lat[i] = 16.4637 - d, lon[i] = 107.5909 + d;
        } else {
            lat[i] = uniform(8.3, 23.4), lon[i] = uniform(102.1, 109.5);
            if (i % 97 == 0) /* pairs of exact duplicates */
                lat[i] = lat[i - 1], lon[i] = lon[i - 1];
            if (i % 89 == 0) /* pairs of twins, SE or NW */
                lat[i] = lat[i - 1] - tw(i), lon[i] = lon[i - 1] + tw(i);
            if (i % 83 == 0) /* pairs 1 m apart: mostly the same cell even at zoom 20 */
                lat[i] = lat[i - 1] + 1e-5, lon[i] = lon[i - 1];
        }
        px[i] = proj_x(lon[i]), py[i] = proj_y(lat[i]);
    }
}

/* A query over some indexes; part_of[k] is the part of index k, -1 for all points. */
struct set {
    const char *name;
    const struct cluster_index *ix[3];
    int part_of[3];
    size_t nix;
};

static int kind_of(const struct set *s, size_t i)
{
    for (size_t k = 0; k < s->nix; k++)
        if (s->ix[k] && (s->part_of[k] < 0 || s->part_of[k] == (int)(i % 3)))
            return (int)k;
    return -1;
}

struct hit {
    uint64_t key;
    uint32_t kind, id;
    size_t i;
};

static int hit_cmp(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id);
}

static struct hit hits[N];
static int n_clustered, n_listed, n_refused, n_split_checked;

/* The points of the set inside the box, sorted by (cell at zoom, kind, id). */
static size_t brute(const struct set *s, const double b[4], int zoom)
{
    size_t m = 0;
    for (size_t i = 0; i < N; i++) {
        int k = kind_of(s, i);
        if (k >= 0 && lon[i] >= b[0] && lat[i] >= b[1] && lon[i] <= b[2] && lat[i] <= b[3])
            hits[m++] = (struct hit){cell_key(px[i], py[i], zoom + 2), (uint32_t)k, ids[i], i};
    }
    qsort(hits, m, sizeof *hits, hit_cmp);
    return m;
}

/* Whether the points hits[a..b) fall into a single cell at zoom. */
static int one_cell(size_t a, size_t b, int zoom)
{
    uint64_t key = cell_key(px[hits[a].i], py[hits[a].i], zoom + 2);
    for (size_t j = a + 1; j < b; j++)
        if (cell_key(px[hits[j].i], py[hits[j].i], zoom + 2) != key)
            return 0;
    return 1;
}

static void check_cluster(const char *what, int q, const struct cluster_result *r, size_t it,
                          size_t m)
{
    const struct cluster_item *c = &r->items[it];
    uint64_t key = c->cluster_id >> 5;
    CHECKF((int)(c->cluster_id & 31) == r->zoom && c->cluster_id < (UINT64_C(1) << 53),
           "%s q%d: cluster_id %llu", what, q, (unsigned long long)c->cluster_id);
    struct hit probe = {key, 0, 0, 0};
    size_t a = 0, b;
    while (a < m && hit_cmp(&hits[a], &probe) < 0)
        a++;
    for (b = a; b < m && hits[b].key == key; b++)
        ;
    CHECKF(c->count == b - a, "%s q%d item %zu: count %llu, brute force %zu", what, q, it,
           (unsigned long long)c->count, b - a);
    for (size_t k = 0; k < r->nkinds; k++) {
        uint32_t want = 0;
        for (size_t j = a; j < b; j++)
            want += hits[j].kind == k;
        CHECKF(r->kind_counts[it * r->nkinds + k] == want, "%s q%d item %zu kind %zu: %u != %u",
               what, q, it, k, r->kind_counts[it * r->nkinds + k], want);
    }
    CHECKF(cell_key(proj_x(c->lon), proj_y(c->lat), r->zoom + 2) == key,
           "%s q%d item %zu: position %.9f,%.9f outside its cell", what, q, it, c->lat, c->lon);
    if (c->count != b - a || b == a)
        return;
    if (c->count == 1) {
        CHECKF(c->id == hits[a].id && c->kind == hits[a].kind && c->lat == lat[hits[a].i] &&
                   c->lon == lon[hits[a].i],
               "%s q%d item %zu: lone point id %u, want %u", what, q, it, c->id, hits[a].id);
        return;
    }
    int ez = c->expansion_zoom;
    n_split_checked++;
    CHECKF(ez > r->zoom && ez <= CLUSTER_NO_SPLIT_ZOOM, "%s q%d: expansion zoom %d", what, q, ez);
    if (ez <= r->zoom || ez > CLUSTER_NO_SPLIT_ZOOM)
        return;
    CHECKF(one_cell(a, b, ez - 1), "%s q%d item %zu: not one cell at zoom %d", what, q, it, ez - 1);
    if (ez <= CLUSTER_MAX_ZOOM)
        CHECKF(!one_cell(a, b, ez), "%s q%d item %zu: one cell at expansion zoom %d", what, q, it,
               ez);
}

static uint64_t expected_cells(const double b[4], int zoom)
{
    int l = zoom + 2;
    return (cell_coord(proj_x(b[2]), l) - cell_coord(proj_x(b[0]), l) + 1) *
           (cell_coord(proj_y(b[1]), l) - cell_coord(proj_y(b[3]), l) + 1);
}

static void check_query(const struct set *s, int q, const double b[4], int zoom, size_t max_points,
                        struct cluster_result *r)
{
    int rc = cluster_query(s->ix, s->nix, b[0], b[1], b[2], b[3], zoom, max_points, 5000, r);
    uint64_t cells = expected_cells(b, zoom);
    CHECKF(r->cells == cells, "%s q%d: %llu cells, want %llu", s->name, q,
           (unsigned long long)r->cells, (unsigned long long)cells);
    if (cells > 5000) {
        CHECKF(rc == CLUSTER_ERR_TOO_MANY_CELLS && r->n == 0, "%s q%d: rc %d", s->name, q, rc);
        n_refused++;
        return;
    }
    CHECKF(rc == CLUSTER_OK, "%s q%d: rc %d", s->name, q, rc);
    size_t m = brute(s, b, zoom);
    CHECKF(r->total == m, "%s q%d zoom %d: total %llu, brute force %zu", s->name, q, zoom,
           (unsigned long long)r->total, m);
    CHECKF(r->clustered == (m > max_points), "%s q%d: clustered %d", s->name, q, r->clustered);
    uint64_t sum = 0;
    for (size_t i = 0; i < r->n; i++) {
        sum += r->items[i].count;
        if (i > 0)
            CHECKF(r->clustered ? r->items[i - 1].cluster_id < r->items[i].cluster_id
                                : r->items[i - 1].cluster_id <= r->items[i].cluster_id,
                   "%s q%d: items out of order at %zu", s->name, q, i);
    }
    CHECKF(sum == m, "%s q%d: counts add up to %llu, want %zu", s->name, q, (unsigned long long)sum,
           m);
    n_clustered += r->clustered, n_listed += !r->clustered;
    if (r->clustered) {
        for (size_t i = 0; i < r->n; i++)
            check_cluster(s->name, q, r, i, m);
        return;
    }
    CHECKF(r->n == m, "%s q%d: %zu points, want %zu", s->name, q, r->n, m);
    /* points come in Morton order, finer than cells: compare them as sets */
    static struct hit got[N];
    for (size_t i = 0; i < r->n && i < m; i++) {
        const struct cluster_item *c = &r->items[i];
        got[i] = (struct hit){c->cluster_id >> 5, c->kind, c->id, 0};
        CHECKF(c->count == 1 && r->kind_counts[i * r->nkinds + c->kind] == 1 &&
                   (c->cluster_id & 31) == (uint64_t)zoom,
               "%s q%d point %zu: count %llu", s->name, q, i, (unsigned long long)c->count);
    }
    size_t n = r->n < m ? r->n : m;
    qsort(got, n, sizeof *got, hit_cmp);
    for (size_t i = 0; i < n; i++)
        CHECKF(got[i].key == hits[i].key && got[i].id == hits[i].id && got[i].kind == hits[i].kind,
               "%s q%d point %zu: id %u kind %u, want id %u kind %u", s->name, q, i, got[i].id,
               got[i].kind, hits[i].id, hits[i].kind);
}

/*
 * A random box: near a random point, sized for the zoom. Often one edge runs
 * exactly through a point that has a twin 1e-9 degrees outside the box.
 */
static void random_box(int zoom, double b[4])
{
    size_t j = (size_t)uniform(0, N);
    int edge = (int)uniform(0, 8);
    if (edge < 4)
        j = 89 * (size_t)uniform((6000 + NDUP) / 89 + 1, N / 89); /* a twin */
    double w = 360 * ldexp(1, -zoom) * uniform(0.01, 3), h = w * uniform(0.3, 1.5);
    if (uniform(0, 1) < 0.04) /* too many cells, mostly */
        w *= 32, h *= 32;
    b[0] = lon[j] - w * uniform(0, 1), b[2] = b[0] + w;
    b[1] = lat[j] - h * uniform(0, 1), b[3] = b[1] + h;
    if (edge == 0) /* through j: its twin lies outside */
        tw(j) > 0 ? (b[2] = lon[j - 1], b[0] = fmin(b[0], b[2]))
                  : (b[0] = lon[j - 1], b[2] = fmax(b[0], b[2]));
    else if (edge == 1)
        tw(j) > 0 ? (b[1] = lat[j - 1], b[3] = fmax(b[1], b[3]))
                  : (b[3] = lat[j - 1], b[1] = fmin(b[1], b[3]));
    else if (edge == 2) /* through the twin: j lies outside */
        tw(j) > 0 ? (b[0] = lon[j], b[2] = fmax(b[0], b[2]))
                  : (b[2] = lon[j], b[0] = fmin(b[0], b[2]));
    else if (edge == 3)
        tw(j) > 0 ? (b[3] = lat[j], b[1] = fmin(b[1], b[3]))
                  : (b[1] = lat[j], b[3] = fmax(b[1], b[3]));
}

static void random_queries(const struct set *s, int nq, struct cluster_result *r)
{
    static const size_t maxp[] = {0, 10, 300, (size_t)-1};
    n_clustered = n_listed = n_refused = n_split_checked = 0;
    for (int q = 0; q < nq; q++) {
        int zoom = q % (CLUSTER_MAX_ZOOM + 1);
        double b[4];
        random_box(zoom, b);
        check_query(s, q, b, zoom, maxp[(q / 21) % 4], r);
    }
    printf("# %s: %d queries, %d clustered, %d listed, %d refused; %d splits checked\n", s->name,
           nq, n_clustered, n_listed, n_refused, n_split_checked);
}

/* Box edges exactly through points, and just inside the extent of the data. */
static void edge_boxes(const struct set *s, struct cluster_result *r)
{
    /* edges through the 60 duplicates; their twin 1e-9 degrees away is outside */
    const double dup_lat = lat[6000], dup_lon = lon[6000];
    const double edge_boxes[][4] = {
        {107.5, dup_lat, 107.7, 16.6},   {107.5, 16.3, dup_lon, 16.6},
        {dup_lon, 16.3, 107.7, 16.6},    {107.5, 16.3, 107.7, dup_lat},
        {107.5, dup_lat, dup_lon, 16.6}, {dup_lon, dup_lat, dup_lon, dup_lat},
        {107.5, 16.3, 107.7, 16.6},
    };
    for (int z = 0; z <= CLUSTER_MAX_ZOOM; z += 4)
        for (int b = 0; b < 7; b++)
            for (size_t maxp = 0; maxp <= 1000; maxp += 1000)
                check_query(s, 10000 + 10 * z + b, edge_boxes[b], z, maxp, r);
    /* edges just inside the extent of the points: the shortcut for whole data sets */
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < N; i++)
        ext[0] = fmin(ext[0], lon[i]), ext[1] = fmin(ext[1], lat[i]), ext[2] = fmax(ext[2], lon[i]),
        ext[3] = fmax(ext[3], lat[i]);
    for (int e = 0; e < 4; e++)
        for (int z = 0; z <= 4; z += 2) {
            double b[4] = {100, 5, 112, 25};
            b[e] = ext[e] + (e < 2 ? 1e-12 : -1e-12);
            check_query(s, 20000 + 10 * e + z, b, z, 0, r);
            b[e] = ext[e];
            check_query(s, 20100 + 10 * e + z, b, z, 0, r);
        }
}

static void edge_cases(struct cluster_index *all, struct cluster_result *r)
{
    const struct cluster_index *one[1] = {all};
    /* the duplicates never split */
    int rc = cluster_query(one, 1, 107.59, 16.46, 107.592, 16.465, 20, 0, 5000, r);
    CHECK(rc == CLUSTER_OK && r->clustered && r->n >= 1);
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].count >= NDUP)
            CHECKF(r->items[i].expansion_zoom == CLUSTER_NO_SPLIT_ZOOM, "duplicates: ez %d",
                   r->items[i].expansion_zoom);
    /* too many cells, reported before any work */
    rc = cluster_query(one, 1, 102.1, 8.3, 109.5, 23.4, 20, 300, 100000, r);
    CHECK(rc == CLUSTER_ERR_TOO_MANY_CELLS && r->n == 0 && r->cells > 100000);
    /* bad arguments */
    CHECK(cluster_query(one, 1, 106, 10, 105, 11, 5, 300, 5000, r) == CLUSTER_ERR_ARG);
    CHECK(cluster_query(one, 1, 105, NAN, 106, 11, 5, 300, 5000, r) == CLUSTER_ERR_ARG);
    CHECK(cluster_query(one, 1, 105, 10, 106, 11, 21, 300, 5000, r) == CLUSTER_ERR_ARG);
    CHECK(cluster_query(one, 1, 105, 10, 106, 11, -1, 300, 5000, r) == CLUSTER_ERR_ARG);
    CHECK(cluster_query(one, 1, 105, 10, 106, 11, 2147483647, 300, 5000, r) == CLUSTER_ERR_ARG);
    /* boxes crossing nothing: the sea, beyond the world */
    rc = cluster_query(one, 1, 150, -10, 160, 0, 5, 0, 5000, r);
    CHECK(rc == CLUSTER_OK && r->n == 0 && r->total == 0);
    rc = cluster_query(one, 1, 200, 10, 300, 20, 5, 0, 5000, r);
    CHECK(rc == CLUSTER_OK && r->n == 0 && r->total == 0);
    /* an empty index, a NULL one, none at all */
    struct cluster_index *empty = cluster_index_build(NULL, NULL, NULL, 0);
    CHECK(empty != NULL && cluster_index_size(empty) == 0);
    const struct cluster_index *two[2] = {empty, NULL};
    rc = cluster_query(two, 2, -180, -90, 180, 90, 0, 0, 5000, r);
    CHECK(rc == CLUSTER_OK && r->n == 0 && r->total == 0 && r->cells == 16);
    rc = cluster_query(NULL, 0, 102.1, 8.3, 109.5, 23.4, 3, 0, 5000, r);
    CHECK(rc == CLUSTER_OK && r->n == 0 && r->total == 0);
    cluster_index_free(empty);
    /* invalid coordinates are refused at build time */
    double bad_lat[1] = {91}, bad_lon[1] = {0};
    uint32_t bad_id[1] = {1};
    CHECK(cluster_index_build(bad_lat, bad_lon, bad_id, 1) == NULL);
}

static double cpu_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void time_query(const struct cluster_index *ix, const char *what, const double b[4],
                       int zoom, size_t want, struct cluster_result *r)
{
    int reps = 100;
    int rc = cluster_query(&ix, 1, b[0], b[1], b[2], b[3], zoom, 300, 10000, r);
    double us = INFINITY; /* the best of 5 batches: the machine may be busy */
    for (int batch = 0; batch < 5; batch++) {
        double t0 = cpu_us();
        for (int i = 0; i < reps; i++)
            cluster_query(&ix, 1, b[0], b[1], b[2], b[3], zoom, 300, 10000, r);
        us = fmin(us, (cpu_us() - t0) / reps);
    }
    CHECKF(rc == CLUSTER_OK && r->total == want, "timing %s: rc %d, total %llu, want %zu", what, rc,
           (unsigned long long)r->total, want);
    printf("# %-34s zoom %2d: %6.1f us/query, %zu items, %llu points\n", what, zoom, us, r->n,
           (unsigned long long)r->total);
}

/* Not an assertion on speed: numbers for the lead to quote. */
static void timing(void)
{
    double *hl = malloc(HUGE_N * sizeof *hl), *ho = malloc(HUGE_N * sizeof *ho);
    uint32_t *hid = malloc(HUGE_N * sizeof *hid);
    CHECK(hl && ho && hid);
    if (!hl || !ho || !hid)
        goto out;
    for (size_t i = 0; i < HUGE_N; i++) {
        hid[i] = (uint32_t)i;
        if (i % 10 < 2)
            hl[i] = 21.0285 + uniform(-0.3, 0.3), ho[i] = 105.8542 + uniform(-0.3, 0.3);
        else if (i % 10 < 4)
            hl[i] = 10.7769 + uniform(-0.3, 0.3), ho[i] = 106.7009 + uniform(-0.3, 0.3);
        else
            hl[i] = uniform(8.3, 23.4), ho[i] = uniform(102.1, 109.5);
    }
    double t0 = cpu_us();
    struct cluster_index *ix = cluster_index_build(hl, ho, hid, HUGE_N);
    printf("# build %d points: %.0f ms\n", HUGE_N, (cpu_us() - t0) / 1e3);
    CHECK(ix != NULL);
    if (ix == NULL)
        goto out;
    struct cluster_result r = {0};
    const double vn[4] = {102.1, 8.3, 109.5, 23.4}, inner[4] = {102.3, 8.5, 109.3, 23.2};
    const double hanoi[4] = {105.63, 20.89, 106.07, 21.16};
    size_t n_inner = 0, n_hanoi = 0;
    for (size_t i = 0; i < HUGE_N; i++) {
        n_inner += ho[i] >= inner[0] && hl[i] >= inner[1] && ho[i] <= inner[2] && hl[i] <= inner[3];
        n_hanoi += ho[i] >= hanoi[0] && hl[i] >= hanoi[1] && ho[i] <= hanoi[2] && hl[i] <= hanoi[3];
    }
    time_query(ix, "whole Viet Nam box", vn, 5, HUGE_N, &r);
    time_query(ix, "box cutting through the points", inner, 5, n_inner, &r);
    time_query(ix, "Ha Noi viewport 1280x800 px", hanoi, 12, n_hanoi, &r);
    cluster_result_free(&r);
    cluster_index_free(ix);
out:
    free(hl), free(ho), free(hid);
}

int main(void)
{
    make_points();
    struct cluster_index *all = cluster_index_build(lat, lon, ids, N);
    CHECK(all != NULL && cluster_index_size(all) == N);
    static double plat[3][N], plon[3][N];
    static uint32_t pid[3][N];
    size_t cnt[3] = {0};
    for (size_t i = 0; i < N; i++) {
        int g = (int)(i % 3);
        plat[g][cnt[g]] = lat[i], plon[g][cnt[g]] = lon[i], pid[g][cnt[g]++] = ids[i];
    }
    struct cluster_index *part[3];
    for (int g = 0; g < 3; g++)
        part[g] = cluster_index_build(plat[g], plon[g], pid[g], cnt[g]);
    if (!all || !part[0] || !part[1] || !part[2])
        return harness_done();

    struct cluster_result r = {0}; /* reused by every query */
    struct set one = {"one index", {all}, {-1}, 1};
    struct set three = {"three kinds", {part[0], part[1], part[2]}, {0, 1, 2}, 3};
    struct set two = {"two kinds + NULL", {part[2], NULL, part[0]}, {2, -2, 0}, 3};
    random_queries(&one, 1500, &r);
    random_queries(&three, 800, &r);
    random_queries(&two, 400, &r);
    edge_boxes(&one, &r);
    edge_boxes(&three, &r);
    edge_cases(all, &r);
    cluster_result_free(&r);

    for (int g = 0; g < 3; g++)
        cluster_index_free(part[g]);
    cluster_index_free(all);
    timing();
    return harness_done();
}
