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
#include <sys/stat.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "api/api.h"
#include "http/accesslog.h"
#include "http/conn.h"
#include "http/headers.h"
#include "http/metrics.h"
#include "http/paging.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "http/static.h"
#include "store/release.h"
#include "util/prio.h"

#define CORS_ALLOW_HEADERS                                                                         \
    "Accept, Accept-Encoding, If-None-Match, If-Modified-Since, If-Range, Range, Content-Type"
#define CACHE_DATA "public, max-age=300"
#define CACHE_ERROR "no-store"

struct server {
    struct release_slot *slot;
    unsigned threads; /* request threads, and so SQLite connections per release */
    /* The web widget's files, read at start. */
    struct static_site *web;
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
    MHD_add_response_header(r, "Access-Control-Expose-Headers",
                            "ETag, Link, Content-Disposition, Content-Range, X-Release");
    /* Which release answered: behind a load balancer, replicas can be told apart. */
    if (rs->release_id)
        MHD_add_response_header(r, "X-Release", rs->release_id);
    if (rs->content_type && rs->status != 304)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    const char *cc = rs->cache_control ? rs->cache_control : (rs->etag ? CACHE_DATA : CACHE_ERROR);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
    if (rs->etag)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    if (rs->link && rs->status == 200)
        MHD_add_response_header(r, "Link", rs->link);
    if (rs->status == 200 || rs->status == 206 || rs->status == 304)
        MHD_add_response_header(r, "Vary", rs->vary ? rs->vary : "Accept");
    if (rs->status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, OPTIONS");
    if (rs->last_modified != 0 && rs->status != 304) {
        char date[40];
        header_date_format(rs->last_modified, date, sizeof date);
        MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
    }
    for (size_t i = 0; i < rs->nheaders && rs->status != 304; i++)
        MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
}

/*
 * The body of a download: the file's bytes, read by the library as it sends
 * (sendfile where it can), so no download is ever held in memory. The
 * response owns the descriptor from here on.
 */
static struct MHD_Response *file_response(struct http_response *rs)
{
    rs->has_file = false;
    struct MHD_Response *r =
        MHD_create_response_from_fd_at_offset64(rs->len, rs->file_fd, rs->file_offset);
    if (r == NULL)
        close(rs->file_fd);
    return r;
}

static enum MHD_Result queue(struct MHD_Connection *c, struct http_response *rs, const char *etag)
{
    struct MHD_Response *r;
    if (rs->status == 304 || rs->status == 204) {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        free(rs->body);
        if (rs->has_file)
            close(rs->file_fd);
        rs->has_file = false;
    } else if (rs->has_file) {
        r = file_response(rs);
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

static enum MHD_Result answer_options(struct MHD_Connection *c, const char *path,
                                      struct conn_ctx *cc)
{
    struct http_response rs = {.status = 204, .cache_control = "max-age=86400"};
    if (cc != NULL)
        cc->status = router_match(path, NULL) ? 204 : 404;
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

/* Writes "METHOD /path?query" (percent-encoded, so safe to log) into cc->line. */
static void describe_request(struct conn_ctx *cc, struct MHD_Connection *c, const char *method,
                             const char *url)
{
    struct http_params p = {0};
    struct buf b = {0};
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_param, &p);
    buf_printf(&b, "%.16s ", method);
    for (const char *s = url; *s; s++)
        if (*s == '/')
            buf_append(&b, "/", 1);
        else
            paging_url_encode(&b, s, 1);
    for (size_t i = 0; i < p.n; i++) {
        buf_append(&b, i ? "&" : "?", 1);
        paging_url_encode(&b, p.items[i].key, p.items[i].klen);
        buf_append(&b, "=", 1);
        paging_url_encode(&b, p.items[i].val, p.items[i].vlen);
    }
    snprintf(cc->line, sizeof cc->line, "%s", b.data ? b.data : method);
    buf_free(&b);
}

/* MHD_OPTION_NOTIFY_COMPLETED: the response is sent (or the request failed). */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)con_cls;
    struct conn_ctx *cc = conn_of(c);
    if (cc == NULL || !cc->in_request)
        return;
    double seconds = conn_now() - cc->started;
    unsigned status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? cc->status : 499;
    metrics_request(cc->route, status, seconds, cc->bytes);
    accesslog_write(cc->ip, cc->line, status, cc->bytes, seconds);
    conn_request_end(cc);
}

/* The request's initial *con_cls when its raw path holds an encoded NUL (see check_raw_path). */
static char path_has_nul;

/*
 * MHD_OPTION_URI_LOG_CALLBACK: sees the path before it is decoded. A "%00"
 * would be decoded into a string terminator and silently cut the path short
 * ("/v1/datasets/offices.csv%00.txt" would read as ".../offices.csv"), so
 * such a request is flagged here and answered 400 (query values may hold
 * NUL: they carry their length and are checked by params_validate).
 */
static void *check_raw_path(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    size_t n = strcspn(uri, "?");
    for (size_t i = 0; i + 2 < n; i++)
        if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
            return &path_has_nul;
    return NULL;
}

/* The request headers some handlers read (pointers into the library's memory). */
static void read_headers(struct MHD_Connection *c, struct http_request *rq)
{
    rq->accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    rq->accept_encoding =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    rq->range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    rq->if_range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_RANGE);
    rq->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    rq->forwarded_proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
}

/*
 * Whether a 200/206 answer becomes 304 (RFC 9110 13.2.2): If-None-Match
 * against its ETag, or when that header is absent, If-Modified-Since against
 * its Last-Modified.
 */
static bool not_modified(struct MHD_Connection *c, const struct http_response *rs,
                         const char *etag)
{
    if ((rs->status != 200 && rs->status != 206) || !rs->etag)
        return false;
    const char *inm =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm != NULL)
        return etag_matches(inm, etag);
    const char *ims =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    time_t since;
    return rs->last_modified != 0 && ims != NULL && header_date_parse(ims, &since) == 0 &&
           rs->last_modified <= since;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version, (void)upload_data;
    static int headers_seen, headers_seen_nul;
    struct server *srv = cls;
    struct conn_ctx *cc = conn_of(c);
    /*
     * libmicrohttpd calls this first when the headers are in, then once per
     * piece of body, then once more. Answering only on the last call keeps
     * the connection alive: a response queued on the first call makes MHD
     * close the connection after it.
     */
    if (*con_cls == NULL || *con_cls == &path_has_nul) {
        *con_cls = *con_cls == NULL ? &headers_seen : &headers_seen_nul;
        if (cc != NULL && !cc->in_request) {
            conn_request_begin(cc);
            cc->route = -1;
            cc->status = 0;
            cc->bytes = 0;
            describe_request(cc, c, method, url);
        }
        return MHD_YES;
    }
    if (*upload_size != 0) {
        *upload_size = 0; /* no endpoint takes a body: discard it */
        return MHD_YES;
    }
    if (strcmp(method, "OPTIONS") == 0)
        return answer_options(c, url, cc);

    char instance[3 * 200 + 4];
    problem_instance(instance, sizeof instance, url);
    struct http_request rq = {
        .method = method, .path = url, .instance = instance, .route_index = -1};
    struct http_response rs = {0};
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect_param, &rq.params);
    read_headers(c, &rq);
    rq.web = srv->web;
    rq.release = release_slot_get(srv->slot);
    if (*con_cls == &headers_seen_nul)
        response_error(&rs, instance, 400, "path",
                       "the path holds an encoded NUL byte (%%00)");
    else
        router_dispatch(&rq, &rs);

    char etag[80], release[64];
    snprintf(etag, sizeof etag, "\"%s%s\"", release_id(rq.release),
             rs.etag_variant ? rs.etag_variant : "");
    /* Copied: the release may be freed by a swap as soon as we drop it. */
    snprintf(release, sizeof release, "%s", release_id(rq.release));
    rs.release_id = release;
    release_unref(rq.release);
    if (rs.etag_value != NULL) /* a static file's own ETag */
        snprintf(etag, sizeof etag, "%s", rs.etag_value);
    if (not_modified(c, &rs, etag))
        rs.status = 304;
    if (cc != NULL) {
        cc->route = rq.route_index;
        cc->status = rs.status;
        cc->bytes = rs.status == 304 ? 0 : rs.len;
    }
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
    /* ITC lets MHD_quiesce_daemon stop the listener for a graceful shutdown. */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
                     (v6 ? MHD_USE_IPv6 : 0);
    /* The limits are enforced by conn_accept_policy; MHD's own limit is only a backstop. */
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, conn_accept_policy, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL, MHD_OPTION_SOCK_ADDR, &ss,
        MHD_OPTION_THREAD_POOL_SIZE, srv->threads, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections + 64, MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->header_bytes_max,
        MHD_OPTION_NOTIFY_CONNECTION, conn_notify, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_URI_LOG_CALLBACK, check_raw_path,
        NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, MHD_OPTION_END);
    if (d == NULL)
        err_set(e, "cannot listen on %s port %u (in use, or not an address of this machine?)",
                cfg->bind, cfg->port);
    return d;
}

/* What identifies the file at path: a new release is renamed over it, changing the inode. */
struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

static bool file_id_read(const char *path, struct file_id *id)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    *id = (struct file_id){st.st_dev, st.st_ino, st.st_size, st.st_mtim};
    return true;
}

static bool file_id_same(const struct file_id *a, const struct file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* How long opening a release took, for operators sizing start-up and reloads. */
static void log_load_time(const struct release *r)
{
    const struct release_timings *t = release_timings(r);
    if (release_integrity(r, NULL) == RELEASE_INTEGRITY_CHECKING)
        fprintf(stderr,
                "bhxh-geo: release %s opened in %.2f s (reading %.2f s, indexes %.2f s);"
                " its integrity check runs in the background\n",
                release_id(r), t->total_s, t->read_s, t->index_s);
    else
        fprintf(stderr,
                "bhxh-geo: release %s opened in %.2f s (integrity check %.2f s beside reading"
                " %.2f s, indexes %.2f s)\n",
                release_id(r), t->total_s, t->check_s, t->read_s, t->index_s);
}

/* How long a replaced release's reaper waits for its requests before leaving its freeing to them. */
#define RELEASE_FREE_WAIT_MS 60000

static void *reap(void *arg)
{
    prio_lower_this_thread(PRIO_IDLE);
    release_unref_quiet(arg, RELEASE_FREE_WAIT_MS);
    return NULL;
}

/*
 * Drops the reference to a release that is no longer served on a thread of
 * its own, once its requests are done, so that freeing it costs no request
 * any latency and the signal loop does not wait.
 */
static void free_in_background(struct release *old)
{
    pthread_t t;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        release_unref(old);
        return;
    }
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, reap, old) != 0)
        release_unref(old);
    pthread_attr_destroy(&attr);
}

/* Opening a release on a thread of its own at a lower CPU priority (see reload). */
struct reload_job {
    const char *path;
    unsigned threads;
    struct release *r;
    struct err e;
};

static void *open_in_background(void *arg)
{
    struct reload_job *j = arg;
    prio_lower_this_thread(PRIO_BACKGROUND);
    j->r = release_open(j->path, j->threads, RELEASE_CHECK_FULL, &j->e);
    return NULL;
}

/*
 * Opens the new release while the old one serves. Loading a national release
 * takes seconds of CPU on the cores the request threads use, so it runs at a
 * lower priority: requests keep their latency, the swap comes a little later
 * under heavy load.
 */
static void reload(struct server *srv, const char *path, const char *why)
{
    struct reload_job job = {.path = path, .threads = srv->threads};
    pthread_t t;
    if (pthread_create(&t, NULL, open_in_background, &job) == 0)
        pthread_join(t, NULL);
    else
        open_in_background(&job);
    struct err e = job.e;
    struct release *r = job.r;
    metrics_reload(r != NULL);
    if (r == NULL) {
        fprintf(stderr, "bhxh-geo: %s: reload refused, still serving the old release: %s\n", why,
                e.msg);
        return;
    }
    fprintf(stderr, "bhxh-geo: %s: reloaded %s: release %s, %zu places\n", why, path,
            release_id(r), release_place_count(r));
    log_load_time(r);
    api_release_opened(r);
    free_in_background(release_slot_swap(srv->slot, r));
}

/*
 * Waits for signals; every second also looks whether the database file was
 * replaced. Returns when SIGINT or SIGTERM arrives.
 */
static void run_loop(struct server *srv, const struct server_config *cfg, const sigset_t *set)
{
    struct file_id seen = {0}, now;
    bool watching = cfg->watch && file_id_read(cfg->db_path, &seen);
    for (;;) {
        struct timespec second = {1, 0};
        int sig = sigtimedwait(set, NULL, &second);
        if (sig == SIGINT || sig == SIGTERM)
            return;
        if (sig == SIGHUP) {
            reload(srv, cfg->db_path, "SIGHUP");
            watching = cfg->watch && file_id_read(cfg->db_path, &seen);
        } else if (watching && file_id_read(cfg->db_path, &now) && !file_id_same(&now, &seen)) {
            seen = now;
            reload(srv, cfg->db_path, "database file changed");
        } else if (cfg->watch && !watching) {
            watching = file_id_read(cfg->db_path, &seen);
        }
    }
}

/* Stops accepting, lets requests in flight finish (up to the grace period), then stops. */
#define SHUTDOWN_SETTLE_S 0.3

static void shut_down(struct MHD_Daemon *d, double grace_s)
{
    MHD_socket listener = MHD_quiesce_daemon(d);
    double start = conn_now(), until = start + grace_s;
    /*
     * A request already sent on an accepted connection may not have been read
     * yet: give those a moment to arrive before counting what is in flight.
     */
    double settle = start + (grace_s < SHUTDOWN_SETTLE_S ? grace_s : SHUTDOWN_SETTLE_S);
    struct timespec tick = {0, 10 * 1000000L};
    while ((conn_requests_in_flight() > 0 || conn_now() < settle) && conn_now() < until)
        nanosleep(&tick, NULL);
    MHD_stop_daemon(d);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
}

/* The widget's files from cfg->web_dir (required), or from "web" when present. */
static struct static_site *open_web(const struct server_config *cfg, struct err *e)
{
    const char *dir = cfg->web_dir ? cfg->web_dir : "web";
    struct err note = {{0}};
    struct static_site *s = static_site_open(dir, cfg->web_dir != NULL, &note);
    if (s == NULL)
        err_set(e, "--web: %s", note.msg);
    else if (note.msg[0] != '\0' && static_site_loaded(s) > 0)
        fprintf(stderr, "bhxh-geo: warning: %s\n", note.msg);
    return s;
}

static void announce(struct MHD_Daemon *d, const struct server_config *cfg, struct release *r)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    bool v6 = strchr(cfg->bind, ':') != NULL;
    printf("listening on http://%s%s%s:%u\n", v6 ? "[" : "", cfg->bind, v6 ? "]" : "",
           info ? info->port : cfg->port);
    fflush(stdout);
    fprintf(stderr, "bhxh-geo: serving release %s (%zu places) from %s with %u threads\n",
            release_id(r), release_place_count(r), cfg->db_path, cfg->threads);
    log_load_time(r);
}

int server_run(const struct server_config *given, struct err *e)
{
    struct server_config cfg = *given;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cfg.threads == 0)
        cfg.threads = cpus > 0 ? (unsigned)cpus : 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    /*
     * Block before any thread starts (the release's background work included)
     * so all inherit the mask and sigtimedwait sees every signal.
     */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (accesslog_open(cfg.access_log) != 0) {
        err_set(e, "--access-log %s: cannot open: %s", cfg.access_log, strerror(errno));
        return 1;
    }
    struct release *r = release_open(cfg.db_path, cfg.threads, RELEASE_CHECK_BACKGROUND, e);
    if (r == NULL)
        return 1;
    struct server srv = {.slot = release_slot_new(r), .threads = cfg.threads};
    api_release_opened(r); /* the download files get written in the background */
    if ((srv.web = open_web(&cfg, e)) == NULL) {
        release_slot_free(srv.slot);
        return 1;
    }
    struct conn_limits limits = {cfg.max_connections, cfg.max_per_ip, cfg.request_timeout_s};
    struct MHD_Daemon *d = conn_start(&limits) == 0 ? start_daemon(&cfg, &srv, e) : NULL;
    if (d == NULL) {
        conn_stop();
        release_slot_free(srv.slot);
        static_site_free(srv.web);
        return 1;
    }
    announce(d, &cfg, r);
    run_loop(&srv, &cfg, &set);
    fprintf(stderr, "bhxh-geo: shutting down: finishing requests in flight\n");
    shut_down(d, cfg.shutdown_grace_s);
    conn_stop();
    accesslog_close();
    release_slot_free(srv.slot);
    static_site_free(srv.web);
    fprintf(stderr, "bhxh-geo: stopped\n");
    return 0;
}
