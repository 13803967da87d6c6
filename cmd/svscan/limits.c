/* svscan's open-files limit: raised for itself, with a warning when the services need more. */

#include <skalibs/nonposix.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/djbunix.h>
#include <skalibs/direntry.h>
#include <sys/resource.h>
#include "svscan.h"

void raise_nofile (void)
{
  struct rlimit rl ;
  unsigned int logged = 0, n = 0 ;
  DIR *d ;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) return ;
  if (rl.rlim_cur < rl.rlim_max)
  {
    rl.rlim_cur = rl.rlim_max ;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) strerr_warnwusys("raise the open-files limit") ;
    getrlimit(RLIMIT_NOFILE, &rl) ;
  }
  /* two pipe ends and two pidfds per logged service, a pidfd per other one, an event FIFO
     pair per critical one */
  d = opendir(".") ;
  if (!d) return ;
  for (;;)
  {
    struct dirent *de ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) break ;
    if (de->d_name[0] == '.') continue ;
    n++ ;
    {
      size_t nlen = strlen(de->d_name) ;
      char fn[nlen + sizeof("/log")] ;
      struct stat st ;
      memcpy(fn, de->d_name, nlen) ; memcpy(fn + nlen, "/log", sizeof("/log")) ;
      if (stat(fn, &st) == 0 && S_ISDIR(st.st_mode)) logged++ ;
    }
  }
  dir_close(d) ;
  if ((rlim_t)(3 * logged + 3 * n + 16) > rl.rlim_cur)
  {
    char a[UINT_FMT], b[UINT64_FMT] ;
    a[uint_fmt(a, 3 * logged + 3 * n + 16)] = 0 ;
    b[uint64_fmt(b, (uint64_t)rl.rlim_cur)] = 0 ;
    strerr_warnw("the services present need up to ", a, " descriptors but the open-files limit is ", b, ": some will not start") ;
  }
}

