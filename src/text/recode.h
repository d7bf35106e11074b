/*
 * recode: Vietnamese text in the legacy 8-bit encodings of old spreadsheets,
 * turned into UTF-8 for the importer.
 *
 *   cp1258  Windows-1258, through iconv (glibc knows it). CP1258 writes
 *           most toned vowels as a base letter followed by a combining tone
 *           mark (ệ = ê + U+0323); the output is composed to precomposed
 *           letters (NFC for Vietnamese): glibc's converter already does
 *           this, and recode_compose_vi() runs afterwards anyway so the
 *           result does not depend on the iconv at hand.
 *   tcvn3   TCVN3 (ABC, TCVN 5712:1993 VN3), the encoding of the .VnTime
 *           fonts, through the table in recode_table.h. It has precomposed
 *           lower-case letters only; capitals with tone marks were written
 *           with the lower-case codes in an upper-case font (.VnTimeH), so
 *           they come out in lower case (search folding ignores case).
 *
 * A byte that is not a character of the declared encoding is an error, and
 * so is a field that is already valid UTF-8 with non-ASCII letters in it
 * (the usual mistake: --encoding given for a file saved as UTF-8). Legacy
 * Vietnamese text practically never forms valid multi-byte UTF-8.
 */
#ifndef BHXH_TEXT_RECODE_H
#define BHXH_TEXT_RECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

enum recode_encoding { RECODE_UTF8, RECODE_CP1258, RECODE_TCVN3 };

/*
 * "utf-8"/"utf8", "cp1258"/"windows-1258", "tcvn3"/"abc" (any case);
 * false when s is none of them.
 */
bool recode_parse_name(const char *s, enum recode_encoding *out);

/* "UTF-8", "CP1258", "TCVN3". */
const char *recode_name(enum recode_encoding enc);

struct recoder;

/* NULL with e filled when iconv lacks CP1258 or memory runs out. */
struct recoder *recoder_new(enum recode_encoding enc, struct err *e);
void recoder_free(struct recoder *r);

/*
 * Appends the UTF-8 form of the n bytes at s to out (UTF-8 input is
 * copied). Returns 0; -1 when s is not valid in the encoding, with
 * *bad_at the offset of the offending byte and e saying why; -2 when
 * memory ran out. out is unchanged on failure.
 */
int recoder_to_utf8(struct recoder *r, const char *s, size_t n, struct buf *out, size_t *bad_at,
                    struct err *e);

/*
 * Appends s (UTF-8, n bytes) to out with every Vietnamese vowel (a ă â e ê
 * i o ô ơ u ư y, either case) that is followed by one of the five tone
 * marks U+0300, U+0301, U+0303, U+0309, U+0323 replaced by its
 * precomposed letter; everything else is copied. Returns 0, or -1 when
 * memory ran out (out unchanged).
 */
int recode_compose_vi(const char *s, size_t n, struct buf *out);

#endif
