/* svscan's scan of its directory, and starting what should run. */

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
#include <tend/tai.h>
#include <tend/dirscan.h>
#include "svscan.h"

static int capwarned = 0 ;

/* Whether NAME/log is a logger's service dir, looked at every scan: a log/ added later gets its
   logger, one removed is not restarted. A warning is given once per change of its state, not
   at every scan. */
static int has_log (svc_t *s)
{
  size_t nlen = strlen(s->name) ;
  char fn[nlen + sizeof("/log")] ;
  struct stat st ;
  uint8_t warn = 0 ;
  int r = 0 ;
  memcpy(fn, s->name, nlen) ; memcpy(fn + nlen, "/log", sizeof("/log")) ;
  if (stat(fn, &st) < 0)
  {
    if (errno != ENOENT) { warn = 1 ; if (s->logwarned != warn) strerr_warnwusys("stat ", fn) ; }
  }
  else if (!S_ISDIR(st.st_mode))
  {
    warn = 2 ;
    if (s->logwarned != warn) strerr_warnw("ignoring ", fn, ": not a directory") ;
  }
  else
  {
    r = 1 ;
    s->logdev = st.st_dev ; s->logino = st.st_ino ;
    /* whether it is another service's dir is decided once the scan knows them all */
    if (s->logwarned == 3) warn = 3 ;
  }
  s->logwarned = warn ;
  return r ;
}

/* NAME/log that is the service dir of a service of the table (a symbolic link to another
   service, or to NAME itself): its supervise is already running there, and a second one would
   exit 100 at every start. Then NAME gets no logger and its output is not piped, and this is
   said once, with the reason. */
static void log_conflicts (void)
{
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    unsigned int j ;
    if (!s->haslog) continue ;
    for (j = 0 ; j < tablen ; j++) if (tab[j].dev == s->logdev && tab[j].ino == s->logino) break ;
    if (j == tablen) { if (s->logwarned == 3) s->logwarned = 0 ; continue ; }
    s->haslog = 0 ;
    if (s->logwarned != 3)
    {
      strerr_warnw("not starting a logger for ", s->name, ", its output not piped: ", s->name, "/log is the service directory of ", tab[j].name) ;
      s->logwarned = 3 ;
    }
  }
}

static int is_critical (char const *name)
{
  size_t nlen = strlen(name) ;
  char fn[nlen + sizeof("/critical")] ;
  memcpy(fn, name, nlen) ; memcpy(fn + nlen, "/critical", sizeof("/critical")) ;
  return access(fn, F_OK) == 0 ;
}

/* one entry of the scan directory (tend_dirscan: no opendir, whose DIR is the one thing that
   would take musl's malloc into svscan) */
static void scan_one (char const *name, void *aux)
{
  int startnew = *(int const *)aux ;
  struct stat st ;
  unsigned int i ;
  if (name[0] == '.') return ;
  if (stat(name, &st) < 0)
  {
    /* a dangling symlink is a disabled service, not an error */
    if (errno != ENOENT) strerr_warnwusys("stat ", name) ;
    return ;
  }
  if (!S_ISDIR(st.st_mode)) return ;
  /* the same directory reached twice (symlinks) is one service */
  for (i = 0 ; i < tablen ; i++) if (tab[i].dev == st.st_dev && tab[i].ino == st.st_ino) break ;
  if (i < tablen)
  {
    struct stat old ;
    tab[i].seen = 1 ;
    /* moved out and back in (same device and inode) before its entry was dropped: it is a
       service again. A pipe that lost its writer is dropped: its logger drains it and exits,
       and the next start gets a new one. */
    if (tab[i].gone)
    {
      tab[i].gone = 0 ;
      if (tab[i].p[1] < 0) pipe_close(tab + i) ;
    }
    tab[i].haslog = has_log(tab + i) ;
    /* renamed inside the scan dir: follow the new name, so control bytes and the critical
       watch keep reaching it (a second name for the same dir changes nothing) */
    if (strcmp(tab[i].name, name) && (stat(tab[i].name, &old) < 0 || old.st_dev != st.st_dev || old.st_ino != st.st_ino))
    {
      size_t oldlen = strlen(tab[i].name) ;
      char *nn = name_store(name) ;
      if (nn) { tab[i].name = nn ; critical_renamed(tab + i, oldlen) ; }
    }
    return ;
  }
  if (!startnew) return ;
  if (tablen >= tabmax)
  {
    if (!capwarned)
    {
      char fmt[UINT_FMT] ;
      fmt[uint_fmt(fmt, tabmax)] = 0 ;
      strerr_warnw("not starting ", name, " and any further new service: table full (", fmt, " services, raise it with -c)") ;
      capwarned = 1 ;
    }
    return ;
  }
  {
    svc_t *s = tab + tablen ;
    memset(s, 0, sizeof *s) ;
    s->dev = st.st_dev ; s->ino = st.st_ino ;
    s->name = name_store(name) ;
    if (!s->name) { strerr_warnw("not starting ", name, ": name storage full (raise -c)") ; return ; }
    s->seen = 1 ;
    s->wi = -1 ;
    s->p[0] = s->p[1] = -1 ;
    s->pidfd = s->logpidfd = -1 ;
    tain_copynow(&s->restart) ; tain_copynow(&s->logrestart) ;
    s->haslog = has_log(s) ;
    s->critical = is_critical(s->name) ;
    tablen++ ;
  }
}

void scan (int startnew)
{
  for (unsigned int i = 0 ; i < tablen ; i++) tab[i].seen = 0 ;
  if (tend_dirscan(".", &scan_one, &startnew) < 0)
  {
    strerr_warnwusys("read the scan directory (retrying at the next scan)") ;
    /* do not prune on a failed or partial read */
    for (unsigned int i = 0 ; i < tablen ; i++) tab[i].seen = 1 ;
  }
  log_conflicts() ;
  if (tablen < tabmax) capwarned = 0 ;
  /* downwards: entry_free moves the last entry into the freed slot */
  for (unsigned int i = tablen ; i-- ;)
  {
    svc_t *s = tab + i ;
    if (!s->seen && !s->gone)
    {
      /* its dir is gone: bring it down and let its supervise exit; the logger follows once
         the service is gone and the pipe is closed (see child_gone) */
      s->gone = 1 ;
      critical_unsubscribe(s) ;
      service_bring_down(s) ;
      /* no supervise writes into the pipe: the logger must see end-of-file now */
      if (!s->pid && s->p[1] >= 0) { fd_close(s->p[1]) ; s->p[1] = -1 ; }
    }
    /* gone with no process left (its supervise was in its retry, failing to start, or exited
       after x): nothing will free its slot and its pipe later, so free them now */
    if (s->gone && !s->pid && !s->logpid) entry_free(i) ;
  }
}

/* The pipe from NAME to NAME/log, made when the first of the two supervise processes is
   about to start, so that a service that cannot start holds no descriptors. */
static int pipe_make (svc_t *s)
{
  if (s->p[0] >= 0) return 1 ;
  if (pipecoe(s->p) < 0)
  {
    int e = errno ;
    s->p[0] = s->p[1] = -1 ;
    if (!fd_failed(s, e)) { errno = e ; strerr_warnwusys("create a pipe for ", s->name, " (retrying in 1 second)") ; }
    return 0 ;
  }
  return 1 ;
}

/* Start every supervise that should run and does not, honouring the restart throttle. */
void start_all (void)
{
  unsigned int used ;
  if (stopping) return ;
  used = fd_in_use() ;
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    if (s->gone) continue ;
    if (s->haslog && !s->logpid && !tain_future(&s->logrestart))
    {
      /* its pipe, if not made yet, and the pidfd that comes with the clone */
      unsigned int need = 2 * (s->p[0] < 0) + (autoreap ? 1 : 0) ;
      tain_addsec_g(&s->logrestart, 1) ;
      if (!fd_room(s, used, need) || !pipe_make(s)) continue ;
      used += need ;
      s->logpid = spawn_supervise(s, 1) ;
      if (s->logpid && s->pid) s->fdheld = 0 ;
    }
    if (!s->pid && !tain_future(&s->restart))
    {
      unsigned int need ;
      tain_addsec_g(&s->restart, 1) ;
      /* critical is a setting of the service dir: read again at every start of its supervise */
      s->critical = is_critical(s->name) ;
      need = (s->haslog ? 2 * (s->p[0] < 0) : 0) + (autoreap ? 1 : 0) + (s->critical && s->wi < 0 ? 2 : 0) ;
      if (!fd_room(s, used, need)) continue ;
      if (s->haslog) { if (!pipe_make(s)) continue ; }
      /* log/ removed: this run writes where svscan's stdout goes; the old logger reads to
         end-of-file and is not restarted */
      else if (s->p[1] >= 0) { fd_close(s->p[1]) ; s->p[1] = -1 ; if (!s->logpid) pipe_close(s) ; }
      used += need ;
      if (s->critical) critical_subscribe(s) ;
      else critical_unsubscribe(s) ;
      tend_tai64n_now(&s->spawned) ;
      s->pid = spawn_supervise(s, 0) ;
      if (s->pid && (s->logpid || !s->haslog)) s->fdheld = 0 ;
      if (s->critical) critical_check(s) ;
    }
  }
  spawn_end() ;
  fd_report() ;
  fork_report() ;
}
