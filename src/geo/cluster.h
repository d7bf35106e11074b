/*
 * cluster: grid clustering of points for the map screen (GET /v1/map), with
 * Supercluster's conventions (cluster_id, point_count, expansion zoom).
 *
 * An index is built once per release and per kind of place, then shared
 * read-only by every request thread. Points are projected to the Web
 * Mercator unit square, quantised to 32 bits per axis and sorted by their
 * 64-bit Morton (Z-order) code. At zoom z a cell is 64 px of a 256 px tile,
 * 2^-(z+2) of the world per side: exactly the points whose Morton codes share
 * a 2(z+2)-bit prefix, i.e. a contiguous range found by binary search.
 *
 * Exactness: "inside the box" means min_lat <= lat <= max_lat and
 * min_lon <= lon <= max_lon on the points' own degrees (a closed box). Counts
 * are exact in that sense: quantised coordinates only ever decide whole
 * blocks of points that are certainly inside or certainly outside; points
 * within two quanta (about 2 cm) of an edge are tested one by one.
 *
 * Everything is deterministic: the same index and query give the same result
 * byte for byte.
 */
#ifndef BHXH_GEO_CLUSTER_H
#define BHXH_GEO_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#define CLUSTER_MAX_ZOOM 20
/* The expansion zoom of a cluster that does not split up to CLUSTER_MAX_ZOOM. */
#define CLUSTER_NO_SPLIT_ZOOM (CLUSTER_MAX_ZOOM + 1)

enum cluster_status {
    CLUSTER_OK = 0,
    CLUSTER_ERR_NOMEM = -1,
    /* a box coordinate not finite, min > max (no antimeridian crossing), zoom out of 0..20 */
    CLUSTER_ERR_ARG = -2,
    /* the box spans more than max_cells cells at that zoom: the caller answers 400 */
    CLUSTER_ERR_TOO_MANY_CELLS = -3,
};

struct cluster_index;

/*
 * Builds an index over n points (degrees; ids chosen by the caller). Copies
 * what it needs: the arrays may be freed afterwards. Returns NULL when memory
 * runs out, when a coordinate is not finite or outside [-90, 90] x
 * [-180, 180], or when n > UINT32_MAX. n may be 0 (lat, lon, ids may then be
 * NULL). Latitudes beyond +-85.05112878 are clamped for the grid only.
 * Memory: about 44 bytes per point.
 */
struct cluster_index *cluster_index_build(const double *lat, const double *lon, const uint32_t *ids,
                                          size_t n);
void cluster_index_free(struct cluster_index *ix);
size_t cluster_index_size(const struct cluster_index *ix);

/*
 * One marker. A cluster iff count > 1; otherwise a single point with its own
 * id, kind and exact position.
 */
struct cluster_item {
    double lon, lat;     /* cluster: mean of its points in Mercator; point: its own */
    uint64_t cluster_id; /* (cell Morton prefix << 5) | zoom, < 2^53; a point: its cell */
    uint64_t count;      /* points of all kinds inside both the box and the cell */
    uint32_t id;         /* point: its id; cluster: 0 */
    uint32_t kind;       /* point: position in ix[] of its index; cluster: 0 */
    int expansion_zoom;  /* cluster: zoom+1 .. CLUSTER_NO_SPLIT_ZOOM; point: 0 */
};

/*
 * The answer to one query. Zero-initialise it (`= {0}`), pass it to any
 * number of queries (storage is reused and grows as needed) and release it
 * with cluster_result_free. Its arrays are valid until the next query or
 * free; it holds no pointer into any index.
 */
struct cluster_result {
    struct cluster_item *items; /* n items: cells in Morton order, or points in Morton order */
    size_t n;
    /* n rows of nkinds counts: kind_counts[i * nkinds + k] = points of ix[k] in item i */
    uint32_t *kind_counts;
    size_t nkinds;
    uint64_t total; /* points inside the box, all kinds */
    uint64_t cells; /* cells the box spans at this zoom (set also for TOO_MANY_CELLS) */
    int clustered;  /* 1: items are the non-empty cells; 0: items are all points in the box */
    int zoom;

    /* Private: capacities and scratch space kept for reuse. */
    size_t items_cap, kind_counts_cap, scratch_cap;
    void *scratch;
};

/*
 * Clusters the points of the nix indexes (one per kind; NULL entries count as
 * empty) inside the box at zoom (0..20). When the box holds at most
 * max_points points, out gets them all as points; otherwise one item per
 * non-empty cell (a cell holding a single point gives that point). Cells that
 * the box only partly covers count only the points inside the box, so the
 * counts always add up to out->total. Refuses with CLUSTER_ERR_TOO_MANY_CELLS
 * before any work if the box spans more than max_cells cells.
 * Returns a cluster_status; on error out->n is 0. The indexes are only read.
 */
int cluster_query(const struct cluster_index *const *ix, size_t nix, double min_lon, double min_lat,
                  double max_lon, double max_lat, int zoom, size_t max_points, size_t max_cells,
                  struct cluster_result *out);

/* Frees out's arrays and zeroes it, ready for reuse. NULL is ignored. */
void cluster_result_free(struct cluster_result *out);

#endif
