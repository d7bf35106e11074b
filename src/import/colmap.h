/*
 * colmap: which canonical column (docs/data-format.md) a header of a source
 * spreadsheet means, and the canonical value of a Vietnamese value in an
 * enumerated column ("Tuyến: Trung ương" -> level central).
 *
 * A header is matched after fold_text() (text/fold.h), so case, accents,
 * đ/Đ and punctuation do not matter ("MÃ CSKCB", "Ma cskcb", "Mã_CSKCB"
 * are one header). In order, a header is:
 *   1. what the --columns file maps it to in the section of this file,
 *   2. what it maps it to before any section (all files),
 *   3. a canonical column name ("lat", or folded: "Lat", "parent code"),
 *   4. a common Vietnamese header of the place files (built in: Mã CSKCB,
 *      Tên cơ sở, Địa chỉ, Tuyến, Hạng, Kinh độ, Vĩ độ, Số điện thoại, ...),
 *   5. STT / Số thứ tự (a row number column): ignored,
 *   6. otherwise unknown.
 *
 * The --columns file is UTF-8 text, one "SOURCE HEADER = column" per line
 * ("column" may be "-": ignore that source column), "#" or ";" starts a
 * comment line, and "[facilities.csv]" (or "[facilities]") starts a
 * section whose lines apply to that file only.
 *
 * A colmap owns its entries; it is read-only after colmap_load().
 */
#ifndef BHXH_IMPORT_COLMAP_H
#define BHXH_IMPORT_COLMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* The files, as bits (a built-in header may apply to several). */
enum colmap_kind {
    COLMAP_ADMIN = 1,
    COLMAP_OFFICE = 2,
    COLMAP_AGENT = 4,
    COLMAP_FACILITY = 8,
};

#define COLMAP_UNKNOWN (-1)
#define COLMAP_IGNORE (-2)

struct colmap;

/*
 * The mappings of the file at path, or none when path is NULL. Returns
 * NULL with e filled as "PATH:LINE: reason" (bad content, *io false) or
 * "PATH: reason" (cannot be read or out of memory, *io true).
 */
struct colmap *colmap_load(const char *path, struct err *e, bool *io);
void colmap_free(struct colmap *m);

/*
 * What header h of a file of kind means among that file's canonical
 * columns names[0..n) (NULL entries are skipped): the index of the column,
 * COLMAP_IGNORE, or COLMAP_UNKNOWN. When h means a canonical column this
 * file does not have, *meant is set to that column's name (else NULL).
 * Returns COLMAP_UNKNOWN too when memory runs out.
 */
int colmap_resolve(const struct colmap *m, enum colmap_kind kind, const char *h,
                   const char *const *names, size_t n, const char **meant);

/*
 * The built-in headers recognised for column col in files of kind, as
 * "Mã CSKCB, Mã KCB, ..." into out (empty when there are none).
 */
void colmap_aliases(enum colmap_kind kind, const char *col, char *out, size_t n);

/*
 * The canonical value of v in the enumerated column col of a file of
 * kind: level (tuyến, or an office level), facility_class (hạng),
 * ownership, accepts_initial_registration, position_approx. Returns a
 * static string ("central", "1", "true", "" for "chưa xếp hạng") when v is
 * a Vietnamese value of that column, else v itself. scratch is a caller's
 * buffer reused between calls (folding needs one).
 */
const char *colmap_value(enum colmap_kind kind, const char *col, const char *v,
                         struct buf *scratch);

#endif
