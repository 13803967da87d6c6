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

/* a buffer of its own on the stack rather than skalibs' buffer_1, whose 8 KiB would sit in the
   .bss of every program, between the variables a daemon touches all the time */
static void out (buffer *b, char const *s)
{
  if (buffer_puts(b, s) < 0) strerr_diefusys(111, "write to stdout") ;
}

void tend_usage_first (int argc, char const *const *argv, char const *usage, char const *help)
{
  char buf[1024] ;
  buffer b = BUFFER_INIT(&buffer_write, 1, buf, sizeof buf) ;
  if (argc < 2) return ;
  if (!strcmp(argv[1], "--help"))
  {
    out(&b, "usage: ") ; out(&b, usage) ; out(&b, "\n") ;
    out(&b, help) ;
    out(&b, "  --help     print this help and exit\n") ;
    out(&b, "  --version  print the version and exit\n") ;
  }
  else if (!strcmp(argv[1], "--version"))
  {
    out(&b, PROG) ; out(&b, " (" TEND_NAME ") " TEND_VERSION "\n") ;
  }
  else return ;
  /* a closed or full stdout must not pass for an answer: the caller reads it */
  if (!buffer_flush(&b)) strerr_diefusys(111, "write to stdout") ;
  _exit(0) ;
}
