/* Query parameter validation and strict number parsing. */
#include <string.h>

#include "harness.h"
#include "http/paging.h"
#include "http/params.h"
#include "text/utf8.h"

static struct http_params one(const char *key, const char *val)
{
    struct http_params p = {0};
    params_add(&p, key, strlen(key), val, val ? strlen(val) : 0);
    return p;
}

static void number_ok(const char *v, double want)
{
    struct http_params p = one("lat", v);
    struct http_problem pb;
    double got = -999;
    CHECKF(params_double(&p, "lat", -90, 90, true, &got, &pb) == 1 && got == want,
           "\"%s\" should parse as %g", v, want);
}

static void number_bad(const char *v)
{
    struct http_params p = one("lat", v);
    struct http_problem pb = {0};
    double got = -999;
    CHECKF(params_double(&p, "lat", -90, 90, true, &got, &pb) == -1 && got == -999,
           "\"%s\" should be refused", v);
    CHECKF(pb.status == 400 && strcmp(pb.param, "lat") == 0 && strstr(pb.detail, "lat must be"),
           "problem for \"%s\": %u %s %s", v, pb.status, pb.param, pb.detail);
}

int main(void)
{
    number_ok("10.38", 10.38);
    number_ok("-9", -9);
    number_ok("+1.5", 1.5);
    number_ok("1e1", 10);
    number_ok(".5", 0.5);
    number_ok("90", 90);
    const char *bad[] = {"",        " 10",   "10 ",  "0x10", "nan",
                         "NaN",     "inf",   "-inf", "1,5",  "--1",
                         "1e",      ".",     "e5",   "10a",  "1e999",
                         "90.0001", "-90.5", "١٠",   "1e-",  "123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        number_bad(bad[i]);

    /* A value with a NUL byte inside is refused by validation, naming the parameter. */
    static const char *const allowed[] = {"lat", "lon", "limit", NULL};
    struct http_params p = {0};
    struct http_problem pb = {0};
    params_add(&p, "lat", 3, "10\0x", 4);
    CHECK(params_validate(&p, allowed, &pb) == -1 && strstr(pb.detail, "NUL"));

    p = one("foo", "1");
    CHECK(params_validate(&p, allowed, &pb) == -1 && strcmp(pb.param, "foo") == 0 &&
          strstr(pb.detail, "unknown parameter"));

    p = one("lat", "1");
    params_add(&p, "lat", 3, "2", 1);
    CHECK(params_validate(&p, allowed, &pb) == -1 && strstr(pb.detail, "more than once"));

    p = (struct http_params){0};
    for (int i = 0; i < PARAMS_MAX + 1; i++)
        params_add(&p, "lat", 3, "1", 1);
    CHECK(p.overflow && params_validate(&p, allowed, &pb) == -1);

    p = one("lat", "1");
    params_add(&p, "lon", 3, "2", 1);
    CHECK(params_validate(&p, allowed, &pb) == 0);

    /* Missing: an error only when required. */
    double d = 7;
    CHECK(params_double(&p, "radius_m", 1, 10, false, &d, &pb) == 0 && d == 7);
    CHECK(params_double(&p, "radius_m", 1, 10, true, &d, &pb) == -1 &&
          strstr(pb.detail, "required") && strcmp(pb.param, "radius_m") == 0);

    /* Whole numbers. */
    long n = 0;
    p = one("limit", "25");
    CHECK(params_long(&p, "limit", 1, 100, false, &n, &pb) == 1 && n == 25);
    const char *badlong[] = {"0", "101", "-1", "1.0", "", "1e2", "99999999999999999999", " 5"};
    for (size_t i = 0; i < sizeof badlong / sizeof *badlong; i++) {
        p = one("limit", badlong[i]);
        n = -5;
        CHECKF(params_long(&p, "limit", 1, 100, false, &n, &pb) == -1 && n == -5,
               "limit \"%s\" should be refused", badlong[i]);
    }

    /* Quoting keeps UTF-8, escapes other bytes and cuts long values. */
    char q[4 * 40 + 4];
    problem_quote(q, "Ki\xc3\xaan \x01\xff", 8, 40);
    CHECKF(strcmp(q, "Ki\xc3\xaan \\x01\\xFF") == 0, "quoted: %s", q);
    problem_quote(q, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 50, 40);
    CHECK(strlen(q) == 43 && strcmp(q + 40, "...") == 0);

    /* A name cut to fit pb.param never splits a UTF-8 sequence (found by fuzz_params). */
    p = (struct http_params){0};
    params_add(&p,
               "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
               "a\xe1\xbb\x87",
               19, "1", 1);
    CHECK(params_validate(&p, allowed, &pb) == -1 &&
          utf8_validate(pb.param, strlen(pb.param), NULL));
    CHECKF(strlen(pb.param) == 61 && strstr(pb.detail, pb.param), "param: %s", pb.param);

    /* An offset cursor whose number overflows is refused (found by fuzz_params). */
    struct cursor c;
    p = one("cursor", "bzk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk"); /* "o" and 25 nines */
    CHECK(paging_cursor(&p, 'o', &c, &pb) == -1 && strcmp(pb.param, "cursor") == 0);
    p = one("cursor", "bzIw"); /* "o20" */
    CHECK(paging_cursor(&p, 'o', &c, &pb) == 0 && c.offset == 20);
    return harness_done();
}
