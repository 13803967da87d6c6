/* svc: send control bytes to supervisors, optionally wait for the services to reach a state. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/sig.h>
#include <skalibs/tai.h>
#include <skalibs/djbunix.h>
#include <tend/control.h>
#include <tend/svpath.h>
#include <tend/wait.h>
#include <tend/usage.h>

#define USAGE "svc [ -udopchaitkq12rUDx ] [ -w u|U|d|D|r [ -T ms ] ] service..."
#define HELP \
"control supervised services; with -w, wait for the result\n" \
"  -u        up: want up; start the service if it is down\n" \
"  -d        down: want down; send the down-signal (TERM), then CONT\n" \
"  -o        once: start it if it is down; do not restart it when it dies\n" \
"  -p        pause: send STOP\n" \
"  -c        continue: send CONT\n" \
"  -h        send HUP\n" \
"  -a        send ALRM\n" \
"  -i        send INT\n" \
"  -t        send TERM\n" \
"  -k        send KILL\n" \
"  -q        send QUIT\n" \
"  -1        send USR1\n" \
"  -2        send USR2\n" \
"  -r        restart: send the down-signal; it comes back at once, without backoff\n" \
"  -U        like -u, and remove ./down (the choice survives a supervisor restart)\n" \
"  -D        like -d, and create ./down\n" \
"  -x        exit: the supervisor exits once the service is down\n" \
"  -w STATE  wait until every service is u (up), U (ready), d (down), D (down, finish done) or r (restarted)\n" \
"  -T MS     with -w: give up after MS milliseconds (exit 1)\n"
#define LETTERS "udopchaitkq12rUDx"

/* 1 if the bytes were written, 0 (warned) otherwise */
static int control (char const *dir, char const *cmds, size_t n)
{
  if (tend_control_send(dir, TEND_CONTROL_SUPERVISE, cmds, n)) return 1 ;
  switch (errno)
  {
    case ENXIO : strerr_warnwu("control ", dir, ": supervise not running") ; break ;
    /* a regular file there would swallow the bytes and nobody would act on them */
    case EINVAL : strerr_warnwu("control ", dir, ": supervise/control is not a FIFO") ; break ;
    case EAGAIN : strerr_warnwu("control ", dir, ": supervise/control is full: supervise is not reading it") ; break ;
    default : strerr_warnwusys("control ", dir) ; break ;
  }
  return 0 ;
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char cmds[sizeof(LETTERS)] ;
  size_t ncmds = 0 ;
  char waitfor = 0 ;
  unsigned int timeout = 0 ;
  int hastimeout = 0 ;
  int bad = 0 ;
  PROG = "svc" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "udopchaitkq12rUDxw:T:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'w' :
        if (!l.arg[0] || l.arg[1] || !tend_wait_validstate(l.arg[0])) strerr_dieusage(100, USAGE) ;
        waitfor = l.arg[0] ;
        break ;
      case 'T' :
        if (!uint0_scan(l.arg, &timeout) || timeout > 2147483647) strerr_dieusage(100, USAGE) ;
        hastimeout = 1 ;
        break ;
      default :
        if (!strchr(LETTERS, opt)) strerr_dieusage(100, USAGE) ;
        /* each letter once, in order of first appearance, as daemontools' svc does */
        if (!memchr(cmds, opt, ncmds)) cmds[ncmds++] = (char)opt ;
        break ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (!argc) strerr_dieusage(100, USAGE) ;
  if (hastimeout && !waitfor) strerr_dieusage(100, USAGE) ;
  sig_altignore(SIGPIPE) ;
  {
    stralloc sa = STRALLOC_ZERO ;
    size_t off[argc] ;
    size_t maxlen = 0 ;
    int sent[argc] ;
    for (int i = 0 ; i < argc ; i++)
    {
      off[i] = sa.len ;
      if (!tend_svpath_resolve(&sa, argv[i])) strerr_diefusys(111, "resolve ", argv[i]) ;
      if (strlen(sa.s + off[i]) > maxlen) maxlen = strlen(sa.s + off[i]) ;
    }
    {
      tend_waiter_t w[argc] ;
      char fifos[waitfor ? argc : 1][maxlen + TEND_EVENT_PATHEXTRA] ;
      unsigned int nw = 0 ;
      int widx[argc] ;
      if (waitfor)
      {
        /* subscribe before sending, so the state change cannot slip past us */
        for (int i = 0 ; i < argc ; i++)
        {
          w[i].dir = sa.s + off[i] ;
          w[i].fifo = fifos[i] ;
          fifos[i][0] = 0 ;
        }
        tend_wait_prepare(w, (unsigned int)argc) ;
      }
      for (int i = 0 ; i < argc ; i++)
      {
        sent[i] = control(sa.s + off[i], cmds, ncmds) ;
        if (!sent[i]) bad = 1 ;
      }
      if (waitfor)
      {
        tain deadline ;
        int ok ;
        /* only the services that got the command are waited for */
        for (int i = 0 ; i < argc ; i++)
        {
          if (sent[i]) { if ((int)nw != i) w[nw] = w[i] ; widx[nw++] = i ; }
          else { w[i].result = 0 ; if (w[i].fd >= 0) { fd_close(w[i].fd) ; fd_close(w[i].wfd) ; unlink(w[i].fifo) ; } }
        }
        if (hastimeout) { tain t ; tain_now_set_stopwatch_g() ; tain_from_millisecs(&t, (int)timeout) ; tain_add_g(&deadline, &t) ; }
        else tain_now_set_stopwatch_g() ;
        ok = tend_wait_run(w, nw, waitfor, 0, hastimeout ? &deadline : 0) ;
        if (!ok)
        {
          for (unsigned int j = 0 ; j < nw ; j++)
            if (w[j].result != TEND_WAIT_REACHED)
              strerr_warnw(argv[widx[j]], " did not become ", tend_wait_statename(waitfor), w[j].result == TEND_WAIT_NEVER ? ": " : ": timed out", w[j].result == TEND_WAIT_NEVER ? w[j].why : "") ;
          if (!bad) { stralloc_free(&sa) ; return 1 ; }
        }
      }
    }
    stralloc_free(&sa) ;
  }
  return bad ? 111 : 0 ;
}
