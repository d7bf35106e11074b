/*
 * paging: opaque cursors and "next" links for paged lists.
 *
 * A cursor is base64url of a one-letter tag and a value: "k<code>" to resume
 * after a code (keyset paging, stable across requests), "o<number>" to
 * resume at an offset of a ranked list. Clients must treat it as opaque.
 */
#ifndef BHXH_HTTP_PAGING_H
#define BHXH_HTTP_PAGING_H

#include <stddef.h>

#include "http/params.h"
#include "http/problem.h"
#include "util/buf.h"

#define CURSOR_VALUE_MAX 64

struct cursor {
    char tag;                          /* 'k' or 'o'; 0 when no cursor was given */
    char value[CURSOR_VALUE_MAX + 1];  /* for 'k' */
    unsigned long offset;              /* for 'o' */
};

/*
 * Reads the "cursor" parameter into c (tag 0 when absent). Returns 0, or -1
 * with a 400 problem when it is malformed or has a tag other than want.
 */
int paging_cursor(const struct http_params *p, char want, struct cursor *c,
                  struct http_problem *pb);

/* Appends the cursor text for tag 'k' (value) or 'o' (offset) to out. */
int paging_encode(struct buf *out, char tag, const char *value, unsigned long offset);

/*
 * Writes into out the link to the next page: path, then every parameter of
 * p except "cursor" in their order, then cursor=CURSOR. Values are
 * percent-encoded. Returns 0 or -1 on out of memory.
 */
int paging_next_link(struct buf *out, const char *path, const struct http_params *p,
                     const char *cursor);

/* Appends s (n bytes) percent-encoded for a query string component. */
int paging_url_encode(struct buf *out, const char *s, size_t n);

#endif
