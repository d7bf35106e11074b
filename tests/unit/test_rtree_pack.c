/*
 * rtree_pack: a packed R*Tree is one SQLite accepts (rtreecheck) and
 * answers box queries exactly as one filled by INSERT, for sizes around
 * one node, one level and several levels.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "import/rtree_pack.h"

static long long q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void check_size(size_t n, bool dense)
{
    sqlite3 *db;
    struct err e;
    char sql[512];
    unsigned seed = (unsigned)n * 2654435761u + 1;

    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE VIRTUAL TABLE packed USING rtree(pkid, xmin, xmax, ymin, ymax);"
                       "CREATE VIRTUAL TABLE ref USING rtree(pkid, xmin, xmax, ymin, ymax);",
                       NULL, NULL, NULL) == SQLITE_OK);
    struct rtree_cell *v = malloc((n ? n : 1) * sizeof *v);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db, "INSERT INTO ref VALUES (?1, ?2, ?2, ?3, ?3)", -1, &ins, NULL);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        double x = 102.0 + 8.0 * rand_r(&seed) / RAND_MAX;
        double y = 8.5 + 15.0 * rand_r(&seed) / RAND_MAX;
        /* 1..n shuffled (as an import numbers places), or sparse and unordered */
        long long id = dense ? (long long)((i * 7919) % n) + 1
                             : (long long)(i * 7 % (n + 3)) + 1 + (long long)i * 1000;
        rtree_point_cell(&v[i], id, x, y);
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_double(ins, 2, x);
        sqlite3_bind_double(ins, 3, y);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    CHECKF(rtree_pack(db, "packed", v, n, &e) == 0, "n=%zu: %s", n, e.msg);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    free(v);

    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, "SELECT rtreecheck('packed')", -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECKF(strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0, "n=%zu: rtreecheck: %s", n,
           (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    CHECKF(q_int(db, "SELECT count(*) FROM packed") == (long long)n, "n=%zu: count", n);
    CHECKF(q_int(db,
                 "SELECT count(*) FROM packed p JOIN ref r USING (pkid) WHERE p.xmin = r.xmin"
                 " AND p.xmax = r.xmax AND p.ymin = r.ymin AND p.ymax = r.ymax") == (long long)n,
           "n=%zu: the same boxes as INSERT stores", n);
    bool same = true;
    for (int k = 0; k < 40; k++) {
        double x = 102.0 + 8.0 * rand_r(&seed) / RAND_MAX,
               y = 8.5 + 15.0 * rand_r(&seed) / RAND_MAX;
        double w = 2.0 * rand_r(&seed) / RAND_MAX, h = 2.0 * rand_r(&seed) / RAND_MAX;
        const char *const tables[] = {"packed", "ref"};
        long long got[2][2];
        for (int t = 0; t < 2; t++) {
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM %s WHERE xmax >= %.9f AND xmin <= %.9f"
                     " AND ymax >= %.9f AND ymin <= %.9f",
                     tables[t], x, x + w, y, y + h);
            got[t][0] = q_int(db, sql);
            snprintf(sql, sizeof sql,
                     "SELECT total(pkid) FROM %s WHERE xmax >= %.9f AND xmin <= %.9f"
                     " AND ymax >= %.9f AND ymin <= %.9f",
                     tables[t], x, x + w, y, y + h);
            got[t][1] = q_int(db, sql);
        }
        same &= got[0][0] == got[1][0] && got[0][1] == got[1][1];
    }
    CHECKF(same, "n=%zu: box queries answer as on an R*Tree filled by INSERT", n);
    /* Still a working R*Tree: it takes an insert and a delete. */
    CHECK(sqlite3_exec(
              db, "INSERT INTO packed VALUES (-5, 1, 2, 3, 4); DELETE FROM packed WHERE pkid = -5",
              NULL, NULL, NULL) == SQLITE_OK);
    CHECKF(q_int(db, "SELECT rtreecheck('packed') = 'ok'") == 1, "n=%zu: after insert/delete", n);
    sqlite3_close(db);
}

int main(void)
{
    /* 51 cells a node for 4 KiB pages: one leaf, a root over leaves, three levels. */
    const size_t sizes[] = {0, 1, 50, 51, 52, 2601, 2602, 20000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        check_size(sizes[i], false);
        check_size(sizes[i], true);
    }
    return harness_done();
}
