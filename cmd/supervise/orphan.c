/* orphan.c: the run a killed supervise left behind. supervise's lock says no other supervisor
   is alive, but a supervise that died by SIGKILL (or a crash) left its service running, out of
   anyone's sight. Starting a new run beside it would make two copies of the service (two
   listeners, two writers to one database): the old one is stopped first, then supervise
   goes on as usual. Stopping, not adopting: the old run's readiness, notification pipe and
   check are gone with the old supervise, and a pid that is not our child cannot be waited
   for; a fresh start gives a state supervise knows. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <skalibs/allreadwrite.h>
#include <tend/status.h>
#include "orphan.h"

/* What /proc/PID/stat says: state, process group, start time (clock ticks after boot).
   1 read, 0 no such process. */
static int procstat (pid_t pid, char *state, pid_t *pgrp, uint64_t *start)
{
  char fn[sizeof("/proc//stat") + PID_FMT] ;
  char buf[1024] ;
  char *p ;
  ssize_t r ;
  unsigned int field = 3 ;
  int fd ;
  memcpy(fn, "/proc/", 6) ;
  fn[6 + pid_fmt(fn + 6, pid)] = 0 ;
  strcat(fn, "/stat") ;
  fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  r = fd_read(fd, buf, sizeof buf - 1) ;
  fd_close(fd) ;
  if (r <= 0) return 0 ;
  buf[r] = 0 ;
  /* the command name may hold spaces and parentheses: the fields start after the last ')' */
  p = strrchr(buf, ')') ;
  if (!p) return 0 ;
  p++ ;
  while (*p)
  {
    while (*p == ' ') p++ ;
    if (field == 3) *state = *p ;
    else if (field == 5) { int g ; if (!int_scan(p, &g)) return 0 ; *pgrp = g ; }
    else if (field == 22) { if (!uint64_scan(p, start)) return 0 ; return 1 ; }
    while (*p && *p != ' ') p++ ;
    field++ ;
  }
  return 0 ;
}

static int alive (pid_t pid)
{
  char state = 0 ;
  pid_t g ;
  uint64_t t ;
  /* a zombie is dead: whoever reaps orphans (svscan, PID 1) has not yet */
  return procstat(pid, &state, &g, &t) && state != 'Z' && state != 'X' ;
}

static uint64_t boottime (void)
{
  char buf[4096] ;
  ssize_t r ;
  char *p ;
  uint64_t b = 0 ;
  int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  r = allread(fd, buf, sizeof buf - 1) ;
  fd_close(fd) ;
  if (r <= 0) return 0 ;
  buf[r] = 0 ;
  p = strstr(buf, "\nbtime ") ;
  if (!p || !uint64_scan(p + 7, &b)) return 0 ;
  return b ;
}

/* Is pid the run the status describes, not a process that got the number since? Either its
   working directory is this service directory (a run starts there; an unrelated process that
   reused the pid has no reason to be there), or it started within 3 s of the status stamp
   (the stamp is written when supervise started the run; /proc/PID/stat's start time is
   immune to pid reuse, since a new process with the same pid starts later). */
static int isourrun (pid_t pid, tend_tai64n_t const *stamp)
{
  char fn[sizeof("/proc//cwd") + PID_FMT] ;
  struct stat a, b ;
  char state ;
  pid_t g ;
  uint64_t start, boot ;
  long hz = sysconf(_SC_CLK_TCK) ;
  memcpy(fn, "/proc/", 6) ;
  fn[6 + pid_fmt(fn + 6, pid)] = 0 ;
  strcat(fn, "/cwd") ;
  if (stat(fn, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) return 1 ;
  if (!procstat(pid, &state, &g, &start) || hz <= 0) return 0 ;
  boot = boottime() ;
  if (!boot) return 0 ;
  {
    int64_t began = (int64_t)(boot + start / (uint64_t)hz) ;
    int64_t stamped = tend_tai64n_unix(stamp) ;
    return began - stamped <= 3 && stamped - began <= 3 ;
  }
}

/* waits up to ms for the run, then its group, to be gone; 1 gone */
static int gone_within (pid_t pid, pid_t group, unsigned int ms)
{
  for (unsigned int waited = 0 ;; waited += 20)
  {
    if (!alive(pid) && (!group || kill(-group, 0) < 0)) return 1 ;
    if (waited >= ms) return 0 ;
    {
      struct timespec ts = { .tv_sec = 0, .tv_nsec = 20000000 } ;
      nanosleep(&ts, 0) ;
    }
  }
}

void orphan_stop (void)
{
  tend_status_t st ;
  pid_t pid, group = 0, g = 0 ;
  char state = 0 ;
  uint64_t start ;
  char fmt[PID_FMT] ;
  if (tend_status_read(".", &st) <= 0 || !st.pid) return ;
  pid = (pid_t)st.pid ;
  if (pid <= 1 || pid == getpid() || pid == getppid() || (uint32_t)pid != st.pid) return ;
  if (!procstat(pid, &state, &g, &start) || state == 'Z' || state == 'X') return ;
  fmt[pid_fmt(fmt, pid)] = 0 ;
  if (!isourrun(pid, &st.stamp))
  {
    strerr_warnw("pid ", fmt, " in supervise/status is no longer the service's run (the number was reused): leaving it alone") ;
    return ;
  }
  /* the run leads its own process group (setsid) unless nosetsid: then the whole group goes */
  if (g == pid) group = pid ;
  strerr_warnw("the previous supervisor died leaving its run (pid ", fmt, ") alive: stopping it before starting a new one") ;
  if (group) { kill(-group, SIGTERM) ; kill(-group, SIGCONT) ; }
  kill(pid, SIGTERM) ; kill(pid, SIGCONT) ;
  if (gone_within(pid, group, ORPHAN_TERM_MS)) return ;
  strerr_warnw("the previous run (pid ", fmt, ") outlived SIGTERM: sending SIGKILL") ;
  if (group) kill(-group, SIGKILL) ;
  kill(pid, SIGKILL) ;
  if (!gone_within(pid, group, ORPHAN_KILL_MS))
    strerr_warnw("the previous run's group (pid ", fmt, ") is still there after SIGKILL: going on") ;
}
