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
#include "svscan.h"

/* ---------- critical services: how svscan learns they stopped for good ---------- */

/* Subscribe to NAME/supervise/event before supervise starts (svscan makes the dir), then read
   the status: a service that fails before we look is not missed. */
void critical_subscribe (svc_t *s)
{
  size_t nlen = strlen(s->name) ;
  char dir[nlen + sizeof("/supervise/event")] ;
  if (s->evfd >= 0) return ;
  memcpy(dir, s->name, nlen) ;
  memcpy(dir + nlen, "/supervise", sizeof("/supervise")) ;
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) { strerr_warnwusys("mkdir ", dir) ; return ; }
  memcpy(dir + nlen, "/supervise/event", sizeof("/supervise/event")) ;
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) { strerr_warnwusys("mkdir ", dir) ; return ; }
  {
    char path[nlen + TEND_EVENT_PATHEXTRA] ;
    char const *tail ;
    s->evfd = tend_event_subscribe(s->name, path) ;
    if (s->evfd < 0) { strerr_warnwusys("subscribe to the events of ", s->name) ; return ; }
    s->evwfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
    tail = strrchr(path, ':') + 1 ;
    if (!uint0_scan(tail, &s->evseq)) s->evseq = 0 ;
  }
}

void critical_unsubscribe (svc_t *s)
{
  if (s->evfd < 0) return ;
  fd_close(s->evfd) ;
  if (s->evwfd >= 0) fd_close(s->evwfd) ;
  {
    size_t nlen = strlen(s->name), n ;
    char path[nlen + sizeof("/supervise/event/" TEND_EVENT_PREFIX) + PID_FMT + UINT_FMT + 1] ;
    memcpy(path, s->name, nlen) ;
    memcpy(path + nlen, "/supervise/event/" TEND_EVENT_PREFIX, sizeof("/supervise/event/" TEND_EVENT_PREFIX) - 1) ;
    n = nlen + sizeof("/supervise/event/" TEND_EVENT_PREFIX) - 1 ;
    n += pid_fmt(path + n, getpid()) ;
    path[n++] = ':' ;
    n += uint_fmt(path + n, s->evseq) ;
    path[n] = 0 ;
    unlink(path) ;
  }
  s->evfd = s->evwfd = -1 ;
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
  if (st.state == TEND_STATE_FAILED) ;
  else if ((st.state == TEND_STATE_DOWN || st.state == TEND_STATE_BACKOFF) && st.want == 0) ;
  else return ;
  code = WIFSIGNALED((int)st.lastwstat) ? 128 + WTERMSIG((int)st.lastwstat) : WEXITSTATUS((int)st.lastwstat) ;
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, (unsigned int)code)] = 0 ;
    strerr_warnw("critical service ", s->name, " stopped for good (exit code ", fmt, "): stopping the tree") ;
  }
  stop_begin(0) ;
  exitcode = code ;
}

