/*
 * lock: one import at a time per output file. The lock is an flock(2) on
 * OUT.lock, so it dies with the process (a killed import never leaves a
 * stale lock); the file holds the owner's pid for the message a second
 * import prints.
 */
#ifndef BHXH_IMPORT_LOCK_H
#define BHXH_IMPORT_LOCK_H

#include <stdio.h>

/*
 * Takes the lock for out_path. Returns a descriptor to pass to
 * import_lock_release, or -1 after printing to log why (another import is
 * running, or the lock file cannot be created). Once held, removes the
 * temporary files an import killed earlier left beside out_path.
 */
int import_lock_acquire(const char *out_path, FILE *log);
void import_lock_release(int fd);

#endif
