#include "http/params.h"

#include "text/number.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void params_add(struct http_params *p, const char *key, size_t klen, const char *val, size_t vlen)
{
    if (p->n == PARAMS_MAX) {
        if (!p->overflow)
            p->first_extra = (struct http_param){key, val ? val : "", klen, val ? vlen : 0};
        p->overflow = true;
        return;
    }
    p->items[p->n++] = (struct http_param){key, val ? val : "", klen, val ? vlen : 0};
}

static bool name_is(const struct http_param *q, const char *name)
{
    size_t n = strlen(name);
    return q->klen == n && memcmp(q->key, name, n) == 0;
}

static bool allowed_name(const struct http_param *q, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (name_is(q, *allowed))
            return true;
    return false;
}

int params_validate(const struct http_params *p, const char *const *allowed,
                    struct http_problem *pb)
{
    char quoted[4 * 40 + 4];
    if (p->overflow) {
        problem_quote(quoted, p->first_extra.key, p->first_extra.klen, 40);
        problem_set(pb, 400, quoted,
                    "too many query parameters: at most %d, \"%s\" is one too many", PARAMS_MAX,
                    quoted);
        return -1;
    }
    for (size_t i = 0; i < p->n; i++) {
        const struct http_param *q = &p->items[i];
        problem_quote(quoted, q->key, q->klen, 40);
        if (memchr(q->key, '\0', q->klen) || memchr(q->val, '\0', q->vlen)) {
            problem_set(pb, 400, quoted, "parameter \"%s\" contains a NUL byte", quoted);
            return -1;
        }
        if (!allowed_name(q, allowed)) {
            problem_set(pb, 400, quoted, "unknown parameter \"%s\"", quoted);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (p->items[j].klen == q->klen && memcmp(p->items[j].key, q->key, q->klen) == 0) {
                problem_set(pb, 400, quoted, "parameter \"%s\" is given more than once", quoted);
                return -1;
            }
    }
    return 0;
}

const struct http_param *params_find(const struct http_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (name_is(&p->items[i], name))
            return &p->items[i];
    return NULL;
}

static int missing(const char *name, bool required, struct http_problem *pb)
{
    if (!required)
        return 0;
    problem_set(pb, 400, name, "parameter \"%s\" is required", name);
    return -1;
}

int params_double(const struct http_params *p, const char *name, double lo, double hi,
                  bool required, double *out, struct http_problem *pb)
{
    const struct http_param *q = params_find(p, name);
    if (q == NULL)
        return missing(name, required, pb);
    double v;
    if (number_parse(q->val, q->vlen, &v) != NUMBER_OK || v < lo || v > hi) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, q->val, q->vlen, 40);
        problem_set(pb, 400, name, "%s must be a number between %g and %g; got \"%s\"", name, lo,
                    hi, quoted);
        return -1;
    }
    *out = v;
    return 1;
}

int params_long(const struct http_params *p, const char *name, long lo, long hi, bool required,
                long *out, struct http_problem *pb)
{
    const struct http_param *q = params_find(p, name);
    if (q == NULL)
        return missing(name, required, pb);
    bool ok = q->vlen > 0 && q->vlen <= 18;
    long v = 0;
    for (size_t i = 0; ok && i < q->vlen; i++) {
        if (q->val[i] < '0' || q->val[i] > '9')
            ok = false;
        else
            v = v * 10 + (q->val[i] - '0');
    }
    if (!ok || v < lo || v > hi) {
        char quoted[4 * 40 + 4];
        problem_quote(quoted, q->val, q->vlen, 40);
        problem_set(pb, 400, name, "%s must be a whole number from %ld to %ld; got \"%s\"", name,
                    lo, hi, quoted);
        return -1;
    }
    *out = v;
    return 1;
}
