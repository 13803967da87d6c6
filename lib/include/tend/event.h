/* tend/event.h: the supervise/event/ FIFO directory: supervise notifies, waiters listen. */
#ifndef TEND_EVENT_H
#define TEND_EVENT_H

#include <stddef.h>

/* Event bytes, written once into each FIFO of supervise/event/ on every change. */
#define TEND_EVENT_START 's'
#define TEND_EVENT_UP 'u'
#define TEND_EVENT_READY 'U'
#define TEND_EVENT_DOWN 'd'
#define TEND_EVENT_FINISHED 'D'
#define TEND_EVENT_EXIT 'x'
#define TEND_EVENT_FAILED 'F'

#define TEND_EVENT_PREFIX "tend-wait:"
/* a waiter's FIFO while it is being set up: supervise leaves names with this prefix alone */
#define TEND_EVENT_TMPPREFIX "tend-new:"

/* supervise's side: write ev into every FIFO of dir (relative or absolute). FIFOs without a
   reader (ENXIO, EPIPE) are removed: their waiter is gone. Returns the number notified. */
extern unsigned int tend_event_notify (char const *dir, char ev) ;
/* the same with several event bytes, in order, in one write to each FIFO */
extern unsigned int tend_event_notifyn (char const *dir, char const *evs, size_t n) ;
/* the same on an open descriptor of the directory (supervise holds one): entries are opened
   relative to it, FIFOs only, never through a symlink */
extern unsigned int tend_event_notifyn_at (int dirfd, char const *evs, size_t n) ;

/* A waiter's side: creates a FIFO in SVDIR/supervise/event/ and opens it for reading,
   non-blocking and close-on-exec: made as TEND_EVENT_TMPPREFIX..., opened, then renamed to
   TEND_EVENT_PREFIX..., so supervise never sees it without its reader. path must hold strlen(svdir) + TEND_EVENT_PATHEXTRA bytes;
   it receives the FIFO's path (to unlink when done). Returns the fd, or -1 with errno. */
#define TEND_EVENT_PATHEXTRA 80
extern int tend_event_subscribe (char const *svdir, char *path) ;

#endif
