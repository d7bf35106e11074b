/*
 * release_write: the database being built. It lives as OUT.tmp-PID in the
 * directory of OUT, so the final rename() is atomic: a server never sees a
 * half-written release, and OUT keeps its old content on every failure.
 *
 * Speed: the file is private until renamed, so there is no journal and no
 * sync while loading; durability comes from one fsync() of the finished
 * file and one of its directory. Rows go in through prepared statements
 * inside one transaction; indexes are built after the rows. The geometry
 * BLOB is built in C, and SpatiaLite's per-row triggers on places are set
 * aside while loading and put back before the indexes (spatial_load.h);
 * the spatial index is packed in one pass from the points kept while
 * loading (rtree_pack.h). Each place also gets its folded name and address
 * (text/fold.h) into places_fts, under the same rowid, folded into two
 * buffers reused from row to row: on a second thread (textq.h), into a
 * temporary database (fts_side.h), while this thread goes on reading and
 * inserting; the finished index is copied in after the other indexes.
 *
 * struct imp_db owns the connections, the statements, the fold buffers
 * (used by the places_fts thread only), the queue and both path strings.
 */
#include "import/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/fts_side.h"
#include "import/rtree_pack.h"
#include "import/spatial_load.h"
#include "import/textq.h"
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
    struct buf fold_name, fold_address;   /* places_fts text of the current row */
    char *out_path, *tmp_path, *fts_path; /* fts_path: OUT.tmp-PID-fts (fts_side.h) */
    struct imp_clock *clock;              /* not owned */
    struct spatial_triggers *triggers;    /* those of places, set aside while loading */
    sqlite3 *fts_db;                      /* places_fts is built here (fts_side.h), then copied */
    struct textq *fts_queue;              /* rows for places_fts, to the thread that inserts them */
    struct textq *place_queue;            /* rows for places, to the thread that inserts them */
    sqlite3_int64 last_id;                /* of the last place handed over */
    struct rtree_cell *cells;             /* the spatial index entry of every place inserted */
    size_t ncells, cells_cap;
    double busy_place; /* CPU seconds of the places thread (--timings) */
    double busy_fts;   /* CPU seconds of the places_fts thread loading, then merging */
    double busy_fts_merge;
};

/* 16 KiB pages: about 12% less CPU to load and index than 4 KiB ones, a slightly smaller file. */
static const char PRAGMAS[] = "PRAGMA page_size = 16384;\n"
                              "PRAGMA journal_mode = OFF;\n"
                              "PRAGMA threads = 2;\n" /* sorter threads for CREATE INDEX */
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
    " updated, src_file, src_line, src_crs, src_x, src_y, geom, id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)";

static const char INSERT_FTS[] =
    "INSERT INTO places_fts (rowid, name, address, tags) VALUES (?1, ?2, ?3, ?4)";

/* Removes the temporary file and any journal SQLite may have left beside it. */
static void remove_temp(const struct imp_db *d)
{
    char journal[4096];
    unlink(d->tmp_path);
    snprintf(journal, sizeof journal, "%s-journal", d->tmp_path);
    unlink(journal);
    if (d->fts_path)
        unlink(d->fts_path);
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

/*
 * Runs the statements of sql one by one, with a --timings mark after each
 * named by its first line.
 */
static int exec_marked(struct imp_db *d, const char *sql, struct err *e)
{
    sqlite3 *h = store_db_handle(d->db);
    while (*sql) {
        sqlite3_stmt *st;
        const char *tail;
        if (sqlite3_prepare_v2(h, sql, -1, &st, &tail) != SQLITE_OK)
            return sql_fail(d, "cannot prepare", e);
        if (st == NULL) /* whitespace or a comment */
            break;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return sql_fail(d, "cannot build indexes", e);
        char what[64];
        size_t n = strcspn(sql, "\n");
        snprintf(what, sizeof what, "%.*s", (int)(n < sizeof what - 1 ? n : sizeof what - 1), sql);
        imp_clock_mark(d->clock, what);
        sql = tail;
        while (*sql == '\n' || *sql == ' ')
            sql++;
    }
    return 0;
}

static int prepare(struct imp_db *d, struct err *e)
{
    sqlite3 *h = store_db_handle(d->db);
    if (sqlite3_prepare_v3(h, INSERT_ADMIN, -1, SQLITE_PREPARE_PERSISTENT, &d->admin, NULL) ||
        sqlite3_prepare_v3(h, INSERT_SUCCESSOR, -1, SQLITE_PREPARE_PERSISTENT, &d->successor,
                           NULL) ||
        sqlite3_prepare_v3(h, INSERT_PLACE, -1, SQLITE_PREPARE_PERSISTENT, &d->place, NULL))
        return sql_fail(d, "cannot prepare insert", e);
    if (sqlite3_prepare_v3(d->fts_db, INSERT_FTS, -1, SQLITE_PREPARE_PERSISTENT, &d->fts, NULL)) {
        err_set(e, "search index: cannot prepare insert: %s", sqlite3_errmsg(d->fts_db));
        return -1;
    }
    return 0;
}

/* The statements; d->place and d->fts only once their threads have stopped. */
static void finalize(struct imp_db *d)
{
    sqlite3_finalize(d->admin);
    sqlite3_finalize(d->successor);
    d->admin = d->successor = NULL;
    if (d->place_queue == NULL) {
        sqlite3_finalize(d->place);
        d->place = NULL;
    }
    if (d->fts_queue == NULL) {
        sqlite3_finalize(d->fts);
        d->fts = NULL;
    }
}

static void db_free(struct imp_db *d)
{
    textq_cancel(d->place_queue); /* before the statements their threads use */
    textq_cancel(d->fts_queue);
    d->place_queue = d->fts_queue = NULL;
    finalize(d);
    spatial_triggers_free(d->triggers);
    fts_side_close(d->fts_db);
    free(d->cells);
    store_db_close(d->db);
    buf_free(&d->fold_name);
    buf_free(&d->fold_address);
    free(d->out_path);
    free(d->tmp_path);
    free(d->fts_path);
    free(d);
}

/* What the places_fts thread gets of each place: name, address, kind, province code. */
#define FTS_NTEXTS 4
static int fts_row(void *arg, int64_t rowid, const char *const *texts, const void *payload,
                   struct err *e);
static int fts_done(void *arg, struct err *e);

struct imp_db *imp_db_create(const char *out_path, struct imp_clock *clock, struct err *e)
{
    struct imp_db *d = calloc(1, sizeof *d);
    if (d == NULL || (d->out_path = strdup(out_path)) == NULL ||
        asprintf(&d->tmp_path, "%s.tmp-%ld", out_path, (long)getpid()) < 0 ||
        asprintf(&d->fts_path, "%s-fts", d->tmp_path) < 0) {
        if (d) {
            free(d->out_path);
            free(d->tmp_path);
        }
        free(d);
        err_set(e, "out of memory");
        return NULL;
    }
    d->clock = clock;
    remove_temp(d); /* a leftover of a crashed run with our pid */
    d->db = store_db_open(d->tmp_path, false, e);
    if (d->db == NULL || exec(d, PRAGMAS, e) || exec(d, STORE_SCHEMA_SQL, e))
        goto fail;
    d->triggers = spatial_triggers_set_aside(store_db_handle(d->db), "places", e);
    if (d->triggers == NULL || (d->fts_db = fts_side_open(d->fts_path, e)) == NULL ||
        prepare(d, e) || exec(d, "BEGIN", e))
        goto fail;
    d->fts_queue = textq_start(FTS_NTEXTS, 0, fts_row, fts_done, d, e);
    if (d->fts_queue == NULL)
        goto fail;
    return d;
fail:
    imp_db_abort(d);
    return NULL;
}

void imp_db_abort(struct imp_db *d)
{
    if (d == NULL)
        return;
    /* Stops a statement the threads may be in (the FTS merge takes seconds). */
    if (d->place_queue && d->db)
        sqlite3_interrupt(store_db_handle(d->db));
    if (d->fts_queue && d->fts_db)
        sqlite3_interrupt(d->fts_db);
    textq_cancel(d->place_queue);
    textq_cancel(d->fts_queue);
    d->place_queue = d->fts_queue = NULL;
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
    if (rc != SQLITE_DONE) {
        err_set(e, "%s: %s%s: %s", d->tmp_path, what, st == d->fts ? " (temporary database)" : "",
                sqlite3_errmsg(sqlite3_db_handle(st)));
        return -1;
    }
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

/* textq row(), on the places_fts thread: the place's name and address into places_fts. */
static int fts_row(void *arg, int64_t rowid, const char *const *texts, const void *payload,
                   struct err *e)
{
    (void)payload;
    struct imp_place p = {.name = texts[0],
                          .address = texts[1],
                          .kind = texts[2],
                          .province_code = *texts[3] ? texts[3] : NULL}; /* "" for none */
    return add_search_text(arg, &p, rowid, e);
}

/* textq done(), on the places_fts thread once every row is in. */
static int fts_done(void *arg, struct err *e)
{
    struct imp_db *d = arg;
    bool timed = d->clock->out != NULL;
    sqlite3_finalize(d->fts);
    d->fts = NULL;
    d->busy_fts = timed ? imp_clock_thread_cpu() : 0;
    int rc = fts_side_finish(d->fts_db, e);
    d->busy_fts_merge = timed ? imp_clock_thread_cpu() - d->busy_fts : 0;
    return rc;
}

/* Keeps the spatial index entry of place p, stored as rowid. */
static int keep_cell(struct imp_db *d, sqlite3_int64 rowid, const struct imp_place *p,
                     struct err *e)
{
    if (d->ncells == d->cells_cap) {
        size_t cap = d->cells_cap ? 2 * d->cells_cap : 4096;
        struct rtree_cell *v = realloc(d->cells, cap * sizeof *v);
        if (v == NULL) {
            err_set(e, "out of memory");
            return -1;
        }
        d->cells = v;
        d->cells_cap = cap;
    }
    rtree_point_cell(&d->cells[d->ncells++], rowid, p->lon, p->lat);
    return 0;
}

/* Binds and inserts place p as rowid id (on the places thread). */
static int insert_place(struct imp_db *d, const struct imp_place *p, sqlite3_int64 id,
                        struct err *e)
{
    unsigned char geom[SPATIAL_POINT_BLOB_SIZE];
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
    spatial_point_blob(geom, p->lon, p->lat);
    sqlite3_bind_blob(st, 28, geom, sizeof geom, SQLITE_STATIC);
    sqlite3_bind_int64(st, 29, id);
    if (step_reset(d, st, "cannot insert place", e))
        return -1;
    return keep_cell(d, id, p, e);
}

/* textq row(), on the places thread. */
static int place_row(void *arg, int64_t rowid, const char *const *texts, const void *payload,
                     struct err *e)
{
    struct imp_place p;
    imp_place_from_row(&p, texts, payload);
    return insert_place(arg, &p, rowid, e);
}

/* textq done(), on the places thread. */
static int place_done(void *arg, struct err *e)
{
    struct imp_db *d = arg;
    (void)e;
    d->busy_place = d->clock->out ? imp_clock_thread_cpu() : 0;
    return 0;
}

/*
 * Hands place p to the places thread (started with the first place: until
 * then this thread uses the connection for admin units) and its name and
 * address to the places_fts thread, under the next id.
 */
int imp_db_add_place(struct imp_db *d, const struct imp_place *p, struct err *e)
{
    if (d->place_queue == NULL &&
        (d->place_queue =
             textq_start(IMP_PLACE_NTEXTS, IMP_PLACE_PAYLOAD, place_row, place_done, d, e)) == NULL)
        return -1;
    const char *t[IMP_PLACE_NTEXTS];
    unsigned char n[IMP_PLACE_PAYLOAD];
    imp_place_to_row(p, t, n);
    const char *fts[FTS_NTEXTS] = {p->name, p->address, p->kind, p->province_code};
    sqlite3_int64 id = ++d->last_id;
    if (textq_push(d->place_queue, id, t, n, e) || textq_push(d->fts_queue, id, fts, NULL, e))
        return -1;
    return 0;
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
    textq_close(d->fts_queue); /* the places_fts thread finishes the rows and merges */
    int rc = textq_join(d->place_queue, e);
    d->place_queue = NULL;
    if (rc)
        goto fail;
    imp_clock_mark(d->clock, "wait for the places thread");
    imp_clock_report(d->clock, "(places thread: inserts)", d->busy_place);
    finalize(d);
    if (exec(d, "COMMIT", e) || spatial_triggers_restore(store_db_handle(d->db), d->triggers, e))
        goto fail;
    imp_clock_mark(d->clock, "COMMIT, triggers back");
    if (exec(d, "BEGIN", e) ||
        rtree_pack(store_db_handle(d->db), "idx_places_geom", d->cells, d->ncells, e) ||
        exec(d, "COMMIT", e))
        goto fail;
    free(d->cells);
    d->cells = NULL;
    imp_clock_mark(d->clock, "spatial index");
    if (exec_marked(d, STORE_SCHEMA_INDEX_SQL, e))
        goto fail;
    rc = textq_join(d->fts_queue, e);
    d->fts_queue = NULL;
    if (rc)
        goto fail;
    imp_clock_mark(d->clock, "wait for places_fts");
    imp_clock_report(d->clock, "(places_fts thread: fold, insert)", d->busy_fts);
    imp_clock_report(d->clock, "(places_fts thread: optimize)", d->busy_fts_merge);
    fts_side_close(d->fts_db);
    d->fts_db = NULL;
    if (fts_side_copy(d->fts_path, store_db_handle(d->db), e))
        goto fail;
    unlink(d->fts_path);
    imp_clock_mark(d->clock, "copy places_fts");
    if (exec_marked(d, "ANALYZE;", e) || exec(d, "BEGIN", e) ||
        write_release(d, files, nfiles, id, built_at, e) || exec(d, "COMMIT", e))
        goto fail;
    if (swap_in(d, e))
        goto fail;
    imp_clock_mark(d->clock, "close, fsync, rename");
    db_free(d);
    return 0;
fail:
    imp_db_abort(d);
    return -1;
}
