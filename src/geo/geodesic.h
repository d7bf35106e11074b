/*
 * geodesic: ellipsoidal WGS 84 distances, through PROJ's implementation of
 * Karney's algorithms (geodesic.h). Accurate to a few nanometres.
 */
#ifndef BHXH_GEO_GEODESIC_H
#define BHXH_GEO_GEODESIC_H

/* WGS 84 equatorial radius and flattening. */
#define GEO_WGS84_A 6378137.0
#define GEO_WGS84_F (1 / 298.257223563)

/* Distance in metres along the WGS 84 ellipsoid between two lat/lon points (degrees). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

#endif
