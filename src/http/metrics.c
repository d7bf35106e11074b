/*
 * Request counts are kept per (route, status class slot) and latencies in a
 * fixed histogram per route, both as arrays of atomics indexed directly, so
 * recording a request is a few relaxed increments.
 */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "http/response.h"
#include "http/router.h"
#include "store/release.h"
#include "util/buf.h"

static const unsigned statuses[] = {200, 204, 206, 304, 400, 404, 405, 406, 413,
                                    414, 416, 429, 431, 500, 503};
#define NSTATUS (sizeof statuses / sizeof *statuses)
#define STATUS_OTHER NSTATUS

/* Upper bounds in seconds; the last bucket is +Inf. */
static const double bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
#define NBOUNDS (sizeof bounds / sizeof *bounds)

static atomic_ulong requests[METRICS_MAX_ROUTES][NSTATUS + 1];
static atomic_ulong buckets[METRICS_MAX_ROUTES][NBOUNDS + 1];
static atomic_ullong latency_ns[METRICS_MAX_ROUTES];
static atomic_ullong bytes_sent;
static atomic_ulong conn_rejected, conn_timed_out, reloads_ok, reloads_failed;
static atomic_long conn_open;

static int route_slot(int route)
{
    return route >= 0 && route < METRICS_MAX_ROUTES - 1 ? route : METRICS_MAX_ROUTES - 1;
}

void metrics_request(int route, unsigned status, double seconds, size_t bytes)
{
    int r = route_slot(route);
    size_t s = STATUS_OTHER, b = NBOUNDS;
    for (size_t i = 0; i < NSTATUS; i++)
        if (statuses[i] == status)
            s = i;
    for (size_t i = 0; i < NBOUNDS; i++)
        if (seconds <= bounds[i]) {
            b = i;
            break;
        }
    atomic_fetch_add_explicit(&requests[r][s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&buckets[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&latency_ns[r], (unsigned long long)(seconds * 1e9),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&bytes_sent, bytes, memory_order_relaxed);
}

void metrics_connection_rejected(void)
{
    atomic_fetch_add_explicit(&conn_rejected, 1, memory_order_relaxed);
}

void metrics_connection_timed_out(void)
{
    atomic_fetch_add_explicit(&conn_timed_out, 1, memory_order_relaxed);
}

void metrics_connection_open(int delta)
{
    atomic_fetch_add_explicit(&conn_open, delta, memory_order_relaxed);
}

void metrics_reload(bool ok)
{
    atomic_fetch_add_explicit(ok ? &reloads_ok : &reloads_failed, 1, memory_order_relaxed);
}

static const char *route_label(int r)
{
    const char *name = r < METRICS_MAX_ROUTES - 1 ? router_route_pattern(r) : NULL;
    return name ? name : "(none)";
}

static void render_requests(struct buf *b)
{
    buf_puts(b, "# HELP bhxh_http_requests_total HTTP requests answered, by route and status.\n"
                "# TYPE bhxh_http_requests_total counter\n");
    for (int r = 0; r < METRICS_MAX_ROUTES; r++)
        for (size_t s = 0; s <= NSTATUS; s++) {
            unsigned long n = atomic_load_explicit(&requests[r][s], memory_order_relaxed);
            if (n == 0)
                continue;
            char code[8];
            snprintf(code, sizeof code, s < NSTATUS ? "%u" : "other", s < NSTATUS ? statuses[s] : 0);
            buf_printf(b, "bhxh_http_requests_total{route=\"%s\",status=\"%s\"} %lu\n",
                       route_label(r), code, n);
        }
}

static void render_latency(struct buf *b)
{
    buf_puts(b, "# HELP bhxh_http_request_duration_seconds Time from request to response sent.\n"
                "# TYPE bhxh_http_request_duration_seconds histogram\n");
    for (int r = 0; r < METRICS_MAX_ROUTES; r++) {
        unsigned long total = 0, cum = 0;
        for (size_t i = 0; i <= NBOUNDS; i++)
            total += atomic_load_explicit(&buckets[r][i], memory_order_relaxed);
        if (total == 0)
            continue;
        const char *name = route_label(r);
        for (size_t i = 0; i <= NBOUNDS; i++) {
            cum += atomic_load_explicit(&buckets[r][i], memory_order_relaxed);
            if (i < NBOUNDS)
                buf_printf(b, "bhxh_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                           name, bounds[i], cum);
            else
                buf_printf(b, "bhxh_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                           name, cum);
        }
        buf_printf(b, "bhxh_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n", name,
                   atomic_load_explicit(&latency_ns[r], memory_order_relaxed) / 1e9);
        buf_printf(b, "bhxh_http_request_duration_seconds_count{route=\"%s\"} %lu\n", name, cum);
    }
}

/* Seconds since an ISO 8601 UTC time like 2026-11-25T00:14:46Z, or -1. */
static double age_of(const char *built_at)
{
    struct tm tm = {0};
    if (built_at == NULL || strptime(built_at, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return -1;
    return difftime(time(NULL), timegm(&tm));
}

static void render_release(struct buf *b, const struct release *rel)
{
    buf_printf(b,
               "# HELP bhxh_release_info The data release being served.\n"
               "# TYPE bhxh_release_info gauge\n"
               "bhxh_release_info{release=\"%s\",built_at=\"%s\"} 1\n"
               "# HELP bhxh_release_age_seconds Seconds since the release was built.\n"
               "# TYPE bhxh_release_age_seconds gauge\n"
               "bhxh_release_age_seconds %.0f\n"
               "# HELP bhxh_release_places Places in the release.\n"
               "# TYPE bhxh_release_places gauge\n"
               "bhxh_release_places %zu\n",
               release_id(rel), release_built_at(rel), age_of(release_built_at(rel)),
               release_place_count(rel));
    buf_printf(b,
               "# HELP bhxh_reloads_total Release reloads, by result.\n"
               "# TYPE bhxh_reloads_total counter\n"
               "bhxh_reloads_total{result=\"ok\"} %lu\n"
               "bhxh_reloads_total{result=\"refused\"} %lu\n",
               atomic_load(&reloads_ok), atomic_load(&reloads_failed));
}

static void render_connections(struct buf *b)
{
    buf_printf(b,
               "# HELP bhxh_connections_open Client connections open now.\n"
               "# TYPE bhxh_connections_open gauge\n"
               "bhxh_connections_open %ld\n"
               "# HELP bhxh_connections_rejected_total Connections refused over a limit.\n"
               "# TYPE bhxh_connections_rejected_total counter\n"
               "bhxh_connections_rejected_total %lu\n"
               "# HELP bhxh_connections_timed_out_total Connections dropped for sending no "
               "complete request in time.\n"
               "# TYPE bhxh_connections_timed_out_total counter\n"
               "bhxh_connections_timed_out_total %lu\n"
               "# HELP bhxh_http_response_bytes_total Body bytes of all responses.\n"
               "# TYPE bhxh_http_response_bytes_total counter\n"
               "bhxh_http_response_bytes_total %llu\n",
               atomic_load(&conn_open), atomic_load(&conn_rejected), atomic_load(&conn_timed_out),
               atomic_load(&bytes_sent));
}

void metrics_handler(const struct http_request *rq, struct http_response *rs)
{
    static const char *const allowed[] = {NULL};
    struct http_problem pb;
    if (params_validate(&rq->params, allowed, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    struct buf b = {0};
    render_requests(&b);
    render_latency(&b);
    render_release(&b, rq->release);
    render_connections(&b);
    response_buf(rs, "text/plain; version=0.0.4; charset=utf-8", &b);
    rs->etag = false;
    rs->cache_control = "no-store";
    buf_free(&b);
}
