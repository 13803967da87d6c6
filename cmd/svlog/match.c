/* match.c: multilog's patterns: literal bytes, '*' runs to the first occurrence of the next
   pattern byte with no backtracking, '*' at the end matches the rest; the whole line must match. */

#include <string.h>
#include "svlog.h"

int svlog_match (char const *pat, char const *s, size_t n)
{
  for (;;)
  {
    char c = *pat++ ;
    if (!c) return !n ;
    if (c == '*')
    {
      char const *p ;
      c = *pat ;
      if (!c) return 1 ;
      /* the shortest run: stop at the first occurrence of the next byte, never look further */
      p = memchr(s, c, n) ;
      if (!p) return 0 ;
      n -= (size_t)(p - s) ;
      s = p ;
      continue ;
    }
    if (!n || *s != c) return 0 ;
    s++ ; n-- ;
  }
}
