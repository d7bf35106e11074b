#include "format/place_list.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/csv_out.h"
#include "format/json_out.h"
#include "format/place_json.h"

const char *out_format_content_type(enum out_format f)
{
    switch (f) {
    case OUT_GEOJSON: return "application/geo+json";
    case OUT_CSV: return "text/csv; charset=utf-8";
    default: return "application/json";
    }
}

/* The extras that apply, as members, then the closing brace(s). */
static int close_item(struct buf *b, const struct place_item *it, unsigned extras,
                      const char *close)
{
    int rc = 0;
    if (extras & EXTRA_DISTANCE)
        rc |= buf_puts(b, ",\"distance_m\":") | json_out_fixed(b, it->distance_m, 1);
    if (extras & EXTRA_SCORE)
        rc |= buf_puts(b, ",\"score\":") | json_out_fixed(b, it->score, 3);
    return rc | buf_puts(b, close);
}

/*
 * Appends envelope's members (jansson renders them: they are few and small)
 * without its braces, followed by a comma when there are any.
 */
static int envelope_members(json_t *envelope, struct buf *out)
{
    char *s = json_dumps(envelope, FORMAT_JSON_FLAGS);
    if (s == NULL)
        return -1;
    size_t n = strlen(s);
    int rc = 0;
    if (n > 2)
        rc = buf_append(out, s + 1, n - 2) | buf_append(out, ",", 1);
    free(s);
    return rc;
}

static int render_json(json_t *envelope, const struct place_item *items, size_t n,
                       unsigned extras, bool geojson, struct buf *out)
{
    int rc = envelope ? 0 : -1;
    rc |= buf_append(out, "{", 1);
    if (geojson)
        rc |= buf_puts(out, "\"type\":\"FeatureCollection\",");
    if (rc == 0)
        rc |= envelope_members(envelope, out);
    rc |= buf_puts(out, geojson ? "\"features\":[" : "\"results\":[");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc |= i ? buf_append(out, ",", 1) : 0;
        rc |= geojson ? place_feature_open(out, items[i].p) : place_json_open(out, items[i].p, true);
        rc |= close_item(out, &items[i], extras, geojson ? "}}" : "}");
    }
    json_decref(envelope);
    return rc | buf_puts(out, "]}") ? -1 : 0;
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
    char name[TEXT_PACK_MAX], address[TEXT_PACK_MAX];
    const char *text[] = {place_kind_name(p->kind), p->code, place_name(p, name), p->attrs->parent_code, p->attrs->level,
                          p->attrs->facility_class, p->attrs->ownership, accepts, p->attrs->agent_type, place_address(p, address),
                          p->attrs->province_code, p->attrs->district_code, p->attrs->ward_code, p->phone, p->attrs->email,
                          p->attrs->website, p->attrs->opening_hours};
    int rc = 0;
    for (size_t i = 0; i < sizeof text / sizeof *text; i++)
        rc |= csv_out_field(out, text[i], i == 0);
    rc |= csv_out_number(out, p->lat, false);
    rc |= csv_out_number(out, p->lon, false);
    rc |= csv_out_field(out, p->position_approx ? "true" : "false", false);
    rc |= csv_out_field(out, p->attrs->source, false);
    rc |= csv_out_field(out, p->attrs->updated, false);
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
