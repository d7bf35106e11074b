/*
 * GET /v1/datasets and /v1/datasets/{file}: a release's open-data files
 * (export/export.h) for open-data portals and bulk users. The files are
 * written once per release in the background (export/downloads.h) and
 * streamed from disk by the server, never built per request; a file is
 * chosen only by its exact name in the release's manifest.
 *
 * Each file has its own ETag ("<release>:<name>", "+gzip" for the gzip
 * copy) and Last-Modified (the release's build time), so If-None-Match and
 * If-Modified-Since give 304. CSV and GeoJSON come gzip-compressed when
 * Accept-Encoding allows; a Range request (one range) gets 206 from the
 * uncompressed file, so an interrupted download can resume.
 */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "export/downloads.h"
#include "export/meta.h"
#include "http/headers.h"
#include "http/response.h"
#include "store/derived.h"
#include "store/release.h"

/* How long a request waits for the files of a new release before a 503. */
#define WAIT_MS 3000

static const char *const no_params[] = {NULL};

/* The release's files, or NULL after answering 503. */
static const struct downloads *files_or_503(const struct http_request *rq, struct http_response *rs)
{
    bool pending;
    const struct downloads *d = downloads_get(rq->release, WAIT_MS, &pending);
    if (d != NULL)
        return d;
    if (pending)
        response_error(rs, rq->instance, 503, NULL,
                       "the download files of release %s are being prepared; retry in a few "
                       "seconds",
                       release_id(rq->release));
    else
        response_error(rs, rq->instance, 503, NULL,
                       "the download files of release %s could not be prepared; retry later",
                       release_id(rq->release));
    response_header(rs, "Retry-After", "%d", pending ? 5 : DERIVED_RETRY_S);
    return NULL;
}

void api_datasets(const struct http_request *rq, struct http_response *rs)
{
    struct http_problem pb;
    if (params_validate(&rq->params, no_params, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct downloads *d = files_or_503(rq, rs);
    if (d != NULL)
        response_json(rs, export_catalog_json(&d->m, "/v1/datasets/"));
}

/*
 * Whether If-Range (when sent) still names this representation, so that a
 * Range may be honoured: an entity tag must equal etag, a date the
 * Last-Modified; otherwise the whole file is sent (RFC 9110 13.1.5).
 */
static bool if_range_holds(const char *if_range, const char *etag, time_t modified)
{
    time_t t;
    if (if_range == NULL)
        return true;
    if (if_range[0] == '"')
        return strcmp(if_range, etag) == 0;
    return modified != 0 && header_date_parse(if_range, &t) == 0 && t == modified;
}

/* "offices-<release>.csv": the file name with the release id before its extension. */
static void download_name(char *out, size_t size, const char *name, const char *release)
{
    const char *dot = strchr(name, '.');
    if (dot == NULL)
        snprintf(out, size, "%s-%s", name, release);
    else
        snprintf(out, size, "%.*s-%s%s", (int)(dot - name), name, release, dot);
}

/* Decides gzip and range, then answers with the file (or a 416). */
static void answer_file(const struct http_request *rq, struct http_response *rs,
                        const struct downloads *d, const struct export_file *f)
{
    bool gz = f->etag_tag_gz && rq->range == NULL && header_accepts_gzip(rq->accept_encoding);
    uint64_t size = gz ? f->gz_bytes : f->bytes, start = 0, len = size;
    const char *tag = gz ? f->etag_tag_gz : f->etag_tag;
    char etag[160];
    snprintf(etag, sizeof etag, "\"%s%s\"", release_id(rq->release), tag);
    unsigned status = 200;
    if (!gz && if_range_holds(rq->if_range, etag, d->built)) {
        enum header_range hr = header_range_parse(rq->range, size, &start, &len);
        if (hr == HEADER_RANGE_UNSATISFIABLE) {
            response_error(rs, rq->instance, 416, NULL,
                           "the range asked for lies outside the %" PRIu64 " bytes of %s", size,
                           f->name);
            response_header(rs, "Content-Range", "bytes */%" PRIu64, size);
            return;
        }
        status = hr == HEADER_RANGE_OK ? 206 : 200;
    }
    int fd = downloads_open(d, f, gz);
    if (fd < 0) {
        response_error(rs, rq->instance, 500, NULL, "%s cannot be read", f->name);
        return;
    }
    response_file(rs, status, f->media_type, fd, start, len);
    rs->etag_variant = tag;
    rs->last_modified = d->built;
    rs->vary = "Accept-Encoding";
    char fname[160];
    download_name(fname, sizeof fname, f->name, release_id(rq->release));
    response_header(rs, "Content-Disposition", "attachment; filename=\"%s\"", fname);
    response_header(rs, "Accept-Ranges", "bytes");
    if (gz)
        response_header(rs, "Content-Encoding", "gzip");
    if (status == 206)
        response_header(rs, "Content-Range", "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start,
                        start + len - 1, size);
}

void api_dataset_file(const struct http_request *rq, struct http_response *rs)
{
    struct http_problem pb;
    if (params_validate(&rq->params, no_params, &pb) != 0) {
        response_problem(rs, &pb, rq->instance);
        return;
    }
    const struct downloads *d = files_or_503(rq, rs);
    if (d == NULL)
        return;
    const struct export_file *f = export_file_find(&d->m, rq->capture[0], rq->capture_len[0]);
    if (f == NULL) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, rq->capture[0], rq->capture_len[0], 40);
        response_error(rs, rq->instance, 404, "file",
                       "no file \"%s\" in release %s; the files are listed at /v1/datasets", quoted,
                       release_id(rq->release));
        return;
    }
    answer_file(rq, rs, d, f);
}

void api_release_opened(struct release *r)
{
    bool pending;
    downloads_get(r, 0, &pending);
}
