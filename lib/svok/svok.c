/* svok.c: whether a supervisor runs on a service directory, through its supervise/ok FIFO, or,
   for a reader who may not write ok, through the kernel's table of file locks. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <tend/svok.h>

/* One line of /proc/locks: "1: FLOCK  ADVISORY  WRITE 812 fe:00:10953436 0 EOF" (POSIX locks
   and "->" waiters look alike). 1 if it is a lock on dev:ino. The device is major:minor in hex,
   the inode in decimal; every other field is skipped. */
static int lockline (char const *s, size_t len, unsigned long maj, unsigned long min, unsigned long long ino)
{
  unsigned long long v[3] = { 0, 0, 0 } ;
  unsigned int f = 0, k = 0 ;
  size_t i = 0, start = 0 ;
  /* the device is the sixth field, the "N:" label counted; a waiter's "->" is not counted */
  while (i < len)
  {
    while (i < len && s[i] == ' ') i++ ;
    start = i ;
    while (i < len && s[i] != ' ') i++ ;
    if (i == start) break ;
    if (i - start == 2 && s[start] == '-' && s[start + 1] == '>') continue ;
    if (++f == 6) break ;
  }
  if (f != 6) return 0 ;
  for (size_t j = start ; j < i ; j++)
  {
    char c = s[j] ;
    unsigned int base = k < 2 ? 16 : 10, d ;
    if (c == ':') { if (++k > 2) return 0 ; continue ; }
    if (c >= '0' && c <= '9') d = (unsigned int)(c - '0') ;
    else if (base == 16 && c >= 'a' && c <= 'f') d = (unsigned int)(c - 'a' + 10) ;
    else return 0 ;
    if (v[k] > (~0ULL - d) / base) return 0 ;
    v[k] = v[k] * base + d ;
  }
  return k == 2 && v[0] == maj && v[1] == min && v[2] == ino ;
}

/* Whether someone holds a lock on DIR/supervise/lock: supervise (ours, daemontools', runit's
   runsv) holds one on it for as long as it runs. Only looks: a test lock of our own would make
   a supervise starting at that moment fail to take it. 1 yes, 0 no, -1 cannot tell. */
static int locked (char *fn, size_t dlen)
{
  char buf[4096] ;
  size_t len = 0 ;
  struct stat st ;
  unsigned long maj, min ;
  int fd, found = 0, skip = 0 ;
  memcpy(fn + dlen, "/supervise/lock", sizeof("/supervise/lock")) ;
  if (stat(fn, &st) < 0) return errno == ENOENT ? 0 : -1 ;
  maj = major(st.st_dev) ; min = minor(st.st_dev) ;
  fd = open("/proc/locks", O_RDONLY | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  for (;;)
  {
    ssize_t r = fd_read(fd, buf + len, sizeof buf - len) ;
    char *nl ;
    size_t off = 0 ;
    if (r < 0) { fd_close(fd) ; return -1 ; }
    len += (size_t)r ;
    while ((nl = memchr(buf + off, '\n', len - off)))
    {
      if (!skip && lockline(buf + off, (size_t)(nl - buf) - off, maj, min, (unsigned long long)st.st_ino)) found = 1 ;
      skip = 0 ;
      off = (size_t)(nl - buf) + 1 ;
    }
    /* a line longer than the buffer is no lock line: drop it, up to its newline */
    if (!off && len == sizeof buf) { off = len ; skip = 1 ; }
    memmove(buf, buf + off, len - off) ;
    len -= off ;
    if (!r) break ;
  }
  fd_close(fd) ;
  if (len && !skip && lockline(buf, len, maj, min, (unsigned long long)st.st_ino)) found = 1 ;
  return found ;
}

int tend_svok (char const *dir)
{
  size_t dlen = strlen(dir) ;
  char fn[dlen + sizeof("/supervise/lock")] ;
  struct stat st ;
  int fd ;
  memcpy(fn, dir, dlen) ;
  memcpy(fn + dlen, "/supervise/ok", sizeof("/supervise/ok")) ;
  fd = open(fn, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) ;
  if (fd < 0)
  {
    int e = errno, r ;
    if (e == ENXIO || e == ENOENT) return 0 ;
    /* allowed to look but not to write ok (a group given read on supervise/): ask the kernel
       whether the lock is held; when it cannot tell, the refusal stands */
    if (e != EACCES) return -1 ;
    r = locked(fn, dlen) ;
    if (r < 0) { errno = e ; return -1 ; }
    return r ;
  }
  /* a regular file opens for writing whoever runs: it would say "running" of nothing */
  if (fstat(fd, &st) < 0) { fd_close(fd) ; return -1 ; }
  fd_close(fd) ;
  if (!S_ISFIFO(st.st_mode)) { errno = EINVAL ; return -1 ; }
  return 1 ;
}
