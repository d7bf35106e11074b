/*
 * downloads: the files of /v1/datasets for one release, as open file
 * descriptors. Built once per release on a background thread
 * (store/derived.h): export_write of anonymous files (O_TMPFILE) in
 * $TMPDIR (default /tmp), with gzip copies of the CSV and GeoJSON files.
 * Only descriptors hold them, so nothing is left on disk when the release
 * is replaced or the server stops (even by SIGKILL; the database copy that
 * SQLite must name while it is made is swept by the next build), and a
 * request can only ever reach a file of the manifest: there is no path to
 * traverse. The kernel frees the space when the release and the last
 * response reading a file are gone.
 */
#ifndef BHXH_EXPORT_DOWNLOADS_H
#define BHXH_EXPORT_DOWNLOADS_H

#include <stdbool.h>
#include <time.h>

#include "export/export.h"

struct release;

struct downloads {
    struct export_manifest m;
    int fd[EXPORT_FILES_MAX];    /* file i of m, read-only */
    int gz_fd[EXPORT_FILES_MAX]; /* its gzip copy, or -1 */
    time_t built;                /* the release's build time (Last-Modified), 0 if unknown */
};

/*
 * The downloads of r, starting their build on first use; waits at most
 * wait_ms for a build in progress. NULL with *pending true while building,
 * false when the build failed (logged on stderr; retried later). The result
 * lives as long as r.
 */
const struct downloads *downloads_get(struct release *r, unsigned wait_ms, bool *pending);

/*
 * A new descriptor of file f (an entry of d->m), or of its gzip copy, for
 * one response to own; -1 when there is no such file or none can be made.
 */
int downloads_open(const struct downloads *d, const struct export_file *f, bool gzip);

#endif
