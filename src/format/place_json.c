#include "format/place_json.h"

#include "format/json_out.h"

/* Coordinates are stored as imported; 7 decimals (about 1 cm) is all they carry. */
#define COORD_DECIMALS 7

static int member_str(struct buf *b, const char *key, const char *val)
{
    return buf_append(b, ",", 1) | json_out_key(b, key) | json_out_string(b, val);
}

static int kind_members(struct buf *b, const struct place *p)
{
    int rc = 0;
    switch (p->kind) {
    case PLACE_OFFICE:
        rc |= member_str(b, "level", p->attrs->level);
        rc |= buf_append(b, ",", 1) | json_out_key(b, "children") | buf_append(b, "[", 1);
        for (unsigned i = 0; i < p->nchildren; i++)
            rc |= (i ? buf_append(b, ",", 1) : 0) | json_out_string(b, p->children[i]->code);
        rc |= buf_append(b, "]", 1);
        break;
    case PLACE_FACILITY:
        rc |= member_str(b, "level", p->attrs->level);
        rc |= member_str(b, "facility_class", p->attrs->facility_class);
        rc |= member_str(b, "ownership", p->attrs->ownership);
        rc |= buf_append(b, ",", 1) | json_out_key(b, "accepts_initial_registration");
        rc |= p->accepts_initial_registration < 0
                  ? buf_append(b, "null", 4)
                  : json_out_bool(b, p->accepts_initial_registration != 0);
        break;
    case PLACE_AGENT:
        rc |= member_str(b, "agent_type", p->attrs->agent_type);
        break;
    default:
        break;
    }
    return rc;
}

int place_json_open(struct buf *b, const struct place *p, bool coords)
{
    int rc = buf_append(b, "{", 1) | json_out_key(b, "kind") |
             json_out_string(b, place_kind_name(p->kind));
    char name[TEXT_PACK_MAX], address[TEXT_PACK_MAX];
    const struct {
        const char *key, *val;
    } strs[] = {
        {"code", p->code},
        {"name", place_name(p, name)},
        {"address", place_address(p, address)},
        {"phone", p->phone},
        {"email", p->attrs->email},
        {"website", p->attrs->website},
        {"opening_hours", p->attrs->opening_hours},
        {"parent_code", p->attrs->parent_code},
        {"province_code", p->attrs->province_code},
        {"district_code", p->attrs->district_code},
        {"ward_code", p->attrs->ward_code},
        {"source", p->attrs->source},
        {"updated", p->attrs->updated},
    };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        rc |= member_str(b, strs[i].key, strs[i].val);
    if (coords) {
        rc |= buf_append(b, ",", 1) | json_out_key(b, "lat") | json_out_fixed(b, p->lat, COORD_DECIMALS);
        rc |= buf_append(b, ",", 1) | json_out_key(b, "lon") | json_out_fixed(b, p->lon, COORD_DECIMALS);
    }
    rc |= buf_append(b, ",", 1) | json_out_key(b, "position_approx") |
          json_out_bool(b, p->position_approx);
    return rc | kind_members(b, p) ? -1 : 0;
}

int place_json_write(struct buf *b, const struct place *p)
{
    return place_json_open(b, p, true) | buf_append(b, "}", 1) ? -1 : 0;
}

int place_feature_open(struct buf *b, const struct place *p)
{
    int rc = buf_puts(b, "{\"type\":\"Feature\",\"id\":\"") | buf_puts(b, place_kind_name(p->kind)) |
             buf_append(b, "/", 1);
    /* Codes are [A-Za-z0-9._-]: nothing to escape. */
    rc |= buf_puts(b, p->code) | buf_puts(b, "\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
    rc |= json_out_fixed(b, p->lon, COORD_DECIMALS) | buf_append(b, ",", 1) |
          json_out_fixed(b, p->lat, COORD_DECIMALS);
    rc |= buf_puts(b, "]},\"properties\":") | place_json_open(b, p, false);
    return rc ? -1 : 0;
}

static json_t *parse(struct buf *b, int rc)
{
    json_t *doc = rc == 0 && b->data ? json_loadb(b->data, b->len, 0, NULL) : NULL;
    buf_free(b);
    return doc;
}

json_t *place_json(const struct place *p)
{
    struct buf b = {0};
    return parse(&b, place_json_write(&b, p));
}

json_t *place_feature(const struct place *p)
{
    struct buf b = {0};
    int rc = place_feature_open(&b, p);
    return parse(&b, rc | buf_puts(&b, "}}"));
}
