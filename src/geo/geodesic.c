#include "geo/geodesic.h"

#include <geodesic.h>
#include <pthread.h>

/* The ellipsoid is constant; initialise it once, then share it read-only. */
static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;

static void wgs84_init(void)
{
    geod_init(&wgs84, GEO_WGS84_A, GEO_WGS84_F);
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    pthread_once(&wgs84_once, wgs84_init);
    double s12 = 0;
    geod_inverse(&wgs84, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}
