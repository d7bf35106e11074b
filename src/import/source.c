/*
 * source: reading one import CSV for the row loaders. It owns the file
 * handle, the CSV reader and the header map for the duration of one
 * imp_read_csv() call; it hashes every byte (SHA-256, nettle) as it is read,
 * converts a file in a legacy encoding (--encoding) to UTF-8 field by field
 * (the hash and byte count stay those of the file as given), maps header
 * names to the loader's columns (colmap.h), trims fields, and reports
 * problems of form (encoding, quoting, field counts, header, empty required
 * fields) so that loaders only see rows worth validating.
 */
#include "import/internal.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/csv.h"
#include "text/nfc.h"

void imp_error(struct imp_ctx *c, const char *path, unsigned long line, const char *fmt, ...)
{
    c->errors++;
    if (c->errors > c->max_errors)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (line > 0)
        fprintf(c->log, "%s:%lu: ", path, line);
    else
        fprintf(c->log, "%s: ", path);
    vfprintf(c->log, fmt, ap);
    fputc('\n', c->log);
    va_end(ap);
}

void imp_fail(struct imp_ctx *c, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->log, fmt, ap);
    fputc('\n', c->log);
    va_end(ap);
}

bool imp_writing(const struct imp_ctx *c)
{
    return c->db != NULL && c->errors == 0 && !c->failed;
}

int imp_defer(struct imp_ctx *c, struct imp_pending_list *l, unsigned long line, const char *code,
              const char *parent, int level)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct imp_pending *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            imp_fail(c, "out of memory");
            return -1;
        }
        l->v = v;
        l->cap = cap;
    }
    struct imp_pending *p = &l->v[l->n];
    p->line = line;
    p->level = level;
    p->code = arena_strndup(&c->arena, code, strlen(code));
    p->parent = arena_strndup(&c->arena, parent, strlen(parent));
    if (p->code == NULL || p->parent == NULL) {
        imp_fail(c, "out of memory");
        return -1;
    }
    l->n++;
    return 0;
}

void imp_pending_free(struct imp_pending_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* Leading and trailing spaces and tabs are not data (docs/data-format.md). */
static char *trim(char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        s[--len] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static void tap_sha(void *ctx, const void *bytes, size_t n)
{
    sha256_update(ctx, n, bytes);
}

/* The header of one file: which column each field is, and the names for messages. */
struct header {
    size_t nfields;
    char **names; /* copies of the header fields */
    int *col;     /* field -> index into cols, or -1 (unknown or ignored column) */
    bool ok;      /* every required column present, none twice */
};

static void header_free(struct header *h)
{
    for (size_t i = 0; h->names && i < h->nfields; i++)
        free(h->names[i]);
    free(h->names);
    free(h->col);
}

static enum colmap_kind file_kind(const struct imp_ctx *c, const struct imp_file *f)
{
    static const enum colmap_kind kinds[IMP_NFILES] = {
        [IMP_ADMIN] = COLMAP_ADMIN,
        [IMP_OFFICES] = COLMAP_OFFICE,
        [IMP_AGENTS] = COLMAP_AGENT,
        [IMP_FACILITIES] = COLMAP_FACILITY,
    };
    ptrdiff_t i = f - c->files;
    return i >= 0 && i < IMP_NFILES && kinds[i] ? kinds[i] : COLMAP_ADMIN;
}

/* A header that is neither a column nor mapped to one. */
static void report_unknown(struct imp_ctx *c, struct imp_file *f, unsigned long line,
                           const char *name, const char *meant)
{
    if (meant)
        imp_error(c, f->path, line, "%s: means %s, which is not a column of %s", name, meant,
                  f->name);
    else if (strcasecmp(name, "x") == 0 || strcasecmp(name, "y") == 0)
        imp_error(c, f->path, line,
                  "%s: unknown column (easting or northing? VN-2000 surveys write X for the "
                  "northing and Y for the easting: name the columns easting and northing, or "
                  "map them with --columns)",
                  name);
    else
        imp_error(c, f->path, line,
                  "%s: unknown column (rename it as in docs/data-format.md, or map it with "
                  "--columns)",
                  name);
}

/* Reports unknown, unnamed and repeated columns; fills h->col. */
static void header_fields(struct imp_ctx *c, struct imp_file *f, unsigned long line,
                          struct header *h, const char *const *names, size_t ncols)
{
    for (size_t i = 0; i < h->nfields; i++) {
        const char *name = h->names[i], *meant = NULL;
        int k = *name ? colmap_resolve(c->colmap, file_kind(c, f), name, names, ncols, &meant)
                      : COLMAP_UNKNOWN;
        h->col[i] = k >= 0 ? k : -1;
        if (*name == '\0')
            imp_error(c, f->path, line, "column %zu: has no name", i + 1);
        else if (k == COLMAP_UNKNOWN)
            report_unknown(c, f, line, name, meant);
        for (size_t j = 0; k >= 0 && j < i; j++) {
            if (h->col[j] != k)
                continue;
            if (strcmp(h->names[j], name) == 0)
                imp_error(c, f->path, line, "%s: column appears twice (columns %zu and %zu)", name,
                          j + 1, i + 1);
            else
                imp_error(c, f->path, line,
                          "%s: column appears twice (columns %zu and %zu both mean %s)", name,
                          j + 1, i + 1, names[k]);
            h->ok = false;
            h->col[i] = -1;
            break;
        }
    }
}

/* Required columns, then the loader's own header check. */
static void header_required(struct imp_ctx *c, struct imp_file *f, unsigned long line,
                            struct header *h, const struct imp_col *cols, size_t ncols,
                            bool *present, imp_header_fn hfn, void *arg)
{
    char aliases[256];
    for (size_t i = 0; i < h->nfields; i++)
        if (h->col[i] >= 0)
            present[h->col[i]] = true;
    for (size_t k = 0; k < ncols; k++) {
        if (cols[k].name == NULL || !(cols[k].flags & IMP_COL_REQUIRED) || present[k])
            continue;
        colmap_aliases(file_kind(c, f), cols[k].name, aliases, sizeof aliases);
        if (*aliases)
            imp_error(c, f->path, line, "%s: required column is missing (also recognised: %s)",
                      cols[k].name, aliases);
        else
            imp_error(c, f->path, line, "%s: required column is missing", cols[k].name);
        h->ok = false;
    }
    if (hfn && !hfn(c, f, line, present, arg))
        h->ok = false;
}

/* Builds h from the header record; returns -1 when memory ran out. */
static int header_read(struct imp_ctx *c, struct imp_file *f, const struct csv_record *rec,
                       struct header *h, const struct imp_col *cols, size_t ncols,
                       imp_header_fn hfn, void *arg)
{
    h->nfields = rec->nfields;
    h->names = calloc(rec->nfields, sizeof *h->names);
    h->col = calloc(rec->nfields, sizeof *h->col);
    const char **names = calloc(ncols, sizeof *names);
    bool *present = calloc(ncols, sizeof *present);
    int rc = -1;
    if (h->names == NULL || h->col == NULL || names == NULL || present == NULL)
        goto out;
    for (size_t i = 0; i < rec->nfields; i++)
        if ((h->names[i] = strdup(trim(rec->fields[i], rec->lens[i]))) == NULL)
            goto out;
    for (size_t k = 0; k < ncols; k++)
        names[k] = cols[k].name;
    h->ok = true;
    header_fields(c, f, rec->line, h, names, ncols);
    header_required(c, f, rec->line, h, cols, ncols, present, hfn, arg);
    rc = 0;
out:
    free(names);
    free(present);
    return rc;
}

/* The fields of a record in a legacy encoding, converted to UTF-8; reused from record to record. */
struct recoded {
    struct buf bytes;
    struct buf scratch; /* one field on its way to NFC */
    char **fields;
    size_t *lens, *off, cap;
};

static void recoded_free(struct recoded *rr)
{
    buf_free(&rr->bytes);
    buf_free(&rr->scratch);
    free(rr->fields);
    free(rr->lens);
    free(rr->off);
}

static bool recoded_grow(struct recoded *rr, size_t n)
{
    if (n <= rr->cap)
        return true;
    char **fields = realloc(rr->fields, n * sizeof *fields);
    if (fields)
        rr->fields = fields;
    size_t *lens = realloc(rr->lens, n * sizeof *lens);
    if (lens)
        rr->lens = lens;
    size_t *off = realloc(rr->off, n * sizeof *off);
    if (off)
        rr->off = off;
    if (!fields || !lens || !off)
        return false;
    rr->cap = n;
    return true;
}

static unsigned long count_lf(const char *s, size_t n)
{
    unsigned long k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\n';
    return k;
}

/* A field not valid in the declared encoding, on the line of the offending byte. */
static void report_encoding(struct imp_ctx *c, struct imp_file *f, const struct header *h,
                            const struct csv_record *rec, size_t i, size_t bad_at,
                            const struct err *e)
{
    unsigned long line = rec->line + count_lf(rec->fields[i], bad_at);
    for (size_t j = 0; j < i; j++)
        line += count_lf(rec->fields[j], rec->lens[j]);
    if (h->names && i < h->nfields && *h->names[i])
        imp_error(c, f->path, line, "%s: %s", h->names[i], e->msg);
    else
        imp_error(c, f->path, line, "column %zu: %s", i + 1, e->msg);
}

/* Puts the text rr->bytes holds from at on in NFC (text/nfc.h), if it may not be. */
static int nfc_tail(struct recoded *rr, size_t at)
{
    if (!nfc_maybe_needed(rr->bytes.data + at, rr->bytes.len - at))
        return 0;
    buf_reset(&rr->scratch);
    if (buf_append(&rr->scratch, rr->bytes.data + at, rr->bytes.len - at) != 0)
        return -1;
    rr->bytes.len = at;
    if (nfc_append(rr->scratch.data, rr->scratch.len, &rr->bytes) == 0)
        return 0;
    /* not UTF-8 after all (the checks that report it come later): kept as it was */
    rr->bytes.len = at;
    return buf_append(&rr->bytes, rr->scratch.data, rr->scratch.len);
}

/*
 * Converts every field of rec to UTF-8 when the file is in a legacy
 * encoding, and puts every field in Unicode NFC, so that text decomposed by
 * the tool that wrote the file ("ệ" as e + U+0323 + U+0302) is stored as
 * everyone else writes it; rec is pointed at the results in rr. A UTF-8
 * record that is NFC already (nearly all) is left as it is. Returns false
 * (after reporting) when a field is not valid in the encoding or memory ran
 * out.
 */
static bool convert_record(struct imp_ctx *c, struct imp_file *f, const struct header *h,
                           struct csv_record *rec, struct recoded *rr)
{
    if (f->recoder == NULL) {
        size_t i = 0;
        while (i < rec->nfields && !nfc_maybe_needed(rec->fields[i], rec->lens[i]))
            i++;
        if (i == rec->nfields)
            return true;
    }
    if (!recoded_grow(rr, rec->nfields)) {
        imp_fail(c, "out of memory");
        return false;
    }
    buf_reset(&rr->bytes);
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t at = rr->bytes.len, bad_at = 0;
        struct err e;
        int rc = f->recoder ? recoder_to_utf8(f->recoder, rec->fields[i], rec->lens[i],
                                              &rr->bytes, &bad_at, &e)
                            : buf_append(&rr->bytes, rec->fields[i], rec->lens[i]);
        if (rc == -1 && f->recoder) {
            report_encoding(c, f, h, rec, i, bad_at, &e);
            return false;
        }
        if (rc != 0 || nfc_tail(rr, at) != 0 || buf_append(&rr->bytes, "", 1) != 0) {
            imp_fail(c, "out of memory");
            return false;
        }
        rr->off[i] = at;
        rr->lens[i] = rr->bytes.len - 1 - at;
    }
    for (size_t i = 0; i < rec->nfields; i++)
        rr->fields[i] = rr->bytes.data + rr->off[i];
    rec->fields = rr->fields;
    rec->lens = rr->lens;
    return true;
}

static void report_csv(struct imp_ctx *c, struct imp_file *f, const struct header *h,
                       const struct csv_error *err)
{
    if (err->io) {
        imp_fail(c, "%s: %s", f->path, err->msg);
    } else if (err->field < 0) {
        imp_error(c, f->path, err->line, "%s", err->msg);
    } else if (h->names && (size_t)err->field < h->nfields && *h->names[err->field]) {
        imp_error(c, f->path, err->line, "%s: %s", h->names[err->field], err->msg);
    } else {
        imp_error(c, f->path, err->line, "column %ld: %s", err->field + 1, err->msg);
    }
}

/* Trims the record's fields into vals (by column) and reports empty required ones. */
static void row_values(struct imp_ctx *c, struct imp_file *f, const struct header *h,
                       struct csv_record *rec, const struct imp_col *cols, size_t ncols,
                       const char **vals)
{
    for (size_t k = 0; k < ncols; k++)
        vals[k] = "";
    for (size_t i = 0; i < rec->nfields; i++)
        if (h->col[i] >= 0)
            vals[h->col[i]] = trim(rec->fields[i], rec->lens[i]);
    for (size_t i = 0; i < rec->nfields; i++) {
        int k = h->col[i];
        if (k >= 0 && (cols[k].flags & IMP_VAL_REQUIRED) && *vals[k] == '\0')
            imp_error(c, f->path, rec->line, "%s: is required but empty", cols[k].name);
    }
}

/* What a loader asked imp_read_csv_hdr() for. */
struct read_spec {
    const struct imp_col *cols;
    size_t ncols;
    imp_header_fn hfn;
    imp_row_fn fn;
    void *arg;
};

/* Reads every record after the header; false if the file could not be read to its end. */
static bool read_rows(struct imp_ctx *c, struct imp_file *f, struct csv_reader *r,
                      const struct header *h, const struct read_spec *sp, struct recoded *rr)
{
    const char **vals = calloc(sp->ncols, sizeof *vals);
    struct csv_record rec;
    struct csv_error err;
    int st = CSV_ERROR;

    if (vals == NULL) {
        imp_fail(c, "out of memory");
        return false;
    }
    while (!c->failed && (st = csv_next(r, &rec, &err)) != CSV_EOF) {
        f->rows++;
        if (st == CSV_ERROR) {
            report_csv(c, f, h, &err);
            if (err.fatal)
                break;
            continue;
        }
        if (!h->ok || !convert_record(c, f, h, &rec, rr))
            continue;
        /* An empty required field is reported once, here; fn skips its checks. */
        row_values(c, f, h, &rec, sp->cols, sp->ncols, vals);
        struct imp_row row = {.line = rec.line, .v = vals};
        sp->fn(c, f, &row, sp->arg);
    }
    free(vals);
    return !c->failed && st == CSV_EOF;
}

/* The header record, converted when the file is in a legacy encoding. */
static void read_header(struct imp_ctx *c, struct imp_file *f, struct csv_reader *r,
                        struct csv_record *rec, struct header *h, const struct read_spec *sp,
                        struct recoded *rr)
{
    if (f->recoder && csv_saw_bom(r)) {
        imp_error(c, f->path, 1,
                  "the file starts with a UTF-8 byte order mark, so it is UTF-8, not %s "
                  "(leave out --encoding)",
                  recode_name(f->encoding));
        return;
    }
    if (!convert_record(c, f, h, rec, rr))
        return;
    if (header_read(c, f, rec, h, sp->cols, sp->ncols, sp->hfn, sp->arg) != 0) {
        imp_fail(c, "out of memory");
        return;
    }
    f->usable = read_rows(c, f, r, h, sp, rr) && h->ok;
}

/* Reads the header and the rows from an open file. */
static void read_stream(struct imp_ctx *c, struct imp_file *f, FILE *fp, const struct read_spec *sp)
{
    struct sha256_ctx sha;
    struct header h = {0};
    struct recoded rr = {0};
    struct csv_record rec;
    struct csv_error err;

    sha256_init(&sha);
    struct csv_reader *r = csv_open_file(fp, tap_sha, &sha);
    if (r == NULL) {
        imp_fail(c, "out of memory");
        return;
    }
    if (f->recoder)
        csv_set_raw(r);
    int st = csv_next(r, &rec, &err);
    if (st == CSV_EOF)
        imp_error(c, f->path, 1, "the file is empty (a header line is required)");
    else if (st == CSV_ERROR)
        report_csv(c, f, &h, &err);
    else
        read_header(c, f, r, &rec, &h, sp, &rr);
    f->bytes = csv_bytes_read(r);
    sha256_digest(&sha, sizeof f->sha256, f->sha256);
    csv_close(r);
    header_free(&h);
    recoded_free(&rr);
}

void imp_read_csv_hdr(struct imp_ctx *c, struct imp_file *f, const struct imp_col *cols,
                      size_t ncols, imp_header_fn hfn, imp_row_fn fn, void *arg)
{
    struct read_spec sp = {cols, ncols, hfn, fn, arg};
    f->usable = false;
    f->rows = 0;
    FILE *fp = fopen(f->path, "rb");
    if (fp == NULL) {
        if (errno == ENOENT)
            imp_error(c, f->path, 0, "file not found (the data directory must hold %s)", f->name);
        else
            imp_fail(c, "%s: cannot open: %s", f->path, strerror(errno));
        return;
    }
    read_stream(c, f, fp, &sp);
    fclose(fp);
}

void imp_read_csv(struct imp_ctx *c, struct imp_file *f, const struct imp_col *cols, size_t ncols,
                  imp_row_fn fn, void *arg)
{
    imp_read_csv_hdr(c, f, cols, ncols, NULL, fn, arg);
}
