/* tend/wait.h: wait until services reach a state, woken by supervise's event FIFOs. */
#ifndef TEND_WAIT_H
#define TEND_WAIT_H

#include <sys/types.h>
#include <skalibs/tai.h>
#include <tend/status.h>
#include <tend/event.h>

/* What a waiter watches, one per service. Fill dir, then call tend_wait_prepare. */
typedef struct tend_waiter_s tend_waiter_t ;
struct tend_waiter_s
{
  char const *dir ;
  char *fifo ;        /* caller-provided, strlen(dir) + TEND_EVENT_PATHEXTRA bytes */
  int fd ;            /* event FIFO, or -1: the supervisor has no event dir (daemontools, runit): polled */
  int wfd ;           /* our own writer on it, so the reader never sees end-of-file */
  dev_t dev ;         /* identity of our FIFO, to notice that someone removed it */
  ino_t ino ;
  uint32_t pid0 ;     /* pid when the wait began, for 'r' */
  int result ;        /* TEND_WAIT_PENDING, _REACHED, _NEVER */
  char why[64] ;      /* for _NEVER: what happened */
} ;

#define TEND_WAIT_PENDING 0
#define TEND_WAIT_REACHED 1
#define TEND_WAIT_NEVER 2

/* Does the status satisfy the state letter (u U d D r)? */
extern int tend_wait_satisfied (tend_status_t const *, char state, uint32_t pid0) ;
/* 1 if state is one of u U d D r */
extern int tend_wait_validstate (char) ;
/* The subscription alone (w->dir and w->fifo filled), for a caller with its own event loop:
   w->fd is then readable on each event. 0 with errno when it fails. */
extern int tend_wait_subscribe (tend_waiter_t *) ;
/* closes both fds and removes the FIFO */
extern void tend_wait_unsubscribe (tend_waiter_t *) ;
/* Subscribes first, then reads the status: no change between the two can be missed. */
extern void tend_wait_prepare (tend_waiter_t *, unsigned int n) ;
/* Waits until all (any=0) or one (any=1) reach state, or deadline (NULL: none).
   Returns 1 on success, 0 otherwise (results say which did not make it). Unsubscribes. */
extern int tend_wait_run (tend_waiter_t *, unsigned int n, char state, int any, tain const *deadline) ;
extern char const *tend_wait_statename (char) ;

#endif
