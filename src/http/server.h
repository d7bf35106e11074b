/*
 * server: the HTTP front of `bhxh-geo serve`. Owns the libmicrohttpd daemon
 * and the slot holding the release being served; turns handler results into
 * HTTP responses with the common headers (ETag, caching, CORS).
 */
#ifndef BHXH_HTTP_SERVER_H
#define BHXH_HTTP_SERVER_H

#include "util/err.h"

struct server_config {
    const char *db_path;
    const char *bind; /* numeric IPv4 or IPv6 address */
    unsigned port;    /* 0 = any free port */
    unsigned threads; /* 0 = one per online CPU */
    unsigned max_connections;
    unsigned timeout_s;
};

/*
 * Opens the release, starts serving, prints "listening on http://ADDR:PORT"
 * on stdout, and runs until SIGINT or SIGTERM. SIGHUP re-opens db_path and
 * swaps the new release in when it opens cleanly (the old one keeps serving
 * otherwise). Returns the process exit status; fills e when it cannot start.
 */
int server_run(const struct server_config *cfg, struct err *e);

#endif
