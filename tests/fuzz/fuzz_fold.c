/*
 * fuzz_fold: libFuzzer target for Vietnamese search folding (text/fold.h).
 *
 * The input is any text a user could type or a CSV could hold. Invariants:
 * fold_text() gives valid UTF-8 whose ASCII bytes are only a-z, 0-9 and
 * single spaces between words, no longer than the input, and folding it
 * again changes nothing; fold_index_text() is folded text too and holds the
 * words of fold_text() in order; fold_fts_query() refuses exactly the inputs
 * with no word, and otherwise gives an expression SQLite's FTS5 accepts on a
 * table with positions over folded names (FTS_SQL; a release's places_fts
 * holds rowids only and store/query rewrites the expression for it) and
 * that finds a row indexed with fold_index_text() of the same input:
 * whatever a place is called, typing its name finds it.
 */
#include <sqlite3.h>
#include <string.h>

#include "fuzz.h"
#include "text/fold.h"

#define PROBE_ROWID 1000000

static const char FTS_SQL[] =
    "CREATE VIRTUAL TABLE places_fts USING fts5(name, address, content='',"
    " tokenize='unicode61 remove_diacritics 2', prefix='2 3');";

static sqlite3 *db;
static sqlite3_stmt *insert_stmt, *match_stmt;

/* Opens the in-memory index once, with a few real rows so that queries have company. */
static void open_index(void)
{
    static const char *const names[] = {"Bệnh viện Đa khoa tỉnh Kiên Giang",
                                        "Trạm Y tế Phường 5, Q.3", "BHXH TP Hà Tiên",
                                        "Bưu điện xã Hòn Đất", "ĐẠI LÝ THU BHXH, BHYT"};
    FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK, "open");
    FUZZ_CHECK(sqlite3_exec(db, FTS_SQL, NULL, NULL, NULL) == SQLITE_OK, "schema: %s",
               sqlite3_errmsg(db));
    FUZZ_CHECK(sqlite3_prepare_v2(db,
                                  "INSERT INTO places_fts(rowid, name, address) VALUES (?, ?, '')",
                                  -1, &insert_stmt, NULL) == SQLITE_OK,
               "prepare insert");
    FUZZ_CHECK(sqlite3_prepare_v2(db, "SELECT rowid FROM places_fts WHERE places_fts MATCH ?", -1,
                                  &match_stmt, NULL) == SQLITE_OK,
               "prepare match");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        struct buf b = {0};
        FUZZ_CHECK(fold_index_text(names[i], strlen(names[i]), &b) == 0, "fold seed row");
        sqlite3_bind_int64(insert_stmt, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_text(insert_stmt, 2, b.data, (int)b.len, SQLITE_TRANSIENT);
        FUZZ_CHECK(sqlite3_step(insert_stmt) == SQLITE_DONE, "insert seed row");
        sqlite3_reset(insert_stmt);
        buf_free(&b);
    }
}

/* Folded text: valid UTF-8, ASCII only [a-z0-9] and single inner spaces. */
static void check_folded(const struct buf *b, const char *what)
{
    if (b->len == 0)
        return;
    FUZZ_CHECK(utf8_validate(b->data, b->len, NULL), "%s: not UTF-8", what);
    FUZZ_CHECK(b->data[0] != ' ' && b->data[b->len - 1] != ' ', "%s: space at an end", what);
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        FUZZ_CHECK(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       (c == ' ' && b->data[i + 1] != ' '),
                   "%s: byte 0x%02X at %zu of \"%s\"", what, c, i, b->data);
    }
}

/* Whether the words of sub appear in order among the words of all. */
static bool words_in_order(const char *sub, const char *all)
{
    while (*sub) {
        size_t n = strcspn(sub, " ");
        bool found = false;
        while (*all && !found) {
            size_t m = strcspn(all, " ");
            found = m == n && memcmp(all, sub, n) == 0;
            all += m + (all[m] == ' ');
        }
        if (!found)
            return false;
        sub += n + (sub[n] == ' ');
    }
    return true;
}

/* Indexes idx under PROBE_ROWID and runs query; returns whether the probe row matched. */
static bool probe(const struct buf *idx, const struct buf *query)
{
    FUZZ_CHECK(sqlite3_exec(db, "SAVEPOINT probe", NULL, NULL, NULL) == SQLITE_OK, "savepoint");
    sqlite3_bind_int64(insert_stmt, 1, PROBE_ROWID);
    sqlite3_bind_text(insert_stmt, 2, idx->data ? idx->data : "", (int)idx->len, SQLITE_STATIC);
    FUZZ_CHECK(sqlite3_step(insert_stmt) == SQLITE_DONE, "insert: %s", sqlite3_errmsg(db));
    sqlite3_reset(insert_stmt);
    sqlite3_bind_text(match_stmt, 1, query->data, (int)query->len, SQLITE_STATIC);
    bool found = false;
    int rc;
    while ((rc = sqlite3_step(match_stmt)) == SQLITE_ROW)
        found |= sqlite3_column_int64(match_stmt, 0) == PROBE_ROWID;
    FUZZ_CHECK(rc == SQLITE_DONE, "FTS5 refused %s: %s", query->data, sqlite3_errmsg(db));
    sqlite3_reset(match_stmt);
    FUZZ_CHECK(sqlite3_exec(db, "ROLLBACK TO probe; RELEASE probe", NULL, NULL, NULL) == SQLITE_OK,
               "rollback");
    return found;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (db == NULL)
        open_index();
    if (size > 4096)
        return 0;
    const char *s = (const char *)data;
    struct buf folded = {0}, again = {0}, idx = {0}, query = {0};
    FUZZ_CHECK(fold_text(s, size, &folded) == 0, "fold_text failed");
    check_folded(&folded, "fold_text");
    FUZZ_CHECK(folded.len <= size, "folded %zu bytes into %zu", size, folded.len);
    FUZZ_CHECK(fold_text(folded.data, folded.len, &again) == 0 && again.len == folded.len &&
                   (folded.len == 0 || memcmp(again.data, folded.data, folded.len) == 0),
               "not idempotent: \"%s\" -> \"%s\"", folded.data, again.data);

    FUZZ_CHECK(fold_index_text(s, size, &idx) == 0, "fold_index_text failed");
    check_folded(&idx, "fold_index_text");
    FUZZ_CHECK((idx.len == 0) == (folded.len == 0), "index text and folded text disagree");
    FUZZ_CHECK(idx.len == 0 || words_in_order(folded.data, idx.data),
               "index \"%s\" lost words of \"%s\"", idx.data, folded.data);

    int rc = fold_fts_query(s, size, &query);
    FUZZ_CHECK(rc == (folded.len == 0 ? -1 : 0), "fold_fts_query %d for \"%s\"", rc,
               folded.data ? folded.data : "");
    if (rc == 0) {
        FUZZ_CHECK(utf8_validate(query.data, query.len, NULL), "query not UTF-8");
        FUZZ_CHECK(probe(&idx, &query), "query %s does not find the row indexed as \"%s\"",
                   query.data, idx.data);
    } else
        FUZZ_CHECK(query.len == 0, "refused query left output behind");
    buf_free(&folded);
    buf_free(&again);
    buf_free(&idx);
    buf_free(&query);
    return 0;
}
