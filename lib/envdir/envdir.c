/* envdir.c: daemontools' envdir format, read without the heap, bounded, regular files only. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>
#include <skalibs/allreadwrite.h>
#include <tend/dirscan.h>
#include <tend/envdir.h>

int tend_envdir_entry (int dfd, char const *name, char *buf, size_t max, size_t *len)
{
  size_t nlen = strlen(name), pos = *len, vstart, got = 0 ;
  struct stat st ;
  int fd, sawnl = 0 ;
  if (name[0] == '.') return 0 ;
  /* a name with '=' cannot be set: the variable would be named up to the '=' and the rest
     would land in its value (daemontools 0.76 does that silently) */
  if (strchr(name, '=')) { errno = EILSEQ ; return -1 ; }
  if (max < pos || max - pos < nlen + 2) { errno = ENOBUFS ; return -1 ; }
  memcpy(buf + pos, name, nlen) ;
  vstart = pos + nlen + 1 ;
  /* look before opening: opening a FIFO would block and a device may act on an open */
  if (fstatat(dfd, name, &st, 0) < 0)
  {
    /* gone since the listing, or a dangling symlink: no value, as daemontools does */
    if (errno != ENOENT) return -1 ;
    buf[pos + nlen] = 0 ;
    *len = vstart ;
    return 1 ;
  }
  if (S_ISDIR(st.st_mode)) { errno = EISDIR ; return -1 ; }
  if (!S_ISREG(st.st_mode)) { errno = EINVAL ; return -1 ; }
  fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno != ENOENT) return -1 ;
    buf[pos + nlen] = 0 ;
    *len = vstart ;
    return 1 ;
  }
  /* swapped since the fstatat: look again, at what we opened */
  if (fstat(fd, &st) < 0) { int e = errno ; fd_close(fd) ; errno = e ; return -1 ; }
  if (!S_ISREG(st.st_mode)) { fd_close(fd) ; errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL ; return -1 ; }
  while (got < TEND_ENVDIR_VALUEMAX)
  {
    size_t room = max - vstart - got, want = TEND_ENVDIR_VALUEMAX - got ;
    ssize_t r ;
    char *nl ;
    if (room < 2) { fd_close(fd) ; errno = ENOBUFS ; return -1 ; }
    if (want > room - 1) want = room - 1 ;
    r = fd_read(fd, buf + vstart + got, want) ;
    if (r < 0) { int e = errno ; fd_close(fd) ; errno = e ; return -1 ; }
    if (!r) break ;
    nl = memchr(buf + vstart + got, '\n', (size_t)r) ;
    if (nl) { got = (size_t)(nl - (buf + vstart)) ; sawnl = 1 ; break ; }
    got += (size_t)r ;
  }
  if (!sawnl && got == TEND_ENVDIR_VALUEMAX)
  {
    /* exactly the limit is fine if the next byte ends the line or the file */
    char c ;
    ssize_t r = fd_read(fd, &c, 1) ;
    if (r < 0) { int e = errno ; fd_close(fd) ; errno = e ; return -1 ; }
    if (r && c != '\n') { fd_close(fd) ; errno = EFBIG ; return -1 ; }
    if (r) sawnl = 1 ;
  }
  fd_close(fd) ;
  if (!got && !sawnl)
  {
    /* an empty file removes the variable: a modification without '=' */
    buf[pos + nlen] = 0 ;
    *len = vstart ;
    return 1 ;
  }
  /* the newline counts for "not empty": a file holding "\n" sets the empty string */
  while (got && (buf[vstart + got - 1] == ' ' || buf[vstart + got - 1] == '\t')) got-- ;
  for (size_t i = 0 ; i < got ; i++) if (!buf[vstart + i]) buf[vstart + i] = '\n' ;
  buf[pos + nlen] = '=' ;
  buf[vstart + got] = 0 ;
  *len = vstart + got + 1 ;
  return 1 ;
}

struct readall_s
{
  int dfd ;
  char *buf ;
  size_t max ;
  size_t *len ;
  int n ;
  int err ;
  char *bad ;
  size_t badmax ;
} ;

static void readall_one (char const *name, void *aux)
{
  struct readall_s *x = aux ;
  int r ;
  if (x->err) return ;
  r = tend_envdir_entry(x->dfd, name, x->buf, x->max, x->len) ;
  if (r > 0) x->n++ ;
  else if (r < 0)
  {
    size_t n = strlen(name) ;
    x->err = errno ;
    if (x->badmax)
    {
      if (n >= x->badmax) n = x->badmax - 1 ;
      memcpy(x->bad, name, n) ; x->bad[n] = 0 ;
    }
  }
}

int tend_envdir_read (char const *dir, char *buf, size_t max, size_t *len, char *bad, size_t badmax)
{
  struct readall_s x = { .buf = buf, .max = max, .len = len, .n = 0, .err = 0, .bad = bad, .badmax = badmax } ;
  size_t len0 = *len ;
  if (badmax) bad[0] = 0 ;
  x.dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (x.dfd < 0) return -1 ;
  if (tend_dirscan(dir, &readall_one, &x) < 0 && !x.err) x.err = errno ;
  fd_close(x.dfd) ;
  if (x.err) { *len = len0 ; errno = x.err ; return -1 ; }
  return x.n ;
}

static size_t cat (char *s, size_t max, size_t n, char const *t)
{
  size_t k = strlen(t) ;
  if (n + k >= max) k = max > n + 1 ? max - n - 1 : 0 ;
  memcpy(s + n, t, k) ;
  return n + k ;
}

size_t tend_envdir_errmsg (char *s, size_t max, char const *dir, char const *name, int e)
{
  static char const hex[] = "0123456789abcdef" ;
  size_t n = 0 ;
  char fmt[UINT_FMT] ;
  char const *why ;
  if (!max) return 0 ;
  n = cat(s, max, n, "unable to read ") ;
  n = cat(s, max, n, dir) ;
  if (name[0])
  {
    n = cat(s, max, n, "/") ;
    for (; *name && n + 5 < max ; name++)
    {
      unsigned char c = (unsigned char)*name ;
      if (c >= 0x20 && c < 0x7f && c != '\\') s[n++] = (char)c ;
      else if (c == '\\') { s[n++] = '\\' ; s[n++] = '\\' ; }
      else { s[n++] = '\\' ; s[n++] = 'x' ; s[n++] = hex[c >> 4] ; s[n++] = hex[c & 15] ; }
    }
  }
  n = cat(s, max, n, ": ") ;
  switch (e)
  {
    case EILSEQ : why = "invalid variable name: it contains =" ; break ;
    case EINVAL : why = "not a regular file" ; break ;
    case EFBIG :
      fmt[uint_fmt(fmt, TEND_ENVDIR_VALUEMAX)] = 0 ;
      n = cat(s, max, n, "no end of line in its first ") ;
      n = cat(s, max, n, fmt) ;
      why = " bytes" ;
      break ;
    case ENOBUFS : why = "the environment directory is too large in total" ; break ;
    default : why = strerror(e) ; break ;
  }
  n = cat(s, max, n, why) ;
  s[n] = 0 ;
  return n ;
}
