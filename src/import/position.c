/*
 * position: where a place row is. A row gives lat/lon (decimal degrees) in
 * a geographic CRS, or easting/northing (metres) in a projected one; the
 * CRS is the row's crs field, or --crs, or WGS 84 (docs/data-format.md).
 * Everything but WGS 84 goes through PROJ (geo/crs.h: VN-2000 always by
 * EPSG:6960), and the WGS 84 result must pass the same territory check as
 * a WGS 84 row. Messages name the columns, the values as written and the
 * CRS, so the person fixing the spreadsheet knows which zone was assumed.
 */
#include "import/internal.h"

#include <stdio.h>
#include <string.h>

#include "geo/territory.h"
#include "import/validate.h"

/* "EPSG:9207 (VN-2000 / TM-3 104-30)" into out. */
static const char *crs_label(const struct geo_crs *crs, char *out, size_t n)
{
    snprintf(out, n, "EPSG:%d (%s)", crs->epsg, crs->name);
    return out;
}

static void remember_source(struct imp_place *p, const struct geo_crs *crs, double x, double y)
{
    geo_crs_code(crs, p->src_crs, sizeof p->src_crs);
    p->src_x = x;
    p->src_y = y;
}

/*
 * Both fields of the pair the CRS takes are set, and neither of the other
 * pair; reports otherwise.
 */
static bool fields_given(struct imp_ctx *c, const char *path, unsigned long line,
                         const struct geo_crs *crs, const char *const want[2],
                         const char *const want_v[2], const char *const other[2],
                         const char *const other_v[2])
{
    char label[80], note[100] = "";
    bool ok = true;

    crs_label(crs, label, sizeof label);
    if (crs->epsg != 4326)
        snprintf(note, sizeof note, " (crs %s)", label);
    for (int i = 0; i < 2; i++) {
        if (*other_v[i]) {
            imp_error(c, path, line, "%s: is set, but the row's crs %s takes %s and %s", other[i],
                      label, want[0], want[1]);
            ok = false;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (*want_v[i] == '\0') {
            imp_error(c, path, line, "%s: is required but empty%s", want[i], note);
            ok = false;
        }
    }
    return ok;
}

static void geographic(struct imp_ctx *c, const char *path, unsigned long line,
                       const struct geo_crs *crs, const struct imp_position *pos,
                       struct imp_place *p)
{
    static const char *const want[2] = {"lat", "lon"}, *const other[2] = {"easting", "northing"};
    const char *want_v[2] = {pos->lat, pos->lon}, *other_v[2] = {pos->easting, pos->northing};
    char label[80];
    double lat, lon;
    struct err e;
    bool ok;

    crs_label(crs, label, sizeof label);
    if (!fields_given(c, path, line, crs, want, want_v, other, other_v))
        return;
    ok = validate_number("lat", pos->lat, &lat, &e);
    if (!ok)
        imp_error(c, path, line, "%s", e.msg);
    if (!validate_number("lon", pos->lon, &lon, &e)) {
        imp_error(c, path, line, "%s", e.msg);
        ok = false;
    }
    if (!ok || !validate_position(pos->lat, pos->lon, lat, lon, &e)) {
        if (ok)
            imp_error(c, path, line, "%s", e.msg);
        return;
    }
    if (geo_to_wgs84(c->geo, crs, lon, lat, &p->lat, &p->lon, &e) != 0) {
        imp_error(c, path, line, "lat: %s and lon: %s in %s %s", pos->lat, pos->lon, label, e.msg);
        return;
    }
    if (crs->epsg != 4326) {
        remember_source(p, crs, lon, lat);
        if (geo_check_vn(p->lat, p->lon) != GEO_IN_VN)
            imp_error(c, path, line,
                      "lat: %s and lon: %s in %s give WGS 84 lat %.7f, lon %.7f, outside Viet "
                      "Nam's territory",
                      pos->lat, pos->lon, label, p->lat, p->lon);
    }
}

/* Transforms (x, y) and tells whether the result is in Viet Nam. */
static bool lands_in_vn(struct imp_ctx *c, const struct geo_crs *crs, double x, double y,
                        double *lat, double *lon, struct err *e)
{
    return geo_to_wgs84(c->geo, crs, x, y, lat, lon, e) == 0 &&
           geo_check_vn(*lat, *lon) == GEO_IN_VN;
}

static void projected(struct imp_ctx *c, const char *path, unsigned long line,
                      const struct geo_crs *crs, const struct imp_position *pos,
                      struct imp_place *p)
{
    static const char *const want[2] = {"easting", "northing"}, *const other[2] = {"lat", "lon"};
    const char *want_v[2] = {pos->easting, pos->northing}, *other_v[2] = {pos->lat, pos->lon};
    char label[80];
    double x, y, lat, lon;
    struct err e, e2;
    bool ok;

    crs_label(crs, label, sizeof label);
    if (!fields_given(c, path, line, crs, want, want_v, other, other_v))
        return;
    ok = validate_number("easting", pos->easting, &x, &e);
    if (!ok)
        imp_error(c, path, line, "%s", e.msg);
    if (!validate_number("northing", pos->northing, &y, &e)) {
        imp_error(c, path, line, "%s", e.msg);
        ok = false;
    }
    if (!ok)
        return;
    e.msg[0] = '\0';
    if (lands_in_vn(c, crs, x, y, &p->lat, &p->lon, &e)) {
        remember_source(p, crs, x, y);
    } else if (lands_in_vn(c, crs, y, x, &lat, &lon, &e2)) {
        imp_error(c, path, line,
                  "easting: %s and northing: %s look swapped (in %s the northing of a point in "
                  "Viet Nam is the larger number; VN-2000 surveys write it as X)",
                  pos->easting, pos->northing, label);
    } else if (e.msg[0]) {
        imp_error(c, path, line, "easting: %s and northing: %s %s", pos->easting, pos->northing,
                  e.msg);
    } else {
        imp_error(c, path, line,
                  "easting: %s and northing: %s in %s give WGS 84 lat %.7f, lon %.7f, outside "
                  "Viet Nam's territory (is it the right zone?)",
                  pos->easting, pos->northing, label, p->lat, p->lon);
    }
}

void imp_check_position(struct imp_ctx *c, const struct imp_file *f, unsigned long line,
                        const struct imp_position *pos, struct imp_place *p)
{
    const char *path = f->path;
    struct geo_crs crs = f->crs;
    struct err e;

    if (*pos->crs && !geo_crs_parse(pos->crs, &crs, &e)) {
        imp_error(c, path, line, "%s", e.msg);
        return;
    }
    if (crs.projected)
        projected(c, path, line, &crs, pos, p);
    else
        geographic(c, path, line, &crs, pos, p);
}

bool imp_position_header(struct imp_ctx *c, const struct imp_file *f, unsigned long line, bool crs,
                         bool lat, bool lon, bool easting, bool northing)
{
    const char *path = f->path;
    char label[80];
    bool ok = true;

    if (lat != lon) {
        imp_error(c, path, line, "%s: required column is missing (%s is there)",
                  lat ? "lon" : "lat", lat ? "lat" : "lon");
        ok = false;
    }
    if (easting != northing) {
        imp_error(c, path, line, "%s: required column is missing (%s is there)",
                  easting ? "northing" : "easting", easting ? "easting" : "northing");
        ok = false;
    }
    if (!ok)
        return false;
    crs_label(&f->crs, label, sizeof label);
    if (!lat && !easting) {
        imp_error(c, path, line,
                  "lat: required column is missing (give lat and lon, or easting and northing "
                  "with a projected crs)");
        return false;
    }
    if (!crs && f->crs.projected && !easting) {
        imp_error(c, path, line,
                  "easting: required column is missing (--crs %s applies to this file and is "
                  "projected: give easting and northing, or a crs column)",
                  label);
        return false;
    }
    if (!crs && !f->crs.projected && !lat) {
        imp_error(c, path, line,
                  "lat: required column is missing (the file has easting and northing but no "
                  "crs column, and its --crs is %s, geographic: give --crs %s=CRS)",
                  label, f->name);
        return false;
    }
    return true;
}
