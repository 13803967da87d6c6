/* showids: print "UID GID GROUPS..." as numbers, with no name lookup (for chroots without NSS). */

#include <limits.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

int main (void)
{
  gid_t g[NGROUPS_MAX] ;
  char fmt[UINT64_FMT] ;
  int n ;
  PROG = "showids" ;
  n = getgroups(NGROUPS_MAX, g) ;
  if (n < 0) strerr_diefusys(111, "getgroups") ;
  buffer_put(buffer_1, fmt, uint64_fmt(fmt, getuid())) ;
  buffer_put(buffer_1, " ", 1) ;
  buffer_put(buffer_1, fmt, uint64_fmt(fmt, getgid())) ;
  for (int i = 0 ; i < n ; i++)
  {
    buffer_put(buffer_1, " ", 1) ;
    buffer_put(buffer_1, fmt, uint64_fmt(fmt, g[i])) ;
  }
  if (buffer_putflush(buffer_1, "\n", 1) < 0) strerr_diefusys(111, "write to stdout") ;
  return 0 ;
}
