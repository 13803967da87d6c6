/* usage.c: --help and --version for every program, the version from package/info. */

#include <string.h>
#include <unistd.h>
#include <skalibs/buffer.h>
#include <skalibs/strerr.h>
#include <tend/usage.h>
#include "tend-version.h"

char const *tend_usage_version (void)
{
  return TEND_VERSION ;
}

static void out (char const *s)
{
  if (buffer_puts(buffer_1, s) < 0) strerr_diefusys(111, "write to stdout") ;
}

void tend_usage_first (int argc, char const *const *argv, char const *usage, char const *help)
{
  if (argc < 2) return ;
  if (!strcmp(argv[1], "--help"))
  {
    out("usage: ") ; out(usage) ; out("\n") ;
    out(help) ;
    out("  --help     print this help and exit\n") ;
    out("  --version  print the version and exit\n") ;
  }
  else if (!strcmp(argv[1], "--version"))
  {
    out(PROG) ; out(" (" TEND_NAME ") " TEND_VERSION "\n") ;
  }
  else return ;
  /* a closed or full stdout must not pass for an answer: the caller reads it */
  if (!buffer_flush(buffer_1)) strerr_diefusys(111, "write to stdout") ;
  _exit(0) ;
}
