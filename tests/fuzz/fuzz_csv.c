/*
 * fuzz_csv: libFuzzer target for the import's CSV reader (import/csv.h) and
 * the field rules (import/validate.h) applied to what it reads.
 *
 * The input is a whole CSV file. It is read twice, from a memory buffer and
 * from a FILE* (fmemopen), and both readings must give the same records and
 * errors. Invariants: every record has the header's field count; every field
 * is NUL-terminated at its length, holds no NUL byte and is valid UTF-8;
 * record lines never go backwards; a fatal error repeats; every message is
 * non-empty, valid UTF-8 text; at the end all input bytes were consumed.
 * Every field of every record then goes through the validators (numbers,
 * booleans, dates, codes of each kind, references against a fixed code
 * set), which must not crash, must accept only finite
 * numbers and must explain every refusal in valid UTF-8.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "import/codeset.h"
#include "import/csv.h"
#include "import/validate.h"

#define MAX_RECORDS 4096 /* bounds a run; more records add no coverage */
#define MAX_VALIDATED 16 /* records whose fields go through every rule (the rules are slow) */

static void check_msg(const char *msg, const char *what)
{
    FUZZ_CHECK(msg[0] != '\0', "%s: empty message", what);
    FUZZ_CHECK(fuzz_utf8(msg), "%s: message is not UTF-8: %s", what, msg);
}

static void check_record(const struct csv_record *rec, size_t header)
{
    FUZZ_CHECK(rec->nfields >= 1, "record with no field on line %lu", rec->line);
    FUZZ_CHECK(header == 0 || rec->nfields == header, "%zu fields, header has %zu", rec->nfields,
               header);
    for (size_t i = 0; i < rec->nfields; i++) {
        FUZZ_CHECK(strlen(rec->fields[i]) == rec->lens[i], "field %zu has a NUL inside", i);
        FUZZ_CHECK(utf8_validate(rec->fields[i], rec->lens[i], NULL), "field %zu not UTF-8", i);
    }
}

/* Runs every rule that takes one field, checking what it says. */
static void validate_field(const char *s, const char *other, const struct codeset *codes)
{
    static const char *const levels[] = {"province", "district", "ward", NULL};
    struct err e = {{0}};
    double d;
    bool b;
#define RULE(call)                                                                                 \
    do {                                                                                           \
        e.msg[0] = '\0';                                                                           \
        if (!(call))                                                                               \
            check_msg(e.msg, #call);                                                               \
    } while (0)
    if (validate_number("lat", s, &d, &e))
        FUZZ_CHECK(isfinite(d), "number %s accepted as %g", s, d);
    else
        check_msg(e.msg, "validate_number");
    RULE(validate_required("name", s, &e));
    RULE(validate_enum("level", s, levels, &e) >= 0);
    RULE(validate_bool("position_approx", s, &b, &e));
    RULE(validate_date("updated", s, &e));
    RULE(validate_source(s, &e));
    RULE(validate_agent_code(s, &e));
    RULE(validate_facility_code(s, NULL, &e));
    RULE(validate_facility_code(s, codes, &e));
    for (int level = VALIDATE_LEVEL_UNKNOWN; level <= VALIDATE_WARD; level++) {
        RULE(validate_admin_code(s, level, &e));
        RULE(validate_office_code(s, level, other, &e));
        RULE(validate_office_parent(level, s, &e));
        RULE(validate_admin_parent(level, s, codeset_get(codes, s) != NULL, level - 1, &e));
        RULE(validate_admin_ref("ward_code", s, level, codes, &e));
        RULE(validate_office_ref("parent_code", s, level, codes, &e));
    }
#undef RULE
}

static void validate_record(const struct csv_record *rec, const struct codeset *codes)
{
    for (size_t i = 0; i < rec->nfields && i < 8; i++)
        validate_field(rec->fields[i], rec->fields[(i + 1) % rec->nfields], codes);
    double lat, lon;
    struct err e = {{0}};
    if (rec->nfields >= 2 && validate_number("lat", rec->fields[0], &lat, NULL) &&
        validate_number("lon", rec->fields[1], &lon, NULL) &&
        !validate_position(rec->fields[0], rec->fields[1], lat, lon, &e))
        check_msg(e.msg, "validate_position");
}

/* What one csv_next call gave, to compare the two readings. */
struct outcome {
    int status;
    unsigned long line;
    size_t nfields;
    uint64_t digest; /* of the fields, or of the message */
};

static uint64_t digest(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211u;
    return h * 31 + n;
}

/* Reads r to the end; fills out[] (up to MAX_RECORDS); validates records when codes is set. */
static size_t read_all(struct csv_reader *r, struct outcome *out, const struct codeset *codes)
{
    size_t n = 0, header = 0;
    unsigned long last_line = 0;
    bool fatal = false;
    struct csv_error fatal_err;
    while (n < MAX_RECORDS) {
        struct csv_record rec;
        struct csv_error err;
        int st = csv_next(r, &rec, &err);
        struct outcome o = {.status = st, .digest = 14695981039346656037u};
        if (st == CSV_EOF) {
            out[n++] = o;
            break;
        }
        if (st == CSV_RECORD) {
            FUZZ_CHECK(!fatal, "a record after a fatal error");
            check_record(&rec, header);
            header = header ? header : rec.nfields;
            FUZZ_CHECK(rec.line >= last_line, "line %lu after %lu", rec.line, last_line);
            last_line = rec.line;
            o.line = rec.line;
            o.nfields = rec.nfields;
            for (size_t i = 0; i < rec.nfields; i++)
                o.digest = digest(o.digest, rec.fields[i], rec.lens[i] + 1);
            if (codes && n < MAX_VALIDATED)
                validate_record(&rec, codes);
        } else {
            FUZZ_CHECK(st == CSV_ERROR, "csv_next returned %d", st);
            check_msg(err.msg, "csv_next");
            FUZZ_CHECK(!fatal || strcmp(err.msg, fatal_err.msg) == 0, "fatal error changed");
            o.line = err.line;
            o.digest = digest(o.digest, err.msg, strlen(err.msg));
            if (fatal) {
                out[n++] = o;
                break;
            }
            if (err.fatal) {
                fatal = true;
                fatal_err = err;
            }
        }
        out[n++] = o;
    }
    return n;
}

static struct outcome first[MAX_RECORDS + 1], second[MAX_RECORDS + 1];

/*
 * The codes references are checked against: made once (a fresh set per input
 * would cost an arena chunk each time), the same for every input, so a run
 * depends on its input alone. Tags are levels, as the importer stores them.
 */
static const struct codeset *known_codes(void)
{
    static struct codeset *codes;
    static const struct {
        const char *code;
        int tag;
    } known[] = {{"91", VALIDATE_PROVINCE},    {"01", VALIDATE_PROVINCE},
                 {"899", VALIDATE_DISTRICT},   {"30742", VALIDATE_WARD},
                 {"091", VALIDATE_PROVINCE},   {"09102", VALIDATE_DISTRICT},
                 {"X", VALIDATE_LEVEL_UNKNOWN}};
    if (codes == NULL) {
        codes = codeset_new();
        FUZZ_CHECK(codes != NULL, "codeset_new");
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            codeset_add(codes, known[i].code, i + 2, known[i].tag, NULL);
    }
    return codes;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct csv_reader *r = csv_open_buffer((const char *)data, size, NULL, NULL);
    if (r == NULL)
        return 0;
    size_t n1 = read_all(r, first, known_codes());
    if (n1 > 0 && first[n1 - 1].status == CSV_EOF)
        FUZZ_CHECK(csv_bytes_read(r) == size, "read %llu of %zu bytes",
                   (unsigned long long)csv_bytes_read(r), size);
    csv_close(r);

    FILE *f = size > 0 ? fmemopen((void *)data, size, "rb") : NULL;
    if (f == NULL)
        return 0;
    r = csv_open_file(f, NULL, NULL);
    if (r != NULL) {
        size_t n2 = read_all(r, second, NULL);
        FUZZ_CHECK(n1 == n2, "buffer gave %zu outcomes, file %zu", n1, n2);
        for (size_t i = 0; i < n1; i++)
            FUZZ_CHECK(first[i].status == second[i].status && first[i].line == second[i].line &&
                           first[i].nfields == second[i].nfields &&
                           first[i].digest == second[i].digest,
                       "outcome %zu differs: status %d/%d line %lu/%lu", i, first[i].status,
                       second[i].status, first[i].line, second[i].line);
        csv_close(r);
    }
    fclose(f);
    return 0;
}
