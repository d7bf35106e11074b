/*
 * rtree_pack: fills an empty SQLite R*Tree table (one made by CREATE
 * VIRTUAL TABLE ... USING rtree(id, minx, maxx, miny, maxy), such as
 * SpatiaLite's idx_TABLE_COLUMN) in one pass, by writing its three shadow
 * tables (%_node, %_rowid, %_parent) directly in the format of SQLite's
 * ext/rtree/rtree.c, instead of inserting entries one by one through the
 * R*Tree algorithm (about 10 us each). Nodes are packed full, sort-tile-
 * recursive (STR): entries sorted into vertical slices by x, each slice by
 * y, runs of one node's capacity become the leaves, and the same again one
 * level up until one node, the root (node 1), remains. The bounds of a
 * cell are what an INSERT would store for the same numbers (float32
 * rounded outwards), so queries see the same boxes; the result passes
 * SELECT rtreecheck(NAME).
 */
#ifndef BHXH_IMPORT_RTREE_PACK_H
#define BHXH_IMPORT_RTREE_PACK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* One entry: the rowid (or child node) and its box: min x, max x, min y, max y. */
struct rtree_cell {
    int64_t id;
    float box[4];
};

/* The cell of point (x, y) as INSERT INTO rtree VALUES (id, x, x, y, y) stores it. */
void rtree_point_cell(struct rtree_cell *c, int64_t id, double x, double y);

/*
 * Writes cells v[0..n) (n >= 0; v is reordered) into the empty R*Tree
 * table name of the main database of h, inside the caller's transaction.
 * Returns 0, or -1 with e filled ("out of memory" or the SQLite error).
 */
int rtree_pack(sqlite3 *h, const char *name, struct rtree_cell *v, size_t n, struct err *e);

#endif
