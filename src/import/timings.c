#include "import/timings.h"

#include <time.h>

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
}

void imp_clock_mark(struct imp_clock *k, const char *phase)
{
    if (k == NULL || k->out == NULL)
        return;
    double now = imp_clock_now();
    fprintf(k->out, "timing: %-40.40s %8.3f s  (%8.3f s since start)\n", phase, now - k->last,
            now - k->start);
    fflush(k->out);
    k->last = now;
}

void imp_clock_report(const struct imp_clock *k, const char *phase, double seconds)
{
    if (k == NULL || k->out == NULL)
        return;
    fprintf(k->out, "timing: %-40.40s %8.3f s  (busy, within the phases above)\n", phase,
            seconds);
    fflush(k->out);
}
