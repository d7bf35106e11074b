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
    const char *match;     /* FTS5 expression, every word a prefix (see fold_fts_query) */
    const char *folded;    /* fold_text() of what was typed, to recognise an exact name */
    size_t limit;          /* rows wanted from the start of the ranked list */
};

/*
 * One row of the ranked list. relevance is the match class plus a fraction
 * below 1 that orders places within it (see store_search), so it never
 * increases down the list.
 */
struct search_hit {
    const struct place *p;
    double relevance;
};

/*
 * Fills out (room for q->limit) with the start of the ranked list of places
 * matching q and returns how many, or -1. The list holds each match once, in
 * the best of four classes, classes in this order (relevance = class +
 * fraction):
 *   4 exact: the folded name equals q->folded;
 *   3 name words: every query word (or its abbreviation's expansion) is a
 *     whole word of the name;
 *   2 name prefixes: every query word begins a word of the name;
 *   1 anywhere: every query word begins a word of the name or the address.
 * Within a class: offices, then facilities, then agents; then names with
 * fewer words; then places.id (for a release imported from code-ordered
 * files, code order). That is the places_fts index order (store_fts_rowid),
 * so the work is bounded by q->limit, not by how many places match: each
 * class is a lazily read FTS5 query in rowid order that stops when the list
 * is long enough. The list does not depend on q->limit: a longer limit
 * extends it, so offset paging over it neither repeats nor skips.
 */
long store_search(struct release *r, const struct search_query *q, struct search_hit *out,
                  struct err *e);

#endif
