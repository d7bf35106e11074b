#include "import/lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Removes OUT.tmp-* beside out_path: only an import holding the lock makes them. */
static void remove_stale_temps(const char *out_path)
{
    char *dup1 = strdup(out_path), *dup2 = strdup(out_path);
    if (dup1 == NULL || dup2 == NULL) {
        free(dup1);
        free(dup2);
        return;
    }
    const char *dir = dirname(dup1), *base = basename(dup2);
    size_t blen = strlen(base);
    DIR *d = opendir(dir);
    for (struct dirent *ent; d && (ent = readdir(d)) != NULL;) {
        if (strncmp(ent->d_name, base, blen) != 0 || strncmp(ent->d_name + blen, ".tmp-", 5) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    free(dup1);
    free(dup2);
}

int import_lock_acquire(const char *out_path, FILE *log)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.lock", out_path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(log, "%s: cannot create the import lock: %s\n", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        fprintf(log,
                "%s: another import into this file is running (pid %s); wait for it to finish "
                "or stop it, then run again\n",
                out_path, pid[0] ? pid : "unknown");
        close(fd);
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        /* The pid is only for the message above; the flock is what counts. */
    }
    remove_stale_temps(out_path);
    return fd;
}

void import_lock_release(int fd)
{
    if (fd >= 0)
        close(fd); /* closing drops the flock; the file stays for the next import */
}
