#include "export/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_AT (64 * 1024)

static void tmp_name(char *out, size_t size, const char *name, bool gz)
{
    snprintf(out, size, ".%s%s.tmp", name, gz ? ".gz" : "");
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return errno ? errno : EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Runs deflate over the input set in s->z, writing its output; flush is Z_NO_FLUSH or Z_FINISH. */
static int deflate_out(struct export_sink *s, int flush)
{
    unsigned char out[FLUSH_AT];
    int rc;
    do {
        s->z.next_out = out;
        s->z.avail_out = sizeof out;
        rc = deflate(&s->z, flush);
        if (rc == Z_STREAM_ERROR)
            return EIO;
        size_t have = sizeof out - s->z.avail_out;
        int err = write_all(s->gz_fd, out, have);
        if (err)
            return err;
        s->gz_bytes += have;
    } while (s->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

/* Writes the whole buffer out (hash, file, gzip) and empties it. */
static int flush_all(struct export_sink *s)
{
    if (s->error)
        return -1;
    const unsigned char *p = (const unsigned char *)s->buf.data;
    size_t n = s->buf.len;
    if (n == 0)
        return 0;
    sha256_update(&s->sha, n, p);
    s->error = write_all(s->fd, p, n);
    if (!s->error && s->gz_fd >= 0) {
        s->z.next_in = (unsigned char *)p;
        s->z.avail_in = (uInt)n;
        s->error = deflate_out(s, Z_NO_FLUSH);
    }
    s->bytes += n;
    buf_reset(&s->buf);
    return s->error ? -1 : 0;
}

int sink_flush_some(struct export_sink *s, int append_rc)
{
    if (append_rc != 0 && s->error == 0)
        s->error = ENOMEM;
    return s->buf.len >= FLUSH_AT ? flush_all(s) : (s->error ? -1 : 0);
}

int sink_write(struct export_sink *s, const void *p, size_t n)
{
    return sink_flush_some(s, buf_append(&s->buf, p, n));
}

static int open_tmp(int dirfd, const char *name, bool gz, bool anonymous)
{
    char tmp[SINK_NAME_MAX + 16];
    tmp_name(tmp, sizeof tmp, name, gz);
    int fd = anonymous ? openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
    if (fd >= 0 || (anonymous && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    if (!anonymous)
        return openat(dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    /* No O_TMPFILE on this file system: a name of this process only, removed at once. */
    static atomic_uint seq;
    char uniq[SINK_NAME_MAX + 48];
    snprintf(uniq, sizeof uniq, "%s.%ld.%u", tmp, (long)getpid(), atomic_fetch_add(&seq, 1));
    fd = openat(dirfd, uniq, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        unlinkat(dirfd, uniq, 0);
    return fd;
}

int sink_open(struct export_sink *s, int dirfd, const char *name, bool gzip, bool anonymous,
              struct err *e)
{
    memset(s, 0, sizeof *s);
    s->dirfd = dirfd;
    s->gz_fd = -1;
    s->anonymous = anonymous;
    snprintf(s->name, sizeof s->name, "%s", name);
    sha256_init(&s->sha);
    s->fd = open_tmp(dirfd, name, false, anonymous);
    if (s->fd >= 0 && gzip) {
        /* windowBits 15 + 16: a gzip header and trailer around the deflate stream. */
        s->z_live = deflateInit2(&s->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        if (!s->z_live) {
            err_set(e, "%s: cannot start gzip", name);
            close(s->fd);
            s->fd = -1;
            sink_abort(s);
            return -1;
        }
        s->gz_fd = open_tmp(dirfd, name, true, anonymous);
    }
    if (s->fd < 0 || (gzip && s->gz_fd < 0)) {
        err_set(e, "%s: cannot create: %s", name, strerror(errno));
        sink_abort(s);
        return -1;
    }
    return 0;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* Renames .NAME[.gz].tmp to NAME[.gz]. */
static int rename_in(struct export_sink *s, bool gz)
{
    char tmp[SINK_NAME_MAX + 16], final[SINK_NAME_MAX + 4];
    tmp_name(tmp, sizeof tmp, s->name, gz);
    snprintf(final, sizeof final, "%s%s", s->name, gz ? ".gz" : "");
    return renameat(s->dirfd, tmp, s->dirfd, final) == 0 ? 0 : errno;
}

/* Ends the gzip stream; closes and renames the files unless the sink is anonymous. */
static int finish(struct export_sink *s)
{
    int err = 0;
    if (s->gz_fd >= 0) {
        s->z.next_in = NULL;
        s->z.avail_in = 0;
        err = deflate_out(s, Z_FINISH);
        deflateEnd(&s->z);
        s->z_live = false;
    }
    if (err || s->anonymous)
        return err;
    bool gz = s->gz_fd >= 0;
    if (close(s->fd) != 0)
        err = errno;
    s->fd = -1;
    if (gz && close(s->gz_fd) != 0 && !err)
        err = errno;
    s->gz_fd = -1;
    if (!err)
        err = rename_in(s, false);
    if (!err && gz)
        err = rename_in(s, true);
    return err;
}

int sink_close(struct export_sink *s, char sha256_hex[65], struct err *e)
{
    flush_all(s);
    if (!s->error)
        s->error = finish(s);
    if (s->error) {
        err_set(e, "%s: %s", s->name, strerror(s->error));
        sink_abort(s);
        return -1;
    }
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&s->sha, sizeof digest, digest);
    hex(sha256_hex, digest, sizeof digest);
    buf_free(&s->buf);
    return 0;
}

void sink_abort(struct export_sink *s)
{
    char tmp[SINK_NAME_MAX + 16];
    if (s->fd >= 0)
        close(s->fd);
    if (s->gz_fd >= 0)
        close(s->gz_fd);
    if (s->z_live)
        deflateEnd(&s->z);
    s->z_live = false;
    for (int gz = 0; !s->anonymous && gz <= 1; gz++) {
        tmp_name(tmp, sizeof tmp, s->name, gz);
        unlinkat(s->dirfd, tmp, 0);
    }
    s->fd = s->gz_fd = -1;
    buf_free(&s->buf);
}
