/*
 * spatial_load: loading a SpatiaLite geometry column fast. The importer
 * builds each point's BLOB itself instead of calling MakePoint(), and sets
 * the triggers SpatiaLite put on the table aside while it loads (they check
 * each new geometry's type and SRID, stamp geometry_columns_time and add the
 * row to the spatial index, one SQL statement each per row): the points it
 * writes meet those checks by construction, the stamp is written once after
 * loading, and the index is packed in one pass (rtree_pack.h). The triggers
 * are put back with their own SQL text, so the finished table is the same
 * as one SpatiaLite maintained.
 */
#ifndef BHXH_IMPORT_SPATIAL_LOAD_H
#define BHXH_IMPORT_SPATIAL_LOAD_H

#include <sqlite3.h>

#include "util/err.h"

#define SPATIAL_POINT_BLOB_SIZE 60

/*
 * The SpatiaLite BLOB of POINT(lon lat) with SRID 4326, byte for byte as
 * MakePoint(lon, lat, 4326) makes it.
 */
void spatial_point_blob(unsigned char out[SPATIAL_POINT_BLOB_SIZE], double lon, double lat);

/* The triggers of one table while they are set aside. */
struct spatial_triggers;

/*
 * Keeps the name and SQL of every trigger on table (in the main database of
 * h), then drops them. Returns the set (maybe empty), or NULL with e filled.
 */
struct spatial_triggers *spatial_triggers_set_aside(sqlite3 *h, const char *table, struct err *e);

/* Creates the triggers again, in their order. 0, or -1 with e filled. t stays t's caller's. */
int spatial_triggers_restore(sqlite3 *h, const struct spatial_triggers *t, struct err *e);

void spatial_triggers_free(struct spatial_triggers *t);

#endif
