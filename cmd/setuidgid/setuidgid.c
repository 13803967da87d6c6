/* setuidgid: run a program as another account (name, UID or UID:GID), with its groups. */

#include <unistd.h>
#include <skalibs/strerr.h>
#include <skalibs/sgetopt.h>
#include <skalibs/genalloc.h>
#include <skalibs/setgroups.h>
#include <tend/pwfile.h>
#include <tend/exec.h>
#include <tend/usage.h>

#define USAGE "setuidgid [ -s ] account prog..."
#define HELP \
"run prog as account: its uid, gid and supplementary groups\n" \
"  -s  single group: the primary group is the only group, as daemontools' setuidgid\n"

int main (int argc, char const *const *argv)
{
  tend_pwfile_ids_t ids = TEND_PWFILE_IDS_ZERO ;
  subgetopt l = SUBGETOPT_ZERO ;
  int single = 0 ;
  PROG = "setuidgid" ;
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
  /* daemontools says 111 for an unknown account; we keep its code */
  tend_pwfile_xresolve(argv[0], &ids, single) ;
  /* groups first, then gid, then uid: each later step removes the right to do the earlier */
  if (setgroups_and_gid(ids.gid, genalloc_len(gid_t, &ids.groups), genalloc_s(gid_t, &ids.groups)) < 0)
    strerr_diefusys(111, "set groups") ;
  if (setgid(ids.gid) < 0) strerr_diefusys(111, "setgid") ;
  if (setuid(ids.uid) < 0) strerr_diefusys(111, "setuid") ;
  tend_exec_x(argv + 1) ;
}
