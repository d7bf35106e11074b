/*
 * release_write: the database being built. It lives as OUT.tmp-PID in the
 * directory of OUT, so the final rename() is atomic: a server never sees a
 * half-written release, and OUT keeps its old content on every failure.
 *
 * Speed: the file is private until renamed, so there is no journal and no
 * sync while loading; durability comes from one fsync() of the finished
 * file and one of its directory. Rows go in through prepared statements
 * inside one transaction; indexes are built after the rows. Each place also
 * gets its folded name and address (text/fold.h) into places_fts, under the
 * same rowid, folded into two buffers reused from row to row.
 *
 * struct imp_db owns the connection, the statements, the fold buffers and
 * both path strings.
 */
#include "import/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/schema.h"
#include "text/fold.h"
#include "util/buf.h"

#ifndef BHXH_VERSION
#define BHXH_VERSION "unknown"
#endif

struct imp_db {
    struct store_db *db;
    sqlite3_stmt *admin, *successor, *place, *fts;
    struct buf fold_name, fold_address; /* places_fts text of the current row */
    char *out_path, *tmp_path;
};

static const char PRAGMAS[] = "PRAGMA journal_mode = OFF;\n"
                              "PRAGMA synchronous = OFF;\n"
                              "PRAGMA temp_store = MEMORY;\n"
                              "PRAGMA cache_size = -65536;\n";

static const char INSERT_ADMIN[] = "INSERT INTO admin_units (code, name, type, level, parent_code,"
                                   " version) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char INSERT_SUCCESSOR[] =
    "INSERT INTO admin_successors (old_code, old_version, new_code, new_version, share, note)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static const char INSERT_PLACE[] =
    "INSERT INTO places (kind, code, name, parent_code, level, facility_class, ownership,"
    " accepts_initial_registration, agent_type, address, province_code, district_code,"
    " ward_code, phone, email, website, opening_hours, lat, lon, position_approx, source,"
    " updated, src_file, src_line, src_crs, src_x, src_y, geom)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, MakePoint(?19, ?18, 4326))";

static const char INSERT_FTS[] =
    "INSERT INTO places_fts (rowid, name, address, tags) VALUES (?1, ?2, ?3, ?4)";

/* Removes the temporary file and any journal SQLite may have left beside it. */
static void remove_temp(const struct imp_db *d)
{
    char journal[4096];
    unlink(d->tmp_path);
    snprintf(journal, sizeof journal, "%s-journal", d->tmp_path);
    unlink(journal);
}

static int sql_fail(struct imp_db *d, const char *what, struct err *e)
{
    err_set(e, "%s: %s: %s", d->tmp_path, what, sqlite3_errmsg(store_db_handle(d->db)));
    return -1;
}

static int exec(struct imp_db *d, const char *sql, struct err *e)
{
    struct err inner;
    if (store_db_exec(d->db, sql, &inner) == 0)
        return 0;
    err_set(e, "%s: %s", d->tmp_path, inner.msg);
    return -1;
}

static int prepare(struct imp_db *d, struct err *e)
{
    sqlite3 *h = store_db_handle(d->db);
    if (sqlite3_prepare_v3(h, INSERT_ADMIN, -1, SQLITE_PREPARE_PERSISTENT, &d->admin, NULL) ||
        sqlite3_prepare_v3(h, INSERT_SUCCESSOR, -1, SQLITE_PREPARE_PERSISTENT, &d->successor,
                           NULL) ||
        sqlite3_prepare_v3(h, INSERT_PLACE, -1, SQLITE_PREPARE_PERSISTENT, &d->place, NULL) ||
        sqlite3_prepare_v3(h, INSERT_FTS, -1, SQLITE_PREPARE_PERSISTENT, &d->fts, NULL))
        return sql_fail(d, "cannot prepare insert", e);
    return 0;
}

static void finalize(struct imp_db *d)
{
    sqlite3_finalize(d->admin);
    sqlite3_finalize(d->successor);
    sqlite3_finalize(d->place);
    sqlite3_finalize(d->fts);
    d->admin = d->successor = d->place = d->fts = NULL;
}

static void db_free(struct imp_db *d)
{
    finalize(d);
    store_db_close(d->db);
    buf_free(&d->fold_name);
    buf_free(&d->fold_address);
    free(d->out_path);
    free(d->tmp_path);
    free(d);
}

struct imp_db *imp_db_create(const char *out_path, struct err *e)
{
    struct imp_db *d = calloc(1, sizeof *d);
    if (d == NULL || (d->out_path = strdup(out_path)) == NULL ||
        asprintf(&d->tmp_path, "%s.tmp-%ld", out_path, (long)getpid()) < 0) {
        if (d)
            free(d->out_path);
        free(d);
        err_set(e, "out of memory");
        return NULL;
    }
    remove_temp(d); /* a leftover of a crashed run with our pid */
    d->db = store_db_open(d->tmp_path, false, e);
    if (d->db == NULL || exec(d, PRAGMAS, e) || exec(d, STORE_SCHEMA_SQL, e) || prepare(d, e) ||
        exec(d, "BEGIN", e)) {
        imp_db_abort(d);
        return NULL;
    }
    return d;
}

void imp_db_abort(struct imp_db *d)
{
    if (d == NULL)
        return;
    finalize(d);
    store_db_close(d->db);
    d->db = NULL;
    remove_temp(d);
    db_free(d);
}

/* Binds s, or NULL when s is NULL or empty. */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL || *s == '\0')
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int step_reset(struct imp_db *d, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return sql_fail(d, what, e);
    return 0;
}

int imp_db_add_admin(struct imp_db *d, const char *code, const char *name, const char *type,
                     const char *level, const char *parent, const char *version, struct err *e)
{
    bind_text(d->admin, 1, code);
    bind_text(d->admin, 2, name);
    bind_text(d->admin, 3, type);
    bind_text(d->admin, 4, level);
    bind_text(d->admin, 5, parent);
    bind_text(d->admin, 6, version);
    return step_reset(d, d->admin, "cannot insert admin unit", e);
}

int imp_db_add_successor(struct imp_db *d, const char *old_code, const char *old_version,
                         const char *new_code, const char *new_version, const char *share,
                         const char *note, struct err *e)
{
    const char *v[] = {old_code, old_version, new_code, new_version, share, note};
    for (int i = 0; i < 6; i++)
        bind_text(d->successor, i + 1, v[i]);
    return step_reset(d, d->successor, "cannot insert admin successor", e);
}

/*
 * Puts the place just inserted as rowid into places_fts (store/schema.h):
 * its folded name, its folded address with every word marked, and its
 * province tag, under its search rowid (kind, words of the folded name,
 * rowid).
 */
static int add_search_text(struct imp_db *d, const struct imp_place *p, sqlite3_int64 rowid,
                           struct err *e)
{
    const char *name = p->name ? p->name : "", *addr = p->address ? p->address : "";
    struct buf words = {0}, marked = {0}, tags = {0};
    enum place_kind kind = PLACE_AGENT;
    if (p->kind)
        place_kind_parse(p->kind, strlen(p->kind), &kind);
    buf_reset(&d->fold_name);
    buf_reset(&d->fold_address);
    int rc = fold_index_text(name, strlen(name), &d->fold_name) ||
             fold_index_text(addr, strlen(addr), &d->fold_address) ||
             fold_text(name, strlen(name), &words) ||
             (p->province_code &&
              buf_printf(&tags, STORE_FTS_PROVINCE_MARK "%s", p->province_code) != 0);
    /* Folded text is words joined by single spaces. */
    const char *a = d->fold_address.data, *end = a ? a + d->fold_address.len : NULL;
    while (rc == 0 && a < end) {
        const char *sp = memchr(a, ' ', (size_t)(end - a));
        sp = sp ? sp : end;
        rc = buf_puts(&marked, marked.len ? " " STORE_FTS_ADDRESS_MARK : STORE_FTS_ADDRESS_MARK) ||
             buf_append(&marked, a, (size_t)(sp - a));
        a = sp < end ? sp + 1 : end;
    }
    unsigned nwords = 0;
    for (size_t i = 0; i < words.len; i++)
        nwords += i == 0 || words.data[i] == ' ';
    sqlite3_int64 fts_rowid = store_fts_rowid(kind, nwords, rowid);
    if (rc != 0)
        err_set(e, "out of memory");
    else if (fts_rowid < 0)
        err_set(e, "%s: place row %lld is past the search index's limit", d->tmp_path,
                (long long)rowid);
    if (rc == 0 && fts_rowid >= 0) {
        sqlite3_bind_int64(d->fts, 1, fts_rowid);
        sqlite3_bind_text(d->fts, 2, d->fold_name.len ? d->fold_name.data : "",
                          (int)d->fold_name.len, SQLITE_STATIC);
        sqlite3_bind_text(d->fts, 3, marked.len ? marked.data : "", (int)marked.len,
                          SQLITE_TRANSIENT);
        sqlite3_bind_text(d->fts, 4, tags.len ? tags.data : "", (int)tags.len, SQLITE_TRANSIENT);
        rc = step_reset(d, d->fts, "cannot insert search text", e);
    } else {
        rc = -1;
    }
    buf_free(&words);
    buf_free(&marked);
    buf_free(&tags);
    return rc;
}

int imp_db_add_place(struct imp_db *d, const struct imp_place *p, struct err *e)
{
    sqlite3_stmt *st = d->place;
    const char *texts[] = {p->kind,  p->code,           p->name,     p->parent_code,
                           p->level, p->facility_class, p->ownership};
    const char *texts2[] = {p->agent_type,    p->address,   p->province_code,
                            p->district_code, p->ward_code, p->phone,
                            p->email,         p->website,   p->opening_hours};
    for (int i = 0; i < 7; i++)
        bind_text(st, 1 + i, texts[i]);
    if (p->accepts_initial_registration >= 0)
        sqlite3_bind_int(st, 8, p->accepts_initial_registration);
    for (int i = 0; i < 9; i++)
        bind_text(st, 9 + i, texts2[i]);
    sqlite3_bind_double(st, 18, p->lat);
    sqlite3_bind_double(st, 19, p->lon);
    sqlite3_bind_int(st, 20, p->position_approx);
    bind_text(st, 21, p->source);
    bind_text(st, 22, p->updated);
    bind_text(st, 23, p->src_file);
    sqlite3_bind_int64(st, 24, (sqlite3_int64)p->src_line);
    if (p->src_crs[0]) { /* the position as given, when it was transformed */
        bind_text(st, 25, p->src_crs);
        sqlite3_bind_double(st, 26, p->src_x);
        sqlite3_bind_double(st, 27, p->src_y);
    }
    if (step_reset(d, st, "cannot insert place", e))
        return -1;
    return add_search_text(d, p, sqlite3_last_insert_rowid(store_db_handle(d->db)), e);
}

int imp_build_time(time_t *out, struct err *e)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (s == NULL || *s == '\0') {
        *out = time(NULL);
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end != '\0' || v < 0 || s[0] < '0' || s[0] > '9') {
        err_set(e, "SOURCE_DATE_EPOCH: \"%.40s\" is not a number of seconds since 1970", s);
        return -1;
    }
    *out = (time_t)v;
    return 0;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/*
 * The release id: build time, then the first 8 hex digits of SHA-256 over
 * the files' SHA-256 digests (32 raw bytes each, in import order; an absent
 * optional file counts for nothing), so the
 * same data built at the same time always gets the same id.
 */
static void release_id(char *out, size_t n, const struct imp_file *files, size_t nfiles,
                       const struct tm *tm)
{
    struct sha256_ctx sha;
    unsigned char digest[SHA256_DIGEST_SIZE];
    char stamp[32], h[2 * SHA256_DIGEST_SIZE + 1];

    sha256_init(&sha);
    for (size_t i = 0; i < nfiles; i++)
        if (!files[i].absent)
            sha256_update(&sha, sizeof files[i].sha256, files[i].sha256);
    sha256_digest(&sha, sizeof digest, digest);
    hex(h, digest, sizeof digest);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", tm);
    snprintf(out, n, "%s-%.8s", stamp, h);
}

static int write_release(struct imp_db *d, const struct imp_file *files, size_t nfiles,
                         const char *id, const char *built_at, struct err *e)
{
    sqlite3 *h = store_db_handle(d->db);
    sqlite3_stmt *rel = NULL, *src = NULL;
    char sha[2 * SHA256_DIGEST_SIZE + 1];
    int rc = -1;

    if (sqlite3_prepare_v2(h,
                           "INSERT INTO release (id, built_at, schema_version, generator)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &rel, NULL) ||
        sqlite3_prepare_v2(h,
                           "INSERT INTO release_sources (file, sha256, bytes, rows)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &src, NULL)) {
        sql_fail(d, "cannot prepare release rows", e);
        goto out;
    }
    sqlite3_bind_text(rel, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(rel, 2, built_at, -1, SQLITE_STATIC);
    sqlite3_bind_int(rel, 3, STORE_SCHEMA_VERSION);
    sqlite3_bind_text(rel, 4, "bhxh-geo " BHXH_VERSION, -1, SQLITE_STATIC);
    if (step_reset(d, rel, "cannot insert release", e))
        goto out;
    for (size_t i = 0; i < nfiles; i++) {
        if (files[i].absent)
            continue;
        hex(sha, files[i].sha256, sizeof files[i].sha256);
        sqlite3_bind_text(src, 1, files[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(src, 2, sha, -1, SQLITE_STATIC);
        sqlite3_bind_int64(src, 3, (sqlite3_int64)files[i].bytes);
        sqlite3_bind_int64(src, 4, (sqlite3_int64)files[i].rows);
        if (step_reset(d, src, "cannot insert release source", e))
            goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(rel);
    sqlite3_finalize(src);
    return rc;
}

static int fsync_path(const char *path, int flags, struct err *e)
{
    int fd = open(path, flags);
    if (fd < 0 || fsync(fd) != 0) {
        err_set(e, "%s: cannot sync: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Closes the finished file, makes it durable and puts it in place. */
static int swap_in(struct imp_db *d, struct err *e)
{
    store_db_close(d->db);
    d->db = NULL;
    if (fsync_path(d->tmp_path, O_RDONLY, e))
        return -1;
    if (rename(d->tmp_path, d->out_path) != 0) {
        err_set(e, "%s: cannot replace with %s: %s", d->out_path, d->tmp_path, strerror(errno));
        return -1;
    }
    /*
     * Best effort from here: the new release is in place, so a failure to
     * sync the directory entry must not be reported as "out_path unchanged".
     */
    char *dir = strdup(d->out_path);
    if (dir) {
        struct err ignored;
        fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY, &ignored);
        free(dir);
    }
    return 0;
}

int imp_db_commit(struct imp_db *d, const struct imp_file *files, size_t nfiles, time_t built,
                  char *id, size_t id_size, struct err *e)
{
    struct tm tm;
    char built_at[32];

    finalize(d);
    if (gmtime_r(&built, &tm) == NULL) {
        err_set(e, "build time %lld cannot be represented", (long long)built);
        goto fail;
    }
    strftime(built_at, sizeof built_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    release_id(id, id_size, files, nfiles, &tm);
    if (exec(d, "COMMIT", e) || exec(d, STORE_SCHEMA_INDEX_SQL, e) || exec(d, "BEGIN", e) ||
        write_release(d, files, nfiles, id, built_at, e) || exec(d, "COMMIT", e) || swap_in(d, e))
        goto fail;
    db_free(d);
    return 0;
fail:
    imp_db_abort(d);
    return -1;
}
