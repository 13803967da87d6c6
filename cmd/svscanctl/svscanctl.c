/* svscanctl: send commands to a running svscan through DIR/.svscan/control. */

#include <errno.h>
#include <string.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <tend/control.h>
#include <tend/svpath.h>
#include <tend/usage.h>

#define USAGE "svscanctl [ -a ] [ -n ] [ -t ] [ dir ]"
#define HELP \
"control a running svscan on dir, else on the scan directory the clients find\n" \
"  -a  scan now: start the services added, bring down those whose directory is gone\n" \
"  -n  bring down the services whose directory is gone; start none\n" \
"  -t  stop the whole tree, as SIGTERM does\n"

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char cmds[3] ;
  size_t n = 0 ;
  stralloc sa = STRALLOC_ZERO ;
  char const *dir ;
  PROG = "svscanctl" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "ant", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'a' : case 'n' : case 't' :
        if (!memchr(cmds, opt, n)) cmds[n++] = (char)opt ;
        break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (argc > 1 || !n) strerr_dieusage(100, USAGE) ;
  sig_altignore(SIGPIPE) ;
  /* without a dir: the scan directory every other client would find for a bare name */
  if (argc) dir = argv[0] ;
  else
  {
    if (!tend_svpath_scandir(&sa) || !stralloc_0(&sa)) strerr_diefusys(111, "find the scan directory") ;
    dir = sa.s ;
  }
  if (!tend_control_send(dir, TEND_CONTROL_SVSCAN, cmds, n))
  {
    size_t dlen = strlen(dir) ;
    char fn[dlen + sizeof(TEND_CONTROL_SVSCAN)] ;
    memcpy(fn, dir, dlen) ;
    memcpy(fn + dlen, TEND_CONTROL_SVSCAN, sizeof(TEND_CONTROL_SVSCAN)) ;
    switch (errno)
    {
      case ENXIO : strerr_dief(111, "unable to control ", dir, ": svscan not running") ;
      case EINVAL : strerr_dief(111, "unable to control ", dir, ": ", fn, " is not a FIFO") ;
      case EAGAIN : strerr_dief(111, "unable to control ", dir, ": ", fn, " is full: svscan is not reading it") ;
      case EPIPE : strerr_diefusys(111, "write to ", fn) ;
      default : strerr_diefusys(111, "open ", fn) ;
    }
  }
  stralloc_free(&sa) ;
  return 0 ;
}
