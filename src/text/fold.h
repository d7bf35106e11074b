/*
 * fold: diacritic- and case-insensitive Vietnamese text for search. This is
 * the one place that decides when two spellings are "the same": the importer
 * puts fold_index_text() of names and addresses into the FTS5 table
 * places_fts (store/schema.h), and the search API turns what a user typed
 * into a MATCH expression with fold_fts_query(). Both sides share the
 * folding and the abbreviation table, so they cannot drift apart.
 *
 * Folding: lower case; diacritics removed (precomposed letters through
 * text/fold_table.h, combining marks U+0300..U+036F dropped, so NFD and NFC
 * input fold alike); đ/Đ -> d; every run of characters that are not letters
 * or digits becomes one space, with none at either end. ASCII letters and
 * digits make up Vietnamese words; other letters and digits (CJK, Greek, ...)
 * are kept as UTF-8, case and all, so they can still be matched (FTS5's
 * unicode61 folds their case). What separates words is what unicode61 takes
 * for a separator (anything but letters, numbers and private use, so also
 * combining marks other than U+0300..U+036F); bytes that are not
 * well-formed UTF-8 separate words too.
 *
 * Abbreviations (folded): bv benh vien, bvdk benh vien da khoa, pk phong
 * kham, pkdk phong kham da khoa, ttyt trung tam y te, tyt tram y te, bhxh bao
 * hiem xa hoi, tp thanh pho, tx thi xa, tt thi tran, and the single letters
 * p phuong, q quan, h huyen, x xa. A single letter is an abbreviation only
 * when the original text has a dot right after it ("P.5", "H. Hòn Đất") or
 * a number after it with only spaces between ("P 5", "Q 10"); a lone letter
 * in a name ("Thị trấn P Rao", "Xã H Bông") is left alone. "p" and "q"
 * glued to a number of 1-3 digits ("P5", "Q10") are expanded with the number
 * ("phuong 5"). Other abbreviations count wherever they are a whole word.
 *
 * Every function appends to a caller-owned struct buf and, on failure,
 * leaves it as it was. No global state; safe from any thread.
 */
#ifndef BHXH_TEXT_FOLD_H
#define BHXH_TEXT_FOLD_H

#include <stddef.h>

#include "util/buf.h"

/* Most words fold_fts_query() turns into terms; later words are ignored. */
#define FOLD_QUERY_MAX_TERMS 16

/*
 * Appends the folded form of the n bytes at s to out: "Trạm Y tế Phường 5,
 * Q.3" -> "tram y te phuong 5 q 3". Appends nothing when s has no word.
 * Returns 0, or -1 when memory ran out.
 */
int fold_text(const char *s, size_t n, struct buf *out);

/*
 * Appends the text to index for s: fold_text() with every abbreviation
 * followed by its expansion, the abbreviation itself kept ("BV Đa khoa" ->
 * "bv benh vien da khoa"), so a query with either spelling finds it.
 * Returns 0, or -1 when memory ran out.
 */
int fold_index_text(const char *s, size_t n, struct buf *out);

/*
 * Appends an FTS5 MATCH expression for what a user typed: one term per word
 * (at most FOLD_QUERY_MAX_TERMS), joined by AND. A word is a quoted prefix
 * term, so a query can be typed as you go ("benh vi" -> "benh"* AND "vi"*);
 * an abbreviation also matches its expansion as a phrase ("bv kien" ->
 * ("bv"* OR "benh vien") AND "kien"*). Everything the user wrote ends up
 * inside quotes, so no FTS5 syntax (AND, NEAR, column filters, ...) survives.
 * Returns 0; -1 when q has no word to search for (out unchanged: the caller
 * answers 400); -2 when memory ran out.
 */
int fold_fts_query(const char *q, size_t n, struct buf *out);

#endif
