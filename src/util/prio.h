/*
 * prio: background work that must not take CPU from request threads
 * (integrity checks, reloads, download files) lowers its own thread's
 * priority. On Linux a nice value applies to the calling thread only, and
 * threads it then creates inherit it.
 */
#ifndef BHXH_UTIL_PRIO_H
#define BHXH_UTIL_PRIO_H

/* Background work that should finish soon even under load (a reload). */
#define PRIO_BACKGROUND 10
/* Work that can wait for idle CPU (checks, download files). */
#define PRIO_IDLE 19

/* Sets the calling thread's nice value (best effort: failure changes nothing). */
void prio_lower_this_thread(int nice);

#endif
