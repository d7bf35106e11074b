/*
 * utf8: strict UTF-8 validation (RFC 3629). Every text the importer accepts
 * passes through here once, so the rest of the program may assume valid
 * UTF-8. No allocation; the caller owns the bytes.
 */
#ifndef BHXH_TEXT_UTF8_H
#define BHXH_TEXT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Returns true when the n bytes at s are well-formed UTF-8: no overlong
 * forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequence. On false, *bad_offset (if not NULL) is the offset of
 * the first byte of the first ill-formed sequence. NUL bytes are valid here;
 * callers that need C strings check for them separately.
 */
/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4 bytes, at most n),
 * or 0 when the bytes there are not one.
 */
size_t utf8_seq_len(const unsigned char *s, size_t n);

bool utf8_validate(const char *s, size_t n, size_t *bad_offset);

#endif
