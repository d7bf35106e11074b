/*
 * accesslog: one line per answered request, to stderr or a file:
 *   2026-11-25T00:55:00.123Z 127.0.0.1 "GET /v1/nearest?lat=10&lon=105" 200 3723 0.000412
 * (UTC time, client address, request, status, body bytes, seconds).
 */
#ifndef BHXH_HTTP_ACCESSLOG_H
#define BHXH_HTTP_ACCESSLOG_H

#include <stddef.h>

/* path: "-" for stderr, a file to append to, or NULL for no log. Returns 0 or -1 (errno). */
int accesslog_open(const char *path);
void accesslog_close(void);

void accesslog_write(const char *ip, const char *request, unsigned status, size_t bytes,
                     double seconds);

/* Pushes buffered lines to the file (the connection watchdog calls it a few times a second). */
void accesslog_flush(void);

#endif
