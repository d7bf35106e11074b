/* Unit tests for geo/territory: islands inside, neighbours outside, swapped pairs. */
#include <math.h>
#include <stddef.h>

#include "geo/territory.h"
#include "harness.h"

struct pt {
    const char *name;
    double lat, lon;
};

int main(void)
{
    static const struct pt inside[] = {
        {"Ha Noi", 21.0285, 105.8542},
        {"Ho Chi Minh City", 10.7769, 106.7009},
        {"Rach Gia", 10.0125, 105.0809},
        {"Phu Quoc (Duong Dong)", 10.2167, 103.9667},
        {"Tho Chu", 9.30, 103.48},
        {"Con Dao", 8.68, 106.61},
        {"Hoang Sa (Phu Lam)", 16.83, 112.33},
        {"Hoang Sa (Tri Ton)", 15.78, 111.20},
        {"Truong Sa (Truong Sa Lon)", 8.645, 111.92},
        {"Truong Sa (Song Tu Tay)", 11.43, 114.33},
        {"Truong Sa (southern reefs)", 7.37, 113.84}, /* beyond Khanh Hoa's box */
        {"Bach Long Vi", 20.13, 107.72},
        {"Lung Cu, northern tip", 23.36, 105.32},
        {"Ca Mau cape", 8.60, 104.72},
        {"Muong Nhe, western tip", 22.40, 102.15},
        {"Mong Cai", 21.52, 107.96},
    };
    static const struct pt outside[] = {
        {"Bangkok", 13.75, 100.5},
        {"Vientiane", 17.97, 102.6},
        {"Phnom Penh", 11.55, 104.92},
        {"Nanning", 22.8, 108.3},
        {"Manila", 14.6, 121.0},
        {"0,0", 0, 0},
        {"Haikou", 20.04, 110.34},
        {"Kuala Lumpur", 3.14, 101.69},
        {"Singapore", 1.35, 103.82},
        {"Rach Gia with lost minus", -10.0125, 105.0809},
        {"Rach Gia, lon negated", 10.0125, -105.0809},
    };

    for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
        CHECKF(geo_check_vn(inside[i].lat, inside[i].lon) == GEO_IN_VN, "%s should be inside",
               inside[i].name);
        CHECKF(geo_check_vn(inside[i].lon, inside[i].lat) == GEO_SWAPPED,
               "%s swapped should be GEO_SWAPPED", inside[i].name);
    }
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        CHECKF(geo_check_vn(outside[i].lat, outside[i].lon) == GEO_OUTSIDE_VN,
               "%s should be outside", outside[i].name);
    CHECK(geo_check_vn(NAN, 105.0) == GEO_OUTSIDE_VN);
    CHECK(geo_check_vn(10.0, NAN) == GEO_OUTSIDE_VN);
    CHECK(geo_check_vn(INFINITY, INFINITY) == GEO_OUTSIDE_VN);
    /* The validate example: 105.09, 9.97 is Rach Gia the wrong way round. */
    CHECK(geo_check_vn(105.09, 9.97) == GEO_SWAPPED);
    return harness_done();
}
