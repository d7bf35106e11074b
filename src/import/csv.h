/*
 * csv: a streaming RFC 4180 reader for the import files.
 *
 * Records come one at a time from a FILE* or an in-memory buffer. Fields may
 * be quoted; inside quotes commas, line breaks and doubled quotes ("") are
 * data. Lines end in LF or CRLF; a UTF-8 BOM at the very start is skipped;
 * lines with no characters at all are skipped (they are usually a trailing
 * newline too many). Every field is checked to be UTF-8 without NUL bytes,
 * and every record after the first (the header) must have as many fields as
 * the first.
 *
 * Ownership: the reader owns one record buffer that is reused for every
 * record, so the fields of a record are valid until the next csv_next() or
 * csv_close(). The FILE* or buffer given at open stays the caller's and must
 * outlive the reader.
 */
#ifndef BHXH_IMPORT_CSV_H
#define BHXH_IMPORT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CSV_MSG_MAX 256
#define CSV_RECORD_MAX (1u << 20) /* bytes in one record; more is an error */

enum csv_status { CSV_ERROR = -1, CSV_EOF = 0, CSV_RECORD = 1 };

struct csv_record {
    unsigned long line; /* physical line where the record starts, 1-based */
    size_t nfields;
    char **fields; /* NUL-terminated; the caller may modify them in place */
    size_t *lens;  /* byte length of each field */
};

struct csv_error {
    unsigned long line; /* line where the bad record starts */
    long field;         /* 0-based index of the bad field, or -1 */
    bool fatal;         /* the reader cannot go on: stop calling csv_next() */
    bool io;            /* a read error or out of memory, not a problem in the data */
    char msg[CSV_MSG_MAX];
};

/* Called with every block of raw bytes as it is read (e.g. to hash the file). */
typedef void (*csv_tap_fn)(void *ctx, const void *bytes, size_t n);

struct csv_reader;

/* Both return NULL when memory runs out. tap may be NULL. Free with csv_close(). */
struct csv_reader *csv_open_file(FILE *f, csv_tap_fn tap, void *tap_ctx);
struct csv_reader *csv_open_buffer(const char *data, size_t n, csv_tap_fn tap, void *tap_ctx);
void csv_close(struct csv_reader *r);

/*
 * Reads the next record into *rec. Returns CSV_RECORD, CSV_EOF at the end, or
 * CSV_ERROR with *err filled. After a non-fatal error the bad record has been
 * consumed whole and reading may go on with the next one; after a fatal one
 * (unterminated quote, over-long record, read error, out of memory) csv_next
 * keeps returning that error.
 */
int csv_next(struct csv_reader *r, struct csv_record *rec, struct csv_error *err);

/* Bytes consumed from the input so far (all of it once CSV_EOF was returned). */
uint64_t csv_bytes_read(const struct csv_reader *r);

/*
 * Raw mode, for input in a legacy 8-bit encoding that the caller converts
 * field by field: fields are not checked to be UTF-8 (NUL bytes still are).
 * Call before the first csv_next().
 */
void csv_set_raw(struct csv_reader *r);

/* True once the reader has skipped a UTF-8 byte order mark at the start. */
bool csv_saw_bom(const struct csv_reader *r);

#endif
