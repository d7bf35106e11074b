/*
 * fuzz: what the libFuzzer targets in tests/fuzz share. FUZZ_CHECK states an
 * invariant of the code under test; when it does not hold the target prints
 * why and aborts, which libFuzzer reports as a crash and saves the input as
 * a reproducer (scripts/fuzz prints its path).
 */
#ifndef BHXH_TEST_FUZZ_H
#define BHXH_TEST_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#include "text/utf8.h"

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s: ", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* True when the NUL-terminated s is well-formed UTF-8 (messages shown to people must be). */
static inline int fuzz_utf8(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return utf8_validate(s, n, NULL);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#endif
