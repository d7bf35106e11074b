#include "format/place_list.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "format/csv_out.h"
#include "format/place_json.h"

const char *out_format_content_type(enum out_format f)
{
    switch (f) {
    case OUT_GEOJSON: return "application/geo+json";
    case OUT_CSV: return "text/csv; charset=utf-8";
    default: return "application/json";
    }
}

/* The place object plus the extras that apply. */
static json_t *item_json(const struct place_item *it, unsigned extras)
{
    json_t *o = place_json(it->p);
    if (o && (extras & EXTRA_DISTANCE))
        json_object_set_new(o, "distance_m", json_real(round(it->distance_m * 10) / 10));
    if (o && (extras & EXTRA_SCORE))
        json_object_set_new(o, "score", json_real(round(it->score * 1000) / 1000));
    return o;
}

static json_t *to_feature(json_t *props, const struct place *p)
{
    char id[128];
    snprintf(id, sizeof id, "%s/%s", place_kind_name(p->kind), p->code);
    json_t *lon = json_object_get(props, "lon"), *lat = json_object_get(props, "lat");
    json_t *f = json_pack("{s:s, s:s, s:{s:s, s:[O, O]}}", "type", "Feature", "id", id, "geometry",
                          "type", "Point", "coordinates", lon, lat);
    if (f == NULL) {
        json_decref(props);
        return NULL;
    }
    json_object_del(props, "lat");
    json_object_del(props, "lon");
    json_object_set_new(f, "properties", props);
    return f;
}

json_t *place_feature(const struct place *p)
{
    json_t *props = place_json(p);
    return props ? to_feature(props, p) : NULL;
}

static int dump(json_t *doc, struct buf *out)
{
    char *s = doc ? json_dumps(doc, FORMAT_JSON_FLAGS) : NULL;
    json_decref(doc);
    int rc = s ? buf_puts(out, s) : -1;
    free(s);
    return rc;
}

static int render_json(json_t *envelope, const struct place_item *items, size_t n,
                       unsigned extras, bool geojson, struct buf *out)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *o = item_json(&items[i], extras);
        if (o && geojson)
            o = to_feature(o, items[i].p);
        rc = o ? json_array_append_new(arr, o) : -1;
    }
    if (rc != 0 || envelope == NULL) {
        json_decref(arr);
        json_decref(envelope);
        return -1;
    }
    if (geojson) {
        json_t *fc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", arr);
        if (fc)
            json_object_update_missing(fc, envelope);
        json_decref(envelope);
        return dump(fc, out);
    }
    json_object_set_new(envelope, "results", arr);
    return dump(envelope, out);
}

static const char *const csv_columns[] = {
    "kind",     "code",          "name",       "parent_code", "level",
    "facility_class", "ownership", "accepts_initial_registration", "agent_type", "address",
    "province_code", "district_code", "ward_code", "phone",    "email",
    "website",  "opening_hours", "lat",        "lon",         "position_approx",
    "source",   "updated",
};

static int csv_row(const struct place_item *it, unsigned extras, struct buf *out)
{
    const struct place *p = it->p;
    const char *accepts = p->accepts_initial_registration < 0      ? NULL
                          : p->accepts_initial_registration ? "true"
                                                            : "false";
    const char *text[] = {place_kind_name(p->kind), p->code, p->name, p->parent_code, p->level,
                          p->facility_class, p->ownership, accepts, p->agent_type, p->address,
                          p->province_code, p->district_code, p->ward_code, p->phone, p->email,
                          p->website, p->opening_hours};
    int rc = 0;
    for (size_t i = 0; i < sizeof text / sizeof *text; i++)
        rc |= csv_out_field(out, text[i], i == 0);
    rc |= csv_out_number(out, p->lat, false);
    rc |= csv_out_number(out, p->lon, false);
    rc |= csv_out_field(out, p->position_approx ? "true" : "false", false);
    rc |= csv_out_field(out, p->source, false);
    rc |= csv_out_field(out, p->updated, false);
    if (extras & EXTRA_DISTANCE)
        rc |= csv_out_number(out, round(it->distance_m * 10) / 10, false);
    if (extras & EXTRA_SCORE)
        rc |= csv_out_number(out, round(it->score * 1000) / 1000, false);
    return rc | csv_out_end(out);
}

static int render_csv(const struct place_item *items, size_t n, unsigned extras, struct buf *out)
{
    int rc = 0;
    for (size_t i = 0; i < sizeof csv_columns / sizeof *csv_columns; i++)
        rc |= csv_out_field(out, csv_columns[i], i == 0);
    if (extras & EXTRA_DISTANCE)
        rc |= csv_out_field(out, "distance_m", false);
    if (extras & EXTRA_SCORE)
        rc |= csv_out_field(out, "score", false);
    rc |= csv_out_end(out);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = csv_row(&items[i], extras, out);
    return rc;
}

int place_list_render(enum out_format f, json_t *envelope, const struct place_item *items,
                      size_t n, unsigned extras, struct buf *out)
{
    if (f == OUT_CSV) {
        json_decref(envelope);
        return render_csv(items, n, extras, out);
    }
    return render_json(envelope, items, n, extras, f == OUT_GEOJSON, out);
}
