/*
 * yaml_json: reads a YAML document (libyaml) into JSON (jansson) under the
 * YAML 1.2 core schema, as JavaScript's `yaml` package does: plain scalars
 * that look like null, booleans, integers or floats become those, anything
 * quoted or else a string; aliases are expanded. Used to serve the OpenAPI
 * document (written in YAML) as JSON at /api.
 */
#ifndef BHXH_FORMAT_YAML_JSON_H
#define BHXH_FORMAT_YAML_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

/* The first document of the n bytes at text as a new JSON value, or NULL with e ("LINE: reason").
 */
json_t *yaml_json_parse(const char *text, size_t n, struct err *e);

#endif
