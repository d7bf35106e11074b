/*
 * kdtree: a static k-d tree over points on the earth, built once when a
 * release is opened and then shared read-only by every request thread.
 *
 * Points are indexed as unit vectors (x, y, z) from their geodetic lat/lon;
 * the tree prunes with a chord-length lower bound that is converted to a safe
 * lower bound in metres, and the final order uses exact WGS 84 geodesic
 * distances (geo_distance_m). So the k nearest are exactly the ellipsoidal k
 * nearest, ties broken by the smaller id.
 */
#ifndef BHXH_GEO_KDTREE_H
#define BHXH_GEO_KDTREE_H

#include <stddef.h>
#include <stdint.h>

struct geo_index;

struct geo_hit {
    uint32_t id;
    double distance_m;
};

/*
 * Builds an index over n points (lat/lon in degrees, ids chosen by the
 * caller). Copies what it needs: the arrays may be freed afterwards. Returns
 * NULL when memory runs out. n may be 0.
 */
struct geo_index *geo_index_build(const double *lat, const double *lon, const uint32_t *ids,
                                  size_t n);
void geo_index_free(struct geo_index *ix);
size_t geo_index_size(const struct geo_index *ix);

/*
 * A k-nearest search that may span several indexes (one per kind): begin,
 * feed each index, then finish (which does the exact ranking). `hits` is
 * caller-owned storage for k entries; the indexes must stay alive until
 * finish returns. max_m <= 0 means no radius limit.
 */
#define GEO_KNN_MAX_INDEXES 8

/* Search state; its members are private to kdtree.c. */
struct geo_knn {
    struct geo_hit *hits;
    size_t k, n;
    double max_m, limit2;
    double lat, lon;
    double q[3];
    const struct geo_index *ix[GEO_KNN_MAX_INDEXES];
    size_t nix;
};

void geo_knn_begin(struct geo_knn *s, double lat, double lon, size_t k, double max_m,
                   struct geo_hit *hits);
void geo_knn_search(struct geo_knn *s, const struct geo_index *ix);
/* Sorts the hits by (distance, id) ascending and returns their count. */
size_t geo_knn_finish(struct geo_knn *s);

#endif
