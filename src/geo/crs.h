/*
 * crs: the coordinate reference systems an import may state, and their
 * transformation to WGS 84 with PROJ.
 *
 * Accepted (a closed list: the territory check and the choice of datum
 * transformation below are made for these): WGS 84 (EPSG:4326, the
 * default), WGS 84 / UTM 48N and 49N (EPSG:32648, 32649), VN-2000
 * geographic (EPSG:4756), VN-2000 / UTM 48N and 49N (EPSG:3405, 3406) and
 * the VN-2000 TM-3 zones of the provinces (transverse Mercator, k = 0.9999,
 * false easting 500 km): EPSG:5896-5899 and 9205-9218, 18 central
 * meridians from 102°00' to 108°30'. Besides "EPSG:N", friendly names are
 * accepted: WGS84, VN2000, VN2000:UTM:48, WGS84:UTM:49,
 * VN2000:TM3:104.5 or VN2000:TM3:104-30 (degrees, or degrees-minutes).
 *
 * VN-2000 -> WGS 84 always uses EPSG:6960, the 7-parameter Helmert
 * transformation published in Decision 05/2007/QĐ-BTNMT. PROJ alone would
 * not: proj_create_crs_to_crs() (and cs2cs) switch to EPSG:5194, an
 * unofficial set fitted for oil blocks, for every point inside that set's
 * bounding box (9.35-11.04 N, 104.24-107.11 E: most of the Mekong delta,
 * Kiên Giang included), about 0.8 m away. So the operation is chosen here
 * from proj_create_operations(): the candidate that contains the EPSG:6960
 * step. No grids are used and the network is switched off, so a run never
 * depends on files that may be missing.
 *
 * A geo_transformer owns one PJ_CONTEXT and one PJ per CRS used, created
 * on first use and kept for the run. Not thread-safe (one per thread).
 */
#ifndef BHXH_GEO_CRS_H
#define BHXH_GEO_CRS_H

#include <stdbool.h>

#include "util/err.h"

struct geo_crs {
    int epsg;         /* 4326, 4756, 3405, ... */
    bool projected;   /* easting/northing in metres; otherwise lat/lon in degrees */
    bool vn2000;      /* on the VN-2000 datum (transformed with EPSG:6960) */
    const char *name; /* "VN-2000 / TM-3 104-30" (static) */
};

/* The default: WGS 84 geographic, EPSG:4326. */
extern const struct geo_crs GEO_CRS_WGS84;

/*
 * Parses a CRS as written in a crs column or --crs (case-insensitive, no
 * surrounding spaces): "EPSG:9207", "VN2000:TM3:104.5", ... Returns true
 * with *out set, or false with e saying what is accepted.
 */
bool geo_crs_parse(const char *s, struct geo_crs *out, struct err *e);

/* "EPSG:9207" for crs, into out (at least 16 bytes). */
void geo_crs_code(const struct geo_crs *crs, char *out, unsigned n);

struct geo_transformer;

/* NULL when memory runs out. */
struct geo_transformer *geo_transformer_new(void);
void geo_transformer_free(struct geo_transformer *t);

/*
 * Transforms one point given in crs: (a, b) = (lon, lat) in degrees for a
 * geographic crs, (easting, northing) in metres for a projected one. Sets
 * *lat and *lon (WGS 84, degrees). Returns 0, or -1 with e filled when PROJ
 * cannot set up the transformation or the point cannot be transformed.
 * WGS 84 input is returned unchanged without calling PROJ.
 */
int geo_to_wgs84(struct geo_transformer *t, const struct geo_crs *crs, double a, double b,
                 double *lat, double *lon, struct err *e);

/*
 * The name of the operation used for crs, e.g. "Inverse of Vietnam TM-3
 * 104-30 + VN-2000 to WGS 84 (2)", after setting it up if needed; NULL
 * (with e filled) when it cannot be set up. Owned by t.
 */
const char *geo_transform_name(struct geo_transformer *t, const struct geo_crs *crs, struct err *e);

#endif
