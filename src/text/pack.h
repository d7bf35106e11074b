/*
 * pack: a national release holds about a million names and addresses, and
 * they repeat the same words ("Phường", "Tỉnh", "Trạm Y tế xã", the names
 * of wards and provinces). Keeping them packed, each frequent word replaced
 * by two bytes, halves what they take in memory and costs a few hundred
 * nanoseconds to unpack the handful of places an answer shows.
 *
 * The dictionary is a release's own: the words (a run of non-spaces and the
 * space after it) that save most over a sample of its text, at most
 * TEXT_PACK_WORDS of them, each at least 3 bytes long.
 *
 * Stored form of a string s (always NUL-terminated, never contains NUL):
 *   0x01 body  packed; the unpacked text is shorter than TEXT_PACK_MAX bytes.
 *              In the body, 0x01 x is the literal byte x; 0x02..0x08 y
 *              (y 0x01..0xFF) is dictionary word (first - 2) * 255 + (y - 1);
 *              any other byte is itself.
 *   0x02 s     s as it is (text too long to pack that starts with 0x01/0x02)
 *   s          as it is, when it starts with neither.
 */
#ifndef BHXH_TEXT_PACK_H
#define BHXH_TEXT_PACK_H

#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"

#define TEXT_PACK_MAX 1024  /* longest text packed, NUL included; longer is kept as it is */
#define TEXT_PACK_WORDS 1785 /* 7 * 255 */

struct text_pack_sample; /* words counted while building a dictionary */
struct text_pack;        /* a dictionary: immutable once built, shared by threads */

struct text_pack_sample *text_pack_sample_new(void);
/* Counts the words of s (n bytes). Returns 0, or -1 when memory ran out. */
int text_pack_sample_add(struct text_pack_sample *smp, const char *s, size_t n);
/* The dictionary of the words counted; frees smp. NULL when memory ran out. */
struct text_pack *text_pack_build(struct text_pack_sample *smp);
void text_pack_sample_free(struct text_pack_sample *smp);
void text_pack_free(struct text_pack *tp);
/* Number of words in the dictionary. */
size_t text_pack_words(const struct text_pack *tp);

/* Stores s (n bytes, no NUL) in the arena in its stored form; NULL when memory ran out. */
const char *text_pack_store(const struct text_pack *tp, struct arena *a, const char *s, size_t n);

/*
 * The text of a stored string: either a pointer into stored itself or tmp,
 * which receives the unpacked text (NUL-terminated). NULL for NULL.
 */
const char *text_unpack(const struct text_pack *tp, const char *stored, char tmp[TEXT_PACK_MAX]);

#endif
