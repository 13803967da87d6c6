/* envuidgid: run a program with UID, GID and GIDLIST of an account in its environment. */

#include <skalibs/strerr.h>
#include <skalibs/sgetopt.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>
#include <skalibs/types.h>
#include <tend/pwfile.h>
#include <tend/exec.h>
#include <tend/usage.h>

#define USAGE "envuidgid [ -s ] account prog..."
#define HELP \
"set UID, GID and GIDLIST to account's ids, then exec prog\n" \
"  -s  put only the primary group in GIDLIST\n"

int main (int argc, char const *const *argv)
{
  tend_pwfile_ids_t ids = TEND_PWFILE_IDS_ZERO ;
  stralloc sa = STRALLOC_ZERO ;
  subgetopt l = SUBGETOPT_ZERO ;
  char fmt[UINT64_FMT] ;
  gid_t const *g ;
  size_t n ;
  int single = 0 ;
  PROG = "envuidgid" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "s", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 's' : single = 1 ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  if (argc < 2) strerr_dieusage(100, USAGE) ;
  tend_pwfile_xresolve(argv[0], &ids, single) ;
  g = genalloc_s(gid_t, &ids.groups) ;
  n = genalloc_len(gid_t, &ids.groups) ;
  if (!stralloc_cats(&sa, "UID=")
   || !stralloc_catb(&sa, fmt, uint64_fmt(fmt, ids.uid))
   || !stralloc_0(&sa)
   || !stralloc_cats(&sa, "GID=")
   || !stralloc_catb(&sa, fmt, uint64_fmt(fmt, ids.gid))
   || !stralloc_0(&sa)
   || !stralloc_cats(&sa, "GIDLIST="))
    strerr_diefusys(111, "build the environment") ;
  /* GIDLIST: the groups setuidgid would set, comma-separated, the primary first */
  for (size_t i = 0 ; i < n ; i++)
    if ((i && !stralloc_catb(&sa, ",", 1)) || !stralloc_catb(&sa, fmt, uint64_fmt(fmt, g[i])))
      strerr_diefusys(111, "build the environment") ;
  if (!stralloc_0(&sa)) strerr_diefusys(111, "build the environment") ;
  tend_exec_xm(argv + 1, sa.s, sa.len, 3) ;
}
