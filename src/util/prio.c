#include "util/prio.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void prio_lower_this_thread(int nice)
{
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}
