#include "api/admin_filter.h"

#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "store/release.h"

/* More than any district has communes (14 in the 2025 reform). */
#define RESOLVE_MAX 256

/* The JSON array of codes (malloc'd), or NULL when memory ran out. */
static char *codes_json(const struct admin_unit *const *units, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_string(units[i]->code));
    char *s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return s;
}

static json_t *resolution(const struct admin_unit *from, const struct admin_unit *const *to,
                          size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_string(to[i]->code));
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "from", from->code, "version", from->version,
                     "name", from->name, "level", from->level, "to", arr);
}

int api_admin_filter(const struct http_request *rq, const char *name, const char *level,
                     struct admin_filter *out, struct http_problem *pb)
{
    memset(out, 0, sizeof *out);
    if (api_code_param(&rq->params, name, sizeof out->storage - 1, out->storage, &out->code, pb) !=
        0)
        return -1;
    if (out->code == NULL)
        return 0;
    const struct admin_table *t = release_admin(rq->release);
    size_t len = strlen(out->code);
    const struct admin_unit *u = admin_table_find(t, out->code, len, NULL);
    if (u == NULL || strcmp(u->level, level) != 0)
        u = admin_table_latest(t, out->code, len);
    if (u == NULL || strcmp(u->level, level) != 0) {
        problem_set(pb, 400, name,
                    "%s \"%s\" is not a %s code of this release, now or before (see "
                    "/v1/admin-units)",
                    name, out->code, level);
        return -1;
    }
    const struct admin_unit *to[RESOLVE_MAX];
    size_t n = admin_current_successors(u, to, RESOLVE_MAX);
    out->codes = codes_json(to, n);
    if (!u->current)
        out->resolved = resolution(u, to, n);
    if (out->codes == NULL || (!u->current && out->resolved == NULL)) {
        problem_set(pb, 500, NULL, "out of memory");
        return -1;
    }
    return 0;
}

void api_admin_filter_free(struct admin_filter *f)
{
    free(f->codes);
    json_decref(f->resolved);
    f->codes = NULL;
    f->resolved = NULL;
}

void api_admin_filter_report(json_t *envelope, const char *const *names,
                             const struct admin_filter *f, size_t n)
{
    json_t *r = NULL;
    for (size_t i = 0; envelope && i < n; i++) {
        if (f[i].resolved == NULL)
            continue;
        if (r == NULL && (r = json_object()) == NULL)
            return;
        json_object_set(r, names[i], f[i].resolved);
    }
    if (r)
        json_object_set_new(envelope, "resolved", r);
}
