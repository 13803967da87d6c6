/* svscanctl: send commands to a running svscan through DIR/.svscan/control. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/sig.h>

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
  {
    size_t dlen = strlen(argv[0]) ;
    char fn[dlen + sizeof("/.svscan/control")] ;
    struct stat st ;
    int fd ;
    memcpy(fn, argv[0], dlen) ;
    memcpy(fn + dlen, "/.svscan/control", sizeof("/.svscan/control")) ;
    fd = open(fn, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
    if (fd < 0)
    {
      if (errno == ENXIO) strerr_dief(111, "unable to control ", argv[0], ": svscan not running") ;
      strerr_diefusys(111, "open ", fn) ;
    }
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) strerr_dief(111, "unable to control ", argv[0], ": ", fn, " is not a FIFO") ;
    if (ndelay_off(fd) < 0 || allwrite(fd, cmds, n) < n) strerr_diefusys(111, "write to ", fn) ;
  }
  return 0 ;
}
