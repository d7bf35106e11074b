/*
 * derived: a value computed from a release once, kept while the release
 * lives and destroyed with it. Used for the download files of /v1/datasets
 * (export/downloads.h), which take a while to write for a large release and
 * must not be rebuilt per request nor tie up a request thread meanwhile.
 *
 * The release owns a struct derived (release_derived()); derived_get builds
 * the value on a background thread that holds its own reference to the
 * release, so the release cannot be freed under it.
 */
#ifndef BHXH_STORE_DERIVED_H
#define BHXH_STORE_DERIVED_H

#include <stdbool.h>

struct release;
struct derived;

/* Seconds after a failed build before derived_get tries again. */
#define DERIVED_RETRY_S 30

/* Builds the value from r (on the background thread); NULL on failure, after logging why. */
typedef void *(*derived_build_fn)(struct release *r);
/* Frees a built value. */
typedef void (*derived_destroy_fn)(void *value);

/* For release.c: the empty state of a new release, and freeing it (and its value). */
struct derived *derived_new(void);
void derived_free(struct derived *d);

/*
 * The value derived from r. The first call starts build(r) on a background
 * thread; every call waits at most wait_ms for a build in progress. Returns
 * the value once built (it lives as long as r), else NULL with *pending
 * true (still building: ask again shortly) or false (the last build failed;
 * a call DERIVED_RETRY_S seconds later starts another). One value per
 * release: build and destroy must be the same functions on every call.
 */
void *derived_get(struct release *r, derived_build_fn build, derived_destroy_fn destroy,
                  unsigned wait_ms, bool *pending);

#endif
