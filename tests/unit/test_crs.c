/*
 * Unit tests for geo/crs: names and aliases, the closed list against the
 * PROJ database, and transformed coordinates against reference values.
 *
 * Reference values (REFS below) were computed with PROJ 9.1.1's own command
 * line tools, from PROJ's definition of each CRS (whose +towgs84 is the
 * EPSG:6960 VN-2000 parameter set), e.g. for EPSG:9207:
 *
 *   echo "565429.712 1102888.744" | cs2cs -d 10 \
 *       $(projinfo EPSG:9207 -o PROJ -q | sed 's/+type=crs//') \
 *       +to +proj=longlat +datum=WGS84 +no_defs
 *   -> 105.0985588990  9.9726370954
 *
 * The inputs are the VN-2000 coordinates of real places (BV Đa khoa Kiên
 * Giang, TTYT Hà Tiên, Phú Quốc, Thổ Chu, BV Bạch Mai, Đà Nẵng, ...),
 * obtained by the inverse cs2cs and rounded to the millimetre. Outside the
 * Mekong box of EPSG:5194 plain `cs2cs EPSG:N EPSG:4326` gives the same
 * numbers; inside it (Rạch Giá, Hà Tiên) it gives EPSG:5194's, about 0.8 m
 * away, which test_not_5194 checks we do not use.
 *
 * Tolerance: 1e-8 degrees (about 1 mm); the code and cs2cs run the same
 * PROJ operation, so they agree far closer than that.
 *
 * A published VN-2000 <-> WGS 84 control point (coordinates of one point in
 * both systems, from a Vietnamese authority or a paper) could not be found
 * for this test. Instead test_published_parameters checks the geographic
 * transformation against an independent implementation, written here, of
 * the Helmert transformation with the seven parameters published in
 * Decision 05/2007/QĐ-BTNMT (27 Feb 2007) of the Ministry of Natural
 * Resources and Environment: dX = -191.90441429 m, dY = -39.30318279 m,
 * dZ = -111.45032835 m, rotations -0.00928836", 0.01975479", -0.00427372",
 * scale k = 1.000000252906278 (EPSG:6960 records them as a coordinate-frame
 * rotation from VN-2000 to WGS 84).
 */
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/crs.h"
#include "geo/geodesic.h"
#include "harness.h"

#define TOL_DEG 1e-8

static void test_parse(void)
{
    static const struct {
        const char *s;
        int epsg;
        bool projected;
    } good[] = {
        {"EPSG:4326", 4326, false},
        {"epsg:4756", 4756, false},
        {"WGS84", 4326, false},
        {"WGS 84", 4326, false},
        {"VN-2000", 4756, false},
        {"vn2000", 4756, false},
        {"EPSG:3405", 3405, true},
        {"VN2000:UTM:48", 3405, true},
        {"VN2000:UTM:49N", 3406, true},
        {"WGS84:UTM:48", 32648, true},
        {"EPSG:32649", 32649, true},
        {"EPSG:9207", 9207, true},
        {"VN2000:TM3:104.5", 9207, true},
        {"VN-2000:TM3:104-30", 9207, true},
        {"vn2000:tm3:104\xC2\xB0"
         "30'",
         9207, true},
        {"VN2000:TM3:104.75", 9208, true},
        {"VN2000:TM3:105", 5897, true},
        {"VN2000:TM3:105.00", 5897, true},
        {"VN2000:TM3:107-45", 5899, true},
        {"VN2000:TM3:102", 5896, true},
        {"VN2000:TM3:108.5", 9218, true},
    };
    static const char *const bad[] = {
        "",
        "EPSG:",
        "EPSG:32650",
        "EPSG:9207x",
        "EPSG:3857",
        "9207",
        "VN2000:TM3:",
        "VN2000:TM3:104.6",
        "VN2000:TM3:109",
        "VN2000:TM3:104-60",
        "VN2000:UTM:50",
        "HN72",
        "EPSG:9207 EPSG:4326",
        "VN2000:TM3:104.5.5",
    };
    struct geo_crs crs;
    struct err e;

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        bool ok = geo_crs_parse(good[i].s, &crs, &e);
        CHECKF(ok && crs.epsg == good[i].epsg && crs.projected == good[i].projected,
               "%s -> EPSG:%d", good[i].s, ok ? crs.epsg : -1);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool ok = geo_crs_parse(bad[i], &crs, &e);
        CHECKF(!ok && strstr(e.msg, "crs: ") == e.msg && strstr(e.msg, "VN2000:TM3"),
               "%s must be refused: %s", bad[i], ok ? "accepted" : e.msg);
    }
    char code[16];
    geo_crs_parse("VN2000:TM3:104.5", &crs, &e);
    geo_crs_code(&crs, code, sizeof code);
    CHECK(strcmp(code, "EPSG:9207") == 0);
}

/* Every TM-3 alias is the EPSG CRS PROJ knows, with that central meridian and name. */
static void test_against_proj_db(void)
{
    static const char *const meridians[] = {
        "102",    "103",   "104", "104.5",  "104.75", "105",    "105.5", "105.75", "106",
        "106.25", "106.5", "107", "107.25", "107.5",  "107.75", "108",   "108.25", "108.5",
    };
    PJ_CONTEXT *ctx = proj_context_create();
    for (size_t i = 0; i < sizeof meridians / sizeof meridians[0]; i++) {
        char alias[40], code[16];
        struct geo_crs crs;
        struct err e;
        snprintf(alias, sizeof alias, "VN2000:TM3:%s", meridians[i]);
        if (!geo_crs_parse(alias, &crs, &e)) {
            CHECKF(false, "%s: %s", alias, e.msg);
            continue;
        }
        geo_crs_code(&crs, code, sizeof code);
        PJ *p = proj_create(ctx, code);
        PJ *conv = p ? proj_crs_get_coordoperation(ctx, p) : NULL;
        double lon0 = NAN, k = NAN;
        if (conv) {
            int il = proj_coordoperation_get_param_index(ctx, conv, "Longitude of natural origin");
            int ik =
                proj_coordoperation_get_param_index(ctx, conv, "Scale factor at natural origin");
            proj_coordoperation_get_param(ctx, conv, il, NULL, NULL, NULL, &lon0, NULL, NULL, NULL,
                                          NULL, NULL, NULL);
            proj_coordoperation_get_param(ctx, conv, ik, NULL, NULL, NULL, &k, NULL, NULL, NULL,
                                          NULL, NULL, NULL);
        }
        CHECKF(p && strcmp(proj_get_name(p), crs.name) == 0, "%s: name %s vs PROJ %s", code,
               crs.name, p ? proj_get_name(p) : "?");
        CHECKF(fabs(lon0 - strtod(meridians[i], NULL)) < 1e-12 && fabs(k - 0.9999) < 1e-12,
               "%s (%s): lon_0 %.4f k %.6f", code, alias, lon0, k);
        proj_destroy(conv);
        proj_destroy(p);
    }
    proj_context_destroy(ctx);
}

struct ref {
    const char *what;
    const char *crs;
    double a, b;     /* lon/lat or easting/northing, as in the CRS */
    double lat, lon; /* WGS 84, from cs2cs */
};

static const struct ref REFS[] = {
    {"BV Đa khoa Kiên Giang, TM-3 104-30", "EPSG:9207", 565429.712, 1102888.744, 9.9726370954,
     105.0985588990},
    {"TTYT Hà Tiên, TM-3 104-30", "VN2000:TM3:104.5", 498832.427, 1147089.172, 10.3728243991,
     104.4911260001},
    {"Phú Quốc, TM-3 104-30", "EPSG:9207", 445730.846, 1110187.731, 10.0388035990, 104.0067047051},
    {"Thổ Chu, TM-3 104-30", "EPSG:9207", 385906.723, 1026869.576, 9.2843000013, 103.4632999998},
    {"BV Bạch Mai, UTM 48N", "EPSG:3405", 587240.863, 2322596.483, 21.0009999964, 105.8413000125},
    {"Đà Nẵng, UTM 49N", "VN2000:UTM:49", 202462.263, 1778968.932, 16.0715999954, 108.2208000067},
    {"Hà Nội, TM-3 105-00", "EPSG:5897", 588591.944, 2326345.312, 21.0284999989, 105.8542000071},
    {"Buôn Ma Thuột, TM-3 108-30", "EPSG:9218", 450354.085, 1402293.023, 12.6796999968,
     108.0447000000},
    {"Cần Thơ, WGS 84 / UTM 48N", "EPSG:32648", 586354.842, 1109275.124, 10.0340000016,
     105.7879999992},
    {"TTYT Rạch Giá, VN-2000", "EPSG:4756", 105.09049828, 9.99919862, 9.9981884958, 105.0922837974},
    {"Hà Nội, VN-2000", "VN2000", 105.85231735, 21.02948599, 21.0284999973, 105.8542000105},
    {"Rạch Giá, WGS 84", "EPSG:4326", 105.0809, 10.0125, 10.0125, 105.0809},
};

static void test_references(struct geo_transformer *t)
{
    for (size_t i = 0; i < sizeof REFS / sizeof REFS[0]; i++) {
        const struct ref *r = &REFS[i];
        struct geo_crs crs;
        struct err e;
        double lat = NAN, lon = NAN;
        int rc = geo_crs_parse(r->crs, &crs, &e) ? geo_to_wgs84(t, &crs, r->a, r->b, &lat, &lon, &e)
                                                 : -1;
        CHECKF(rc == 0 && fabs(lat - r->lat) < TOL_DEG && fabs(lon - r->lon) < TOL_DEG,
               "%s: got %.10f %.10f, want %.10f %.10f (%s)", r->what, lat, lon, r->lat, r->lon,
               rc ? e.msg : "ok");
        if (crs.vn2000) {
            const char *name = geo_transform_name(t, &crs, &e);
            CHECKF(name && strstr(name, "VN-2000 to WGS 84 (2)"), "%s: operation %s", r->crs,
                   name ? name : e.msg);
        }
    }
}

/*
 * PROJ's default (cs2cs EPSG:4756 EPSG:4326) at Rạch Giá picks EPSG:5194:
 * 9.9981887867, 105.0922912100 for the TTYT Rạch Giá input above. The
 * importer must not.
 */
static void test_not_5194(struct geo_transformer *t)
{
    struct geo_crs crs;
    struct err e;
    double lat, lon;
    geo_crs_parse("EPSG:4756", &crs, &e);
    CHECK(geo_to_wgs84(t, &crs, 105.09049828, 9.99919862, &lat, &lon, &e) == 0);
    double d = geo_distance_m(lat, lon, 9.9981887867, 105.0922912100);
    CHECKF(d > 0.5 && d < 1.5, "distance to the EPSG:5194 result: %.3f m", d);
}

/* Geodetic (radians, h = 0) on the WGS 84 ellipsoid to earth-centred cartesian. */
static void to_ecef(double lat, double lon, double xyz[3])
{
    const double a = GEO_WGS84_A, e2 = GEO_WGS84_F * (2 - GEO_WGS84_F);
    double n = a / sqrt(1 - e2 * sin(lat) * sin(lat));
    xyz[0] = n * cos(lat) * cos(lon);
    xyz[1] = n * cos(lat) * sin(lon);
    xyz[2] = n * (1 - e2) * sin(lat);
}

static void from_ecef(const double xyz[3], double *lat, double *lon)
{
    const double a = GEO_WGS84_A, e2 = GEO_WGS84_F * (2 - GEO_WGS84_F);
    double p = hypot(xyz[0], xyz[1]), phi = atan2(xyz[2], p * (1 - e2));
    for (int i = 0; i < 20; i++) {
        double n = a / sqrt(1 - e2 * sin(phi) * sin(phi));
        double h = p / cos(phi) - n;
        phi = atan2(xyz[2], p * (1 - e2 * n / (n + h)));
    }
    *lat = phi;
    *lon = atan2(xyz[1], xyz[0]);
}

/* VN-2000 -> WGS 84 with the parameters of QĐ 05/2007/QĐ-BTNMT (coordinate frame, EPSG 9607). */
static void published_helmert(double lat_deg, double lon_deg, double *lat, double *lon)
{
    const double sec = M_PI / 648000, d2r = M_PI / 180;
    const double tx = -191.90441429, ty = -39.30318279, tz = -111.45032835;
    const double rx = -0.00928836 * sec, ry = 0.01975479 * sec, rz = -0.00427372 * sec;
    const double m = 1.000000252906278;
    double p[3], q[3];
    to_ecef(lat_deg * d2r, lon_deg * d2r, p);
    q[0] = m * (p[0] + rz * p[1] - ry * p[2]) + tx;
    q[1] = m * (-rz * p[0] + p[1] + rx * p[2]) + ty;
    q[2] = m * (ry * p[0] - rx * p[1] + p[2]) + tz;
    from_ecef(q, lat, lon);
    *lat /= d2r;
    *lon /= d2r;
}

static void test_published_parameters(struct geo_transformer *t)
{
    static const double pts[][2] = {
        {9.99919862, 105.09049828},
        {21.02948599, 105.85231735},
        {10.0388, 104.0067},
        {9.2843, 103.4633},
        {8.645, 111.92},
        {16.83, 112.33},
        {23.36, 105.32},
        {11.94, 108.44},
    };
    struct geo_crs crs;
    struct err e;
    geo_crs_parse("EPSG:4756", &crs, &e);
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double lat, lon, want_lat, want_lon;
        published_helmert(pts[i][0], pts[i][1], &want_lat, &want_lon);
        int rc = geo_to_wgs84(t, &crs, pts[i][1], pts[i][0], &lat, &lon, &e);
        CHECKF(rc == 0 && fabs(lat - want_lat) < 1e-9 && fabs(lon - want_lon) < 1e-9,
               "(%g, %g): PROJ %.10f %.10f, published parameters %.10f %.10f", pts[i][0], pts[i][1],
               lat, lon, want_lat, want_lon);
    }
}

/* A point PROJ cannot invert is an error, not a silent NaN. */
static void test_failure(struct geo_transformer *t)
{
    struct geo_crs crs;
    struct err e;
    double lat = 0, lon = 0;
    geo_crs_parse("EPSG:9207", &crs, &e);
    int rc = geo_to_wgs84(t, &crs, 1e30, 1e30, &lat, &lon, &e);
    CHECKF(rc != 0 || (isfinite(lat) && isfinite(lon)), "huge input: rc %d lat %g", rc, lat);
}

int main(void)
{
    setenv("PROJ_NETWORK", "ON", 1); /* the transformer must switch it off itself */
    test_parse();
    test_against_proj_db();
    struct geo_transformer *t = geo_transformer_new();
    CHECK(t != NULL);
    if (t) {
        test_references(t);
        test_not_5194(t);
        test_published_parameters(t);
        test_failure(t);
    }
    geo_transformer_free(t);
    return harness_done();
}
