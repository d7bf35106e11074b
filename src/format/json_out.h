/*
 * json_out: appending JSON text to a buffer directly, for the answers on the
 * hot path (a page of places), where building a jansson tree per field cost
 * more than the search itself. Strings must be valid UTF-8 (the importer
 * guarantees it for everything in a release); they are escaped per RFC 8259.
 */
#ifndef BHXH_FORMAT_JSON_OUT_H
#define BHXH_FORMAT_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

/* "s" with escapes, or null for NULL. */
int json_out_string(struct buf *b, const char *s);
/* "key": (the key is a constant of this program: no escaping). */
int json_out_key(struct buf *b, const char *key);
/* v rounded to `decimals` (0..9) places, shortest form ("10.0123", "1052.2", "3.0"). */
int json_out_fixed(struct buf *b, double v, int decimals);
int json_out_bool(struct buf *b, bool v);
/* v in decimal, as printf("%" PRIu64) writes it. */
int json_out_uint(struct buf *b, uint64_t v);

#endif
