/*
 * Unit tests for import/import: whole imports from fixture directories in a
 * temporary directory. Good data -> a release database with the right rows
 * and release metadata; bad data -> exit 1, every problem as FILE:LINE:
 * COLUMN: reason, the old output untouched and no temporary file left.
 */
#include <dirent.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "import/import.h"
#include "store/db.h"
#include "store/schema.h"

static char base[] = "/tmp/bhxh-import-test-XXXXXX";
static char *log_text;

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECKF(f != NULL, "cannot write %s", path);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static const char *mkdir_in(const char *name)
{
    static char path[8][512];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", base, name);
    mkdir(p, 0700);
    return p;
}

/* Runs an import, capturing the log in log_text; returns import_run's result. */
static int run(const char *dir, const char *out, unsigned max_errors)
{
    size_t len;
    free(log_text);
    FILE *log = open_memstream(&log_text, &len);
    struct import_opts o = {.data_dir = dir, .out_path = out, .max_errors = max_errors};
    int rc = import_run(&o, log);
    fclose(log);
    if (getenv("TEST_VERBOSE"))
        fprintf(stderr, "--- import %s -> %d\n%s", dir, rc, log_text);
    return rc;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* log_text has a line starting with "DIR/" + want (want includes file:line: ...). */
static bool logged(const char *dir, const char *want)
{
    char needle[1024];
    snprintf(needle, sizeof needle, "%s/%s", dir, want);
    return strstr(log_text, needle) != NULL;
}

#define LOGGED(dir, want) CHECKF(logged(dir, want), "missing in log: %s\nlog:\n%s", want, log_text)

/* Entries of dir whose name contains part. */
static int entries_with(const char *dir, const char *part)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strstr(de->d_name, part) != NULL;
    if (d)
        closedir(d);
    return n;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* ---- good data ---- */

static const char GOOD_ADMIN[] =
    "\xEF\xBB\xBF"
    "code,name,type,level,parent_code\r\n"
    "91,Tỉnh Kiên Giang,Tỉnh,province,\r\n"
    "30730,Phường Vĩnh Thanh Vân,Phường,ward,899\r\n" /* parent further down */
    "899,Thành phố Rạch Giá,Thành phố,district,91\r\n"
    "01,Thành phố Hà Nội,Thành phố Trung ương,province,\r\n";

static const char GOOD_OFFICES[] =
    "code,name,level,parent_code,address,province_code,lat,lon,source,updated\n"
    "09102,BHXH TP Hà Tiên,district,091,\"Số 1, Đường \"\"A\"\"\nPhường Đông Hồ\",91,10.38,"
    "104.49,official,2025-01-15\n"
    "091,BHXH Tỉnh Kiên Giang,province,,,91,10.0125,105.0809,official,\n";

static const char GOOD_AGENTS[] =
    "code,name,parent_code,agent_type,lat,lon,position_approx,source\n"
    "DL-001,Bưu điện Rạch Giá,09102,bưu điện,10.01,105.08,TRUE,sample\n"
    "DL-002,UBND xã Thổ Châu,,UBND xã,9.30,103.48,0,sample";

static const char GOOD_FACILITIES[] =
    "code,name,parent_code,level,facility_class,ownership,accepts_initial_registration,lat,lon,"
    "source,ward_code,district_code,province_code\n"
    "  91001 ,Bệnh viện Đa khoa Kiên Giang,091,province,1,public,true,10.0,105.09,official,"
    "30730,899,91\n"
    "01C51,Trạm y tế phường,,commune,,,false,21.03,105.85,sample,,,01\n"
    "97001,Bệnh xá đảo Trường Sa,,,,,,8.645,111.92,sample,,,\n\n";

static void write_good(const char *dir)
{
    write_file(dir, "admin_units.csv", GOOD_ADMIN);
    write_file(dir, "offices.csv", GOOD_OFFICES);
    write_file(dir, "agents.csv", GOOD_AGENTS);
    write_file(dir, "facilities.csv", GOOD_FACILITIES);
}

static long long query_int(struct store_db *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db_handle(db), sql, -1, &st, NULL) != SQLITE_OK) {
        CHECKF(false, "%s: %s", sql, sqlite3_errmsg(store_db_handle(db)));
        return -1;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void query_text(struct store_db *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *st;
    out[0] = '\0';
    if (sqlite3_prepare_v2(store_db_handle(db), sql, -1, &st, NULL) != SQLITE_OK) {
        CHECKF(false, "%s: %s", sql, sqlite3_errmsg(store_db_handle(db)));
        return;
    }
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

#define Q_INT(sql, want)                                                                           \
    do {                                                                                           \
        long long got_ = query_int(db, sql);                                                       \
        CHECKF(got_ == (want), "%s: got %lld, want %lld", sql, got_, (long long)(want));           \
    } while (0)
#define Q_TEXT(sql, want)                                                                          \
    do {                                                                                           \
        char got_[512];                                                                            \
        query_text(db, sql, got_, sizeof got_);                                                    \
        CHECKF(strcmp(got_, want) == 0, "%s: got '%s', want '%s'", sql, got_, want);               \
    } while (0)

static void hex(char *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* The release id expected for the good fixture built at SOURCE_DATE_EPOCH=1700000000. */
static void expected_id(char *out, size_t n)
{
    const char *texts[] = {GOOD_ADMIN, GOOD_OFFICES, GOOD_AGENTS, GOOD_FACILITIES};
    unsigned char digests[4][SHA256_DIGEST_SIZE], all[SHA256_DIGEST_SIZE];
    char h[2 * SHA256_DIGEST_SIZE + 1];
    struct sha256_ctx c;
    for (int i = 0; i < 4; i++) {
        sha256_init(&c);
        sha256_update(&c, strlen(texts[i]), (const uint8_t *)texts[i]);
        sha256_digest(&c, SHA256_DIGEST_SIZE, digests[i]);
    }
    sha256_init(&c);
    sha256_update(&c, sizeof digests, &digests[0][0]);
    sha256_digest(&c, SHA256_DIGEST_SIZE, all);
    hex(h, all, sizeof all);
    snprintf(out, n, "20231114T221320Z-%.8s", h);
}

static void check_good_db(const char *out)
{
    char want[128], sql[256];
    struct err e;
    struct store_db *db = store_db_open(out, true, &e);
    CHECKF(db != NULL, "open %s: %s", out, e.msg);
    if (db == NULL)
        return;
    Q_INT("SELECT count(*) FROM admin_units", 4);
    Q_INT("SELECT count(*) FROM admin_units WHERE parent_code IS NULL", 2);
    Q_TEXT("SELECT name FROM admin_units WHERE code = '30730'", "Phường Vĩnh Thanh Vân");
    Q_INT("SELECT count(*) FROM places WHERE kind = 'office'", 2);
    Q_INT("SELECT count(*) FROM places WHERE kind = 'agent'", 2);
    Q_INT("SELECT count(*) FROM places WHERE kind = 'facility'", 3);
    Q_TEXT("SELECT address FROM places WHERE code = '09102'", "Số 1, Đường \"A\"\nPhường Đông Hồ");
    Q_INT("SELECT src_line FROM places WHERE code = '091'", 4); /* after a 2-line record */
    Q_TEXT("SELECT src_file FROM places WHERE code = '091'", "offices.csv");
    Q_INT("SELECT count(*) FROM places WHERE kind = 'facility' AND code = '91001'",
          1); /* trimmed */
    Q_INT("SELECT accepts_initial_registration FROM places WHERE code = '91001'", 1);
    Q_INT("SELECT accepts_initial_registration FROM places WHERE code = '01C51'", 0);
    Q_INT("SELECT accepts_initial_registration IS NULL FROM places WHERE code = '97001'", 1);
    Q_INT("SELECT position_approx FROM places WHERE code = 'DL-001'", 1);
    Q_INT("SELECT parent_code IS NULL AND level IS NULL FROM places WHERE code = 'DL-002'", 1);
    Q_INT("SELECT abs(ST_X(geom) - 105.09) < 1e-9 AND abs(ST_Y(geom) - 10.0) < 1e-9"
          " AND ST_SRID(geom) = 4326 FROM places WHERE code = '91001'",
          1);
    Q_INT("SELECT count(*) FROM release", 1);
    expected_id(want, sizeof want);
    Q_TEXT("SELECT id FROM release", want);
    Q_TEXT("SELECT built_at FROM release", "2023-11-14T22:13:20Z");
    Q_INT("SELECT schema_version FROM release", STORE_SCHEMA_VERSION);
    Q_INT("SELECT generator LIKE 'bhxh-geo %' FROM release", 1);
    Q_INT("SELECT count(*) FROM release_sources", 4);
    Q_INT("SELECT rows FROM release_sources WHERE file = 'offices.csv'", 2);
    Q_INT("SELECT rows FROM release_sources WHERE file = 'facilities.csv'", 3);
    snprintf(sql, sizeof sql, "SELECT bytes FROM release_sources WHERE file = 'agents.csv'");
    Q_INT(sql, (long long)strlen(GOOD_AGENTS));
    unsigned char d[SHA256_DIGEST_SIZE];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, strlen(GOOD_ADMIN), (const uint8_t *)GOOD_ADMIN);
    sha256_digest(&c, sizeof d, d);
    hex(want, d, sizeof d);
    Q_TEXT("SELECT sha256 FROM release_sources WHERE file = 'admin_units.csv'", want);
    Q_INT("SELECT count(*) FROM geometry_columns WHERE f_table_name = 'places'", 1);
    /* The geometry built in C is MakePoint()'s, SpatiaLite's triggers are back, the packed
       spatial index is sound and holds every place, places_fts has its default settings. */
    Q_INT("SELECT count(*) FROM places WHERE geom = MakePoint(lon, lat, 4326)"
          " AND GeometryConstraints(geom, 1, 4326) = 1",
          7);
    Q_INT("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'places'", 8);
    Q_TEXT("SELECT rtreecheck('idx_places_geom')", "ok");
    Q_INT("SELECT count(*) FROM idx_places_geom i JOIN places p ON p.id = i.pkid"
          " WHERE i.xmin <= p.lon AND p.lon <= i.xmax AND i.ymin <= p.lat AND p.lat <= i.ymax",
          7);
    Q_TEXT("SELECT group_concat(k) FROM places_fts_config", "version");
    /*
     * places_fts: folded name and address, abbreviations expanded, under the
     * place's search rowid (kind rank, words of the name, places.id).
     */
#define FTS_CODE                                                                                   \
    "SELECT group_concat(p.code) FROM places_fts f JOIN places p ON p.id = (f.rowid & 4294967295)"
    Q_INT("SELECT count(*) FROM places_fts", 7);
    /* Words only (detail=none): no phrases, no column filters. */
    Q_TEXT(FTS_CODE " WHERE places_fts MATCH 'benh AND vien AND da AND khoa AND kien AND giang'",
           "91001");
    /* Address words carry U+E001, so they are terms of their own (store/schema.h). */
#define ADDR "\xee\x80\x81"
    Q_TEXT(FTS_CODE " WHERE places_fts MATCH '\"" ADDR "duong\" AND \"" ADDR "a\" AND \"" ADDR
                    "phuong\" AND \"" ADDR "dong\" AND \"" ADDR "ho\"'",
           "09102");
#undef ADDR
    Q_INT("SELECT count(*) FROM places_fts WHERE places_fts MATCH 'duong'", 0);
    Q_TEXT(FTS_CODE " WHERE places_fts MATCH 'tp AND thanh AND pho AND ha AND tien AND bhxh'",
           "09102");
    Q_INT("SELECT count(*) FROM places_fts WHERE places_fts MATCH 'bao AND hiem AND xa AND hoi'", 2);
    Q_INT("SELECT count(*) FROM places_fts f JOIN places p ON p.id = (f.rowid & 4294967295)"
          " AND f.rowid >> 32 = (CASE p.kind WHEN 'office' THEN 0 WHEN 'facility' THEN 256"
          " ELSE 512 END) + length(p.name) - length(replace(p.name, ' ', '')) + 1",
          7);
    /* The province tag finds exactly the places of province 91 (both offices, 91001). */
    Q_TEXT("SELECT group_concat(code, ' ') FROM (SELECT p.code FROM places_fts f"
           " JOIN places p ON p.id = (f.rowid & 4294967295)"
           " WHERE places_fts MATCH '\"\xee\x80\x82" "91\"' ORDER BY p.code)",
           "091 09102 91001");
#undef FTS_CODE
    store_db_close(db);
}

static void test_good(void)
{
    const char *dir = mkdir_in("good");
    const char *outdir = mkdir_in("out");
    char out[512];
    snprintf(out, sizeof out, "%s/release.sqlite", outdir);
    write_good(dir);

    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    int rc = run(dir, out, 0);
    CHECKF(rc == 0, "good import: rc %d, log:\n%s", rc, log_text);
    CHECKF(log_text[0] == '\0', "nothing printed on success: %s", log_text);
    check_good_db(out);
    CHECK(entries_with(outdir, ".tmp-") == 0);

    /* Again over the existing file (data dir given with a trailing slash): replaced, same id. */
    char dir_slash[520];
    snprintf(dir_slash, sizeof dir_slash, "%s/", dir);
    rc = run(dir_slash, out, 0);
    CHECKF(rc == 0, "re-import: rc %d, log:\n%s", rc, log_text);
    check_good_db(out);
    CHECK(entries_with(outdir, ".tmp-") == 0);
}

/* ---- bad data ---- */

static const char BAD_ADMIN[] = "code,name,type,level,parent_code\n"
                                "91,Tỉnh Kiên Giang,Tỉnh,province,\n"
                                "899,Thành phố Rạch Giá,Thành phố,district,91\n"
                                "91,Tỉnh Kiên Giang lặp,Tỉnh,province,\n"
                                "30730,Phường X,Phường,ward,898\n"
                                "9,Bad,,province,\n";

static const char BAD_OFFICES[] = "code,name,level,parent_code,lat,lon,source\n"
                                  "091,BHXH Tỉnh Kiên Giang,province,,10.0125,105.0809,official\n"
                                  "9102,BHXH X,district,091,10.38,104.49,official\n"
                                  "09103,BHXH Y,provincial,091,10.38,104.49,official\n"
                                  "09904,BHXH Z,district,099,10.38,104.49,official\n";

static const char BAD_AGENTS[] = "code,name,parent_code,lat,lon,source,colour\n"
                                 "DL 1,Đại lý,091,10.0,105.0,sample,red\n"
                                 "DL2,Đại lý,092,10.0,105.0,sample,red\n"
                                 "DL3,,091,10.0,105.0,sample,red\n";

static const char BAD_FACILITIES[] = "code,name,parent_code,lat,lon,source\n"
                                     "91001,BV A,,\"10,38\",105.09,official\n"
                                     "91002,BV B,,105.09,9.97,official\n"
                                     "91003,Ki\xEAn Giang,,10.0,105.0,official\n"
                                     "91001,BV A again,,10.0,105.0,official\n"
                                     "55001,BV C,,10.0,105.0,official\n"
                                     "91004,BV D,,10.0,105.0,Sở Y tế\n";

static const char OLD_RELEASE[] = "OLD RELEASE, must survive a failed import\n";

static void test_bad(void)
{
    const char *dir = mkdir_in("bad");
    const char *outdir = mkdir_in("out-bad");
    char out[512];
    snprintf(out, sizeof out, "%s/release.sqlite", outdir);
    write_file(dir, "admin_units.csv", BAD_ADMIN);
    write_file(dir, "offices.csv", BAD_OFFICES);
    write_file(dir, "agents.csv", BAD_AGENTS);
    write_file(dir, "facilities.csv", BAD_FACILITIES);
    write_file(outdir, "release.sqlite", OLD_RELEASE);

    int rc = run(dir, out, 0);
    CHECKF(rc == 1, "bad import: rc %d", rc);
    LOGGED(dir, "admin_units.csv:4: code: \"91\" is a duplicate of line 2\n");
    LOGGED(dir, "admin_units.csv:5: parent_code: \"898\" is not a district in admin_units.csv\n");
    LOGGED(dir, "admin_units.csv:6: code: \"9\" is not a GSO code");
    LOGGED(dir, "offices.csv:3: code: \"9102\" is not an office code (3 digits for a province "
                "office, 5 for a district office)\n");
    LOGGED(dir, "offices.csv:4: level: \"provincial\" is not one of: province, district\n");
    LOGGED(dir, "offices.csv:5: parent_code: \"099\" is not an office in offices.csv\n");
    LOGGED(dir, "agents.csv:1: colour: unknown column (rename it as in docs/data-format.md, or "
                "map it with --columns)\n");
    LOGGED(dir, "agents.csv:2: code: \"DL 1\" is not an agent code");
    LOGGED(dir, "agents.csv:3: parent_code: \"092\" is not an office in offices.csv\n");
    LOGGED(dir, "agents.csv:4: name: is required but empty\n");
    LOGGED(dir, "facilities.csv:2: lat: \"10,38\" is not a number (use a dot as decimal "
                "separator)\n");
    LOGGED(dir, "facilities.csv:3: lat: 105.09 and lon: 9.97 look swapped\n");
    LOGGED(dir, "facilities.csv:4: name: invalid UTF-8");
    CHECK(strstr(log_text, "the file must be UTF-8") != NULL);
    LOGGED(dir, "facilities.csv:5: code: \"91001\" is a duplicate of line 2\n");
    LOGGED(dir, "facilities.csv:6: code: \"55001\" starts with 55, which is not a province");
    LOGGED(dir, "facilities.csv:7: source: \"Sở Y tế\" is not a short word");
    CHECKF(count_lines(log_text) == 16, "exactly the 16 problems, got:\n%s", log_text);

    size_t len;
    char *after = read_all(out, &len);
    CHECK(after && len == strlen(OLD_RELEASE) && memcmp(after, OLD_RELEASE, len) == 0);
    free(after);
    CHECK(entries_with(outdir, ".tmp-") == 0);
    CHECK(entries_with(outdir, "journal") == 0);
}

/* Header problems, a missing file, and a fatal CSV error that must not cascade. */
static void test_structure(void)
{
    const char *dir = mkdir_in("structure");
    char out[512];
    snprintf(out, sizeof out, "%s/out.sqlite", dir);
    write_file(dir, "admin_units.csv", GOOD_ADMIN);
    write_file(dir, "offices.csv",
               "code,name,level,parent_code,lat,lon,source\n"
               "091,BHXH,province,,10.0,105.0,official\n"
               "092,\"BHXH open quote,province,,10.0,105.0,official\n"
               "093,BHXH,province,,10.0,105.0,official\n");
    write_file(dir, "agents.csv",
               "code,name,parent_code,lon,source,name\n"
               "DL1,A,091,105.0,sample,B\n");
    int rc = run(dir, out, 0);
    CHECKF(rc == 1, "rc %d", rc);
    LOGGED(dir, "offices.csv:3: unterminated quoted field");
    LOGGED(dir, "agents.csv:1: name: column appears twice (columns 2 and 6)\n");
    LOGGED(dir, "agents.csv:1: lat: required column is missing (lon is there)\n");
    LOGGED(dir, "facilities.csv: file not found");
    CHECKF(count_lines(log_text) == 4, "no cascading errors, got:\n%s", log_text);
    CHECK(access(out, F_OK) != 0);
    CHECK(entries_with(dir, ".tmp-") == 0);

    /* Headers match whatever the case and accents; a near miss is still unknown. */
    write_file(dir, "agents.csv", "code,name,parent_code,Lat,LON,source\n");
    rc = run(dir, out, 0);
    CHECKF(!logged(dir, "agents.csv:1:"), "Lat and LON are lat and lon:\n%s", log_text);
    write_file(dir, "agents.csv", "code,name,parent_code,Latt,lon,source\n");
    rc = run(dir, out, 0);
    LOGGED(dir, "agents.csv:1: Latt: unknown column");
    LOGGED(dir, "agents.csv:1: lat: required column is missing (lon is there)\n");
}

static void test_cap(void)
{
    const char *dir = mkdir_in("cap");
    char out[512], *fac = malloc(8192);
    size_t o = 0;
    snprintf(out, sizeof out, "%s/out.sqlite", dir);
    write_good(dir);
    o += (size_t)sprintf(fac + o, "code,name,parent_code,lat,lon,source\n");
    for (int i = 0; i < 60; i++)
        o += (size_t)sprintf(fac + o, "91%03d,BV,,\"10,5\",105.0,official\n", i);
    write_file(dir, "facilities.csv", fac);
    free(fac);

    int rc = run(dir, out, 5);
    CHECKF(rc == 1, "rc %d", rc);
    CHECKF(count_lines(log_text) == 6, "5 errors and a summary, got:\n%s", log_text);
    LOGGED(dir, "facilities.csv:6: lat: \"10,5\" is not a number");
    CHECK(!logged(dir, "facilities.csv:7:"));
    CHECKF(strstr(log_text, "\n... and 55 more errors\n") != NULL, "%s", log_text);

    rc = run(dir, out, 0); /* default cap 50 */
    CHECKF(strstr(log_text, "\n... and 10 more errors\n") != NULL, "%s", log_text);
    CHECK(access(out, F_OK) != 0);
}

static void test_failures(void)
{
    const char *dir = mkdir_in("fail");
    char out[512];
    write_good(dir);

    /* The output directory does not exist: an I/O failure, one message, exit 2. */
    snprintf(out, sizeof out, "%s/no/such/dir/out.sqlite", dir);
    int rc = run(dir, out, 0);
    CHECKF(rc == 2, "rc %d", rc);
    CHECKF(count_lines(log_text) == 1, "one message: %s", log_text);

    snprintf(out, sizeof out, "%s/out.sqlite", dir);
    setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
    rc = run(dir, out, 0);
    CHECKF(rc == 2 && strstr(log_text, "SOURCE_DATE_EPOCH"), "rc %d: %s", rc, log_text);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    CHECK(access(out, F_OK) != 0);
}

int main(void)
{
    if (mkdtemp(base) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_good();
    test_bad();
    test_structure();
    test_cap();
    test_failures();
    free(log_text);
    int rc = harness_done();
    if (rc == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", base);
    }
    return rc;
}
