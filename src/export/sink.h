/*
 * sink: writing one export file. Writers append bytes to the sink's buffer;
 * they go to DIR/.NAME.tmp, are hashed with SHA-256 on the way and, when
 * asked, also compressed with gzip (zlib) into DIR/.NAME.gz.tmp, so a file
 * is produced, checksummed and compressed in one pass without ever being
 * held in memory whole. sink_close renames the files into place.
 *
 * An anonymous sink writes files that never have a name (O_TMPFILE, or a
 * name unlinked at once where the file system lacks it): sink_close leaves
 * them open for the caller, and nothing can remain on disk once they are
 * closed, whatever happens to the process.
 */
#ifndef BHXH_EXPORT_SINK_H
#define BHXH_EXPORT_SINK_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>

#include "util/buf.h"
#include "util/err.h"

#define SINK_NAME_MAX 48

struct export_sink {
    struct buf buf; /* pending bytes: writers append here, then call sink_flush_some */
    int dirfd;
    char name[SINK_NAME_MAX];
    int fd, gz_fd; /* gz_fd -1 without gzip; read-write */
    bool anonymous;
    bool z_live; /* the gzip stream is started and not yet ended */
    struct sha256_ctx sha;
    z_stream z;
    uint64_t bytes, gz_bytes;
    int error; /* errno of the first failure (ENOMEM for memory), 0 while all is well */
};

/*
 * Opens DIR/.NAME.tmp (and DIR/.NAME.gz.tmp with gzip), or anonymous files
 * in DIR. Returns 0, or -1 with e.
 */
int sink_open(struct export_sink *s, int dirfd, const char *name, bool gzip, bool anonymous,
              struct err *e);

/*
 * Call after appending to s->buf, with the appends' status (non-zero: memory
 * ran out, which fails the sink). Writes the buffer out once it holds 64 KiB
 * or more. Returns 0, or -1 when the sink has failed (see s->error).
 */
int sink_flush_some(struct export_sink *s, int append_rc);

/* Appends n bytes (then flushes some); returns 0 or -1. */
int sink_write(struct export_sink *s, const void *p, size_t n);

/*
 * Writes what is left, ends the gzip stream, and renames the files to NAME
 * (and NAME.gz); an anonymous sink's files stay open instead, in s->fd and
 * s->gz_fd, for the caller to own. Fills the hex SHA-256 of the uncompressed
 * bytes (65 bytes). Returns 0, or -1 with e (the temporary files are then
 * removed). The sink is finished either way.
 */
int sink_close(struct export_sink *s, char sha256_hex[65], struct err *e);

/* Abandons the sink: closes and removes its temporary files. */
void sink_abort(struct export_sink *s);

#endif
