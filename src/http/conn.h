/*
 * conn: what the server keeps per TCP connection. It enforces the
 * connection limits at accept (total and per client address), gives every
 * connection a deadline to deliver a complete request (a watchdog thread
 * shuts down connections that miss it, so a client sending one byte a second
 * cannot hold a slot), and carries the current request's bookkeeping for
 * metrics and the access log.
 *
 * libmicrohttpd owns the connections; this module owns one struct conn_ctx
 * per connection, created at MHD_CONNECTION_NOTIFY_STARTED and freed at
 * MHD_CONNECTION_NOTIFY_CLOSED.
 */
#ifndef BHXH_HTTP_CONN_H
#define BHXH_HTTP_CONN_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

struct conn_limits {
    unsigned max_connections; /* open connections in all */
    unsigned max_per_ip;      /* open connections from one client address */
    double request_timeout;   /* seconds to deliver a request after connecting or answering */
};

struct conn_ctx {
    int fd;
    char ip[48];
    double deadline;  /* monotonic seconds by which a request must be complete; 0 = none */
    bool dropped;     /* the watchdog shut it down */
    /* current request */
    bool in_request;
    double started;
    int route;
    unsigned status;
    size_t bytes;
    char line[400]; /* "METHOD /path?query" for the access log */
    /* private */
    unsigned char key[16];
    struct conn_ctx *prev, *next;
};

/* Starts the watchdog thread; returns 0 or -1. */
int conn_start(const struct conn_limits *limits);
/* Stops the watchdog thread. */
void conn_stop(void);

/* For MHD_start_daemon: accept policy and connection notification callbacks. */
enum MHD_Result conn_accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen);
void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                 enum MHD_ConnectionNotificationCode toe);

/* The context of a connection (never NULL for a connection MHD reported started). */
struct conn_ctx *conn_of(struct MHD_Connection *c);

/* A request arrived complete / its response was sent (starts the next deadline). */
void conn_request_begin(struct conn_ctx *cc);
void conn_request_end(struct conn_ctx *cc);

/* Requests being processed or sent right now. */
long conn_requests_in_flight(void);

/* Seconds on a monotonic clock. */
double conn_now(void);

#endif
