/*
 * Unit tests for import/csv: RFC 4180 cases, line numbers, error reporting,
 * and reading through a FILE* across read-buffer boundaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "import/csv.h"

static char out[8192];
static char last_msg[CSV_MSG_MAX];

/*
 * Renders what the reader returns: "LINE:f1|f2;" per record and
 * "!LINE:FIELD[F];" per error (F when fatal). Stops after a fatal error.
 */
static void render(struct csv_reader *r)
{
    struct csv_record rec;
    struct csv_error err;
    size_t o = 0;
    int st;

    out[0] = '\0';
    while ((st = csv_next(r, &rec, &err)) != CSV_EOF && o < sizeof out - 256) {
        if (st == CSV_ERROR) {
            o += (size_t)snprintf(out + o, sizeof out - o, "!%lu:%ld%s;", err.line, err.field,
                                  err.fatal ? "F" : "");
            snprintf(last_msg, sizeof last_msg, "%s", err.msg);
            if (err.fatal)
                break;
            continue;
        }
        o += (size_t)snprintf(out + o, sizeof out - o, "%lu:", rec.line);
        for (size_t i = 0; i < rec.nfields; i++)
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? "|" : "", rec.fields[i]);
        o += (size_t)snprintf(out + o, sizeof out - o, ";");
    }
}

static const char *parse(const char *data)
{
    struct csv_reader *r = csv_open_buffer(data, strlen(data), NULL, NULL);
    render(r);
    csv_close(r);
    return out;
}

#define EXPECT(data, want)                                                                         \
    do {                                                                                           \
        const char *got_ = parse(data);                                                            \
        CHECKF(strcmp(got_, want) == 0, "input %s\n  got  %s\n  want %s", #data, got_, want);      \
    } while (0)

static void test_rfc4180(void)
{
    EXPECT("a,b\n1,2\n", "1:a|b;2:1|2;");
    EXPECT("a,b\n1,2", "1:a|b;2:1|2;");       /* no final newline */
    EXPECT("a,b\r\n1,2\r\n", "1:a|b;2:1|2;"); /* CRLF */
    EXPECT("\xEF\xBB\xBF"
           "a,b\n1,2\n",
           "1:a|b;2:1|2;");                                         /* BOM skipped */
    EXPECT("a,b\n\"x,y\",2\n", "1:a|b;2:x,y|2;");                   /* quoted comma */
    EXPECT("a,b\n\"say \"\"hi\"\"\",2\n", "1:a|b;2:say \"hi\"|2;"); /* doubled quote */
    EXPECT("a,b\n,\n", "1:a|b;2:|;");                               /* empty fields */
    EXPECT("a,b,c\n,,\n\"\",x,\"\"\n", "1:a|b|c;2:||;3:|x|;");
    /* A newline inside quotes: the next record starts two lines later. */
    EXPECT("a,b\n\"line1\nline2\",2\n3,4\n", "1:a|b;2:line1\nline2|2;4:3|4;");
    EXPECT("a,b\r\n\"l1\r\nl2\r\nl3\",2\r\n3,4\r\n", "1:a|b;2:l1\r\nl2\r\nl3|2;5:3|4;");
    /* Empty lines are skipped but counted. */
    EXPECT("a,b\n\n1,2\n\n\n", "1:a|b;3:1|2;");
    EXPECT("\n\na,b\r\n\r\n1,2", "3:a|b;5:1|2;");
    EXPECT("", "");
    EXPECT("\xEF\xBB\xBF", "");
    /* Spaces are data at this level (the importer trims). */
    EXPECT("a,b\n 1 , 2 \n", "1:a|b;2: 1 | 2 ;");
    /* A quoted field that is last on the last line, no newline. */
    EXPECT("a,b\n1,\"2\"", "1:a|b;2:1|2;");
    /* UTF-8 passes through. */
    EXPECT("name\nKi\xC3\xAAn Giang\n", "1:name;2:Ki\xC3\xAAn Giang;");
}

static void test_errors(void)
{
    /* Field count: non-fatal, reading goes on. */
    EXPECT("a,b\n1,2,3\n4,5\n6\n", "1:a|b;!2:-1;3:4|5;!4:-1;");
    CHECKF(strstr(last_msg, "1 fields but the header has 2") != NULL, "%s", last_msg);

    /* Stray quote in an unquoted field, with the field index. */
    EXPECT("a,b\n1,x\"y\n3,4\n", "1:a|b;!2:1;3:3|4;");
    CHECKF(strstr(last_msg, "stray quote") != NULL, "%s", last_msg);
    EXPECT("a,b\n\"x\"y,2\n3,4\n", "1:a|b;!2:0;3:3|4;");
    CHECKF(strstr(last_msg, "after a closing quote") != NULL, "%s", last_msg);

    /* Unterminated quote: fatal, at the line where the record starts. */
    EXPECT("a,b\n1,2\n3,\"open\n4,5\n6,7\n", "1:a|b;2:1|2;!3:-1F;");
    CHECKF(strstr(last_msg, "unterminated") != NULL, "%s", last_msg);

    /* Invalid UTF-8 (Latin-1): line, field, and the word UTF-8. */
    EXPECT("code,name\n91,Ki\xEAn Giang\n92,ok\n", "1:code|name;!2:1;3:92|ok;");
    CHECKF(strstr(last_msg, "UTF-8") != NULL, "%s", last_msg);
    CHECKF(strstr(last_msg, "0xEA") != NULL, "%s", last_msg);
    /* ... also after a multi-line record. */
    EXPECT("code,name\n\"9\n1\",x\n92,\xE0\xA0\n", "1:code|name;2:9\n1|x;!4:1;");
    /* In the header. */
    EXPECT("co\xFF"
           "de,name\n1,2\n",
           "!1:0;2:1|2;");
    /* NUL byte. */
    {
        static const char data[] = "a,b\n1,x\0y\n";
        struct csv_reader *r = csv_open_buffer(data, sizeof data - 1, NULL, NULL);
        render(r);
        csv_close(r);
        CHECKF(strcmp(out, "1:a|b;!2:1;") == 0, "NUL: %s", out);
        CHECKF(strstr(last_msg, "NUL") != NULL, "%s", last_msg);
    }
}

static void count_bytes(void *ctx, const void *p, size_t n)
{
    (void)p;
    *(size_t *)ctx += n;
}

/* Through a FILE*, with records and quoted newlines straddling the 64 KiB read buffer. */
static void test_file(void)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fputs("\xEF\xBB\xBFid,text\r\n", f);
    const int n = 20000;
    for (int i = 0; i < n; i++)
        fprintf(f, "%d,\"q \"\"%d\"\"\nx, y\"\r\n", i, i);
    long size = ftell(f);
    rewind(f);

    size_t tapped = 0;
    struct csv_reader *r = csv_open_file(f, count_bytes, &tapped);
    struct csv_record rec;
    struct csv_error err;
    int rows = 0, bad = 0, st;
    char want[64];
    while ((st = csv_next(r, &rec, &err)) == CSV_RECORD) {
        if (rec.line == 1)
            continue;
        snprintf(want, sizeof want, "q \"%d\"\nx, y", rows);
        if (rec.nfields != 2 || atoi(rec.fields[0]) != rows || strcmp(rec.fields[1], want) != 0 ||
            rec.line != 2 + 2 * (unsigned long)rows)
            bad++;
        rows++;
    }
    CHECKF(st == CSV_EOF, "status %d: %s", st, err.msg);
    CHECKF(rows == n, "rows %d", rows);
    CHECKF(bad == 0, "%d bad records", bad);
    CHECKF(tapped == (size_t)size && csv_bytes_read(r) == (uint64_t)size,
           "tapped %zu, read %llu, size %ld", tapped, (unsigned long long)csv_bytes_read(r), size);
    csv_close(r);
    fclose(f);
}

static void test_limits(void)
{
    /* An unterminated quote near the start of a long file stops at the size limit. */
    size_t n = CSV_RECORD_MAX + 1000;
    char *big = malloc(n + 1);
    memcpy(big, "a\n\"", 3);
    memset(big + 3, 'x', n - 3);
    big[n] = '\0';
    parse(big);
    CHECKF(strcmp(out, "1:a;!2:-1F;") == 0, "%s", out);
    CHECKF(strstr(last_msg, "longer than") != NULL, "%s", last_msg);
    free(big);
}

/*
 * Random inputs from an alphabet of the interesting bytes: the reader must
 * not crash, must give the same result from a buffer and from a FILE*, and
 * line numbers must never go backwards or past the number of lines.
 */
static void test_random(void)
{
    static const char alphabet[] = {'a', ',', '"', '\n', '\r', ' ', '\xC3', '\xA9', '\xFF'};
    char data[256], from_buffer[sizeof out];
    unsigned seed = 12345;
    int mismatches = 0, bad_lines = 0;

    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (seed = seed * 1103515245u + 12345u) % sizeof data, newlines = 0;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            data[i] = alphabet[(seed >> 16) % sizeof alphabet];
            newlines += data[i] == '\n' || data[i] == '\r';
        }
        struct csv_reader *r = csv_open_buffer(data, n, NULL, NULL);
        render(r);
        csv_close(r);
        memcpy(from_buffer, out, sizeof out);
        FILE *f = fmemopen(data, n ? n : 1, "rb");
        if (n == 0) /* fmemopen needs a size; read nothing */
            fgetc(f);
        r = csv_open_file(f, NULL, NULL);
        render(r);
        csv_close(r);
        fclose(f);
        mismatches += strcmp(out, from_buffer) != 0;
        unsigned long prev = 0;
        for (const char *p = out; *p; p = strchr(p, ';') + 1) {
            unsigned long line = strtoul(p + (*p == '!'), NULL, 10);
            bad_lines += line < prev || line > newlines + 1;
            prev = line; /* (no ';' or digit in the alphabet, so fields cannot confuse this) */
        }
    }
    CHECKF(mismatches == 0, "%d inputs differ between buffer and FILE*", mismatches);
    CHECKF(bad_lines == 0, "%d bad line numbers", bad_lines);
}

int main(void)
{
    test_rfc4180();
    test_errors();
    test_file();
    test_limits();
    test_random();
    return harness_done();
}
