/* svscan's open-files limit: raised for itself, not for its children; a reserve of descriptors
   kept for scanning and spawning, so running out never wedges it. */

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
#include <tend/dirscan.h>
#include <sys/syscall.h>
#include "svscan.h"

/* Descriptors svscan holds outside the table (standard ones, selfpipe, control FIFO, lock,
   epoll set, whatever it inherited), counted once at start-up; the table's own are counted
   from the table, so the count cannot drift from what is really open. */
static unsigned int fdbase = 16 ;
static uint64_t fdlimit = UINT64_MAX ;
static tain fdwarned ;       /* when the shortage was last warned about */

static void count_one (char const *name, void *aux)
{
  if (name[0] != '.') ++*(unsigned int *)aux ;
}

static unsigned int count_open (void)
{
  unsigned int n = 0 ;
  if (tend_dirscan("/proc/self/fd", &count_one, &n) < 0) return 16 ;
  return n ? n - 1 : 0 ;   /* not the one tend_dirscan used */
}

/* What the table holds now. O(table), once per start_all pass. */
unsigned int fd_in_use (void)
{
  unsigned int n = fdbase ;
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t const *s = tab + i ;
    n += (s->p[0] >= 0) + (s->p[1] >= 0) + (s->pidfd >= 0) + (s->logpidfd >= 0) + 2 * (s->wi >= 0) ;
  }
  return n ;
}

/* Whether need more descriptors leave the reserve: what a scan (the directory), a status read,
   a control write, the stop's /proc walk and a clone with its pidfd take at once. Without it,
   a tree of logged services can spend every descriptor on pipes and pidfds, and svscan can no
   longer open its directory to see that services were removed. */
int fd_room (svc_t *s, unsigned int used, unsigned int need)
{
  if ((uint64_t)used + need + SVSCAN_FDRESERVE <= fdlimit) return 1 ;
  s->fdheld = 1 ;
  return 0 ;
}

/* A pipe or a clone failed for want of descriptors (the count was off, or another process's
   fds are counted against the system's table): held back like fd_room's refusals, without a
   warning of its own per service and second. */
int fd_failed (svc_t *s, int e)
{
  if (e != EMFILE && e != ENFILE) return 0 ;
  s->fdheld = 1 ;
  return 1 ;
}

/* At the end of each start_all pass: one warning when services are held back, then at most
   one a minute while it lasts, and one line when it ends. A service stays held back from the
   refusal to its next start (or its removal), so passes where no start was due change
   nothing. */
void fd_report (void)
{
  static int wasshort = 0 ;
  unsigned int fdshort = 0 ;
  for (unsigned int i = 0 ; i < tablen ; i++) fdshort += !tab[i].gone && tab[i].fdheld ;
  if (!fdshort)
  {
    if (wasshort) strerr_warni("descriptors are free again: every service is started") ;
    wasshort = 0 ;
    return ;
  }
  if (!wasshort || !tain_future(&fdwarned))
  {
    char a[UINT_FMT], b[UINT64_FMT] ;
    a[uint_fmt(a, fdshort)] = 0 ;
    b[uint64_fmt(b, fdlimit)] = 0 ;
    strerr_warnw("unable to start the supervise processes of ", a, " services (retrying every second, warning again in a minute): too few descriptors left under the open-files limit of ", b) ;
    tain_addsec_g(&fdwarned, 60) ;
  }
  wasshort = 1 ;
}

struct rlimit child_nofile ;
int child_nofile_set = 0 ;

/* setrlimit(RLIMIT_NOFILE) as the kernel's prlimit64: musl's setrlimit applies a limit to every
   thread in turn (its synccall: signals, semaphores, 2 KiB of code in svscan for this one call),
   where the limit is the process's anyway and svscan has one thread; and the child svscan
   clones calls it before it execs, sharing our memory, where only a bare system call is safe. */
int nofile_set (struct rlimit const *rl)
{
  uint64_t k[2] =
  {
    rl->rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl->rlim_cur,
    rl->rlim_max == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl->rlim_max
  } ;
  return (int)syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, k, (void *)0) ;
}

/* c[0]: the services, c[1]: those with a logger */
static void count_service (char const *name, void *aux)
{
  unsigned int *c = aux ;
  size_t nlen = strlen(name) ;
  char fn[nlen + sizeof("/log")] ;
  struct stat st ;
  if (name[0] == '.') return ;
  c[0]++ ;
  memcpy(fn, name, nlen) ; memcpy(fn + nlen, "/log", sizeof("/log")) ;
  if (stat(fn, &st) == 0 && S_ISDIR(st.st_mode)) c[1]++ ;
}

void raise_nofile (void)
{
  struct rlimit rl ;
  unsigned int c[2] = { 0, 0 } ;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ;
  if (rl.rlim_cur < rl.rlim_max)
  {
    /* for our children, the limit we were started with: programs that loop over every
       possible fd or use select() would pay for a limit raised for svscan's own sake */
    child_nofile = rl ;
    child_nofile_set = 1 ;
    rl.rlim_cur = rl.rlim_max ;
    if (nofile_set(&rl) < 0) strerr_warnwusys("raise the open-files limit") ;
    getrlimit(RLIMIT_NOFILE, &rl) ;
  }
  fdlimit = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur ;
  fdbase = count_open() ;
  /* two pipe ends and two pidfds per logged service, a pidfd per other one, an event FIFO
     pair per critical one */
  if (tend_dirscan(".", &count_service, c) < 0) return ;
  if ((rlim_t)(3 * c[1] + 3 * c[0] + 16) > rl.rlim_cur)
  {
    char a[UINT_FMT], b[UINT64_FMT] ;
    a[uint_fmt(a, 3 * c[1] + 3 * c[0] + 16)] = 0 ;
    b[uint64_fmt(b, (uint64_t)rl.rlim_cur)] = 0 ;
    strerr_warnw("some services may not start at once: they need up to ", a, " descriptors and the open-files limit is ", b) ;
  }
}

