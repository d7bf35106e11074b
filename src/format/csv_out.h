/*
 * csv_out: writing RFC 4180 CSV (UTF-8, CRLF line ends, fields quoted when
 * they hold a comma, a quote, CR or LF; quotes doubled).
 */
#ifndef BHXH_FORMAT_CSV_OUT_H
#define BHXH_FORMAT_CSV_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends one field (NULL writes an empty field), preceded by a comma unless first. */
int csv_out_field(struct buf *b, const char *s, bool first);
/* Appends a number as a field ("%.12g"); NaN writes an empty field. */
int csv_out_number(struct buf *b, double v, bool first);
/* Ends the record. */
int csv_out_end(struct buf *b);

#endif
