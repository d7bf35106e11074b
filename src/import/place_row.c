/*
 * place_row: struct imp_place as a textq row and back (internal.h).
 */
#include "import/internal.h"

#include <string.h>

/* The texts of a place in a row, and its numbers. */
enum {
    T_KIND,
    T_CODE,
    T_NAME,
    T_PARENT,
    T_LEVEL,
    T_CLASS,
    T_OWNERSHIP,
    T_AGENT_TYPE,
    T_ADDRESS,
    T_PROVINCE,
    T_DISTRICT,
    T_WARD,
    T_PHONE,
    T_EMAIL,
    T_WEBSITE,
    T_HOURS,
    T_SOURCE,
    T_UPDATED,
    T_SRC_FILE,
    T_SRC_CRS,
    T_NTEXTS
};

struct place_nums {
    double lat, lon, src_x, src_y;
    unsigned long src_line;
    int accepts_initial_registration;
    bool position_approx;
};

_Static_assert(T_NTEXTS == IMP_PLACE_NTEXTS, "IMP_PLACE_NTEXTS");
_Static_assert(sizeof(struct place_nums) <= IMP_PLACE_PAYLOAD, "IMP_PLACE_PAYLOAD");

void imp_place_to_row(const struct imp_place *p, const char *t[IMP_PLACE_NTEXTS],
                      unsigned char payload[IMP_PLACE_PAYLOAD])
{
    t[T_KIND] = p->kind;
    t[T_CODE] = p->code;
    t[T_NAME] = p->name;
    t[T_PARENT] = p->parent_code;
    t[T_LEVEL] = p->level;
    t[T_CLASS] = p->facility_class;
    t[T_OWNERSHIP] = p->ownership;
    t[T_AGENT_TYPE] = p->agent_type;
    t[T_ADDRESS] = p->address;
    t[T_PROVINCE] = p->province_code;
    t[T_DISTRICT] = p->district_code;
    t[T_WARD] = p->ward_code;
    t[T_PHONE] = p->phone;
    t[T_EMAIL] = p->email;
    t[T_WEBSITE] = p->website;
    t[T_HOURS] = p->opening_hours;
    t[T_SOURCE] = p->source;
    t[T_UPDATED] = p->updated;
    t[T_SRC_FILE] = p->src_file;
    t[T_SRC_CRS] = p->src_crs;
    struct place_nums n = {
        .lat = p->lat,
        .lon = p->lon,
        .src_x = p->src_x,
        .src_y = p->src_y,
        .src_line = p->src_line,
        .accepts_initial_registration = p->accepts_initial_registration,
        .position_approx = p->position_approx,
    };
    memset(payload, 0, IMP_PLACE_PAYLOAD);
    memcpy(payload, &n, sizeof n);
}

void imp_place_from_row(struct imp_place *p, const char *const *t, const void *payload)
{
    struct place_nums n;
    memcpy(&n, payload, sizeof n);
    *p = (struct imp_place){
        .kind = t[T_KIND],
        .code = t[T_CODE],
        .name = t[T_NAME],
        .parent_code = t[T_PARENT],
        .level = t[T_LEVEL],
        .facility_class = t[T_CLASS],
        .ownership = t[T_OWNERSHIP],
        .agent_type = t[T_AGENT_TYPE],
        .address = t[T_ADDRESS],
        .province_code = t[T_PROVINCE],
        .district_code = t[T_DISTRICT],
        .ward_code = t[T_WARD],
        .phone = t[T_PHONE],
        .email = t[T_EMAIL],
        .website = t[T_WEBSITE],
        .opening_hours = t[T_HOURS],
        .source = t[T_SOURCE],
        .updated = t[T_UPDATED],
        .src_file = t[T_SRC_FILE],
        .accepts_initial_registration = n.accepts_initial_registration,
        .position_approx = n.position_approx,
        .lat = n.lat,
        .lon = n.lon,
        .src_line = n.src_line,
        .src_x = n.src_x,
        .src_y = n.src_y,
    };
    snprintf(p->src_crs, sizeof p->src_crs, "%s", t[T_SRC_CRS]);
}
