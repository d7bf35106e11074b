/*
 * micro_nearest: the server-side work of GET /v1/nearest without HTTP, on a
 * real release: k nearest by exact geodesic distance, then the JSON answer.
 * Prints median and p99 per query in microseconds. Not a test: a benchmark
 * run by scripts/bench (usage: micro_nearest RELEASE.sqlite [QUERIES]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/place_list.h"
#include "geo/kdtree.h"
#include "store/release.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static double uniform(double lo, double hi)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

static void report(const char *what, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("%-28s median %7.2f us   p99 %7.2f us\n", what, t[n / 2], t[n * 99 / 100]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: micro_nearest RELEASE.sqlite [QUERIES]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    struct err e = {{0}};
    struct release *r = release_open(argv[1], 1, RELEASE_CHECK_SCHEMA, &e);
    if (r == NULL) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    double *search = calloc((size_t)n, sizeof *search), *full = calloc((size_t)n, sizeof *full);
    struct geo_hit hits[10];
    struct place_item items[10];
    for (int i = 0; i < n; i++) {
        double lat = uniform(8.6, 23.0), lon = uniform(104.5, 109.0);
        double t0 = now_us();
        struct geo_knn s;
        geo_knn_begin(&s, lat, lon, 10, 0, hits);
        for (int k = 0; k < PLACE_KIND_COUNT; k++)
            geo_knn_search(&s, release_index(r, (enum place_kind)k));
        size_t m = geo_knn_finish(&s);
        double t1 = now_us();
        for (size_t j = 0; j < m; j++)
            items[j] = (struct place_item){release_place(r, hits[j].id), hits[j].distance_m, 0};
        struct buf b = {0};
        place_list_render(OUT_JSON, json_pack("{s:s}", "release", release_id(r)), items, m,
                          EXTRA_DISTANCE, &b);
        buf_free(&b);
        double t2 = now_us();
        search[i] = t1 - t0;
        full[i] = t2 - t0;
    }
    printf("release %s, %zu places, %d random queries in Viet Nam's box, k=10 all kinds\n",
           release_id(r), release_place_count(r), n);
    report("nearest search", search, n);
    report("search + JSON answer", full, n);
    free(search);
    free(full);
    release_unref(r);
    return 0;
}
