/* svscan.h: what svscan's files share: the service table, the run state, each file's entry points. */
#ifndef SVSCAN_H
#define SVSCAN_H

#include <sys/types.h>
#include <sys/resource.h>
#include <stdint.h>
#include <skalibs/tai.h>
#include <tend/tai.h>

#define CTLDIR ".svscan"

extern char **environ ;

typedef struct svc_s svc_t ;
struct svc_s
{
  /* 120 bytes: with -c 1000 the table is most of svscan's own memory */
  dev_t dev ;
  ino_t ino ;
  dev_t logdev ;         /* NAME/log's, when haslog */
  ino_t logino ;
  char *name ;           /* in the names arena */
  tend_tai64n_t spawned ; /* wall clock when its supervise was started: older status is stale */
  tain restart ;         /* earliest time to restart a dead supervise (throttle) */
  tain logrestart ;
  pid_t pid ;            /* supervise NAME, 0 if not running */
  pid_t logpid ;         /* supervise NAME/log, 0 if not running */
  int pidfd ;            /* supervise NAME's pidfd (when the kernel reaps for us), else -1 */
  int logpidfd ;
  int p[2] ;             /* NAME's stdout -> NAME/log's stdin; held by svscan; -1 when none */
  int wi ;               /* its waiter in critical.c's pool (our event FIFO), or -1 */
  /* two bytes of flags: 118 bytes, 120 with the alignment, so 100 slots fit in 3 pages */
  unsigned int haslog : 1 ;     /* NAME/log is a directory, at the last scan */
  unsigned int seen : 1 ;       /* present at the last scan */
  unsigned int gone : 1 ;       /* its dir disappeared: told to exit */
  unsigned int critical : 1 ;
  unsigned int stopheld : 1 ;   /* in the stop: waits for the services its stop-after names */
  unsigned int fdheld : 1 ;     /* not started for want of descriptors, since the last refusal */
  unsigned int forkheld : 2 ;   /* its last fork failed: 1 supervise NAME, 2 supervise NAME/log */
  unsigned int logwarned : 2 ;  /* what we last warned about NAME/log: 0 nothing, 1 stat, 2 not a dir, 3 a service */
} ;

/* svscan.c: options and the run state */
extern unsigned int rescan_secs ;
extern unsigned int grace_ms ;
extern int ispid1 ;
extern int stopping ;
extern int exitcode ;
extern int killed ;
extern unsigned char exitmap[256] ;
extern char const *mainname ;
extern int maintty ;
extern tain nextscan ;
extern tain stopdeadline ;
extern tain hardstop ;
extern void tain_inf (tain *) ;
extern void sigchld_watch (int) ;

/* ctldir.c: .svscan/ made private at start-up; the lock's fd, then the control FIFO's read end */
extern int ctldir_lock (char const *scandir) ;
extern int ctldir_control (void) ;

/* table.c */
extern svc_t *tab ;
extern unsigned int tablen ;
extern unsigned int tabmax ;
extern void table_init (void) ;
extern char *name_store (char const *) ;
extern void entry_free (unsigned int) ;
extern void pipe_close (svc_t *) ;

/* scan.c */
extern void scan (int) ;
extern void start_all (void) ;

/* spawn.c */
extern void find_supervise (void) ;
extern void spawn_end (void) ;
extern void fork_report (void) ;
extern pid_t spawn_supervise (svc_t *, int) ;
extern void signal_supervise (svc_t *, int, int) ;

/* reap.c */
extern int autoreap ;
extern int epfd ;
extern int sys_pidfd_open (pid_t) ;
extern int sys_pidfd_signal (int, int) ;
extern void autoreap_start (void) ;
extern void autoreap_stop (char const *) ;
extern void autoreap_stopping (void) ;
extern void child_gone (unsigned int, int) ;
extern void reap (void) ;
extern void handle_pidfds (void) ;

/* critical.c */
extern size_t critical_poolsize (void) ;
extern void critical_init (void *) ;
extern int critical_fd (svc_t const *) ;
extern void critical_renamed (svc_t *, size_t) ;
extern void critical_names_moved (void) ;
extern void critical_subscribe (svc_t *) ;
extern void critical_unsubscribe (svc_t *) ;
extern void critical_check (svc_t *) ;

/* stop.c */
extern void service_bring_down (svc_t *) ;
extern void term_orphans (int) ;
extern void stop_init (void) ;
extern void stop_begin (char const *) ;
extern void stop_release (void) ;
extern void stop_now (char const *) ;
extern void stop_kill (void) ;
extern void finish_and_exit (void) ;

/* limits.c */
#define SVSCAN_FDRESERVE 8
extern void raise_nofile (void) ;
extern struct rlimit child_nofile ;  /* the open-files limit svscan was started with */
extern int child_nofile_set ;        /* and svscan raised its own above it */
extern int nofile_set (struct rlimit const *) ;
extern unsigned int fd_in_use (void) ;
extern int fd_room (svc_t *, unsigned int, unsigned int) ;
extern int fd_failed (svc_t *, int) ;
extern void fd_report (void) ;

#endif
