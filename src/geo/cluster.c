/*
 * Layout: the points are stored in ascending Morton order (ties by id) in
 * parallel arrays, with prefix sums of the quantised x and y as exact 64-bit
 * integers, so the count and the mean position of any contiguous range (any
 * quadtree node) cost O(1) and the mean of points in a cell lies in the cell.
 *
 * A query walks the quadtree from the root down to the cell level, keeping
 * for every index the range of the node (children by binary search inside the
 * parent's range), and skips nodes outside the box or empty in every index.
 * At a cell, each index's range is taken whole if the cell is certainly
 * inside the box, and otherwise split further (scan) down to small ranges or
 * single quanta, whose points are tested one by one: on their quanta (from
 * their codes) like a node, and on their degrees only near an edge.
 */
#include "geo/cluster.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LAT_LIMIT 85.05112878
#define Q_ONE 4294967296.0 /* 2^32 quanta per side of the world */
#define Q_BITS 32
#define CELL_LEVELS_BELOW_TILE 2 /* a cell is 64 px of a 256 px tile */
#define SMALL_RANGE 32           /* test ranges this small point by point */
#define FAR ((int64_t)1 << 40)   /* beyond any quantum: a side that does not constrain */

/* Sums of quantised coordinates, side by side: a range's mean reads two lines, not four. */
struct qsum {
    uint64_t x, y;
};

struct cluster_index {
    size_t n;
    uint64_t *code; /* Morton codes, ascending */
    uint32_t *ids;
    double *lat, *lon;
    struct qsum *sum;                          /* n + 1 prefix sums of the quantised x, y */
    double min_lat, max_lat, min_lon, max_lon; /* extent of the points */
};

/* ---- projection and Morton codes ---- */

static uint32_t quantise(double u)
{
    double v = floor(u * Q_ONE);
    if (!(v > 0))
        return 0;
    return v >= Q_ONE ? UINT32_MAX : (uint32_t)v;
}

static uint32_t quant_x(double lon)
{
    return quantise((lon + 180.0) / 360.0);
}

/* y grows southwards: 0 at the north edge of the Mercator square. */
static uint32_t quant_y(double lat)
{
    lat = lat > LAT_LIMIT ? LAT_LIMIT : (lat < -LAT_LIMIT ? -LAT_LIMIT : lat);
    double phi = lat * (M_PI / 180);
    return quantise((1 - log(tan(phi) + 1 / cos(phi)) / M_PI) / 2);
}

/* Position of the centre of quantum (qx, qy), qx and qy possibly fractional. */
static void unproject(double qx, double qy, double *lon, double *lat)
{
    double x = (qx + 0.5) / Q_ONE, y = (qy + 0.5) / Q_ONE;
    *lon = x * 360 - 180;
    *lat = atan(sinh(M_PI * (1 - 2 * y))) * (180 / M_PI);
}

static uint64_t spread(uint32_t v)
{
    uint64_t x = v;
    x = (x | x << 16) & 0x0000FFFF0000FFFFULL;
    x = (x | x << 8) & 0x00FF00FF00FF00FFULL;
    x = (x | x << 4) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | x << 2) & 0x3333333333333333ULL;
    x = (x | x << 1) & 0x5555555555555555ULL;
    return x;
}

static uint32_t compact(uint64_t x)
{
    x &= 0x5555555555555555ULL;
    x = (x | x >> 1) & 0x3333333333333333ULL;
    x = (x | x >> 2) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | x >> 4) & 0x00FF00FF00FF00FFULL;
    x = (x | x >> 8) & 0x0000FFFF0000FFFFULL;
    x = (x | x >> 16) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

/* x in the even bits, y in the odd ones: children in the order NW, NE, SW, SE. */
static uint64_t morton(uint32_t x, uint32_t y)
{
    return spread(x) | spread(y) << 1;
}

/* ---- building ---- */

struct key {
    uint64_t code;
    uint32_t id, idx;
};

static int key_cmp(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

static bool valid_point(double lat, double lon)
{
    return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; /* false for NaN */
}

static void fill_sorted(struct cluster_index *ix, const struct key *keys, const double *lat,
                        const double *lon)
{
    ix->sum[0] = (struct qsum){0, 0};
    ix->min_lat = ix->min_lon = INFINITY;
    ix->max_lat = ix->max_lon = -INFINITY;
    for (size_t i = 0; i < ix->n; i++) {
        const struct key *k = &keys[i];
        ix->code[i] = k->code;
        ix->ids[i] = k->id;
        ix->lat[i] = lat[k->idx];
        ix->lon[i] = lon[k->idx];
        ix->sum[i + 1].x = ix->sum[i].x + compact(k->code);
        ix->sum[i + 1].y = ix->sum[i].y + compact(k->code >> 1);
        ix->min_lat = fmin(ix->min_lat, ix->lat[i]);
        ix->max_lat = fmax(ix->max_lat, ix->lat[i]);
        ix->min_lon = fmin(ix->min_lon, ix->lon[i]);
        ix->max_lon = fmax(ix->max_lon, ix->lon[i]);
    }
}

struct cluster_index *cluster_index_build(const double *lat, const double *lon, const uint32_t *ids,
                                          size_t n)
{
    struct key *keys = NULL;
    struct cluster_index *ix = calloc(1, sizeof *ix);
    if (ix == NULL || n > UINT32_MAX)
        goto fail;
    size_t m = n ? n : 1;
    ix->n = n;
    ix->code = malloc(m * sizeof *ix->code);
    ix->ids = malloc(m * sizeof *ix->ids);
    ix->lat = malloc(m * sizeof *ix->lat);
    ix->lon = malloc(m * sizeof *ix->lon);
    ix->sum = malloc((n + 1) * sizeof *ix->sum);
    keys = malloc(m * sizeof *keys);
    if (!ix->code || !ix->ids || !ix->lat || !ix->lon || !ix->sum || !keys)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (!valid_point(lat[i], lon[i]))
            goto fail;
        keys[i] = (struct key){morton(quant_x(lon[i]), quant_y(lat[i])), ids[i], (uint32_t)i};
    }
    qsort(keys, n, sizeof *keys, key_cmp);
    fill_sorted(ix, keys, lat, lon);
    free(keys);
    return ix;
fail:
    free(keys);
    cluster_index_free(ix);
    return NULL;
}

void cluster_index_free(struct cluster_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->code);
    free(ix->ids);
    free(ix->lat);
    free(ix->lon);
    free(ix->sum);
    free(ix);
}

size_t cluster_index_size(const struct cluster_index *ix)
{
    return ix ? ix->n : 0;
}

/* ---- the box in quanta ---- */

/*
 * Bounds in quanta, per axis (0: x, 1: y). A point outside [maybe_lo, maybe_hi]
 * is certainly outside the box; one inside [sure_lo, sure_hi] certainly inside.
 * Why the margins: if lon >= min_lon then quant_x(lon) >= quant_x(min_lon) - 1
 * even if the projection rounds non-monotonically by a few ulps (far less than
 * a quantum), and quant(p) >= quant(edge) + 2 implies the degrees are strictly
 * on the inner side. Everything in between is tested on the degrees.
 */
struct qbox {
    int64_t maybe_lo[2], maybe_hi[2], sure_lo[2], sure_hi[2];
    /*
     * The same bounds as spread codes, to test a point's code masked to one
     * axis (spread is monotonic): [mlo, mhi] is [maybe_lo, maybe_hi] clamped
     * to the quanta, [slo, shi] likewise [sure_lo, sure_hi]. An empty range
     * has lo = UINT64_MAX, above any masked code.
     */
    uint64_t mlo[2], mhi[2], slo[2], shi[2];
};

#define X_BITS UINT64_C(0x5555555555555555)

static void axis_range(int64_t lo, int64_t hi, int a, uint64_t *mlo, uint64_t *mhi)
{
    if (lo > hi || hi < 0 || lo > (int64_t)UINT32_MAX) {
        *mlo = UINT64_MAX, *mhi = 0;
        return;
    }
    *mlo = spread((uint32_t)(lo < 0 ? 0 : lo)) << a;
    *mhi = spread((uint32_t)(hi > (int64_t)UINT32_MAX ? UINT32_MAX : hi)) << a;
}

struct box {
    double min_lon, min_lat, max_lon, max_lat;
};

/*
 * ix == NULL: the box itself. Otherwise a side the index's points all lie
 * within is dropped, so a query covering a whole data set needs no edge test.
 */
static void qbox_setup(struct qbox *q, const struct box *b, const struct cluster_index *ix)
{
    int64_t edge_lo[2] = {quant_x(b->min_lon), quant_y(b->max_lat)};
    int64_t edge_hi[2] = {quant_x(b->max_lon), quant_y(b->min_lat)};
    bool cuts_lo[2] = {!ix || b->min_lon > ix->min_lon, !ix || b->max_lat < ix->max_lat};
    bool cuts_hi[2] = {!ix || b->max_lon < ix->max_lon, !ix || b->min_lat > ix->min_lat};
    for (int a = 0; a < 2; a++) {
        q->maybe_lo[a] = cuts_lo[a] ? edge_lo[a] - 1 : -FAR;
        q->sure_lo[a] = cuts_lo[a] ? edge_lo[a] + 2 : -FAR;
        q->maybe_hi[a] = cuts_hi[a] ? edge_hi[a] + 1 : FAR;
        q->sure_hi[a] = cuts_hi[a] ? edge_hi[a] - 2 : FAR;
        axis_range(q->maybe_lo[a], q->maybe_hi[a], a, &q->mlo[a], &q->mhi[a]);
        axis_range(q->sure_lo[a], q->sure_hi[a], a, &q->slo[a], &q->shi[a]);
    }
}

enum { OUTSIDE, PARTIAL, INSIDE };

/* Where node (cx, cy) of the given level lies relative to the box. */
static int classify(const struct qbox *q, uint64_t cx, uint64_t cy, int level)
{
    int s = Q_BITS - level;
    int64_t lo[2] = {(int64_t)(cx << s), (int64_t)(cy << s)};
    int64_t size = (int64_t)1 << s;
    int r = INSIDE;
    for (int a = 0; a < 2; a++) {
        int64_t hi = lo[a] + size - 1;
        if (hi < q->maybe_lo[a] || lo[a] > q->maybe_hi[a])
            return OUTSIDE;
        if (lo[a] < q->sure_lo[a] || hi > q->sure_hi[a])
            r = PARTIAL;
    }
    return r;
}

static bool point_in_box(const struct box *b, double lat, double lon)
{
    return lat >= b->min_lat && lat <= b->max_lat && lon >= b->min_lon && lon <= b->max_lon;
}

/* ---- ranges ---- */

/* First position in [lo, hi) whose code is >= key (or > key when after). */
static size_t search(const uint64_t *code, size_t lo, size_t hi, uint64_t key, bool after)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (code[mid] < key || (after && code[mid] == key))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Splits [lo, hi), exactly the points of node (cx, cy) at level < 32, into
 * its four children: child c holds [b[c], b[c + 1]).
 */
static void split4(const uint64_t *code, size_t lo, size_t hi, uint64_t cx, uint64_t cy, int level,
                   size_t b[5])
{
    int s = 64 - 2 * (level + 1);
    uint64_t first = morton((uint32_t)cx, (uint32_t)cy) << 2 << s;
    b[0] = lo, b[4] = hi;
    b[2] = search(code, lo, hi, first + (UINT64_C(2) << s), false);
    b[1] = search(code, lo, b[2], first + (UINT64_C(1) << s), false);
    b[3] = search(code, b[2], hi, first + (UINT64_C(3) << s), false);
}

/* ---- the query ---- */

/* The points of one cell that are inside the box, over all kinds. */
struct acc {
    uint64_t count, sx, sy, lo_code, hi_code;
    size_t kind, last; /* where the last one came from: a lone point */
};

struct query {
    const struct cluster_index *const *ix;
    size_t nix;
    struct box box;
    struct qbox qbox;   /* the box itself: which cells to visit */
    struct qbox *kqbox; /* per index: which blocks to take whole */
    size_t *ranges;     /* rows of 5 per index: the root, then splits on the current path */
    int zoom, cell_level;
    bool collect; /* false: aggregate cells; true: list the points */
    bool nomem;
    bool empty; /* the box misses the world */
    struct acc acc;
    struct cluster_result *out;
};

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (q == NULL)
        return false;
    *p = q, *cap = c;
    return true;
}

/* A fresh item at the end of out (not yet counted in out->n), or NULL. */
static struct cluster_item *new_item(struct query *q)
{
    struct cluster_result *o = q->out;
    if (!grow((void **)&o->items, &o->items_cap, o->n + 1, sizeof *o->items) ||
        !grow((void **)&o->kind_counts, &o->kind_counts_cap, (o->n + 1) * q->nix,
              sizeof *o->kind_counts)) {
        q->nomem = true;
        return NULL;
    }
    memset(&o->items[o->n], 0, sizeof o->items[o->n]);
    memset(&o->kind_counts[o->n * q->nix], 0, q->nix * sizeof *o->kind_counts);
    return &o->items[o->n];
}

/* Lists point i of index k; its code goes in cluster_id until finish_points. */
static void collect_point(struct query *q, size_t k, size_t i)
{
    const struct cluster_index *ix = q->ix[k];
    struct cluster_item *it = new_item(q);
    if (it == NULL)
        return;
    it->lon = ix->lon[i], it->lat = ix->lat[i];
    it->cluster_id = ix->code[i];
    it->count = 1;
    it->id = ix->ids[i];
    it->kind = (uint32_t)k;
    q->out->n++;
}

/* Adds points [a, b) of index k, all inside the box, to the current cell. */
static void take(struct query *q, size_t k, size_t a, size_t b)
{
    const struct cluster_index *ix = q->ix[k];
    struct acc *c = &q->acc;
    c->count += b - a;
    if (q->collect) {
        for (size_t i = a; i < b; i++)
            collect_point(q, k, i);
        return;
    }
    c->sx += ix->sum[b].x - ix->sum[a].x;
    c->sy += ix->sum[b].y - ix->sum[a].y;
    if (ix->code[a] < c->lo_code)
        c->lo_code = ix->code[a];
    if (ix->code[b - 1] > c->hi_code)
        c->hi_code = ix->code[b - 1];
    c->kind = k, c->last = a;
}

/*
 * Takes the points [lo, hi) of index k that are inside the box, one by one:
 * by their quanta (their codes masked to each axis) as classify() decides a
 * quantum, and by their degrees only within two quanta of an edge. Runs of
 * consecutive points inside are taken whole.
 */
static void scan_points(struct query *q, size_t k, size_t lo, size_t hi)
{
    const struct cluster_index *ix = q->ix[k];
    const struct qbox *b = &q->kqbox[k];
    size_t run = lo; /* start of the current run of points inside */
    for (size_t i = lo; i < hi; i++) {
        uint64_t x = ix->code[i] & X_BITS, y = ix->code[i] & (X_BITS << 1);
        bool in = x >= b->mlo[0] && x <= b->mhi[0] && y >= b->mlo[1] && y <= b->mhi[1];
        if (in && !(x >= b->slo[0] && x <= b->shi[0] && y >= b->slo[1] && y <= b->shi[1]))
            in = point_in_box(&q->box, ix->lat[i], ix->lon[i]);
        if (!in) {
            if (run < i)
                take(q, k, run, i);
            run = i + 1;
        }
    }
    if (run < hi)
        take(q, k, run, hi);
}

/* Takes the points of index k in node (cx, cy), [lo, hi), that are inside the box. */
static void scan(struct query *q, size_t k, uint64_t cx, uint64_t cy, int level, size_t lo,
                 size_t hi)
{
    const struct cluster_index *ix = q->ix[k];
    if (hi - lo <= SMALL_RANGE || level == Q_BITS) {
        scan_points(q, k, lo, hi);
        return;
    }
    size_t b[5];
    split4(ix->code, lo, hi, cx, cy, level, b);
    for (unsigned c = 0; c < 4; c++) {
        if (b[c] == b[c + 1])
            continue;
        uint64_t x = 2 * cx + (c & 1), y = 2 * cy + (c >> 1);
        int where = classify(&q->kqbox[k], x, y, level + 1);
        if (where == INSIDE)
            take(q, k, b[c], b[c + 1]);
        else if (where == PARTIAL)
            scan(q, k, x, y, level + 1, b[c], b[c + 1]);
    }
}

/* Smallest zoom at which codes lo..hi fall into more than one cell. */
static int expansion_zoom(uint64_t lo, uint64_t hi)
{
    if (lo == hi)
        return CLUSTER_NO_SPLIT_ZOOM;
    int common_level = __builtin_clzll(lo ^ hi) / 2;
    int z = common_level - CELL_LEVELS_BELOW_TILE + 1;
    return z < CLUSTER_NO_SPLIT_ZOOM ? z : CLUSTER_NO_SPLIT_ZOOM;
}

static void fill_cell(struct query *q, struct cluster_item *it, uint64_t cell)
{
    const struct acc *c = &q->acc;
    it->cluster_id = cell << 5 | (uint64_t)q->zoom;
    it->count = c->count;
    if (c->count == 1) {
        const struct cluster_index *ix = q->ix[c->kind];
        it->lon = ix->lon[c->last], it->lat = ix->lat[c->last];
        it->id = ix->ids[c->last];
        it->kind = (uint32_t)c->kind;
        return;
    }
    unproject((double)c->sx / (double)c->count, (double)c->sy / (double)c->count, &it->lon,
              &it->lat);
    it->expansion_zoom = expansion_zoom(c->lo_code, c->hi_code);
}

/* Gathers cell (cx, cy) from every index; index k holds [r[5k + c], r[5k + c + 1]). */
static void visit_cell(struct query *q, uint64_t cx, uint64_t cy, const size_t *r, unsigned c)
{
    struct cluster_item *it = NULL;
    q->acc = (struct acc){.lo_code = UINT64_MAX};
    if (!q->collect && (it = new_item(q)) == NULL)
        return;
    for (size_t k = 0; k < q->nix; k++) {
        uint64_t before = q->acc.count;
        size_t lo = r[5 * k + c], hi = r[5 * k + c + 1];
        if (lo < hi) {
            int where = classify(&q->kqbox[k], cx, cy, q->cell_level);
            if (where == INSIDE)
                take(q, k, lo, hi);
            else if (where == PARTIAL)
                scan(q, k, cx, cy, q->cell_level, lo, hi);
        }
        if (it)
            q->out->kind_counts[q->out->n * q->nix + k] = (uint32_t)(q->acc.count - before);
    }
    if (q->collect || q->acc.count == 0)
        return;
    q->out->total += q->acc.count;
    fill_cell(q, it, morton((uint32_t)cx, (uint32_t)cy));
    q->out->n++;
}

/*
 * Visits the non-empty cells under node (cx, cy) that meet the box, in Morton
 * order. The node holds [r[5k + c], r[5k + c + 1]) of index k; its own split
 * into children goes in the next row of q->ranges.
 */
static void descend(struct query *q, uint64_t cx, uint64_t cy, int level, const size_t *r,
                    unsigned c)
{
    if (level == q->cell_level) {
        visit_cell(q, cx, cy, r, c);
        return;
    }
    size_t *row = q->ranges + 5 * q->nix * (size_t)(level + 1);
    for (size_t k = 0; k < q->nix; k++)
        split4(q->ix[k]->code, r[5 * k + c], r[5 * k + c + 1], cx, cy, level, row + 5 * k);
    for (unsigned d = 0; d < 4 && !q->nomem; d++) {
        uint64_t x = 2 * cx + (d & 1), y = 2 * cy + (d >> 1);
        if (classify(&q->qbox, x, y, level + 1) == OUTSIDE)
            continue;
        bool any = false;
        for (size_t k = 0; k < q->nix && !any; k++)
            any = row[5 * k + d] < row[5 * k + d + 1];
        if (any)
            descend(q, x, y, level + 1, row, d);
    }
}

static int item_cmp(const void *a, const void *b)
{
    const struct cluster_item *x = a, *y = b;
    if (x->cluster_id != y->cluster_id)
        return x->cluster_id < y->cluster_id ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id);
}

/* Orders the listed points by (Morton code, kind, id) and gives them their cells. */
static void finish_points(struct query *q)
{
    struct cluster_result *o = q->out;
    qsort(o->items, o->n, sizeof *o->items, item_cmp);
    int s = 64 - 2 * q->cell_level;
    for (size_t i = 0; i < o->n; i++) {
        struct cluster_item *it = &o->items[i];
        it->cluster_id = (it->cluster_id >> s) << 5 | (uint64_t)q->zoom;
        memset(&o->kind_counts[i * q->nix], 0, q->nix * sizeof *o->kind_counts);
        o->kind_counts[i * q->nix + it->kind] = 1;
    }
}

/* One walk over the cells; sets up the ranges of the root first. */
static void walk(struct query *q, bool collect)
{
    q->collect = collect;
    q->out->n = 0;
    for (size_t k = 0; k < q->nix; k++) {
        q->ranges[5 * k] = 0;
        q->ranges[5 * k + 1] = cluster_index_size(q->ix[k]);
    }
    descend(q, 0, 0, 0, q->ranges, 0);
}

/* Validates and clamps the box, counts its cells; returns a cluster_status. */
static int query_setup(struct query *q, double min_lon, double min_lat, double max_lon,
                       double max_lat, size_t max_cells)
{
    if (!(min_lon <= max_lon && min_lat <= max_lat) || !isfinite(min_lon) || !isfinite(max_lon) ||
        !isfinite(min_lat) || !isfinite(max_lat))
        return CLUSTER_ERR_ARG;
    q->box = (struct box){fmax(min_lon, -180), fmax(min_lat, -90), fmin(max_lon, 180),
                          fmin(max_lat, 90)};
    if (q->box.min_lon > q->box.max_lon || q->box.min_lat > q->box.max_lat) {
        q->empty = true; /* outside the world: no cell, no point */
        return CLUSTER_OK;
    }
    int s = Q_BITS - q->cell_level;
    uint64_t w = (quant_x(q->box.max_lon) >> s) - (quant_x(q->box.min_lon) >> s) + 1;
    uint64_t h = (quant_y(q->box.min_lat) >> s) - (quant_y(q->box.max_lat) >> s) + 1;
    q->out->cells = w * h;
    if (q->out->cells > max_cells)
        return CLUSTER_ERR_TOO_MANY_CELLS;
    qbox_setup(&q->qbox, &q->box, NULL);
    return CLUSTER_OK;
}

/* Scratch: per-index boxes, then the ranges of every level. */
static int scratch_setup(struct query *q, const struct cluster_index *const *ix, size_t nix)
{
    static const struct cluster_index empty = {0};
    struct cluster_result *o = q->out;
    size_t nbox = nix * sizeof(struct qbox);
    size_t nranges = 5 * nix * (size_t)(q->cell_level + 1) * sizeof(size_t);
    /* pointers to the indexes go last: they replace NULL entries by an empty index */
    size_t nptr = nix * sizeof(const struct cluster_index *);
    if (!grow(&o->scratch, &o->scratch_cap, nbox + nranges + nptr, 1))
        return CLUSTER_ERR_NOMEM;
    q->kqbox = o->scratch;
    q->ranges = (size_t *)((char *)o->scratch + nbox);
    const struct cluster_index **p = (const struct cluster_index **)((char *)q->ranges + nranges);
    for (size_t k = 0; k < nix; k++) {
        p[k] = ix[k] ? ix[k] : &empty;
        qbox_setup(&q->kqbox[k], &q->box, p[k]);
    }
    q->ix = p;
    q->nix = nix;
    return CLUSTER_OK;
}

int cluster_query(const struct cluster_index *const *ix, size_t nix, double min_lon, double min_lat,
                  double max_lon, double max_lat, int zoom, size_t max_points, size_t max_cells,
                  struct cluster_result *out)
{
    struct query q = {.zoom = zoom, .out = out};
    out->n = 0, out->total = 0, out->cells = 0, out->clustered = 0;
    out->zoom = zoom, out->nkinds = nix;
    if (zoom < 0 || zoom > CLUSTER_MAX_ZOOM)
        return CLUSTER_ERR_ARG;
    q.cell_level = zoom + CELL_LEVELS_BELOW_TILE;
    int rc = query_setup(&q, min_lon, min_lat, max_lon, max_lat, max_cells);
    if (rc == CLUSTER_OK && !q.empty)
        rc = scratch_setup(&q, ix, nix);
    if (rc != CLUSTER_OK || q.empty)
        return rc;
    walk(&q, false);
    if (!q.nomem && out->total > max_points) {
        out->clustered = 1;
        return CLUSTER_OK;
    }
    if (!q.nomem && out->total > 0) {
        walk(&q, true);
        if (!q.nomem)
            finish_points(&q);
    }
    if (q.nomem) {
        out->n = 0;
        return CLUSTER_ERR_NOMEM;
    }
    return CLUSTER_OK;
}

void cluster_result_free(struct cluster_result *out)
{
    if (out == NULL)
        return;
    free(out->items);
    free(out->kind_counts);
    free(out->scratch);
    memset(out, 0, sizeof *out);
}
