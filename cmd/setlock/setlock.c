/* setlock: run a program holding an flock on a file (daemontools-compatible). */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <skalibs/strerr.h>
#include <skalibs/sgetopt.h>
#include <skalibs/djbunix.h>
#include <tend/exec.h>
#include <tend/usage.h>

#define USAGE "setlock [ -nNxX ] file prog..."
#define HELP \
"take a lock on file, then exec prog holding it\n" \
"  -N  wait until the lock is free (the default)\n" \
"  -n  do not wait: fail at once if the lock is held\n" \
"  -X  if file cannot be opened or locked, say so and exit 111 (the default)\n" \
"  -x  if file cannot be opened or locked, exit 0 silently without running prog\n"

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  int nb = 0, quiet = 0, fd ;
  PROG = "setlock" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
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
     lasts until the last process holding that open file description ends.
     O_NONBLOCK: a FIFO would block the open until some reader came (-n too, which promises
     not to wait); it is opened at once, or fails with ENXIO, and is refused below. Links are
     followed, as daemontools' setlock follows them. */
  fd = open(argv[0], O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NONBLOCK, 0600) ;
  if (fd < 0)
  {
    if (quiet) return 0 ;
    /* ENXIO on open: a FIFO without a reader (or a device that is not there) */
    if (errno == ENXIO) strerr_dief(111, "unable to open ", argv[0], ": not a regular file") ;
    strerr_diefusys(111, "open ", argv[0]) ;
  }
  /* a lock is a regular file: a FIFO, a device or a socket is not one anybody else locks */
  {
    struct stat st ;
    if (fstat(fd, &st) < 0)
    {
      if (quiet) return 0 ;
      strerr_diefusys(111, "stat ", argv[0]) ;
    }
    if (!S_ISREG(st.st_mode))
    {
      if (quiet) return 0 ;
      strerr_dief(111, "unable to open ", argv[0], ": not a regular file") ;
    }
  }
  /* the program inherits the descriptor: give it the ordinary blocking kind */
  if (ndelay_off(fd) < 0)
  {
    if (quiet) return 0 ;
    strerr_diefusys(111, "set ", argv[0], " blocking") ;
  }
  /* flock, as daemontools and runit take it, so their setlock and chpst -l exclude ours */
  if (flock(fd, LOCK_EX | (nb ? LOCK_NB : 0)) < 0)
  {
    if (quiet) return 0 ;
    strerr_diefusys(111, "lock ", argv[0]) ;
  }
  tend_exec_x(argv + 1) ;
}
