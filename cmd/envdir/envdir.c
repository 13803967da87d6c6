/* envdir: run a program with environment variables set (or removed) by the files of a directory. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/direntry.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/djbunix.h>
#include <tend/envdir.h>
#include <tend/exec.h>
#include <tend/usage.h>

#define USAGE "envdir dir prog..."
#define HELP \
"set environment variables from the files of dir, then exec prog\n"

int main (int argc, char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t n = 0 ;
  int dfd ;
  DIR *dir ;
  PROG = "envdir" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  /* daemontools' envdir exits 111, not 100, on a usage error; scripts may rely on it */
  if (argc < 3) strerr_dieusage(111, USAGE) ;
  dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (dfd < 0) strerr_diefusys(111, "open directory ", argv[1]) ;
  dir = fdopendir(dfd) ;
  if (!dir) strerr_diefusys(111, "open directory ", argv[1]) ;
  for (;;)
  {
    struct dirent *d ;
    int r ;
    errno = 0 ;
    d = readdir(dir) ;
    if (!d) { if (errno) strerr_diefusys(111, "read directory ", argv[1]) ; break ; }
    /* the reading is lib/envdir's, shared with supervise's env/: one behaviour, one message */
    if (!stralloc_readyplus(&sa, TEND_ENVDIR_ENTRYMAX(strlen(d->d_name)))) strerr_diefusys(111, "read ", argv[1]) ;
    r = tend_envdir_entry(dfd, d->d_name, sa.s, sa.a, &sa.len) ;
    if (r < 0)
    {
      int e = errno ;
      size_t len = strlen(argv[1]) + 4 * strlen(d->d_name) + 256 ;
      char msg[len] ;
      tend_envdir_errmsg(msg, len, argv[1], d->d_name, e) ;
      strerr_dief(111, msg) ;
    }
    n += (size_t)r ;
  }
  dir_close(dir) ;
  tend_exec_xm(argv + 2, sa.s, sa.len, n) ;
}
