#include "export/downloads.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/headers.h"
#include "store/derived.h"
#include "store/release.h"

/* Seconds since an arbitrary start, for the log line. */
static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void destroy(void *value)
{
    struct downloads *d = value;
    for (size_t i = 0; d && i < EXPORT_FILES_MAX; i++) {
        if (d->fd[i] >= 0)
            close(d->fd[i]);
        if (d->gz_fd[i] >= 0)
            close(d->gz_fd[i]);
    }
    free(d);
}

static void *build(struct release *r)
{
    double t0 = seconds();
    struct err e = {{0}};
    struct downloads *d = calloc(1, sizeof *d);
    const char *tmp = getenv("TMPDIR");
    tmp = tmp && *tmp ? tmp : "/tmp";
    if (d == NULL) {
        fprintf(stderr, "bhxh-geo: downloads: out of memory\n");
        return NULL;
    }
    for (size_t i = 0; i < EXPORT_FILES_MAX; i++)
        d->fd[i] = d->gz_fd[i] = -1;
    export_sweep(tmp);
    struct export_opts o = {.gzip = true, .anonymous = true, .fds = d->fd, .gz_fds = d->gz_fd};
    if (export_write(r, tmp, &o, &d->m, &e) != 0) {
        fprintf(stderr, "bhxh-geo: downloads of release %s failed: %s\n", release_id(r), e.msg);
        destroy(d);
        return NULL;
    }
    if (header_iso_parse(release_built_at(r), &d->built) != 0)
        d->built = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < d->m.nfiles; i++)
        total += d->m.files[i].bytes + d->m.files[i].gz_bytes;
    fprintf(stderr, "bhxh-geo: downloads of release %s ready: %zu files, %.1f MB, %.2f s\n",
            release_id(r), d->m.nfiles, (double)total / 1e6, seconds() - t0);
    return d;
}

const struct downloads *downloads_get(struct release *r, unsigned wait_ms, bool *pending)
{
    return derived_get(r, build, destroy, wait_ms, pending);
}

int downloads_open(const struct downloads *d, const struct export_file *f, bool gzip)
{
    size_t i = (size_t)(f - d->m.files);
    if (i >= d->m.nfiles)
        return -1;
    int fd = gzip ? d->gz_fd[i] : d->fd[i];
    if (fd < 0)
        return -1;
    /*
     * A new open file description of the (unlinked) file, rather than dup():
     * each response then has its own file offset, whatever way the HTTP
     * library reads. Linux's /proc/self/fd links reopen deleted files.
     */
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return open(path, O_RDONLY | O_CLOEXEC);
}
