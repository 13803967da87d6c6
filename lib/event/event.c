/* event.c: one-byte event broadcast through a directory of FIFOs (no daemon, no sockets). */

#include <skalibs/nonposix.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>
#include <tend/event.h>
#include <tend/dirscan.h>

unsigned int tend_event_notify (char const *dir, char ev)
{
  return tend_event_notifyn(dir, &ev, 1) ;
}

/* What one notification carries to each FIFO of the directory. */
struct notify_s
{
  char const *dir ;
  size_t dlen ;
  char const *evs ;
  size_t nev ;
  unsigned int n ;
} ;

static void notify_one (char const *name, void *aux)
{
  struct notify_s *x = aux ;
  size_t nlen ;
  int fd ;
  if (strncmp(name, TEND_EVENT_PREFIX, sizeof(TEND_EVENT_PREFIX) - 1)) return ;
  nlen = strlen(name) ;
  {
    char fn[x->dlen + nlen + 2] ;
    memcpy(fn, x->dir, x->dlen) ; fn[x->dlen] = '/' ;
    memcpy(fn + x->dlen + 1, name, nlen + 1) ;
    fd = open(fn, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
    if (fd < 0)
    {
      /* no reader: the waiter died without cleaning up */
      if (errno == ENXIO) unlink(fn) ;
      return ;
    }
    if (write(fd, x->evs, x->nev) == (ssize_t)x->nev) x->n++ ;
    else if (errno == EPIPE) unlink(fn) ;
    /* EAGAIN: the waiter's FIFO is full of unread events; it is awake anyway */
    close(fd) ;
  }
}

unsigned int tend_event_notifyn (char const *dir, char const *evs, size_t nev)
{
  /* no heap: supervise notifies on every change */
  struct notify_s x = { .dir = dir, .dlen = strlen(dir), .evs = evs, .nev = nev, .n = 0 } ;
  tend_dirscan(dir, &notify_one, &x) ;
  return x.n ;
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
