/*
 * micro_map: the server-side work of GET /v1/map without HTTP, on a real
 * release: parameters, clustering and the JSON answer, through api_map
 * itself. The boxes are the benchmark's (scripts/bench.d/wrk.lua): a 1280 x
 * 800 pixel viewport at zoom 10 or 15 around a place of the release picked at
 * random (so population-weighted), moved by up to ~5 km; zoom 5 is the whole
 * country. Prints median and p99 per request in microseconds and the mean
 * answer size. Not a test: a benchmark (usage: micro_map RELEASE.sqlite
 * [REQUESTS [ZOOM]]); under callgrind, use few requests (e.g. 200).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "http/request.h"
#include "store/place.h"
#include "store/release.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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

/* The bench's viewport (wrk.lua) at zoom z around a random place. */
static void viewport(const struct release *r, int z, char *bbox, size_t size)
{
    size_t n = release_place_count(r);
    const struct place *p = release_place(r, (uint32_t)uniform(0, (double)n));
    double lat = p->lat + uniform(-0.05, 0.05), lon = p->lon + uniform(-0.05, 0.05);
    double dlon = 1280 * 360 / (256 * pow(2, z));
    double dlat = 800 * 360 / (256 * pow(2, z)) * cos(lat * M_PI / 180);
    snprintf(bbox, size, "%.5f,%.5f,%.5f,%.5f", lon - dlon / 2, lat - dlat / 2, lon + dlon / 2,
             lat + dlat / 2);
}

static void run(struct release *r, int z, int n)
{
    double *t = calloc((size_t)n, sizeof *t);
    double bytes = 0;
    int fails = 0;
    char bbox[128], zoom[8];
    snprintf(zoom, sizeof zoom, "%d", z);
    double cpu = 0;
    for (int i = 0; i < n; i++) {
        if (z == 5)
            snprintf(bbox, sizeof bbox, "102,6.5,117.5,23.5");
        else
            viewport(r, z, bbox, sizeof bbox);
        struct http_request rq = {.method = "GET", .path = "/v1/map", .instance = "/v1/map",
                                  .release = r, .route_index = -1};
        params_add(&rq.params, "bbox", 4, bbox, strlen(bbox));
        params_add(&rq.params, "zoom", 4, zoom, strlen(zoom));
        struct http_response rs = {0};
        double t0 = now_us(), c0 = cpu_us();
        api_map(&rq, &rs);
        t[i] = now_us() - t0;
        cpu += cpu_us() - c0;
        fails += rs.status != 200;
        bytes += (double)rs.len;
        free(rs.body);
        free(rs.link);
    }
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    printf("zoom %2d: %d requests, median %7.1f us, p99 %7.1f us, mean CPU %7.1f us, mean answer "
           "%.0f bytes%s\n",
           z, n, t[n / 2], t[n * 99 / 100], cpu / n, bytes / n, fails ? " (some not 200!)" : "");
    free(t);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: micro_map RELEASE.sqlite [REQUESTS [ZOOM]]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    int only = argc > 3 ? atoi(argv[3]) : -1;
    if (n < 1) {
        fprintf(stderr, "micro_map: REQUESTS must be a positive number\n");
        return 2;
    }
    struct err e = {{0}};
    struct release *r = release_open(argv[1], 1, RELEASE_CHECK_SCHEMA, &e);
    if (r == NULL) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    printf("release %s, %zu places\n", release_id(r), release_place_count(r));
    static const int zooms[] = {5, 10, 15};
    for (size_t i = 0; i < sizeof zooms / sizeof *zooms; i++)
        if (only < 0 || only == zooms[i])
            run(r, zooms[i], n);
    release_unref(r);
    return 0;
}
