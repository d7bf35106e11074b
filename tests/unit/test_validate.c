/*
 * Unit tests for import/validate: each rule with a good and a bad value, and
 * the wording of the messages (they name the column and the value).
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "import/validate.h"

static struct err e;

/* The message contains want. */
static bool says(const char *want)
{
    return strstr(e.msg, want) != NULL;
}

#define BAD(call, want)                                                                            \
    do {                                                                                           \
        e.msg[0] = '\0';                                                                           \
        bool ok_ = (call);                                                                         \
        CHECKF(!ok_ && says(want), "%s: got ok=%d msg '%s', want '%s'", #call, ok_, e.msg, want);  \
    } while (0)
#define GOOD(call) CHECKF((call), "%s: rejected: %s", #call, e.msg)

static void test_numbers(void)
{
    double d = 0;
    GOOD(validate_number("lat", "10.0125", &d, &e));
    CHECK(d == 10.0125);
    GOOD(validate_number("lon", "-105", &d, &e));
    CHECK(d == -105);
    GOOD(validate_number("lat", "+.5", &d, &e));
    GOOD(validate_number("lat", "5.", &d, &e));
    GOOD(validate_number("lat", "1e1", &d, &e));
    CHECK(d == 10);
    BAD(validate_number("lat", "10,38", &d, &e),
        "lat: \"10,38\" is not a number (use a dot as decimal separator)");
    BAD(validate_number("lat", "1e999", &d, &e), "lat: \"1e999\" is out of range");
    BAD(validate_number("lat", "nan", &d, &e), "lat: \"nan\" is not a number");
    BAD(validate_number("lat", "NaN", &d, &e), "finite");
    BAD(validate_number("lat", "inf", &d, &e), "\"inf\" is not a number");
    BAD(validate_number("lat", " ", &d, &e), "lat: \" \" is not a number");
    BAD(validate_number("lat", "", &d, &e), "lat: \"\" is not a number");
    BAD(validate_number("lon", "0x10", &d, &e), "lon: \"0x10\" is not a number");
    BAD(validate_number("lon", "10.5.1", &d, &e), "is not a number");
    BAD(validate_number("lon", "10 5", &d, &e), "is not a number");
    BAD(validate_number("lon", "1e", &d, &e), "is not a number");
    BAD(validate_number("lon", ".", &d, &e), "is not a number");
    BAD(validate_number("lon", "-", &d, &e), "is not a number");
    BAD(validate_number("lat",
                        "10\xC2\xB0"
                        "01'",
                        &d, &e),
        "decimal degrees");
}

static void test_position(void)
{
    GOOD(validate_position("10.0125", "105.0809", 10.0125, 105.0809, &e));
    GOOD(validate_position("9.30", "103.48", 9.30, 103.48, &e)); /* Thổ Chu */
    BAD(validate_position("105.09", "9.97", 105.09, 9.97, &e),
        "lat: 105.09 and lon: 9.97 look swapped");
    BAD(validate_position("95", "105", 95, 105, &e), "lat: 95 is out of range (-90 to 90)");
    BAD(validate_position("10", "190", 10, 190, &e), "lon: 190 is out of range (-180 to 180)");
    BAD(validate_position("13.75", "100.5", 13.75, 100.5, &e),
        "lat: 13.75 and lon: 100.5 are outside Viet Nam's territory");
    BAD(validate_position("0", "0", 0, 0, &e), "position is missing");
}

static void test_simple(void)
{
    bool b = false;
    static const char *const levels[] = {"province", "district", NULL};

    GOOD(validate_required("name", "x", &e));
    BAD(validate_required("name", "", &e), "name: is required but empty");
    CHECK(validate_enum("level", "district", levels, &e) == 1);
    CHECK(validate_enum("level", "tinh", levels, &e) == -1);
    CHECKF(says("level: \"tinh\" is not one of: province, district"), "%s", e.msg);
    CHECK(validate_enum("level", "Province", levels, &e) == -1); /* exact */

    GOOD(validate_bool("position_approx", "TRUE", &b, &e) && b);
    GOOD(validate_bool("position_approx", "0", &b, &e) && !b);
    GOOD(validate_bool("position_approx", "False", &b, &e) && !b);
    GOOD(validate_bool("position_approx", "1", &b, &e) && b);
    BAD(validate_bool("position_approx", "yes", &b, &e),
        "position_approx: \"yes\" is not a boolean (use true or false)");

    GOOD(validate_date("updated", "2025-07-01", &e));
    GOOD(validate_date("updated", "2024-02-29", &e));
    BAD(validate_date("updated", "2025-02-29", &e), "updated: \"2025-02-29\" is not a valid date");
    BAD(validate_date("updated", "2025-13-01", &e), "not a valid date");
    BAD(validate_date("updated", "2025-04-31", &e), "not a valid date");
    BAD(validate_date("updated", "1900-02-29", &e), "not a valid date");
    BAD(validate_date("updated", "01/07/2025", &e), "not a date in the form YYYY-MM-DD");
    BAD(validate_date("updated", "2025-7-1", &e), "YYYY-MM-DD");

    GOOD(validate_source("official", &e));
    GOOD(validate_source("osm", &e));
    BAD(validate_source("Sở Y tế", &e), "source: \"Sở Y tế\" is not a short word");
    BAD(validate_source("a b", &e), "not a short word");
}

static void test_codes(void)
{
    GOOD(validate_admin_code("91", VALIDATE_PROVINCE, &e));
    GOOD(validate_admin_code("899", VALIDATE_DISTRICT, &e));
    GOOD(validate_admin_code("30730", VALIDATE_WARD, &e));
    GOOD(validate_admin_code("30730", VALIDATE_LEVEL_UNKNOWN, &e));
    BAD(validate_admin_code("9", VALIDATE_PROVINCE, &e), "code: \"9\" is not a GSO code");
    BAD(validate_admin_code("9100", VALIDATE_LEVEL_UNKNOWN, &e), "is not a GSO code");
    BAD(validate_admin_code("9a", VALIDATE_PROVINCE, &e), "is not a GSO code");
    BAD(validate_admin_code("899", VALIDATE_PROVINCE, &e),
        "code: \"899\" has 3 digits but level is province");

    GOOD(validate_office_code("091", VALIDATE_PROVINCE, "", &e));
    GOOD(validate_office_code("09102", VALIDATE_DISTRICT, "091", &e));
    BAD(validate_office_code("9102", VALIDATE_DISTRICT, "091", &e),
        "code: \"9102\" is not an office code (3 digits for a province office, 5 for a "
        "district office)");
    BAD(validate_office_code("09102", VALIDATE_PROVINCE, "", &e),
        "has 5 digits but level is province");
    BAD(validate_office_code("091", VALIDATE_DISTRICT, "091", &e),
        "has 3 digits but level is district");
    BAD(validate_office_code("09202", VALIDATE_DISTRICT, "091", &e),
        "code: \"09202\" does not start with its parent office's code \"091\"");
    BAD(validate_office_code("O91", VALIDATE_PROVINCE, "", &e), "is not an office code");
    GOOD(validate_office_parent(VALIDATE_PROVINCE, "", &e));
    GOOD(validate_office_parent(VALIDATE_DISTRICT, "091", &e));
    BAD(validate_office_parent(VALIDATE_PROVINCE, "001", &e),
        "parent_code: a province office has no parent office, found \"001\"");
    BAD(validate_office_parent(VALIDATE_DISTRICT, "", &e), "a district office needs");

    GOOD(validate_agent_code("DL-091.001_a", &e));
    GOOD(validate_agent_code("x", &e));
    BAD(validate_agent_code("ĐL 01", &e), "code: \"ĐL 01\" is not an agent code");
    BAD(validate_agent_code("a b", &e), "is not an agent code");
    BAD(validate_agent_code("12345678901234567890123456789012345678901", &e),
        "is not an agent code");
    GOOD(validate_agent_code("1234567890123456789012345678901234567890", &e));
}

static void test_refs(void)
{
    struct codeset *admin = codeset_new(), *offices = codeset_new();
    codeset_add(admin, "01", 2, VALIDATE_PROVINCE, NULL);
    codeset_add(admin, "91", 3, VALIDATE_PROVINCE, NULL);
    codeset_add(admin, "899", 4, VALIDATE_DISTRICT, NULL);
    codeset_add(admin, "30730", 5, VALIDATE_WARD, NULL);
    codeset_add(offices, "091", 2, VALIDATE_PROVINCE, NULL);
    codeset_add(offices, "09102", 3, VALIDATE_DISTRICT, NULL);

    GOOD(validate_facility_code("91001", admin, &e));
    GOOD(validate_facility_code("01C51", admin, &e));
    GOOD(validate_facility_code("97123", admin, &e));
    GOOD(validate_facility_code("98ABC", admin, &e));
    GOOD(validate_facility_code("55001", NULL, &e)); /* admin unknown: shape only */
    BAD(validate_facility_code("9100", admin, &e), "code: \"9100\" is not a facility code");
    BAD(validate_facility_code("01c51", admin, &e), "is not a facility code");
    BAD(validate_facility_code("A1001", admin, &e), "is not a facility code");
    BAD(validate_facility_code("910011", admin, &e), "is not a facility code");
    BAD(validate_facility_code("55001", admin, &e),
        "code: \"55001\" starts with 55, which is not a province in admin_units.csv");
    BAD(validate_facility_code("89901", admin, &e), "starts with 89"); /* 899 is a district */

    GOOD(validate_admin_ref("province_code", "91", VALIDATE_PROVINCE, admin, &e));
    GOOD(validate_admin_ref("ward_code", "30730", VALIDATE_WARD, admin, &e));
    GOOD(validate_admin_ref("ward_code", "99999", VALIDATE_WARD, NULL, &e));
    BAD(validate_admin_ref("ward_code", "99999", VALIDATE_WARD, admin, &e),
        "ward_code: \"99999\" is not in admin_units.csv");
    BAD(validate_admin_ref("province_code", "899", VALIDATE_PROVINCE, admin, &e),
        "province_code: \"899\" is a district in admin_units.csv, not a province");

    GOOD(validate_office_ref("parent_code", "09102", 0, offices, &e));
    GOOD(validate_office_ref("parent_code", "091", VALIDATE_PROVINCE, offices, &e));
    BAD(validate_office_ref("parent_code", "092", 0, offices, &e),
        "parent_code: \"092\" is not an office in offices.csv");
    BAD(validate_office_ref("parent_code", "09102", VALIDATE_PROVINCE, offices, &e),
        "\"09102\" is a district office, not a province office");

    GOOD(validate_admin_parent(VALIDATE_PROVINCE, "", false, 0, &e));
    GOOD(validate_admin_parent(VALIDATE_DISTRICT, "91", true, VALIDATE_PROVINCE, &e));
    BAD(validate_admin_parent(VALIDATE_PROVINCE, "91", true, VALIDATE_PROVINCE, &e),
        "parent_code: a province has no parent, found \"91\"");
    BAD(validate_admin_parent(VALIDATE_WARD, "", false, 0, &e), "a ward needs its district");
    BAD(validate_admin_parent(VALIDATE_WARD, "898", false, 0, &e),
        "parent_code: \"898\" is not a district in admin_units.csv");
    BAD(validate_admin_parent(VALIDATE_WARD, "91", true, VALIDATE_PROVINCE, &e),
        "\"91\" is a province, but a ward's parent must be a district");

    validate_duplicate("91001", 7, &e);
    CHECKF(says("code: \"91001\" is a duplicate of line 7"), "%s", e.msg);
    codeset_free(admin);
    codeset_free(offices);
}

static void test_codeset(void)
{
    struct codeset *s = codeset_new();
    const struct codeset_entry *first = NULL;
    char code[16];
    int added = 0;
    for (int i = 0; i < 100000; i++) {
        snprintf(code, sizeof code, "A%d", i);
        added += codeset_add(s, code, (unsigned long)i + 2, i % 3, NULL);
    }
    CHECK(added == 100000 && codeset_count(s) == 100000);
    CHECK(codeset_add(s, "A500", 9, 0, &first) == 0 && first && first->line == 502);
    CHECK(codeset_get(s, "A99999") && codeset_get(s, "A99999")->tag == 99999 % 3);
    CHECK(codeset_get(s, "A100000") == NULL);
    codeset_free(s);
}

int main(void)
{
    test_numbers();
    test_position();
    test_simple();
    test_codes();
    test_refs();
    test_codeset();
    return harness_done();
}
