#include "format/place_json.h"

#include <math.h>

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Coordinates are stored as imported; 7 decimals (about 1 cm) is all they carry. */
static json_t *coord(double v)
{
    return json_real(round(v * 1e7) / 1e7);
}

static int add_kind_fields(json_t *o, const struct place *p)
{
    int rc = 0;
    switch (p->kind) {
    case PLACE_OFFICE: {
        json_t *children = json_array();
        for (unsigned i = 0; children && i < p->nchildren; i++)
            rc |= json_array_append_new(children, json_string(p->children[i]->code));
        rc |= json_object_set_new(o, "level", str_or_null(p->level));
        rc |= json_object_set_new(o, "children", children ? children : json_null());
        break;
    }
    case PLACE_FACILITY:
        rc |= json_object_set_new(o, "level", str_or_null(p->level));
        rc |= json_object_set_new(o, "facility_class", str_or_null(p->facility_class));
        rc |= json_object_set_new(o, "ownership", str_or_null(p->ownership));
        rc |= json_object_set_new(o, "accepts_initial_registration",
                                  p->accepts_initial_registration < 0
                                      ? json_null()
                                      : json_boolean(p->accepts_initial_registration));
        break;
    case PLACE_AGENT:
        rc |= json_object_set_new(o, "agent_type", str_or_null(p->agent_type));
        break;
    default:
        break;
    }
    return rc;
}

json_t *place_json(const struct place *p)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    struct {
        const char *key;
        const char *val;
    } strs[] = {
        {"code", p->code},
        {"name", p->name},
        {"address", p->address},
        {"phone", p->phone},
        {"email", p->email},
        {"website", p->website},
        {"opening_hours", p->opening_hours},
        {"parent_code", p->parent_code},
        {"province_code", p->province_code},
        {"district_code", p->district_code},
        {"ward_code", p->ward_code},
        {"source", p->source},
        {"updated", p->updated},
    };
    int rc = json_object_set_new(o, "kind", json_string(place_kind_name(p->kind)));
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        rc |= json_object_set_new(o, strs[i].key, str_or_null(strs[i].val));
    rc |= json_object_set_new(o, "lat", coord(p->lat));
    rc |= json_object_set_new(o, "lon", coord(p->lon));
    rc |= json_object_set_new(o, "position_approx", json_boolean(p->position_approx));
    rc |= add_kind_fields(o, p);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
