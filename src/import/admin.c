/*
 * admin: the rows of admin_units.csv (GSO units, in one or more versions)
 * and of the optional admin_successors.csv (which later units took over an
 * earlier one), and the checks of a place's admin codes against them.
 *
 * A unit is (code, version): the same code may name different units in two
 * versions (91 is Kiên Giang in 2025-03 and An Giang in 2025-07). The latest
 * version in the file is the current one. Parents are looked up in the
 * row's own version once the whole file is read (a parent may come later);
 * in a version without districts a ward's parent is its province.
 *
 * Ownership: struct imp_admin (c->admin) holds every unit's code, version
 * and parent (strings in c->arena) and the successor pairs, for the places
 * files; imp_admin_free() releases it. Codes also go into
 * c->codes[IMP_ADMIN] (one entry per code, any version, tag = level) for
 * the places' existence checks and facility code prefixes.
 */
#include "import/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import/validate.h"

/* The version of every row of an admin_units.csv without a version column. */
#define ADMIN_DEFAULT_VERSION "2025-07"
#define KEY_MAX 64
#define VERSIONS_MAX 32

enum { A_CODE, A_NAME, A_TYPE, A_LEVEL, A_PARENT, A_VERSION, A_NCOLS };

static const struct imp_col admin_cols[A_NCOLS] = {
    [A_CODE] = {"code", IMP_COL_REQUIRED | IMP_VAL_REQUIRED},
    [A_NAME] = {"name", IMP_COL_REQUIRED | IMP_VAL_REQUIRED},
    [A_TYPE] = {"type", 0},
    [A_LEVEL] = {"level", IMP_COL_REQUIRED | IMP_VAL_REQUIRED},
    [A_PARENT] = {"parent_code", IMP_COL_REQUIRED},
    [A_VERSION] = {"version", IMP_VAL_REQUIRED}, /* optional column */
};

enum { S_OLD, S_OLD_VERSION, S_NEW, S_NEW_VERSION, S_SHARE, S_NOTE, S_NCOLS };

#define REQ (IMP_COL_REQUIRED | IMP_VAL_REQUIRED)
static const struct imp_col successor_cols[S_NCOLS] = {
    [S_OLD] = {"old_code", REQ}, [S_OLD_VERSION] = {"old_version", REQ},
    [S_NEW] = {"new_code", REQ}, [S_NEW_VERSION] = {"new_version", REQ},
    [S_SHARE] = {"share", REQ},  [S_NOTE] = {"note", 0},
};

static const char *const LEVELS[] = {"province", "district", "ward", NULL};
static const char *const SHARES[] = {"full", "partial", NULL};

struct unit {
    const char *code, *version, *parent; /* in c->arena */
    int level;                           /* enum validate_level */
    unsigned long line;
};

struct pair {
    size_t old, new; /* indexes into imp_admin.units */
    unsigned long line;
    bool full;
};

struct imp_admin {
    struct unit *units;
    size_t n, cap;
    struct codeset *keys;             /* "code|version" -> tag = index into units */
    const char *current;              /* the latest version (in c->arena) */
    const char *vlist[VERSIONS_MAX];  /* the distinct versions, latest first */
    bool has_districts[VERSIONS_MAX]; /* per vlist entry */
    size_t nvlist;
    struct pair *pairs; /* sorted by old once the successors are read */
    size_t npairs, cappairs;
    bool usable;   /* admin_units.csv read with no problem of shape: checks may use it */
    bool pairs_ok; /* admin_successors.csv absent, or read without any problem */
};

static void report(struct imp_ctx *c, struct imp_file *f, unsigned long line, const struct err *e)
{
    imp_error(c, f->path, line, "%s", e->msg);
}

static void key_of(char *key, const char *code, const char *version)
{
    snprintf(key, KEY_MAX, "%s|%s", code, version);
}

/* Index of the unit (code, version), or -1. */
static long find_unit(const struct imp_admin *a, const char *code, const char *version)
{
    char key[KEY_MAX];
    key_of(key, code, version);
    const struct codeset_entry *u = codeset_get(a->keys, key);
    return u ? u->tag : -1;
}

/* YYYY-MM with a month 01-12. */
static bool valid_version(const char *s, struct err *e)
{
    bool ok = strlen(s) == 7 && s[4] == '-';
    for (int i = 0; ok && i < 7; i++)
        ok = i == 4 || (s[i] >= '0' && s[i] <= '9');
    ok = ok && ((s[5] == '0' && s[6] >= '1') || (s[5] == '1' && s[6] <= '2'));
    if (!ok)
        err_set(e, "version: \"%.40s\" is not a version (YYYY-MM, e.g. 2025-07)", s);
    return ok;
}

/* Appends a unit; returns its index, or -1 after imp_fail. */
static long add_unit(struct imp_ctx *c, const char *code, const char *version, const char *parent,
                     int level, unsigned long line)
{
    struct imp_admin *a = c->admin;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 1024;
        struct unit *v = realloc(a->units, cap * sizeof *v);
        if (v == NULL) {
            imp_fail(c, "out of memory");
            return -1;
        }
        a->units = v;
        a->cap = cap;
    }
    struct unit *u = &a->units[a->n];
    u->code = arena_strndup(&c->arena, code, strlen(code));
    u->version = arena_strndup(&c->arena, version, strlen(version));
    u->parent = arena_strndup(&c->arena, parent, strlen(parent));
    u->level = level;
    u->line = line;
    if (u->code == NULL || u->version == NULL || u->parent == NULL) {
        imp_fail(c, "out of memory");
        return -1;
    }
    return (long)a->n++;
}

/* Records (code, version) once; reports a repeat. False when it is a repeat or memory ran out. */
static bool add_key(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row,
                    const char *version, int level)
{
    const char *code = row->v[A_CODE];
    const struct codeset_entry *first;
    char key[KEY_MAX];
    struct err e;

    key_of(key, code, version);
    int added = codeset_add(c->admin->keys, key, row->line, (int)c->admin->n, &first);
    if (added == 0) {
        validate_duplicate(code, first->line, &e);
        report(c, f, row->line, &e);
    }
    if (added < 0 || codeset_add(c->codes[IMP_ADMIN], code, row->line, level, NULL) < 0) {
        imp_fail(c, "out of memory");
        return false;
    }
    return added == 1;
}

static void admin_row(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row, void *arg)
{
    const char *const *v = row->v;
    const char *version = *v[A_VERSION] ? v[A_VERSION] : ADMIN_DEFAULT_VERSION;
    unsigned long before = c->errors;
    int level = VALIDATE_LEVEL_UNKNOWN;
    struct err e;

    (void)arg;
    if (*v[A_LEVEL]) {
        level = validate_enum("level", v[A_LEVEL], LEVELS, &e) + 1;
        if (level == VALIDATE_LEVEL_UNKNOWN)
            report(c, f, row->line, &e);
    }
    if (*v[A_VERSION] && !valid_version(v[A_VERSION], &e))
        report(c, f, row->line, &e);
    if (*v[A_CODE] == '\0')
        return; /* reported as required */
    if (!validate_admin_code(v[A_CODE], level, &e))
        report(c, f, row->line, &e);
    if (strlen(version) > 16 || !add_key(c, f, row, version, level))
        return;
    if (add_unit(c, v[A_CODE], version, v[A_PARENT], level, row->line) < 0)
        return;
    if (c->errors != before || !imp_writing(c))
        return;
    if (imp_db_add_admin(c->db, v[A_CODE], v[A_NAME], v[A_TYPE], v[A_LEVEL], v[A_PARENT], version,
                         &e))
        imp_fail(c, "%s", e.msg);
}

/* The level a unit's parent must have in its version (0 for a province). */
static int parent_level(const struct imp_admin *a, const struct unit *u)
{
    if (u->level == VALIDATE_DISTRICT)
        return VALIDATE_PROVINCE;
    if (u->level != VALIDATE_WARD)
        return VALIDATE_LEVEL_UNKNOWN;
    for (size_t v = 0; v < a->nvlist; v++)
        if (strcmp(a->vlist[v], u->version) == 0)
            return a->has_districts[v] ? VALIDATE_DISTRICT : VALIDATE_PROVINCE;
    return VALIDATE_LEVEL_UNKNOWN; /* more versions than VERSIONS_MAX: reported */
}

static void check_parent(struct imp_ctx *c, struct imp_file *f, const struct unit *u)
{
    const struct imp_admin *a = c->admin;
    struct err e;
    int want = parent_level(a, u);
    long p = *u->parent ? find_unit(a, u->parent, u->version) : -1;
    int got = p >= 0 ? a->units[p].level : VALIDATE_LEVEL_UNKNOWN;

    if (u->level == VALIDATE_LEVEL_UNKNOWN ||
        (want == VALIDATE_LEVEL_UNKNOWN && u->level != VALIDATE_PROVINCE))
        return; /* the level, or too many versions, was reported */
    if (want == u->level - 1 || u->level == VALIDATE_PROVINCE) {
        if (!validate_admin_parent(u->level, u->parent, p >= 0, got, &e))
            report(c, f, u->line, &e);
        return;
    }
    /* a ward of a version without districts: its parent is a province */
    if (*u->parent == '\0')
        imp_error(c, f->path, u->line,
                  "parent_code: is empty; a ward needs its province (version %s has no districts)",
                  u->version);
    else if (p < 0 || got != VALIDATE_PROVINCE)
        imp_error(c, f->path, u->line,
                  "parent_code: \"%.40s\" is not a province of version %s in admin_units.csv "
                  "(that version has no districts, so a ward's parent is its province)",
                  u->parent, u->version);
}

/* Adds u's version to the distinct versions (kept latest first), noting whether it has districts.
 */
static void note_version(struct imp_ctx *c, struct imp_file *f, const struct unit *u)
{
    struct imp_admin *a = c->admin;
    size_t i = 0;
    while (i < a->nvlist && strcmp(a->vlist[i], u->version) > 0)
        i++;
    if (i == a->nvlist || strcmp(a->vlist[i], u->version) != 0) {
        if (a->nvlist == VERSIONS_MAX) {
            imp_error(c, f->path, u->line, "version: more than %d versions", VERSIONS_MAX);
            return;
        }
        memmove(&a->vlist[i + 1], &a->vlist[i], (a->nvlist - i) * sizeof *a->vlist);
        memmove(&a->has_districts[i + 1], &a->has_districts[i],
                (a->nvlist - i) * sizeof *a->has_districts);
        a->vlist[i] = u->version;
        a->has_districts[i] = false;
        a->nvlist++;
    }
    a->has_districts[i] |= u->level == VALIDATE_DISTRICT;
}

/* After the whole file: the current version, the versions with districts, every parent. */
static void finish_units(struct imp_ctx *c, struct imp_file *f)
{
    struct imp_admin *a = c->admin;
    for (size_t i = 0; i < a->n; i++) {
        const struct unit *u = &a->units[i];
        note_version(c, f, u);
        if (a->current == NULL || strcmp(u->version, a->current) > 0)
            a->current = u->version;
    }
    for (size_t i = 0; i < a->n; i++) {
        const struct unit *u = &a->units[i];
        if (*u->parent && strcmp(u->parent, u->code) == 0)
            imp_error(c, f->path, u->line, "parent_code: \"%.40s\" is the unit itself", u->parent);
        else
            check_parent(c, f, &a->units[i]);
    }
}

/* ---- admin_successors.csv ---- */

static long successor_end(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row, int col,
                          int vcol, const char *name)
{
    const char *code = row->v[col], *version = row->v[vcol];
    long u = find_unit(c->admin, code, version);
    if (u < 0)
        imp_error(c, f->path, row->line,
                  "%s: \"%.40s\" is not a unit of version \"%.40s\" in "
                  "admin_units.csv",
                  name, code, version);
    return u;
}

/* A province's successor is a province; a district's a district or a ward; a ward's a ward. */
static bool level_fits(int old_level, int new_level)
{
    if (old_level == VALIDATE_PROVINCE || new_level == VALIDATE_PROVINCE)
        return old_level == new_level;
    return new_level >= old_level;
}

static bool check_pair(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row, long o,
                       long n)
{
    const struct unit *ou = &c->admin->units[o], *nu = &c->admin->units[n];
    if (strcmp(nu->version, ou->version) <= 0) {
        imp_error(c, f->path, row->line, "new_version: %s is not later than old_version %s",
                  nu->version, ou->version);
        return false;
    }
    if (!level_fits(ou->level, nu->level)) {
        imp_error(c, f->path, row->line,
                  "new_code: \"%s\" is a %s; a %s cannot be succeeded by a %s", nu->code,
                  validate_level_name(nu->level), validate_level_name(ou->level),
                  validate_level_name(nu->level));
        return false;
    }
    return true;
}

static void add_pair(struct imp_ctx *c, long o, long n, unsigned long line, bool full)
{
    struct imp_admin *a = c->admin;
    if (a->npairs == a->cappairs) {
        size_t cap = a->cappairs ? 2 * a->cappairs : 1024;
        struct pair *v = realloc(a->pairs, cap * sizeof *v);
        if (v == NULL) {
            imp_fail(c, "out of memory");
            return;
        }
        a->pairs = v;
        a->cappairs = cap;
    }
    a->pairs[a->npairs++] = (struct pair){(size_t)o, (size_t)n, line, full};
}

static void successor_row(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row,
                          void *arg)
{
    struct codeset *seen = arg;
    const char *const *v = row->v;
    unsigned long before = c->errors;
    struct err e;

    int share = *v[S_SHARE] ? validate_enum("share", v[S_SHARE], SHARES, &e) : -1;
    if (*v[S_SHARE] && share < 0)
        report(c, f, row->line, &e);
    long o = successor_end(c, f, row, S_OLD, S_OLD_VERSION, "old_code");
    long n = successor_end(c, f, row, S_NEW, S_NEW_VERSION, "new_code");
    if (o < 0 || n < 0 || !check_pair(c, f, row, o, n))
        return;
    char key[2 * KEY_MAX];
    const struct codeset_entry *first;
    snprintf(key, sizeof key, "%ld>%ld", o, n);
    int added = codeset_add(seen, key, row->line, 0, &first);
    if (added < 0) {
        imp_fail(c, "out of memory");
        return;
    }
    if (added == 0) {
        imp_error(c, f->path, row->line, "new_code: %s -> %s is a duplicate of line %lu", v[S_OLD],
                  v[S_NEW], first->line);
        return;
    }
    add_pair(c, o, n, row->line, share == 0);
    if (c->errors == before && imp_writing(c) &&
        imp_db_add_successor(c->db, v[S_OLD], v[S_OLD_VERSION], v[S_NEW], v[S_NEW_VERSION],
                             v[S_SHARE], v[S_NOTE], &e))
        imp_fail(c, "%s", e.msg);
}

static int cmp_pair(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    if (a->old != b->old)
        return a->old < b->old ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* "full" means the whole old unit went into one successor: it cannot have another. */
static void check_shares(struct imp_ctx *c, struct imp_file *f)
{
    struct imp_admin *a = c->admin;
    for (size_t i = 0, j; i < a->npairs; i = j) {
        for (j = i + 1; j < a->npairs && a->pairs[j].old == a->pairs[i].old;)
            j++;
        for (size_t k = i; j - i > 1 && k < j; k++) {
            const struct unit *u = &a->units[a->pairs[k].old];
            if (a->pairs[k].full)
                imp_error(c, f->path, a->pairs[k].line,
                          "share: full, but %s (version %s) has %zu successors; full means the "
                          "whole unit went into this one",
                          u->code, u->version, j - i);
        }
    }
}

static void load_successors(struct imp_ctx *c)
{
    struct imp_file *f = &c->files[IMP_SUCCESSORS];
    struct stat sb;
    if (stat(f->path, &sb) != 0 && errno == ENOENT) {
        f->absent = true; /* optional: no successor is known */
        f->usable = c->admin->pairs_ok = true;
        return;
    }
    unsigned long before = c->errors;
    struct codeset *seen = codeset_new();
    if (seen == NULL) {
        imp_fail(c, "out of memory");
        return;
    }
    imp_read_csv(c, f, successor_cols, S_NCOLS, successor_row, seen);
    codeset_free(seen);
    if (c->admin->npairs > 0) /* sorted by old unit: check_shares and the lookups rely on it */
        qsort(c->admin->pairs, c->admin->npairs, sizeof *c->admin->pairs, cmp_pair);
    if (f->usable && !c->failed)
        check_shares(c, f);
    c->admin->pairs_ok = f->usable && c->errors == before;
}

void imp_load_admin(struct imp_ctx *c)
{
    struct imp_file *f = &c->files[IMP_ADMIN];
    c->admin = calloc(1, sizeof *c->admin);
    if (c->admin == NULL || (c->admin->keys = codeset_new()) == NULL) {
        imp_fail(c, "out of memory");
        return;
    }
    imp_read_csv(c, f, admin_cols, A_NCOLS, admin_row, NULL);
    if (!f->usable || c->failed)
        return; /* the successors cannot be checked against a broken file */
    finish_units(c, f);
    c->admin->usable = true;
    load_successors(c);
}

void imp_admin_free(struct imp_ctx *c)
{
    if (c->admin == NULL)
        return;
    codeset_free(c->admin->keys);
    free(c->admin->units);
    free(c->admin->pairs);
    free(c->admin);
    c->admin = NULL;
}

/* ---- a place's codes ---- */

/* The latest version in which code is a unit, or -1. */
static long latest_unit(const struct imp_admin *a, const char *code)
{
    for (size_t v = 0; v < a->nvlist; v++) {
        long u = find_unit(a, code, a->vlist[v]);
        if (u >= 0)
            return u;
    }
    return -1;
}

/* The pairs whose old unit is u: [*first, return value) of the sorted a->pairs. */
static size_t pairs_of(const struct imp_admin *a, size_t u, size_t *first)
{
    size_t lo = 0, hi = a->npairs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->pairs[mid].old < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (hi < a->npairs && a->pairs[hi].old == u)
        hi++;
    return hi;
}

/* Appends the current-version successors of unit u (through any versions between) to out. */
static void current_successors(const struct imp_admin *a, size_t u, int depth, struct buf *out)
{
    if (strcmp(a->units[u].version, a->current) == 0) {
        buf_printf(out, "%s%s", out->len ? ", " : "", a->units[u].code);
        return;
    }
    size_t i, end = pairs_of(a, u, &i);
    for (; depth < 8 && i < end; i++)
        current_successors(a, a->pairs[i].new, depth + 1, out);
}

/* True when the current-version successors of u include the unit at index want. */
static bool leads_to(const struct imp_admin *a, size_t u, size_t want, int depth)
{
    if (u == want)
        return true;
    size_t i, end = pairs_of(a, u, &i);
    for (; depth < 8 && i < end; i++)
        if (leads_to(a, a->pairs[i].new, want, depth + 1))
            return true;
    return false;
}

/* A province or ward code that must be a unit of the current version; returns its index or -1. */
static long current_ref(struct imp_ctx *c, const char *path, unsigned long line, const char *col,
                        const char *code, int level)
{
    const struct imp_admin *a = c->admin;
    long u = find_unit(a, code, a->current);
    if (u >= 0 || *code == '\0')
        return u >= 0 && a->units[u].level == level ? u : -1;
    long old = latest_unit(a, code);
    if (old < 0 || a->units[old].level != level)
        return -1; /* not a unit of that level at all: the caller's check reports it */
    struct buf succ = {0};
    current_successors(a, (size_t)old, 0, &succ);
    imp_error(c, path, line,
              "%s: \"%s\" is a %s of version %s, not of the current version %s; places carry "
              "current codes%s%s",
              col, code, validate_level_name(level), a->units[old].version, a->current,
              succ.len ? ": it went into " : "", succ.len ? succ.data : "");
    buf_free(&succ);
    return -1;
}

/* The province (index) above unit u in its own version, or -1. */
static long province_of(const struct imp_admin *a, long u)
{
    for (int step = 0; u >= 0 && step < 4; step++) {
        if (a->units[u].level == VALIDATE_PROVINCE)
            return u;
        u = *a->units[u].parent ? find_unit(a, a->units[u].parent, a->units[u].version) : -1;
    }
    return -1;
}

static void check_district(struct imp_ctx *c, const char *path, unsigned long line,
                           const char *district, long prov)
{
    const struct imp_admin *a = c->admin;
    long d = find_unit(a, district, a->current);
    if (d < 0)
        d = latest_unit(a, district);
    long p = d >= 0 && a->units[d].level == VALIDATE_DISTRICT ? province_of(a, d) : -1;
    if (p < 0 || prov < 0 || leads_to(a, (size_t)p, (size_t)prov, 0))
        return;
    /* an old province whose successors are unknown (no or a broken admin_successors.csv) */
    if (strcmp(a->units[p].version, a->current) != 0) {
        size_t first, end = pairs_of(a, (size_t)p, &first);
        if (!a->pairs_ok || first == end)
            return;
    }
    imp_error(c, path, line,
              "district_code: \"%s\" is a district of province %s (version %s), which is not, "
              "and did not go into, province_code %s",
              district, a->units[p].code, a->units[p].version, a->units[prov].code);
}

void imp_admin_check_place(struct imp_ctx *c, const char *path, unsigned long line,
                           const char *province, const char *district, const char *ward)
{
    const struct imp_admin *a = c->admin;
    if (a == NULL || !a->usable || a->current == NULL)
        return;
    long p = current_ref(c, path, line, "province_code", province, VALIDATE_PROVINCE);
    long w = current_ref(c, path, line, "ward_code", ward, VALIDATE_WARD);
    long wp = w >= 0 ? province_of(a, w) : -1;
    if (p >= 0 && wp >= 0 && wp != p)
        imp_error(c, path, line, "ward_code: \"%s\" is in province %s, not in province_code %s",
                  ward, a->units[wp].code, province);
    if (*district)
        check_district(c, path, line, district, p >= 0 ? p : wp);
}
