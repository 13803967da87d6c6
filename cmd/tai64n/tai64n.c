/* tai64n: copy stdin to stdout with a TAI64N label (daemontools' +10 offset) before each line. */

#include <string.h>
#include <skalibs/strerr.h>
#include <skalibs/buffer.h>
#include <skalibs/allreadwrite.h>
#include <tend/tai.h>
#include <tend/usage.h>

#define USAGE "tai64n"
#define HELP \
"copy stdin to stdout, each line prefixed with a TAI64N label and a space\n"

int main (int argc, char const *const *argv)
{
  char in[8192] ;
  int linestart = 1 ;
  PROG = "tai64n" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  /* daemontools' tai64n takes no arguments and ignores any it is given; so do we */
  for (;;)
  {
    ssize_t r = fd_read(0, in, sizeof in) ;
    size_t pos = 0 ;
    if (r < 0) strerr_diefusys(111, "read from stdin") ;
    if (!r) break ;
    while (pos < (size_t)r)
    {
      char const *nl ;
      size_t len ;
      if (linestart)
      {
        /* the label is the time the line's first byte reached us */
        tend_tai64n_t t ;
        char label[TEND_TAI64N_FMT + 1] ;
        tend_tai64n_now(&t) ;
        tend_tai64n_fmt(label, &t) ;
        label[TEND_TAI64N_FMT] = ' ' ;
        if (buffer_put(buffer_1, label, sizeof label) < 0) strerr_diefusys(111, "write to stdout") ;
        linestart = 0 ;
      }
      nl = memchr(in + pos, '\n', (size_t)r - pos) ;
      len = nl ? (size_t)(nl - in) - pos + 1 : (size_t)r - pos ;
      if (buffer_put(buffer_1, in + pos, len) < 0) strerr_diefusys(111, "write to stdout") ;
      if (nl) linestart = 1 ;
      pos += len ;
    }
    /* before waiting for more input, so a quiet stream is still seen at once */
    if (!buffer_flush(buffer_1)) strerr_diefusys(111, "write to stdout") ;
  }
  if (!buffer_flush(buffer_1)) strerr_diefusys(111, "write to stdout") ;
  return 0 ;
}
