/*
 * place_list: a list of places rendered as JSON, GeoJSON (RFC 7946) or CSV
 * (RFC 4180), the three formats every list endpoint offers.
 */
#ifndef BHXH_FORMAT_PLACE_LIST_H
#define BHXH_FORMAT_PLACE_LIST_H

#include <jansson.h>
#include <stddef.h>

#include "format/place_json.h" /* place_json, place_feature */
#include "store/place.h"
#include "util/buf.h"

/* Flags for jansson: compact, and 12 significant digits (exact to a centimetre, no noise). */
#define FORMAT_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(12))

enum out_format { OUT_JSON, OUT_GEOJSON, OUT_CSV };

/* Extra per-item values some lists carry. */
enum place_extra { EXTRA_NONE = 0, EXTRA_DISTANCE = 1, EXTRA_SCORE = 2 };

struct place_item {
    const struct place *p;
    double distance_m; /* with EXTRA_DISTANCE */
    double score;      /* with EXTRA_SCORE */
};

/* "application/json", "application/geo+json", "text/csv; charset=utf-8". */
const char *out_format_content_type(enum out_format f);

/*
 * Appends the rendering of items to out. JSON: envelope with "results" (an
 * array of place objects) added. GeoJSON: a FeatureCollection whose features
 * are the places (id "kind/code", [lon, lat], the place's other fields as
 * properties) and which carries envelope's members as foreign members. CSV:
 * a header row and one row per place; envelope is not used. The reference
 * to envelope is stolen in every case. Returns 0, or -1 when memory ran out.
 */
int place_list_render(enum out_format f, json_t *envelope, const struct place_item *items,
                      size_t n, unsigned extras, struct buf *out);

#endif
