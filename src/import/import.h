/*
 * import: builds a release database from the CSV files of a data directory
 * (the format is docs/data-format.md). This header is the whole contract;
 * the command line (main.c) calls import_run() and maps its result to the
 * exit status.
 */
#ifndef BHXH_IMPORT_IMPORT_H
#define BHXH_IMPORT_IMPORT_H

#include <stdio.h>

#define IMPORT_OPT_MAX 8 /* --crs or --encoding given at most this many times */

struct import_opts {
    const char *data_dir; /* holds admin_units.csv, offices.csv, agents.csv, facilities.csv */
    const char *out_path; /* release database to create or replace */
    unsigned max_errors;  /* problems printed before "... and N more errors"; 0 => 50 */
    /*
     * --crs and --encoding, each "VALUE" (every file) or "FILE=VALUE" (that
     * file: "facilities.csv=VN2000:TM3:104.5", "agents=cp1258"); a FILE=
     * value wins over a plain one. CRS: a geo/crs.h name, for rows without a
     * crs value (default WGS 84). Encoding: utf-8 (default), cp1258, tcvn3.
     */
    const char *crs[IMPORT_OPT_MAX];
    unsigned ncrs;
    const char *encoding[IMPORT_OPT_MAX];
    unsigned nencoding;
    const char *columns; /* --columns file mapping source headers to columns, or NULL */
    int timings;         /* --timings: print how long each phase took to the log */
};

/*
 * Builds a release database from data_dir into out_path. Returns 0 on
 * success; on bad data prints every problem as "FILE:LINE: COLUMN: reason"
 * to log (capped at max_errors, then "... and N more errors"), returns 1; on
 * I/O or database failure prints one message and returns 2. out_path is
 * never modified unless the result is 0: the database is built as
 * OUT.tmp-PID in the same directory and renamed over out_path at the end.
 * Nothing is printed on success. SOURCE_DATE_EPOCH, when set, fixes the
 * build time recorded in the release. An unknown crs, encoding or file
 * name in them is reported as "--crs: ..." / "--encoding: ..." with result
 * 2; a malformed columns file as "FILE:LINE: reason" with result 1.
 */
int import_run(const struct import_opts *o, FILE *log);

#endif
