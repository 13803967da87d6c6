/* tai64n.c: daemontools-compatible TAI64N labels (+10 offset), packed and printed by hand. */

#include <time.h>
#include <tend/tai.h>

void tend_tai64n_now (tend_tai64n_t *t)
{
  struct timespec ts ;
  clock_gettime(CLOCK_REALTIME, &ts) ;
  t->sec = TEND_TAI64_OFFSET + (uint64_t)(int64_t)ts.tv_sec ;
  t->nano = (uint32_t)ts.tv_nsec ;
}

void tend_tai64n_pack (char *s, tend_tai64n_t const *t)
{
  for (int i = 0 ; i < 8 ; i++) s[i] = (char)(unsigned char)(t->sec >> (56 - 8 * i)) ;
  for (int i = 0 ; i < 4 ; i++) s[8 + i] = (char)(unsigned char)(t->nano >> (24 - 8 * i)) ;
}

void tend_tai64n_unpack (char const *s, tend_tai64n_t *t)
{
  uint64_t sec = 0 ;
  uint32_t nano = 0 ;
  for (int i = 0 ; i < 8 ; i++) sec = (sec << 8) | (unsigned char)s[i] ;
  for (int i = 0 ; i < 4 ; i++) nano = (nano << 8) | (unsigned char)s[8 + i] ;
  t->sec = sec ; t->nano = nano ;
}

size_t tend_tai64n_fmt (char *s, tend_tai64n_t const *t)
{
  static char const hex[16] = "0123456789abcdef" ;
  char pack[TEND_TAI64N_PACK] ;
  tend_tai64n_pack(pack, t) ;
  s[0] = '@' ;
  for (int i = 0 ; i < TEND_TAI64N_PACK ; i++)
  {
    s[1 + 2 * i] = hex[(unsigned char)pack[i] >> 4] ;
    s[2 + 2 * i] = hex[(unsigned char)pack[i] & 15] ;
  }
  return TEND_TAI64N_FMT ;
}

static int hexval (char c)
{
  if (c >= '0' && c <= '9') return c - '0' ;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10 ;
  return -1 ;
}

size_t tend_tai64n_scan (char const *s, tend_tai64n_t *t)
{
  char pack[TEND_TAI64N_PACK] ;
  if (s[0] != '@') return 0 ;
  for (int i = 0 ; i < TEND_TAI64N_PACK ; i++)
  {
    int hi = hexval(s[1 + 2 * i]), lo ;
    if (hi < 0) return 0 ;
    lo = hexval(s[2 + 2 * i]) ;
    if (lo < 0) return 0 ;
    pack[i] = (char)(unsigned char)(hi << 4 | lo) ;
  }
  tend_tai64n_unpack(pack, t) ;
  return TEND_TAI64N_FMT ;
}

int64_t tend_tai64n_unix (tend_tai64n_t const *t)
{
  return (int64_t)(t->sec - TEND_TAI64_OFFSET) ;
}
