/* The k-d tree's k nearest must equal a brute-force ranking by geodesic distance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "geo/geodesic.h"
#include "geo/kdtree.h"
#include "harness.h"

#define N 5000

static unsigned long long rng = 88172645463325252ULL;

static double uniform(double lo, double hi)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

static double lat[N], lon[N];
static uint32_t ids[N];

static int cmp_hit(const void *a, const void *b)
{
    const struct geo_hit *x = a, *y = b;
    if (x->distance_m != y->distance_m)
        return x->distance_m < y->distance_m ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id);
}

/* Brute force over all points with id in [0, n) whose id % mod == rem. */
static size_t brute(double qlat, double qlon, size_t k, double max_m, int mod, int rem,
                    struct geo_hit *out)
{
    static struct geo_hit all[N];
    size_t m = 0;
    for (size_t i = 0; i < N; i++) {
        if ((int)(ids[i] % (unsigned)mod) != rem)
            continue;
        double d = geo_distance_m(qlat, qlon, lat[i], lon[i]);
        if (max_m <= 0 || d <= max_m)
            all[m++] = (struct geo_hit){ids[i], d};
    }
    qsort(all, m, sizeof *all, cmp_hit);
    size_t n = m < k ? m : k;
    for (size_t i = 0; i < n; i++)
        out[i] = all[i];
    return n;
}

static void compare(const char *what, int q, const struct geo_hit *a, size_t na,
                    const struct geo_hit *b, size_t nb)
{
    CHECKF(na == nb, "%s query %d: %zu hits, brute force %zu", what, q, na, nb);
    for (size_t i = 0; i < na && i < nb; i++)
        CHECKF(a[i].id == b[i].id && a[i].distance_m == b[i].distance_m,
               "%s query %d rank %zu: id %u (%.3f m), brute force id %u (%.3f m)", what, q, i,
               a[i].id, a[i].distance_m, b[i].id, b[i].distance_m);
}

int main(void)
{
    for (size_t i = 0; i < N; i++) {
        lat[i] = uniform(8.3, 23.4), lon[i] = uniform(102.1, 109.5), ids[i] = (uint32_t)i;
        if (i % 50 == 1) /* exact duplicates: ties must be broken by id */
            lat[i] = lat[i - 1], lon[i] = lon[i - 1];
    }
    struct geo_index *all = geo_index_build(lat, lon, ids, N);
    CHECK(all != NULL && geo_index_size(all) == N);

    struct geo_hit got[100], want[100];
    for (int q = 0; q < 200; q++) {
        double qlat = uniform(7, 24), qlon = uniform(101, 112);
        if (q % 10 == 0) /* query exactly on a stored point */
            qlat = lat[q * 7], qlon = lon[q * 7];
        size_t k = 1 + (size_t)q % 30;
        double max_m = q % 3 == 0 ? uniform(1000, 80000) : 0;
        struct geo_knn s;
        geo_knn_begin(&s, qlat, qlon, k, max_m, got);
        geo_knn_search(&s, all);
        size_t n = geo_knn_finish(&s);
        compare("single", q, got, n, want, brute(qlat, qlon, k, max_m, 1, 0, want));
    }

    /* Split the points into 3 indexes (like the 3 kinds) and search two of them together. */
    static double plat[3][N], plon[3][N];
    static uint32_t pid[3][N];
    size_t cnt[3] = {0};
    for (size_t i = 0; i < N; i++) {
        int g = (int)(i % 3);
        plat[g][cnt[g]] = lat[i], plon[g][cnt[g]] = lon[i], pid[g][cnt[g]++] = (uint32_t)i;
    }
    struct geo_index *part[3];
    for (int g = 0; g < 3; g++)
        part[g] = geo_index_build(plat[g], plon[g], pid[g], cnt[g]);
    for (int q = 0; q < 50; q++) {
        double qlat = uniform(8, 23), qlon = uniform(102, 110);
        struct geo_knn s;
        geo_knn_begin(&s, qlat, qlon, 10, 0, got);
        geo_knn_search(&s, part[0]);
        geo_knn_search(&s, part[2]);
        size_t n = geo_knn_finish(&s);
        /* brute force over ids with i % 3 in {0, 2}: merge two filtered lists */
        struct geo_hit w0[10], w2[10], merged[20];
        size_t n0 = brute(qlat, qlon, 10, 0, 3, 0, w0), n2 = brute(qlat, qlon, 10, 0, 3, 2, w2);
        for (size_t i = 0; i < n0; i++)
            merged[i] = w0[i];
        for (size_t i = 0; i < n2; i++)
            merged[n0 + i] = w2[i];
        qsort(merged, n0 + n2, sizeof *merged, cmp_hit);
        compare("two kinds", q, got, n, merged, n0 + n2 < 10 ? n0 + n2 : 10);
    }

    /* Edge cases: empty index, k larger than the index. */
    struct geo_index *empty = geo_index_build(NULL, NULL, NULL, 0);
    CHECK(empty != NULL && geo_index_size(empty) == 0);
    struct geo_knn s;
    geo_knn_begin(&s, 10, 105, 5, 0, got);
    geo_knn_search(&s, empty);
    CHECK(geo_knn_finish(&s) == 0);
    struct geo_index *three = geo_index_build(lat, lon, ids, 3);
    geo_knn_begin(&s, 10, 105, 10, 0, got);
    geo_knn_search(&s, three);
    CHECK(geo_knn_finish(&s) == 3);
    CHECK(got[0].distance_m <= got[1].distance_m && got[1].distance_m <= got[2].distance_m);

    geo_index_free(three);
    geo_index_free(empty);
    for (int g = 0; g < 3; g++)
        geo_index_free(part[g]);
    geo_index_free(all);
    return harness_done();
}
