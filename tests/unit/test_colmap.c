/*
 * Unit tests for import/colmap: canonical and folded names, the built-in
 * Vietnamese headers per file, a --columns file (sections, precedence,
 * ignoring, errors with their line) and Vietnamese values of enumerated
 * columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "import/colmap.h"

static const char *const FACILITY[] = {
    "code",
    "name",
    "parent_code",
    "address",
    "lat",
    "lon",
    "phone",
    "facility_class",
    "level",
    "source",
    "easting",
    "northing",
    "crs",
    "ownership",
    "accepts_initial_registration",
};
#define NFAC (sizeof FACILITY / sizeof FACILITY[0])

static const char *const AGENT[] = {"code", "name",       "parent_code", "lat",
                                    "lon",  "agent_type", "source"};
#define NAGENT (sizeof AGENT / sizeof AGENT[0])

/* The column h means in a file of kind with names, or "-" / "?" / "?meant". */
static const char *resolve(const struct colmap *m, enum colmap_kind kind, const char *h,
                           const char *const *names, size_t n)
{
    static char out[64];
    const char *meant;
    int k = colmap_resolve(m, kind, h, names, n, &meant);
    if (k >= 0)
        return names[k];
    if (k == COLMAP_IGNORE)
        return "-";
    snprintf(out, sizeof out, "?%s", meant ? meant : "");
    return out;
}

#define EXPECT(m, kind, h, names, n, want)                                                         \
    do {                                                                                           \
        const char *got_ = resolve(m, kind, h, names, n);                                          \
        CHECKF(strcmp(got_, want) == 0, "%s -> %s, want %s", h, got_, want);                       \
    } while (0)

static void test_builtin(void)
{
    bool io;
    struct err e;
    struct colmap *m = colmap_load(NULL, &e, &io);
    CHECK(m != NULL);
    static const struct {
        const char *h, *want;
    } fac[] = {
        {"code", "code"},
        {"LAT", "lat"},
        {"Parent Code", "parent_code"},
        {"parent-code", "parent_code"},
        {"Mã CSKCB", "code"},
        {"MÃ CSKCB", "code"},
        {"ma kcb", "code"},
        {"Mã KCB", "code"},
        {" Tên cơ sở ", "name"},
        {"TÊN CƠ SỞ", "name"},
        {"Địa chỉ", "address"},
        {"Tuyến", "level"},
        {"Tuyến chuyên môn kỹ thuật", "level"},
        {"Hạng", "facility_class"},
        {"Hạng bệnh viện", "facility_class"},
        {"Kinh độ", "lon"},
        {"Vĩ độ", "lat"},
        {"VI DO", "lat"},
        {"Số điện thoại", "phone"},
        {"Điện thoại", "phone"},
        {"SĐT", "phone"},
        {"Hệ tọa độ", "crs"},
        {"Tọa độ X", "northing"},
        {"Tọa độ Y", "easting"},
        {"Hình thức sở hữu", "ownership"},
        {"KCB ban đầu", "accepts_initial_registration"},
        {"STT", "-"},
        {"Số thứ tự", "-"},
        {"Ghi chú", "?"},
        {"X", "?"},
        {"", "?"},
        {"***", "?"},
    };
    for (size_t i = 0; i < sizeof fac / sizeof fac[0]; i++)
        EXPECT(m, COLMAP_FACILITY, fac[i].h, FACILITY, NFAC, fac[i].want);
    /* Facility-only headers are not recognised in other files. */
    EXPECT(m, COLMAP_AGENT, "Tuyến", AGENT, NAGENT, "?");
    EXPECT(m, COLMAP_AGENT, "Hạng", AGENT, NAGENT, "?");
    EXPECT(m, COLMAP_AGENT, "Loại đại lý", AGENT, NAGENT, "agent_type");
    EXPECT(m, COLMAP_AGENT, "Mã đại lý", AGENT, NAGENT, "code");
    EXPECT(m, COLMAP_AGENT, "Mã CSKCB", AGENT, NAGENT, "code");
    /* admin_units.csv: canonical names only (and STT). */
    static const char *const admin[] = {"code", "name", "type", "level", "parent_code"};
    EXPECT(m, COLMAP_ADMIN, "Code", admin, 5, "code");
    EXPECT(m, COLMAP_ADMIN, "Tên", admin, 5, "?");
    EXPECT(m, COLMAP_ADMIN, "STT", admin, 5, "-");

    char list[256];
    colmap_aliases(COLMAP_FACILITY, "code", list, sizeof list);
    CHECKF(strstr(list, "Mã CSKCB") && strstr(list, "Mã KCB"), "aliases: %s", list);
    colmap_aliases(COLMAP_ADMIN, "code", list, sizeof list);
    CHECK(*list == '\0');
    colmap_aliases(COLMAP_FACILITY, "code", list, 12);
    CHECK(strlen(list) < 12);
    colmap_free(m);
}

static char dir[] = "/tmp/bhxh-colmap-test-XXXXXX";

static const char *write_map(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_file(void)
{
    bool io;
    struct err e;
    const char *path = write_map("good.ini", "\xEF\xBB\xBF# mapping for the Kiên Giang list\n"
                                             "Mã BV = code\n"
                                             "Ghi chú = -\n"
                                             "Tên = parent_code   \n"
                                             "\n"
                                             "; facilities only\n"
                                             "[facilities.csv]\n"
                                             "Tên = name\n"
                                             "Vĩ độ (WGS84) = lat\n"
                                             "Kinh độ (WGS84) = lon\n"
                                             "Loại = agent_type\n"
                                             "[ agents ]\n"
                                             "Điện thoại = -\n");
    struct colmap *m = colmap_load(path, &e, &io);
    CHECKF(m != NULL, "load: %s", e.msg);
    if (m == NULL)
        return;
    EXPECT(m, COLMAP_FACILITY, "mã bv", FACILITY, NFAC, "code");
    EXPECT(m, COLMAP_FACILITY, "GHI CHÚ", FACILITY, NFAC, "-");
    EXPECT(m, COLMAP_FACILITY, "Tên", FACILITY, NFAC, "name"); /* section beats global */
    EXPECT(m, COLMAP_AGENT, "Tên", AGENT, NAGENT, "parent_code");
    EXPECT(m, COLMAP_FACILITY, "Vĩ độ (WGS84)", FACILITY, NFAC, "lat");
    EXPECT(m, COLMAP_FACILITY, "Loại", FACILITY, NFAC, "?agent_type");
    EXPECT(m, COLMAP_AGENT, "Điện thoại", AGENT, NAGENT, "-");         /* beats the built-in */
    EXPECT(m, COLMAP_FACILITY, "Điện thoại", FACILITY, NFAC, "phone"); /* built-in */
    colmap_free(m);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"Mã BV = code\nMã BV\n", ":2: expected SOURCE HEADER = column"},
        {"[hospitals.csv]\n", ":1: [hospitals.csv]: not a file of the import"},
        {"[facilities.csv\n", ":1: a section is written [facilities.csv]"},
        {"Mã BV = Code\n", ":1: expected SOURCE HEADER = column, the column a canonical name"},
        {"# x\n = code\n", ":2: expected SOURCE HEADER"},
        {"Mã BV = code\nma bv = name\n", ":2: \"ma bv\" is mapped twice"},
        {"M\xE3 BV = code\n", ":1: not UTF-8"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        path = write_map("bad.ini", bad[i].text);
        m = colmap_load(path, &e, &io);
        CHECKF(m == NULL && !io && strstr(e.msg, path) == e.msg && strstr(e.msg, bad[i].want),
               "bad %zu: %s", i, m ? "loaded" : e.msg);
        colmap_free(m);
    }
    m = colmap_load("/nonexistent/columns.ini", &e, &io);
    CHECKF(m == NULL && io && strstr(e.msg, "cannot open"), "missing file: %s", e.msg);
}

static void test_values(void)
{
    struct buf b = {0};
    static const struct {
        enum colmap_kind kind;
        const char *col, *v, *want;
    } cases[] = {
        {COLMAP_FACILITY, "level", "Trung ương", "central"},
        {COLMAP_FACILITY, "level", "TRUNG ƯƠNG", "central"},
        {COLMAP_FACILITY, "level", "Tỉnh", "province"},
        {COLMAP_FACILITY, "level", "tuyến huyện", "district"},
        {COLMAP_FACILITY, "level", "Xã", "commune"},
        {COLMAP_FACILITY, "level", "province", "province"},
        {COLMAP_FACILITY, "level", "Tinh thanh", "Tinh thanh"},
        {COLMAP_OFFICE, "level", "Huyện", "district"},
        {COLMAP_OFFICE, "level", "Xã", "Xã"},
        {COLMAP_FACILITY, "facility_class", "Hạng I", "1"},
        {COLMAP_FACILITY, "facility_class", "hạng 2", "2"},
        {COLMAP_FACILITY, "facility_class", "III", "3"},
        {COLMAP_FACILITY, "facility_class", "Hạng đặc biệt", "special"},
        {COLMAP_FACILITY, "facility_class", "Chưa xếp hạng", ""},
        {COLMAP_FACILITY, "facility_class", "4", "4"},
        {COLMAP_FACILITY, "ownership", "Công lập", "public"},
        {COLMAP_FACILITY, "ownership", "Tư nhân", "private"},
        {COLMAP_FACILITY, "accepts_initial_registration", "Có", "true"},
        {COLMAP_FACILITY, "accepts_initial_registration", "KHÔNG", "false"},
        {COLMAP_AGENT, "position_approx", "có", "true"},
        {COLMAP_AGENT, "accepts_initial_registration", "Có", "Có"},
        {COLMAP_FACILITY, "name", "Tỉnh", "Tỉnh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = colmap_value(cases[i].kind, cases[i].col, cases[i].v, &b);
        CHECKF(strcmp(got, cases[i].want) == 0, "%s %s -> %s, want %s", cases[i].col, cases[i].v,
               got, cases[i].want);
    }
    buf_free(&b);
}

int main(void)
{
    if (mkdtemp(dir) == NULL)
        return 1;
    test_builtin();
    test_file();
    test_values();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return harness_done();
}
