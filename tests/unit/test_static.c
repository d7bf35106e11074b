/*
 * Unit tests for http/static: the widget's files are read from a web folder
 * (Leaflet from DIR/leaflet/ or DIR/../node_modules/leaflet/dist/), missing
 * files are an error only when the folder was asked for, ETags follow the
 * content, and only the exact allow-listed paths are served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "http/request.h"
#include "http/static.h"

static char root[64];

static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    CHECKF(f != NULL, "cannot write %s", path);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void make_dir(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    mkdir(path, 0755);
}

/* Serves path from s; returns the status and copies the ETag (or "") into etag. */
static unsigned serve(const struct static_site *s, const char *path, char *etag, size_t n,
                      struct http_response *rs)
{
    struct http_request rq = {.method = "GET", .path = path, .instance = path, .web = s};
    memset(rs, 0, sizeof *rs);
    static_serve(&rq, rs);
    snprintf(etag, n, "%s", rs->etag_value ? rs->etag_value : "");
    return rs->status;
}

static void test_missing(void)
{
    char dir[128];
    snprintf(dir, sizeof dir, "%s/nowhere", root);
    struct err e = {{0}};
    CHECK(static_site_open(dir, true, &e) == NULL);
    CHECKF(strstr(e.msg, "widget.js") != NULL, "message names the file: %s", e.msg);
    struct static_site *s = static_site_open(dir, false, &e);
    CHECK(s != NULL && static_site_loaded(s) == 0);
    CHECK(strstr(e.msg, "missing") != NULL);
    struct http_response rs;
    char etag[64];
    CHECK(serve(s, "/widget.js", etag, sizeof etag, &rs) == 404);
    free(rs.body);
    static_site_free(s);
}

static void test_serving(void)
{
    char web[128];
    snprintf(web, sizeof web, "%s/web", root);
    make_dir("web");
    write_file("web/widget.js", "console.log(1);\n");
    write_file("web/widget.css", "a{}\n");
    write_file("web/demo.html", "<!doctype html>\n");
    struct err e = {{0}};
    /* Leaflet not there yet: required fails and names it, optional loads the rest. */
    CHECK(static_site_open(web, true, &e) == NULL);
    CHECKF(strstr(e.msg, "leaflet") != NULL && strstr(e.msg, "npm ci") != NULL, "%s", e.msg);
    make_dir("node_modules");
    make_dir("node_modules/leaflet");
    make_dir("node_modules/leaflet/dist");
    write_file("node_modules/leaflet/dist/leaflet.js", "var L={};\n");
    write_file("node_modules/leaflet/dist/leaflet.css", ".leaflet{}\n");
    struct static_site *s = static_site_open(web, true, &e);
    CHECKF(s != NULL && static_site_loaded(s) == static_site_size(), "%s", e.msg);
    CHECK(e.msg[0] == '\0');

    struct http_response rs;
    char etag_js[64], etag_css[64], etag[64];
    CHECK(serve(s, "/widget.js", etag_js, sizeof etag_js, &rs) == 200);
    CHECK(rs.len == 16 && memcmp(rs.body, "console.log(1);\n", 16) == 0);
    CHECK(strcmp(rs.content_type, "text/javascript; charset=utf-8") == 0);
    CHECK(rs.etag && strlen(etag_js) == 34 && etag_js[0] == '"' && etag_js[33] == '"');
    CHECK(rs.cache_control != NULL && strstr(rs.cache_control, "max-age") != NULL);
    free(rs.body);
    CHECK(serve(s, "/leaflet/leaflet.css", etag_css, sizeof etag_css, &rs) == 200);
    CHECK(strcmp(rs.content_type, "text/css; charset=utf-8") == 0 && rs.len == 11);
    CHECK(strcmp(etag_js, etag_css) != 0);
    free(rs.body);
    CHECK(serve(s, "/demo", etag, sizeof etag, &rs) == 200);
    CHECK(strcmp(rs.content_type, "text/html; charset=utf-8") == 0);
    free(rs.body);

    static const char *const outside[] = {
        "/demo.html", "/widget.js/", "/../node_modules/leaflet/dist/leaflet.js", "/web/widget.js",
        "/leaflet/../widget.js", "/leaflet/leaflet.js.map", "/WIDGET.JS", "", "/", NULL};
    for (int i = 0; outside[i]; i++) {
        unsigned st = serve(s, outside[i], etag, sizeof etag, &rs);
        CHECKF(st == 404 && rs.is_problem, "%s answers %u", outside[i], st);
        free(rs.body);
    }
    static_site_free(s);

    /* A copy in DIR/leaflet/ wins over node_modules; a changed file gets a new ETag. */
    make_dir("web/leaflet");
    write_file("web/leaflet/leaflet.js", "var L={copy:1};\n");
    write_file("web/widget.js", "console.log(2);\n");
    s = static_site_open(web, true, &e);
    CHECK(serve(s, "/leaflet/leaflet.js", etag, sizeof etag, &rs) == 200);
    CHECK(rs.len == 16 && memcmp(rs.body, "var L={copy:1};\n", 16) == 0);
    free(rs.body);
    CHECK(serve(s, "/widget.js", etag, sizeof etag, &rs) == 200);
    CHECK(strcmp(etag, etag_js) != 0);
    free(rs.body);
    static_site_free(s);
    CHECK(serve(NULL, "/widget.js", etag, sizeof etag, &rs) == 404);
    free(rs.body);
}

static void remove_tree(void)
{
    static const char *const files[] = {
        "web/widget.js", "web/widget.css", "web/demo.html", "web/leaflet/leaflet.js",
        "node_modules/leaflet/dist/leaflet.js", "node_modules/leaflet/dist/leaflet.css", NULL};
    static const char *const dirs[] = {"web/leaflet", "web", "node_modules/leaflet/dist",
                                       "node_modules/leaflet", "node_modules", NULL};
    char path[256];
    for (int i = 0; files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, files[i]);
        unlink(path);
    }
    for (int i = 0; dirs[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
        rmdir(path);
    }
    rmdir(root);
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/bhxh-static-XXXXXX");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_missing();
    test_serving();
    remove_tree();
    return harness_done();
}
