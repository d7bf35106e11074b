/*
 * internal: what the files of the import module share and nobody else may
 * use (the public contract is import.h).
 *
 *   import.c        import_run: the order of the work, exit status
 *   source.c        reading one CSV: hashing, header, trimming, error report
 *   admin.c         admin_units.csv rows
 *   places.c        offices.csv, agents.csv, facilities.csv rows
 *   release_write.c the temporary database, the release rows, the swap
 *
 * One struct imp_ctx lives for one import_run(); it owns the code sets and
 * the database being written.
 */
#ifndef BHXH_IMPORT_INTERNAL_H
#define BHXH_IMPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "import/codeset.h"
#include "util/arena.h"
#include "util/err.h"

enum imp_file_id { IMP_ADMIN, IMP_OFFICES, IMP_AGENTS, IMP_FACILITIES, IMP_NFILES };

struct imp_file {
    const char *name; /* basename, e.g. "offices.csv" (static) */
    char *path;       /* DIR/offices.csv as opened; owned by the ctx */
    unsigned char sha256[32];
    uint64_t bytes;
    unsigned long rows; /* data records, header excluded */
    bool usable;        /* read to the end with a sound header: its codes may be referenced */
};

struct imp_db;

struct imp_ctx {
    FILE *log;
    unsigned max_errors;
    unsigned long errors; /* problems in the data found so far */
    bool failed;          /* an I/O or database failure was reported: stop */
    struct imp_file files[IMP_NFILES];
    struct codeset *codes[IMP_NFILES]; /* codes of each file, tag = level */
    struct imp_db *db;                 /* NULL once writing is pointless */
    struct arena arena;                /* strings kept for deferred checks */
};

/* Reports a problem in the data as "PATH:LINE: message" (PATH alone when line is 0). */
void imp_error(struct imp_ctx *c, const char *path, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports an I/O or database failure (only the first is printed) and sets c->failed. */
void imp_fail(struct imp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True while rows should still go into the database: no error of any kind yet. */
bool imp_writing(const struct imp_ctx *c);

/* Column flags. */
#define IMP_COL_REQUIRED 1u /* the column must be in the header */
#define IMP_VAL_REQUIRED 2u /* and its field non-empty on every row */

/* A file's columns; entries with a NULL name are not allowed in that file. */
struct imp_col {
    const char *name;
    unsigned flags;
};

struct imp_row {
    unsigned long line;
    const char *const *v; /* v[i]: trimmed field of column i, "" when empty or absent */
};

typedef void (*imp_row_fn)(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row,
                           void *arg);

/*
 * Reads f->path: hashes it, checks the header against cols[0..ncols), and
 * calls fn for every well-formed record whose required fields are set
 * (empty required fields are reported here). Fills f's sha256, bytes, rows
 * and usable.
 */
void imp_read_csv(struct imp_ctx *c, struct imp_file *f, const struct imp_col *cols, size_t ncols,
                  imp_row_fn fn, void *arg);

/*
 * References that may point forward in the same file (a parent further
 * down), checked once the file has been read.
 */
struct imp_pending {
    unsigned long line;
    const char *code, *parent; /* in c->arena */
    int level;
};

struct imp_pending_list {
    struct imp_pending *v;
    size_t n, cap;
};

/* Returns 0, or -1 (after imp_fail) when memory ran out. */
int imp_defer(struct imp_ctx *c, struct imp_pending_list *l, unsigned long line, const char *code,
              const char *parent, int level);
void imp_pending_free(struct imp_pending_list *l);

/* Row loaders: admin.c and places.c. */
void imp_load_admin(struct imp_ctx *c);
void imp_load_places(struct imp_ctx *c, enum imp_file_id id);

/* What goes into one places row; NULL or "" texts are stored as NULL. */
struct imp_place {
    const char *kind, *code, *name, *parent_code, *level, *facility_class, *ownership;
    const char *agent_type, *address, *province_code, *district_code, *ward_code;
    const char *phone, *email, *website, *opening_hours, *source, *updated, *src_file;
    int accepts_initial_registration; /* 0, 1, or -1 for NULL */
    bool position_approx;
    double lat, lon;
    unsigned long src_line;
};

/*
 * release_write.c. imp_db_create makes OUT.tmp-PID beside out_path with the
 * schema and an open transaction; imp_db_commit finishes it and renames it
 * over out_path; imp_db_abort removes it. Both free d. Each returns 0, or -1
 * with e filled.
 */
struct imp_db *imp_db_create(const char *out_path, struct err *e);
int imp_db_add_admin(struct imp_db *d, const char *code, const char *name, const char *type,
                     const char *level, const char *parent, struct err *e);
int imp_db_add_place(struct imp_db *d, const struct imp_place *p, struct err *e);
int imp_db_commit(struct imp_db *d, const struct imp_file *files, size_t nfiles, time_t built,
                  char *release_id, size_t id_size, struct err *e);
void imp_db_abort(struct imp_db *d);

/* The build time: SOURCE_DATE_EPOCH when set, else now. -1 with e filled if it is malformed. */
int imp_build_time(time_t *out, struct err *e);

#endif
