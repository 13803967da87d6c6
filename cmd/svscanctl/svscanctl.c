/* svscanctl: send commands to a running svscan through DIR/.svscan/control. */

#include <errno.h>
#include <string.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/sig.h>
#include <tend/control.h>

#define USAGE "svscanctl [ -a ] [ -n ] [ -t ] dir"

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  char cmds[3] ;
  size_t n = 0 ;
  PROG = "svscanctl" ;
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
  if (argc != 1 || !n) strerr_dieusage(100, USAGE) ;
  sig_altignore(SIGPIPE) ;
  if (!tend_control_send(argv[0], TEND_CONTROL_SVSCAN, cmds, n))
  {
    size_t dlen = strlen(argv[0]) ;
    char fn[dlen + sizeof(TEND_CONTROL_SVSCAN)] ;
    memcpy(fn, argv[0], dlen) ;
    memcpy(fn + dlen, TEND_CONTROL_SVSCAN, sizeof(TEND_CONTROL_SVSCAN)) ;
    switch (errno)
    {
      case ENXIO : strerr_dief(111, "unable to control ", argv[0], ": svscan not running") ;
      case EINVAL : strerr_dief(111, "unable to control ", argv[0], ": ", fn, " is not a FIFO") ;
      case EAGAIN : strerr_dief(111, "unable to control ", argv[0], ": ", fn, " is full: svscan is not reading it") ;
      case EPIPE : strerr_diefusys(111, "write to ", fn) ;
      default : strerr_diefusys(111, "open ", fn) ;
    }
  }
  return 0 ;
}
