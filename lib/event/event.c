/* event.c: one-byte event broadcast through a directory of FIFOs (no daemon, no sockets). */

#include <skalibs/nonposix.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>  /* rename */
#include <stdint.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>
#include <tend/event.h>

unsigned int tend_event_notify (char const *dir, char ev)
{
  return tend_event_notifyn(dir, &ev, 1) ;
}

unsigned int tend_event_notifyn (char const *dir, char const *evs, size_t nev)
{
  unsigned int n ;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) return 0 ;
  n = tend_event_notifyn_at(fd, evs, nev) ;
  close(fd) ;
  return n ;
}

/* the kernel's record; glibc declares it only with its own getdents64 */
struct event_dirent64
{
  uint64_t d_ino ;
  int64_t d_off ;
  unsigned short d_reclen ;
  unsigned char d_type ;
  char d_name[] ;
} ;

/* One waiter's FIFO: only a FIFO, never through a link, never as a controlling tty. The event
   dir is supervise's own (0700), but a waiter's entry could still be anything it left there. */
static int notify_one (int dfd, char const *name, unsigned char type, char const *evs, size_t nev)
{
  int fd, r = 0 ;
  if (strncmp(name, TEND_EVENT_PREFIX, sizeof(TEND_EVENT_PREFIX) - 1)) return 0 ;
  if (type == DT_UNKNOWN)
  {
    struct stat st ;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return 0 ;
    if (!S_ISFIFO(st.st_mode)) return 0 ;
  }
  else if (type != DT_FIFO) return 0 ;
  fd = openat(dfd, name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0)
  {
    /* no reader: the waiter died without cleaning up */
    if (errno == ENXIO) unlinkat(dfd, name, 0) ;
    return 0 ;
  }
  if (write(fd, evs, nev) == (ssize_t)nev) r = 1 ;
  else if (errno == EPIPE) unlinkat(dfd, name, 0) ;
  /* EAGAIN: the waiter's FIFO is full of unread events; it is awake anyway */
  close(fd) ;
  return r ;
}

unsigned int tend_event_notifyn_at (int dfd, char const *evs, size_t nev)
{
  /* no heap, and no open of the directory: supervise notifies on every change */
  char buf[1024] __attribute__((aligned(8))) ;
  unsigned int n = 0 ;
  if (lseek(dfd, 0, SEEK_SET) < 0) return 0 ;
  for (;;)
  {
    long r = syscall(SYS_getdents64, dfd, buf, sizeof buf) ;
    if (r <= 0) break ;
    for (long off = 0 ; off < r ; )
    {
      struct event_dirent64 *de = (struct event_dirent64 *)(buf + off) ;
      off += de->d_reclen ;
      n += (unsigned int)notify_one(dfd, de->d_name, de->d_type, evs, nev) ;
    }
  }
  return n ;
}

int tend_event_subscribe (char const *svdir, char *path)
{
  static unsigned int seq = 0 ;
  size_t len = strlen(svdir), dlen, tlen ;
  char pidfmt[PID_FMT] ;
  char seqfmt[UINT_FMT] ;
  char tail[PID_FMT + UINT_FMT + 2] ;
  int fd ;
  pidfmt[pid_fmt(pidfmt, getpid())] = 0 ;
  seqfmt[uint_fmt(seqfmt, seq++)] = 0 ;
  tlen = strlen(pidfmt) ;
  memcpy(tail, pidfmt, tlen) ; tail[tlen++] = ':' ;
  memcpy(tail + tlen, seqfmt, strlen(seqfmt) + 1) ; tlen += strlen(seqfmt) ;
  memcpy(path, svdir, len) ;
  memcpy(path + len, "/supervise/event/", sizeof("/supervise/event/") - 1) ;
  dlen = len + sizeof("/supervise/event/") - 1 ;
  {
    /* Made under a name supervise's notify ignores, opened, and only then renamed into
       place: a FIFO named TEND_EVENT_PREFIX... without its reader yet would be taken for a
       dead waiter's (ENXIO) and removed under us. */
    char tmp[dlen + sizeof(TEND_EVENT_TMPPREFIX) + tlen] ;
    memcpy(tmp, path, dlen) ;
    memcpy(tmp + dlen, TEND_EVENT_TMPPREFIX, sizeof(TEND_EVENT_TMPPREFIX) - 1) ;
    memcpy(tmp + dlen + sizeof(TEND_EVENT_TMPPREFIX) - 1, tail, tlen + 1) ;
    memcpy(path + dlen, TEND_EVENT_PREFIX, sizeof(TEND_EVENT_PREFIX) - 1) ;
    memcpy(path + dlen + sizeof(TEND_EVENT_PREFIX) - 1, tail, tlen + 1) ;
    unlink(tmp) ;
    if (mkfifo(tmp, 0600) < 0) return -1 ;
    fd = open(tmp, O_RDONLY | O_NONBLOCK | O_CLOEXEC) ;
    if (fd < 0) { int e = errno ; unlink(tmp) ; errno = e ; return -1 ; }
    if (rename(tmp, path) < 0) { int e = errno ; close(fd) ; unlink(tmp) ; errno = e ; return -1 ; }
  }
  return fd ;
}
