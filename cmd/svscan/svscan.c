/* svscan: one supervise per service dir (plus its logger, joined by a pipe svscan holds),
   PID-1 duties (reaping, orderly stop), and the container's exit code. */

#include <skalibs/nonposix.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/djbunix.h>
#include <tend/sig.h>
#include <tend/status.h>
#include <skalibs/sig.h>
#include <tend/usage.h>
#include "svscan.h"

#define USAGE "svscan [ -t rescan-seconds ] [ -c max ] [ -g grace-ms ] [ -e from=to ] [ -m main ] [ dir ]"
#define HELP \
"start and keep a supervise for every service directory of dir (default: the current directory)\n" \
"  -t SECS  rescan every SECS seconds; 0: only at start-up and on demand (default 5)\n" \
"  -c MAX   at most MAX services, 1 to 100000 (default 1000)\n" \
"  -g MS    MS milliseconds from the start of the stop to SIGKILL, 0 to 3600000 (default 5000)\n" \
"  -e F=T   exit T instead of F (0 to 255; repeatable), e.g. -e 143=0 for a program that exits 143 on TERM\n" \
"  -m NAME  NAME is the main service: HUP, USR1, USR2, WINCH and QUIT go to its process group\n"

unsigned int rescan_secs = 5 ;
unsigned int grace_ms = 5000 ;
int ispid1 = 0 ;
int stopping = 0 ;
int exitcode = 0 ;
tain nextscan ;
tain stopdeadline ;    /* grace deadline: SIGKILL what is left */
tain hardstop ;        /* after the KILL: give up waiting and leave */
int killed = 0 ;
unsigned char exitmap[256] ;
char const *mainname = 0 ;
int maintty = 0 ;

void tain_inf (tain *t) { tain_add_g(t, &tain_infinite_relative) ; }

/* iopause failed (ENOMEM, a seccomp policy, EINVAL from too many fds): never spin, which as
   PID 1 would take a CPU for good and flood the log. Wait, doubling from 10 ms up to 1 s while
   it lasts; warn at most once a minute. The wait is a nanosleep, not
   another iopause (skalibs' deepsleepuntil), which could fail the same way and spin. */
static unsigned int iofail_ms = 0 ;
static tain iofail_warned ;

static void iopause_failed (void)
{
  struct timespec ts ;
  int e = errno ;
  iofail_ms = !iofail_ms ? 10 : iofail_ms >= 500 ? 1000 : 2 * iofail_ms ;
  tain_now_g() ;
  if (!tain_future(&iofail_warned))
  {
    errno = e ;
    strerr_warnwusys("iopause (backing off up to 1 second, warning again in a minute)") ;
    tain_addsec_g(&iofail_warned, 60) ;
  }
  ts.tv_sec = iofail_ms / 1000 ;
  ts.tv_nsec = (long)(iofail_ms % 1000) * 1000000L ;
  nanosleep(&ts, 0) ;
  tain_now_g() ;
}

/* ---------- control ---------- */

static void handle_control (int fd)
{
  char buf[64] ;
  ssize_t r = read(fd, buf, sizeof buf) ;
  if (r < 0 && errno != EAGAIN && errno != EINTR) strerr_warnwusys("read " CTLDIR "/control") ;
  for (ssize_t i = 0 ; i < r ; i++)
    switch (buf[i])
    {
      case 'a' : if (!stopping) { scan(1) ; start_all() ; } break ;
      case 'n' : if (!stopping) scan(0) ; break ;
      case 't' : stop_begin("stop requested through " CTLDIR "/control") ; break ;
      default : break ;
    }
}

/* The main service's process (supervise starts it as a session and group leader): the signal
   goes to its group, so a shell's children get it too; to the process alone when it left it */
static void forward_main (int sig)
{
  tend_status_t st ;
  size_t len = strlen(mainname) ;
  char dir[len + 1] ;
  memcpy(dir, mainname, len + 1) ;
  if (tend_status_read(dir, &st) <= 0 || !st.pid || st.runstate != 1)
  {
    strerr_warnw("signal ", sig_name(sig), " not forwarded: the main service ", mainname, " is not running") ;
    return ;
  }
  if (kill(-(pid_t)st.pid, sig) < 0 && kill((pid_t)st.pid, sig) < 0)
    strerr_warnwusys("forward ", sig_name(sig), " to the main service ", mainname) ;
}

/* the signals svscan traps; SIGCHLD first (sigchld_watch leaves it out) */
static int const trapped[] = { SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGALRM, SIGUSR1, SIGUSR2, SIGWINCH, 0 } ;

/* SIGCHLD in the selfpipe, or not: while the kernel reaps and no stop runs, it says nothing we
   need (our supervise processes are followed through their pidfds), and each one would wake us
   (see reap.c). */
void sigchld_watch (int on)
{
  sigset_t set ;
  sigemptyset(&set) ;
  for (int const *p = trapped + !on ; *p ; p++) sigaddset(&set, *p) ;
  if (!selfpipe_trapset(&set)) strerr_warnwusys(on ? "trap SIGCHLD" : "untrap SIGCHLD") ;
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
      /* a second TERM or INT during the stop (a second Ctrl-C) means now */
      case SIGTERM :
        if (stopping) stop_now("SIGTERM received during the stop: killing what is left now") ;
        else stop_begin("SIGTERM received: stopping the tree") ;
        break ;
      case SIGINT :
        if (stopping) stop_now("SIGINT received during the stop: killing what is left now") ;
        else stop_begin("SIGINT received: stopping the tree") ;
        break ;
      case SIGQUIT :
        if (mainname) { forward_main(sig) ; break ; }
        stop_now("SIGQUIT received: stopping the tree now, without the grace period") ; break ;
      /* trapped so that they do what they do as PID 1 (the kernel drops a signal PID 1 has no
         handler for) also when svscan is not PID 1, where they would kill it */
      case SIGUSR1 : if (mainname) forward_main(sig) ; else strerr_warni("SIGUSR1 received: ignored") ; break ;
      case SIGUSR2 : if (mainname) forward_main(sig) ; else strerr_warni("SIGUSR2 received: ignored") ; break ;
      case SIGWINCH : if (mainname) forward_main(sig) ; break ;
      case SIGHUP : if (mainname) { forward_main(sig) ; break ; } /* fall through */
      case SIGALRM : if (!stopping) { scan(1) ; start_all() ; } break ;
      default : break ;
    }
  }
}


int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  int sfd, ctlfd, lockfd ;
  PROG = "svscan" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (unsigned int i = 0 ; i < 256 ; i++) exitmap[i] = (unsigned char)i ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "t:c:g:e:m:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 't' : if (!uint0_scan(l.arg, &rescan_secs) || rescan_secs > 86400000) strerr_dieusage(100, USAGE) ; break ;
      case 'c' : if (!uint0_scan(l.arg, &tabmax) || !tabmax || tabmax > 100000) strerr_dieusage(100, USAGE) ; break ;
      case 'g' : if (!uint0_scan(l.arg, &grace_ms) || grace_ms > 3600000) strerr_dieusage(100, USAGE) ; break ;
      case 'e' :
      {
        unsigned int from, to ;
        size_t n = uint_scan(l.arg, &from) ;
        if (!n || l.arg[n] != '=' || !uint0_scan(l.arg + n + 1, &to) || from > 255 || to > 255) strerr_dieusage(100, USAGE) ;
        exitmap[from] = (unsigned char)to ;
        break ;
      }
      case 'm' : if (!l.arg[0] || strchr(l.arg, '/') || l.arg[0] == '.') strerr_dieusage(100, USAGE) ; mainname = l.arg ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (argc > 1) strerr_dieusage(100, USAGE) ;
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize standard descriptors") ;
  maintty = mainname && isatty(0) ;
  if (argc && chdir(argv[0]) < 0) strerr_diefusys(111, "chdir to ", argv[0]) ;

  find_supervise() ;
  stop_init() ;
  ispid1 = getpid() == 1 ;
  /* not PID 1: adopt orphans anyway, so we reap and stop them the same way (tests, --init) */
  if (!ispid1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) strerr_warnwusys("become a child subreaper") ;

  lockfd = ctldir_lock(argc ? argv[0] : ".") ;
  if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
  {
    if (errno == EWOULDBLOCK) strerr_dief(100, "unable to lock ", CTLDIR, "/lock: another svscan is running on ", argc ? argv[0] : ".") ;
    strerr_diefusys(111, "lock ", CTLDIR "/lock") ;
  }
  ctlfd = ctldir_control() ;

  table_init() ;

  sfd = tend_sig_selfpipe(trapped) ;
  if (sfd < 0) strerr_diefusys(111, "trap signals") ;
  autoreap_start() ;
  /* zombies left by whoever exec'd into us: SA_NOCLDWAIT releases only those still to come */
  reap() ;
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
    for (unsigned int i = 0 ; i < tablen ; i++) nev += tab[i].wi >= 0 ;
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
      if (tab[i].wi >= 0) { idx[n - 3] = i ; x[n].fd = critical_fd(tab + i) ; x[n].events = IOPAUSE_READ ; n++ ; }
    r = iopause_g(x, n, &deadline) ;
    if (r < 0)
    {
      iopause_failed() ;
      continue ;
    }
    iofail_ms = 0 ;
    if (x[0].revents & IOPAUSE_READ) handle_signals() ;
    if (x[1].revents & IOPAUSE_READ) handle_control(ctlfd) ;
    if (x[2].revents & IOPAUSE_READ) handle_pidfds() ;
    for (unsigned int j = 3 ; j < n ; j++)
    {
      unsigned int i = idx[j - 3] ;
      char buf[64] ;
      if (!(x[j].revents & IOPAUSE_READ) || i >= tablen || critical_fd(tab + i) != x[j].fd) continue ;
      if (read(x[j].fd, buf, sizeof buf) > 0) critical_check(tab + i) ;
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

