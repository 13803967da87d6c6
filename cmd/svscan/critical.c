/* svscan's critical watch: a critical service that stops for good stops the tree. */

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
#include <sys/wait.h>
#include <tend/tai.h>
#include <tend/status.h>
#include <tend/event.h>
#include <tend/wait.h>
#include <limits.h>
#include "svscan.h"

/* One waiter of lib/wait per watched service, in a pool sized like the table and mapped with
   it (critical services are few: only the pages of the slots in use cost memory). The FIFO's
   path is kept in its slot, so svscan never rebuilds a name lib/event chose. */
#define FIFOLEN (NAME_MAX + 1 + TEND_EVENT_PATHEXTRA)
static tend_waiter_t *waiters ;
static char *fifos ;

void critical_init (void *m)
{
  waiters = m ;
  fifos = (char *)m + (size_t)tabmax * sizeof *waiters ;
  /* a slot is free while its dir is 0: the mapping's zero pages are free slots already, and
     writing -1 into every fd here would make the whole pool cost memory */
}

size_t critical_poolsize (void)
{
  return (size_t)tabmax * (sizeof *waiters + FIFOLEN) ;
}

int critical_fd (svc_t const *s)
{
  return s->wi >= 0 ? waiters[s->wi].fd : -1 ;
}

/* Subscribe to NAME/supervise/event before supervise starts (svscan makes the dir), then read
   the status: a service that fails before we look is not missed. */
void critical_subscribe (svc_t *s)
{
  size_t nlen = strlen(s->name) ;
  char dir[nlen + sizeof("/supervise/event")] ;
  unsigned int k ;
  if (s->wi >= 0) return ;
  memcpy(dir, s->name, nlen) ;
  memcpy(dir + nlen, "/supervise", sizeof("/supervise")) ;
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) { strerr_warnwusys("mkdir ", dir) ; return ; }
  memcpy(dir + nlen, "/supervise/event", sizeof("/supervise/event")) ;
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) { strerr_warnwusys("mkdir ", dir) ; return ; }
  /* one slot per table entry at most: there is always a free one */
  for (k = 0 ; k < tabmax ; k++) if (!waiters[k].dir) break ;
  if (k == tabmax) return ;
  waiters[k].dir = s->name ;
  waiters[k].fifo = fifos + (size_t)k * FIFOLEN ;
  if (!tend_wait_subscribe(waiters + k))
  {
    waiters[k].dir = 0 ;
    strerr_warnwusys("subscribe to the events of ", s->name, " (looking again at the next start of its supervise)") ;
    return ;
  }
  s->wi = (int)k ;
}

void critical_unsubscribe (svc_t *s)
{
  tend_waiter_t *w ;
  if (s->wi < 0) return ;
  w = waiters + s->wi ;
  tend_wait_unsubscribe(w) ;
  w->dir = 0 ;
  s->wi = -1 ;
}

/* The service dir was renamed inside the scan dir (s->name is the new name, oldlen the length
   of the old one): our FIFO now lives under the new name. */
void critical_renamed (svc_t *s, size_t oldlen)
{
  tend_waiter_t *w ;
  size_t nlen = strlen(s->name), tail ;
  if (s->wi < 0) return ;
  w = waiters + s->wi ;
  w->dir = s->name ;
  tail = strlen(w->fifo + oldlen) + 1 ;
  if (nlen + tail > FIFOLEN) return ;
  memmove(w->fifo + nlen, w->fifo + oldlen, tail) ;
  memcpy(w->fifo, s->name, nlen) ;
}

/* The arena was compacted: names moved. */
void critical_names_moved (void)
{
  for (unsigned int i = 0 ; i < tablen ; i++) if (tab[i].wi >= 0) waiters[tab[i].wi].dir = tab[i].name ;
}

/* A critical service has stopped for good when supervise gave up on it (failed: finish said
   125, or max-restarts) or when it was run once ('o') and died. */
void critical_check (svc_t *s)
{
  tend_status_t st ;
  int code ;
  if (stopping || !s->critical) return ;
  if (tend_status_read(s->name, &st) <= 0 || !st.version) return ;
  if (!(st.flags & TEND_STATUS_F_HASDIED)) return ;
  /* a status file left by an earlier run of the tree says nothing about this one */
  if (st.stamp.sec < s->spawned.sec || (st.stamp.sec == s->spawned.sec && st.stamp.nano < s->spawned.nano)) return ;
  /* failed for good: the state, or the flag (supervise may publish it beside another state);
     what counts as a failure (a death supervise caused on request does not) is supervise's
     to decide, through these two and want */
  if (st.state == TEND_STATE_FAILED || st.flags & TEND_STATUS_F_FAILED) ;
  else if ((st.state == TEND_STATE_DOWN || st.state == TEND_STATE_BACKOFF) && st.want == 0) ;
  else return ;
  code = WIFSIGNALED((int)st.lastwstat) ? 128 + WTERMSIG((int)st.lastwstat) : WEXITSTATUS((int)st.lastwstat) ;
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, (unsigned int)code)] = 0 ;
    /* a main command that is done is news, not trouble */
    if (code) strerr_warnw("critical service ", s->name, " stopped for good (exit code ", fmt, "): stopping the tree") ;
    else strerr_warni("critical service ", s->name, " stopped for good (exit code 0): stopping the tree") ;
  }
  stop_begin(0) ;
  exitcode = code ;
}

