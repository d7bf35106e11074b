/*
 * places: the rows of offices.csv, agents.csv and facilities.csv, which
 * share most columns and all go into the places table. Office codes go into
 * c->codes[IMP_OFFICES] tagged with the office level (offices are read first,
 * so agents and facilities can check their managing office at once); an
 * office whose parent comes later in the file is checked once it is read.
 */
#include "import/internal.h"

#include <string.h>

#include "import/validate.h"

enum {
    P_CODE,
    P_NAME,
    P_PARENT,
    P_ADDRESS,
    P_PROVINCE,
    P_DISTRICT,
    P_WARD,
    P_PHONE,
    P_EMAIL,
    P_WEBSITE,
    P_HOURS,
    P_LAT,
    P_LON,
    P_APPROX,
    P_SOURCE,
    P_UPDATED,
    P_LEVEL,
    P_AGENT_TYPE,
    P_CLASS,
    P_OWNERSHIP,
    P_INITIAL,
    P_CRS,
    P_EASTING,
    P_NORTHING,
    P_NCOLS
};

#define REQ_COL IMP_COL_REQUIRED
#define REQ_VAL (IMP_COL_REQUIRED | IMP_VAL_REQUIRED)

#define COMMON_COLS                                                                                \
    [P_CODE] = {"code", REQ_VAL}, [P_NAME] = {"name", REQ_VAL}, [P_ADDRESS] = {"address", 0},      \
    [P_PROVINCE] = {"province_code", 0}, [P_DISTRICT] = {"district_code", 0},                      \
    [P_WARD] = {"ward_code", 0}, [P_PHONE] = {"phone", 0}, [P_EMAIL] = {"email", 0},               \
    [P_WEBSITE] = {"website", 0}, [P_HOURS] = {"opening_hours", 0}, [P_LAT] = {"lat", 0},          \
    [P_LON] = {"lon", 0}, [P_APPROX] = {"position_approx", 0}, [P_SOURCE] = {"source", REQ_VAL},   \
    [P_UPDATED] = {"updated", 0}, [P_CRS] = {"crs", 0}, [P_EASTING] = {"easting", 0},              \
    [P_NORTHING] = {"northing", 0}

/* parent_code: an office's parent must be stated (empty for a province office). */
static const struct imp_col office_cols[P_NCOLS] = {
    COMMON_COLS,
    [P_PARENT] = {"parent_code", REQ_COL},
    [P_LEVEL] = {"level", REQ_VAL},
};
static const struct imp_col agent_cols[P_NCOLS] = {
    COMMON_COLS,
    [P_PARENT] = {"parent_code", 0},
    [P_AGENT_TYPE] = {"agent_type", 0},
};
static const struct imp_col facility_cols[P_NCOLS] = {
    COMMON_COLS,
    [P_PARENT] = {"parent_code", 0},
    [P_LEVEL] = {"level", 0},
    [P_CLASS] = {"facility_class", 0},
    [P_OWNERSHIP] = {"ownership", 0},
    [P_INITIAL] = {"accepts_initial_registration", 0},
};

static const char *const OFFICE_LEVELS[] = {"province", "district", NULL};
static const char *const FACILITY_LEVELS[] = {"central", "province", "district", "commune", NULL};
static const char *const CLASSES[] = {"special", "1", "2", "3", "4", NULL};
static const char *const OWNERSHIPS[] = {"public", "private", NULL};

struct place_state {
    enum imp_file_id id;
    const char *kind;
    enum colmap_kind colmap_kind;
    struct imp_pending_list pending; /* offices whose parent was not seen yet */
    struct buf scratch;              /* for colmap_value() */
};

static void report(struct imp_ctx *c, struct imp_file *f, unsigned long line, const struct err *e)
{
    imp_error(c, f->path, line, "%s", e->msg);
}

/* A set that references may be checked against, or NULL if its file could not be read. */
static const struct codeset *ref_set(const struct imp_ctx *c, enum imp_file_id id)
{
    return c->files[id].usable ? c->codes[id] : NULL;
}

/* The kind-specific columns; returns the office level (UNKNOWN for other kinds). */
static int check_kind_fields(struct imp_ctx *c, struct imp_file *f, const struct place_state *st,
                             const struct imp_row *row, struct imp_place *p)
{
    const char *const *v = row->v;
    int level = VALIDATE_LEVEL_UNKNOWN;
    struct err e;
    bool b;

    if (st->id == IMP_OFFICES && *v[P_LEVEL]) {
        level = validate_enum("level", v[P_LEVEL], OFFICE_LEVELS, &e) + 1;
        if (level == VALIDATE_LEVEL_UNKNOWN)
            report(c, f, row->line, &e);
    }
    if (st->id != IMP_FACILITIES)
        return level;
    if (*v[P_LEVEL] && validate_enum("level", v[P_LEVEL], FACILITY_LEVELS, &e) < 0)
        report(c, f, row->line, &e);
    if (*v[P_CLASS] && validate_enum("facility_class", v[P_CLASS], CLASSES, &e) < 0)
        report(c, f, row->line, &e);
    if (*v[P_OWNERSHIP] && validate_enum("ownership", v[P_OWNERSHIP], OWNERSHIPS, &e) < 0)
        report(c, f, row->line, &e);
    if (*v[P_INITIAL]) {
        if (validate_bool("accepts_initial_registration", v[P_INITIAL], &b, &e))
            p->accepts_initial_registration = b;
        else
            report(c, f, row->line, &e);
    }
    return level;
}

/* Code format for the kind, then uniqueness within the kind. */
static void check_code(struct imp_ctx *c, struct imp_file *f, const struct place_state *st,
                       const struct imp_row *row, int level)
{
    const char *code = row->v[P_CODE];
    const struct codeset_entry *first;
    struct err e;
    bool ok;

    if (*code == '\0')
        return; /* reported as required */
    if (st->id == IMP_OFFICES)
        ok = validate_office_code(code, level, row->v[P_PARENT], &e);
    else if (st->id == IMP_AGENTS)
        ok = validate_agent_code(code, &e);
    else
        ok = validate_facility_code(code, ref_set(c, IMP_ADMIN), &e);
    if (!ok)
        report(c, f, row->line, &e);
    int added = codeset_add(c->codes[st->id], code, row->line, level, &first);
    if (added < 0) {
        imp_fail(c, "out of memory");
    } else if (added == 0) {
        validate_duplicate(code, first->line, &e);
        report(c, f, row->line, &e);
    }
}

/* The parent office: for an office it may come later in the file. */
static void check_parent(struct imp_ctx *c, struct imp_file *f, struct place_state *st,
                         const struct imp_row *row, int level)
{
    const char *parent = row->v[P_PARENT];
    struct err e;

    if (st->id == IMP_OFFICES && !validate_office_parent(level, parent, &e)) {
        report(c, f, row->line, &e);
        return;
    }
    if (*parent == '\0')
        return;
    if (st->id == IMP_OFFICES) {
        if (codeset_get(c->codes[IMP_OFFICES], parent) == NULL) {
            imp_defer(c, &st->pending, row->line, row->v[P_CODE], parent, level);
            return;
        }
        int want = level == VALIDATE_DISTRICT ? VALIDATE_PROVINCE : VALIDATE_LEVEL_UNKNOWN;
        if (!validate_office_ref("parent_code", parent, want, c->codes[IMP_OFFICES], &e))
            report(c, f, row->line, &e);
    } else if (!validate_office_ref("parent_code", parent, 0, ref_set(c, IMP_OFFICES), &e)) {
        report(c, f, row->line, &e);
    }
}

static void check_admin_refs(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row)
{
    static const struct {
        int col, level;
        const char *name;
    } refs[] = {
        {P_PROVINCE, VALIDATE_PROVINCE, "province_code"},
        {P_DISTRICT, VALIDATE_DISTRICT, "district_code"},
        {P_WARD, VALIDATE_WARD, "ward_code"},
    };
    struct err e;

    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        const char *code = row->v[refs[i].col];
        if (*code &&
            !validate_admin_ref(refs[i].name, code, refs[i].level, ref_set(c, IMP_ADMIN), &e))
            report(c, f, row->line, &e);
    }
    /* current province and ward, legacy district (admin.c) */
    imp_admin_check_place(c, f->path, row->line, row->v[P_PROVINCE], row->v[P_DISTRICT],
                          row->v[P_WARD]);
}

static void check_position(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row,
                           struct imp_place *p)
{
    const char *const *v = row->v;
    struct imp_position pos = {v[P_CRS], v[P_LAT], v[P_LON], v[P_EASTING], v[P_NORTHING]};
    imp_check_position(c, f, row->line, &pos, p);
}

/*
 * The row with Vietnamese values of enumerated columns replaced by the
 * canonical ones ("Trung ương" -> central, "Hạng I" -> 1, "Có" -> true);
 * out holds the values and must outlive the returned row.
 */
static struct imp_row canonical_values(struct place_state *st, const struct imp_row *row,
                                       const char **out)
{
    static const struct {
        int col;
        const char *name;
    } enums[] = {{P_LEVEL, "level"},
                 {P_CLASS, "facility_class"},
                 {P_OWNERSHIP, "ownership"},
                 {P_INITIAL, "accepts_initial_registration"},
                 {P_APPROX, "position_approx"}};
    memcpy(out, row->v, P_NCOLS * sizeof *out);
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
        const char *v = out[enums[i].col];
        if (*v)
            out[enums[i].col] = colmap_value(st->colmap_kind, enums[i].name, v, &st->scratch);
    }
    return (struct imp_row){.line = row->line, .v = out};
}

/* The header names lat and lon, or easting and northing (position.c). */
static bool place_header(struct imp_ctx *c, struct imp_file *f, unsigned long line,
                         const bool *present, void *arg)
{
    (void)arg;
    return imp_position_header(c, f, line, present[P_CRS], present[P_LAT], present[P_LON],
                               present[P_EASTING], present[P_NORTHING]);
}

static void check_misc(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row,
                       struct imp_place *p)
{
    const char *const *v = row->v;
    struct err e;

    if (*v[P_APPROX] && !validate_bool("position_approx", v[P_APPROX], &p->position_approx, &e))
        report(c, f, row->line, &e);
    if (*v[P_SOURCE] && !validate_source(v[P_SOURCE], &e))
        report(c, f, row->line, &e);
    if (*v[P_UPDATED] && !validate_date("updated", v[P_UPDATED], &e))
        report(c, f, row->line, &e);
}

static void insert(struct imp_ctx *c, const struct imp_row *row, struct imp_place *p)
{
    const char *const *v = row->v;
    struct err e;

    p->code = v[P_CODE];
    p->name = v[P_NAME];
    p->parent_code = v[P_PARENT];
    p->level = v[P_LEVEL];
    p->facility_class = v[P_CLASS];
    p->ownership = v[P_OWNERSHIP];
    p->agent_type = v[P_AGENT_TYPE];
    p->address = v[P_ADDRESS];
    p->province_code = v[P_PROVINCE];
    p->district_code = v[P_DISTRICT];
    p->ward_code = v[P_WARD];
    p->phone = v[P_PHONE];
    p->email = v[P_EMAIL];
    p->website = v[P_WEBSITE];
    p->opening_hours = v[P_HOURS];
    p->source = v[P_SOURCE];
    p->updated = v[P_UPDATED];
    if (imp_db_add_place(c->db, p, &e) != 0)
        imp_fail(c, "%s", e.msg);
}

static void place_row(struct imp_ctx *c, struct imp_file *f, const struct imp_row *given, void *arg)
{
    struct place_state *st = arg;
    unsigned long before = c->errors;
    const char *values[P_NCOLS];
    struct imp_row canon = canonical_values(st, given, values);
    const struct imp_row *row = &canon;
    struct imp_place p = {
        .kind = st->kind,
        .src_file = f->name,
        .src_line = row->line,
        .accepts_initial_registration = -1,
    };

    int level = check_kind_fields(c, f, st, row, &p);
    check_code(c, f, st, row, level);
    check_parent(c, f, st, row, level);
    check_admin_refs(c, f, row);
    check_position(c, f, row, &p);
    check_misc(c, f, row, &p);
    if (c->errors == before && imp_writing(c))
        insert(c, row, &p);
}

/* Offices whose parent came after them. */
static void check_pending(struct imp_ctx *c, struct imp_file *f, struct place_state *st)
{
    for (size_t i = 0; i < st->pending.n; i++) {
        const struct imp_pending *p = &st->pending.v[i];
        int want = p->level == VALIDATE_DISTRICT ? VALIDATE_PROVINCE : VALIDATE_LEVEL_UNKNOWN;
        struct err e;
        if (!validate_office_ref("parent_code", p->parent, want, c->codes[IMP_OFFICES], &e))
            report(c, f, p->line, &e);
    }
}

void imp_load_places(struct imp_ctx *c, enum imp_file_id id)
{
    static const char *const kinds[] = {
        [IMP_OFFICES] = "office", [IMP_AGENTS] = "agent", [IMP_FACILITIES] = "facility"};
    static const struct imp_col *const cols[] = {
        [IMP_OFFICES] = office_cols, [IMP_AGENTS] = agent_cols, [IMP_FACILITIES] = facility_cols};
    static const enum colmap_kind colmap_kinds[] = {[IMP_OFFICES] = COLMAP_OFFICE,
                                                    [IMP_AGENTS] = COLMAP_AGENT,
                                                    [IMP_FACILITIES] = COLMAP_FACILITY};
    struct place_state st = {.id = id, .kind = kinds[id], .colmap_kind = colmap_kinds[id]};
    struct imp_file *f = &c->files[id];

    imp_read_csv_hdr(c, f, cols[id], P_NCOLS, place_header, place_row, &st);
    if (f->usable && !c->failed)
        check_pending(c, f, &st);
    imp_pending_free(&st.pending);
    buf_free(&st.scratch);
}
