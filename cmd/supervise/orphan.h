/* orphan.h: stop the run a killed supervise left alive, before starting a new one. */
#ifndef SUPERVISE_ORPHAN_H
#define SUPERVISE_ORPHAN_H

/* SIGTERM, then SIGKILL after this long; then at most this long for the group to go */
#define ORPHAN_TERM_MS 5000
#define ORPHAN_KILL_MS 2000

/* Called with supervise/lock held, in the service dir, before anything is started: if
   supervise/status names a pid that is still alive and is provably the previous supervisor's
   run (its cwd is this directory, or it started when the status says the run started), stops
   it and its process group, warned. Never fails: the worst case is a warning. */
extern void orphan_stop (void) ;

#endif
