/*
 * place: the in-memory form of a row of the places table, as the API serves
 * it. Strings are NUL-terminated and owned by the release that loaded them;
 * NULL means the field is empty in the release.
 *
 * Memory: a national release holds about a million places, so a place keeps
 * inline only what is its own (code, name, address, phone, position) and
 * points to a struct place_attrs for the fields that many places share (the
 * administrative codes, classification, source, date, ...). The release
 * interns those: places with equal attributes point to one copy.
 */
#ifndef BHXH_STORE_PLACE_H
#define BHXH_STORE_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum place_kind { PLACE_OFFICE, PLACE_AGENT, PLACE_FACILITY, PLACE_KIND_COUNT };

struct place_attrs {
    const char *parent_code, *level, *facility_class, *ownership, *agent_type;
    const char *province_code, *district_code, *ward_code;
    const char *email, *website, *opening_hours, *source, *updated;
};

struct place {
    const char *code, *name, *address, *phone;
    const struct place_attrs *attrs; /* never NULL */
    double lat, lon;
    const struct place *const *children; /* offices: the child offices, in code order */
    unsigned nchildren;
    signed char accepts_initial_registration; /* -1 unknown, 0 no, 1 yes */
    bool position_approx;
    uint8_t kind; /* enum place_kind */
};

/* "office", "agent", "facility". */
const char *place_kind_name(enum place_kind k);
/* Parses a kind name (n bytes); returns 0 and sets *k, or -1 if it is not one. */
int place_kind_parse(const char *s, size_t n, enum place_kind *k);

#endif
