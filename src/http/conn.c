/*
 * One mutex guards the list of connections and the per-address counts; it
 * is taken at accept, at close, at request begin/end, and by the watchdog
 * every WATCH_INTERVAL. The watchdog calls shutdown(2) on a late connection
 * while holding the mutex: MHD reports the close (and so removes the
 * context) before it closes the descriptor, so the descriptor cannot have
 * been reused by then.
 */
#include "http/conn.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <arpa/inet.h>

#include "http/accesslog.h"
#include "http/metrics.h"

#define WATCH_INTERVAL_MS 200
#define IP_BUCKETS 1024

struct ip_count {
    unsigned char key[16];
    unsigned n;
    struct ip_count *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct conn_ctx *conns;
static struct ip_count *by_ip[IP_BUCKETS];
static unsigned open_total;
static struct conn_limits limits = {1024, 128, 10};
static atomic_long in_flight;
static pthread_t watchdog;
static atomic_bool stopping;
static bool running;

double conn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* IPv4 addresses are stored v4-mapped so both families share one key space. */
static void addr_key(const struct sockaddr *a, unsigned char key[16])
{
    memset(key, 0, 16);
    if (a->sa_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
    } else if (a->sa_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)a)->sin_addr, 4);
    }
}

static struct ip_count **ip_slot(const unsigned char key[16])
{
    unsigned h = 2166136261u;
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    struct ip_count **p = &by_ip[h % IP_BUCKETS];
    while (*p && memcmp((*p)->key, key, 16) != 0)
        p = &(*p)->next;
    return p;
}

enum MHD_Result conn_accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)cls, (void)addrlen;
    unsigned char key[16];
    addr_key(addr, key);
    pthread_mutex_lock(&mu);
    struct ip_count **slot = ip_slot(key);
    bool ok = open_total < limits.max_connections && (*slot == NULL || (*slot)->n < limits.max_per_ip);
    if (ok && *slot == NULL && (*slot = calloc(1, sizeof **slot)) != NULL)
        memcpy((*slot)->key, key, 16);
    ok = ok && *slot != NULL;
    if (ok) {
        (*slot)->n++;
        open_total++;
    }
    pthread_mutex_unlock(&mu);
    if (!ok)
        metrics_connection_rejected();
    return ok ? MHD_YES : MHD_NO;
}

static void release_slot(const unsigned char key[16])
{
    struct ip_count **slot = ip_slot(key);
    if (*slot && --(*slot)->n == 0) {
        struct ip_count *dead = *slot;
        *slot = dead->next;
        free(dead);
    }
    open_total--;
}

static struct conn_ctx *ctx_new(struct MHD_Connection *c)
{
    struct conn_ctx *cc = calloc(1, sizeof *cc);
    if (cc == NULL)
        return NULL;
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    cc->fd = fd ? fd->connect_fd : -1;
    cc->route = -1;
    if (ad && ad->client_addr) {
        addr_key(ad->client_addr, cc->key);
        if (ad->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)ad->client_addr)->sin_addr, cc->ip,
                      sizeof cc->ip);
        else
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ad->client_addr)->sin6_addr, cc->ip,
                      sizeof cc->ip);
    }
    return cc;
}

void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                 enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn_ctx *cc = ctx_new(c);
        *socket_context = cc;
        if (cc == NULL)
            return;
        metrics_connection_open(1);
        pthread_mutex_lock(&mu);
        cc->deadline = conn_now() + limits.request_timeout;
        cc->next = conns;
        if (conns)
            conns->prev = cc;
        conns = cc;
        pthread_mutex_unlock(&mu);
        return;
    }
    struct conn_ctx *cc = *socket_context;
    if (cc == NULL)
        return;
    pthread_mutex_lock(&mu);
    if (cc->prev)
        cc->prev->next = cc->next;
    else
        conns = cc->next;
    if (cc->next)
        cc->next->prev = cc->prev;
    release_slot(cc->key);
    pthread_mutex_unlock(&mu);
    if (cc->in_request)
        atomic_fetch_sub(&in_flight, 1);
    metrics_connection_open(-1);
    free(cc);
    *socket_context = NULL;
}

struct conn_ctx *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

void conn_request_begin(struct conn_ctx *cc)
{
    atomic_fetch_add(&in_flight, 1);
    pthread_mutex_lock(&mu);
    cc->deadline = 0;
    cc->in_request = true;
    pthread_mutex_unlock(&mu);
    cc->started = conn_now();
}

void conn_request_end(struct conn_ctx *cc)
{
    pthread_mutex_lock(&mu);
    bool was = cc->in_request;
    cc->in_request = false;
    cc->deadline = conn_now() + limits.request_timeout;
    pthread_mutex_unlock(&mu);
    if (was)
        atomic_fetch_sub(&in_flight, 1);
}

long conn_requests_in_flight(void)
{
    return atomic_load(&in_flight);
}

static void *watch(void *arg)
{
    (void)arg;
    struct timespec tick = {0, WATCH_INTERVAL_MS * 1000000L};
    while (!atomic_load(&stopping)) {
        nanosleep(&tick, NULL);
        double now = conn_now();
        pthread_mutex_lock(&mu);
        for (struct conn_ctx *cc = conns; cc; cc = cc->next)
            if (cc->deadline > 0 && now > cc->deadline && !cc->dropped && cc->fd >= 0) {
                shutdown(cc->fd, SHUT_RDWR);
                cc->dropped = true;
                metrics_connection_timed_out();
            }
        pthread_mutex_unlock(&mu);
        accesslog_flush();
    }
    return NULL;
}

int conn_start(const struct conn_limits *l)
{
    limits = *l;
    atomic_store(&stopping, false);
    if (pthread_create(&watchdog, NULL, watch, NULL) != 0)
        return -1;
    running = true;
    return 0;
}

void conn_stop(void)
{
    if (!running)
        return;
    atomic_store(&stopping, true);
    pthread_join(watchdog, NULL);
    running = false;
}
