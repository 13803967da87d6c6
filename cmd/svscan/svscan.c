/* svscan: one supervise per service dir (plus its logger, joined by a pipe svscan holds),
   PID-1 duties (reaping, orderly stop), and the container's exit code. */

#include <skalibs/nonposix.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/types.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/sig.h>
#include <skalibs/nsig.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/djbunix.h>
#include <skalibs/direntry.h>
#include <skalibs/exec.h>
#include <tend/tai.h>
#include <tend/status.h>
#include <tend/event.h>
#include <tend/sig.h>
#include <tend/exec.h>
#include <tend/usage.h>
#include "tend-paths.h"   /* TEND_SUPERVISE_PATH, written by the Makefile */

#define USAGE "svscan [ -t rescan-seconds ] [ -c max ] [ -g grace-ms ] [ dir ]"
#define HELP \
"start and keep a supervise for every service directory of dir (default: the current directory)\n" \
"  -t SECS  rescan every SECS seconds; 0: only at start-up and on demand (default 5)\n" \
"  -c MAX   at most MAX services, 1 to 100000 (default 1000)\n" \
"  -g MS    MS milliseconds from the start of the stop to SIGKILL, 0 to 3600000 (default 5000)\n"
#define CTLDIR ".svscan"
#define NAMEMAX 255   /* NAME_MAX on Linux: no limit below the system's own */

extern char **environ ;

typedef struct svc_s svc_t ;
struct svc_s
{
  /* 112 bytes (168 before): with -c 1000 the table is most of svscan's own memory */
  dev_t dev ;
  ino_t ino ;
  char *name ;           /* in the names arena */
  tend_tai64n_t spawned ; /* wall clock when its supervise was started: older status is stale */
  tain restart ;         /* earliest time to restart a dead supervise (throttle) */
  tain logrestart ;
  pid_t pid ;            /* supervise NAME, 0 if not running */
  pid_t logpid ;         /* supervise NAME/log, 0 if not running */
  int pidfd ;            /* supervise NAME's pidfd (when the kernel reaps for us), else -1 */
  int logpidfd ;
  int p[2] ;             /* NAME's stdout -> NAME/log's stdin; held by svscan */
  int evfd ;             /* our event FIFO in NAME/supervise/event, critical services only */
  int evwfd ;
  unsigned int evseq ;   /* its name: TEND_EVENT_PREFIX, our pid, ':', this number */
  uint8_t haslog ;
  uint8_t seen ;         /* present at the last scan */
  uint8_t gone ;         /* its dir disappeared: told to exit */
  uint8_t critical ;
} ;

static svc_t *tab ;
static unsigned int tablen = 0 ;
/* Service names live in an arena, not in fixed 256-byte slots, so 1000 services cost what
   their names cost; when it fills up it is compacted into its twin. */
static char *arena[2] ;
static unsigned int arenacur = 0 ;
static size_t arenalen = 0, arenacap = 0 ;

static char *name_store (char const *name)
{
  size_t len = strlen(name) + 1 ;
  if (arenalen + len > arenacap)
  {
    char *to = arena[!arenacur] ;
    size_t n = 0 ;
    for (unsigned int i = 0 ; i < tablen ; i++)
    {
      size_t l = strlen(tab[i].name) + 1 ;
      memcpy(to + n, tab[i].name, l) ;
      tab[i].name = to + n ;
      n += l ;
    }
    arenacur = !arenacur ;
    arenalen = n ;
    if (arenalen + len > arenacap) return 0 ;
  }
  {
    char *p = arena[arenacur] + arenalen ;
    memcpy(p, name, len) ;
    arenalen += len ;
    return p ;
  }
}
static unsigned int tabmax = 1000 ;
static unsigned int rescan_secs = 5 ;
static unsigned int grace_ms = 5000 ;
static int ispid1 = 0 ;
static int stopping = 0 ;
static int exitcode = 0 ;
static int capwarned = 0 ;
static tain nextscan ;
static tain stopdeadline ;    /* grace deadline: SIGKILL what is left */
static tain hardstop ;        /* after the KILL: give up waiting and leave */
static int killed = 0 ;
static pid_t orphanterm[64] ;
static unsigned int norphanterm = 0 ;

static void tain_inf (tain *t) { tain_add_g(t, &tain_infinite_relative) ; }

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
static int autoreap = 0 ;  /* SA_NOCLDWAIT is on, each new supervise comes with a pidfd */
static int epfd = -1 ;     /* the epoll set of those pidfds; stays open after autoreap_stop for
                              the ones it still watches */

static int sys_pidfd_open (pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int)syscall(SYS_pidfd_open, pid, 0) ;
#else
  (void)pid ; errno = ENOSYS ; return -1 ;
#endif
}

static int sys_pidfd_signal (int fd, int sig)
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
static void autoreap_start (void)
{
  int fd = sys_pidfd_open(getpid()) ;
  if (fd < 0) return ;   /* no pidfds here: waitpid it is */
  fd_close(fd) ;
  epfd = epoll_create1(EPOLL_CLOEXEC) ;
  if (epfd < 0) return ;
  if (!sigchld_nocldwait(1)) { fd_close(epfd) ; epfd = -1 ; return ; }
  autoreap = 1 ;
}

/* Watching one supervise failed: from now on dead children stay zombies again until waitpid
   finds them. */
static void autoreap_stop (char const *name)
{
  strerr_warnwusys("watch the supervise of ", name, ": reaping with waitpid from now on") ;
  sigchld_nocldwait(0) ;
  autoreap = 0 ;
}

/* ---------- children ---------- */

/* The child shares our memory until it execs: it leaves the errno of a failed exec here. */
static volatile int vchild_errno ;

/* The supervise to run: the one this svscan was built for (its installed path, or the build
   tree's), else the one beside svscan's own file, for a copy moved elsewhere (static programs
   copied into an image's /usr/local/bin). Never a PATH search: another package's supervise
   (daemontools') earlier in PATH would run silently, without the event dir or the extended
   status. Resolved once: if neither exists, every start fails and is retried, naming the path. */
static char supervise_beside[PATH_MAX] ;
static char const *supervise_path = TEND_SUPERVISE_PATH ;

static void find_supervise (void)
{
  ssize_t r ;
  char *slash ;
  if (access(TEND_SUPERVISE_PATH, X_OK) == 0) return ;
  r = readlink("/proc/self/exe", supervise_beside, sizeof supervise_beside - sizeof "supervise") ;
  if (r <= 0 || (size_t)r >= sizeof supervise_beside - sizeof "supervise") return ;
  supervise_beside[r] = 0 ;
  slash = strrchr(supervise_beside, '/') ;
  if (!slash) return ;
  memcpy(slash + 1, "supervise", sizeof "supervise") ;
  if (access(supervise_beside, X_OK) == 0) supervise_path = supervise_beside ;
}

typedef struct childargs_s childargs_t ;
struct childargs_s
{
  char const *const *argv ;
  int fd ;
  int to ;
} ;

/* Only system calls until exec; not instrumented by ASan, which would take this stack for a
   stray one. */
__attribute__((no_sanitize_address)) static int child_main (void *p)
{
  childargs_t const *a = p ;
  tend_sig_childreset() ;
  setsid() ;
  /* dup2 also drops close-on-exec from the copy: the pipe end svscan holds stays ours alone */
  if (a->fd >= 0 && dup2(a->fd, a->to) < 0) { vchild_errno = errno ; _exit(126) ; }
  execve(supervise_path, (char *const *)a->argv, environ) ;
  vchild_errno = errno ? errno : ENOENT ;
  _exit(127) ;
}

/* clone(CLONE_VM | CLONE_VFORK), i.e. vfork, rather than fork: svscan starts up to -c
   supervise processes at once and must not copy its page tables for each; and rather than
   posix_spawn, whose child puts all 64 dispositions back one by one on the path every start
   waits on, where ours resets only the few signals that were ignored when svscan started (exec
   resets the caught ones). clone and not vfork for CLONE_PIDFD. The child gets an empty signal
   mask and its own session: a terminal's Ctrl-C then reaches svscan alone, which stops the
   tree in order (loggers drain), not every supervise at once. */
static pid_t spawn_supervise (svc_t *s, int islog)
{
  size_t nlen = strlen(s->name) ;
  char arg[nlen + sizeof("/log")] ;
  /* argv[0] is the bare name, for ps; the file is supervise_path */
  char const *argv[3] = { "supervise", arg, 0 } ;
  childargs_t a = { .argv = argv, .fd = !s->haslog ? -1 : islog ? s->p[0] : s->p[1], .to = islog ? 0 : 1 } ;
  /* the child's stack until it execs: ours is suspended meanwhile (CLONE_VFORK). Here rather
     than in the bss, which supervise (the same file) would carry too. */
  char stack[8192] __attribute__((aligned(16))) ;
  int pidfd = -1 ;
  pid_t pid ;
  memcpy(arg, s->name, nlen) ;
  if (islog) memcpy(arg + nlen, "/log", sizeof("/log")) ; else arg[nlen] = 0 ;
  vchild_errno = 0 ;
  pid = clone(&child_main, stack + sizeof stack,
              CLONE_VM | CLONE_VFORK | SIGCHLD | (autoreap ? CLONE_PIDFD : 0), &a, &pidfd) ;
  if (pid < 0) { strerr_warnwusys("fork for ", arg, ": retrying in 1 second") ; return 0 ; }
  /* the child has exec'd or exited by now; an exited one is gone already (the kernel reaped
     it) or will be found by reap() */
  if (vchild_errno)
  {
    if (pidfd >= 0) fd_close(pidfd) ;
    errno = vchild_errno ;
    strerr_warnwusys("spawn ", supervise_path, " for ", arg, ": retrying in 1 second") ;
    return 0 ;
  }
  if (autoreap)
  {
    struct epoll_event ev = { .events = EPOLLIN, .data = { .fd = pidfd } } ;
    if (pidfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, pidfd, &ev) < 0)
    {
      autoreap_stop(arg) ;
      /* it may have died before the switch, reaped by the kernel: its pidfd says so */
      if (pidfd >= 0)
      {
        struct pollfd x = { .fd = pidfd, .events = POLLIN, .revents = 0 } ;
        int dead = poll(&x, 1, 0) > 0 ;
        fd_close(pidfd) ;
        if (dead) return 0 ;
      }
      pidfd = -1 ;
    }
  }
  if (islog) s->logpidfd = pidfd ; else s->pidfd = pidfd ;
  return pid ;
}

/* A signal to our own supervise: through its pidfd when it has one, so a supervise that just
   died (the kernel reaped it, its pid may be reused) is not confused with a stranger. */
static void signal_supervise (svc_t *s, int islog, int sig)
{
  int fd = islog ? s->logpidfd : s->pidfd ;
  if (fd >= 0) sys_pidfd_signal(fd, sig) ;
  else kill(islog ? s->logpid : s->pid, sig) ;
}

/* ---------- control bytes to a supervise ---------- */

static int sendctl (char const *name, char const *suffix, char const *bytes)
{
  size_t nlen = strlen(name), slen = strlen(suffix) ;
  char fn[nlen + slen + sizeof("/supervise/control")] ;
  int fd ;
  memcpy(fn, name, nlen) ; memcpy(fn + nlen, suffix, slen) ;
  memcpy(fn + nlen + slen, "/supervise/control", sizeof("/supervise/control")) ;
  fd = open(fn, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  if (write(fd, bytes, strlen(bytes)) < 0) { fd_close(fd) ; return 0 ; }
  fd_close(fd) ;
  return 1 ;
}

/* ---------- critical services: how svscan learns they stopped for good ---------- */

/* Subscribe to NAME/supervise/event before supervise starts (svscan makes the dir), then read
   the status: a service that fails before we look is not missed. */
static void critical_subscribe (svc_t *s)
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

static void critical_unsubscribe (svc_t *s)
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

static void stop_begin (char const *why) ;

/* A critical service has stopped for good when supervise gave up on it (failed: finish said
   125, or max-restarts) or when it was run once ('o') and died. */
static void critical_check (svc_t *s)
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

/* ---------- the table ---------- */

static void entry_free (unsigned int i)
{
  svc_t *s = tab + i ;
  critical_unsubscribe(s) ;
  if (s->haslog) { fd_close(s->p[0]) ; fd_close(s->p[1]) ; }
  tab[i] = tab[--tablen] ;
}

static int has_log (char const *name, int *isdir)
{
  size_t nlen = strlen(name) ;
  char fn[nlen + sizeof("/log")] ;
  struct stat st ;
  memcpy(fn, name, nlen) ; memcpy(fn + nlen, "/log", sizeof("/log")) ;
  if (stat(fn, &st) < 0)
  {
    if (errno != ENOENT) strerr_warnwusys("stat ", fn) ;
    return 0 ;
  }
  *isdir = S_ISDIR(st.st_mode) ;
  if (!*isdir) strerr_warnw(fn, " is not a directory: ignoring it") ;
  return *isdir ;
}

static int is_critical (char const *name)
{
  size_t nlen = strlen(name) ;
  char fn[nlen + sizeof("/critical")] ;
  memcpy(fn, name, nlen) ; memcpy(fn + nlen, "/critical", sizeof("/critical")) ;
  return access(fn, F_OK) == 0 ;
}

static void scan (int startnew)
{
  DIR *d ;
  for (unsigned int i = 0 ; i < tablen ; i++) tab[i].seen = 0 ;
  d = opendir(".") ;
  if (!d) { strerr_warnwusys("open the scan directory: retrying at the next scan") ; return ; }
  for (;;)
  {
    struct dirent *de ;
    struct stat st ;
    unsigned int i ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de)
    {
      if (errno)
      {
        strerr_warnwusys("read the scan directory: retrying at the next scan") ;
        /* do not prune on a partial read */
        for (i = 0 ; i < tablen ; i++) tab[i].seen = 1 ;
      }
      break ;
    }
    if (de->d_name[0] == '.') continue ;
    if (stat(de->d_name, &st) < 0)
    {
      /* a dangling symlink is a disabled service, not an error */
      if (errno != ENOENT) strerr_warnwusys("stat ", de->d_name) ;
      continue ;
    }
    if (!S_ISDIR(st.st_mode)) continue ;
    /* the same directory reached twice (symlinks) is one service */
    for (i = 0 ; i < tablen ; i++) if (tab[i].dev == st.st_dev && tab[i].ino == st.st_ino) break ;
    if (i < tablen)
    {
      struct stat old ;
      tab[i].seen = 1 ;
      /* renamed inside the scan dir: follow the new name, so control bytes and the critical
         watch keep reaching it (a second name for the same dir changes nothing) */
      if (strcmp(tab[i].name, de->d_name) && (stat(tab[i].name, &old) < 0 || old.st_dev != st.st_dev || old.st_ino != st.st_ino))
      {
        char *nn = name_store(de->d_name) ;
        if (nn) tab[i].name = nn ;
      }
      continue ;
    }
    if (!startnew) continue ;
    if (strlen(de->d_name) > NAMEMAX) { strerr_warnw("name too long, not starting: ", de->d_name) ; continue ; }
    if (tablen >= tabmax)
    {
      if (!capwarned)
      {
        char fmt[UINT_FMT] ;
        fmt[uint_fmt(fmt, tabmax)] = 0 ;
        strerr_warnw("table full (", fmt, " services, raise it with -c): not starting ", de->d_name, " and any further new service") ;
        capwarned = 1 ;
      }
      continue ;
    }
    {
      svc_t *s = tab + tablen ;
      int isdir = 0 ;
      memset(s, 0, sizeof *s) ;
      s->dev = st.st_dev ; s->ino = st.st_ino ;
      s->name = name_store(de->d_name) ;
      if (!s->name) { strerr_warnw("name storage full: not starting ", de->d_name, " (raise -c)") ; continue ; }
      s->seen = 1 ;
      s->evfd = s->evwfd = -1 ;
      s->p[0] = s->p[1] = -1 ;
      s->pidfd = s->logpidfd = -1 ;
      tain_copynow(&s->restart) ; tain_copynow(&s->logrestart) ;
      if (has_log(s->name, &isdir))
      {
        if (pipecoe(s->p) < 0) { strerr_warnwusys("create a pipe for ", s->name, ": retrying at the next scan") ; continue ; }
        s->haslog = 1 ;
      }
      s->critical = is_critical(s->name) ;
      tablen++ ;
    }
  }
  dir_close(d) ;
  if (tablen < tabmax) capwarned = 0 ;
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    if (s->seen || s->gone) continue ;
    /* its dir is gone: bring it down and let its supervise exit; the logger follows once the
       service is gone and the pipe is closed (see reap) */
    s->gone = 1 ;
    critical_unsubscribe(s) ;
    if (s->pid && !sendctl(s->name, "", "dx")) signal_supervise(s, 0, SIGTERM) ;
    if (s->logpid && !sendctl(s->name, "/log", "x")) signal_supervise(s, 1, SIGHUP) ;
  }
}

/* Start every supervise that should run and does not, honouring the restart throttle. */
static void start_all (void)
{
  if (stopping) return ;
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    if (s->gone) continue ;
    if (s->haslog && !s->logpid && !tain_future(&s->logrestart))
    {
      s->logpid = spawn_supervise(s, 1) ;
      tain_addsec_g(&s->logrestart, 1) ;
    }
    if (!s->pid && !tain_future(&s->restart))
    {
      /* critical is a setting of the service dir: read again at every start of its supervise */
      s->critical = is_critical(s->name) ;
      if (s->critical) critical_subscribe(s) ;
      else critical_unsubscribe(s) ;
      tend_tai64n_now(&s->spawned) ;
      s->pid = spawn_supervise(s, 0) ;
      tain_addsec_g(&s->restart, 1) ;
      if (s->critical) critical_check(s) ;
    }
  }
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
static void term_orphans (int sig)
{
  DIR *d ;
  pid_t me = getpid() ;
  if (!maybe_orphans()) return ;
  d = opendir("/proc") ;
  if (!d) return ;
  for (;;)
  {
    struct dirent *de ;
    pid_t pid ;
    char buf[512] ;
    int pfd = -1 ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) break ;
    if (!pid0_scan(de->d_name, &pid)) continue ;
    if (pid == me) continue ;
    /* our own supervise processes first, without reading their stat: this scan runs at the
       start of a stop, while every supervise wants the CPU */
    {
      unsigned int i ;
      for (i = 0 ; i < tablen ; i++) if (tab[i].pid == pid || tab[i].logpid == pid) break ;
      if (i < tablen) continue ;
    }
    if (parent_of(de->d_name, buf, sizeof buf) != me) continue ;
    if (sig == SIGTERM)
    {
      unsigned int j ;
      for (j = 0 ; j < norphanterm ; j++) if (orphanterm[j] == pid) break ;
      if (j < norphanterm) continue ;
    }
    /* When the kernel reaps for us, an orphan that dies after we read its stat is gone at once
       and its pid may go to someone else: take a pidfd, which names one process for good, and
       ask again (whenever pidfds exist: also after autoreap_stop, where it costs nothing wrong).
       When we reap, its zombie keeps the pid ours until we do. */
    if (epfd >= 0)
    {
      pfd = sys_pidfd_open(pid) ;
      if (pfd < 0) continue ;
      if (parent_of(de->d_name, buf, sizeof buf) != me) { fd_close(pfd) ; continue ; }
    }
    if (sig == SIGKILL)
    {
      char comm[64] ;
      char *q = strchr(buf, '(') ;
      char *p = strrchr(buf, ')') ;
      size_t cl = q && p > q ? (size_t)(p - q - 1) : 0 ;
      if (cl >= sizeof comm) cl = sizeof comm - 1 ;
      memcpy(comm, q ? q + 1 : "", cl) ; comm[cl] = 0 ;
      strerr_warnw("process ", de->d_name, " (", comm, ") outside supervision still running at the grace deadline: sending SIGKILL") ;
    }
    if (sig == SIGTERM && norphanterm < sizeof orphanterm / sizeof *orphanterm) orphanterm[norphanterm++] = pid ;
    if (pfd >= 0) { sys_pidfd_signal(pfd, sig) ; fd_close(pfd) ; }
    else kill(pid, sig) ;
  }
  dir_close(d) ;
}

static void stop_begin (char const *why)
{
  tain t ;
  if (stopping) return ;
  stopping = 1 ;
  if (why) strerr_warni(why) ;
  /* every service at once: d then x; loggers only x (they end on end-of-file) */
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    critical_unsubscribe(s) ;
    if (s->pid && !sendctl(s->name, "", "dx")) signal_supervise(s, 0, SIGTERM) ;
    if (s->logpid && !sendctl(s->name, "/log", "x")) signal_supervise(s, 1, SIGHUP) ;
    /* a service without a running supervise: its logger must see end-of-file now */
    if (!s->pid && s->haslog && s->p[1] >= 0) { fd_close(s->p[1]) ; s->p[1] = -1 ; }
  }
  term_orphans(SIGTERM) ;
  tain_from_millisecs(&t, (int)grace_ms) ;
  tain_add_g(&stopdeadline, &t) ;
  tain_inf(&nextscan) ;
}

/* At the grace deadline: SIGKILL what is left of every process group, and any orphan. */
static void stop_kill (void)
{
  for (unsigned int i = 0 ; i < tablen ; i++)
  {
    svc_t *s = tab + i ;
    for (int islog = 0 ; islog < 2 ; islog++)
    {
      tend_status_t st ;
      size_t nlen = strlen(s->name) ;
      char dir[nlen + sizeof("/log")] ;
      if (islog && !s->haslog) continue ;
      if (!(islog ? s->logpid : s->pid)) continue ;
      memcpy(dir, s->name, nlen) ;
      if (islog) memcpy(dir + nlen, "/log", sizeof("/log")) ; else dir[nlen] = 0 ;
      if (tend_status_read(dir, &st) > 0 && st.pid)
      {
        strerr_warnw("service ", dir, " still running at the grace deadline: sending SIGKILL") ;
        kill(-(pid_t)st.pid, SIGKILL) ;
        kill((pid_t)st.pid, SIGKILL) ;
      }
    }
  }
  killed = 1 ;
  term_orphans(SIGKILL) ;
  /* as PID 1, also whatever hides below a living parent */
  if (ispid1) kill(-1, SIGKILL) ;
  tain_addsec_g(&hardstop, 2) ;
}

static void finish_and_exit (void)
{
  char fmt[UINT_FMT] ;
  char const *argv[3] = { "./" CTLDIR "/finish", fmt, 0 } ;
  struct stat st ;
  fmt[uint_fmt(fmt, (unsigned int)exitcode)] = 0 ;
  if (stat(argv[0], &st) == 0 && S_ISREG(st.st_mode))
  {
    selfpipe_finish() ;
    execve(argv[0], (char *const *)argv, environ) ;
    strerr_warnwusys("exec ", argv[0]) ;
  }
  _exit(exitcode) ;
}

/* ---------- reaping ---------- */

static int supervisors_left (void)
{
  for (unsigned int i = 0 ; i < tablen ; i++) if (tab[i].pid || tab[i].logpid) return 1 ;
  return 0 ;
}

/* supervise NAME (islog: NAME/log) of entry i is gone, whichever way we learned it */
static void child_gone (unsigned int i, int islog)
{
  svc_t *s = tab + i ;
  if (islog)
  {
    s->logpid = 0 ;
    if (s->logpidfd >= 0) { fd_close(s->logpidfd) ; s->logpidfd = -1 ; }
  }
  else
  {
    s->pid = 0 ;
    if (s->pidfd >= 0) { fd_close(s->pidfd) ; s->pidfd = -1 ; }
    if (!stopping && !s->gone) tain_copynow(&s->restart), tain_addsec_g(&s->restart, 1) ;
    /* the service is gone: the logger gets end-of-file once nobody else writes */
    if ((stopping || s->gone) && s->haslog && s->p[1] >= 0) { fd_close(s->p[1]) ; s->p[1] = -1 ; }
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
static void reap (void)
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
static void handle_pidfds (void)
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

/* ---------- control ---------- */

static void handle_control (int fd)
{
  char buf[64] ;
  ssize_t r = read(fd, buf, sizeof buf) ;
  for (ssize_t i = 0 ; i < r ; i++)
    switch (buf[i])
    {
      case 'a' : if (!stopping) { scan(1) ; start_all() ; } break ;
      case 'n' : if (!stopping) scan(0) ; break ;
      case 't' : stop_begin("stop requested through " CTLDIR "/control") ; break ;
      default : break ;
    }
}

static void handle_signals (void)
{
  for (;;)
  {
    int sig = selfpipe_read() ;
    switch (sig)
    {
      case -1 : strerr_warnwusys("read the selfpipe") ; return ;
      case 0 : return ;
      case SIGCHLD : reap() ; break ;
      case SIGTERM : stop_begin("SIGTERM received: stopping the tree") ; break ;
      case SIGINT : stop_begin("SIGINT received: stopping the tree") ; break ;
      case SIGHUP :
      case SIGALRM : if (!stopping) { scan(1) ; start_all() ; } break ;
      default : break ;
    }
  }
}

static void raise_nofile (void)
{
  struct rlimit rl ;
  unsigned int logged = 0, n = 0 ;
  DIR *d ;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ;
  if (rl.rlim_cur < rl.rlim_max)
  {
    rl.rlim_cur = rl.rlim_max ;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) strerr_warnwusys("raise the open-files limit") ;
    getrlimit(RLIMIT_NOFILE, &rl) ;
  }
  /* two pipe ends and two pidfds per logged service, a pidfd per other one, an event FIFO
     pair per critical one */
  d = opendir(".") ;
  if (!d) return ;
  for (;;)
  {
    struct dirent *de ;
    int isdir = 0 ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) break ;
    if (de->d_name[0] == '.') continue ;
    n++ ;
    {
      size_t nlen = strlen(de->d_name) ;
      char fn[nlen + sizeof("/log")] ;
      struct stat st ;
      memcpy(fn, de->d_name, nlen) ; memcpy(fn + nlen, "/log", sizeof("/log")) ;
      if (stat(fn, &st) == 0 && S_ISDIR(st.st_mode)) logged++ ;
      (void)isdir ;
    }
  }
  dir_close(d) ;
  if ((rlim_t)(3 * logged + 3 * n + 16) > rl.rlim_cur)
  {
    char a[UINT_FMT], b[UINT64_FMT] ;
    a[uint_fmt(a, 3 * logged + 3 * n + 16)] = 0 ;
    b[uint64_fmt(b, (uint64_t)rl.rlim_cur)] = 0 ;
    strerr_warnw("the services present need up to ", a, " descriptors but the open-files limit is ", b, ": some will not start") ;
  }
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  int sfd, ctlfd, lockfd ;
  PROG = "svscan" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "t:c:g:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 't' : if (!uint0_scan(l.arg, &rescan_secs) || rescan_secs > 86400000) strerr_dieusage(100, USAGE) ; break ;
      case 'c' : if (!uint0_scan(l.arg, &tabmax) || !tabmax || tabmax > 100000) strerr_dieusage(100, USAGE) ; break ;
      case 'g' : if (!uint0_scan(l.arg, &grace_ms) || grace_ms > 3600000) strerr_dieusage(100, USAGE) ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (argc > 1) strerr_dieusage(100, USAGE) ;
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize standard descriptors") ;
  if (argc && chdir(argv[0]) < 0) strerr_diefusys(111, "chdir to ", argv[0]) ;

  find_supervise() ;
  ispid1 = getpid() == 1 ;
  /* not PID 1: adopt orphans anyway, so we reap and stop them the same way (tests, --init) */
  if (!ispid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) strerr_warnwusys("become a child subreaper") ;

  if (mkdir(CTLDIR, 0700) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", argc ? argv[0] : ".", "/" CTLDIR) ;
  lockfd = open(CTLDIR "/lock", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0600) ;
  if (lockfd < 0) strerr_diefusys(111, "open ", CTLDIR "/lock") ;
  if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
  {
    if (errno == EWOULDBLOCK) strerr_dief(100, "unable to lock ", CTLDIR, "/lock: another svscan is running on ", argc ? argv[0] : ".") ;
    strerr_diefusys(111, "lock ", CTLDIR "/lock") ;
  }
  if (mkfifo(CTLDIR "/control", 0600) < 0 && errno != EEXIST) strerr_diefusys(111, "mkfifo ", CTLDIR "/control") ;
  ctlfd = openc_read(CTLDIR "/control") ;
  if (ctlfd < 0) strerr_diefusys(111, "open ", CTLDIR "/control") ;
  if (openc_write(CTLDIR "/control") < 0) strerr_diefusys(111, "open ", CTLDIR "/control for writing") ;

  /* the only allocation: the table and the names, sized by -c, made once. One anonymous
     mapping rather than calloc: its pages are zero without being written, so only the slots
     and names in use cost memory (calloc zeroes what it takes from the heap by hand) */
  arenacap = (size_t)tabmax * 32 + NAMEMAX + 1 ;
  {
    size_t tablen_bytes = ((size_t)tabmax * sizeof *tab + 63) & ~(size_t)63 ;
    char *m = mmap(0, tablen_bytes + 2 * arenacap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ;
    if (m == MAP_FAILED) strerr_diefusys(111, "allocate the service table") ;
    tab = (svc_t *)m ;
    arena[0] = m + tablen_bytes ;
    arena[1] = arena[0] + arenacap ;
  }

  {
    static int const sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGALRM, 0 } ;
    sfd = tend_sig_selfpipe(sigs) ;
    if (sfd < 0) strerr_diefusys(111, "trap signals") ;
  }
  autoreap_start() ;
  tain_now_set_stopwatch_g() ;
  raise_nofile() ;
  tain_inf(&stopdeadline) ;
  tain_inf(&hardstop) ;
  scan(1) ;
  start_all() ;
  if (rescan_secs) tain_addsec_g(&nextscan, rescan_secs) ; else tain_inf(&nextscan) ;

  for (;;)
  {
    /* sized by the services watched for criticality (usually none or one), not by the table:
       the stack under them is what every call in the loop touches */
    unsigned int nev = 0 ;
    for (unsigned int i = 0 ; i < tablen ; i++) nev += tab[i].evfd >= 0 ;
    iopause_fd x[3 + nev] ;
    unsigned int n = 0, idx[nev + 1] ;
    tain deadline = nextscan ;
    int r ;
    if (tain_less(&stopdeadline, &deadline)) deadline = stopdeadline ;
    if (tain_less(&hardstop, &deadline)) deadline = hardstop ;
    for (unsigned int i = 0 ; i < tablen ; i++)
    {
      /* a dead supervise waits for its throttle deadline */
      if (!stopping && !tab[i].gone)
      {
        if (!tab[i].pid && tain_less(&tab[i].restart, &deadline)) deadline = tab[i].restart ;
        if (tab[i].haslog && !tab[i].logpid && tain_less(&tab[i].logrestart, &deadline)) deadline = tab[i].logrestart ;
      }
    }
    x[n].fd = sfd ; x[n].events = IOPAUSE_READ ; n++ ;
    x[n].fd = ctlfd ; x[n].events = IOPAUSE_READ ; n++ ;
    /* -1 without pidfds: poll skips it */
    x[n].fd = epfd ; x[n].events = IOPAUSE_READ ; n++ ;
    for (unsigned int i = 0 ; i < tablen ; i++)
      if (tab[i].evfd >= 0) { idx[n - 3] = i ; x[n].fd = tab[i].evfd ; x[n].events = IOPAUSE_READ ; n++ ; }
    r = iopause_g(x, n, &deadline) ;
    if (r < 0)
    {
      strerr_warnwusys("iopause") ;
      continue ;
    }
    if (x[0].revents & IOPAUSE_READ) handle_signals() ;
    if (x[1].revents & IOPAUSE_READ) handle_control(ctlfd) ;
    if (x[2].revents & IOPAUSE_READ) handle_pidfds() ;
    for (unsigned int j = 3 ; j < n ; j++)
    {
      unsigned int i = idx[j - 3] ;
      char buf[64] ;
      if (!(x[j].revents & IOPAUSE_READ) || i >= tablen || tab[i].evfd != x[j].fd) continue ;
      if (read(tab[i].evfd, buf, sizeof buf) > 0) critical_check(tab + i) ;
    }
    if (stopping)
    {
      if (!killed && !tain_future(&stopdeadline)) stop_kill() ;
      if (killed && !tain_future(&hardstop))
      {
        term_orphans(SIGKILL) ;
        strerr_warnw("processes still alive 2 seconds after SIGKILL: exiting anyway") ;
        finish_and_exit() ;
      }
      reap() ;
      continue ;
    }
    if (!tain_future(&nextscan))
    {
      scan(1) ;
      if (rescan_secs) tain_addsec_g(&nextscan, rescan_secs) ; else tain_inf(&nextscan) ;
    }
    start_all() ;
  }
}
