/* softlimit: run a program with lower soft resource limits (daemontools-compatible). */

#include <stdint.h>
#include <sys/resource.h>
#include <skalibs/strerr.h>
#include <skalibs/sgetopt.h>
#include <tend/exec.h>
#include <tend/usage.h>

#define USAGE "softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] [-t cpusecs] prog..."
#define HELP \
"set soft resource limits, then exec prog\n" \
"  -a BYTES  address space (RLIMIT_AS)\n" \
"  -c BYTES  core file size (RLIMIT_CORE)\n" \
"  -d BYTES  data segment (RLIMIT_DATA)\n" \
"  -f BYTES  file size (RLIMIT_FSIZE)\n" \
"  -l BYTES  locked memory (RLIMIT_MEMLOCK)\n" \
"  -m BYTES  data, stack, locked memory and address space at once\n" \
"  -o N      open files (RLIMIT_NOFILE)\n" \
"  -p N      processes of the user (RLIMIT_NPROC)\n" \
"  -r BYTES  resident set size (RLIMIT_RSS)\n" \
"  -s BYTES  stack (RLIMIT_STACK)\n" \
"  -t SECS   CPU time (RLIMIT_CPU)\n"

/* The soft limit of one resource: "=" raises it to the hard limit, a number sets it,
   clipped to the hard limit as daemontools does (only root could go above it). */
static void apply (int res, char const *name, char const *arg)
{
  struct rlimit r ;
  if (getrlimit(res, &r) < 0) strerr_diefusys(111, "getrlimit ", name) ;
  if (arg[0] == '=' && !arg[1]) r.rlim_cur = r.rlim_max ;
  else
  {
    uint64_t u = 0 ;
    int big = 0 ;
    if (!arg[0]) strerr_dieusage(100, USAGE) ;
    for (char const *p = arg ; *p ; p++)
    {
      if (*p < '0' || *p > '9') strerr_dieusage(100, USAGE) ;
      /* a number too large for 64 bits means "as much as allowed": the hard limit */
      if (!big && u > (UINT64_MAX - 9) / 10) big = 1 ;
      if (!big) u = u * 10 + (uint64_t)(*p - '0') ;
    }
    if (big || (r.rlim_max != RLIM_INFINITY && u > (uint64_t)r.rlim_max)) r.rlim_cur = r.rlim_max ;
    else r.rlim_cur = (rlim_t)u ;
  }
  if (setrlimit(res, &r) < 0) strerr_diefusys(111, "setrlimit ", name) ;
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  PROG = "softlimit" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "a:c:d:f:l:m:o:p:r:s:t:", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'a' : apply(RLIMIT_AS, "AS", l.arg) ; break ;
      case 'c' : apply(RLIMIT_CORE, "CORE", l.arg) ; break ;
      case 'd' : apply(RLIMIT_DATA, "DATA", l.arg) ; break ;
      case 'f' : apply(RLIMIT_FSIZE, "FSIZE", l.arg) ; break ;
      case 'l' : apply(RLIMIT_MEMLOCK, "MEMLOCK", l.arg) ; break ;
      case 'm' :
        /* all the memory limits at once, as daemontools' -m */
        apply(RLIMIT_DATA, "DATA", l.arg) ;
        apply(RLIMIT_STACK, "STACK", l.arg) ;
        apply(RLIMIT_MEMLOCK, "MEMLOCK", l.arg) ;
        apply(RLIMIT_AS, "AS", l.arg) ;
        break ;
      case 'o' : apply(RLIMIT_NOFILE, "NOFILE", l.arg) ; break ;
      case 'p' : apply(RLIMIT_NPROC, "NPROC", l.arg) ; break ;
      case 'r' : apply(RLIMIT_RSS, "RSS", l.arg) ; break ;
      case 's' : apply(RLIMIT_STACK, "STACK", l.arg) ; break ;
      case 't' : apply(RLIMIT_CPU, "CPU", l.arg) ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  if (l.ind >= argc) strerr_dieusage(100, USAGE) ;
  tend_exec_x(argv + l.ind) ;
}
