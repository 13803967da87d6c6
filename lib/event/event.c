/* event.c: one-byte event broadcast through a directory of FIFOs (no daemon, no sockets). */

#include <skalibs/nonposix.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>
#include <tend/event.h>

/* Linux getdents64 on a fixed buffer: supervise notifies on every change and must not touch
   the heap after start-up, which opendir() would (it mallocs its DIR). */
struct linux_dirent64
{
  uint64_t d_ino ;
  int64_t d_off ;
  unsigned short d_reclen ;
  unsigned char d_type ;
  char d_name[] ;
} ;

unsigned int tend_event_notify (char const *dir, char ev)
{
  return tend_event_notifyn(dir, &ev, 1) ;
}

unsigned int tend_event_notifyn (char const *dir, char const *evs, size_t nev)
{
  unsigned int n = 0 ;
  size_t dlen = strlen(dir) ;
  char buf[1024] __attribute__((aligned(8))) ;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (dfd < 0) return 0 ;
  for (;;)
  {
    long r = syscall(SYS_getdents64, dfd, buf, sizeof buf) ;
    if (r <= 0) break ;
    for (long off = 0 ; off < r ; )
    {
      struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off) ;
      off += de->d_reclen ;
      if (strncmp(de->d_name, TEND_EVENT_PREFIX, sizeof(TEND_EVENT_PREFIX) - 1)) continue ;
      {
        size_t nlen = strlen(de->d_name) ;
        char fn[dlen + nlen + 2] ;
        int fd ;
        memcpy(fn, dir, dlen) ; fn[dlen] = '/' ;
        memcpy(fn + dlen + 1, de->d_name, nlen + 1) ;
        fd = open(fn, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
        if (fd < 0)
        {
          /* no reader: the waiter died without cleaning up */
          if (errno == ENXIO) unlink(fn) ;
          continue ;
        }
        if (write(fd, evs, nev) == (ssize_t)nev) n++ ;
        else if (errno == EPIPE) unlink(fn) ;
        /* EAGAIN: the waiter's FIFO is full of unread events; it is awake anyway */
        close(fd) ;
      }
    }
  }
  close(dfd) ;
  return n ;
}

int tend_event_subscribe (char const *svdir, char *path)
{
  static unsigned int seq = 0 ;
  size_t len = strlen(svdir) ;
  char pidfmt[PID_FMT] ;
  char seqfmt[UINT_FMT] ;
  int fd ;
  memcpy(path, svdir, len) ;
  memcpy(path + len, "/supervise/event/" TEND_EVENT_PREFIX, sizeof("/supervise/event/" TEND_EVENT_PREFIX)) ;
  len += sizeof("/supervise/event/" TEND_EVENT_PREFIX) - 1 ;
  pidfmt[pid_fmt(pidfmt, getpid())] = 0 ;
  seqfmt[uint_fmt(seqfmt, seq++)] = 0 ;
  memcpy(path + len, pidfmt, strlen(pidfmt)) ; len += strlen(pidfmt) ;
  path[len++] = ':' ;
  memcpy(path + len, seqfmt, strlen(seqfmt) + 1) ;
  unlink(path) ;
  if (mkfifo(path, 0600) < 0) return -1 ;
  fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) { int e = errno ; unlink(path) ; errno = e ; return -1 ; }
  return fd ;
}
