/* svwait: wait until services are up / ready / down / restarted, then optionally exec a program. */

#include <errno.h>
#include <string.h>
#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/tai.h>
#include <skalibs/exec.h>
#include <tend/svok.h>
#include <tend/svpath.h>
#include <tend/wait.h>
#include <tend/usage.h>

#define USAGE "svwait [ -u | -U | -d | -D | -r ] [ -t ms ] [ -a | -o ] service... [ -- prog args... ]"
#define HELP \
"wait until services reach a state; then exit 0, or exec prog\n" \
"  -u     wait until up (the default)\n" \
"  -U     wait until up and ready\n" \
"  -d     wait until down\n" \
"  -D     wait until down with ./finish done\n" \
"  -r     wait until restarted\n" \
"  -t MS  give up after MS milliseconds (exit 1)\n" \
"  -a     wait for all the services (the default)\n" \
"  -o     wait for one of them\n" \
"  --     end of the services: the rest is the program to exec on success\n"

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char state = 'u' ;
  int any = 0, hastimeout = 0 ;
  unsigned int timeout = 0 ;
  int nsv = 0 ;
  char const *const *prog = 0 ;
  PROG = "svwait" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "uUdDrt:ao", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'u' : case 'U' : case 'd' : case 'D' : case 'r' : state = (char)opt ; break ;
      case 't' : if (!uint0_scan(l.arg, &timeout) || timeout > 2147483647) strerr_dieusage(100, USAGE) ; hastimeout = 1 ; break ;
      case 'a' : any = 0 ; break ;
      case 'o' : any = 1 ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  /* services run up to "--"; what follows is the program to exec on success */
  while (nsv < argc && strcmp(argv[nsv], "--")) nsv++ ;
  if (nsv < argc)
  {
    prog = argv + nsv + 1 ;
    if (!prog[0]) strerr_dieusage(100, USAGE) ;
  }
  if (!nsv) strerr_dieusage(100, USAGE) ;
  {
    stralloc sa = STRALLOC_ZERO ;
    size_t off[nsv] ;
    size_t maxlen = 0 ;
    for (int i = 0 ; i < nsv ; i++)
    {
      off[i] = sa.len ;
      if (!tend_svpath_resolve(&sa, argv[i])) strerr_diefusys(111, "resolve ", argv[i]) ;
      if (strlen(sa.s + off[i]) > maxlen) maxlen = strlen(sa.s + off[i]) ;
    }
    /* A supervisor that is not there yet is waited for, but one we may not look at never
       becomes visible: fail at once (111, as svc, svstat and svok do) instead of waiting out
       the timeout, or for ever without one. */
    for (int i = 0 ; i < nsv ; i++)
      if (tend_svok(sa.s + off[i]) < 0)
      {
        if (errno == EINVAL) strerr_dief(111, "unable to open ", sa.s + off[i], "/supervise/ok: not a FIFO") ;
        strerr_diefusys(111, "open ", sa.s + off[i], "/supervise/ok") ;
      }
    {
      tend_waiter_t w[nsv] ;
      char fifos[nsv][maxlen + TEND_EVENT_PATHEXTRA] ;
      tain deadline ;
      for (int i = 0 ; i < nsv ; i++) { w[i].dir = sa.s + off[i] ; w[i].fifo = fifos[i] ; fifos[i][0] = 0 ; }
      tain_now_set_stopwatch_g() ;
      if (hastimeout) { tain t ; tain_from_millisecs(&t, (int)timeout) ; tain_add_g(&deadline, &t) ; }
      tend_wait_prepare(w, (unsigned int)nsv) ;
      if (!tend_wait_run(w, (unsigned int)nsv, state, any, hastimeout ? &deadline : 0))
      {
        for (int i = 0 ; i < nsv ; i++)
          if (w[i].result != TEND_WAIT_REACHED)
            strerr_warnw(argv[i], " did not become ", tend_wait_statename(state), w[i].result == TEND_WAIT_NEVER ? ": " : ": timed out", w[i].result == TEND_WAIT_NEVER ? w[i].why : "") ;
        stralloc_free(&sa) ;
        return 1 ;
      }
    }
    stralloc_free(&sa) ;
  }
  if (prog) xexec(prog) ;
  return 0 ;
}
