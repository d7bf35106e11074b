#include "harness.h"

#include <stdarg.h>
#include <stdio.h>

static int checks, failures;

void harness_check(bool ok, const char *expr, const char *file, int line)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
    }
}

void harness_checkf(bool ok, const char *file, int line, const char *fmt, ...)
{
    checks++;
    if (!ok) {
        failures++;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "FAIL %s:%d: ", file, line);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}

int harness_done(void)
{
    printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
