/*
 * import_run: the order of an import and its outcome. The files are read in
 * dependency order (admin units, then offices, then agents and facilities,
 * which reference both), each in one streaming pass that validates every row
 * and, as long as no problem has been found anywhere, inserts it into the
 * temporary database. The first problem stops the inserting but not the
 * validating, so one run lists every problem (up to the cap), and then the
 * temporary database is thrown away.
 */
#include "import/import.h"

#include <stdlib.h>
#include <string.h>

#include "import/internal.h"
#include "import/lock.h"

#define DEFAULT_MAX_ERRORS 50

static const char *const FILE_NAMES[IMP_NFILES] = {
    [IMP_ADMIN] = "admin_units.csv",
    [IMP_SUCCESSORS] = "admin_successors.csv", /* the one optional file */
    [IMP_OFFICES] = "offices.csv",
    [IMP_AGENTS] = "agents.csv",
    [IMP_FACILITIES] = "facilities.csv",
};

static int ctx_init(struct imp_ctx *c, const struct import_opts *o, FILE *log)
{
    size_t n = strlen(o->data_dir);
    const char *sep = n > 0 && o->data_dir[n - 1] == '/' ? "" : "/";

    memset(c, 0, sizeof *c);
    c->log = log;
    c->max_errors = o->max_errors ? o->max_errors : DEFAULT_MAX_ERRORS;
    for (int i = 0; i < IMP_NFILES; i++) {
        c->files[i].name = FILE_NAMES[i];
        if (asprintf(&c->files[i].path, "%s%s%s", o->data_dir, sep, FILE_NAMES[i]) < 0) {
            c->files[i].path = NULL;
            return -1;
        }
        if ((c->codes[i] = codeset_new()) == NULL)
            return -1;
    }
    return 0;
}

static void ctx_free(struct imp_ctx *c)
{
    imp_db_abort(c->db);
    c->db = NULL;
    for (int i = 0; i < IMP_NFILES; i++) {
        free(c->files[i].path);
        codeset_free(c->codes[i]);
    }
    imp_admin_free(c);
    arena_free(&c->arena);
    imp_options_free(c);
}

/* Commits or discards the database; returns the result of import_run. */
static int finish(struct imp_ctx *c, time_t built)
{
    struct err e;
    char id[64];

    if (c->failed || c->errors > 0) {
        imp_db_abort(c->db);
        c->db = NULL;
        if (c->failed)
            return 2;
        if (c->errors > c->max_errors)
            fprintf(c->log, "... and %lu more errors\n", c->errors - c->max_errors);
        return 1;
    }
    int rc = imp_db_commit(c->db, c->files, IMP_NFILES, built, id, sizeof id, &e);
    c->db = NULL; /* freed by imp_db_commit either way */
    if (rc != 0) {
        fprintf(c->log, "%s\n", e.msg);
        return 2;
    }
    return 0;
}

int import_run(const struct import_opts *o, FILE *log)
{
    struct imp_ctx c;
    struct err e;
    time_t built;

    if (imp_build_time(&built, &e) != 0) {
        fprintf(log, "%s\n", e.msg);
        return 2;
    }
    int lock = import_lock_acquire(o->out_path, log);
    if (lock < 0)
        return 2;
    if (ctx_init(&c, o, log) != 0) {
        fputs("out of memory\n", log);
        ctx_free(&c);
        import_lock_release(lock);
        return 2;
    }
    int opt_rc = imp_options_init(&c, o); /* --crs, --encoding, --columns */
    if (opt_rc != 0) {
        ctx_free(&c);
        import_lock_release(lock);
        return opt_rc;
    }
    imp_clock_start(&c.clock, o->timings ? log : NULL);
    c.db = imp_db_create(o->out_path, &c.clock, &e);
    if (c.db == NULL)
        imp_fail(&c, "%s", e.msg);
    imp_clock_mark(&c.clock, "create the database");
    if (!c.failed)
        imp_load_admin(&c);
    imp_clock_mark(&c.clock, "admin_units.csv, admin_successors.csv");
    for (int id = IMP_OFFICES; id < IMP_NFILES && !c.failed; id++) {
        imp_load_places(&c, id);
        imp_clock_mark(&c.clock, FILE_NAMES[id]);
    }
    int rc = finish(&c, built);
    ctx_free(&c);
    import_lock_release(lock);
    return rc;
}
