/* svscan starting supervise processes: by their built-in path, with clone(CLONE_VFORK). */

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
#include <limits.h>
#include <sched.h>
#include <poll.h>
#include <sys/epoll.h>
#include <tend/sig.h>
#include "tend-paths.h"   /* TEND_SUPERVISE_PATH, written by the Makefile */
#include <sys/mman.h>
#include <sys/auxv.h>
#include "svscan.h"

/* ---------- children ---------- */

/* The child shares our memory until it execs: it leaves the errno of a failed exec here. */
static volatile int vchild_errno ;

/* The supervise to run: the one this svscan was built for (its installed path, or the build
   tree's), else the one beside svscan's own file, for a copy moved elsewhere (static programs
   copied into an image's /usr/local/bin). Never a PATH search: another package's supervise
   (daemontools') earlier in PATH would run silently, without the event dir or the extended
   status. Resolved once: if neither exists, every start fails and is retried, naming the path. */
static char const *supervise_path = TEND_SUPERVISE_PATH ;

void find_supervise (void)
{
  char *beside ;
  ssize_t r ;
  char *slash ;
  if (access(TEND_SUPERVISE_PATH, X_OK) == 0) return ;
  /* PATH_MAX bytes only for a moved copy: mapped here, neither on the stack (its pages stay ours
     for good once touched) nor in .bss (where it would spread the variables every pass touches
     over one more page) */
  beside = mmap(0, PATH_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ;
  if (beside == MAP_FAILED) return ;
  r = readlink("/proc/self/exe", beside, PATH_MAX - sizeof "supervise") ;
  if (r > 0 && (size_t)r < PATH_MAX - sizeof "supervise")
  {
    beside[r] = 0 ;
    slash = strrchr(beside, '/') ;
    if (slash)
    {
      memcpy(slash + 1, "supervise", sizeof "supervise") ;
      if (access(beside, X_OK) == 0) { supervise_path = beside ; return ; }
    }
  }
  munmap(beside, PATH_MAX) ;
}

/* The child's stack until it execs: one for all, since our own thread is suspended until the
   child execs or exits (CLONE_VFORK), so two children never use it at once. Mapped by the first
   start of a start_all pass and unmapped at its end (spawn_end), so an idle svscan does not keep
   its page, with a PROT_NONE page below it: an overflow (a libc that grows a wrapper's frame,
   a sanitizer's runtime) faults in the child instead of writing silently over our memory, as
   an array on our own stack would. 32 KiB is many times what child_main's few system calls
   take. */
#define CHILDSTACK 32768
static char *childmap ;     /* the mapping, guard page included, or 0 */
static size_t childmaplen ;
static char *childstack ;

static int spawn_stack (void)
{
  /* the page size from the kernel's auxiliary vector: musl's sysconf would bring a table of
     every _SC_ name into svscan for this one value */
  size_t page = (size_t)getauxval(AT_PAGESZ) ;
  char *m ;
  if (childmap) return 1 ;
  if (page < 4096) page = 4096 ;
  m = mmap(0, page + CHILDSTACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0) ;
  if (m == MAP_FAILED) return 0 ;
  if (mprotect(m, page, PROT_NONE) < 0) { munmap(m, page + CHILDSTACK) ; return 0 ; }
  childmap = m ;
  childmaplen = page + CHILDSTACK ;
  childstack = m + page ;
  return 1 ;
}

void spawn_end (void)
{
  if (!childmap) return ;
  munmap(childmap, childmaplen) ;
  childmap = childstack = 0 ;
}

typedef struct childargs_s childargs_t ;
struct childargs_s
{
  char const *const *argv ;
  int fd ;
  int to ;
  int keepsession ;
} ;

/* Only system calls until exec; not instrumented by ASan, which would take this stack for a
   stray one. */
__attribute__((no_sanitize_address)) static int child_main (void *p)
{
  childargs_t const *a = p ;
  tend_sig_childreset() ;
  /* the main service on a terminal stays in our session (its own group), so that it can take
     the terminal's foreground: a terminal belongs to one session */
  if (a->keepsession) setpgid(0, 0) ; else setsid() ;
  /* rlimits are per process, not shared through CLONE_VM: this changes the child's alone */
  if (child_nofile_set && nofile_set(&child_nofile) < 0) { vchild_errno = errno ; _exit(126) ; }
  /* dup2 also drops close-on-exec from the copy: the pipe end svscan holds stays ours alone */
  if (a->fd >= 0 && dup2(a->fd, a->to) < 0) { vchild_errno = errno ; _exit(126) ; }
  execve(supervise_path, (char *const *)a->argv, environ) ;
  vchild_errno = errno ? errno : ENOENT ;
  _exit(127) ;
}

/* When forks fail (a pids cgroup full, the user's process limit), every service due to start
   fails each second: one warning a second per service would bury the log (a thousand lines a
   second with -c 1000). So, as for descriptors: one warning with the count when it begins,
   then at most one a minute while it lasts, and one line when forks work again. Each held
   service is still retried every second (its restart throttle). */
static int forkerrno ;

void fork_report (void)
{
  static int washeld = 0 ;
  static tain forkwarned ;
  unsigned int held = 0 ;
  for (unsigned int i = 0 ; i < tablen ; i++) held += !tab[i].gone && tab[i].forkheld ;
  if (!held)
  {
    if (washeld) strerr_warni("fork works again: every service is started") ;
    washeld = 0 ;
    return ;
  }
  if (!washeld || !tain_future(&forkwarned))
  {
    char a[UINT_FMT] ;
    a[uint_fmt(a, held)] = 0 ;
    errno = forkerrno ;
    strerr_warnwusys("fork for the supervise processes of ", a, held == 1 ? " service" : " services", " (retrying every second, warning again in a minute)") ;
    tain_addsec_g(&forkwarned, 60) ;
  }
  washeld = 1 ;
}

/* clone(CLONE_VM | CLONE_VFORK), i.e. vfork, rather than fork: svscan starts up to -c
   supervise processes at once and must not copy its page tables for each; and rather than
   posix_spawn, whose child puts all 64 dispositions back one by one on the path every start
   waits on, where ours resets only the few signals that were ignored when svscan started (exec
   resets the caught ones). clone and not vfork for CLONE_PIDFD. The child gets an empty signal
   mask and its own session: a terminal's Ctrl-C then reaches svscan alone, which stops the
   tree in order (loggers drain), not every supervise at once. */
pid_t spawn_supervise (svc_t *s, int islog)
{
  size_t nlen = strlen(s->name) ;
  char arg[nlen + sizeof("/log")] ;
  /* argv[0] is the bare name, for ps; the file is supervise_path */
  char const *argv[3] = { "supervise", arg, 0 } ;
  childargs_t a = { .argv = argv, .fd = islog ? s->p[0] : s->p[1], .to = islog ? 0 : 1, .keepsession = !islog && maintty && !strcmp(s->name, mainname) } ;
  int pidfd = -1 ;
  pid_t pid ;
  memcpy(arg, s->name, nlen) ;
  if (islog) memcpy(arg + nlen, "/log", sizeof("/log")) ; else arg[nlen] = 0 ;
  if (!spawn_stack())
  {
    if (!fd_failed(s, errno)) strerr_warnwusys("allocate a stack to start the supervise of ", arg, " (retrying in 1 second)") ;
    return 0 ;
  }
  vchild_errno = 0 ;
  pid = clone(&child_main, childstack + CHILDSTACK,
              CLONE_VM | CLONE_VFORK | SIGCHLD | (autoreap ? CLONE_PIDFD : 0), &a, &pidfd) ;
  if (pid < 0)
  {
    /* said by fork_report, once for all the services it holds back */
    if (!fd_failed(s, errno)) { forkerrno = errno ; s->forkheld |= islog ? 2 : 1 ; }
    return 0 ;
  }
  s->forkheld &= islog ? ~2 : ~1 ;
  /* the child has exec'd or exited by now; an exited one is gone already (the kernel reaped
     it) or will be found by reap() */
  if (vchild_errno)
  {
    if (pidfd >= 0) fd_close(pidfd) ;
    errno = vchild_errno ;
    strerr_warnwusys("spawn ", supervise_path, " for ", arg, " (retrying in 1 second)") ;
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
void signal_supervise (svc_t *s, int islog, int sig)
{
  int fd = islog ? s->logpidfd : s->pidfd ;
  if (fd >= 0) sys_pidfd_signal(fd, sig) ;
  else kill(islog ? s->logpid : s->pid, sig) ;
}
