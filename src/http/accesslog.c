#include "http/accesslog.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static FILE *out;
static int owned; /* out was opened here and is closed by accesslog_close */

int accesslog_open(const char *path)
{
    accesslog_close();
    if (path == NULL)
        return 0;
    if (strcmp(path, "-") == 0) {
        out = stderr;
        return 0;
    }
    out = fopen(path, "a");
    if (out == NULL)
        return -1;
    owned = 1;
    /* Full buffering: a write per line would cost more than the request. */
    setvbuf(out, NULL, _IOFBF, 1 << 16);
    return 0;
}

void accesslog_close(void)
{
    if (out && owned)
        fclose(out);
    else if (out)
        fflush(out);
    out = NULL;
    owned = 0;
}

void accesslog_write(const char *ip, const char *request, unsigned status, size_t bytes,
                     double seconds)
{
    if (out == NULL)
        return;
    struct timespec ts;
    struct tm tm;
    char when[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    /* fprintf locks the stream, so lines from different threads never interleave. */
    fprintf(out, "%s.%03ldZ %s \"%s\" %u %zu %.6f\n", when, ts.tv_nsec / 1000000L,
            ip[0] ? ip : "-", request, status, bytes, seconds);
}

void accesslog_flush(void)
{
    if (out)
        fflush(out);
}
