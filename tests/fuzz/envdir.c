/* envdir: lib/envdir on directories built from the input. Whatever the names, contents and
   file types, and however small the buffer, tend_envdir_read never writes past its buffer,
   leaves *len as it was on failure, and on success gives exactly one modification per entry
   not starting with '.', each the value a reference reading of the same bytes gives
   (first line, trailing blanks cut, NUL -> newline; an empty file removes). The error text
   is always NUL-terminated and free of control bytes. */

#include "fuzz.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <tend/envdir.h>

#define NMAX 6
static char dir[64] ;
static char names[NMAX][32] ;
static char *content[NMAX] ;
static size_t clen[NMAX] ;
static int kind[NMAX] ;   /* 0 file, 1 directory, 2 dangling symlink, 3 FIFO */
static int n ;

static void clean (void)
{
  for (int i = 0 ; i < n ; i++)
  {
    char fn[128] ;
    snprintf(fn, sizeof fn, "%s/%s", dir, names[i]) ;
    if (kind[i] == 1) rmdir(fn) ; else unlink(fn) ;
    free(content[i]) ; content[i] = 0 ;
  }
  n = 0 ;
}

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
  char const *t = getenv("TMPDIR") ;
  (void)argc ; (void)argv ;
  snprintf(dir, sizeof dir, "%s/tend-fuzz-envdir.%d", t ? t : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid()) ;
  if (mkdir(dir, 0700) < 0) abort() ;
  return 0 ;
}

/* the reference: what the entry's bytes mean */
static size_t expect (int i, char *out)
{
  size_t k = strlen(names[i]), m = 0 ;
  memcpy(out, names[i], k) ;
  if (kind[i] == 2 || !clen[i]) { out[k] = 0 ; return k + 1 ; }
  out[k] = '=' ;
  while (m < clen[i] && content[i][m] != '\n') m++ ;
  while (m && (content[i][m-1] == ' ' || content[i][m-1] == '\t')) m-- ;
  for (size_t j = 0 ; j < m ; j++) out[k + 1 + j] = content[i][j] ? content[i][j] : '\n' ;
  out[k + 1 + m] = 0 ;
  return k + m + 2 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  size_t p = 0, max, len, len0 ;
  char *buf, bad[16] ;
  int r, seen[NMAX] = { 0 } ;
  if (size < 2) return 0 ;
  max = (size_t)data[0] * 4 ;
  len0 = data[1] % 8 ;
  p = 2 ;
  /* entries: kind/name length byte, name, 1 byte content length, content */
  while (p < size && n < NMAX)
  {
    unsigned char h = data[p++] ;
    size_t nl = (h & 15) + 1, cl ;
    char fn[128] ;
    int dup = 0 ;
    if (p + nl > size) break ;
    for (size_t j = 0 ; j < nl ; j++)
    {
      char c = (char)data[p + j] ;
      names[n][j] = c == '/' || !c ? '_' : c ;
    }
    names[n][nl] = 0 ;
    p += nl ;
    cl = p < size ? data[p++] : 0 ;
    if (p + cl > size) cl = size - p ;
    if (!strcmp(names[n], ".") || !strcmp(names[n], "..")) { p += cl ; continue ; }
    for (int i = 0 ; i < n ; i++) dup |= !strcmp(names[i], names[n]) ;
    if (dup) { p += cl ; continue ; }
    kind[n] = h >> 6 ;
    content[n] = malloc(cl ? cl : 1) ;
    memcpy(content[n], data + p, cl) ; clen[n] = cl ; p += cl ;
    snprintf(fn, sizeof fn, "%s/%s", dir, names[n]) ;
    switch (kind[n])
    {
      case 0 :
      {
        int fd = open(fn, O_WRONLY | O_CREAT | O_TRUNC, 0644) ;
        if (fd < 0 || write(fd, content[n], cl) != (ssize_t)cl) abort() ;
        close(fd) ;
        break ;
      }
      case 1 : if (mkdir(fn, 0700) < 0) abort() ; break ;
      case 2 : if (symlink("/nonexistent/tend-fuzz", fn) < 0) abort() ; break ;
      case 3 : if (mkfifo(fn, 0600) < 0) abort() ; break ;
    }
    n++ ;
  }
  buf = malloc(max ? max : 1) ;
  len = len0 > max ? max : len0 ;
  len0 = len ;
  r = tend_envdir_read(dir, buf, max, &len, bad, sizeof bad) ;
  if (len > max) abort() ;
  if (!memchr(bad, 0, sizeof bad)) abort() ;
  if (r < 0)
  {
    char msg[256] ;
    size_t m ;
    int e = errno ;
    if (len != len0) abort() ;
    m = tend_envdir_errmsg(msg, sizeof msg, dir, bad, e) ;
    if (m >= sizeof msg || msg[m]) abort() ;
    for (size_t j = 0 ; j < m ; j++) if ((unsigned char)msg[j] < 0x20 || msg[j] == 0x7f) abort() ;
  }
  else
  {
    int want = 0 ;
    size_t q = len0 ;
    for (int i = 0 ; i < n ; i++) want += names[i][0] != '.' ;
    if (r != want) abort() ;
    for (int k = 0 ; k < r ; k++)
    {
      char ref[300] ;
      size_t el = strnlen(buf + q, len - q), rl ;
      int i ;
      if (q + el >= len) abort() ;   /* every entry NUL-terminated inside len */
      for (i = 0 ; i < n ; i++)
      {
        size_t nl = strlen(names[i]) ;
        if (!seen[i] && !strncmp(buf + q, names[i], nl) && (buf[q + nl] == '=' || !buf[q + nl])) break ;
      }
      if (i == n) abort() ;
      seen[i] = 1 ;
      rl = expect(i, ref) ;
      if (rl != el + 1 || memcmp(ref, buf + q, rl)) abort() ;
      q += el + 1 ;
    }
    if (q != len) abort() ;
  }
  free(buf) ;
  clean() ;
  return 0 ;
}
