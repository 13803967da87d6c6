/* setlock: run a program holding an flock on a file (daemontools-compatible). */

#include <fcntl.h>
#include <sys/file.h>
#include <skalibs/strerr.h>
#include <skalibs/sgetopt.h>
#include <tend/exec.h>

#define USAGE "setlock [ -nNxX ] file prog..."

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  int nb = 0, quiet = 0, fd ;
  PROG = "setlock" ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "nNxX", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'n' : nb = 1 ; break ;
      case 'N' : nb = 0 ; break ;
      case 'x' : quiet = 1 ; break ;
      case 'X' : quiet = 0 ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (argc < 2) strerr_dieusage(100, USAGE) ;
  /* append mode and no O_TRUNC: the lock file may hold data someone else cares about.
     No close-on-exec: the program inherits the descriptor, and with it the lock, which
     lasts until the last process holding that open file description ends. */
  fd = open(argv[0], O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY, 0600) ;
  if (fd < 0)
  {
    if (quiet) return 0 ;
    strerr_diefusys(111, "open ", argv[0]) ;
  }
  /* flock, as daemontools and runit take it, so their setlock and chpst -l exclude ours */
  if (flock(fd, LOCK_EX | (nb ? LOCK_NB : 0)) < 0)
  {
    if (quiet) return 0 ;
    strerr_diefusys(111, "lock ", argv[0]) ;
  }
  tend_exec_x(argv + 1) ;
}
