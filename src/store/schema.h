/*
 * schema: the tables of a release database. The importer creates them; the
 * server checks that they are there. This header is the one place that names
 * them, so the two sides cannot drift apart.
 */
#ifndef BHXH_STORE_SCHEMA_H
#define BHXH_STORE_SCHEMA_H

#include <stdint.h>

#include "store/place.h"

/*
 * Bumped whenever a table changes shape; stored in release.schema_version.
 * 2: places_fts; 3: admin_units.version, admin_successors; 4: places.src_crs,
 * src_x, src_y.
 */
#define STORE_SCHEMA_VERSION 5

/*
 * DDL run on a fresh database with SpatiaLite loaded: metadata, tables,
 * then the POINT(4326) geometry column and its (empty) spatial index.
 * Indexes that are cheaper to build after loading are in
 * STORE_SCHEMA_INDEX_SQL. SpatiaLite's per-row triggers on places are for
 * writers that do not build the geometry themselves: the importer sets them
 * aside while loading and puts them back unchanged before the indexes.
 */
extern const char STORE_SCHEMA_SQL[];

/*
 * The search index's DDL alone (also part of STORE_SCHEMA_SQL), for tests
 * that build the index in a plain SQLite database.
 */
extern const char STORE_SCHEMA_FTS_SQL[];

/*
 * The rowid of a place in places_fts: bits 40-41 the kind's search rank
 * (office 0, facility 1, agent 2), bits 32-39 the number of words of the
 * place's folded name (fold_text, at most 255), bits 0-31 places.id, so
 * the index yields rows by kind, then shorter names, then places.id.
 * Returns -1 when place_id does not fit in 32 bits.
 */
#define STORE_FTS_ID_BITS 32
#define STORE_FTS_WORDS_MAX 255
int store_fts_kind_rank(enum place_kind kind);
int64_t store_fts_rowid(enum place_kind kind, unsigned words, int64_t place_id);
/* The places.id of a places_fts rowid. */
int64_t store_fts_place_id(int64_t fts_rowid);

/*
 * places_fts keeps name words apart from address words: every word of the
 * address column starts with U+E001 and the province tag is U+E002 and the
 * code. Private-use characters are part of a word for unicode61 but the
 * folding (text/fold.h) never keeps them, so no query word can be one.
 */
#define STORE_FTS_ADDRESS_MARK "\xee\x80\x81"
#define STORE_FTS_PROVINCE_MARK "\xee\x80\x82"

/*
 * Run after all rows are in, places' triggers are back and the spatial
 * index is filled: the secondary indexes and the geometry's last_insert.
 * The importer then brings in places_fts, merged, and runs ANALYZE.
 */
extern const char STORE_SCHEMA_INDEX_SQL[];

/* Tables a valid release must contain (NULL-terminated), for integrity checks. */
extern const char *const STORE_SCHEMA_TABLES[];

#endif
