#include "http/headers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Reads decimal digits at *s, saturating at UINT64_MAX; returns how many were read. */
static size_t read_u64(const char **s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    for (const char *p = *s; *p >= '0' && *p <= '9'; p++, n++) {
        unsigned d = (unsigned)(*p - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    *s += n;
    *out = v;
    return n;
}

enum header_range header_range_parse(const char *value, uint64_t size, uint64_t *start,
                                     uint64_t *len)
{
    if (value == NULL || strncasecmp(value, "bytes=", 6) != 0)
        return HEADER_RANGE_NONE;
    const char *p = value + 6;
    p += strspn(p, " \t");
    uint64_t first = 0, last = UINT64_MAX;
    bool suffix = *p == '-';
    if (suffix)
        p++;
    if (read_u64(&p, suffix ? &last : &first) == 0)
        return HEADER_RANGE_NONE;
    if (!suffix) {
        if (*p++ != '-')
            return HEADER_RANGE_NONE;
        if (*p >= '0' && *p <= '9')
            read_u64(&p, &last);
    }
    p += strspn(p, " \t");
    if (*p != '\0' || (!suffix && last < first))
        return HEADER_RANGE_NONE; /* several ranges, or not a range at all */
    if (suffix) {
        if (last == 0 || size == 0)
            return HEADER_RANGE_UNSATISFIABLE;
        *start = last >= size ? 0 : size - last;
        *len = size - *start;
        return HEADER_RANGE_OK;
    }
    if (first >= size)
        return HEADER_RANGE_UNSATISFIABLE;
    if (last >= size)
        last = size - 1;
    *start = first;
    *len = last - first + 1;
    return HEADER_RANGE_OK;
}

/* The q value of one Accept-Encoding element (text after the coding); 1 when absent. */
static double element_q(const char *params, size_t n)
{
    const char *q = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
            (i == 0 || params[i - 1] == ';' || params[i - 1] == ' ' || params[i - 1] == '\t')) {
            q = params + i + 2;
            break;
        }
    return q ? strtod(q, NULL) : 1.0;
}

bool header_accepts_gzip(const char *value)
{
    double gzip = -1, star = -1; /* -1: not listed */
    for (const char *p = value; p && *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",");
        size_t name = strcspn(p, "; \t,");
        double q = element_q(p + name, n - name);
        if ((name == 4 && strncasecmp(p, "gzip", 4) == 0) ||
            (name == 6 && strncasecmp(p, "x-gzip", 6) == 0))
            gzip = q;
        else if (name == 1 && *p == '*')
            star = q;
        p += n;
    }
    return gzip >= 0 ? gzip > 0 : star > 0;
}

static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void header_date_format(time_t t, char *out, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", DAYS[tm.tm_wday], tm.tm_mday,
             MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Checks the broken-down fields and converts them (UTC). */
static int to_time(struct tm *tm, time_t *t)
{
    if (tm->tm_mon < 0 || tm->tm_mon > 11 || tm->tm_mday < 1 || tm->tm_mday > 31 ||
        tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60 || tm->tm_year < 70)
        return -1;
    *t = timegm(tm);
    return *t == (time_t)-1 ? -1 : 0;
}

int header_date_parse(const char *s, time_t *t)
{
    char day[4], mon[4], gmt[4];
    struct tm tm = {0};
    int year, used = 0;
    if (s == NULL ||
        sscanf(s, "%3[A-Za-z], %d %3s %d %d:%d:%d %3s%n", day, &tm.tm_mday, mon, &year, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, gmt, &used) != 8 ||
        s[used] != '\0' || strlen(day) != 3 || strcmp(gmt, "GMT") != 0)
        return -1;
    tm.tm_mon = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(mon, MONTHS[i]) == 0)
            tm.tm_mon = i;
    tm.tm_year = year - 1900;
    return to_time(&tm, t);
}

int header_iso_parse(const char *s, time_t *t)
{
    struct tm tm = {0};
    int year, mon, used = 0;
    if (s == NULL ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &year, &mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &used) != 6 ||
        used != 20 || s[used] != '\0')
        return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    return to_time(&tm, t);
}
