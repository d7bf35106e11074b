#include "text/nfc.h"

#include <stdlib.h>
#include <utf8proc.h>

bool nfc_maybe_needed(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xCB) { /* U+0080..U+02FF */
            i++;
            continue;
        }
        /* U+1EA0..U+1EFF: E1 BA A0..BF, E1 BB 80..BF */
        if (c == 0xE1 && i + 2 < n && ((p[i + 1] == 0xBA && p[i + 2] >= 0xA0) || p[i + 1] == 0xBB)) {
            i += 2;
            continue;
        }
        return true;
    }
    return false;
}

int nfc_append(const char *s, size_t n, struct buf *out)
{
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &res,
                                        UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (len < 0)
        return -1;
    int rc = buf_append(out, (const char *)res, (size_t)len);
    free(res);
    return rc;
}
