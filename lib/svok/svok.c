/* svok.c: whether a supervisor runs on a service directory, through its supervise/ok FIFO. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <tend/svok.h>

int tend_svok (char const *dir)
{
  size_t dlen = strlen(dir) ;
  char fn[dlen + sizeof("/supervise/ok")] ;
  struct stat st ;
  int fd ;
  memcpy(fn, dir, dlen) ;
  memcpy(fn + dlen, "/supervise/ok", sizeof("/supervise/ok")) ;
  fd = open(fn, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) ;
  if (fd < 0) return errno == ENXIO || errno == ENOENT ? 0 : -1 ;
  /* a regular file opens for writing whoever runs: it would say "running" of nothing */
  if (fstat(fd, &st) < 0) { fd_close(fd) ; return -1 ; }
  fd_close(fd) ;
  if (!S_ISFIFO(st.st_mode)) { errno = EINVAL ; return -1 ; }
  return 1 ;
}
