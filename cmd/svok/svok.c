/* svok: exit 0 if a supervisor runs on the service, 100 if not, 111 on error. */

#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <tend/status.h>
#include <tend/svpath.h>

#define USAGE "svok service"

int main (int argc, char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  int r ;
  PROG = "svok" ;
  /* daemontools' svok ignores extra arguments; so do we */
  if (argc < 2 || !argv[1][0]) strerr_dieusage(100, USAGE) ;
  if (argv[1][0] == '-' && argv[1][1]) strerr_dieusage(100, USAGE) ;
  if (!tend_svpath_resolve(&sa, argv[1])) strerr_diefusys(111, "resolve ", argv[1]) ;
  r = tend_svok(sa.s) ;
  if (r < 0) strerr_diefusys(111, "open ", sa.s, "/supervise/ok") ;
  stralloc_free(&sa) ;
  return r ? 0 : 100 ;
}
