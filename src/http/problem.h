/*
 * problem: an error to be answered as RFC 9457 application/problem+json.
 * Detected where the error is (parameter parsing, a handler), turned into a
 * response in one place (response_problem).
 */
#ifndef BHXH_HTTP_PROBLEM_H
#define BHXH_HTTP_PROBLEM_H

#include <stddef.h>

struct http_problem {
    unsigned status;  /* 400, 404, 405, 500 ... */
    char param[64];   /* the offending parameter, "" if none */
    char detail[400]; /* one sentence for a person, naming the parameter */
};

void problem_set(struct http_problem *pb, unsigned status, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Writes at most max bytes of v (n bytes, any content) into out as printable
 * text: printable ASCII and valid UTF-8 sequences are kept, other bytes become
 * \xHH; a longer value is cut with "...". out must hold 4*max+4 bytes.
 */
void problem_quote(char *out, const char *v, size_t n, size_t max);

/*
 * Writes path percent-encoded as a URI reference (RFC 3986: unreserved and
 * sub-delimiter characters, '/', ':' and '@' kept) into out, cut to fit size.
 */
void problem_instance(char *out, size_t size, const char *path);

#endif
