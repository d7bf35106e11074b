/*
 * buf: a growable byte buffer. The buffer owns its bytes; buf_free() releases
 * them, buf_steal() hands them to the caller (who must free() them).
 */
#ifndef BHXH_UTIL_BUF_H
#define BHXH_UTIL_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
};

/* Each returns 0, or -1 when memory ran out (the buffer is then unchanged). */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void buf_reset(struct buf *b); /* len = 0, keeps the memory */
void buf_free(struct buf *b);
char *buf_steal(struct buf *b); /* returns data (maybe NULL) and empties b */

#endif
