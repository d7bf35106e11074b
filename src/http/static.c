/*
 * The widget's files, read at start-up. The allow-list below is the only
 * source of file names: request paths are matched against its URL column by
 * exact comparison, so "..", percent-encoded variants or any other path can
 * never name a file. The site owns its buffers; a response gets a copy.
 * Leaflet's images are left out: the widget draws its own markers and no
 * layers control, so leaflet.css never asks for them.
 */
#include "http/static.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

#define STATIC_MAX_BYTES (4u << 20) /* far above Leaflet's 147 KB: a sanity bound */
#define STATIC_CACHE "public, max-age=3600"
#define LEAFLET_NPM "../node_modules/leaflet/dist/"

#define TYPE_JS "text/javascript; charset=utf-8"
#define TYPE_CSS "text/css; charset=utf-8"
#define TYPE_HTML "text/html; charset=utf-8"

struct static_entry {
    const char *url;  /* exact request path */
    const char *file; /* relative to the web directory */
    const char *type; /* Content-Type */
    bool leaflet;     /* file is "leaflet/NAME": may also come from LEAFLET_NPM "NAME" */
};

static const struct static_entry allow_list[] = {
    {"/widget.js", "widget.js", TYPE_JS, false},
    {"/widget.css", "widget.css", TYPE_CSS, false},
    {"/demo", "demo.html", TYPE_HTML, false},
    {"/leaflet/leaflet.js", "leaflet/leaflet.js", TYPE_JS, true},
    {"/leaflet/leaflet.css", "leaflet/leaflet.css", TYPE_CSS, true},
};

#define STATIC_COUNT (sizeof allow_list / sizeof *allow_list)

struct static_file {
    char *data; /* NULL when the file was not found */
    size_t len;
    char etag[2 + 32 + 1]; /* "<first 16 bytes of SHA-256, hex>" with the quotes */
};

struct static_site {
    struct static_file files[STATIC_COUNT];
    size_t loaded;
};

size_t static_site_size(void)
{
    return STATIC_COUNT;
}

size_t static_site_loaded(const struct static_site *s)
{
    return s ? s->loaded : 0;
}

/*
 * Reads a whole regular file into a malloc'd buffer. Returns 0, -1 when the
 * file does not exist (ENOENT), -2 for any other failure (e filled).
 */
static int read_file(const char *path, char **data, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (errno == ENOENT)
            return -1;
        err_set(e, "%s: %s", path, strerror(errno));
        return -2;
    }
    char *p = malloc(STATIC_MAX_BYTES + 1);
    size_t n = p ? fread(p, 1, STATIC_MAX_BYTES + 1, f) : 0;
    int bad = p == NULL || ferror(f) || n > STATIC_MAX_BYTES;
    fclose(f);
    if (bad) {
        err_set(e, "%s: %s", path,
                p == NULL
                    ? "out of memory"
                    : (n > STATIC_MAX_BYTES ? "larger than 4 MiB" : "read error (a directory?)"));
        free(p);
        return -2;
    }
    char *shrunk = realloc(p, n + 1);
    *data = shrunk ? shrunk : p;
    *len = n;
    return 0;
}

static void set_etag(struct static_file *f)
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, f->len, (const uint8_t *)f->data);
    sha256_digest(&ctx, sizeof digest, digest);
    f->etag[0] = '"';
    for (int i = 0; i < 16; i++)
        snprintf(f->etag + 1 + 2 * i, 3, "%02x", digest[i]);
    f->etag[33] = '"';
    f->etag[34] = '\0';
}

/* Loads one entry from DIR/file (Leaflet: else from LEAFLET_NPM); 0, -1 missing, -2 error. */
static int load_entry(const char *dir, const struct static_entry *en, struct static_file *f,
                      struct err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, en->file);
    int rc = read_file(path, &f->data, &f->len, e);
    if (rc == -1 && en->leaflet) {
        snprintf(path, sizeof path, "%s/" LEAFLET_NPM "%s", dir, en->file + strlen("leaflet/"));
        rc = read_file(path, &f->data, &f->len, e);
    }
    if (rc == 0)
        set_etag(f);
    return rc;
}

struct static_site *static_site_open(const char *dir, bool required, struct err *e)
{
    struct static_site *s = calloc(1, sizeof *s);
    if (s == NULL) {
        err_set(e, "out of memory");
        return NULL;
    }
    err_set(e, "%s", "");
    const char *first_missing = NULL;
    size_t missing = 0;
    for (size_t i = 0; i < STATIC_COUNT; i++) {
        int rc = load_entry(dir, &allow_list[i], &s->files[i], e);
        if (rc == 0) {
            s->loaded++;
            continue;
        }
        if (rc == -2 && required)
            goto fail;
        missing++;
        if (first_missing == NULL)
            first_missing = allow_list[i].file;
    }
    if (missing == 0)
        return s;
    const char *hint = strncmp(first_missing, "leaflet/", 8) == 0
                           ? " (Leaflet: run `npm ci` at the repository root, or copy "
                             "node_modules/leaflet/dist/ to DIR/leaflet/)"
                           : "";
    err_set(e, "web directory \"%s\": %zu of %zu widget files missing, first %s%s", dir, missing,
            STATIC_COUNT, first_missing, hint);
    if (!required)
        return s;
fail:
    static_site_free(s);
    return NULL;
}

void static_site_free(struct static_site *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < STATIC_COUNT; i++)
        free(s->files[i].data);
    free(s);
}

void static_serve(const struct http_request *rq, struct http_response *rs)
{
    const struct static_site *s = rq->web;
    for (size_t i = 0; s != NULL && i < STATIC_COUNT; i++) {
        const struct static_file *f = &s->files[i];
        if (strcmp(rq->path, allow_list[i].url) != 0 || f->data == NULL)
            continue;
        char *copy = malloc(f->len + 1);
        if (copy == NULL) {
            response_error(rs, rq->instance, 500, NULL, "out of memory");
            return;
        }
        memcpy(copy, f->data, f->len);
        rs->status = 200;
        rs->content_type = allow_list[i].type;
        rs->body = copy;
        rs->len = f->len;
        rs->cache_control = STATIC_CACHE;
        rs->etag = true;
        rs->etag_value = f->etag;
        response_header(rs, "X-Content-Type-Options", "nosniff");
        return;
    }
    response_error(rs, rq->instance, 404, NULL,
                   "no resource at this path (the widget's files are served only when "
                   "installed: see bhxh-geo serve --web)");
}
