/* svscan stopping the tree: control bytes to each supervise, orphans, the grace deadline, exit. */

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
#include <skalibs/direntry.h>
#include <sys/stat.h>
#include <skalibs/selfpipe.h>
#include <tend/status.h>
#include <sys/mman.h>
#include <tend/control.h>
#include <tend/dirscan.h>
#include "svscan.h"

/* Orphans that got SIGTERM already, one bit per possible pid: each gets it once however many
   there are, at one test per orphan per pass (a list searched for every process in /proc made
   a pass over 5,000 orphans quadratic, and a fixed list of 64 re-TERMed the others at every
   pass). Mapped once at start-up; its pages cost memory only where pids are in use (512 KiB at
   most, for Linux's largest pid_max). A pid above the pid_max read at start-up (raised since)
   may get TERM again, with one warning. */
static unsigned char *termed ;
static size_t termedmax = 0 ;   /* pids below this have a bit */
static int termedwarned = 0 ;

void stop_init (void)
{
  char buf[32] ;
  uint64_t pidmax = 4194304 ;   /* PID_MAX_LIMIT on 64-bit Linux */
  int fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC) ;
  if (fd >= 0)
  {
    ssize_t r = read(fd, buf, sizeof buf - 1) ;
    fd_close(fd) ;
    if (r > 0) { uint64_t v ; buf[r] = 0 ; if (uint64_scan(buf, &v) && v && v <= 4194304) pidmax = v ; }
  }
  termed = mmap(0, (size_t)(pidmax + 7) / 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ;
  if (termed == MAP_FAILED) strerr_diefusys(111, "allocate the orphan table") ;
  termedmax = (size_t)pidmax ;
}

/* whether pid got TERM; and remember that it does */
static int orphan_termed (pid_t pid)
{
  size_t p = (size_t)pid ;
  if (p >= termedmax) return 0 ;
  return termed[p >> 3] & (1 << (p & 7)) ;
}

static void orphan_remember (pid_t pid)
{
  size_t p = (size_t)pid ;
  if (p < termedmax) { termed[p >> 3] |= (unsigned char)(1 << (p & 7)) ; return ; }
  if (!termedwarned)
  {
    strerr_warnw("pid_max was raised after svscan started: orphans with larger pids may get SIGTERM more than once") ;
    termedwarned = 1 ;
  }
}

/* ---------- control bytes to a supervise ---------- */

/* Every control byte svscan writes to a supervise goes through here: one function, to be
   replaced by lib/control's when it lands. It must never hang svscan (PID 1): the open and the
   write are non-blocking (no reader: ENXIO; a full FIFO: EAGAIN), and only a FIFO is written
   to, never what a symbolic link or a regular file put in its place by the owner of the
   service dir would name (svscan may run as root). 0 when the bytes could not be written: the
   caller falls back to a signal. */
/* lib/control: non-blocking open and write, a FIFO only, never through a link, so no service
   dir can hang PID 1 or redirect its bytes */
static int control_write (char const *name, char const *suffix, char const *bytes)
{
  size_t nlen = strlen(name), slen = strlen(suffix) ;
  char dir[nlen + slen + 1] ;
  memcpy(dir, name, nlen) ; memcpy(dir + nlen, suffix, slen + 1) ;
  return tend_control_send(dir, TEND_CONTROL_SUPERVISE, bytes, strlen(bytes)) ;
}

/* Bring down the supervise processes of an entry (its dir is gone, or the tree stops): the
   service gets d then x, its logger x alone (it ends on end-of-file); by signal when the
   control FIFO cannot be written (supervise treats SIGTERM as dx, SIGHUP as x). */
void service_bring_down (svc_t *s)
{
  if (s->pid && !control_write(s->name, "", "dx")) signal_supervise(s, 0, SIGTERM) ;
  if (s->logpid && !control_write(s->name, "/log", "x")) signal_supervise(s, 1, SIGHUP) ;
}

/* ---------- stopping ---------- */

/* the parent of process PID (its /proc name), or -1; its stat line is left in buf */
static pid_t parent_of (char const *pidname, char *buf, size_t len)
{
  size_t plen = strlen(pidname) ;
  char fn[plen + sizeof("/proc//stat")] ;
  char *p ;
  unsigned int ppid ;
  ssize_t r ;
  int fd ;
  memcpy(fn, "/proc/", 6) ; memcpy(fn + 6, pidname, plen) ; memcpy(fn + 6 + plen, "/stat", 6) ;
  /* one read: the ppid is in the first 100 bytes, no need to read on to end-of-file */
  fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  r = read(fd, buf, len - 1) ;
  fd_close(fd) ;
  if (r <= 0) return -1 ;
  buf[r] = 0 ;
  p = strrchr(buf, ')') ;
  if (!p || strlen(p) < 5 || !uint_scan(p + 4, &ppid)) return -1 ;
  return (pid_t)ppid ;
}

/* Whether we may have a child that is not a supervise of the table, from the kernel's list of
   our children: one read instead of a stat per process in /proc, for the common case where the
   answer is no. When the list does not fit the buffer (read again, it could shift under us),
   or the kernel has no such file, the answer is maybe. */
static int maybe_orphans (void)
{
  char fn[sizeof("/proc//task//children") + 2 * PID_FMT] ;
  char buf[4096] ;
  size_t n = 0, i = 0 ;
  ssize_t r ;
  int fd ;
  pid_t me = getpid() ;
  memcpy(fn, "/proc/", 6) ; n = 6 ;
  n += pid_fmt(fn + n, me) ; memcpy(fn + n, "/task/", 6) ; n += 6 ;
  n += pid_fmt(fn + n, me) ; memcpy(fn + n, "/children", sizeof("/children")) ;
  fd = open(fn, O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return 1 ;
  r = read(fd, buf, sizeof buf) ;
  fd_close(fd) ;
  if (r < 0 || (size_t)r == sizeof buf) return 1 ;
  while (i < (size_t)r)
  {
    pid_t pid ;
    size_t len = pid_scan(buf + i, &pid) ;
    unsigned int j ;
    if (!len) { i++ ; continue ; }
    i += len ;
    for (j = 0 ; j < tablen ; j++) if (tab[j].pid == pid || tab[j].logpid == pid) break ;
    if (j == tablen) return 1 ;
  }
  return 0 ;
}

/* Our direct children that are not supervise processes of the table: orphans reparented to
   us (PID 1 or subreaper). TERM each once. */
typedef struct orphanscan_s orphanscan_t ;
struct orphanscan_s
{
  pid_t me ;
  int sig ;
} ;

static void orphan_one (char const *name, void *aux)
{
  orphanscan_t const *o = aux ;
  pid_t me = o->me ;
  int sig = o->sig ;
  pid_t pid ;
  char buf[512] ;
  int pfd = -1 ;
  if (!pid0_scan(name, &pid)) return ;
  if (pid == me) return ;
  /* our own supervise processes first, without reading their stat: this scan runs at the
     start of a stop, while every supervise wants the CPU */
  {
    unsigned int i ;
    for (i = 0 ; i < tablen ; i++) if (tab[i].pid == pid || tab[i].logpid == pid) break ;
    if (i < tablen) return ;
  }
  if (parent_of(name, buf, sizeof buf) != me) return ;
  if (sig == SIGTERM && orphan_termed(pid)) return ;
  /* When the kernel reaps for us, an orphan that dies after we read its stat is gone at once
     and its pid may go to someone else: take a pidfd, which names one process for good, and
     ask again (whenever pidfds exist: also after autoreap_stop, where it costs nothing wrong).
     When we reap, its zombie keeps the pid ours until we do. */
  if (epfd >= 0)
  {
    pfd = sys_pidfd_open(pid) ;
    if (pfd < 0) return ;
    if (parent_of(name, buf, sizeof buf) != me) { fd_close(pfd) ; return ; }
  }
  if (sig == SIGKILL)
  {
    char comm[64] ;
    char *q = strchr(buf, '(') ;
    char *p = strrchr(buf, ')') ;
    size_t cl = q && p > q ? (size_t)(p - q - 1) : 0 ;
    if (cl >= sizeof comm) cl = sizeof comm - 1 ;
    memcpy(comm, q ? q + 1 : "", cl) ; comm[cl] = 0 ;
    strerr_warnw("process ", name, " (", comm, ") outside supervision still running at the grace deadline: sending SIGKILL") ;
  }
  if (sig == SIGTERM) orphan_remember(pid) ;
  if (pfd >= 0) { sys_pidfd_signal(pfd, sig) ; fd_close(pfd) ; }
  else kill(pid, sig) ;
}

void term_orphans (int sig)
{
  orphanscan_t o = { .me = getpid(), .sig = sig } ;
  if (!maybe_orphans()) return ;
  tend_dirscan("/proc", &orphan_one, &o) ;
}

/* SIGQUIT: stop now. The stop begins if it has not, and the grace deadline is now: what does
   not exit at once is killed (services that ignore TERM, orphans, loggers still draining). */
void stop_now (char const *why)
{
  if (!stopping) stop_begin(why) ;
  else if (why) strerr_warni(why) ;
  if (!killed) tain_copynow(&stopdeadline) ;
}

static int has_stopafter (svc_t const *s)
{
  size_t len = strlen(s->name) ;
  char fn[len + sizeof "/stop-after"] ;
  memcpy(fn, s->name, len) ; memcpy(fn + len, "/stop-after", sizeof "/stop-after") ;
  return access(fn, F_OK) == 0 ;
}

/* 1 if a service that s's stop-after names still has its supervise running. The file is read
   at each call into a stack buffer (no heap in the daemon); names it gives that are not in the
   table, or past its first 4 KiB, do not hold s. */
static int waits (svc_t const *s)
{
  size_t len = strlen(s->name) ;
  char fn[len + sizeof "/stop-after"] ;
  char buf[4096] ;
  ssize_t r ;
  int fd ;
  memcpy(fn, s->name, len) ; memcpy(fn + len, "/stop-after", sizeof "/stop-after") ;
  fd = open(fn, O_RDONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  r = read(fd, buf, sizeof buf - 1) ;
  fd_close(fd) ;
  if (r <= 0) return 0 ;
  buf[r] = 0 ;
  for (char *line = buf ; *line ; )
  {
    char *end = strchr(line, '\n') ;
    if (end) *end = 0 ;
    if (*line && strcmp(line, s->name))
      for (unsigned int i = 0 ; i < tablen ; i++)
        if (tab[i].pid && !strcmp(tab[i].name, line)) return 1 ;
    if (!end) break ;
    line = end + 1 ;
  }
  return 0 ;
}

/* In the stop, after each service's supervise exits: bring down the held services whose
   stop-after services are all down. When everything still running is held, they wait on each
   other (a cycle): say so and bring them all down, rather than hang until the deadline. */
void stop_release (void)
{
  int held = 0, free = 0 ;
  if (!stopping) return ;
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    if (!s->stopheld) continue ;
    if (!s->pid) { s->stopheld = 0 ; continue ; }
    if (waits(s)) continue ;
    s->stopheld = 0 ;
    service_bring_down(s) ;
  }
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    if (tab[i].stopheld) held++ ;
    else if (tab[i].pid) free++ ;
  }
  if (!held || free) return ;
  for (unsigned int i = 0 ; i < tablen ; i++)
    if (tab[i].stopheld)
    {
      strerr_warnw("stop-after of ", tab[i].name, " waits for services that wait for it (a cycle): stopping it now") ;
      tab[i].stopheld = 0 ;
      service_bring_down(tab + i) ;
    }
}

void stop_begin (char const *why)
{
  tain t ;
  if (stopping) return ;
  stopping = 1 ;
  autoreap_stopping() ;
  if (why) strerr_warni(why) ;
  /* every service at once: d then x; loggers only x (they end on end-of-file) */
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    critical_unsubscribe(s) ;
    /* stop-after: this one waits until the services it names are down (stop_release) */
    if (s->pid && has_stopafter(s)) { s->stopheld = 1 ; continue ; }
    service_bring_down(s) ;
    /* a service without a running supervise: its logger must see end-of-file now */
    if (!s->pid && s->p[1] >= 0) { fd_close(s->p[1]) ; s->p[1] = -1 ; }
  }
  stop_release() ;
  term_orphans(SIGTERM) ;
  tain_from_millisecs(&t, (int)grace_ms) ;
  tain_add_g(&stopdeadline, &t) ;
  tain_inf(&nextscan) ;
}

/* At the grace deadline: SIGKILL what is left of every process group, and any orphan. */
/* The pid and process group of /proc/PID/stat, or 0. */
static int stat_of (pid_t pid, pid_t *ppid, pid_t *pgrp)
{
  char name[PID_FMT] ;
  char buf[512] ;
  char *p ;
  unsigned int a, b ;
  size_t n ;
  name[pid_fmt(name, pid)] = 0 ;
  if (parent_of(name, buf, sizeof buf) < 0) return 0 ;
  p = strrchr(buf, ')') ;
  /* ") S ppid pgrp" */
  n = uint_scan(p + 4, &a) ;
  if (!n || p[4 + n] != ' ' || !uint_scan(p + 5 + n, &b)) return 0 ;
  *ppid = (pid_t)a ; *pgrp = (pid_t)b ;
  return 1 ;
}

/* At the grace deadline: SIGKILL the service (or logger) of entry s, and its process group.
   Its pid comes from DIR/supervise/status, which whoever owns the service dir can write: a pid
   there is only signalled when it is a child of the supervise we started for it, which our
   pidfd (or our unreaped zombie) keeps ours; and its group only when it leads it. The process
   itself is signalled through a pidfd taken before the check, so a pid freed meanwhile is not
   hit. Its group number cannot be reused while it leads it. */
static void kill_service (svc_t *s, int islog)
{
  tend_status_t st ;
  size_t nlen = strlen(s->name) ;
  char dir[nlen + sizeof("/log")] ;
  pid_t sup = islog ? s->logpid : s->pid ;
  pid_t pid, ppid, pgrp ;
  int supfd = islog ? s->logpidfd : s->pidfd ;
  int pfd ;
  memcpy(dir, s->name, nlen) ;
  if (islog) memcpy(dir + nlen, "/log", sizeof("/log")) ; else dir[nlen] = 0 ;
  if (tend_status_read(dir, &st) <= 0 || !st.pid) return ;
  pid = (pid_t)st.pid ;
  pfd = sys_pidfd_open(pid) ;
  if (pid <= 1 || (supfd >= 0 && sys_pidfd_signal(supfd, 0) < 0)
   || !stat_of(pid, &ppid, &pgrp) || ppid != sup)
  {
    char fmt[PID_FMT] ;
    if (pfd >= 0) fd_close(pfd) ;
    if (pid > 1 && stat_of(pid, &ppid, &pgrp) == 0) return ;   /* gone already */
    fmt[pid_fmt(fmt, pid)] = 0 ;
    strerr_warnw("not sending SIGKILL to pid ", fmt, " named by ", dir, "/supervise/status: it is not a child of the supervise svscan started for it") ;
    return ;
  }
  strerr_warnw("service ", dir, " still running at the grace deadline: sending SIGKILL") ;
  if (pgrp == pid) kill(-pid, SIGKILL) ;
  if (pfd >= 0) { sys_pidfd_signal(pfd, SIGKILL) ; fd_close(pfd) ; }
  else kill(pid, SIGKILL) ;
}

void stop_kill (void)
{
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    if (tab[i].pid) kill_service(tab + i, 0) ;
    if (tab[i].logpid) kill_service(tab + i, 1) ;
  }
  killed = 1 ;
  term_orphans(SIGKILL) ;
  /* as PID 1, also whatever hides below a living parent */
  if (ispid1) kill(-1, SIGKILL) ;
  tain_addsec_g(&hardstop, 2) ;
}

void finish_and_exit (void)
{
  char fmt[UINT_FMT] ;
  char const *argv[3] = { "./" CTLDIR "/finish", fmt, 0 } ;
  struct stat st ;
  /* -e: a code the image says means success (a JVM's 143 on TERM) */
  if (exitcode >= 0 && exitcode <= 255) exitcode = exitmap[exitcode] ;
  fmt[uint_fmt(fmt, (unsigned int)exitcode)] = 0 ;
  /* only a finish of ours or root's (the link itself too): one another user left in a .svscan/
     that was theirs before we took it over would run as us */
  if (lstat(argv[0], &st) == 0 && st.st_uid != geteuid() && st.st_uid != 0)
  {
    char u[UID_FMT] ;
    u[uid_fmt(u, st.st_uid)] = 0 ;
    strerr_warnw("not running ", argv[0], ": it is owned by uid ", u) ;
  }
  else if (stat(argv[0], &st) == 0 && S_ISREG(st.st_mode) && st.st_uid != geteuid() && st.st_uid != 0)
  {
    char u[UID_FMT] ;
    u[uid_fmt(u, st.st_uid)] = 0 ;
    strerr_warnw("not running ", argv[0], ": the file it leads to is owned by uid ", u) ;
  }
  else if (stat(argv[0], &st) == 0 && S_ISREG(st.st_mode))
  {
    selfpipe_finish() ;
    execve(argv[0], (char *const *)argv, environ) ;
    strerr_warnwusys("exec ", argv[0]) ;
  }
  _exit(exitcode) ;
}

