/*
 * textq: hands rows (a rowid, a fixed number of texts and a fixed-size
 * block of numbers) from the thread reading the CSV files to one worker
 * thread, in batches, in order. The importer uses two: one inserts the
 * places rows, the other folds and indexes each place's name and address
 * (places_fts), while the first thread reads and checks the next rows.
 *
 * The producer calls textq_push() per row and textq_close() at the end; the
 * worker calls row() for every row, in push order, then done() once, unless
 * a call failed: the first failure stops the worker, and its message is
 * what textq_push() (from then on) and textq_join() report. At most
 * TEXTQ_BATCHES batches are in flight, so memory stays bounded.
 */
#ifndef BHXH_IMPORT_TEXTQ_H
#define BHXH_IMPORT_TEXTQ_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct textq;

#define TEXTQ_MAX_TEXTS 32

/*
 * Each returns 0, or -1 with e filled. They run on the worker thread.
 * texts[0..ntexts) and payload are valid during the call only.
 */
typedef int (*textq_row_fn)(void *arg, int64_t rowid, const char *const *texts, const void *payload,
                            struct err *e);
typedef int (*textq_done_fn)(void *arg, struct err *e);

/*
 * Starts the worker for rows of ntexts (<= TEXTQ_MAX_TEXTS) texts and
 * payload_size bytes of payload (done may be NULL); NULL with e filled when
 * it cannot.
 */
struct textq *textq_start(int ntexts, size_t payload_size, textq_row_fn row, textq_done_fn done,
                          void *arg, struct err *e);

/*
 * Queues a row: texts[0..ntexts) (NULL counts as "") and payload are
 * copied. 0, or -1 with e filled.
 */
int textq_push(struct textq *q, int64_t rowid, const char *const *texts, const void *payload,
               struct err *e);

/* No more rows: lets the worker finish the last batch and call done(). */
void textq_close(struct textq *q);

/*
 * Waits for the worker (closing q first if needed) and frees q. Returns 0
 * when every row() and done() succeeded, else -1 with e filled. NULL q is
 * a no-op returning 0.
 */
int textq_join(struct textq *q, struct err *e);

/*
 * Stops the worker without waiting for the rest of the rows (they are
 * dropped, done() is not called), waits for it and frees q. For failures.
 */
void textq_cancel(struct textq *q);

#endif
