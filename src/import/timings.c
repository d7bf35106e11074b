#include "import/timings.h"

#include <time.h>

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double imp_clock_thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double imp_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void imp_clock_start(struct imp_clock *k, FILE *out)
{
    k->out = out;
    k->start = k->last = imp_clock_now();
    k->cpu_last = cpu_now();
}

void imp_clock_mark(struct imp_clock *k, const char *phase)
{
    if (k == NULL || k->out == NULL)
        return;
    double now = imp_clock_now(), cpu = cpu_now();
    fprintf(k->out, "timing: %-40.40s %8.3f s  cpu %8.3f s  (%8.3f s since start)\n", phase,
            now - k->last, cpu - k->cpu_last, now - k->start);
    fflush(k->out);
    k->last = now;
    k->cpu_last = cpu;
}

void imp_clock_report(const struct imp_clock *k, const char *phase, double seconds)
{
    if (k == NULL || k->out == NULL)
        return;
    fprintf(k->out, "timing: %-40.40s %8.3f s  (CPU time of a step, within the phases above)\n",
            phase, seconds);
    fflush(k->out);
}
