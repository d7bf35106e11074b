#include "text/number.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static size_t digits(const char *s, size_t i, size_t n)
{
    size_t j = i;
    while (j < n && s[j] >= '0' && s[j] <= '9')
        j++;
    return j - i;
}

/* Whether all n bytes of s form one decimal number. */
static bool well_formed(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t int_digits = digits(s, i, n), frac_digits = 0;
    i += int_digits;
    if (i < n && s[i] == '.') {
        frac_digits = digits(s, i + 1, n);
        i += 1 + frac_digits;
    }
    if (int_digits + frac_digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = digits(s, i, n);
        if (exp_digits == 0)
            return false;
        i += exp_digits;
    }
    return i == n;
}

enum number_status number_parse(const char *s, size_t n, double *out)
{
    if (n == 0 || n > NUMBER_MAX_LEN || !well_formed(s, n))
        return NUMBER_SYNTAX;
    char tmp[NUMBER_MAX_LEN + 1];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    double d = strtod(tmp, NULL);
    if (!isfinite(d))
        return NUMBER_RANGE;
    *out = d;
    return NUMBER_OK;
}
