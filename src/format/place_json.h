/*
 * place_json: the JSON form of a place, as documented in api-spec/openapi.yaml
 * (#/components/schemas/Place). Every documented key is always present; an
 * unknown value is null. Written straight into a buffer: this is on the hot
 * path of every list, nearest and map answer.
 */
#ifndef BHXH_FORMAT_PLACE_JSON_H
#define BHXH_FORMAT_PLACE_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "store/place.h"
#include "util/buf.h"

/*
 * Appends the place object WITHOUT its closing brace, so the caller can add
 * members (distance_m, score, cluster) and then "}". With coords false the
 * lat/lon members are left out (GeoJSON properties). Returns 0 or -1.
 */
int place_json_open(struct buf *b, const struct place *p, bool coords);

/* Appends the whole object "{...}". */
int place_json_write(struct buf *b, const struct place *p);

/* Appends a GeoJSON Feature for p WITHOUT the closing braces of properties and feature ("}}"). */
int place_feature_open(struct buf *b, const struct place *p);

/*
 * The same as jansson trees (new references, NULL on failure), for callers
 * that add to them; slower than writing: not for per-row use on large lists.
 */
json_t *place_json(const struct place *p);
json_t *place_feature(const struct place *p);

#endif
