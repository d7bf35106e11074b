/*
 * place: the in-memory form of a row of the places table, as the API serves
 * it. Strings are NUL-terminated and owned by the release that loaded them;
 * NULL means the field is empty in the release.
 *
 * Memory: a national release holds about a million places, so a place keeps
 * inline only what is its own (code, name, address, phone, position) and
 * points to a struct place_attrs for the fields that many places share (the
 * administrative codes, classification, source, date, ...). The release
 * interns those: places with equal attributes point to one copy. Names and
 * addresses are kept packed with the release's dictionary of frequent words.
 */
#ifndef BHXH_STORE_PLACE_H
#define BHXH_STORE_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text/pack.h"

enum place_kind { PLACE_OFFICE, PLACE_AGENT, PLACE_FACILITY, PLACE_KIND_COUNT };

struct place_attrs {
    const char *parent_code, *level, *facility_class, *ownership, *agent_type;
    const char *province_code, *district_code, *ward_code;
    const char *email, *website, *opening_hours, *source, *updated;
    const struct text_pack *pack; /* the release's dictionary for name and address */
};

struct place {
    /* name and address are kept packed (text/pack.h): read them with place_name/place_address */
    const char *code, *packed_name, *packed_address, *phone;
    const struct place_attrs *attrs; /* never NULL */
    double lat, lon;
    const struct place *const *children; /* offices: the child offices, in code order */
    unsigned nchildren;
    signed char accepts_initial_registration; /* -1 unknown, 0 no, 1 yes */
    bool position_approx;
    uint8_t kind; /* enum place_kind */
};

/* p's name and address: a pointer to the text, which may be tmp (text_unpack). */
static inline const char *place_name(const struct place *p, char tmp[TEXT_PACK_MAX])
{
    return text_unpack(p->attrs->pack, p->packed_name, tmp);
}
static inline const char *place_address(const struct place *p, char tmp[TEXT_PACK_MAX])
{
    return text_unpack(p->attrs->pack, p->packed_address, tmp);
}

/* "office", "agent", "facility". */
const char *place_kind_name(enum place_kind k);
/* Parses a kind name (n bytes); returns 0 and sets *k, or -1 if it is not one. */
int place_kind_parse(const char *s, size_t n, enum place_kind *k);

#endif
