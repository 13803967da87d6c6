/* svscan's reaping: the kernel (SA_NOCLDWAIT + pidfds) or waitpid, both ending in child_gone. */

#include <skalibs/nonposix.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/djbunix.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "svscan.h"

/* ---------- reaping: who does it ---------- */

/* When the kernel allows it, svscan lets the kernel reap: with SA_NOCLDWAIT on SIGCHLD, a child
   of ours that dies, and every orphan handed to us, is released on the spot by the exit that
   made it a zombie. 5,000 orphans are then gone in half the time a waitpid loop takes, and no
   zombie ever waits for us. Our own supervise processes would vanish the same way, so each is
   started with a pidfd (CLONE_PIDFD: no window between the start and the watch) that an epoll
   set watches; the epoll fd is one more fd in the loop, however many services there are.
   Without pidfds (Linux < 5.3, or a seccomp filter) svscan reaps with waitpid on SIGCHLD and
   tells its supervise processes apart by pid, as it always did; if watching one fails later
   (epoll_ctl), it switches to that for good. Both paths end in child_gone(). */
int autoreap = 0 ;  /* SA_NOCLDWAIT is on, each new supervise comes with a pidfd */
int epfd = -1 ;     /* the epoll set of those pidfds; stays open after autoreap_stop for
                              the ones it still watches */

int sys_pidfd_open (pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0) ;
#else
  (void)pid ; errno = ENOSYS ; return -1 ;
#endif
}

int sys_pidfd_signal (int fd, int sig)
{
#ifdef SYS_pidfd_send_signal
  return (int)syscall(SYS_pidfd_send_signal, fd, sig, (void *)0, 0) ;
#else
  (void)fd ; (void)sig ; errno = ENOSYS ; return -1 ;
#endif
}

static int sigchld_nocldwait (int on)
{
  struct sigaction sa ;
  if (sigaction(SIGCHLD, 0, &sa) < 0) return 0 ;
  if (on) sa.sa_flags |= SA_NOCLDWAIT ; else sa.sa_flags &= ~SA_NOCLDWAIT ;
  return sigaction(SIGCHLD, &sa, 0) == 0 ;
}

/* after the selfpipe is set up: sigaction keeps whatever it did to SIGCHLD */
void autoreap_start (void)
{
  int fd = sys_pidfd_open(getpid()) ;
  if (fd < 0) return ;   /* no pidfds here: waitpid it is */
  fd_close(fd) ;
  epfd = epoll_create1(EPOLL_CLOEXEC) ;
  if (epfd < 0) return ;
  if (!sigchld_nocldwait(1)) { fd_close(epfd) ; epfd = -1 ; return ; }
  autoreap = 1 ;
  /* SIGCHLD untrapped (and so, with SIG_DFL, never even queued): 5,000 orphans exiting at once
     would otherwise wake us up to a few thousand times for nothing, each wake-up a context
     switch taken from the CPUs those exits need (the bench's M7live) */
  sigchld_watch(0) ;
  sigchld_nocldwait(1) ;  /* a selfpipe without signalfd restores SIGCHLD's disposition */
}

/* The stop needs SIGCHLD again: the tree is empty when waitpid says ECHILD, and orphans exiting
   late must wake us to see it. */
void autoreap_stopping (void)
{
  if (!autoreap) return ;
  sigchld_watch(1) ;
  sigchld_nocldwait(1) ;
}

/* Watching one supervise failed: from now on dead children stay zombies again until waitpid
   finds them. */
void autoreap_stop (char const *name)
{
  strerr_warnwusys("watch the supervise of ", name, " (reaping with waitpid from now on)") ;
  sigchld_watch(1) ;
  sigchld_nocldwait(0) ;
  autoreap = 0 ;
}

static int supervisors_left (void)
{
  for (unsigned int i = 0 ; i < tablen ; i++) if (tab[i].pid || tab[i].logpid) return 1 ;
  return 0 ;
}

/* supervise NAME (islog: NAME/log) of entry i is gone, whichever way we learned it */
void child_gone (unsigned int i, int islog)
{
  svc_t *s = tab + i ;
  if (islog)
  {
    s->logpid = 0 ;
    if (s->logpidfd >= 0) { fd_close(s->logpidfd) ; s->logpidfd = -1 ; }
    /* log/ was removed and the service no longer writes into the pipe */
    if (!s->haslog && s->p[1] < 0) pipe_close(s) ;
  }
  else
  {
    s->pid = 0 ;
    if (s->pidfd >= 0) { fd_close(s->pidfd) ; s->pidfd = -1 ; }
    if (!stopping && !s->gone) tain_copynow(&s->restart), tain_addsec_g(&s->restart, 1) ;
    /* the service is gone: the logger gets end-of-file once nobody else writes */
    if ((stopping || s->gone) && s->p[1] >= 0) { fd_close(s->p[1]) ; s->p[1] = -1 ; }
    /* a service down: those whose stop-after waited for it may go now */
    if (stopping) stop_release() ;
  }
  if (s->gone && !s->pid && !s->logpid) entry_free(i) ;
}

/* orphans are only ours to stop when the whole tree stops; look for them once per batch of
   deaths after the last supervise is gone, not at every exit (a /proc scan per exit is what
   made a 100-service stop slow) */
static void after_deaths (void)
{
  if (stopping && !supervisors_left()) term_orphans(killed ? SIGKILL : SIGTERM) ;
}

/* zombies: when the kernel does not reap for us, and any left by whoever exec'd into us */
void reap (void)
{
  int reaped = 0 ;
  for (;;)
  {
    int wstat ;
    pid_t pid = waitpid(-1, &wstat, WNOHANG) ;
    if (pid <= 0)
    {
      /* no child at all, dead or alive: the tree is empty */
      if (pid < 0 && errno == ECHILD && stopping) finish_and_exit() ;
      break ;
    }
    reaped = 1 ;
    for (unsigned int i = 0 ; i < tablen ; i++)
    {
      if (pid == tab[i].pid) { child_gone(i, 0) ; break ; }
      if (pid == tab[i].logpid) { child_gone(i, 1) ; break ; }
    }
  }
  if (reaped) after_deaths() ;
}

/* our supervise processes the kernel reaped: their pidfds are readable */
void handle_pidfds (void)
{
  struct epoll_event ev[32] ;
  int n, found = 0 ;
  do
  {
    n = epoll_wait(epfd, ev, 32, 0) ;
    if (n < 0) { if (errno != EINTR) strerr_warnwusys("read the pidfd set") ; return ; }
    for (int k = 0 ; k < n ; k++)
    {
      unsigned int i ;
      for (i = 0 ; i < tablen ; i++)
      {
        if (tab[i].pidfd == ev[k].data.fd) { child_gone(i, 0) ; found = 1 ; break ; }
        if (tab[i].logpidfd == ev[k].data.fd) { child_gone(i, 1) ; found = 1 ; break ; }
      }
      /* not ours (cannot happen): drop it, or it would wake us forever */
      if (i == tablen) epoll_ctl(epfd, EPOLL_CTL_DEL, ev[k].data.fd, 0) ;
    }
  } while (n == 32) ;
  if (found) after_deaths() ;
}
