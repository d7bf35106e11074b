/*
 * place_json: the JSON form of a place, as documented in api-spec/openapi.yaml
 * (#/components/schemas/Place). Every documented key is always present; an
 * unknown value is null.
 */
#ifndef BHXH_FORMAT_PLACE_JSON_H
#define BHXH_FORMAT_PLACE_JSON_H

#include <jansson.h>

#include "store/place.h"

/* A new JSON object (caller owns the reference), or NULL on out of memory. */
json_t *place_json(const struct place *p);

#endif
