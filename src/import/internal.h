/*
 * internal: what the files of the import module share and nobody else may
 * use (the public contract is import.h).
 *
 *   import.c        import_run: the order of the work, exit status
 *   options.c       --crs, --encoding, --columns per file
 *   source.c        reading one CSV: hashing, encoding, header, trimming, error report
 *   colmap.c        which canonical column a source header means (colmap.h)
 *   admin.c         admin_units.csv and admin_successors.csv rows, and the
 *                   checks of a place's admin codes against their versions
 *   places.c        offices.csv, agents.csv, facilities.csv rows
 *   position.c      a place's position: its CRS, the transform, the territory
 *   release_write.c the temporary database, the release rows, the swap
 *   place_row.c     a place as a row handed to the thread that inserts it
 *   textq.c         handing rows to a worker thread (textq.h)
 *   fts_side.c      places_fts built in a database of its own (fts_side.h)
 *   spatial_load.c  the point BLOB, SpatiaLite's triggers set aside (spatial_load.h)
 *   rtree_pack.c    the spatial index packed in one pass (rtree_pack.h)
 *   timings.c       --timings (timings.h)
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

#include "geo/crs.h"
#include "import/codeset.h"
#include "import/colmap.h"
#include "import/timings.h"
#include "text/recode.h"
#include "util/arena.h"
#include "util/err.h"

enum imp_file_id { IMP_ADMIN, IMP_SUCCESSORS, IMP_OFFICES, IMP_AGENTS, IMP_FACILITIES, IMP_NFILES };

struct imp_file {
    const char *name; /* basename, e.g. "offices.csv" (static) */
    char *path;       /* DIR/offices.csv as opened; owned by the ctx */
    unsigned char sha256[32];
    uint64_t bytes;
    unsigned long rows; /* data records, header excluded */
    bool usable;        /* read to the end with a sound header: its codes may be referenced */
    bool absent;        /* an optional file that is not there (not in release_sources) */
    /* --encoding and --crs as they apply to this file */
    enum recode_encoding encoding;
    struct recoder *recoder; /* for an encoding other than UTF-8, else NULL; owned */
    struct geo_crs crs;      /* for rows that do not name a crs */
};

struct imp_db;
struct imp_admin;

struct imp_ctx {
    FILE *log;
    unsigned max_errors;
    unsigned long errors; /* problems in the data found so far */
    bool failed;          /* an I/O or database failure was reported: stop */
    struct imp_file files[IMP_NFILES];
    struct codeset *codes[IMP_NFILES]; /* codes of each file, tag = level */
    struct imp_db *db;                 /* NULL once writing is pointless */
    struct arena arena;                /* strings kept for deferred checks */
    struct imp_admin *admin;           /* units by (code, version): admin.c */
    struct colmap *colmap;             /* --columns mappings (maybe none) */
    struct geo_transformer *geo;       /* PROJ operations, one per CRS used */
    struct imp_clock clock;            /* --timings */
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
 * Checks a header beyond its required columns: present[k] tells whether
 * column k is in it. Reports problems itself; returns false when the rows
 * cannot be read with this header.
 */
typedef bool (*imp_header_fn)(struct imp_ctx *c, struct imp_file *f, unsigned long line,
                              const bool *present, void *arg);

/*
 * Reads f->path: hashes it, checks the header against cols[0..ncols), and
 * calls fn for every well-formed record whose required fields are set
 * (empty required fields are reported here). Fills f's sha256, bytes, rows
 * and usable.
 */
void imp_read_csv(struct imp_ctx *c, struct imp_file *f, const struct imp_col *cols, size_t ncols,
                  imp_row_fn fn, void *arg);

/* imp_read_csv with a header check (hfn may be NULL). */
void imp_read_csv_hdr(struct imp_ctx *c, struct imp_file *f, const struct imp_col *cols,
                      size_t ncols, imp_header_fn hfn, imp_row_fn fn, void *arg);

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

/*
 * options.c: --crs, --encoding, --columns into c->files[i].crs, .encoding,
 * .recoder and c->colmap, and the run's transformer c->geo. Returns 0, or
 * the result import_run should give after printing why (2 for a bad
 * option, 1 for a malformed --columns file). imp_options_free releases
 * what it made (safe on a zeroed context).
 */
struct import_opts;
int imp_options_init(struct imp_ctx *c, const struct import_opts *o);
void imp_options_free(struct imp_ctx *c);

/* Row loaders: admin.c and places.c. */
void imp_load_admin(struct imp_ctx *c); /* admin_units.csv, then admin_successors.csv */

/*
 * A place's province_code, district_code and ward_code (each "" when empty)
 * against the versions of admin_units.csv: the province and ward must be
 * units of the current (latest) version, the ward in that province, the
 * district a unit of any version whose province is, or went into, that
 * province. Codes absent from every version are left to the caller's
 * existence check. Reports each problem as PATH:LINE: COLUMN: reason.
 */
void imp_admin_check_place(struct imp_ctx *c, const char *path, unsigned long line,
                           const char *province, const char *district, const char *ward);
void imp_admin_free(struct imp_ctx *c);
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
    /* The position as the source gave it, when it was not WGS 84 lat/lon. */
    char src_crs[16];    /* "EPSG:9207", or "" */
    double src_x, src_y; /* easting/northing, or lon/lat, in src_crs */
};

/*
 * place_row.c: a place as the texts and numbers of a textq row (textq.h),
 * to hand it to the thread that inserts it, and back. The texts of the row
 * point into p (NULL stays NULL); those of the place from a row point into
 * texts, and live as long as they do.
 */
#define IMP_PLACE_NTEXTS 20
#define IMP_PLACE_PAYLOAD 64 /* bytes of numbers, at least sizeof their struct */
void imp_place_to_row(const struct imp_place *p, const char *texts[IMP_PLACE_NTEXTS],
                      unsigned char payload[IMP_PLACE_PAYLOAD]);
void imp_place_from_row(struct imp_place *p, const char *const *texts, const void *payload);

/*
 * position.c: a place row's position. The texts are the row's crs, lat,
 * lon, easting and northing fields ("" when empty or absent). Checks them
 * against the row's CRS (or f->crs, from --crs), transforms the point to
 * WGS 84 and checks it lies in Viet Nam; sets p->lat, p->lon and, for a CRS
 * other than WGS 84, p->src_*. Reports each problem as PATH:LINE: COLUMN:
 * reason.
 */
struct imp_position {
    const char *crs, *lat, *lon, *easting, *northing;
};
void imp_check_position(struct imp_ctx *c, const struct imp_file *f, unsigned long line,
                        const struct imp_position *pos, struct imp_place *p);

/*
 * The position columns of a place file's header (present or not): lat and
 * lon, or easting and northing, in pairs, and what --crs needs when there
 * is no crs column. Returns false after reporting when rows cannot be read.
 */
bool imp_position_header(struct imp_ctx *c, const struct imp_file *f, unsigned long line, bool crs,
                         bool lat, bool lon, bool easting, bool northing);

/*
 * release_write.c. imp_db_create makes OUT.tmp-PID beside out_path with the
 * schema and an open transaction; imp_db_commit finishes it and renames it
 * over out_path; imp_db_abort removes it. Both free d. Each returns 0, or -1
 * with e filled. clock (which must outlive d) gets a mark per finishing step.
 */
struct imp_db *imp_db_create(const char *out_path, struct imp_clock *clock, struct err *e);
int imp_db_add_admin(struct imp_db *d, const char *code, const char *name, const char *type,
                     const char *level, const char *parent, const char *version, struct err *e);
int imp_db_add_successor(struct imp_db *d, const char *old_code, const char *old_version,
                         const char *new_code, const char *new_version, const char *share,
                         const char *note, struct err *e);
int imp_db_add_place(struct imp_db *d, const struct imp_place *p, struct err *e);
int imp_db_commit(struct imp_db *d, const struct imp_file *files, size_t nfiles, time_t built,
                  char *release_id, size_t id_size, struct err *e);
void imp_db_abort(struct imp_db *d);

/* The build time: SOURCE_DATE_EPOCH when set, else now. -1 with e filled if it is malformed. */
int imp_build_time(time_t *out, struct err *e);

#endif
