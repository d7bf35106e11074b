/*
 * server: the HTTP front of `bhxh-geo serve`. Owns the libmicrohttpd daemon
 * and the slot holding the release being served; turns handler results into
 * HTTP responses with the common headers (ETag, caching, CORS).
 */
#ifndef BHXH_HTTP_SERVER_H
#define BHXH_HTTP_SERVER_H

#include <stdbool.h>

#include "util/err.h"

/* Every field has a default in SERVER_CONFIG_DEFAULTS; main.c overrides from options. */
struct server_config {
    const char *db_path;
    const char *bind;          /* numeric IPv4 or IPv6 address */
    unsigned port;             /* 0 = any free port */
    unsigned threads;          /* 0 = one per online CPU */
    unsigned max_connections;  /* open connections in all */
    unsigned max_per_ip;       /* open connections from one client address */
    double request_timeout_s;  /* to send a complete request after connecting or an answer */
    unsigned idle_timeout_s;   /* no progress at all (e.g. a stalled download) */
    unsigned header_bytes_max; /* request line + headers (libmicrohttpd answers 414/431 above) */
    double shutdown_grace_s;   /* time requests in flight get to finish on SIGTERM */
    bool watch;                /* reload when the database file is replaced */
    const char *access_log;    /* "-" for stderr, a file, or NULL for none */
    const char *web_dir;       /* widget files (http/static.h); NULL: "web" if present */
};

#define SERVER_CONFIG_DEFAULTS                                                                      \
    .bind = "127.0.0.1", .port = 8080, .max_connections = 1024, .max_per_ip = 128,                 \
    .request_timeout_s = 10, .idle_timeout_s = 60, .header_bytes_max = 32768,                      \
    .shutdown_grace_s = 10, .watch = true, .access_log = NULL

/*
 * Opens the release, starts serving, prints "listening on http://ADDR:PORT"
 * on stdout, and runs until SIGINT or SIGTERM, then stops accepting, lets
 * requests in flight finish and returns 0. SIGHUP, or (with watch) a new
 * file renamed over db_path, re-opens db_path and swaps the new release in
 * when it opens and passes its checks; the old one keeps serving otherwise.
 * Returns the process exit status; fills e when it cannot start.
 */
int server_run(const struct server_config *cfg, struct err *e);

#endif
