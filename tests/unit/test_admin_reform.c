/*
 * Unit tests for the two-version administrative units: the importer's rules
 * for admin_units.csv with a version column and admin_successors.csv, its
 * checks of a place's admin codes (current province and ward, legacy
 * district), and the in-memory table the server builds from the release
 * (store/admin: lookups per version, successors, predecessors, status).
 * Fixtures are small real rows: old Kiên Giang (91) and An Giang (89) went
 * into the new An Giang (91); old TP Rạch Giá (899) into two communes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "import/import.h"
#include "store/admin.h"
#include "store/db.h"

static char base[] = "/tmp/bhxh-admin-test-XXXXXX";
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

static int run(const char *dir, const char *out)
{
    size_t len;
    free(log_text);
    FILE *log = open_memstream(&log_text, &len);
    struct import_opts o = {.data_dir = dir, .out_path = out, .max_errors = 100};
    int rc = import_run(&o, log);
    fclose(log);
    if (getenv("TEST_VERBOSE"))
        fprintf(stderr, "--- import %s -> %d\n%s", dir, rc, log_text);
    return rc;
}

static bool logged(const char *dir, const char *want)
{
    char needle[1024];
    snprintf(needle, sizeof needle, "%s/%s", dir, want);
    return strstr(log_text, needle) != NULL;
}

#define LOGGED(dir, want) CHECKF(logged(dir, want), "missing in log: %s\nlog:\n%s", want, log_text)

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- fixtures ---- */

static const char ADMIN[] =
    "code,name,type,level,parent_code,version\n"
    "89,Tỉnh An Giang,Tỉnh,province,,2025-03\n"
    "91,Tỉnh Kiên Giang,Tỉnh,province,,2025-03\n"
    "30742,Phường Vĩnh Thanh Vân,Phường,ward,899,2025-03\n" /* parent further down */
    "899,Thành phố Rạch Giá,Thành phố,district,91,2025-03\n"
    "30748,Phường An Hòa,Phường,ward,899,2025-03\n"
    "30760,Phường Vĩnh Thông,Phường,ward,899,2025-03\n"
    "883,Thành phố Long Xuyên,Thành phố,district,89,2025-03\n"
    "30280,Phường Mỹ Bình,Phường,ward,883,2025-03\n"
    "01,Thành phố Hà Nội,Thành phố Trung ương,province,,2025-03\n"
    "01,Thành phố Hà Nội,Thành phố Trung ương,province,,2025-07\n"
    "91,Tỉnh An Giang,Tỉnh,province,,2025-07\n"
    "30742,Phường Rạch Giá,Phường,ward,91,2025-07\n" /* no districts: parent is the province */
    "30760,Phường Vĩnh Thông,Phường,ward,91,2025-07\n"
    "30280,Phường Long Xuyên,Phường,ward,91,2025-07\n";

static const char SUCCESSORS[] = "old_code,old_version,new_code,new_version,share,note\n"
                                 "89,2025-03,91,2025-07,full,\n"
                                 "91,2025-03,91,2025-07,full,\n"
                                 "01,2025-03,01,2025-07,full,\n"
                                 "899,2025-03,30742,2025-07,partial,\n"
                                 "899,2025-03,30760,2025-07,partial,\n"
                                 "30742,2025-03,30742,2025-07,full,\n"
                                 "30748,2025-03,30742,2025-07,full,\n"
                                 "30760,2025-03,30760,2025-07,full,\n"
                                 "883,2025-03,30280,2025-07,full,\n"
                                 "30280,2025-03,30280,2025-07,full,a note\n";

/* Current province and ward, legacy district (883 was in 89, which went into 91). */
static const char OFFICES[] =
    "code,name,level,parent_code,province_code,district_code,ward_code,lat,lon,source\n"
    "091,BHXH Tỉnh Kiên Giang,province,,91,899,30742,9.99098,105.1,official\n"
    "09102,BHXH Long Xuyên,district,091,91,883,30280,10.38,105.43,official\n";

static const char AGENTS[] = "code,name,parent_code,lat,lon,source\n";
static const char FACILITIES_NONE[] = "code,name,parent_code,lat,lon,source\n";
static const char FACILITIES[] = "code,name,parent_code,lat,lon,source\n"
                                 "89001,BV An Giang,,10.38,105.43,sample\n";

static void write_good(const char *dir)
{
    write_file(dir, "admin_units.csv", ADMIN);
    write_file(dir, "admin_successors.csv", SUCCESSORS);
    write_file(dir, "offices.csv", OFFICES);
    write_file(dir, "agents.csv", AGENTS);
    write_file(dir, "facilities.csv", FACILITIES);
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

#define Q_INT(sql, want)                                                                           \
    do {                                                                                           \
        long long got_ = query_int(db, sql);                                                       \
        CHECKF(got_ == (want), "%s: got %lld, want %lld", sql, got_, (long long)(want));           \
    } while (0)

/* ---- the in-memory table ---- */

static const struct admin_unit *find(const struct admin_table *t, const char *code,
                                     const char *version)
{
    return admin_table_find(t, code, strlen(code), version);
}

static void check_table(struct store_db *db)
{
    struct admin_table t;
    struct arena strings = {0};
    struct err e;
    CHECKF(admin_table_load(store_db_handle(db), &strings, &t, &e) == 0, "load: %s", e.msg);
    CHECK(t.n == 14 && t.nversions == 2);
    CHECK(strcmp(admin_table_current(&t), "2025-07") == 0);
    CHECK(admin_table_version(&t, "2025-03", 7) != NULL && !admin_table_version(&t, "2025", 4));

    const struct admin_unit *ag = find(&t, "91", NULL), *kg = find(&t, "91", "2025-03");
    CHECK(ag && strcmp(ag->name, "Tỉnh An Giang") == 0 && ag->current);
    CHECK(kg && strcmp(kg->name, "Tỉnh Kiên Giang") == 0 && !kg->current);
    CHECK(strcmp(admin_unit_status(ag), "current") == 0);
    CHECK(strcmp(admin_unit_status(kg), "replaced") == 0);
    CHECK(ag->npredecessors == 2 && strcmp(ag->predecessors[0].unit->code, "89") == 0 &&
          strcmp(ag->predecessors[1].unit->name, "Tỉnh Kiên Giang") == 0);
    CHECK(kg->nsuccessors == 1 && kg->successors[0].unit == ag &&
          strcmp(kg->successors[0].share, "full") == 0);

    /* 899 exists only in 2025-03: latest finds it; its successors are the two communes */
    CHECK(find(&t, "899", NULL) == NULL);
    const struct admin_unit *rg = admin_table_latest(&t, "899", 3), *to[8];
    CHECK(rg && strcmp(rg->version, "2025-03") == 0);
    size_t n = rg ? admin_current_successors(rg, to, 8) : 0;
    CHECK(n == 2 && strcmp(to[0]->code, "30742") == 0 && strcmp(to[1]->code, "30760") == 0);
    CHECK(n == 2 && strcmp(rg->successors[0].share, "partial") == 0);
    CHECK(admin_current_successors(ag, to, 8) == 1 && to[0] == ag);
    /* a new commune: parent is the province of its version */
    const struct admin_unit *w = find(&t, "30742", NULL);
    CHECK(w && admin_unit_parent(&t, w) == ag);
    CHECK(w && w->npredecessors == 3); /* 899 (partial), 30742 and 30748 of 2025-03 */
    const struct admin_unit *lx = find(&t, "30280", "2025-03");
    CHECK(lx && lx->nsuccessors == 1 && lx->successors[0].note &&
          strcmp(lx->successors[0].note, "a note") == 0);
    /* paging within a version */
    size_t first, end;
    admin_table_range(&t, "2025-07", &first, &end);
    CHECK(end - first == 5 && strcmp(t.units[first].code, "01") == 0);
    CHECK(admin_table_after(&t, "2025-07", "30280") == first + 2);
    CHECK(admin_table_after(&t, "2025-03", NULL) == 0);
    admin_table_free(&t);
    arena_free(&strings);
}

static void test_good(void)
{
    const char *dir = mkdir_in("good");
    char out[512];
    snprintf(out, sizeof out, "%s/release.sqlite", dir);
    write_good(dir);
    int rc = run(dir, out);
    CHECKF(rc == 0, "good import: rc %d, log:\n%s", rc, log_text);
    struct err e;
    struct store_db *db = store_db_open(out, true, &e);
    CHECKF(db != NULL, "open: %s", e.msg);
    if (db == NULL)
        return;
    Q_INT("SELECT count(*) FROM admin_units", 14);
    Q_INT("SELECT count(*) FROM admin_units WHERE version = '2025-07'", 5);
    Q_INT("SELECT count(*) FROM admin_units WHERE code = '91'", 2);
    Q_INT("SELECT count(*) FROM admin_successors", 10);
    Q_INT("SELECT count(*) FROM admin_successors WHERE share = 'partial'", 2);
    Q_INT("SELECT count(*) FROM admin_successors WHERE note = 'a note'", 1);
    Q_INT("SELECT rows FROM release_sources WHERE file = 'admin_successors.csv'", 10);
    Q_INT("SELECT count(*) FROM places WHERE district_code = '883' AND province_code = '91'", 1);
    check_table(db);
    store_db_close(db);

    /* admin_successors.csv is optional: without it no successor is known */
    char path[600];
    snprintf(path, sizeof path, "%s/admin_successors.csv", dir);
    unlink(path);
    rc = run(dir, out);
    CHECKF(rc == 0, "without successors: rc %d, log:\n%s", rc, log_text);
    db = store_db_open(out, true, &e);
    if (db) {
        Q_INT("SELECT count(*) FROM admin_successors", 0);
        Q_INT("SELECT count(*) FROM release_sources", 4);
        store_db_close(db);
    }
}

static void test_bad_units(void)
{
    const char *dir = mkdir_in("bad-units");
    char out[512];
    snprintf(out, sizeof out, "%s/out.sqlite", dir);
    write_good(dir);
    write_file(dir, "admin_units.csv",
               "code,name,type,level,parent_code,version\n"
               "91,Tỉnh Kiên Giang,Tỉnh,province,,2025-03\n"
               "899,Thành phố Rạch Giá,Thành phố,district,91,2025-03\n"
               "91,Tỉnh An Giang,Tỉnh,province,,2025-07\n"
               "91,Tỉnh An Giang lặp,Tỉnh,province,,2025-07\n"   /* line 5: repeated in a version */
               "30742,Phường Rạch Giá,Phường,ward,899,2025-07\n" /* 6: 899 is not of 2025-07 */
               "30748,Phường An Hòa,Phường,ward,91,2025-03\n"    /* 7: 2025-03 has districts */
               "92,Cần Thơ,Tỉnh,province,,2025-13\n"             /* 8: no such month */
               "30760,Phường Vĩnh Thông,Phường,ward,,2025-07\n");
    write_file(dir, "admin_successors.csv", "old_code,old_version,new_code,new_version,share\n");
    write_file(dir, "offices.csv", "code,name,level,parent_code,lat,lon,source\n");
    write_file(dir, "facilities.csv", FACILITIES_NONE);
    int rc = run(dir, out);
    CHECKF(rc == 1, "rc %d", rc);
    LOGGED(dir, "admin_units.csv:5: code: \"91\" is a duplicate of line 4\n");
    LOGGED(dir, "admin_units.csv:6: parent_code: \"899\" is not a province of version 2025-07");
    LOGGED(dir, "admin_units.csv:7: parent_code: \"91\" is a province, but a ward's parent must "
                "be a district\n");
    LOGGED(dir, "admin_units.csv:8: version: \"2025-13\" is not a version (YYYY-MM");
    LOGGED(dir, "admin_units.csv:9: parent_code: is empty; a ward needs its province");
    CHECKF(count_lines(log_text) == 5, "exactly 5 problems, got:\n%s", log_text);
    CHECK(access(out, F_OK) != 0);
}

static void test_bad_successors(void)
{
    const char *dir = mkdir_in("bad-successors");
    char out[512];
    snprintf(out, sizeof out, "%s/out.sqlite", dir);
    write_good(dir);
    write_file(dir, "admin_successors.csv",
               "old_code,old_version,new_code,new_version,share,note\n"
               "89,2025-03,91,2025-07,full,\n"
               "88,2025-03,91,2025-07,full,\n"          /* 3: no unit 88 */
               "91,2025-03,91,2025-06,full,\n"          /* 4: no version 2025-06 of 91 */
               "30742,2025-07,30742,2025-03,full,\n"    /* 5: backwards */
               "89,2025-03,30742,2025-07,partial,\n"    /* 6: province -> ward */
               "899,2025-03,30742,2025-07,full,\n"      /* 7: full, yet two successors */
               "899,2025-03,30760,2025-07,most,\n"      /* 8: no such share */
               "899,2025-03,30742,2025-07,partial,\n"); /* 9: repeated pair */
    int rc = run(dir, out);
    CHECKF(rc == 1, "rc %d", rc);
    LOGGED(dir, "admin_successors.csv:3: old_code: \"88\" is not a unit of version \"2025-03\"");
    LOGGED(dir, "admin_successors.csv:4: new_code: \"91\" is not a unit of version \"2025-06\"");
    LOGGED(dir, "admin_successors.csv:5: new_version: 2025-03 is not later than old_version "
                "2025-07\n");
    LOGGED(dir, "admin_successors.csv:6: new_code: \"30742\" is a ward; a province cannot be "
                "succeeded by a ward\n");
    LOGGED(dir, "admin_successors.csv:8: share: \"most\" is not one of: full, partial\n");
    LOGGED(dir, "admin_successors.csv:9: new_code: 899 -> 30742 is a duplicate of line 7\n");
    LOGGED(dir, "admin_successors.csv:7: share: full, but 899 (version 2025-03) has 2 "
                "successors");
    CHECKF(count_lines(log_text) == 7, "exactly 7 problems, got:\n%s", log_text);
}

static void test_bad_places(void)
{
    const char *dir = mkdir_in("bad-places");
    char out[512];
    snprintf(out, sizeof out, "%s/out.sqlite", dir);
    write_good(dir);
    write_file(dir, "offices.csv",
               "code,name,level,parent_code,province_code,district_code,ward_code,lat,lon,source\n"
               "091,BHXH,province,,89,,,10.38,105.43,official\n"         /* old province */
               "092,BHXH,province,,91,,30748,10.0,105.1,official\n"      /* old ward */
               "093,BHXH,province,,01,,30742,10.0,105.1,official\n"      /* ward of 91 */
               "094,BHXH,province,,01,899,,21.0,105.8,official\n"        /* district of 91 */
               "095,BHXH,province,,91,883,30280,10.38,105.43,official\n" /* fine */
               "096,BHXH,province,,,899,30742,10.0,105.1,official\n");   /* fine */
    int rc = run(dir, out);
    CHECKF(rc == 1, "rc %d", rc);
    LOGGED(dir, "offices.csv:2: province_code: \"89\" is a province of version 2025-03, not of "
                "the current version 2025-07; places carry current codes: it went into 91\n");
    LOGGED(dir, "offices.csv:3: ward_code: \"30748\" is a ward of version 2025-03, not of the "
                "current version 2025-07; places carry current codes: it went into 30742\n");
    LOGGED(dir, "offices.csv:4: ward_code: \"30742\" is in province 91, not in province_code 01\n");
    LOGGED(dir, "offices.csv:5: district_code: \"899\" is a district of province 91 (version "
                "2025-03), which is not, and did not go into, province_code 01\n");
    CHECKF(count_lines(log_text) == 4, "exactly 4 problems, got:\n%s", log_text);
}

int main(void)
{
    if (mkdtemp(base) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_good();
    test_bad_units();
    test_bad_successors();
    test_bad_places();
    free(log_text);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", base);
    return harness_done();
}
