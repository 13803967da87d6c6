/* control.c: one way for every program to write a control FIFO: non-blocking, FIFO only, atomic. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <tend/control.h>

int tend_control_write (char const *path, char const *s, size_t n)
{
  struct stat st ;
  ssize_t r ;
  int fd ;
  if (n > TEND_CONTROL_MAX) { errno = EMSGSIZE ; return 0 ; }
  /* O_NONBLOCK: without a reader the open fails with ENXIO instead of waiting for one.
     O_NOFOLLOW: every supervisor makes its control FIFO itself, so a link there was planted;
     following it would send our bytes (root's, at svscan's stop) to another supervisor. */
  fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  if (fstat(fd, &st) < 0) { fd_close(fd) ; return 0 ; }
  if (!S_ISFIFO(st.st_mode)) { fd_close(fd) ; errno = EINVAL ; return 0 ; }
  if (!n) { fd_close(fd) ; return 1 ; }
  /* still non-blocking: a full FIFO (a stopped reader) gives EAGAIN, never a hang; n <= PIPE_BUF
     makes the write all or nothing, so no retry loop can be needed */
  do r = write(fd, s, n) ; while (r < 0 && errno == EINTR) ;
  if (r < 0) { fd_close(fd) ; return 0 ; }
  fd_close(fd) ;
  if ((size_t)r < n) { errno = EAGAIN ; return 0 ; }
  return 1 ;
}

int tend_control_send (char const *dir, char const *suffix, char const *s, size_t n)
{
  size_t dlen = strlen(dir), slen = strlen(suffix) ;
  char fn[dlen + slen + 1] ;
  memcpy(fn, dir, dlen) ;
  memcpy(fn + dlen, suffix, slen + 1) ;
  return tend_control_write(fn, s, n) ;
}

char const *tend_control_strerror (int e)
{
  switch (e)
  {
    case ENXIO : return "not running" ;
    case EINVAL : return "not a FIFO" ;
    case ELOOP : return "a symbolic link, never followed" ;
    case EAGAIN : return "FIFO full: its reader is not reading" ;
    default : return strerror(e) ;
  }
}
