/* pgrphack: run a program in a new session and process group of its own. */

#include <unistd.h>
#include <skalibs/strerr.h>
#include <tend/exec.h>
#include <tend/usage.h>

#define USAGE "pgrphack prog..."
#define HELP \
"run prog in a new session and process group of its own\n"

int main (int argc, char const *const *argv)
{
  PROG = "pgrphack" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  if (argc < 2) strerr_dieusage(100, USAGE) ;
  /* it fails only when we already lead a process group, so the program still gets a
     group of its own; daemontools ignores the failure too */
  setsid() ;
  tend_exec_x(argv + 1) ;
}
