/*
 * source: reading one import CSV for the row loaders. It owns the file
 * handle, the CSV reader and the header map for the duration of one
 * imp_read_csv() call; it hashes every byte (SHA-256, nettle) as it is read,
 * maps header names to the loader's columns, trims fields, and reports
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
    int *col;     /* field -> index into cols, or -1 (unknown column) */
    bool ok;      /* every required column present, none twice */
};

static void header_free(struct header *h)
{
    for (size_t i = 0; h->names && i < h->nfields; i++)
        free(h->names[i]);
    free(h->names);
    free(h->col);
}

static int find_col(const struct imp_col *cols, size_t ncols, const char *name, bool nocase)
{
    for (size_t i = 0; i < ncols; i++)
        if (cols[i].name && (nocase ? strcasecmp : strcmp)(cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Reports unknown, unnamed and repeated columns; fills h->col. */
static void header_fields(struct imp_ctx *c, struct imp_file *f, unsigned long line,
                          struct header *h, const struct imp_col *cols, size_t ncols)
{
    for (size_t i = 0; i < h->nfields; i++) {
        const char *name = h->names[i];
        int k = find_col(cols, ncols, name, false);
        h->col[i] = k;
        if (*name == '\0') {
            imp_error(c, f->path, line, "column %zu: has no name", i + 1);
        } else if (k < 0) {
            int near = find_col(cols, ncols, name, true);
            if (near >= 0)
                imp_error(c, f->path, line, "%s: unknown column (did you mean %s?)", name,
                          cols[near].name);
            else
                imp_error(c, f->path, line, "%s: unknown column", name);
        }
        for (size_t j = 0; k >= 0 && j < i; j++) {
            if (h->col[j] == k) {
                imp_error(c, f->path, line, "%s: column appears twice (columns %zu and %zu)", name,
                          j + 1, i + 1);
                h->ok = false;
                h->col[i] = -1;
                break;
            }
        }
    }
}

/* Builds h from the header record; returns -1 when memory ran out. */
static int header_read(struct imp_ctx *c, struct imp_file *f, const struct csv_record *rec,
                       struct header *h, const struct imp_col *cols, size_t ncols)
{
    h->nfields = rec->nfields;
    h->names = calloc(rec->nfields, sizeof *h->names);
    h->col = calloc(rec->nfields, sizeof *h->col);
    if (h->names == NULL || h->col == NULL)
        return -1;
    for (size_t i = 0; i < rec->nfields; i++)
        if ((h->names[i] = strdup(trim(rec->fields[i], rec->lens[i]))) == NULL)
            return -1;
    h->ok = true;
    header_fields(c, f, rec->line, h, cols, ncols);
    for (size_t k = 0; k < ncols; k++) {
        if (cols[k].name == NULL || !(cols[k].flags & IMP_COL_REQUIRED))
            continue;
        bool present = false;
        for (size_t i = 0; i < h->nfields && !present; i++)
            present = h->col[i] == (int)k;
        if (!present) {
            imp_error(c, f->path, rec->line, "%s: required column is missing", cols[k].name);
            h->ok = false;
        }
    }
    return 0;
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

/* Reads every record after the header; false if the file could not be read to its end. */
static bool read_rows(struct imp_ctx *c, struct imp_file *f, struct csv_reader *r,
                      const struct header *h, const struct imp_col *cols, size_t ncols,
                      imp_row_fn fn, void *arg)
{
    const char **vals = calloc(ncols, sizeof *vals);
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
        if (!h->ok)
            continue;
        /* An empty required field is reported once, here; fn skips its checks. */
        row_values(c, f, h, &rec, cols, ncols, vals);
        struct imp_row row = {.line = rec.line, .v = vals};
        fn(c, f, &row, arg);
    }
    free(vals);
    return !c->failed && st == CSV_EOF;
}

/* Reads the header and the rows from an open file. */
static void read_stream(struct imp_ctx *c, struct imp_file *f, FILE *fp, const struct imp_col *cols,
                        size_t ncols, imp_row_fn fn, void *arg)
{
    struct sha256_ctx sha;
    struct header h = {0};
    struct csv_record rec;
    struct csv_error err;

    sha256_init(&sha);
    struct csv_reader *r = csv_open_file(fp, tap_sha, &sha);
    if (r == NULL) {
        imp_fail(c, "out of memory");
        return;
    }
    int st = csv_next(r, &rec, &err);
    if (st == CSV_EOF) {
        imp_error(c, f->path, 1, "the file is empty (a header line is required)");
    } else if (st == CSV_ERROR) {
        report_csv(c, f, &h, &err);
    } else if (header_read(c, f, &rec, &h, cols, ncols) != 0) {
        imp_fail(c, "out of memory");
    } else {
        f->usable = read_rows(c, f, r, &h, cols, ncols, fn, arg) && h.ok;
    }
    f->bytes = csv_bytes_read(r);
    sha256_digest(&sha, sizeof f->sha256, f->sha256);
    csv_close(r);
    header_free(&h);
}

void imp_read_csv(struct imp_ctx *c, struct imp_file *f, const struct imp_col *cols, size_t ncols,
                  imp_row_fn fn, void *arg)
{
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
    read_stream(c, f, fp, cols, ncols, fn, arg);
    fclose(fp);
}
