/* tai64nlocal: turn the TAI64N label (or RFC 3339 UTC stamp) starting each line into local time. */

#include <stdint.h>
#include <string.h>
#include <time.h>
#include <skalibs/strerr.h>
#include <skalibs/buffer.h>
#include <skalibs/allreadwrite.h>
#include <tend/tai.h>
#include <tend/usage.h>

#define USAGE "tai64nlocal"
#define HELP \
"copy stdin to stdout, each leading TAI64N label turned into local time\n"

/* Line states. A label or stamp is held in pre until it is complete, so it can be
   copied as it came when it turns out not to be one (or cannot be converted). */
enum { LINESTART, TAI, ISO, PASS } ;

/* Longer labels than this are copied unconverted (daemontools would read on: it keeps
   the last 24 digits; a real label has exactly 24). */
#define PREMAX 4096

static char pre[PREMAX] ;
static size_t prelen ;
static uint64_t taisec ;   /* the label's last 24 hex digits, right-aligned in 96 bits */
static uint32_t tainano ;

static void put (char const *s, size_t len)
{
  if (buffer_put(buffer_1, s, len) < 0) strerr_diefusys(111, "write to stdout") ;
}

static size_t fmtnum (char *s, uint64_t u, unsigned int width)
{
  char tmp[20] ;
  size_t n = 0, len = 0 ;
  do { tmp[n++] = (char)('0' + u % 10) ; u /= 10 ; } while (u) ;
  while (n < width) tmp[n++] = '0' ;
  while (n) s[len++] = tmp[--n] ;
  return len ;
}

/* Prints Unix time t with nano as daemontools' tai64nlocal does:
   YEAR-MM-DD HH:MM:SS.NNNNNNNNN in local time. Returns 0 when localtime cannot. */
static int putlocal (int64_t t, uint32_t nano)
{
  char s[80] ;
  size_t n = 0 ;
  struct tm tm ;
  time_t tt = (time_t)t ;
  if (!localtime_r(&tt, &tm)) return 0 ;
  /* the year is printed as daemontools prints it: unpadded, and a year before 1 AD as
     the unsigned 64-bit value of the (negative) number */
  n += fmtnum(s + n, (uint64_t)((int64_t)tm.tm_year + 1900), 1) ; s[n++] = '-' ;
  n += fmtnum(s + n, (uint64_t)tm.tm_mon + 1, 2) ; s[n++] = '-' ;
  n += fmtnum(s + n, (uint64_t)tm.tm_mday, 2) ; s[n++] = ' ' ;
  n += fmtnum(s + n, (uint64_t)tm.tm_hour, 2) ; s[n++] = ':' ;
  n += fmtnum(s + n, (uint64_t)tm.tm_min, 2) ; s[n++] = ':' ;
  n += fmtnum(s + n, (uint64_t)tm.tm_sec, 2) ; s[n++] = '.' ;
  n += fmtnum(s + n, nano, 9) ;
  put(s, n) ;
  return 1 ;
}

/* A nanosecond field of 10^9 or more is not a time (daemontools prints its digits anyway, as
   "16:20:02.4294967295", which reads as a later second): the label is left as it came, as
   any other bytes that are not a label. */
static void taiend (void)
{
  if (tainano >= 1000000000 || !putlocal((int64_t)(taisec - TEND_TAI64_OFFSET), tainano)) put(pre, prelen) ;
}

static int hexval (char c)
{
  if (c >= '0' && c <= '9') return c - '0' ;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10 ;
  return -1 ;
}

/* RFC 3339 as svlog writes it (YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)):
   returns 1 while pre (ending with its newest byte) can still become a stamp, 2 when it
   is a complete one, 0 when it cannot. */
static int isostep (void)
{
  static char const shape[] = "dddd-dd-ddTdd:dd:dd" ;
  size_t i = prelen - 1 ;
  char c = pre[i] ;
  int digit = c >= '0' && c <= '9' ;
  if (i < sizeof shape - 1) return shape[i] == 'd' ? digit : c == shape[i] ;
  {
    size_t j = sizeof shape - 1 ;   /* past the seconds */
    if (i == j) return c == 'Z' ? 2 : (c == '.' || c == '+' || c == '-') ;
    if (pre[j] == '.')
    {
      size_t f = j + 1 ;
      while (f < i && pre[f] >= '0' && pre[f] <= '9') f++ ;
      if (f == i)
      {
        /* still in the fraction: a digit (9 at most), or the zone after one digit */
        if (digit) return f - j <= 9 ;
        if (f == j + 1) return 0 ;
        return c == 'Z' ? 2 : (c == '+' || c == '-') ;
      }
      j = f ;
    }
    /* pre[j] is the zone's first byte: Z ended the stamp already, so it is + or - */
    switch (i - j)
    {
      case 1 : case 2 : case 4 : return digit ;
      case 3 : return c == ':' ;
      case 5 : return digit ? 2 : 0 ;
      default : return 0 ;
    }
  }
}

static unsigned int num (char const *s, unsigned int n)
{
  unsigned int u = 0 ;
  while (n--) u = u * 10 + (unsigned int)(*s++ - '0') ;
  return u ;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days (int64_t y, unsigned int m, unsigned int d)
{
  int64_t era, yoe, doy, doe ;
  y -= m <= 2 ;
  era = (y >= 0 ? y : y - 399) / 400 ;
  yoe = y - era * 400 ;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1 ;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy ;
  return era * 146097 + doe - 719468 ;
}

static void isoend (void)
{
  static unsigned char const mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 } ;
  unsigned int y = num(pre, 4), mo = num(pre + 5, 2), d = num(pre + 8, 2) ;
  unsigned int h = num(pre + 11, 2), mi = num(pre + 14, 2), s = num(pre + 17, 2) ;
  uint32_t nano = 0 ;
  size_t i = 19 ;
  int64_t t ;
  int leap = (y % 4 == 0 && y % 100) || y % 400 == 0 ;
  if (pre[i] == '.')
  {
    unsigned int k = 0 ;
    for (i++ ; pre[i] >= '0' && pre[i] <= '9' ; i++, k++) nano = nano * 10 + (uint32_t)(pre[i] - '0') ;
    for (; k < 9 ; k++) nano *= 10 ;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap)
   || h > 23 || mi > 59 || s > 60) goto verbatim ;
  t = days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s ;
  if (pre[i] != 'Z')
  {
    unsigned int oh = num(pre + i + 1, 2), om = num(pre + i + 4, 2) ;
    int64_t off = oh * 3600 + om * 60 ;
    if (oh > 23 || om > 59) goto verbatim ;
    /* local = UTC + offset, so UTC = stamp - offset */
    t += pre[i] == '+' ? -off : off ;
  }
  if (putlocal(t, nano)) return ;
 verbatim:
  put(pre, prelen) ;
}

int main (int argc, char const *const *argv)
{
  char in[8192] ;
  int state = LINESTART ;
  PROG = "tai64nlocal" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  /* daemontools' tai64nlocal ignores its arguments; so do we */
  for (;;)
  {
    ssize_t r = fd_read(0, in, sizeof in) ;
    size_t pos = 0 ;
    if (r < 0) strerr_diefusys(111, "read from stdin") ;
    if (!r) break ;
    while (pos < (size_t)r)
    {
      char c = in[pos] ;
      switch (state)
      {
        case LINESTART :
          if (c == '@' || (c >= '0' && c <= '9'))
          {
            pre[0] = c ; prelen = 1 ;
            taisec = 0 ; tainano = 0 ;
            state = c == '@' ? TAI : ISO ;
            pos++ ;
            continue ;
          }
          state = PASS ;
          continue ;
        case TAI :
        {
          int v = hexval(c) ;
          if (v >= 0 && prelen < PREMAX)
          {
            pre[prelen++] = c ;
            taisec = taisec << 4 | tainano >> 28 ;
            tainano = tainano << 4 | (uint32_t)v ;
            pos++ ;
            continue ;
          }
          /* any other byte ends the label and follows it, as in daemontools */
          if (v >= 0) put(pre, prelen) ; else taiend() ;
          state = PASS ;
          continue ;
        }
        case ISO :
        {
          int k ;
          pre[prelen++] = c ;
          k = isostep() ;
          if (k == 1) { pos++ ; continue ; }
          if (k == 2) { isoend() ; pos++ ; state = PASS ; continue ; }
          /* not a stamp: what we held goes out as it came, the new byte as any other */
          put(pre, --prelen) ;
          state = PASS ;
          continue ;
        }
        default :
        {
          char const *nl = memchr(in + pos, '\n', (size_t)r - pos) ;
          size_t len = nl ? (size_t)(nl - in) - pos + 1 : (size_t)r - pos ;
          put(in + pos, len) ;
          pos += len ;
          if (nl) state = LINESTART ;
        }
      }
    }
    /* before waiting for more input, so tail -f | tai64nlocal shows each line at once */
    if (!buffer_flush(buffer_1)) strerr_diefusys(111, "write to stdout") ;
  }
  /* input ended inside a label or stamp: copy it as it came (daemontools drops a label
     cut short by the end of its input) */
  if (state == TAI || state == ISO) put(pre, prelen) ;
  if (!buffer_flush(buffer_1)) strerr_diefusys(111, "write to stdout") ;
  return 0 ;
}
