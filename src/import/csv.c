/*
 * A byte-at-a-time RFC 4180 state machine with bulk copying of plain runs:
 * most bytes of a record are neither quotes, commas nor line ends, so they are
 * found with a table lookup and appended in one memcpy. The record buffer,
 * the offset array and the pointer arrays grow to the largest record seen and
 * are reused, so a million-row file costs no allocation per record.
 */
#include "import/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "text/utf8.h"

#define READ_CHUNK (64 * 1024)

enum state { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE };

struct csv_reader {
    FILE *f;        /* NULL in buffer mode */
    char *own;      /* read buffer in file mode */
    const char *in; /* current input window */
    size_t in_len, in_pos;
    bool eof;
    csv_tap_fn tap;
    void *tap_ctx;
    uint64_t bytes;
    unsigned long line; /* current physical line */
    bool started;       /* BOM handled */
    bool bom;           /* a BOM was skipped */
    bool raw;           /* fields are not checked to be UTF-8 */
    size_t expected;    /* fields in the header; 0 before it */
    bool fatal;
    struct csv_error fatal_err;
    /* The record being built: field bytes, each followed by a NUL. */
    char *rec;
    size_t rec_len, rec_cap;
    size_t *off, *lens;
    char **fields;
    size_t nf, fcap;
    /* First problem seen while parsing the current record. */
    bool bad;
    long bad_field;
    char bad_msg[CSV_MSG_MAX];
};

/* Bytes that end a plain run outside and inside quotes. */
static unsigned char stop_unquoted[256], stop_quoted[256];

static void init_tables(void)
{
    if (stop_unquoted[','])
        return;
    stop_unquoted[','] = stop_unquoted['"'] = stop_unquoted['\n'] = stop_unquoted['\r'] = 1;
    stop_quoted['"'] = stop_quoted['\n'] = 1;
}

static struct csv_reader *reader_new(csv_tap_fn tap, void *tap_ctx)
{
    init_tables();
    struct csv_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->tap = tap;
    r->tap_ctx = tap_ctx;
    r->line = 1;
    return r;
}

struct csv_reader *csv_open_file(FILE *f, csv_tap_fn tap, void *tap_ctx)
{
    struct csv_reader *r = reader_new(tap, tap_ctx);
    if (r == NULL)
        return NULL;
    r->f = f;
    r->own = malloc(READ_CHUNK);
    if (r->own == NULL) {
        free(r);
        return NULL;
    }
    r->in = r->own;
    return r;
}

struct csv_reader *csv_open_buffer(const char *data, size_t n, csv_tap_fn tap, void *tap_ctx)
{
    struct csv_reader *r = reader_new(tap, tap_ctx);
    if (r == NULL)
        return NULL;
    r->in = data;
    r->in_len = n;
    r->eof = true;
    r->bytes = n;
    if (tap && n > 0)
        tap(tap_ctx, data, n);
    return r;
}

void csv_close(struct csv_reader *r)
{
    if (r == NULL)
        return;
    free(r->own);
    free(r->rec);
    free(r->off);
    free(r->lens);
    free(r->fields);
    free(r);
}

uint64_t csv_bytes_read(const struct csv_reader *r)
{
    return r->bytes;
}

void csv_set_raw(struct csv_reader *r)
{
    r->raw = true;
}

bool csv_saw_bom(const struct csv_reader *r)
{
    return r->bom;
}

static void set_fatal(struct csv_reader *r, bool io, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_fatal(struct csv_reader *r, bool io, unsigned long line, const char *fmt, ...)
{
    if (r->fatal)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->fatal_err.msg, sizeof r->fatal_err.msg, fmt, ap);
    va_end(ap);
    r->fatal_err.line = line;
    r->fatal_err.field = -1;
    r->fatal_err.fatal = true;
    r->fatal_err.io = io;
    r->fatal = true;
}

/* Records the first problem of the current record; parsing goes on. */
static void set_bad(struct csv_reader *r, const char *msg)
{
    if (r->bad)
        return;
    r->bad = true;
    r->bad_field = (long)r->nf;
    snprintf(r->bad_msg, sizeof r->bad_msg, "%s", msg);
}

/* Makes at least one input byte available; false at end of input or on error. */
static bool refill(struct csv_reader *r)
{
    if (r->in_pos < r->in_len)
        return true;
    if (r->eof)
        return false;
    size_t n = fread(r->own, 1, READ_CHUNK, r->f);
    if (n == 0) {
        r->eof = true;
        if (ferror(r->f))
            set_fatal(r, true, r->line, "read error: %s", strerror(errno));
        return false;
    }
    if (r->tap)
        r->tap(r->tap_ctx, r->own, n);
    r->bytes += n;
    r->in_len = n;
    r->in_pos = 0;
    return true;
}

static inline int next_byte(struct csv_reader *r)
{
    if (r->in_pos == r->in_len && !refill(r))
        return EOF;
    return (unsigned char)r->in[r->in_pos++];
}

/* After a CR: a following LF belongs to the same line end. */
static void eat_lf(struct csv_reader *r)
{
    if (refill(r) && r->in[r->in_pos] == '\n')
        r->in_pos++;
}

static bool append(struct csv_reader *r, const char *p, size_t n, unsigned long start)
{
    if (r->rec_len + n + 1 > r->rec_cap) {
        if (r->rec_len + n + 1 > CSV_RECORD_MAX) {
            set_fatal(r, false, start, "record is longer than %u bytes (is a quote left open?)",
                      CSV_RECORD_MAX);
            return false;
        }
        size_t cap = r->rec_cap ? r->rec_cap : 4096;
        while (cap < r->rec_len + n + 1)
            cap *= 2;
        char *q = realloc(r->rec, cap);
        if (q == NULL) {
            set_fatal(r, true, start, "out of memory");
            return false;
        }
        r->rec = q;
        r->rec_cap = cap;
    }
    memcpy(r->rec + r->rec_len, p, n);
    r->rec_len += n;
    return true;
}

/* Appends the run of bytes up to the next byte in stop[]; counts no lines. */
static bool take_run(struct csv_reader *r, const unsigned char *stop, unsigned long start)
{
    while (refill(r)) {
        const char *p = r->in + r->in_pos, *end = r->in + r->in_len, *q = p;
        while (q < end && !stop[(unsigned char)*q])
            q++;
        if (!append(r, p, (size_t)(q - p), start))
            return false;
        r->in_pos += (size_t)(q - p);
        if (q < end)
            return true;
    }
    return !r->fatal;
}

/* Ends the current field: NUL-terminates it and remembers where it starts. */
static bool end_field(struct csv_reader *r, size_t field_start, unsigned long start)
{
    if (r->nf == r->fcap) {
        size_t cap = r->fcap ? r->fcap * 2 : 32;
        size_t *off = realloc(r->off, cap * sizeof *off);
        if (off)
            r->off = off;
        size_t *lens = realloc(r->lens, cap * sizeof *lens);
        if (lens)
            r->lens = lens;
        char **fields = realloc(r->fields, cap * sizeof *fields);
        if (fields)
            r->fields = fields;
        if (!off || !lens || !fields) {
            set_fatal(r, true, start, "out of memory");
            return false;
        }
        r->fcap = cap;
    }
    r->off[r->nf] = field_start;
    r->lens[r->nf] = r->rec_len - field_start;
    r->nf++;
    char nul = '\0';
    return append(r, &nul, 1, start);
}

/* One step of the state machine for byte c; returns 1 at end of record, -1 on fatal error. */
static int step(struct csv_reader *r, int c, enum state *st, size_t *fstart, unsigned long start)
{
    char ch = (char)c;

    switch (*st) {
    case FIELD_START:
        if (c == '"') {
            *st = QUOTED;
            return 0;
        }
        *st = UNQUOTED;
        /* fall through */
    case UNQUOTED:
    unquoted:
        if (c == ',' || c == '\n' || c == '\r' || c == EOF) {
            if (!end_field(r, *fstart, start))
                return -1;
            *fstart = r->rec_len;
            *st = FIELD_START;
            if (c == ',')
                return 0;
            if (c == '\r')
                eat_lf(r);
            if (c != EOF)
                r->line++;
            return 1;
        }
        if (c == '"')
            set_bad(r, "stray quote inside an unquoted field (quote the whole field and "
                       "write a quote inside it as \"\")");
        if (!append(r, &ch, 1, start))
            return -1;
        return take_run(r, stop_unquoted, start) ? 0 : -1;
    case QUOTED:
        if (c == EOF) {
            set_fatal(r, false, start,
                      "unterminated quoted field: a quote opened in this record "
                      "is never closed");
            return -1;
        }
        if (c == '"') {
            *st = AFTER_QUOTE;
            return 0;
        }
        if (c == '\n')
            r->line++;
        if (!append(r, &ch, 1, start))
            return -1;
        return take_run(r, stop_quoted, start) ? 0 : -1;
    case AFTER_QUOTE:
        if (c == '"') {
            *st = QUOTED;
            return append(r, &ch, 1, start) ? 0 : -1;
        }
        *st = UNQUOTED;
        if (c == ',' || c == '\n' || c == '\r' || c == EOF)
            goto unquoted;
        set_bad(r, "unexpected character after a closing quote (write a quote inside a "
                   "quoted field as \"\")");
        goto unquoted;
    }
    return -1;
}

/* Skips the BOM once and any empty lines; returns false at end of input. */
static bool skip_to_record(struct csv_reader *r)
{
    if (!r->started) {
        r->started = true;
        if (refill(r) && r->in_len - r->in_pos >= 3 &&
            memcmp(r->in + r->in_pos, "\xEF\xBB\xBF", 3) == 0) {
            r->in_pos += 3;
            r->bom = true;
        }
    }
    for (;;) {
        if (!refill(r))
            return false;
        char c = r->in[r->in_pos];
        if (c != '\n' && c != '\r')
            return true;
        r->in_pos++;
        if (c == '\r')
            eat_lf(r);
        r->line++;
    }
}

/* Checks the encoding of every field and the field count; fills rec. */
static int finish_record(struct csv_reader *r, unsigned long start, struct csv_record *rec,
                         struct csv_error *err)
{
    for (size_t i = 0; i < r->nf; i++)
        r->fields[i] = r->rec + r->off[i];
    for (size_t i = 0; i < r->nf && !r->bad; i++) {
        size_t bad_at;
        if (!r->raw && !utf8_validate(r->fields[i], r->lens[i], &bad_at)) {
            r->bad = true;
            r->bad_field = (long)i;
            snprintf(r->bad_msg, sizeof r->bad_msg,
                     "invalid UTF-8 (byte 0x%02X at byte %zu of the field); the file must be "
                     "UTF-8 (re-save it as \"CSV UTF-8\", or name its encoding with "
                     "--encoding cp1258 or tcvn3)",
                     (unsigned char)r->fields[i][bad_at], bad_at + 1);
        } else if (memchr(r->fields[i], '\0', r->lens[i]) != NULL) {
            r->bad = true;
            r->bad_field = (long)i;
            snprintf(r->bad_msg, sizeof r->bad_msg,
                     "contains a NUL byte; the file must be UTF-8 (not UTF-16)");
        }
    }
    if (!r->bad && r->expected == 0)
        r->expected = r->nf;
    else if (!r->bad && r->nf != r->expected) {
        r->bad = true;
        r->bad_field = -1;
        snprintf(r->bad_msg, sizeof r->bad_msg, "record has %zu fields but the header has %zu",
                 r->nf, r->expected);
    }
    if (r->bad) {
        err->line = start;
        err->field = r->bad_field;
        err->fatal = false;
        err->io = false;
        snprintf(err->msg, sizeof err->msg, "%s", r->bad_msg);
        return CSV_ERROR;
    }
    rec->line = start;
    rec->nfields = r->nf;
    rec->fields = r->fields;
    rec->lens = r->lens;
    return CSV_RECORD;
}

int csv_next(struct csv_reader *r, struct csv_record *rec, struct csv_error *err)
{
    if (!r->fatal && !skip_to_record(r) && !r->fatal)
        return CSV_EOF;
    if (r->fatal) {
        *err = r->fatal_err;
        return CSV_ERROR;
    }
    unsigned long start = r->line;
    enum state st = FIELD_START;
    size_t fstart = 0;
    int done = 0;

    r->rec_len = 0;
    r->nf = 0;
    r->bad = false;
    while (done == 0)
        done = step(r, next_byte(r), &st, &fstart, start);
    if (done < 0 || r->fatal) {
        *err = r->fatal_err;
        return CSV_ERROR;
    }
    return finish_record(r, start, rec, err);
}
