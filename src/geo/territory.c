/*
 * The territory is approximated by a union of latitude/longitude boxes:
 *
 *  1. The bounding box of each of the 63 provinces as they were before the
 *     July 2025 merger, widened by WIDEN degrees (about 11 km) so that points
 *     on the coast, on near-shore islands and right at a border pass. Source:
 *     level1s_bbox.json of daohoangson/dvhcvn (commit 4b1b6b59, data of
 *     01/03/2025; GPL-3.0 repository, official GSO / gis.chinhphu.vn data),
 *     copied here with the box rounded outwards to 0.001 degree. Khánh Hòa's
 *     and Đà Nẵng's boxes already reach far out to sea because they contain
 *     Trường Sa and Hoàng Sa districts.
 *  2. Boxes for the offshore archipelagos and far islands, so that they pass
 *     whatever the provincial boxes happen to cover.
 *
 * Honest limits: a box is not a border. Strips of Laos, Cambodia and China
 * within a province's box are accepted (e.g. Kampot, Cambodia, lies in Kiên
 * Giang's widened box). What this reliably rejects is a point in the wrong
 * country far from the border, a lost minus sign, 0,0 and swapped lat/lon
 * (Viet Nam spans latitudes 6.5-23.4 and longitudes 102.1-117.5, which never
 * overlap, so a pair cannot fit both ways).
 */
#include "geo/territory.h"

#include <stdbool.h>
#include <stddef.h>

#define WIDEN 0.1

struct box {
    double lat_min, lon_min, lat_max, lon_max;
};

/* Province bounding boxes (source above), as {lat_min, lon_min, lat_max, lon_max}. */
static const struct box provinces[] = {
    {20.564, 105.285, 21.386, 106.021}, /* 01 Thành phố Hà Nội */
    {22.166, 104.334, 23.393, 105.592}, /* 02 Tỉnh Hà Giang */
    {22.356, 105.270, 23.122, 106.839}, /* 04 Tỉnh Cao Bằng */
    {21.804, 105.431, 22.741, 106.247}, /* 06 Tỉnh Bắc Kạn */
    {21.497, 104.848, 22.691, 105.598}, /* 08 Tỉnh Tuyên Quang */
    {21.876, 103.527, 22.845, 104.629}, /* 10 Tỉnh Lào Cai */
    {20.892, 102.144, 22.549, 103.599}, /* 11 Tỉnh Điện Biên */
    {21.685, 102.320, 22.817, 103.986}, /* 12 Tỉnh Lai Châu */
    {20.573, 103.212, 22.031, 105.025}, /* 14 Tỉnh Sơn La */
    {21.325, 103.886, 22.292, 105.101}, /* 15 Tỉnh Yên Bái */
    {20.305, 104.835, 21.113, 105.858}, /* 17 Tỉnh Hoà Bình */
    {21.325, 105.477, 22.048, 106.239}, /* 19 Tỉnh Thái Nguyên */
    {21.325, 106.094, 22.460, 107.365}, /* 20 Tỉnh Lạng Sơn */
    {20.687, 106.439, 21.664, 108.098}, /* 22 Tỉnh Quảng Ninh */
    {21.121, 105.880, 21.627, 107.033}, /* 24 Tỉnh Bắc Giang */
    {20.916, 104.813, 21.721, 105.458}, /* 25 Tỉnh Phú Thọ */
    {21.152, 105.322, 21.575, 105.787}, /* 26 Tỉnh Vĩnh Phúc */
    {20.968, 105.904, 21.264, 106.312}, /* 27 Tỉnh Bắc Ninh */
    {20.684, 106.124, 21.237, 106.612}, /* 30 Tỉnh Hải Dương */
    {20.127, 106.400, 21.022, 107.739}, /* 31 Thành phố Hải Phòng */
    {20.603, 105.895, 21.008, 106.270}, /* 33 Tỉnh Hưng Yên */
    {20.253, 106.110, 20.729, 106.631}, /* 34 Tỉnh Thái Bình */
    {20.363, 105.769, 20.705, 106.186}, /* 35 Tỉnh Hà Nam */
    {19.889, 105.924, 20.500, 106.600}, /* 36 Tỉnh Nam Định */
    {19.917, 105.542, 20.455, 106.169}, /* 37 Tỉnh Ninh Bình */
    {19.287, 104.374, 20.671, 106.076}, /* 38 Tỉnh Thanh Hóa */
    {18.553, 103.874, 19.998, 105.806}, /* 40 Tỉnh Nghệ An */
    {17.910, 105.104, 18.812, 106.511}, /* 42 Tỉnh Hà Tĩnh */
    {16.921, 105.608, 18.090, 106.991}, /* 44 Tỉnh Quảng Bình */
    {16.296, 106.515, 17.167, 107.389}, /* 45 Tỉnh Quảng Trị */
    {15.994, 107.056, 16.743, 108.195}, /* 46 Thành phố Huế */
    {15.777, 107.818, 16.986, 112.741}, /* 48 Thành phố Đà Nẵng */
    {14.951, 107.210, 16.068, 108.739}, /* 49 Tỉnh Quảng Nam */
    {14.532, 108.235, 15.433, 109.143}, /* 51 Tỉnh Quảng Ngãi */
    {13.515, 108.602, 14.704, 109.364}, /* 52 Tỉnh Bình Định */
    {12.705, 108.673, 13.696, 109.460}, /* 54 Tỉnh Phú Yên */
    {7.891, 108.669, 12.869, 115.837},  /* 56 Tỉnh Khánh Hòa */
    {11.306, 108.552, 12.169, 109.233}, /* 58 Tỉnh Ninh Thuận */
    {9.964, 107.394, 11.557, 109.085},  /* 60 Tỉnh Bình Thuận */
    {13.920, 107.332, 15.418, 108.548}, /* 62 Tỉnh Kon Tum */
    {12.995, 107.450, 14.602, 108.874}, /* 64 Tỉnh Gia Lai */
    {12.161, 107.484, 13.417, 108.995}, /* 66 Tỉnh Đắk Lắk */
    {11.749, 107.204, 12.813, 108.114}, /* 67 Tỉnh Đắk Nông */
    {11.215, 107.265, 12.318, 108.729}, /* 68 Tỉnh Lâm Đồng */
    {11.301, 106.410, 12.298, 107.428}, /* 70 Tỉnh Bình Phước */
    {10.962, 105.807, 11.780, 106.491}, /* 72 Tỉnh Tây Ninh */
    {10.864, 106.326, 11.502, 106.967}, /* 74 Tỉnh Bình Dương */
    {10.579, 106.751, 11.583, 107.578}, /* 75 Tỉnh Đồng Nai */
    {8.577, 106.081, 10.805, 107.571},  /* 77 Tỉnh Bà Rịa - Vũng Tàu */
    {10.377, 106.356, 11.160, 107.014}, /* 79 Thành phố Hồ Chí Minh */
    {10.395, 105.499, 11.032, 106.749}, /* 80 Tỉnh Long An */
    {10.194, 105.815, 10.587, 106.807}, /* 82 Tỉnh Tiền Giang */
    {9.795, 106.028, 10.340, 106.835},  /* 83 Tỉnh Bến Tre */
    {9.527, 105.953, 10.082, 106.602},  /* 84 Tỉnh Trà Vinh */
    {9.883, 105.682, 10.331, 106.290},  /* 86 Tỉnh Vĩnh Long */
    {10.134, 105.188, 10.974, 105.943}, /* 87 Tỉnh Đồng Tháp */
    {10.183, 104.778, 10.963, 105.576}, /* 89 Tỉnh An Giang */
    {9.262, 103.419, 10.541, 105.540},  /* 91 Tỉnh Kiên Giang */
    {9.919, 105.225, 10.327, 105.845},  /* 92 Thành phố Cần Thơ */
    {9.582, 105.328, 9.995, 105.898},   /* 93 Tỉnh Hậu Giang */
    {9.244, 105.543, 9.939, 106.316},   /* 94 Tỉnh Sóc Trăng */
    {9.018, 105.232, 9.638, 105.861},   /* 95 Tỉnh Bạc Liêu */
    {8.381, 104.522, 9.562, 105.420},   /* 96 Tỉnh Cà Mau */
};

/* Offshore areas, already generous; not widened. */
static const struct box islands[] = {
    {15.7, 111.0, 17.2, 113.0},  /* Quần đảo Hoàng Sa (Paracels) */
    {6.5, 111.5, 12.0, 117.5},   /* Quần đảo Trường Sa (Spratlys) */
    {8.5, 106.4, 8.85, 106.8},   /* Côn Đảo */
    {9.15, 103.35, 9.4, 103.6},  /* Thổ Chu */
    {9.8, 103.8, 10.5, 104.15},  /* Phú Quốc and An Thới islands */
    {20.05, 107.6, 20.2, 107.8}, /* Bạch Long Vĩ */
};

static bool in_box(const struct box *b, double widen, double lat, double lon)
{
    return lat >= b->lat_min - widen && lat <= b->lat_max + widen && lon >= b->lon_min - widen &&
           lon <= b->lon_max + widen;
}

static bool inside(double lat, double lon)
{
    /* Comparisons with NaN are false, so NaN never gets in. */
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        if (in_box(&provinces[i], WIDEN, lat, lon))
            return true;
    for (size_t i = 0; i < sizeof islands / sizeof islands[0]; i++)
        if (in_box(&islands[i], 0.0, lat, lon))
            return true;
    return false;
}

enum geo_territory geo_check_vn(double lat, double lon)
{
    if (inside(lat, lon))
        return GEO_IN_VN;
    if (inside(lon, lat))
        return GEO_SWAPPED;
    return GEO_OUTSIDE_VN;
}
