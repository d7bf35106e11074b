#include "store/query.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.h"
#include "text/fold.h"
#include "util/buf.h"

/* Collected WHERE terms and their bound text values, in order. */
struct where {
    struct buf sql;
    const char *values[12];
    int nvalues;
};

static void add_term(struct where *w, const char *sql_term, const char *value)
{
    if (value == NULL || w->nvalues == (int)(sizeof w->values / sizeof *w->values))
        return;
    buf_puts(&w->sql, " AND ");
    buf_puts(&w->sql, sql_term);
    w->values[w->nvalues++] = value;
}

/* A term with two bound values (both set, or the term is left out). */
static void add_term2(struct where *w, const char *sql_term, const char *a, const char *b)
{
    if (a == NULL || b == NULL || w->nvalues + 2 > (int)(sizeof w->values / sizeof *w->values))
        return;
    buf_puts(&w->sql, " AND ");
    buf_puts(&w->sql, sql_term);
    w->values[w->nvalues++] = a;
    w->values[w->nvalues++] = b;
}

#define IN_JSON(col) col " IN (SELECT value FROM json_each(?))"

static int bind_all(sqlite3_stmt *st, const struct where *w, int first)
{
    for (int i = 0; i < w->nvalues; i++)
        if (sqlite3_bind_text(st, first + i, w->values[i], -1, SQLITE_STATIC) != SQLITE_OK)
            return -1;
    return 0;
}

/* Runs st and maps each row's first column (a places.id) to a place. */
static long collect_places(struct release *r, sqlite3 *db, sqlite3_stmt *st,
                           const struct place **out, size_t max, struct err *e)
{
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && (size_t)n < max) {
        const struct place *p = release_place_by_rowid(r, sqlite3_column_int64(st, 0));
        if (p == NULL)
            continue;
        out[n++] = p;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err_set(e, "query failed: %s", sqlite3_errmsg(db));
        return -1;
    }
    return n;
}

static long run(struct release *r, const char *sql, const struct where *w, size_t limit,
                const struct place **out, struct err *e)
{
    sqlite3 *db = release_db_get(r);
    sqlite3_stmt *st = NULL;
    long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        err_set(e, "query failed: %s", sqlite3_errmsg(db));
    } else if (bind_all(st, w, 1) != 0 ||
               sqlite3_bind_int64(st, w->nvalues + 1, (sqlite3_int64)limit) != SQLITE_OK) {
        err_set(e, "query failed: %s", sqlite3_errmsg(db));
    } else {
        n = collect_places(r, db, st, out, limit, e);
    }
    sqlite3_finalize(st);
    release_db_put(r, db);
    return n;
}

/* How fts_terms() writes each quoted string of a fold_fts_query() expression. */
enum fts_words {
    FTS_NAME_WHOLE,  /* whole words of the name: the '*' dropped */
    FTS_NAME_PREFIX, /* words of the name, prefixes where the user typed them */
    FTS_ANYWHERE,    /* words of the name or of the address */
};

/* Appends the words w..end (single spaces between) as "w1" AND "w2", each with prefix and star. */
static int put_words(struct buf *out, const char *w, const char *end, const char *prefix,
                     const char *star)
{
    int rc = 0;
    while (rc == 0 && w < end) {
        const char *sp = memchr(w, ' ', (size_t)(end - w));
        sp = sp ? sp : end;
        rc = buf_printf(out, "\"%s%.*s\"%s%s", prefix, (int)(sp - w), w, star,
                        sp < end ? " AND " : "");
        w = sp < end ? sp + 1 : end;
    }
    return rc;
}

/*
 * Appends match, an expression of fold_fts_query() (quoted folded words,
 * some followed by '*', joined by AND, OR and parentheses), rewritten for
 * places_fts (store/schema.h), which holds rowids only (detail=none): every
 * quoted string "w1 w2"* becomes ("w1"* AND "w2"*) (an expansion such as
 * "benh vien" needs both words, not their order), its words as wanted by
 * how: whole, prefixes, or also as address words, which carry
 * STORE_FTS_ADDRESS_MARK: (("w1"* AND "w2"*) OR ("<mark>w1"* AND
 * "<mark>w2"*)). The folded words inside quotes are separated by single
 * spaces and hold no quote. Returns 0 or -1.
 */
static int fts_terms(const char *match, enum fts_words how, struct buf *out)
{
    int rc = 0;
    for (const char *c = match; *c && rc == 0;) {
        const char *end = *c == '"' ? strchr(c + 1, '"') : NULL;
        if (end == NULL) {
            rc = buf_append(out, c++, 1);
            continue;
        }
        bool prefix = end[1] == '*';
        const char *star = prefix && how != FTS_NAME_WHOLE ? "*" : "";
        rc = buf_puts(out, "((") || put_words(out, c + 1, end, "", star) || buf_puts(out, ")");
        if (rc == 0 && how == FTS_ANYWHERE)
            rc = buf_puts(out, " OR (") ||
                 put_words(out, c + 1, end, STORE_FTS_ADDRESS_MARK, star) || buf_puts(out, ")");
        rc = rc || buf_puts(out, ")");
        c = end + 1 + prefix;
    }
    return rc ? -1 : 0;
}

long store_list_places(struct release *r, const struct place_filter *f, const struct place **out,
                       struct err *e)
{
    static const char accepts_text[2][2] = {"0", "1"};
    struct where w = {.nvalues = 0};
    add_term(&w, "kind = ?", place_kind_name(f->kind));
    add_term(&w, IN_JSON("province_code"), f->provinces);
    if (f->district_wards)
        add_term2(&w, "(district_code = ? OR " IN_JSON("ward_code") ")", f->district,
                  f->district_wards);
    else
        add_term(&w, "district_code = ?", f->district);
    add_term(&w, IN_JSON("ward_code"), f->wards);
    add_term(&w, "parent_code = ?", f->parent);
    add_term(&w, "level = ?", f->level);
    add_term(&w, "ownership = ?", f->ownership);
    add_term(&w, "accepts_initial_registration = CAST(? AS INTEGER)",
             f->accepts < 0 ? NULL : accepts_text[f->accepts != 0]);
    /* places_fts rowids carry places.id in their low 32 bits (store_fts_rowid). */
    struct buf match = {0};
    if (f->match && fts_terms(f->match, FTS_ANYWHERE, &match) != 0) {
        err_set(e, "out of memory");
        return -1;
    }
    add_term(&w, "id IN (SELECT rowid & 4294967295 FROM places_fts WHERE places_fts MATCH ?)",
             match.data);
    add_term(&w, "code > ?", f->after);
    struct buf sql = {0};
    buf_printf(&sql, "SELECT id FROM places WHERE 1%s ORDER BY code LIMIT ?",
               w.sql.data ? w.sql.data : "");
    long n = sql.data ? run(r, sql.data, &w, f->limit, out, e) : -1;
    if (sql.data == NULL)
        err_set(e, "out of memory");
    buf_free(&sql);
    buf_free(&w.sql);
    buf_free(&match);
    return n;
}

/* One ranked-list build: the statement every class runs and the rows so far. */
struct search_run {
    struct release *r;
    sqlite3 *db;
    sqlite3_stmt *st;
    const char *folded;
    struct search_hit *out;
    size_t n, limit;
    int64_t *seen; /* open addressing over fts rowids + 1 (0 = empty) */
    size_t seen_mask;
    struct buf name;
    struct err *e;
};

/* Reads at most this many rows per kind looking for exact names. */
#define SEARCH_EXACT_SCAN 16

static bool seen_insert(struct search_run *s, int64_t rowid)
{
    size_t i = (size_t)((uint64_t)rowid * 0x9E3779B97F4A7C15u >> 40) & s->seen_mask;
    while (s->seen[i] != 0) {
        if (s->seen[i] == rowid + 1)
            return false;
        i = (i + 1) & s->seen_mask;
    }
    s->seen[i] = rowid + 1;
    return true;
}

/* The relevance of a row of class cls: see struct search_hit and store_search. */
static double relevance(int cls, int64_t rowid)
{
    int kind_rank = (int)(rowid >> (STORE_FTS_ID_BITS + 8));
    unsigned words = (unsigned)(rowid >> STORE_FTS_ID_BITS) & STORE_FTS_WORDS_MAX;
    return cls + ((2 - kind_rank) + 1.0 / (2 + words)) / 3;
}

/*
 * Appends the rows of one class query (rowids lo..hi in index order) that
 * are not listed yet, until the list is long. With exact, only places whose
 * folded name equals s->folded count, and at most SEARCH_EXACT_SCAN rows
 * are read. Returns 0 or -1.
 */
static int search_class(struct search_run *s, const char *match, int64_t lo, int64_t hi, int cls,
                        bool exact)
{
    sqlite3_stmt *st = s->st;
    sqlite3_reset(st);
    if (sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, lo) != SQLITE_OK || sqlite3_bind_int64(st, 3, hi) != SQLITE_OK) {
        err_set(s->e, "query failed: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    int rc = SQLITE_ROW;
    for (size_t read = 0; s->n < s->limit && (!exact || read < SEARCH_EXACT_SCAN); read++) {
        if ((rc = sqlite3_step(st)) != SQLITE_ROW)
            break;
        int64_t rowid = sqlite3_column_int64(st, 0);
        const struct place *p = release_place_by_rowid(s->r, store_fts_place_id(rowid));
        if (p == NULL)
            continue;
        if (exact) {
            char tmp[TEXT_PACK_MAX];
            const char *name = place_name(p, tmp);
            buf_reset(&s->name);
            if (name == NULL || fold_text(name, strlen(name), &s->name) != 0 ||
                s->name.data == NULL || strcmp(s->name.data, s->folded) != 0)
                continue;
        }
        if (seen_insert(s, rowid))
            s->out[s->n++] = (struct search_hit){p, relevance(cls, rowid)};
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err_set(s->e, "query failed: %s", sqlite3_errmsg(s->db));
        return -1;
    }
    return 0;
}

/*
 * Appends the FTS5 term for the province filter, " AND ("<mark>91" OR
 * ...)", from a JSON array of codes; *none is set when the array is empty
 * (nothing can match). Returns 0 or -1 (not an array of strings, or memory).
 */
static int province_term(const char *provinces, struct buf *out, bool *none)
{
    json_t *a = json_loads(provinces, 0, NULL);
    int rc = json_is_array(a) ? 0 : -1;
    *none = rc == 0 && json_array_size(a) == 0;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        const char *code = json_string_value(v);
        if (code == NULL || strchr(code, '"') != NULL ||
            buf_printf(out, "%s\"" STORE_FTS_PROVINCE_MARK "%s\"", i ? " OR " : " AND (", code) !=
                0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && !*none && buf_puts(out, ")") != 0)
        rc = -1;
    json_decref(a);
    return rc;
}

/* The places_fts rowid range of the kinds from rank a to rank b; words = -1: any number. */
static void kind_range(int a, int b, int words, int64_t *lo, int64_t *hi)
{
    int64_t kind_shift = STORE_FTS_ID_BITS + 8, id_max = ((int64_t)1 << STORE_FTS_ID_BITS) - 1;
    *lo = (int64_t)a << kind_shift | (int64_t)(words < 0 ? 0 : words) << STORE_FTS_ID_BITS;
    *hi = (int64_t)b << kind_shift |
          (int64_t)(words < 0 ? STORE_FTS_WORDS_MAX : words) << STORE_FTS_ID_BITS | id_max;
}

static int search_classes(struct search_run *s, const struct search_query *q, const char *tags)
{
    struct buf m[4] = {{0}};
    /* Name words are plain index terms; address words are marked. */
    static const enum fts_words how[4] = {FTS_NAME_WHOLE, FTS_NAME_WHOLE, FTS_NAME_PREFIX,
                                          FTS_ANYWHERE};
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++)
        rc = buf_puts(&m[i], "(") || fts_terms(q->match, how[i], &m[i]) ||
             buf_printf(&m[i], ")%s", tags);
    if (rc != 0)
        err_set(s->e, "out of memory");
    /* Kinds by search rank; a class runs once per contiguous run of wanted kinds. */
    static const enum place_kind by_rank[] = {PLACE_OFFICE, PLACE_FACILITY, PLACE_AGENT};
    int nwords = 1;
    for (const char *c = q->folded; *c; c++)
        nwords += *c == ' ';
    for (int cls = 4; rc == 0 && cls >= 1 && s->n < s->limit; cls--) {
        for (int a = 0; rc == 0 && a < 3 && s->n < s->limit; a++) {
            if (!(q->kinds & 1u << by_rank[a]))
                continue;
            int b = a;
            while (cls != 4 && b + 1 < 3 && (q->kinds & 1u << by_rank[b + 1]))
                b++;
            int64_t lo, hi;
            kind_range(a, b, cls == 4 ? (nwords > STORE_FTS_WORDS_MAX ? -1 : nwords) : -1, &lo,
                       &hi);
            rc = search_class(s, m[4 - cls].data, lo, hi, cls, cls == 4);
            a = b;
        }
    }
    for (int i = 0; i < 4; i++)
        buf_free(&m[i]);
    return rc;
}

long store_search(struct release *r, const struct search_query *q, struct search_hit *out,
                  struct err *e)
{
    struct search_run s = {.r = r, .folded = q->folded, .out = out, .limit = q->limit, .e = e};
    struct buf tags = {0};
    bool none = false;
    if (q->provinces && province_term(q->provinces, &tags, &none) != 0) {
        err_set(e, "bad province list");
        return -1;
    }
    if (none || q->limit == 0) {
        buf_free(&tags);
        return 0;
    }
    size_t slots = 16;
    while (slots < 2 * q->limit)
        slots *= 2;
    s.seen = calloc(slots, sizeof *s.seen);
    s.seen_mask = slots - 1;
    long n = -1;
    if (s.seen == NULL) {
        err_set(e, "out of memory");
    } else {
        s.db = release_db_get(r);
        if (sqlite3_prepare_v2(s.db,
                               "SELECT rowid FROM places_fts WHERE places_fts MATCH ?1"
                               " AND rowid BETWEEN ?2 AND ?3 ORDER BY rowid",
                               -1, &s.st, NULL) != SQLITE_OK)
            err_set(e, "query failed: %s", sqlite3_errmsg(s.db));
        else if (search_classes(&s, q, tags.data ? tags.data : "") == 0)
            n = (long)s.n;
        sqlite3_finalize(s.st);
        release_db_put(r, s.db);
    }
    free(s.seen);
    buf_free(&s.name);
    buf_free(&tags);
    return n;
}
