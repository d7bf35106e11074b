/*
 * rtree_pack (see the header). The node format, from rtree.c: a node is a
 * BLOB of the table's node size (read from the root, which CREATE VIRTUAL
 * TABLE made empty); bytes 0-1 hold the tree depth in the root (leaves are
 * depth 0) and nothing elsewhere, bytes 2-3 the number of cells, then the
 * cells, each an 8-byte rowid (leaf) or child node number, then its four
 * float32 bounds, all big-endian; the rest is zeros. %_rowid maps each
 * entry's rowid to its leaf, %_parent each non-root node to its parent.
 */
#include "import/rtree_pack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RNDTOWARDS (1.0 - 1.0 / 8388608.0) /* rtree.c: round towards zero */
#define RNDAWAY (1.0 + 1.0 / 8388608.0)    /* rtree.c: round away from zero */
#define CELL_SIZE 24                       /* 8-byte id, four 4-byte floats */

/* rtree.c rtreeValueDown(): the largest float not above d (near enough). */
static float value_down(double d)
{
    float f = (float)d;
    if (f > d)
        f = (float)(d * (d < 0 ? RNDAWAY : RNDTOWARDS));
    return f;
}

/* rtree.c rtreeValueUp(). */
static float value_up(double d)
{
    float f = (float)d;
    if (f < d)
        f = (float)(d * (d < 0 ? RNDTOWARDS : RNDAWAY));
    return f;
}

void rtree_point_cell(struct rtree_cell *c, int64_t id, double x, double y)
{
    c->id = id;
    c->box[0] = value_down(x);
    c->box[1] = value_up(x);
    c->box[2] = value_down(y);
    c->box[3] = value_up(y);
}

struct packer {
    sqlite3 *h;
    sqlite3_stmt *node, *parent, *rowid;
    int node_size, per_node;
    unsigned char *blob; /* one node being written */
    int64_t next_node;   /* number of the next non-root node */
    struct leaf_of {
        int64_t rowid, node;
    } * leaf_of; /* each entry's leaf, written in rowid order at the end */
    size_t nleaf_of;
};

static int by_rowid(const void *a, const void *b)
{
    const struct leaf_of *p = a, *q = b;
    return (p->rowid > q->rowid) - (p->rowid < q->rowid);
}

/* The bits of f as an unsigned number that sorts as f does (no NaNs here). */
static uint32_t float_key(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u & 0x80000000u ? ~u : u | 0x80000000u;
}

/*
 * Sorts v[0..n) by the centre of the boxes on axis (0: x, 1: y), stably:
 * a radix sort of (key << 32 | position) on the key's four bytes, then
 * the cells are put in that order. tmp and key hold n entries, spare has n
 * cells. qsort() took three quarters of the packing time for 1M points.
 */
static void sort_axis(struct rtree_cell *v, size_t n, int axis, uint64_t *key, uint64_t *tmp,
                      struct rtree_cell *spare)
{
    for (size_t i = 0; i < n; i++)
        key[i] = (uint64_t)float_key(v[i].box[2 * axis] + v[i].box[2 * axis + 1]) << 32 | i;
    for (int shift = 32; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((key[i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(key[i] >> shift) & 0xFF]++] = key[i];
        memcpy(key, tmp, n * sizeof *key);
    }
    for (size_t i = 0; i < n; i++)
        spare[i] = v[key[i] & 0xFFFFFFFFu];
    memcpy(v, spare, n * sizeof *v);
}

/*
 * Orders v for packing m to a node: vertical slices by x, each slice by y.
 * Returns -1 when memory ran out.
 */
static int str_sort(struct rtree_cell *v, size_t n, size_t m)
{
    size_t nodes = (n + m - 1) / m;
    size_t slices = (size_t)ceil(sqrt((double)nodes));
    size_t per_slice = slices * m;
    uint64_t *key = malloc(n * sizeof *key), *tmp = malloc(n * sizeof *tmp);
    struct rtree_cell *spare = malloc(n * sizeof *spare);
    if (key == NULL || tmp == NULL || spare == NULL) {
        free(key);
        free(tmp);
        free(spare);
        return -1;
    }
    sort_axis(v, n, 0, key, tmp, spare);
    for (size_t i = 0; i < n; i += per_slice)
        sort_axis(v + i, n - i < per_slice ? n - i : per_slice, 1, key, tmp, spare);
    free(key);
    free(tmp);
    free(spare);
    return 0;
}

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static int step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Writes node nodeno holding v[0..n) (depth is stored in the root only)
 * and sets *box to the union of their boxes.
 */
static int write_node(struct packer *k, int64_t nodeno, int depth, const struct rtree_cell *v,
                      size_t n, float box[4])
{
    memset(k->blob, 0, (size_t)k->node_size);
    put_be(k->blob, nodeno == 1 ? (uint64_t)depth : 0, 2);
    put_be(k->blob + 2, n, 2);
    box[0] = box[2] = INFINITY;
    box[1] = box[3] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        unsigned char *c = k->blob + 4 + i * CELL_SIZE;
        put_be(c, (uint64_t)v[i].id, 8);
        for (int j = 0; j < 4; j++) {
            uint32_t bits;
            memcpy(&bits, &v[i].box[j], sizeof bits);
            put_be(c + 8 + 4 * j, bits, 4);
        }
        box[0] = fminf(box[0], v[i].box[0]);
        box[1] = fmaxf(box[1], v[i].box[1]);
        box[2] = fminf(box[2], v[i].box[2]);
        box[3] = fmaxf(box[3], v[i].box[3]);
    }
    sqlite3_bind_int64(k->node, 1, nodeno);
    sqlite3_bind_blob(k->node, 2, k->blob, k->node_size, SQLITE_STATIC);
    if (step(k->node))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (depth == 0) { /* a leaf */
            k->leaf_of[k->nleaf_of++] = (struct leaf_of){v[i].id, nodeno};
            continue;
        }
        sqlite3_bind_int64(k->parent, 1, v[i].id);
        sqlite3_bind_int64(k->parent, 2, nodeno);
        if (step(k->parent))
            return -1;
    }
    return 0;
}

/* Packs v[0..n) level by level; the last level's single node is the root. */
static int pack_levels(struct packer *k, struct rtree_cell *v, size_t n)
{
    size_t m = (size_t)k->per_node;
    struct rtree_cell *up = NULL;
    int depth = 0, rc = 0;

    while (rc == 0 && n > m) {
        size_t nodes = (n + m - 1) / m;
        struct rtree_cell *next = malloc(nodes * sizeof *next);
        if (next == NULL) {
            free(up);
            return -2;
        }
        if (str_sort(v, n, m)) {
            free(next);
            free(up);
            return -2;
        }
        for (size_t i = 0; i < nodes && rc == 0; i++) {
            size_t len = n - i * m < m ? n - i * m : m;
            next[i].id = k->next_node++;
            rc = write_node(k, next[i].id, depth, v + i * m, len, next[i].box);
        }
        free(up);
        v = up = next;
        n = nodes;
        depth++;
    }
    float box[4];
    if (rc == 0)
        rc = write_node(k, 1, depth, v, n, box);
    free(up);
    return rc;
}

/* The node size of name: the length of its root, as rtree.c reads it. */
static int node_size(sqlite3 *h, const char *name)
{
    char *sql = sqlite3_mprintf("SELECT length(data) FROM \"%w_node\" WHERE nodeno = 1", name);
    sqlite3_stmt *st = NULL;
    int size = -1;
    if (sql && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        size = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return size;
}

static int prepare(sqlite3 *h, const char *fmt, const char *name, sqlite3_stmt **st)
{
    char *sql = sqlite3_mprintf(fmt, name);
    int rc = sql ? sqlite3_prepare_v2(h, sql, -1, st, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
    return rc == SQLITE_OK ? 0 : -1;
}

/* Sorts k->leaf_of by rowid: by placing each where it goes when the rowids are dense. */
static void sort_rowids(struct packer *k)
{
    size_t n = k->nleaf_of;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        lo = k->leaf_of[i].rowid < lo ? k->leaf_of[i].rowid : lo;
        hi = k->leaf_of[i].rowid > hi ? k->leaf_of[i].rowid : hi;
    }
    struct leaf_of *placed = NULL;
    if (n > 0 && (uint64_t)hi - (uint64_t)lo == n - 1) /* 1..n as an import makes them */
        placed = calloc(n, sizeof *placed);
    for (size_t i = 0; placed && i < n; i++) {
        struct leaf_of *to = &placed[k->leaf_of[i].rowid - lo];
        if (to->node != 0) { /* a rowid twice: let the insert report it */
            free(placed);
            placed = NULL;
            break;
        }
        *to = k->leaf_of[i];
    }
    if (placed == NULL) {
        qsort(k->leaf_of, n, sizeof *k->leaf_of, by_rowid);
        return;
    }
    free(k->leaf_of);
    k->leaf_of = placed;
}

static int write_rowids(struct packer *k)
{
    sort_rowids(k);
    for (size_t i = 0; i < k->nleaf_of; i++) {
        sqlite3_bind_int64(k->rowid, 1, k->leaf_of[i].rowid);
        sqlite3_bind_int64(k->rowid, 2, k->leaf_of[i].node);
        if (step(k->rowid))
            return -1;
    }
    return 0;
}

int rtree_pack(sqlite3 *h, const char *name, struct rtree_cell *v, size_t n, struct err *e)
{
    struct packer k = {.h = h, .next_node = 2};
    int rc = -1;

    k.node_size = node_size(h, name);
    if (k.node_size < 4 + 2 * CELL_SIZE) {
        err_set(e, "%s: not an empty R*Tree table: %s", name, sqlite3_errmsg(h));
        return -1;
    }
    k.per_node = (k.node_size - 4) / CELL_SIZE;
    if (prepare(h, "INSERT OR REPLACE INTO \"%w_node\" (nodeno, data) VALUES (?1, ?2)", name,
                &k.node) ||
        prepare(h, "INSERT INTO \"%w_parent\" (nodeno, parentnode) VALUES (?1, ?2)", name,
                &k.parent) ||
        prepare(h, "INSERT INTO \"%w_rowid\" (rowid, nodeno) VALUES (?1, ?2)", name, &k.rowid)) {
        err_set(e, "%s: %s", name, sqlite3_errmsg(h));
        goto out;
    }
    k.blob = malloc((size_t)k.node_size);
    k.leaf_of = malloc((n ? n : 1) * sizeof *k.leaf_of);
    if (k.blob == NULL || k.leaf_of == NULL) {
        err_set(e, "out of memory");
        goto out;
    }
    rc = pack_levels(&k, v, n);
    if (rc == 0)
        rc = write_rowids(&k);
    if (rc == -2)
        err_set(e, "out of memory");
    else if (rc != 0)
        err_set(e, "%s: cannot write the spatial index: %s", name, sqlite3_errmsg(h));
    rc = rc ? -1 : 0;
out:
    sqlite3_finalize(k.node);
    sqlite3_finalize(k.parent);
    sqlite3_finalize(k.rowid);
    free(k.blob);
    free(k.leaf_of);
    return rc;
}
