/*
 * params: the query-string parameters of one request, and strict parsing of
 * their values. Independent of the HTTP library so it can be unit-tested and
 * fuzzed. Values point into memory owned by the HTTP library for the duration
 * of the request; nothing here allocates.
 */
#ifndef BHXH_HTTP_PARAMS_H
#define BHXH_HTTP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/problem.h"

#define PARAMS_MAX 16

struct http_param {
    const char *key, *val;
    size_t klen, vlen;
};

struct http_params {
    size_t n;
    bool overflow;                 /* more than PARAMS_MAX were sent */
    struct http_param first_extra; /* the first one that did not fit */
    struct http_param items[PARAMS_MAX];
};

void params_add(struct http_params *p, const char *key, size_t klen, const char *val, size_t vlen);

/*
 * Checks the set as a whole: no more than PARAMS_MAX, every name in the
 * NULL-terminated allowed list, none repeated, no NUL byte in names or values.
 * Returns 0, or -1 with a 400 problem naming the parameter.
 */
int params_validate(const struct http_params *p, const char *const *allowed,
                    struct http_problem *pb);

/* The parameter called name, or NULL. */
const struct http_param *params_find(const struct http_params *p, const char *name);

/*
 * Typed getters: return 1 and set *out when the parameter is present and
 * valid, 0 when it is absent and not required (*out untouched), -1 with a 400
 * problem otherwise. Numbers are plain decimals ("10.38", "-1e3"): no
 * spaces, hex, "nan" or "inf".
 */
int params_double(const struct http_params *p, const char *name, double lo, double hi,
                  bool required, double *out, struct http_problem *pb);
int params_long(const struct http_params *p, const char *name, long lo, long hi, bool required,
                long *out, struct http_problem *pb);

#endif
