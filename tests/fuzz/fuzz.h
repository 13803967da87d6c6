/* fuzz.h: what every tend fuzz target shares: an in-memory stdout for code that writes to
   buffer_1, a strict JSON checker (RFC 8259, UTF-8 per RFC 3629), and a way to survive a
   fatal error of the code under test (strerr_die* would end the fuzzer: it longjmps back). */
#ifndef TEND_FUZZ_H
#define TEND_FUZZ_H

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <sys/uio.h>
#include <skalibs/buffer.h>

/* ---- captured output ---- */

static char fuzz_outmem[1 << 20] ;
static size_t fuzz_outlen ;

static ssize_t fuzz_outop (int fd, struct iovec const *v, unsigned int n)
{
  ssize_t w = 0 ;
  (void)fd ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    size_t k = v[i].iov_len ;
    if (k > sizeof fuzz_outmem - fuzz_outlen) abort() ;  /* output larger than any input explains */
    if (k) memcpy(fuzz_outmem + fuzz_outlen, v[i].iov_base, k) ;
    fuzz_outlen += k ; w += (ssize_t)k ;
  }
  return w ;
}

static char fuzz_bufmem[8192] ;
static buffer fuzz_out = BUFFER_INIT(&fuzz_outop, 1, fuzz_bufmem, sizeof fuzz_bufmem) ;
#undef buffer_1
#define buffer_1 (&fuzz_out)

/* ---- fatal errors ---- */

static jmp_buf fuzz_diejmp ;
static int fuzz_canjump ;
static int fuzz_died ;

/* skalibs' strerr_die* end in these two: the fuzz target's own definitions win over
   libskarnet.a's, so a fatal error of the code under test returns to the target */
void strerr_diev (int e, char const *const *v, unsigned int n)
{
  (void)e ; (void)v ; (void)n ;
  if (!fuzz_canjump) abort() ;
  fuzz_died = 1 ;
  longjmp(fuzz_diejmp, 1) ;
}
void strerr_dievsys (int e, char const *const *v, unsigned int n) { strerr_diev(e, v, n) ; }

/* ---- JSON ---- */

typedef struct { unsigned char const *s ; size_t n, i ; } fuzz_json ;

static void fuzz_ws (fuzz_json *j) { while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' || j->s[j->i] == '\r')) j->i++ ; }

static int fuzz_utf8 (fuzz_json *j)
{
  unsigned char c = j->s[j->i] ;
  unsigned char lo = 0x80, hi = 0xbf ;
  size_t n ;
  if (c < 0x80) { j->i++ ; return 1 ; }
  if (c >= 0xc2 && c <= 0xdf) n = 2 ;
  else if (c >= 0xe0 && c <= 0xef) { n = 3 ; if (c == 0xe0) lo = 0xa0 ; if (c == 0xed) hi = 0x9f ; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4 ; if (c == 0xf0) lo = 0x90 ; if (c == 0xf4) hi = 0x8f ; }
  else return 0 ;
  if (j->i + n > j->n) return 0 ;
  if (j->s[j->i+1] < lo || j->s[j->i+1] > hi) return 0 ;
  for (size_t k = 2 ; k < n ; k++) if (j->s[j->i+k] < 0x80 || j->s[j->i+k] > 0xbf) return 0 ;
  j->i += n ;
  return 1 ;
}

static int fuzz_hex (unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ; }

static int fuzz_string (fuzz_json *j)
{
  if (j->i >= j->n || j->s[j->i] != '"') return 0 ;
  j->i++ ;
  while (j->i < j->n)
  {
    unsigned char c = j->s[j->i] ;
    if (c == '"') { j->i++ ; return 1 ; }
    if (c < 0x20) return 0 ;
    if (c == '\\')
    {
      if (++j->i >= j->n) return 0 ;
      c = j->s[j->i] ;
      if (c == 'u')
      {
        if (j->i + 4 >= j->n) return 0 ;
        for (int k = 1 ; k <= 4 ; k++) if (!fuzz_hex(j->s[j->i+k])) return 0 ;
        j->i += 5 ;
      }
      else if (strchr("\"\\/bfnrt", c) && c) j->i++ ;
      else return 0 ;
      continue ;
    }
    if (!fuzz_utf8(j)) return 0 ;
  }
  return 0 ;
}

static int fuzz_value (fuzz_json *j, int depth) ;

static int fuzz_number (fuzz_json *j)
{
  size_t st = j->i ;
  if (j->i < j->n && j->s[j->i] == '-') j->i++ ;
  if (j->i >= j->n) return 0 ;
  if (j->s[j->i] == '0') j->i++ ;
  else if (j->s[j->i] >= '1' && j->s[j->i] <= '9') while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++ ;
  else return 0 ;
  if (j->i < j->n && j->s[j->i] == '.')
  {
    size_t d = ++j->i ;
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++ ;
    if (j->i == d) return 0 ;
  }
  if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E'))
  {
    size_t d ;
    j->i++ ;
    if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-')) j->i++ ;
    d = j->i ;
    while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9') j->i++ ;
    if (j->i == d) return 0 ;
  }
  return j->i > st ;
}

static int fuzz_lit (fuzz_json *j, char const *w)
{
  size_t k = strlen(w) ;
  if (j->n - j->i < k || memcmp(j->s + j->i, w, k)) return 0 ;
  j->i += k ;
  return 1 ;
}

static int fuzz_value (fuzz_json *j, int depth)
{
  if (depth > 64) return 0 ;
  fuzz_ws(j) ;
  if (j->i >= j->n) return 0 ;
  switch (j->s[j->i])
  {
    case '"' : return fuzz_string(j) ;
    case 't' : return fuzz_lit(j, "true") ;
    case 'f' : return fuzz_lit(j, "false") ;
    case 'n' : return fuzz_lit(j, "null") ;
    case '{' :
    case '[' :
    {
      int obj = j->s[j->i] == '{' ;
      char close = obj ? '}' : ']' ;
      j->i++ ; fuzz_ws(j) ;
      if (j->i < j->n && j->s[j->i] == close) { j->i++ ; return 1 ; }
      for (;;)
      {
        if (obj)
        {
          fuzz_ws(j) ;
          if (!fuzz_string(j)) return 0 ;
          fuzz_ws(j) ;
          if (j->i >= j->n || j->s[j->i] != ':') return 0 ;
          j->i++ ;
        }
        if (!fuzz_value(j, depth + 1)) return 0 ;
        fuzz_ws(j) ;
        if (j->i >= j->n) return 0 ;
        if (j->s[j->i] == ',') { j->i++ ; continue ; }
        if (j->s[j->i] == close) { j->i++ ; return 1 ; }
        return 0 ;
      }
    }
    default : return fuzz_number(j) ;
  }
}

/* 1 if s[0..n) is exactly one JSON value (any whitespace around it) */
static int fuzz_json_valid (char const *s, size_t n)
{
  fuzz_json j = { (unsigned char const *)s, n, 0 } ;
  if (!fuzz_value(&j, 0)) return 0 ;
  fuzz_ws(&j) ;
  return j.i == n ;
}

#endif
