/*
 * Request flow: libmicrohttpd calls on_request on one of its pool threads;
 * we take a reference to the current release, collect the query parameters,
 * let the router and a handler fill a struct http_response, and queue it.
 * Nothing here blocks except the handler's own work.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "store/release.h"

#define CORS_ALLOW_HEADERS "Accept, Accept-Encoding, If-None-Match, Content-Type"
#define CACHE_DATA "public, max-age=300"
#define CACHE_ERROR "no-store"

struct server {
    struct release_slot *slot;
    unsigned threads; /* request threads, and so SQLite connections per release */
};

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    params_add(cls, key, key_size, value, value_size);
    return MHD_YES;
}

/* Whether an If-None-Match header value lists etag (or is "*"). */
static bool etag_matches(const char *header, const char *etag)
{
    size_t n = strlen(etag);
    const char *p = header;
    while (p && *p) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && memcmp(p, etag, n) == 0)
            return true;
        p = strchr(p, ',');
    }
    return false;
}

static void add_common_headers(struct MHD_Response *r, const struct http_response *rs,
                               const char *etag)
{
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "ETag, Link");
    if (rs->content_type && rs->status != 304)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    const char *cc = rs->cache_control ? rs->cache_control : (rs->etag ? CACHE_DATA : CACHE_ERROR);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
    if (rs->etag)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    if (rs->link && rs->status == 200)
        MHD_add_response_header(r, "Link", rs->link);
    if (rs->status == 200 || rs->status == 304)
        MHD_add_response_header(r, "Vary", "Accept");
    if (rs->status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
}

static enum MHD_Result queue(struct MHD_Connection *c, struct http_response *rs, const char *etag)
{
    struct MHD_Response *r;
    if (rs->status == 304 || rs->status == 204) {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        free(rs->body);
    } else {
        r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
    }
    rs->body = NULL;
    if (r != NULL)
        add_common_headers(r, rs, etag);
    free(rs->link);
    rs->link = NULL;
    if (r == NULL)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result answer_options(struct MHD_Connection *c, const char *path)
{
    struct http_response rs = {.status = 204, .cache_control = "max-age=86400"};
    if (router_match(path, NULL) == NULL) {
        char instance[3 * 200 + 4];
        problem_instance(instance, sizeof instance, path);
        response_error(&rs, instance, 404, NULL, "no resource at this path");
        return queue(c, &rs, NULL);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    add_common_headers(r, &rs, NULL);
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
    enum MHD_Result ret = MHD_queue_response(c, 204, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version, (void)upload_data, (void)con_cls;
    struct server *srv = cls;
    /* Any request body is ignored: no endpoint takes one. */
    *upload_size = 0;
    if (strcmp(method, "OPTIONS") == 0)
        return answer_options(c, url);

    char instance[3 * 200 + 4];
    problem_instance(instance, sizeof instance, url);
    struct http_request rq = {.method = method, .path = url, .instance = instance};
    struct http_response rs = {0};
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_param, &rq.params);
    rq.accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    rq.release = release_slot_get(srv->slot);
    router_dispatch(&rq, &rs);

    char etag[80];
    snprintf(etag, sizeof etag, "\"%s\"", release_id(rq.release));
    release_unref(rq.release);
    const char *inm =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (rs.status == 200 && rs.etag && inm && etag_matches(inm, etag))
        rs.status = 304;
    return queue(c, &rs, etag);
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("bhxh-geo: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

static int make_addr(const char *bind, unsigned port, struct sockaddr_storage *ss, bool *v6)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, bind, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *v6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, bind, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *v6 = true;
        return 0;
    }
    return -1;
}

static struct MHD_Daemon *start_daemon(const struct server_config *cfg, struct server *srv,
                                       struct err *e)
{
    struct sockaddr_storage ss;
    bool v6;
    if (make_addr(cfg->bind, cfg->port, &ss, &v6) != 0) {
        err_set(e, "--bind: \"%s\" is not a numeric IPv4 or IPv6 address", cfg->bind);
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
        log_mhd, NULL, MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_THREAD_POOL_SIZE, srv->threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections ? cfg->max_connections : 1024,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 15, MHD_OPTION_END);
    if (d == NULL)
        err_set(e, "cannot listen on %s port %u (in use, or not an address of this machine?)",
                cfg->bind, cfg->port);
    return d;
}

static void reload(struct server *srv, const char *path, unsigned threads)
{
    struct err e;
    struct release *r = release_open(path, threads, &e);
    if (r == NULL) {
        fprintf(stderr, "bhxh-geo: reload refused, still serving the old release: %s\n", e.msg);
        return;
    }
    fprintf(stderr, "bhxh-geo: reloaded %s: release %s, %zu places\n", path, release_id(r),
            release_place_count(r));
    release_slot_set(srv->slot, r);
}

int server_run(const struct server_config *cfg, struct err *e)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (cpus > 0 ? (unsigned)cpus : 1);
    struct release *r = release_open(cfg->db_path, threads, e);
    if (r == NULL)
        return 1;
    struct server srv = {.slot = release_slot_new(r), .threads = threads};
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    /* Block before the daemon starts so its threads inherit the mask and sigwait sees all. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = start_daemon(cfg, &srv, e);
    if (d == NULL) {
        release_slot_free(srv.slot);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    bool v6 = strchr(cfg->bind, ':') != NULL;
    printf("listening on http://%s%s%s:%u\n", v6 ? "[" : "", cfg->bind, v6 ? "]" : "",
           info ? info->port : cfg->port);
    fflush(stdout);
    fprintf(stderr, "bhxh-geo: serving release %s (%zu places) from %s\n", release_id(r),
            release_place_count(r), cfg->db_path);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0 || sig == SIGINT || sig == SIGTERM)
            break;
        reload(&srv, cfg->db_path, srv.threads);
    }
    fprintf(stderr, "bhxh-geo: shutting down\n");
    MHD_stop_daemon(d);
    release_slot_free(srv.slot);
    return 0;
}
