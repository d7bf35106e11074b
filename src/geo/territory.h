/*
 * territory: is a WGS 84 point inside Viet Nam? A coarse test for import
 * validation (to catch a wrong sign, a swapped pair or a point in another
 * country), not a border: see territory.c for what the shape is.
 */
#ifndef BHXH_GEO_TERRITORY_H
#define BHXH_GEO_TERRITORY_H

enum geo_territory {
    GEO_IN_VN,      /* (lat, lon) is inside */
    GEO_OUTSIDE_VN, /* neither (lat, lon) nor (lon, lat) is inside */
    GEO_SWAPPED,    /* (lat, lon) is outside but (lon, lat) is inside */
};

/* Pure function of its arguments; NaN or infinite input is GEO_OUTSIDE_VN. */
enum geo_territory geo_check_vn(double lat, double lon);

#endif
