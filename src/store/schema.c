#include "store/schema.h"

#include <stddef.h>

/*
 * places: one row per office, agent or facility; (kind, code) is the key.
 *   level: office -> 'province' | 'district'; facility -> tuyến
 *          'central' | 'province' | 'district' | 'commune'; agent -> NULL.
 *   accepts_initial_registration: facility only, 0/1 (KCB ban đầu).
 *   position_approx: 1 when lat/lon only place the row roughly (e.g. a
 *   district centre), 0 when they are the building.
 *   src_file/src_line: where the row came from, for audit.
 *   src_crs/src_x/src_y: for audit, the position as the source gave it when
 *   it was not WGS 84 lat/lon: the CRS as 'EPSG:N' and the easting and
 *   northing (projected) or longitude and latitude (geographic) in it; NULL
 *   for WGS 84 rows. lat/lon are always the WGS 84 result.
 * admin_units: GSO codes; level 'province' (2 digits), 'district' (3),
 *   'ward' (5); parent_code is the unit one level up in the same version.
 *   A unit is (code, version): codes are reused across versions (after the
 *   July 2025 reform 91 is An Giang, before it Kiên Giang). version is
 *   'YYYY-MM', the list it belongs to; the latest version is the current
 *   one. In a version without districts a ward's parent is its province.
 * admin_successors: which units of a later version took over each unit of
 *   an earlier one; share 'full' (the whole old unit went into new_code)
 *   or 'partial' (a part of it did).
 * release: exactly one row describing this build.
 * release_sources: one row per imported CSV with its SHA-256 and row count.
 * places_fts: the search index (see PLACES_FTS_SQL).
 */

/*
 * Full-text search over places. name holds fold_index_text() of the
 * place's name (text/fold.h), so search is case- and diacritic-insensitive
 * and knows the abbreviations; address holds that of its address with
 * STORE_FTS_ADDRESS_MARK before every word, and tags the province as
 * STORE_FTS_PROVINCE_MARK and its code (schema.h). So a word of a name, of
 * an address and a province each have their own doclists: "in the name" or
 * "in province 91" is a plain term of the MATCH, read lazily, and never a
 * column filter that would walk every doclist entry of the word elsewhere.
 * The rowid is store_fts_rowid() (schema.h): the place's kind and the
 * number of words of its folded name above places.id, so rows come out of
 * the index already in search order (offices, facilities, agents; shorter
 * names first) and a search reads only the rows it shows. Contentless
 * (content='') and detail=none: the folded text is derived from places
 * and can be rebuilt, so only rowids are stored (no positions: a query is
 * words joined by AND and OR, never a phrase or a column filter, and
 * reading a doclist costs a few bytes per place); a query selects rowid and
 * maps it to the place. unicode61 with remove_diacritics 2 only matters for letters the
 * folding keeps. Prefix indexes of 1 to 7 characters make every as-you-type
 * prefix of a Vietnamese syllable (at most 7 letters; 6 after an address
 * word's mark) one lazily read doclist instead of a merge of all the words
 * with that prefix. A release is never modified, so the contentless
 * table's lack of DELETE/UPDATE costs nothing.
 */
#define PLACES_FTS_SQL                                                                             \
    "CREATE VIRTUAL TABLE places_fts USING fts5(name, address, tags, content='',"                  \
    " detail=none, tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6 7');\n"

const char STORE_SCHEMA_FTS_SQL[] = PLACES_FTS_SQL;

const char STORE_SCHEMA_SQL[] =
    "PRAGMA application_id = 0x42485847;\n" /* 'BHXG' */
    "SELECT InitSpatialMetaData(1);\n"
    "CREATE TABLE release (\n"
    "  id TEXT NOT NULL,\n"
    "  built_at TEXT NOT NULL,\n"
    "  schema_version INTEGER NOT NULL,\n"
    "  generator TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE release_sources (\n"
    "  file TEXT PRIMARY KEY,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  bytes INTEGER NOT NULL,\n"
    "  rows INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE admin_units (\n"
    "  code TEXT NOT NULL,\n"
    "  version TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  type TEXT,\n"
    "  level TEXT NOT NULL CHECK (level IN ('province','district','ward')),\n"
    "  parent_code TEXT,\n"
    "  PRIMARY KEY (code, version),\n"
    "  FOREIGN KEY (parent_code, version) REFERENCES admin_units(code, version)\n"
    ");\n"
    "CREATE TABLE admin_successors (\n"
    "  old_code TEXT NOT NULL,\n"
    "  old_version TEXT NOT NULL,\n"
    "  new_code TEXT NOT NULL,\n"
    "  new_version TEXT NOT NULL,\n"
    "  share TEXT NOT NULL CHECK (share IN ('full','partial')),\n"
    "  note TEXT,\n"
    "  PRIMARY KEY (old_code, old_version, new_code, new_version),\n"
    "  FOREIGN KEY (old_code, old_version) REFERENCES admin_units(code, version),\n"
    "  FOREIGN KEY (new_code, new_version) REFERENCES admin_units(code, version)\n"
    ");\n"
    "CREATE TABLE places (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('office','agent','facility')),\n"
    "  code TEXT NOT NULL,\n"
    "  name TEXT NOT NULL,\n"
    "  parent_code TEXT,\n"
    "  level TEXT,\n"
    "  facility_class TEXT,\n"
    "  ownership TEXT,\n"
    "  accepts_initial_registration INTEGER,\n"
    "  agent_type TEXT,\n"
    "  address TEXT,\n"
    "  province_code TEXT,\n"
    "  district_code TEXT,\n"
    "  ward_code TEXT,\n"
    "  phone TEXT,\n"
    "  email TEXT,\n"
    "  website TEXT,\n"
    "  opening_hours TEXT,\n"
    "  lat REAL NOT NULL,\n"
    "  lon REAL NOT NULL,\n"
    "  position_approx INTEGER NOT NULL DEFAULT 0,\n"
    "  source TEXT NOT NULL,\n"
    "  updated TEXT,\n"
    "  src_file TEXT NOT NULL,\n"
    "  src_line INTEGER NOT NULL,\n"
    "  src_crs TEXT,\n"
    "  src_x REAL,\n"
    "  src_y REAL,\n"
    "  UNIQUE (kind, code)\n"
    ");\n"
    "SELECT AddGeometryColumn('places', 'geom', 4326, 'POINT', 'XY', 1);\n"
    "SELECT CreateSpatialIndex('places', 'geom');\n" PLACES_FTS_SQL;

/*
 * The spatial index idx_places_geom is filled by the importer before this,
 * in one pass (import/rtree_pack.c), not by SpatiaLite's triggers row by
 * row. last_insert is what the trigger would have left.
 */
const char STORE_SCHEMA_INDEX_SQL[] =
    "UPDATE geometry_columns_time SET last_insert = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    " WHERE f_table_name = 'places' AND f_geometry_column = 'geom';\n"
    "CREATE INDEX places_parent ON places(kind, parent_code);\n"
    "CREATE INDEX places_province ON places(kind, province_code);\n"
    "CREATE INDEX admin_units_parent ON admin_units(version, parent_code);\n"
    "CREATE INDEX admin_successors_new ON admin_successors(new_code, new_version);\n";

const char *const STORE_SCHEMA_TABLES[] = {
    "release", "release_sources",  "admin_units", "admin_successors",
    "places",  "geometry_columns", "places_fts",  NULL,
};

int store_fts_kind_rank(enum place_kind kind)
{
    switch (kind) {
    case PLACE_OFFICE:
        return 0;
    case PLACE_FACILITY:
        return 1;
    default:
        return 2;
    }
}

int64_t store_fts_rowid(enum place_kind kind, unsigned words, int64_t place_id)
{
    if (place_id < 0 || place_id >> STORE_FTS_ID_BITS)
        return -1;
    if (words > STORE_FTS_WORDS_MAX)
        words = STORE_FTS_WORDS_MAX;
    return (int64_t)store_fts_kind_rank(kind) << (STORE_FTS_ID_BITS + 8) |
           (int64_t)words << STORE_FTS_ID_BITS | place_id;
}

int64_t store_fts_place_id(int64_t fts_rowid)
{
    return fts_rowid & (((int64_t)1 << STORE_FTS_ID_BITS) - 1);
}
