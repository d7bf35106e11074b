/* Download header values (http/headers.h) and YAML to JSON (format/yaml_json.h). */
#include <string.h>

#include "format/yaml_json.h"
#include "harness.h"
#include "http/headers.h"

static void range(const char *v, uint64_t size, enum header_range want, uint64_t start,
                  uint64_t len)
{
    uint64_t s = 12345, l = 12345;
    enum header_range got = header_range_parse(v, size, &s, &l);
    CHECKF(got == want, "Range \"%s\" of %llu: got %d, want %d", v ? v : "(null)",
           (unsigned long long)size, got, want);
    if (want == HEADER_RANGE_OK)
        CHECKF(s == start && l == len, "Range \"%s\": [%llu, +%llu), want [%llu, +%llu)", v,
               (unsigned long long)s, (unsigned long long)l, (unsigned long long)start,
               (unsigned long long)len);
}

static void ranges(void)
{
    range("bytes=0-99", 1000, HEADER_RANGE_OK, 0, 100);
    range("bytes=500-", 1000, HEADER_RANGE_OK, 500, 500);
    range("bytes=-100", 1000, HEADER_RANGE_OK, 900, 100);
    range("bytes=-5000", 1000, HEADER_RANGE_OK, 0, 1000);
    range("bytes=990-5000", 1000, HEADER_RANGE_OK, 990, 10);
    range("bytes=999-999", 1000, HEADER_RANGE_OK, 999, 1);
    range("BYTES=1-2", 1000, HEADER_RANGE_OK, 1, 2);
    range("bytes=0-99999999999999999999999", 10, HEADER_RANGE_OK, 0, 10);
    range("bytes=1000-", 1000, HEADER_RANGE_UNSATISFIABLE, 0, 0);
    range("bytes=-0", 1000, HEADER_RANGE_UNSATISFIABLE, 0, 0);
    range("bytes=0-0", 0, HEADER_RANGE_UNSATISFIABLE, 0, 0);
    range("bytes=99999999999999999999999-", 10, HEADER_RANGE_UNSATISFIABLE, 0, 0);
    range(NULL, 1000, HEADER_RANGE_NONE, 0, 0);
    range("bytes=5-3", 1000, HEADER_RANGE_NONE, 0, 0);
    range("bytes=0-1,5-6", 1000, HEADER_RANGE_NONE, 0, 0);
    range("bytes=", 1000, HEADER_RANGE_NONE, 0, 0);
    range("bytes=-", 1000, HEADER_RANGE_NONE, 0, 0);
    range("bytes=a-b", 1000, HEADER_RANGE_NONE, 0, 0);
    range("items=0-1", 1000, HEADER_RANGE_NONE, 0, 0);
    range("bytes=1-2x", 1000, HEADER_RANGE_NONE, 0, 0);
}

static void gzip(void)
{
    CHECK(header_accepts_gzip("gzip"));
    CHECK(header_accepts_gzip("deflate, gzip;q=0.5, br"));
    CHECK(header_accepts_gzip("x-gzip"));
    CHECK(header_accepts_gzip("*"));
    CHECK(header_accepts_gzip("GZIP; q=1"));
    CHECK(!header_accepts_gzip(NULL));
    CHECK(!header_accepts_gzip(""));
    CHECK(!header_accepts_gzip("identity"));
    CHECK(!header_accepts_gzip("gzip;q=0"));
    CHECK(!header_accepts_gzip("gzip;q=0.000, *"));
    CHECK(!header_accepts_gzip("*, gzip;q=0"));
    CHECK(!header_accepts_gzip("br, deflate"));
    CHECK(!header_accepts_gzip("gzipx"));
}

static void dates(void)
{
    char s[40];
    time_t t;
    header_date_format(784111777, s, sizeof s);
    CHECKF(strcmp(s, "Sun, 06 Nov 1994 08:49:37 GMT") == 0, "formatted %s", s);
    CHECK(header_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t) == 0 && t == 784111777);
    CHECK(header_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t) == -1);
    CHECK(header_date_parse("Sun Nov  6 08:49:37 1994", &t) == -1);
    CHECK(header_date_parse("Sun, 06 Nov 1994 08:49:37 GMT junk", &t) == -1);
    CHECK(header_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t) == -1);
    CHECK(header_date_parse(NULL, &t) == -1);
    CHECK(header_iso_parse("1994-11-06T08:49:37Z", &t) == 0 && t == 784111777);
    CHECK(header_iso_parse("1994-11-06T08:49:37", &t) == -1);
    CHECK(header_iso_parse("1994-13-06T08:49:37Z", &t) == -1);
    CHECK(header_iso_parse("1994-11-06T08:49:37Z ", &t) == -1);
}

static void yaml(void)
{
    static const char text[] = "a: 1\n"
                               "b: '091'\n"
                               "c: [true, null, ~, 1.5, -2, 0x10, .5, 1e3, x1, \"2\"]\n"
                               "d: &anchor {k: v}\n"
                               "e: *anchor\n"
                               "f: |\n  two\n  lines\n"
                               "g:\n";
    struct err e = {{0}};
    json_t *v = yaml_json_parse(text, sizeof text - 1, &e);
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    const char *want = "{\"a\":1,\"b\":\"091\",\"c\":[true,null,null,1.5,-2,16,0.5,1000.0,\"x1\","
                       "\"2\"],\"d\":{\"k\":\"v\"},\"e\":{\"k\":\"v\"},\"f\":\"two\\nlines\\n\","
                       "\"g\":null}";
    CHECKF(s && strcmp(s, want) == 0, "YAML as JSON: %s (%s)", s ? s : "NULL", e.msg);
    free(s);
    json_decref(v);
    static const char bad[] = "a: [1, 2\nb: 3\n";
    v = yaml_json_parse(bad, sizeof bad - 1, &e);
    CHECKF(v == NULL && e.msg[0] != '\0', "bad YAML refused: %s", e.msg);
    json_decref(v);
}

int main(void)
{
    ranges();
    gzip();
    dates();
    yaml();
    return harness_done();
}
