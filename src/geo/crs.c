/*
 * The closed list of CRSs (crs.h says why it is closed), the parsing of
 * their names, and the PROJ operations to WGS 84, one per CRS, set up on
 * first use and kept in the transformer.
 */
#include "geo/crs.h"

#include <ctype.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* meridian: the central meridian of a TM-3 zone in arc-minutes, 0 for others. */
struct crs_def {
    struct geo_crs crs;
    int meridian;
};

#define TM3(code, deg, min, label)                                                                 \
    {                                                                                              \
        {code, true, true, "VN-2000 / TM-3 " label}, (deg)*60 + (min)                              \
    }

static const struct crs_def DEFS[] = {
    {{4326, false, false, "WGS 84"}, 0},
    {{32648, true, false, "WGS 84 / UTM zone 48N"}, 0},
    {{32649, true, false, "WGS 84 / UTM zone 49N"}, 0},
    {{4756, false, true, "VN-2000"}, 0},
    {{3405, true, true, "VN-2000 / UTM zone 48N"}, 0},
    {{3406, true, true, "VN-2000 / UTM zone 49N"}, 0},
    TM3(5896, 102, 0, "zone 481"),
    TM3(9205, 103, 0, "103-00"),
    TM3(9206, 104, 0, "104-00"),
    TM3(9207, 104, 30, "104-30"),
    TM3(9208, 104, 45, "104-45"),
    TM3(5897, 105, 0, "zone 482"),
    TM3(9209, 105, 30, "105-30"),
    TM3(9210, 105, 45, "105-45"),
    TM3(9211, 106, 0, "106-00"),
    TM3(9212, 106, 15, "106-15"),
    TM3(9213, 106, 30, "106-30"),
    TM3(9214, 107, 0, "107-00"),
    TM3(9215, 107, 15, "107-15"),
    TM3(9216, 107, 30, "107-30"),
    TM3(5899, 107, 45, "107-45"),
    TM3(5898, 108, 0, "zone 491"),
    TM3(9217, 108, 15, "108-15"),
    TM3(9218, 108, 30, "108-30"),
};

#define NDEFS (sizeof DEFS / sizeof DEFS[0])

const struct geo_crs GEO_CRS_WGS84 = {4326, false, false, "WGS 84"};

static const char ACCEPTED[] =
    "accepted: EPSG:4326 (WGS 84), EPSG:4756 (VN-2000), EPSG:3405/3406 (VN-2000 / UTM 48N/49N), "
    "EPSG:32648/32649 (WGS 84 / UTM), VN-2000 TM-3 EPSG:9205-9218 and 5896-5899, or "
    "VN2000:TM3:<central meridian> such as VN2000:TM3:104.5";

static int def_index(int epsg)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (DEFS[i].crs.epsg == epsg)
            return (int)i;
    return -1;
}

/* A whole non-negative decimal number of 1..max_digits digits; -1 otherwise. */
static long whole(const char *s, size_t max_digits)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > max_digits || s[n] != '\0')
        return -1;
    return strtol(s, NULL, 10);
}

/*
 * A central meridian as degrees ("104.5", "105") or degrees-minutes
 * ("104-30", "104°30'"); returns arc-minutes, or -1.
 */
static int meridian_minutes(const char *s)
{
    char deg[8], rest[8];
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 3)
        return -1;
    memcpy(deg, s, n);
    deg[n] = '\0';
    long d = whole(deg, 3), m = 0;
    s += n;
    if (*s == '.') {
        static const struct {
            const char *frac;
            int min;
        } fr[] = {{".0", 0}, {".00", 0}, {".25", 15}, {".5", 30}, {".50", 30}, {".75", 45}};
        m = -1;
        for (size_t i = 0; i < sizeof fr / sizeof fr[0]; i++)
            if (strcmp(s, fr[i].frac) == 0)
                m = fr[i].min;
    } else if (*s == '-' || strncmp(s, "\xC2\xB0", 2) == 0) {
        s += *s == '-' ? 1 : 2;
        size_t k = strspn(s, "0123456789");
        if (k == 0 || k > 2 || (s[k] != '\0' && strcmp(s + k, "'") != 0))
            return -1;
        memcpy(rest, s, k);
        rest[k] = '\0';
        m = whole(rest, 2);
    } else if (*s != '\0') {
        return -1;
    }
    return m < 0 || m >= 60 ? -1 : (int)(d * 60 + m);
}

/* Upper-cases s into out without spaces, "VN-2000" -> "VN2000", "WGS-84" -> "WGS84". */
static bool normalise(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (; *s; s++) {
        if (*s == ' ')
            continue;
        if (o + 1 >= n)
            return false;
        out[o++] = (char)toupper((unsigned char)*s);
    }
    out[o] = '\0';
    char *p;
    if ((p = strstr(out, "VN-2000")) != NULL || (p = strstr(out, "WGS-84")) != NULL)
        memmove(p + 2, p + 3, strlen(p + 3) + 1);
    return true;
}

/* The EPSG code a name means, or -1. */
static int alias_epsg(const char *u)
{
    if (strncmp(u, "EPSG:", 5) == 0)
        return (int)whole(u + 5, 5);
    if (strcmp(u, "WGS84") == 0)
        return 4326;
    if (strcmp(u, "VN2000") == 0)
        return 4756;
    static const struct {
        const char *name;
        int epsg;
    } utm[] = {{"VN2000:UTM:48", 3405},  {"VN2000:UTM:48N", 3405}, {"VN2000:UTM:49", 3406},
               {"VN2000:UTM:49N", 3406}, {"WGS84:UTM:48", 32648},  {"WGS84:UTM:48N", 32648},
               {"WGS84:UTM:49", 32649},  {"WGS84:UTM:49N", 32649}};
    for (size_t i = 0; i < sizeof utm / sizeof utm[0]; i++)
        if (strcmp(u, utm[i].name) == 0)
            return utm[i].epsg;
    if (strncmp(u, "VN2000:TM3:", 11) == 0) {
        int m = meridian_minutes(u + 11);
        for (size_t i = 0; m > 0 && i < NDEFS; i++)
            if (DEFS[i].meridian == m)
                return DEFS[i].crs.epsg;
    }
    return -1;
}

bool geo_crs_parse(const char *s, struct geo_crs *out, struct err *e)
{
    char u[48];
    int i = normalise(s, u, sizeof u) ? def_index(alias_epsg(u)) : -1;
    if (i < 0) {
        err_set(e, "crs: \"%.40s\" is not a supported coordinate reference system (%s)", s,
                ACCEPTED);
        return false;
    }
    *out = DEFS[i].crs;
    return true;
}

void geo_crs_code(const struct geo_crs *crs, char *out, unsigned n)
{
    snprintf(out, n, "EPSG:%d", crs->epsg);
}

struct geo_transformer {
    PJ_CONTEXT *ctx;
    PJ *pj[NDEFS];     /* normalised for visualisation: (lon, lat) or (E, N) in, (lon, lat) out */
    char *name[NDEFS]; /* the operation's name */
};

struct geo_transformer *geo_transformer_new(void)
{
    struct geo_transformer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->ctx = proj_context_create();
    if (t->ctx == NULL) {
        free(t);
        return NULL;
    }
    proj_context_set_enable_network(t->ctx, 0);
    proj_log_level(t->ctx, PJ_LOG_NONE);
    return t;
}

void geo_transformer_free(struct geo_transformer *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < NDEFS; i++) {
        proj_destroy(t->pj[i]);
        free(t->name[i]);
    }
    proj_context_destroy(t->ctx);
    free(t);
}

/* op is, or has a step that is, the operation EPSG:code. */
static bool uses_epsg(PJ_CONTEXT *ctx, const PJ *op, const char *code, int depth)
{
    const char *auth = proj_get_id_auth_name(op, 0), *id = proj_get_id_code(op, 0);
    if (auth && id && strcmp(auth, "EPSG") == 0 && strcmp(id, code) == 0)
        return true;
    if (depth > 4 || proj_get_type(op) != PJ_TYPE_CONCATENATED_OPERATION)
        return false;
    int n = proj_concatoperation_get_step_count(ctx, op);
    bool found = false;
    for (int i = 0; i < n && !found; i++) {
        PJ *step = proj_concatoperation_get_step(ctx, op, i);
        found = step && uses_epsg(ctx, step, code, depth + 1);
        proj_destroy(step);
    }
    return found;
}

/*
 * The candidate operations from def's CRS to WGS 84, without ballpark ones
 * and without any that needs a grid; returns the one to use (VN-2000: the
 * one through EPSG:6960; WGS 84 based: the first, a plain conversion), or
 * NULL.
 */
static PJ *choose_operation(PJ_CONTEXT *ctx, const struct crs_def *def)
{
    char src_code[16];
    geo_crs_code(&def->crs, src_code, sizeof src_code);
    PJ *src = proj_create(ctx, src_code), *dst = proj_create(ctx, "EPSG:4326"), *best = NULL;
    PJ_OPERATION_FACTORY_CONTEXT *f = proj_create_operation_factory_context(ctx, NULL);
    PJ_OBJ_LIST *ops = NULL;
    if (src && dst && f) {
        proj_operation_factory_context_set_spatial_criterion(
            ctx, f, PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
        proj_operation_factory_context_set_grid_availability_use(
            ctx, f, PROJ_GRID_AVAILABILITY_DISCARD_OPERATION_IF_MISSING_GRID);
        proj_operation_factory_context_set_allow_ballpark_transformations(ctx, f, 0);
        ops = proj_create_operations(ctx, src, dst, f);
    }
    int n = ops ? proj_list_get_count(ops) : 0;
    for (int i = 0; i < n && best == NULL; i++) {
        PJ *op = proj_list_get(ctx, ops, i);
        bool ok = op && proj_coordoperation_get_grid_used_count(ctx, op) == 0 &&
                  (!def->crs.vn2000 || uses_epsg(ctx, op, "6960", 0));
        if (ok)
            best = op;
        else
            proj_destroy(op);
    }
    proj_list_destroy(ops);
    proj_operation_factory_context_destroy(f);
    proj_destroy(src);
    proj_destroy(dst);
    return best;
}

/* Sets up the operation for DEFS[i]; returns 0, or -1 with e filled. */
static int setup(struct geo_transformer *t, size_t i, struct err *e)
{
    const struct crs_def *def = &DEFS[i];
    PJ *op = choose_operation(t->ctx, def);
    PJ *vis = op ? proj_normalize_for_visualization(t->ctx, op) : NULL;
    const char *name = op ? proj_get_name(op) : NULL;
    t->name[i] = strdup(name ? name : "?");
    proj_destroy(op);
    if (vis == NULL || t->name[i] == NULL) {
        proj_destroy(vis);
        free(t->name[i]);
        t->name[i] = NULL;
        err_set(e,
                "crs: PROJ cannot set up EPSG:%d (%s) to WGS 84%s; is the PROJ database "
                "(proj-data) installed?",
                def->crs.epsg, def->crs.name,
                def->crs.vn2000 ? " through EPSG:6960 (the VN-2000 parameters)" : "");
        return -1;
    }
    t->pj[i] = vis;
    return 0;
}

static int ready(struct geo_transformer *t, const struct geo_crs *crs, struct err *e)
{
    int i = def_index(crs->epsg);
    if (i < 0) {
        err_set(e, "crs: EPSG:%d is not supported", crs->epsg);
        return -1;
    }
    if (t->pj[i] == NULL && setup(t, (size_t)i, e) != 0)
        return -1;
    return i;
}

const char *geo_transform_name(struct geo_transformer *t, const struct geo_crs *crs, struct err *e)
{
    int i = ready(t, crs, e);
    return i < 0 ? NULL : t->name[i];
}

int geo_to_wgs84(struct geo_transformer *t, const struct geo_crs *crs, double a, double b,
                 double *lat, double *lon, struct err *e)
{
    if (crs->epsg == 4326) {
        *lon = a;
        *lat = b;
        return 0;
    }
    int i = ready(t, crs, e);
    if (i < 0)
        return -1;
    proj_errno_reset(t->pj[i]);
    PJ_COORD r = proj_trans(t->pj[i], PJ_FWD, proj_coord(a, b, 0, 0));
    if (!isfinite(r.xy.x) || !isfinite(r.xy.y) || r.xy.x == HUGE_VAL) {
        int code = proj_errno(t->pj[i]);
        err_set(e, "cannot be transformed from EPSG:%d to WGS 84 (%s)", crs->epsg,
                code ? proj_context_errno_string(t->ctx, code) : "no result");
        return -1;
    }
    *lon = r.xy.x;
    *lat = r.xy.y;
    return 0;
}
