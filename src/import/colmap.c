/*
 * The header and value tables of colmap.h, and the --columns file reader.
 * Built-in keys are written folded (fold_text of the Vietnamese header,
 * given beside each one) so that a lookup folds only the header it is
 * given.
 */
#include "import/colmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/fold.h"
#include "text/utf8.h"

#define PLACES (COLMAP_OFFICE | COLMAP_AGENT | COLMAP_FACILITY)

struct alias {
    const char *key;     /* folded */
    const char *display; /* as a spreadsheet writes it, for messages */
    const char *col;
    unsigned kinds;
};

static const struct alias ALIASES[] = {
    {"ma cskcb", "Mã CSKCB", "code", PLACES},
    {"ma kcb", "Mã KCB", "code", PLACES},
    {"ma co so", "Mã cơ sở", "code", PLACES},
    {"ma co so kcb", "Mã cơ sở KCB", "code", PLACES},
    {"ma benh vien", "Mã bệnh viện", "code", PLACES},
    {"ma bv", "Mã BV", "code", PLACES},
    {"ma dai ly", "Mã đại lý", "code", PLACES},
    {"ma co quan", "Mã cơ quan", "code", PLACES},
    {"ma don vi", "Mã đơn vị", "code", PLACES},
    {"ma", "Mã", "code", PLACES},
    {"ten co so", "Tên cơ sở", "name", PLACES},
    {"ten co so kcb", "Tên cơ sở KCB", "name", PLACES},
    {"ten cskcb", "Tên CSKCB", "name", PLACES},
    {"ten benh vien", "Tên bệnh viện", "name", PLACES},
    {"ten bv", "Tên BV", "name", PLACES},
    {"ten dai ly", "Tên đại lý", "name", PLACES},
    {"ten co quan", "Tên cơ quan", "name", PLACES},
    {"ten don vi", "Tên đơn vị", "name", PLACES},
    {"ten", "Tên", "name", PLACES},
    {"dia chi", "Địa chỉ", "address", PLACES},
    {"dia chi co so", "Địa chỉ cơ sở", "address", PLACES},
    {"dia chi tru so", "Địa chỉ trụ sở", "address", PLACES},
    {"tuyen", "Tuyến", "level", COLMAP_FACILITY},
    {"tuyen kcb", "Tuyến KCB", "level", COLMAP_FACILITY},
    {"tuyen ky thuat", "Tuyến kỹ thuật", "level", COLMAP_FACILITY},
    {"tuyen chuyen mon ky thuat", "Tuyến chuyên môn kỹ thuật", "level", COLMAP_FACILITY},
    {"cap", "Cấp", "level", COLMAP_OFFICE},
    {"hang", "Hạng", "facility_class", COLMAP_FACILITY},
    {"hang benh vien", "Hạng bệnh viện", "facility_class", COLMAP_FACILITY},
    {"hinh thuc so huu", "Hình thức sở hữu", "ownership", COLMAP_FACILITY},
    {"so huu", "Sở hữu", "ownership", COLMAP_FACILITY},
    {"kcb ban dau", "KCB ban đầu", "accepts_initial_registration", COLMAP_FACILITY},
    {"dang ky kcb ban dau", "Đăng ký KCB ban đầu", "accepts_initial_registration", COLMAP_FACILITY},
    {"nhan dang ky kcb ban dau", "Nhận đăng ký KCB ban đầu", "accepts_initial_registration",
     COLMAP_FACILITY},
    {"kinh do", "Kinh độ", "lon", PLACES},
    {"longitude", "Longitude", "lon", PLACES},
    {"lng", "lng", "lon", PLACES},
    {"vi do", "Vĩ độ", "lat", PLACES},
    {"latitude", "Latitude", "lat", PLACES},
    {"he toa do", "Hệ tọa độ", "crs", PLACES},
    {"he quy chieu", "Hệ quy chiếu", "crs", PLACES},
    /* VN-2000 surveying writes X for the northing and Y for the easting. */
    {"toa do x", "Tọa độ X", "northing", PLACES},
    {"toa do y", "Tọa độ Y", "easting", PLACES},
    {"so dien thoai", "Số điện thoại", "phone", PLACES},
    {"dien thoai", "Điện thoại", "phone", PLACES},
    {"so dt", "Số ĐT", "phone", PLACES},
    {"sdt", "SĐT", "phone", PLACES},
    {"dt", "ĐT", "phone", PLACES},
    {"thu dien tu", "Thư điện tử", "email", PLACES},
    {"e mail", "E-mail", "email", PLACES},
    {"trang web", "Trang web", "website", PLACES},
    {"trang thong tin dien tu", "Trang thông tin điện tử", "website", PLACES},
    {"gio lam viec", "Giờ làm việc", "opening_hours", PLACES},
    {"thoi gian lam viec", "Thời gian làm việc", "opening_hours", PLACES},
    {"gio mo cua", "Giờ mở cửa", "opening_hours", PLACES},
    {"ma co quan quan ly", "Mã cơ quan quản lý", "parent_code", PLACES},
    {"ma bhxh quan ly", "Mã BHXH quản lý", "parent_code", PLACES},
    {"ma don vi quan ly", "Mã đơn vị quản lý", "parent_code", PLACES},
    {"ma cap tren", "Mã cấp trên", "parent_code", PLACES},
    {"ma tinh", "Mã tỉnh", "province_code", PLACES},
    {"ma tinh tp", "Mã tỉnh/TP", "province_code", PLACES},
    {"ma huyen", "Mã huyện", "district_code", PLACES},
    {"ma quan huyen", "Mã quận/huyện", "district_code", PLACES},
    {"ma xa", "Mã xã", "ward_code", PLACES},
    {"ma phuong xa", "Mã phường/xã", "ward_code", PLACES},
    {"ma xa phuong", "Mã xã/phường", "ward_code", PLACES},
    {"nguon", "Nguồn", "source", PLACES},
    {"nguon du lieu", "Nguồn dữ liệu", "source", PLACES},
    {"ngay cap nhat", "Ngày cập nhật", "updated", PLACES},
    {"loai dai ly", "Loại đại lý", "agent_type", COLMAP_AGENT},
    {"loai hinh dai ly", "Loại hình đại lý", "agent_type", COLMAP_AGENT},
    {"stt", "STT", "-", COLMAP_ADMIN | PLACES},
    {"so thu tu", "Số thứ tự", "-", COLMAP_ADMIN | PLACES},
};

struct value {
    const char *col;
    unsigned kinds;
    const char *key; /* folded */
    const char *canon;
};

static const struct value VALUES[] = {
    {"level", COLMAP_FACILITY, "trung uong", "central"},
    {"level", COLMAP_FACILITY, "tuyen trung uong", "central"},
    {"level", COLMAP_FACILITY, "tw", "central"},
    {"level", COLMAP_FACILITY, "tinh", "province"},
    {"level", COLMAP_FACILITY, "tuyen tinh", "province"},
    {"level", COLMAP_FACILITY, "huyen", "district"},
    {"level", COLMAP_FACILITY, "tuyen huyen", "district"},
    {"level", COLMAP_FACILITY, "quan", "district"},
    {"level", COLMAP_FACILITY, "xa", "commune"},
    {"level", COLMAP_FACILITY, "tuyen xa", "commune"},
    {"level", COLMAP_FACILITY, "phuong", "commune"},
    {"level", COLMAP_OFFICE, "tinh", "province"},
    {"level", COLMAP_OFFICE, "cap tinh", "province"},
    {"level", COLMAP_OFFICE, "huyen", "district"},
    {"level", COLMAP_OFFICE, "cap huyen", "district"},
    {"level", COLMAP_OFFICE, "co so", "district"},
    {"facility_class", COLMAP_FACILITY, "dac biet", "special"},
    {"facility_class", COLMAP_FACILITY, "hang dac biet", "special"},
    {"facility_class", COLMAP_FACILITY, "i", "1"},
    {"facility_class", COLMAP_FACILITY, "hang i", "1"},
    {"facility_class", COLMAP_FACILITY, "hang 1", "1"},
    {"facility_class", COLMAP_FACILITY, "ii", "2"},
    {"facility_class", COLMAP_FACILITY, "hang ii", "2"},
    {"facility_class", COLMAP_FACILITY, "hang 2", "2"},
    {"facility_class", COLMAP_FACILITY, "iii", "3"},
    {"facility_class", COLMAP_FACILITY, "hang iii", "3"},
    {"facility_class", COLMAP_FACILITY, "hang 3", "3"},
    {"facility_class", COLMAP_FACILITY, "iv", "4"},
    {"facility_class", COLMAP_FACILITY, "hang iv", "4"},
    {"facility_class", COLMAP_FACILITY, "hang 4", "4"},
    {"facility_class", COLMAP_FACILITY, "chua xep hang", ""},
    {"facility_class", COLMAP_FACILITY, "khong xep hang", ""},
    {"ownership", COLMAP_FACILITY, "cong lap", "public"},
    {"ownership", COLMAP_FACILITY, "nha nuoc", "public"},
    {"ownership", COLMAP_FACILITY, "tu nhan", "private"},
    {"ownership", COLMAP_FACILITY, "ngoai cong lap", "private"},
    {"accepts_initial_registration", COLMAP_FACILITY, "co", "true"},
    {"accepts_initial_registration", COLMAP_FACILITY, "khong", "false"},
    {"position_approx", PLACES, "co", "true"},
    {"position_approx", PLACES, "khong", "false"},
};

struct entry {
    unsigned kinds; /* the section, or all kinds before any section */
    char *key;      /* folded header */
    char *col;      /* canonical name or "-" */
};

struct colmap {
    struct entry *v;
    size_t n, cap;
};

/* fold_text(s) into b; returns the folded text ("" when s has no word), NULL when out of memory. */
static const char *fold(const char *s, struct buf *b)
{
    buf_reset(b);
    if (fold_text(s, strlen(s), b) != 0)
        return NULL;
    return b->len ? b->data : "";
}

void colmap_free(struct colmap *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].key);
        free(m->v[i].col);
    }
    free(m->v);
    free(m);
}

static int find_name(const char *const *names, size_t n, const char *col)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], col) == 0)
            return (int)i;
    return COLMAP_UNKNOWN;
}

/* The column col means: its index, COLMAP_IGNORE, or COLMAP_UNKNOWN with *meant. */
static int index_of(const char *col, const char *const *names, size_t n, const char **meant)
{
    if (strcmp(col, "-") == 0)
        return COLMAP_IGNORE;
    int k = find_name(names, n, col);
    if (k < 0)
        *meant = col;
    return k;
}

/* The column of a mapping entry for key in sections matching want (0: the global part). */
static const char *mapped(const struct colmap *m, unsigned want, const char *key)
{
    for (size_t i = 0; m && i < m->n; i++)
        if (m->v[i].kinds == want && strcmp(m->v[i].key, key) == 0)
            return m->v[i].col;
    return NULL;
}

int colmap_resolve(const struct colmap *m, enum colmap_kind kind, const char *h,
                   const char *const *names, size_t n, const char **meant)
{
    struct buf b = {0}, c = {0};
    const char *col = NULL, *key = fold(h, &b);
    int k = COLMAP_UNKNOWN;

    *meant = NULL;
    if (key == NULL || *key == '\0')
        goto out;
    if ((col = mapped(m, (unsigned)kind, key)) || (col = mapped(m, 0, key))) {
        k = index_of(col, names, n, meant);
        goto out;
    }
    if ((k = find_name(names, n, h)) >= 0)
        goto out;
    for (size_t i = 0; i < n && k < 0; i++) {
        const char *f = names[i] ? fold(names[i], &c) : NULL;
        if (f && strcmp(f, key) == 0)
            k = (int)i;
    }
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0] && k < 0 && !*meant; i++)
        if ((ALIASES[i].kinds & kind) && strcmp(ALIASES[i].key, key) == 0)
            k = index_of(ALIASES[i].col, names, n, meant);
out:
    buf_free(&b);
    buf_free(&c);
    return k;
}

void colmap_aliases(enum colmap_kind kind, const char *col, char *out, size_t n)
{
    size_t o = 0;
    if (n == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0] && o + 1 < n; i++) {
        if (!(ALIASES[i].kinds & kind) || strcmp(ALIASES[i].col, col) != 0)
            continue;
        int w = snprintf(out + o, n - o, "%s%s", o ? ", " : "", ALIASES[i].display);
        o = w < 0 ? n : o + (size_t)w;
    }
}

const char *colmap_value(enum colmap_kind kind, const char *col, const char *v, struct buf *scratch)
{
    const char *key = NULL;
    for (size_t i = 0; i < sizeof VALUES / sizeof VALUES[0]; i++) {
        if (!(VALUES[i].kinds & kind) || strcmp(VALUES[i].col, col) != 0)
            continue;
        if (strcmp(v, VALUES[i].canon) == 0 && *v)
            return v; /* already canonical: the common case, no folding */
        if (key == NULL && (key = fold(v, scratch)) == NULL)
            return v;
        if (strcmp(key, VALUES[i].key) == 0)
            return VALUES[i].canon;
    }
    return v;
}

/* ---- the --columns file ---- */

static const struct {
    const char *name;
    enum colmap_kind kind;
} SECTIONS[] = {
    {"admin_units.csv", COLMAP_ADMIN},   {"admin_units", COLMAP_ADMIN},
    {"offices.csv", COLMAP_OFFICE},      {"offices", COLMAP_OFFICE},
    {"agents.csv", COLMAP_AGENT},        {"agents", COLMAP_AGENT},
    {"facilities.csv", COLMAP_FACILITY}, {"facilities", COLMAP_FACILITY},
};

static char *trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A canonical column name: 1-40 of a-z and _, or "-". */
static bool column_name(const char *s)
{
    size_t n = strlen(s);
    return strcmp(s, "-") == 0 ||
           (n > 0 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == n);
}

static int add_entry(struct colmap *m, unsigned kinds, const char *key, const char *col)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct entry *v = realloc(m->v, cap * sizeof *v);
        if (v == NULL)
            return -1;
        m->v = v;
        m->cap = cap;
    }
    struct entry *en = &m->v[m->n];
    en->kinds = kinds;
    en->key = strdup(key);
    en->col = strdup(col);
    if (en->key == NULL || en->col == NULL) {
        free(en->key);
        free(en->col);
        return -1;
    }
    m->n++;
    return 0;
}

/* One line of the file; returns 0, -1 with e filled (bad line), -2 out of memory. */
static int parse_line(struct colmap *m, char *line, unsigned *section, struct buf *b, struct err *e)
{
    char *s = trim(line);
    if (*s == '\0' || *s == '#' || *s == ';')
        return 0;
    if (!utf8_validate(s, strlen(s), NULL)) {
        err_set(e, "not UTF-8 (save the mapping file as UTF-8)");
        return -1;
    }
    if (*s == '[') {
        char *end = strchr(s, ']');
        if (end == NULL || *trim(end + 1) != '\0') {
            err_set(e, "a section is written [facilities.csv]");
            return -1;
        }
        *end = '\0';
        const char *name = trim(s + 1);
        for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++) {
            if (strcmp(name, SECTIONS[i].name) == 0) {
                *section = SECTIONS[i].kind;
                return 0;
            }
        }
        err_set(e,
                "[%.60s]: not a file of the import (admin_units.csv, offices.csv, "
                "agents.csv, facilities.csv)",
                name);
        return -1;
    }
    char *eq = strrchr(s, '=');
    if (eq == NULL) {
        err_set(e, "expected SOURCE HEADER = column");
        return -1;
    }
    *eq = '\0';
    const char *col = trim(eq + 1), *key = fold(trim(s), b);
    if (key == NULL)
        return -2;
    if (*key == '\0' || !column_name(col)) {
        err_set(e, "expected SOURCE HEADER = column, the column a canonical name such as "
                   "code or lat, or - to ignore the source column");
        return -1;
    }
    if (mapped(m, *section, key)) {
        err_set(e, "\"%.60s\" is mapped twice in this section", trim(s));
        return -1;
    }
    return add_entry(m, *section, key, col) == 0 ? 0 : -2;
}

static int parse_file(struct colmap *m, FILE *f, const char *path, struct err *e, bool *io)
{
    char line[1024];
    unsigned long no = 0;
    unsigned section = 0;
    struct buf b = {0};
    int rc = 0;

    while (rc == 0 && fgets(line, sizeof line, f)) {
        no++;
        char *s = line;
        if (no == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3;
        if (strlen(line) == sizeof line - 1 && line[sizeof line - 2] != '\n') {
            err_set(e, "%s:%lu: line longer than %zu bytes", path, no, sizeof line - 2);
            rc = -1;
            break;
        }
        struct err le;
        rc = parse_line(m, s, &section, &b, &le);
        if (rc == -1)
            err_set(e, "%s:%lu: %s", path, no, le.msg);
    }
    if (rc == -2 || (rc == 0 && ferror(f))) {
        err_set(e, "%s: %s", path, rc == -2 ? "out of memory" : "read error");
        *io = true;
        rc = -1;
    }
    buf_free(&b);
    return rc;
}

struct colmap *colmap_load(const char *path, struct err *e, bool *io)
{
    struct colmap *m = calloc(1, sizeof *m);
    *io = false;
    if (m == NULL) {
        err_set(e, "out of memory");
        *io = true;
        return NULL;
    }
    if (path == NULL)
        return m;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        err_set(e, "%s: cannot open: %s", path, strerror(errno));
        *io = true;
        colmap_free(m);
        return NULL;
    }
    int rc = parse_file(m, f, path, e, io);
    fclose(f);
    if (rc != 0) {
        colmap_free(m);
        return NULL;
    }
    return m;
}
