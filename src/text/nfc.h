/*
 * nfc: Unicode Normalization Form C for imported text. Some tools (macOS,
 * some Vietnamese input methods and spreadsheets) write Vietnamese letters
 * decomposed, "ệ" as e + U+0323 + U+0302; a release keeps one form, so
 * that equal names are equal bytes in answers, downloads and filters.
 *
 * Most text is NFC already and is recognised without normalising: a string
 * whose code points are all in U+0000..U+02FF (ASCII and Latin) or
 * U+1EA0..U+1EFF (the precomposed Vietnamese letters) is NFC, since none of
 * those characters changes under NFC and no two of them compose (checked
 * against the Unicode data in tests/unit/test_nfc.c). Anything else goes
 * through utf8proc (Debian's libutf8proc).
 */
#ifndef BHXH_TEXT_NFC_H
#define BHXH_TEXT_NFC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Whether s (valid UTF-8, n bytes) might not be NFC; false means it surely is. */
bool nfc_maybe_needed(const char *s, size_t n);

/*
 * Appends the NFC form of s (valid UTF-8, n bytes, no NUL) to out. Returns 0,
 * or -1 when s is not valid UTF-8 or memory ran out (out unchanged).
 */
int nfc_append(const char *s, size_t n, struct buf *out);

#endif
