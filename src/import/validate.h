/*
 * validate: the per-field rules of docs/data-format.md, one function per
 * rule. Each takes an already trimmed, NUL-terminated field, returns true
 * when it is acceptable, and otherwise fills e with "COLUMN: reason" naming
 * the offending value, e.g.
 *   lat: "10,38" is not a number (use a dot as decimal separator)
 * The importer prefixes "FILE:LINE: ". Nothing here allocates or keeps
 * pointers to its arguments.
 */
#ifndef BHXH_IMPORT_VALIDATE_H
#define BHXH_IMPORT_VALIDATE_H

#include <stdbool.h>

#include "import/codeset.h"
#include "util/err.h"

/* Levels of admin units and offices; also the tags stored in their codesets. */
enum validate_level {
    VALIDATE_LEVEL_UNKNOWN = 0, /* the level field itself was bad */
    VALIDATE_PROVINCE = 1,
    VALIDATE_DISTRICT = 2,
    VALIDATE_WARD = 3,
};

/* "province" | "district" | "ward"; the name of a level for messages. */
const char *validate_level_name(int level);

/* Fills e with the message for a code seen before, on first_line. */
void validate_duplicate(const char *code, unsigned long first_line, struct err *e);

/* Non-empty. */
bool validate_required(const char *col, const char *s, struct err *e);

/*
 * s is one of allowed (NULL-terminated list, exact match); returns its index,
 * or -1 with e filled listing the allowed values.
 */
int validate_enum(const char *col, const char *s, const char *const *allowed, struct err *e);

/*
 * A decimal number written the plain way: [+-]digits[.digits][e[+-]digits],
 * the whole field, finite. "12,5", "1e999", "nan", "0x10", "" are errors.
 */
bool validate_number(const char *col, const char *s, double *out, struct err *e);

/*
 * Given parsed lat and lon (and their texts for messages): a swapped pair,
 * then the ranges, then Viet Nam's territory (geo_check_vn).
 */
bool validate_position(const char *lat_s, const char *lon_s, double lat, double lon, struct err *e);

/* true/false/1/0 in any case. */
bool validate_bool(const char *col, const char *s, bool *out, struct err *e);

/* YYYY-MM-DD, a real calendar date (years 1900-2999). */
bool validate_date(const char *col, const char *s, struct err *e);

/* The source column: a short word, 1-32 of A-Z a-z 0-9 . _ - (official, osm, ...). */
bool validate_source(const char *s, struct err *e);

/*
 * admin_units code: 2, 3 or 5 digits. When level is known the length must
 * agree with it (province 2, district 3, ward 5).
 */
bool validate_admin_code(const char *code, int level, struct err *e);

/*
 * offices code: 3 digits for a province office, 5 for a district office.
 * With a known level the length must agree; for a district office with a
 * parent, the code must start with the parent's code.
 */
bool validate_office_code(const char *code, int level, const char *parent, struct err *e);

/*
 * offices parent_code against level: empty for a province office, set for a
 * district office. (Whether the parent exists is checked by the caller.)
 */
bool validate_office_parent(int level, const char *parent, struct err *e);

/* agents code: 1-40 of A-Z a-z 0-9 . _ - */
bool validate_agent_code(const char *code, struct err *e);

/*
 * facilities code: 2 digits then 3 of 0-9 A-Z. The first two must be a
 * province in admin (tag VALIDATE_PROVINCE) or 97/98; admin NULL skips that
 * part (admin_units.csv could not be read).
 */
bool validate_facility_code(const char *code, const struct codeset *admin, struct err *e);

/*
 * A reference from column col to an admin unit of the given level, which
 * must be in admin (skipped when admin is NULL).
 */
bool validate_admin_ref(const char *col, const char *code, int level, const struct codeset *admin,
                        struct err *e);

/*
 * A reference to an office in offices (skipped when offices is NULL). With
 * want_level != 0 the office must have that level.
 */
bool validate_office_ref(const char *col, const char *code, int want_level,
                         const struct codeset *offices, struct err *e);

/*
 * admin_units parent_code for a unit of level: empty for a province,
 * otherwise set, found in the file (parent_found) and one level up
 * (parent_level; VALIDATE_LEVEL_UNKNOWN skips that part).
 */
bool validate_admin_parent(int level, const char *parent, bool parent_found, int parent_level,
                           struct err *e);

#endif
