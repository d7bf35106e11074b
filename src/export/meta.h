/*
 * meta: what the export files are: each dataset's title, description and
 * columns (the CSV writer and the Table Schema read the same table, so they
 * cannot disagree), and the metadata documents built from a manifest:
 * datapackage.json and the /v1/datasets catalogue.
 *
 * Licences follow the rows' `source` values, so they stay right for an
 * operator's own data: a dataset holding OpenStreetMap rows (source=osm) is
 * ODbL 1.0 as a whole; one of official rows only (and the GSO administrative
 * units) is official public information; anything else states no licence
 * and says what the rows are.
 */
#ifndef BHXH_EXPORT_META_H
#define BHXH_EXPORT_META_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "text/pack.h"

#include "export/export.h"

/* Room for the text of one column (a number, or an unpacked name or address). */
#define EXPORT_TEXT_MAX TEXT_PACK_MAX

/* How a column's text is made from a row. */
enum export_value {
    EXPORT_TEXT,    /* the const char * at offset in the row (NULL: empty field) */
    EXPORT_ATTR,    /* the const char * at offset in the place's struct place_attrs */
    EXPORT_NAME,    /* place name (kept packed) */
    EXPORT_ADDRESS, /* place address (kept packed) */
    EXPORT_LAT,     /* place lat, "%.12g" */
    EXPORT_LON,     /* place lon */
    EXPORT_APPROX,  /* place position_approx: true/false */
    EXPORT_INITIAL, /* place accepts_initial_registration: true/false/empty */
};

struct export_column {
    const char *name;
    enum export_value value;
    size_t offset;
    const char *type; /* Table Schema type: string, number, boolean, date */
    bool required;
    bool unique;
    const char *const *values; /* NULL-terminated allowed values, or NULL */
    const char *unit;          /* unit of a number, or NULL */
    const char *description;
};

struct export_dataset_info {
    const char *name; /* "offices": resource name and file stem */
    const char *title;
    const char *description;
    const char *input_file; /* the import file it comes from */
    int kind;               /* enum place_kind, or -1 for the administrative units' files */
    const struct export_column *columns;
    size_t ncolumns;
};

const struct export_dataset_info *export_dataset_info(enum export_dataset d);

/* A row of admin_successors.csv: one unit and one unit that took it over (or part of it). */
struct export_succession {
    const char *old_code, *old_version, *new_code, *new_version, *share, *note;
};

/*
 * The text of column c for row (a struct place, struct admin_unit or struct
 * export_succession, by dataset); tmp holds numbers.
 */
const char *export_column_text(const struct export_column *c, const void *row,
                               char tmp[EXPORT_TEXT_MAX]);

/* datapackage.json for m (new reference, or NULL when memory ran out). */
json_t *export_datapackage_json(const struct export_manifest *m);

/*
 * The /v1/datasets answer for m: the release, and per dataset its rows,
 * licences, sources, input file and downloadable files with sizes and
 * SHA-256; file URLs are url_prefix + name. New reference, or NULL.
 */
json_t *export_catalog_json(const struct export_manifest *m, const char *url_prefix);

#endif
