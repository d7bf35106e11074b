/*
 * schema: the tables of a release database. The importer creates them; the
 * server checks that they are there. This header is the one place that names
 * them, so the two sides cannot drift apart.
 */
#ifndef BHXH_STORE_SCHEMA_H
#define BHXH_STORE_SCHEMA_H

/*
 * Bumped whenever a table changes shape; stored in release.schema_version.
 * 2: places_fts; 3: admin_units.version, admin_successors; 4: places.src_crs,
 * src_x, src_y.
 */
#define STORE_SCHEMA_VERSION 4

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
 * Run after all rows are in, places' triggers are back and the spatial
 * index is filled: the secondary indexes and the geometry's last_insert.
 * The importer then brings in places_fts, merged, and runs ANALYZE.
 */
extern const char STORE_SCHEMA_INDEX_SQL[];

/* Tables a valid release must contain (NULL-terminated), for integrity checks. */
extern const char *const STORE_SCHEMA_TABLES[];

#endif
