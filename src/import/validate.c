/*
 * The field rules of docs/data-format.md. Messages quote the value as
 * written (shortened and with control characters escaped) and say what was
 * expected, because the reader of a message is someone fixing a spreadsheet.
 */
#include "import/validate.h"

#include "text/number.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo/territory.h"

#define SHOW_MAX 60 /* bytes of a value shown in a message */

/* Writes s as a double-quoted, escaped, possibly shortened literal into out. */
static const char *show(char *out, size_t n, const char *s)
{
    size_t o = 0, i = 0;
    out[o++] = '"';
    for (; s[i] && o + 8 < n && i < SHOW_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, n - o, "\\%c", c);
        else if (c == '\n')
            o += (size_t)snprintf(out + o, n - o, "\\n");
        else if (c < 0x20 || c == 0x7F)
            o += (size_t)snprintf(out + o, n - o, "\\x%02X", c);
        else
            out[o++] = (char)c;
    }
    if (s[i]) {
        while (o > 1 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
            o--; /* do not cut a UTF-8 sequence in half */
        if (o > 1 && (unsigned char)out[o - 1] >= 0xC0)
            o--;
        o += (size_t)snprintf(out + o, n - o, "...");
    }
    snprintf(out + o, n - o, "\"");
    return out;
}

#define SHOW(s) show((char[SHOW_MAX * 4 + 16]){0}, SHOW_MAX * 4 + 16, (s))

static bool all_of(const char *s, const char *set, size_t min, size_t max)
{
    size_t n = strlen(s);
    return n >= min && n <= max && strspn(s, set) == n;
}

static const char DIGITS[] = "0123456789";

const char *validate_level_name(int level)
{
    switch (level) {
    case VALIDATE_PROVINCE:
        return "province";
    case VALIDATE_DISTRICT:
        return "district";
    case VALIDATE_WARD:
        return "ward";
    default:
        return "unknown";
    }
}

void validate_duplicate(const char *code, unsigned long first_line, struct err *e)
{
    err_set(e, "code: %s is a duplicate of line %lu", SHOW(code), first_line);
}

bool validate_required(const char *col, const char *s, struct err *e)
{
    if (*s != '\0')
        return true;
    err_set(e, "%s: is required but empty", col);
    return false;
}

int validate_enum(const char *col, const char *s, const char *const *allowed, struct err *e)
{
    char list[256] = "";
    size_t o = 0;
    for (int i = 0; allowed[i]; i++) {
        if (strcmp(s, allowed[i]) == 0)
            return i;
        o += (size_t)snprintf(list + o, o < sizeof list ? sizeof list - o : 0, "%s%s",
                              i ? ", " : "", allowed[i]);
        if (o >= sizeof list)
            o = sizeof list - 1;
    }
    err_set(e, "%s: %s is not one of: %s", col, SHOW(s), list);
    return -1;
}

/* Why s is not a number, as a parenthesised hint (or ""). */
static const char *number_hint(const char *s)
{
    if (strchr(s, ',') && strspn(s, "+-0123456789,") == strlen(s))
        return " (use a dot as decimal separator)";
    if (strstr(s, "\xC2\xB0")) /* degree sign */
        return " (use decimal degrees, e.g. 10.0125, not degrees and minutes)";
    if (strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0 || strcasecmp(s, "infinity") == 0 ||
        strcasecmp(s, "+inf") == 0 || strcasecmp(s, "-inf") == 0)
        return " (it must be a finite number)";
    return "";
}

bool validate_number(const char *col, const char *s, double *out, struct err *e)
{
    switch (number_parse(s, strlen(s), out)) {
    case NUMBER_OK:
        return true;
    case NUMBER_RANGE:
        err_set(e, "%s: %s is out of range for a number", col, SHOW(s));
        return false;
    default:
        err_set(e, "%s: %s is not a number%s", col, SHOW(s), number_hint(s));
        return false;
    }
}

bool validate_position(const char *lat_s, const char *lon_s, double lat, double lon, struct err *e)
{
    enum geo_territory t = geo_check_vn(lat, lon);
    if (t == GEO_SWAPPED) {
        err_set(e, "lat: %s and lon: %s look swapped", lat_s, lon_s);
        return false;
    }
    if (lat < -90 || lat > 90) {
        err_set(e, "lat: %s is out of range (-90 to 90)", lat_s);
        return false;
    }
    if (lon < -180 || lon > 180) {
        err_set(e, "lon: %s is out of range (-180 to 180)", lon_s);
        return false;
    }
    if (t == GEO_OUTSIDE_VN) {
        err_set(e, "lat: %s and lon: %s are outside Viet Nam's territory%s", lat_s, lon_s,
                lat == 0 && lon == 0 ? " (0,0 usually means the position is missing)" : "");
        return false;
    }
    return true;
}

bool validate_bool(const char *col, const char *s, bool *out, struct err *e)
{
    if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0) {
        *out = false;
        return true;
    }
    err_set(e, "%s: %s is not a boolean (use true or false)", col, SHOW(s));
    return false;
}

bool validate_date(const char *col, const char *s, struct err *e)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    bool shape = strlen(s) == 10 && s[4] == '-' && s[7] == '-' && strspn(s, DIGITS) == 4 &&
                 strspn(s + 5, DIGITS) == 2 && strspn(s + 8, DIGITS) == 2;
    if (!shape) {
        err_set(e, "%s: %s is not a date in the form YYYY-MM-DD", col, SHOW(s));
        return false;
    }
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int dmax = m >= 1 && m <= 12 ? days[m - 1] + (m == 2 && leap) : 0;
    if (y < 1900 || y > 2999 || d < 1 || d > dmax) {
        err_set(e, "%s: %s is not a valid date (YYYY-MM-DD)", col, SHOW(s));
        return false;
    }
    return true;
}

static const char WORD_CHARS[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

bool validate_source(const char *s, struct err *e)
{
    if (all_of(s, WORD_CHARS, 1, 32))
        return true;
    err_set(e,
            "source: %s is not a short word (1-32 of A-Z a-z 0-9 . _ -, e.g. official, "
            "sample, osm)",
            SHOW(s));
    return false;
}

/* Expected code length of an admin unit per level (index = enum validate_level). */
static const size_t ADMIN_LEN[] = {0, 2, 3, 5};

bool validate_admin_code(const char *code, int level, struct err *e)
{
    size_t n = strlen(code);
    if (!all_of(code, DIGITS, 2, 5) || n == 4) {
        err_set(e,
                "code: %s is not a GSO code (2 digits for a province, 3 for a district, 5 "
                "for a ward)",
                SHOW(code));
        return false;
    }
    if (level >= VALIDATE_PROVINCE && level <= VALIDATE_WARD && n != ADMIN_LEN[level]) {
        err_set(e, "code: %s has %zu digits but level is %s (a %s code has %zu digits)", SHOW(code),
                n, validate_level_name(level), validate_level_name(level), ADMIN_LEN[level]);
        return false;
    }
    return true;
}

bool validate_admin_parent(int level, const char *parent, bool parent_found, int parent_level,
                           struct err *e)
{
    if (level == VALIDATE_PROVINCE) {
        if (*parent == '\0')
            return true;
        err_set(e, "parent_code: a province has no parent, found %s", SHOW(parent));
        return false;
    }
    if (level != VALIDATE_DISTRICT && level != VALIDATE_WARD)
        return true; /* the level itself was reported */
    const char *up = validate_level_name(level - 1);
    if (*parent == '\0') {
        err_set(e, "parent_code: is empty; a %s needs its %s", validate_level_name(level), up);
        return false;
    }
    if (!parent_found) {
        err_set(e, "parent_code: %s is not a %s in admin_units.csv", SHOW(parent), up);
        return false;
    }
    if (parent_level != VALIDATE_LEVEL_UNKNOWN && parent_level != level - 1) {
        err_set(e, "parent_code: %s is a %s, but a %s's parent must be a %s", SHOW(parent),
                validate_level_name(parent_level), validate_level_name(level), up);
        return false;
    }
    return true;
}

bool validate_office_code(const char *code, int level, const char *parent, struct err *e)
{
    size_t n = strlen(code);
    if (!all_of(code, DIGITS, 3, 5) || n == 4) {
        err_set(e,
                "code: %s is not an office code (3 digits for a province office, 5 for a "
                "district office)",
                SHOW(code));
        return false;
    }
    if (level == VALIDATE_PROVINCE && n != 3) {
        err_set(e,
                "code: %s has %zu digits but level is province (a province office code has "
                "3 digits)",
                SHOW(code), n);
        return false;
    }
    if (level == VALIDATE_DISTRICT && n != 5) {
        err_set(e,
                "code: %s has %zu digits but level is district (a district office code has "
                "5 digits)",
                SHOW(code), n);
        return false;
    }
    if (level == VALIDATE_DISTRICT && *parent && strncmp(code, parent, strlen(parent)) != 0) {
        err_set(e, "code: %s does not start with its parent office's code %s", SHOW(code),
                SHOW(parent));
        return false;
    }
    return true;
}

bool validate_office_parent(int level, const char *parent, struct err *e)
{
    if (level == VALIDATE_PROVINCE && *parent != '\0') {
        err_set(e, "parent_code: a province office has no parent office, found %s", SHOW(parent));
        return false;
    }
    if (level == VALIDATE_DISTRICT && *parent == '\0') {
        err_set(e, "parent_code: is empty; a district office needs its province office");
        return false;
    }
    return true;
}

bool validate_agent_code(const char *code, struct err *e)
{
    if (all_of(code, WORD_CHARS, 1, 40))
        return true;
    err_set(e, "code: %s is not an agent code (1-40 characters of A-Z a-z 0-9 . _ -)", SHOW(code));
    return false;
}

static const char UPPER_DIGITS[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

bool validate_facility_code(const char *code, const struct codeset *admin, struct err *e)
{
    if (strlen(code) != 5 || strspn(code, DIGITS) < 2 || strspn(code + 2, UPPER_DIGITS) != 3) {
        err_set(e,
                "code: %s is not a facility code (5 characters: a 2-digit province code "
                "then 3 of 0-9 A-Z, e.g. 91001 or 01C51)",
                SHOW(code));
        return false;
    }
    char prov[3] = {code[0], code[1], '\0'};
    if (admin == NULL || strcmp(prov, "97") == 0 || strcmp(prov, "98") == 0)
        return true;
    const struct codeset_entry *u = codeset_get(admin, prov);
    if (u && u->tag == VALIDATE_PROVINCE)
        return true;
    err_set(e,
            "code: %s starts with %s, which is not a province in admin_units.csv (nor 97 "
            "Ministry of Defence or 98 Ministry of Public Security)",
            SHOW(code), prov);
    return false;
}

bool validate_admin_ref(const char *col, const char *code, int level, const struct codeset *admin,
                        struct err *e)
{
    if (admin == NULL)
        return true;
    const struct codeset_entry *u = codeset_get(admin, code);
    if (u == NULL) {
        err_set(e, "%s: %s is not in admin_units.csv", col, SHOW(code));
        return false;
    }
    if (u->tag != VALIDATE_LEVEL_UNKNOWN && u->tag != level) {
        err_set(e, "%s: %s is a %s in admin_units.csv, not a %s", col, SHOW(code),
                validate_level_name(u->tag), validate_level_name(level));
        return false;
    }
    return true;
}

bool validate_office_ref(const char *col, const char *code, int want_level,
                         const struct codeset *offices, struct err *e)
{
    if (offices == NULL)
        return true;
    const struct codeset_entry *o = codeset_get(offices, code);
    if (o == NULL) {
        err_set(e, "%s: %s is not an office in offices.csv", col, SHOW(code));
        return false;
    }
    if (want_level != VALIDATE_LEVEL_UNKNOWN && o->tag != VALIDATE_LEVEL_UNKNOWN &&
        o->tag != want_level) {
        err_set(e, "%s: %s is a %s office, not a %s office", col, SHOW(code),
                validate_level_name(o->tag), validate_level_name(want_level));
        return false;
    }
    return true;
}
