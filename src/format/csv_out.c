#include "format/csv_out.h"

#include <math.h>
#include <string.h>

int csv_out_field(struct buf *b, const char *s, bool first)
{
    if (!first && buf_append(b, ",", 1) != 0)
        return -1;
    if (s == NULL)
        return 0;
    if (strpbrk(s, ",\"\r\n") == NULL)
        return buf_puts(b, s);
    if (buf_append(b, "\"", 1) != 0)
        return -1;
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1)
        if (buf_append(b, s, (size_t)(q - s + 1)) != 0 || buf_append(b, "\"", 1) != 0)
            return -1;
    return buf_puts(b, s) == 0 && buf_append(b, "\"", 1) == 0 ? 0 : -1;
}

int csv_out_number(struct buf *b, double v, bool first)
{
    if (!first && buf_append(b, ",", 1) != 0)
        return -1;
    return isnan(v) ? 0 : buf_printf(b, "%.12g", v);
}

int csv_out_end(struct buf *b)
{
    return buf_append(b, "\r\n", 2);
}
