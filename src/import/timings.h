/*
 * timings: `import --timings`, how long each phase of an import took, for
 * finding where the time goes. Each mark prints one line to the log:
 *
 *   timing: PHASE  SECONDS s  cpu SECONDS s  (TOTAL s since start)
 *
 * (wall clock, then CPU time of all threads, which is steadier on a busy
 * machine)
 *
 * A clock whose out is NULL prints nothing and costs one branch a mark.
 * CPU times of steps within phases are added with imp_clock_report().
 */
#ifndef BHXH_IMPORT_TIMINGS_H
#define BHXH_IMPORT_TIMINGS_H

#include <stdio.h>

struct imp_clock {
    FILE *out;          /* NULL: timings off */
    double start, last; /* wall clock */
    double cpu_last;    /* CPU time of the process (all threads) */
};

/* Monotonic seconds. */
double imp_clock_now(void);

/* CPU seconds of the calling thread, for busy times. */
double imp_clock_thread_cpu(void);

/* Starts k; out NULL turns it off. */
void imp_clock_start(struct imp_clock *k, FILE *out);

/* Prints the time since the previous mark (or the start) as PHASE. */
void imp_clock_mark(struct imp_clock *k, const char *phase);

/* Prints a duration measured elsewhere (a sum of CPU times of a step) under PHASE. */
void imp_clock_report(const struct imp_clock *k, const char *phase, double seconds);

#endif
