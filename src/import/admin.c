/*
 * admin: the rows of admin_units.csv (GSO units). Codes go into
 * c->codes[IMP_ADMIN] tagged with their level, for the places files to
 * reference; a parent further down the file is checked once the file is read.
 */
#include "import/internal.h"

#include <string.h>

#include "import/validate.h"

enum { A_CODE, A_NAME, A_TYPE, A_LEVEL, A_PARENT, A_NCOLS };

static const struct imp_col admin_cols[A_NCOLS] = {
    [A_CODE] = {"code", IMP_COL_REQUIRED | IMP_VAL_REQUIRED},
    [A_NAME] = {"name", IMP_COL_REQUIRED | IMP_VAL_REQUIRED},
    [A_TYPE] = {"type", 0},
    [A_LEVEL] = {"level", IMP_COL_REQUIRED | IMP_VAL_REQUIRED},
    [A_PARENT] = {"parent_code", IMP_COL_REQUIRED},
};

static const char *const LEVELS[] = {"province", "district", "ward", NULL};

struct admin_state {
    struct imp_pending_list pending; /* parents not yet seen */
};

static void report(struct imp_ctx *c, struct imp_file *f, unsigned long line, const struct err *e)
{
    imp_error(c, f->path, line, "%s", e->msg);
}

/* Checks the parent now if it has been seen, else later; returns false if reported. */
static bool check_parent(struct imp_ctx *c, struct imp_file *f, struct admin_state *st,
                         const struct imp_row *row, int level)
{
    const char *code = row->v[A_CODE], *parent = row->v[A_PARENT];
    const struct codeset_entry *p = *parent ? codeset_get(c->codes[IMP_ADMIN], parent) : NULL;
    struct err e;

    if (*parent && p == NULL && level > VALIDATE_PROVINCE) {
        imp_defer(c, &st->pending, row->line, code, parent, level);
        return true;
    }
    if (!validate_admin_parent(level, parent, p != NULL, p ? p->tag : 0, &e)) {
        report(c, f, row->line, &e);
        return false;
    }
    return true;
}

static void admin_row(struct imp_ctx *c, struct imp_file *f, const struct imp_row *row, void *arg)
{
    const char *const *v = row->v;
    unsigned long before = c->errors;
    int level = VALIDATE_LEVEL_UNKNOWN;
    struct err e;

    if (*v[A_LEVEL]) {
        level = validate_enum("level", v[A_LEVEL], LEVELS, &e) + 1;
        if (level == VALIDATE_LEVEL_UNKNOWN)
            report(c, f, row->line, &e);
    }
    if (*v[A_CODE]) {
        const struct codeset_entry *first;
        if (!validate_admin_code(v[A_CODE], level, &e))
            report(c, f, row->line, &e);
        int added = codeset_add(c->codes[IMP_ADMIN], v[A_CODE], row->line, level, &first);
        if (added < 0)
            imp_fail(c, "out of memory");
        else if (added == 0) {
            validate_duplicate(v[A_CODE], first->line, &e);
            report(c, f, row->line, &e);
        }
        check_parent(c, f, arg, row, level);
    }
    if (c->errors != before || !imp_writing(c))
        return;
    if (imp_db_add_admin(c->db, v[A_CODE], v[A_NAME], v[A_TYPE], v[A_LEVEL], v[A_PARENT], &e))
        imp_fail(c, "%s", e.msg);
}

/* Parents that came after their children. */
static void check_pending(struct imp_ctx *c, struct imp_file *f, struct admin_state *st)
{
    for (size_t i = 0; i < st->pending.n; i++) {
        const struct imp_pending *p = &st->pending.v[i];
        const struct codeset_entry *u = codeset_get(c->codes[IMP_ADMIN], p->parent);
        struct err e;
        if (!validate_admin_parent(p->level, p->parent, u != NULL, u ? u->tag : 0, &e))
            report(c, f, p->line, &e);
    }
}

void imp_load_admin(struct imp_ctx *c)
{
    struct imp_file *f = &c->files[IMP_ADMIN];
    struct admin_state st = {0};

    imp_read_csv(c, f, admin_cols, A_NCOLS, admin_row, &st);
    if (f->usable && !c->failed)
        check_pending(c, f, &st);
    imp_pending_free(&st.pending);
}
