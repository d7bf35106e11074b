/*
 * common: pieces several endpoints share: the kind list parameter, the
 * limit/cursor pair, and rendering a page of places with its next link.
 */
#ifndef BHXH_API_COMMON_H
#define BHXH_API_COMMON_H

#include <stdbool.h>

#include "format/place_list.h"
#include "http/request.h"
#include "store/place.h"

#define LIST_LIMIT_DEFAULT 20
#define LIST_LIMIT_MAX 100

/*
 * Parses "kind" (comma-separated office, agent, facility) into kinds[];
 * all true when absent. Returns 0 or -1 with a 400 problem.
 */
int api_parse_kinds(const struct http_params *p, bool kinds[PLACE_KIND_COUNT],
                    struct http_problem *pb);

/*
 * Parses a boolean parameter ("true"/"false"): 1 or 0 into *out, leaves it
 * when absent; returns 0 or -1 with a 400 problem.
 */
int api_parse_bool(const struct http_params *p, const char *name, int *out,
                   struct http_problem *pb);

/*
 * Reads an optional code-like parameter: a string of 1..max characters
 * from [A-Za-z0-9._-]. Sets *out to a NUL-terminated copy in storage (size
 * max+1) or NULL when absent; returns 0 or -1 with a 400 problem.
 */
int api_code_param(const struct http_params *p, const char *name, size_t max, char *storage,
                   const char **out, struct http_problem *pb);

/*
 * Answers a page of places: renders items in format f with envelope (stolen;
 * "release" and "next" are added), and when more follow (next_cursor not
 * NULL) a "next" link built from the request and a Link header.
 */
void api_render_page(const struct http_request *rq, struct http_response *rs, enum out_format f,
                     json_t *envelope, const struct place_item *items, size_t n,
                     unsigned extras, const char *next_cursor);

#endif
