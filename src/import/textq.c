/*
 * textq (see the header). Batches of TEXTQ_ROWS rows go round between a
 * free list and a full list guarded by one mutex; the producer fills one
 * batch at a time without locking. Ownership: q owns every batch; the
 * producer owns q->filling, the worker the batch it is working on.
 */
#include "import/textq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define TEXTQ_ROWS 1024
#define TEXTQ_BATCHES 8

struct batch {
    size_t n;
    int64_t rowid[TEXTQ_ROWS];
    size_t *off;            /* [row * ntexts + i]: offset of text i of a row in text */
    unsigned char *payload; /* [row * payload_size] */
    struct buf text;
    struct batch *next;
};

struct textq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *free_list, *full_head, *full_tail;
    struct batch *filling;
    bool closed, cancelled, failed, finished;
    struct err err; /* the worker's failure, when failed */
    int ntexts;
    size_t payload_size;
    textq_row_fn row;
    textq_done_fn done;
    void *arg;
    pthread_t thread;
    struct batch all[TEXTQ_BATCHES];
};

static struct batch *take_full(struct textq *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->full_head == NULL && !q->closed && !q->cancelled)
        pthread_cond_wait(&q->cv, &q->mu);
    struct batch *b = q->cancelled ? NULL : q->full_head;
    if (b) {
        q->full_head = b->next;
        if (q->full_head == NULL)
            q->full_tail = NULL;
    }
    pthread_mutex_unlock(&q->mu);
    return b;
}

static void give_back(struct textq *q, struct batch *b)
{
    b->n = 0;
    buf_reset(&b->text);
    pthread_mutex_lock(&q->mu);
    b->next = q->free_list;
    q->free_list = b;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void fail(struct textq *q, const struct err *e)
{
    pthread_mutex_lock(&q->mu);
    q->err = *e;
    q->failed = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void *work(void *arg)
{
    struct textq *q = arg;
    struct batch *b;
    struct err e;

    const char *texts[TEXTQ_MAX_TEXTS];
    while ((b = take_full(q)) != NULL) {
        for (size_t i = 0; i < b->n; i++) {
            for (int k = 0; k < q->ntexts; k++)
                texts[k] = b->text.data + b->off[i * (size_t)q->ntexts + (size_t)k];
            if (q->row(q->arg, b->rowid[i], texts, b->payload + i * q->payload_size, &e)) {
                fail(q, &e);
                return NULL;
            }
        }
        give_back(q, b);
    }
    pthread_mutex_lock(&q->mu);
    bool cancelled = q->cancelled;
    pthread_mutex_unlock(&q->mu);
    if (!cancelled && q->done && q->done(q->arg, &e))
        fail(q, &e);
    return NULL;
}

/* Frees q once its worker has been joined (or was never started). */
static void destroy(struct textq *q)
{
    for (int i = 0; i < TEXTQ_BATCHES; i++) {
        buf_free(&q->all[i].text);
        free(q->all[i].off);
        free(q->all[i].payload);
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q);
}

struct textq *textq_start(int ntexts, size_t payload_size, textq_row_fn row, textq_done_fn done,
                          void *arg, struct err *e)
{
    struct textq *q = calloc(1, sizeof *q);
    if (q == NULL) {
        err_set(e, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->ntexts = ntexts;
    q->payload_size = payload_size;
    for (int i = 0; i < TEXTQ_BATCHES; i++) {
        q->all[i].off = malloc(TEXTQ_ROWS * (size_t)ntexts * sizeof *q->all[i].off);
        q->all[i].payload = malloc(TEXTQ_ROWS * payload_size + 1);
        if (q->all[i].off == NULL || q->all[i].payload == NULL) {
            err_set(e, "out of memory");
            destroy(q);
            return NULL;
        }
    }
    q->row = row;
    q->done = done;
    q->arg = arg;
    for (int i = 1; i < TEXTQ_BATCHES; i++) {
        q->all[i].next = q->free_list;
        q->free_list = &q->all[i];
    }
    q->filling = &q->all[0];
    if (pthread_create(&q->thread, NULL, work, q) != 0) {
        err_set(e, "cannot start a thread");
        destroy(q);
        return NULL;
    }
    return q;
}

/* Queues the filling batch and takes a free one; false when the worker failed. */
static bool hand_over(struct textq *q, bool last)
{
    pthread_mutex_lock(&q->mu);
    struct batch *b = q->filling;
    if (b && b->n > 0) {
        b->next = NULL;
        if (q->full_tail)
            q->full_tail->next = b;
        else
            q->full_head = b;
        q->full_tail = b;
        q->filling = NULL;
    }
    if (last)
        q->closed = true;
    pthread_cond_broadcast(&q->cv);
    while (!last && q->filling == NULL && q->free_list == NULL && !q->failed)
        pthread_cond_wait(&q->cv, &q->mu);
    if (!last && q->filling == NULL && q->free_list) {
        q->filling = q->free_list;
        q->free_list = q->filling->next;
    }
    bool ok = !q->failed;
    pthread_mutex_unlock(&q->mu);
    return ok;
}

static bool worker_failed(struct textq *q, struct err *e)
{
    pthread_mutex_lock(&q->mu);
    bool failed = q->failed;
    if (failed)
        *e = q->err;
    pthread_mutex_unlock(&q->mu);
    return failed;
}

int textq_push(struct textq *q, int64_t rowid, const char *const *texts, const void *payload,
               struct err *e)
{
    if (q->filling == NULL || q->filling->n == TEXTQ_ROWS) {
        if (!hand_over(q, false) || q->filling == NULL) {
            worker_failed(q, e);
            return -1;
        }
    }
    struct batch *t = q->filling;
    size_t at = t->text.len, *off = t->off + t->n * (size_t)q->ntexts;
    for (int k = 0; k < q->ntexts; k++) {
        const char *s = texts[k] ? texts[k] : "";
        off[k] = t->text.len;
        /* Each text keeps its NUL: buf_append leaves one after the data. */
        if (buf_append(&t->text, s, strlen(s) + 1)) {
            t->text.len = at;
            err_set(e, "out of memory");
            return -1;
        }
    }
    if (q->payload_size)
        memcpy(t->payload + t->n * q->payload_size, payload, q->payload_size);
    t->rowid[t->n++] = rowid;
    return 0;
}

void textq_close(struct textq *q)
{
    if (q && !q->finished) {
        hand_over(q, true);
        q->finished = true;
    }
}

int textq_join(struct textq *q, struct err *e)
{
    if (q == NULL)
        return 0;
    textq_close(q);
    pthread_join(q->thread, NULL);
    int rc = worker_failed(q, e) ? -1 : 0;
    destroy(q);
    return rc;
}

void textq_cancel(struct textq *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    q->cancelled = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    destroy(q);
}
