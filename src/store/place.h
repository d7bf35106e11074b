/*
 * place: the in-memory form of a row of the places table, as the API serves
 * it. Strings are NUL-terminated and owned by the release that loaded them;
 * NULL means the field is empty in the release.
 */
#ifndef BHXH_STORE_PLACE_H
#define BHXH_STORE_PLACE_H

#include <stdbool.h>
#include <stddef.h>

enum place_kind { PLACE_OFFICE, PLACE_AGENT, PLACE_FACILITY, PLACE_KIND_COUNT };

struct place {
    const char *code, *name, *parent_code, *level, *facility_class, *ownership, *agent_type;
    const char *address, *province_code, *district_code, *ward_code;
    const char *phone, *email, *website, *opening_hours, *source, *updated;
    double lat, lon;
    const struct place *const *children; /* offices: the child offices, in code order */
    unsigned nchildren;
    signed char accepts_initial_registration; /* -1 unknown, 0 no, 1 yes */
    bool position_approx;
    enum place_kind kind;
};

/* "office", "agent", "facility". */
const char *place_kind_name(enum place_kind k);
/* Parses a kind name (n bytes); returns 0 and sets *k, or -1 if it is not one. */
int place_kind_parse(const char *s, size_t n, enum place_kind *k);

#endif
