/*
 * number: strict parsing of plain decimal numbers ("10.0125", "-1e3"), as
 * both CSV fields and query parameters must be: no spaces, no hex, no
 * "nan"/"inf", no decimal comma, the whole input and nothing else.
 */
#ifndef BHXH_TEXT_NUMBER_H
#define BHXH_TEXT_NUMBER_H

#include <stddef.h>

/* Longest input accepted; anything longer is a syntax error. */
#define NUMBER_MAX_LEN 64

enum number_status {
    NUMBER_OK,
    NUMBER_SYNTAX, /* not [+-]digits[.digits][(e|E)[+-]digits] */
    NUMBER_RANGE,  /* well formed, but not a finite double */
};

/* Parses the n bytes at s; sets *out only when the result is NUMBER_OK. */
enum number_status number_parse(const char *s, size_t n, double *out);

#endif
