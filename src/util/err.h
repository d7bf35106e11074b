/*
 * err: one error message, written once where an error is detected and shown
 * once where it is handled (a CLI message or an HTTP problem). Functions that
 * can fail take a `struct err *` (may be NULL) and return a status.
 */
#ifndef BHXH_UTIL_ERR_H
#define BHXH_UTIL_ERR_H

#include <stdarg.h>

#define ERR_MSG_MAX 512

struct err {
    char msg[ERR_MSG_MAX];
};

/* Writes a printf-style message into e (truncated to ERR_MSG_MAX); NULL e is ignored. */
void err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_vset(struct err *e, const char *fmt, va_list ap);

#endif
