/*
 * headers: the request and response header values that downloads need
 * (RFC 9110): byte ranges, HTTP dates, Accept-Encoding, and ISO 8601 UTC
 * timestamps as releases store them. Pure functions, independent of the
 * HTTP library, so they are unit-tested directly (tests/unit/test_headers.c).
 */
#ifndef BHXH_HTTP_HEADERS_H
#define BHXH_HTTP_HEADERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum header_range {
    HEADER_RANGE_NONE,          /* no usable Range: send the whole representation (200) */
    HEADER_RANGE_OK,            /* one satisfiable range: send it (206) */
    HEADER_RANGE_UNSATISFIABLE, /* a valid range that misses the representation (416) */
};

/*
 * Reads a Range header value against a representation of size bytes. One
 * "bytes=first-last", "bytes=first-" or "bytes=-suffix" range that overlaps
 * it gives HEADER_RANGE_OK and [*start, *start + *len), cut to the size; one
 * that does not overlap gives HEADER_RANGE_UNSATISFIABLE. Anything else (NULL,
 * another unit, several ranges, bad syntax) gives HEADER_RANGE_NONE: RFC 9110
 * lets a server ignore such a header and send everything.
 */
enum header_range header_range_parse(const char *value, uint64_t size, uint64_t *start,
                                     uint64_t *len);

/*
 * Whether an Accept-Encoding value lets the server answer with gzip:
 * "gzip" or "x-gzip" listed with a q above 0, or "*" above 0 with gzip not
 * refused by name. NULL (no header) is false: only send gzip when asked.
 */
bool header_accepts_gzip(const char *value);

/* Writes t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); size >= 30. */
void header_date_format(time_t t, char *out, size_t size);

/*
 * Parses an HTTP date (IMF-fixdate; the obsolete RFC 850 and asctime forms
 * are not accepted, and then the condition is ignored as RFC 9110 says).
 * Returns 0 and sets *t, or -1.
 */
int header_date_parse(const char *s, time_t *t);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC). Returns 0 and sets *t, or -1. */
int header_iso_parse(const char *s, time_t *t);

#endif
