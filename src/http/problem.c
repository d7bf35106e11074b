#include "http/problem.h"

#include "text/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * After a snprintf into s[size] that returned want: when the text was cut,
 * drops a UTF-8 sequence cut in half at the end, so that what is left is
 * still valid UTF-8 (jansson refuses anything else, which would turn a 400
 * into a 500).
 */
static void cut_whole(char *s, size_t size, int want)
{
    if (want < 0 || (size_t)want < size)
        return;
    size_t n = strlen(s), lead = n;
    while (lead > 0 && n - lead < 3 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead > 0 && (unsigned char)s[lead - 1] >= 0xC0 &&
        utf8_seq_len((const unsigned char *)s + lead - 1, n - lead + 1) != n - lead + 1)
        s[lead - 1] = '\0';
}

void problem_set(struct http_problem *pb, unsigned status, const char *param, const char *fmt, ...)
{
    pb->status = status;
    int want = snprintf(pb->param, sizeof pb->param, "%s", param ? param : "");
    cut_whole(pb->param, sizeof pb->param, want);
    va_list ap;
    va_start(ap, fmt);
    want = vsnprintf(pb->detail, sizeof pb->detail, fmt, ap);
    va_end(ap);
    cut_whole(pb->detail, sizeof pb->detail, want);
}

void problem_instance(char *out, size_t size, const char *path)
{
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)path; *s && o + 4 < size; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            (*s < 0x80 && strchr(keep, *s)))
            out[o++] = (char)*s;
        else
            o += (size_t)sprintf(out + o, "%%%02X", *s);
    }
    out[o] = '\0';
}

void problem_quote(char *out, const char *v, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)v;
    size_t o = 0, i = 0;
    while (i < n && i < max) {
        size_t len = s[i] >= 0x80 ? utf8_seq_len(s + i, n - i) : 0;
        if (len > 0) {
            memcpy(out + o, s + i, len);
            o += len, i += len;
        } else if (s[i] >= 0x20 && s[i] < 0x7F) {
            out[o++] = (char)s[i++];
        } else {
            o += (size_t)sprintf(out + o, "\\x%02X", s[i++]);
        }
    }
    if (i < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}
