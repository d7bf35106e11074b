/*
 * query: the SQL questions the API asks a release (filtered lists with
 * keyset paging, full-text search). Every value is bound, never spliced into
 * SQL. Results are places of the release (pointers valid while the caller
 * holds its reference to the release).
 */
#ifndef BHXH_STORE_QUERY_H
#define BHXH_STORE_QUERY_H

#include <stddef.h>

#include "store/place.h"
#include "store/release.h"
#include "util/err.h"

struct place_filter {
    enum place_kind kind;
    /*
     * Admin codes as the API resolved them (to units of the current
     * version), each a JSON array of codes; NULL = any. province_code must
     * be one of provinces and ward_code one of wards. district_code must
     * equal district, or, when district_wards is set, ward_code may instead
     * be one of those (an old district and the communes that took it over).
     */
    const char *provinces, *wards, *district, *district_wards;
    const char *parent;            /* parent / managing office code */
    const char *level, *ownership; /* exact values; NULL = any */
    int accepts;                   /* accepts_initial_registration: -1 any, 0, 1 */
    const char *match;             /* FTS5 expression over name and address */
    const char *after;             /* keyset cursor: only codes after this one */
    size_t limit;                  /* at most this many rows */
};

/* Fills out (room for f->limit) with matching places in code order; returns the count or -1. */
long store_list_places(struct release *r, const struct place_filter *f, const struct place **out,
                       struct err *e);

struct search_query {
    unsigned kinds;        /* bit (1 << kind) for each kind wanted */
    const char *provinces; /* JSON array of province codes; NULL = any */
    const char *match;     /* FTS5 expression (see fold_fts_query) */
    size_t limit;          /* best-ranked rows wanted */
};

struct search_hit {
    const struct place *p;
    double rank; /* FTS5 bm25: lower is better */
};

/* Fills out (room for q->limit) best first; returns the count or -1. */
long store_search(struct release *r, const struct search_query *q, struct search_hit *out,
                  struct err *e);

#endif
