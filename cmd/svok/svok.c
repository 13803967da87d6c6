/* svok: exit 0 if a supervisor runs on the service, 100 if not, 111 on error. */

#include <errno.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <tend/svok.h>
#include <tend/svpath.h>
#include <tend/usage.h>

#define USAGE "svok service"
#define HELP \
"exit 0 if a supervisor is running on service, 100 if not\n"

int main (int argc, char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  int r ;
  PROG = "svok" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  /* daemontools' svok ignores extra arguments; so do we */
  if (argc < 2 || !argv[1][0]) strerr_dieusage(100, USAGE) ;
  if (argv[1][0] == '-' && argv[1][1]) strerr_dieusage(100, USAGE) ;
  if (!tend_svpath_resolve(&sa, argv[1])) strerr_diefusys(111, "resolve ", argv[1]) ;
  {
    /* a directory that is not there is an error (111, as daemontools' chdir failure), not "no" */
    struct stat st ;
    if (stat(sa.s, &st) < 0) strerr_diefusys(111, "chdir to ", sa.s) ;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR ; strerr_diefusys(111, "chdir to ", sa.s) ; }
  }
  r = tend_svok(sa.s) ;
  if (r < 0)
  {
    if (errno == EINVAL) strerr_dief(111, "unable to open ", sa.s, "/supervise/ok: not a FIFO") ;
    strerr_diefusys(111, "open ", sa.s, "/supervise/ok") ;
  }
  stralloc_free(&sa) ;
  return r ? 0 : 100 ;
}
