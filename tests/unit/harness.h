/*
 * harness: a minimal test harness for the unit tests. CHECK records a failure
 * with file and line and goes on; harness_done() prints a summary and returns
 * the process exit status (0 only if every check passed).
 */
#ifndef BHXH_TEST_HARNESS_H
#define BHXH_TEST_HARNESS_H

#include <stdbool.h>

void harness_check(bool ok, const char *expr, const char *file, int line);
void harness_checkf(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int harness_done(void);

#define CHECK(expr) harness_check((expr), #expr, __FILE__, __LINE__)
#define CHECKF(expr, ...) harness_checkf((expr), __FILE__, __LINE__, __VA_ARGS__)

#endif
