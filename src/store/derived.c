/*
 * States: IDLE (nothing built; the next derived_get starts a build),
 * BUILDING (a thread is at work; callers wait on `done` up to their limit),
 * READY (value set, never changes again), FAILED (retry after a pause).
 * The mutex guards the state only; build() runs without it.
 */
#include "store/derived.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "store/release.h"
#include "util/prio.h"

enum derived_state { DERIVED_IDLE, DERIVED_BUILDING, DERIVED_READY, DERIVED_FAILED };

struct derived {
    pthread_mutex_t mu;
    pthread_cond_t done; /* broadcast when a build ends */
    enum derived_state state;
    void *value;
    derived_build_fn build;
    derived_destroy_fn destroy;
    time_t failed_at; /* CLOCK_MONOTONIC seconds of the last failure */
};

static time_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

struct derived *derived_new(void)
{
    struct derived *d = calloc(1, sizeof *d);
    pthread_condattr_t ca;
    if (d == NULL || pthread_condattr_init(&ca) != 0) {
        free(d);
        return NULL;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->done, &ca);
    pthread_condattr_destroy(&ca);
    return d;
}

void derived_free(struct derived *d)
{
    if (d == NULL)
        return;
    /* No build can be running: its thread holds a reference to the release. */
    if (d->state == DERIVED_READY && d->destroy)
        d->destroy(d->value);
    pthread_cond_destroy(&d->done);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

/* The background thread: builds, publishes, wakes the waiters, drops its reference. */
static void *build_thread(void *arg)
{
    struct release *r = arg;
    struct derived *d = release_derived(r);
    prio_lower_this_thread(PRIO_IDLE); /* requests first */
    void *v = d->build(r);
    pthread_mutex_lock(&d->mu);
    d->value = v;
    d->state = v ? DERIVED_READY : DERIVED_FAILED;
    d->failed_at = now_s();
    pthread_cond_broadcast(&d->done);
    pthread_mutex_unlock(&d->mu);
    release_unref(r); /* may free r, and so destroy v: that is right */
    return NULL;
}

/* With d->mu held: starts a build thread; FAILED when no thread can be made. */
static void start(struct release *r, struct derived *d)
{
    pthread_attr_t at;
    pthread_t t;
    d->state = DERIVED_BUILDING;
    release_retain(r);
    if (pthread_attr_init(&at) == 0) {
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &at, build_thread, r);
        pthread_attr_destroy(&at);
        if (rc == 0)
            return;
    }
    d->state = DERIVED_FAILED;
    d->failed_at = now_s();
    release_unref(r); /* cannot be the last reference: the caller holds one */
}

void *derived_get(struct release *r, derived_build_fn build, derived_destroy_fn destroy,
                  unsigned wait_ms, bool *pending)
{
    struct derived *d = release_derived(r);
    pthread_mutex_lock(&d->mu);
    d->build = build;
    d->destroy = destroy;
    if (d->state == DERIVED_IDLE ||
        (d->state == DERIVED_FAILED && now_s() - d->failed_at >= DERIVED_RETRY_S))
        start(r, d);
    if (d->state == DERIVED_BUILDING && wait_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L)
            until.tv_sec++, until.tv_nsec -= 1000000000L;
        while (d->state == DERIVED_BUILDING &&
               pthread_cond_timedwait(&d->done, &d->mu, &until) != ETIMEDOUT)
            ;
    }
    void *v = d->state == DERIVED_READY ? d->value : NULL;
    *pending = d->state == DERIVED_BUILDING;
    pthread_mutex_unlock(&d->mu);
    return v;
}
