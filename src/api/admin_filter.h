/*
 * admin_filter: the province / district / ward parameters of the place
 * lists and of search, resolved against the release's administrative units.
 *
 * A code of the current version means that unit. A code that exists only in
 * an earlier version (old province 89 An Giang, old district 899 TP Rạch
 * Giá, an old ward) is resolved to the current units that took it over, and
 * the answer says so in its "resolved" member:
 *   "resolved": {"province": {"from": "89", "version": "2025-03",
 *                "name": "Tỉnh An Giang", "level": "province", "to": ["91"]}}
 * When a code is a unit of the current version and also was one, with
 * another meaning, in an earlier version (91), the current unit wins.
 */
#ifndef BHXH_API_ADMIN_FILTER_H
#define BHXH_API_ADMIN_FILTER_H

#include <jansson.h>

#include "http/request.h"

struct admin_filter {
    const char *code; /* the parameter as given (in storage), NULL when absent */
    char *codes;      /* JSON array of the current codes to match (malloc'd), NULL when absent */
    json_t *resolved; /* the resolution when an old code was given, else NULL */
    char storage[41];
};

/*
 * Reads parameter name, which must be a code of level ("province",
 * "district" or "ward") in some version of the release. Returns 0 (out
 * filled; all NULL when the parameter is absent) or -1 with a 400 problem.
 * Free out with api_admin_filter_free in both cases.
 */
int api_admin_filter(const struct http_request *rq, const char *name, const char *level,
                     struct admin_filter *out, struct http_problem *pb);
void api_admin_filter_free(struct admin_filter *f);

/*
 * Adds "resolved": {name: resolution, ...} to envelope for the filters
 * that were resolved (nothing when none was). names[i] goes with f[i].
 */
void api_admin_filter_report(json_t *envelope, const char *const *names,
                             const struct admin_filter *f, size_t n);

#endif
