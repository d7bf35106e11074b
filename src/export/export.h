/*
 * export: the open-data files of a release, written from the release in
 * memory by this one writer for both `bhxh-geo export` and the downloads of
 * /v1/datasets (export/downloads.h):
 *
 *   offices.csv agents.csv facilities.csv admin_units.csv admin_successors.csv
 *       RFC 4180 CSV (UTF-8, CRLF) in the import format, so a published
 *       release can be imported again as it is;
 *   offices.geojson agents.geojson facilities.geojson
 *       RFC 7946 FeatureCollections, features as in the API's GeoJSON;
 *   release.sqlite
 *       the release database, copied with SQLite's online backup from the
 *       release's own connection (so it is this release even if a newer
 *       file has been renamed over the path meanwhile);
 *   datapackage.json
 *       a Frictionless Tabular Data Package describing every CSV (fields,
 *       types, units, keys, licences, sources, sizes, SHA-256);
 *   SHA256SUMS
 *       `sha256sum -c` input for every file above.
 *
 * Rows are written in code order; every file is produced, hashed and
 * (optionally) gzip-compressed in one streaming pass (export/sink.h).
 */
#ifndef BHXH_EXPORT_EXPORT_H
#define BHXH_EXPORT_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

struct release;

enum export_dataset {
    EXPORT_OFFICES,
    EXPORT_AGENTS,
    EXPORT_FACILITIES,
    EXPORT_ADMIN_UNITS,
    EXPORT_ADMIN_SUCCESSORS,
    EXPORT_DATASET_COUNT
};

#define EXPORT_FILES_MAX 11
#define EXPORT_SOURCES_MAX 8

struct export_file {
    const char *name;        /* static: "offices.csv" */
    const char *media_type;  /* static: "text/csv; charset=utf-8" */
    int dataset;             /* enum export_dataset, or -1 for a file of the whole release */
    const char *etag_tag;    /* static: ":offices.csv", appended to the release id in ETags */
    const char *etag_tag_gz; /* the same for the gzip variant, NULL when there is none */
    uint64_t bytes;
    char sha256[65];   /* lower-case hex */
    uint64_t gz_bytes; /* size of NAME.gz when gzip copies were written, else 0 */
};

/* Rows of a dataset by their `source` value, in order of first appearance. */
struct export_source_count {
    char value[32]; /* "official", "osm", "sample", ...; "(other)" collects the rest */
    size_t rows;
};

struct export_dataset_stats {
    size_t rows;
    struct export_source_count sources[EXPORT_SOURCES_MAX];
    size_t nsources;
    /* The imported CSV the dataset came from (release_sources), when recorded. */
    bool has_input;
    char input_sha256[65];
    uint64_t input_bytes;
    uint64_t input_rows;
};

struct export_manifest {
    char release[64];
    char built_at[40];
    struct export_dataset_stats datasets[EXPORT_DATASET_COUNT];
    struct export_file files[EXPORT_FILES_MAX]; /* in the order listed above */
    size_t nfiles;
};

struct export_opts {
    bool gzip; /* also a gzip copy of each CSV and GeoJSON file */
    /*
     * Files without names (O_TMPFILE in dir): nothing is ever left on disk.
     * Their read-write descriptors go to fds[i] and gz_fds[i] (-1: no gzip
     * copy) for file i of the manifest; the caller owns them.
     */
    bool anonymous;
    int *fds, *gz_fds; /* EXPORT_FILES_MAX each, with anonymous */
};

/*
 * Writes every file into the existing directory dir: named files replace
 * those of the same names (each is written as ".NAME.tmp" and renamed when
 * complete; a gzip copy is NAME.gz), or anonymous ones (see export_opts).
 * Fills m. Returns 0, or -1 with e (named files already complete remain;
 * anonymous ones are closed).
 */
int export_write(struct release *r, const char *dir, const struct export_opts *o,
                 struct export_manifest *m, struct err *e);

/*
 * Removes the temporary database copies that processes which no longer
 * exist left in dir (killed while export_write copied the database).
 */
void export_sweep(const char *dir);

/*
 * `bhxh-geo export`: opens the release at db_path, creates out_dir when
 * missing (one level), writes the files without gzip copies and lists them
 * on out ("SHA-256  bytes  name"); errors go to log. Returns the exit
 * status: 0 done, 1 the database is not a readable release, 2 I/O failure.
 */
int export_run(const char *db_path, const char *out_dir, FILE *out, FILE *log);

/* The file of m named exactly name (n bytes), or NULL: names come only from m. */
const struct export_file *export_file_find(const struct export_manifest *m, const char *name,
                                           size_t n);

#endif
