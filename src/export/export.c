/*
 * The writer behind export.h. Places come from the release in memory (in
 * code order); the database copy from one of the release's own SQLite
 * connections. Every file goes through a sink: temporary name, SHA-256 and
 * optional gzip on the way, rename at the end.
 */
#include "export/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/meta.h"
#include "export/sink.h"
#include "format/csv_out.h"
#include "format/place_list.h"
#include "store/admin.h"
#include "store/release.h"

/* Temporary database copies: COPY_PREFIX <pid> "-" <n> COPY_SUFFIX. */
#define COPY_PREFIX "bhxh-geo-"
#define COPY_SUFFIX ".sqlite.tmp"
#define COPY_BLOCK (64 * 1024)

/* The files, in manifest order. Tags are static so an ETag can point at them. */
static const struct file_spec {
    const char *name, *media_type;
    int dataset;
    const char *tag, *tag_gz;
} FILES[] = {
    {"offices.csv", "text/csv; charset=utf-8", EXPORT_OFFICES, ":offices.csv", ":offices.csv+gzip"},
    {"offices.geojson", "application/geo+json", EXPORT_OFFICES, ":offices.geojson",
     ":offices.geojson+gzip"},
    {"agents.csv", "text/csv; charset=utf-8", EXPORT_AGENTS, ":agents.csv", ":agents.csv+gzip"},
    {"agents.geojson", "application/geo+json", EXPORT_AGENTS, ":agents.geojson",
     ":agents.geojson+gzip"},
    {"facilities.csv", "text/csv; charset=utf-8", EXPORT_FACILITIES, ":facilities.csv",
     ":facilities.csv+gzip"},
    {"facilities.geojson", "application/geo+json", EXPORT_FACILITIES, ":facilities.geojson",
     ":facilities.geojson+gzip"},
    {"admin_units.csv", "text/csv; charset=utf-8", EXPORT_ADMIN_UNITS, ":admin_units.csv",
     ":admin_units.csv+gzip"},
    {"admin_successors.csv", "text/csv; charset=utf-8", EXPORT_ADMIN_SUCCESSORS,
     ":admin_successors.csv", ":admin_successors.csv+gzip"},
    {"release.sqlite", "application/vnd.sqlite3", -1, ":release.sqlite", NULL},
    {"datapackage.json", "application/json", -1, ":datapackage.json", NULL},
    {"SHA256SUMS", "text/plain; charset=utf-8", -1, ":SHA256SUMS", NULL},
};

/* Counts one row's source value into the dataset's tally. */
static void count_source(struct export_dataset_stats *st, const char *v)
{
    v = v ? v : "";
    for (size_t i = 0; i < st->nsources; i++)
        if (strcmp(st->sources[i].value, v) == 0) {
            st->sources[i].rows++;
            return;
        }
    size_t i = st->nsources < EXPORT_SOURCES_MAX ? st->nsources++ : EXPORT_SOURCES_MAX - 1;
    if (i == EXPORT_SOURCES_MAX - 1 && st->sources[i].value[0] != '\0')
        v = "(other)"; /* the last slot collects whatever does not fit */
    snprintf(st->sources[i].value, sizeof st->sources[i].value, "%s", v);
    st->sources[i].rows++;
}

static int csv_row(struct export_sink *s, const struct export_dataset_info *info, const void *row)
{
    char tmp[EXPORT_TEXT_MAX];
    int rc = 0;
    for (size_t i = 0; i < info->ncolumns; i++)
        rc |= csv_out_field(&s->buf, export_column_text(&info->columns[i], row, tmp), i == 0);
    return sink_flush_some(s, rc | csv_out_end(&s->buf));
}

/* Units in (version, code) order; successions by earlier unit, then as the table links them. */
static int write_admin_csv(const struct admin_table *t, enum export_dataset d,
                           struct export_sink *s, struct export_dataset_stats *st)
{
    const struct export_dataset_info *info = export_dataset_info(d);
    for (size_t i = 0; i < t->n; i++) {
        const struct admin_unit *u = &t->units[i];
        if (d == EXPORT_ADMIN_UNITS) {
            if (csv_row(s, info, u) != 0)
                return -1;
            st->rows++;
            continue;
        }
        for (unsigned k = 0; k < u->nsuccessors; k++, st->rows++) {
            const struct admin_link *l = &u->successors[k];
            struct export_succession row = {u->code,          u->version, l->unit->code,
                                            l->unit->version, l->share,   l->note};
            if (csv_row(s, info, &row) != 0)
                return -1;
        }
    }
    return 0;
}

static int write_csv(struct release *r, enum export_dataset d, struct export_sink *s,
                     struct export_dataset_stats *st)
{
    const struct export_dataset_info *info = export_dataset_info(d);
    int rc = 0;
    for (size_t i = 0; i < info->ncolumns; i++)
        rc |= csv_out_field(&s->buf, info->columns[i].name, i == 0);
    if (sink_flush_some(s, rc | csv_out_end(&s->buf)) != 0)
        return -1;
    if (d == EXPORT_ADMIN_UNITS || d == EXPORT_ADMIN_SUCCESSORS)
        return write_admin_csv(release_admin(r), d, s, st);
    size_t n = release_place_count(r);
    for (uint32_t id = 0; id < n; id++) {
        const struct place *p = release_place(r, id);
        if ((int)p->kind != info->kind)
            continue;
        if (csv_row(s, info, p) != 0)
            return -1;
        st->rows++;
        count_source(st, p->attrs->source);
    }
    return 0;
}

static int write_geojson(struct release *r, enum export_dataset d, struct export_sink *s)
{
    const struct export_dataset_info *info = export_dataset_info(d);
    int rc = buf_printf(&s->buf,
                        "{\"type\":\"FeatureCollection\",\"name\":\"%s\",\"release\":\"%s\","
                        "\"features\":[",
                        info->name, release_id(r));
    if (sink_flush_some(s, rc) != 0)
        return -1;
    size_t n = release_place_count(r);
    bool first = true;
    for (uint32_t id = 0; id < n; id++) {
        const struct place *p = release_place(r, id);
        if ((int)p->kind != info->kind)
            continue;
        json_t *f = place_feature(p);
        char *text = f ? json_dumps(f, FORMAT_JSON_FLAGS) : NULL;
        json_decref(f);
        rc = text ? buf_puts(&s->buf, first ? "\n" : ",\n") | buf_puts(&s->buf, text) : -1;
        free(text);
        first = false;
        if (sink_flush_some(s, rc) != 0)
            return -1;
    }
    return sink_write(s, "\n]}\n", 4);
}

/*
 * The release database: SQLite's online backup from one of the release's
 * own connections into DIR/bhxh-geo-<pid>-<n>.sqlite.tmp (SQLite needs a
 * named file, and a journal beside it), then its bytes go through the sink
 * like any other file and the copy is removed. Copies left by a process
 * killed meanwhile are removed by export_sweep().
 */
static int write_sqlite(struct release *r, const char *dir, struct export_sink *s, struct err *e)
{
    static atomic_uint seq;
    char path[4096];
    snprintf(path, sizeof path, "%s/" COPY_PREFIX "%ld-%u" COPY_SUFFIX, dir, (long)getpid(),
             atomic_fetch_add(&seq, 1));
    sqlite3 *dst = NULL, *src = release_db_get(r);
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) /* a scratch copy: no rollback journal beside it */
        sqlite3_exec(dst, "PRAGMA journal_mode = OFF", NULL, NULL, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", src, "main") : NULL;
    if (b != NULL) {
        rc = sqlite3_backup_step(b, -1);
        rc = sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    } else if (rc == SQLITE_OK) {
        rc = SQLITE_ERROR;
    }
    release_db_put(r, src);
    if (rc != SQLITE_OK)
        err_set(e, "%s: copying the database failed: %s", s->name,
                dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
    sqlite3_close(dst);
    int fd = rc == SQLITE_OK ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    unlink(path);
    if (rc != SQLITE_OK)
        return -1;
    ssize_t n = fd < 0 ? -1 : 0;
    while (fd >= 0 && sink_flush_some(s, buf_reserve(&s->buf, COPY_BLOCK)) == 0) {
        n = read(fd, s->buf.data + s->buf.len, COPY_BLOCK);
        if (n <= 0)
            break;
        s->buf.len += (size_t)n;
        s->buf.data[s->buf.len] = '\0';
    }
    if (fd >= 0)
        close(fd);
    if (n < 0) {
        err_set(e, "%s: cannot read the copy back: %s", s->name, strerror(errno));
        return -1;
    }
    return s->error ? -1 : 0;
}

void export_sweep(const char *dir)
{
    DIR *h = opendir(dir);
    struct dirent *ent;
    size_t np = strlen(COPY_PREFIX), ns = strlen(COPY_SUFFIX);
    while (h && (ent = readdir(h)) != NULL) {
        const char *name = ent->d_name;
        size_t n = strlen(name);
        long pid = strncmp(name, COPY_PREFIX, np) == 0 ? atol(name + np) : 0;
        const char *suffix = strstr(name, COPY_SUFFIX);
        if (pid > 0 && n > np + ns && suffix &&
            (strcmp(suffix, COPY_SUFFIX) == 0 || strcmp(suffix, COPY_SUFFIX "-journal") == 0) &&
            kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            unlinkat(dirfd(h), name, 0);
    }
    if (h)
        closedir(h);
}

static int write_json(json_t *doc, struct export_sink *s)
{
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    int rc = text ? buf_puts(&s->buf, text) | buf_puts(&s->buf, "\n") : -1;
    free(text);
    return sink_flush_some(s, rc);
}

/* SHA256SUMS: "<hex>  <name>" per file written so far, as sha256sum prints it. */
static int write_sums(const struct export_manifest *m, struct export_sink *s)
{
    int rc = 0;
    for (size_t i = 0; i < m->nfiles; i++)
        rc |= buf_printf(&s->buf, "%s  %s\n", m->files[i].sha256, m->files[i].name);
    return sink_flush_some(s, rc);
}

/* Writes FILES[i] and records it in m. */
static int write_file(struct release *r, const char *dir, int dirfd, size_t i,
                      const struct export_opts *o, struct export_manifest *m, struct err *e)
{
    const struct file_spec *fs = &FILES[i];
    bool gz = o->gzip && fs->tag_gz != NULL;
    struct export_sink s;
    struct err why = {{0}};
    if (sink_open(&s, dirfd, fs->name, gz, o->anonymous, e) != 0)
        return -1;
    int rc;
    if (fs->dataset >= 0 && strstr(fs->name, ".csv"))
        rc = write_csv(r, fs->dataset, &s, &m->datasets[fs->dataset]);
    else if (fs->dataset >= 0)
        rc = write_geojson(r, fs->dataset, &s);
    else if (strcmp(fs->name, "release.sqlite") == 0)
        rc = write_sqlite(r, dir, &s, &why);
    else if (strcmp(fs->name, "datapackage.json") == 0)
        rc = write_json(export_datapackage_json(m), &s);
    else
        rc = write_sums(m, &s);
    struct export_file *f = &m->files[m->nfiles];
    if (rc != 0) {
        if (why.msg[0] == '\0')
            err_set(&why, "%s: %s", fs->name, strerror(s.error ? s.error : EIO));
        err_set(e, "%s", why.msg);
        sink_abort(&s);
        return -1;
    }
    if (sink_close(&s, f->sha256, e) != 0)
        return -1;
    f->name = fs->name;
    f->media_type = fs->media_type;
    f->dataset = fs->dataset;
    f->etag_tag = fs->tag;
    f->etag_tag_gz = gz ? fs->tag_gz : NULL;
    f->bytes = s.bytes;
    f->gz_bytes = gz ? s.gz_bytes : 0;
    if (o->anonymous) {
        o->fds[m->nfiles] = s.fd;
        o->gz_fds[m->nfiles] = s.gz_fd;
    }
    m->nfiles++;
    return 0;
}

/* What release_sources says about the imported CSV files. */
static void read_inputs(struct release *r, struct export_manifest *m)
{
    sqlite3 *db = release_db_get(r);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT file, sha256, bytes, rows FROM release_sources", -1, &st,
                           NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *file = (const char *)sqlite3_column_text(st, 0);
            const char *sha = (const char *)sqlite3_column_text(st, 1);
            for (int d = 0; file && sha && d < EXPORT_DATASET_COUNT; d++) {
                struct export_dataset_stats *x = &m->datasets[d];
                if (strcmp(file, export_dataset_info((enum export_dataset)d)->input_file) != 0)
                    continue;
                x->has_input = true;
                snprintf(x->input_sha256, sizeof x->input_sha256, "%s", sha);
                x->input_bytes = (uint64_t)sqlite3_column_int64(st, 2);
                x->input_rows = (uint64_t)sqlite3_column_int64(st, 3);
            }
        }
    }
    sqlite3_finalize(st);
    release_db_put(r, db);
}

int export_write(struct release *r, const char *dir, const struct export_opts *o,
                 struct export_manifest *m, struct err *e)
{
    memset(m, 0, sizeof *m);
    snprintf(m->release, sizeof m->release, "%s", release_id(r));
    snprintf(m->built_at, sizeof m->built_at, "%s", release_built_at(r));
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        err_set(e, "%s: cannot open the directory: %s", dir, strerror(errno));
        return -1;
    }
    read_inputs(r, m);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof FILES / sizeof *FILES; i++)
        rc = write_file(r, dir, dirfd, i, o, m, e);
    close(dirfd);
    for (size_t i = 0; rc != 0 && o->anonymous && i < m->nfiles; i++) {
        close(o->fds[i]);
        if (o->gz_fds[i] >= 0)
            close(o->gz_fds[i]);
        o->fds[i] = o->gz_fds[i] = -1;
    }
    return rc;
}

const struct export_file *export_file_find(const struct export_manifest *m, const char *name,
                                           size_t n)
{
    for (size_t i = 0; i < m->nfiles; i++)
        if (strlen(m->files[i].name) == n && memcmp(m->files[i].name, name, n) == 0)
            return &m->files[i];
    return NULL;
}

int export_run(const char *db_path, const char *out_dir, FILE *out, FILE *log)
{
    struct err e = {{0}};
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(log, "bhxh-geo export: %s: cannot create: %s\n", out_dir, strerror(errno));
        return 2;
    }
    struct release *r = release_open(db_path, 1, RELEASE_CHECK_SCHEMA, &e);
    if (r == NULL) {
        fprintf(log, "bhxh-geo export: %s\n", e.msg);
        return 1;
    }
    struct export_manifest m;
    struct export_opts o = {.gzip = false};
    export_sweep(out_dir);
    int rc = export_write(r, out_dir, &o, &m, &e);
    if (rc != 0)
        fprintf(log, "bhxh-geo export: %s: %s\n", out_dir, e.msg);
    for (size_t i = 0; rc == 0 && i < m.nfiles; i++)
        fprintf(out, "%s  %10llu  %s\n", m.files[i].sha256, (unsigned long long)m.files[i].bytes,
                m.files[i].name);
    if (rc == 0)
        fprintf(log, "bhxh-geo export: release %s: %zu files in %s\n", m.release, m.nfiles,
                out_dir);
    release_unref(r);
    return rc == 0 ? 0 : 2;
}
