#include "store/place.h"

#include <string.h>

static const char *const kind_names[PLACE_KIND_COUNT] = {"office", "agent", "facility"};

const char *place_kind_name(enum place_kind k)
{
    return (unsigned)k < PLACE_KIND_COUNT ? kind_names[k] : "?";
}

int place_kind_parse(const char *s, size_t n, enum place_kind *k)
{
    for (int i = 0; i < PLACE_KIND_COUNT; i++)
        if (strlen(kind_names[i]) == n && memcmp(kind_names[i], s, n) == 0) {
            *k = (enum place_kind)i;
            return 0;
        }
    return -1;
}
