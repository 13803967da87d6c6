/* tend/status.h: the supervise/status file: daemontools' 18 bytes, runit's 20, tend's extension. */
#ifndef TEND_STATUS_H
#define TEND_STATUS_H

#include <stdint.h>
#include <stddef.h>
#include <tend/tai.h>

/* Byte offsets. 0..19 are shared with daemontools (0..17) and runit (0..19). */
#define TEND_STATUS_OFF_STAMP 0        /* TAI64N (12) of the last start or stop */
#define TEND_STATUS_OFF_PID 12         /* 4, little-endian: run's pid, finish's while it runs */
#define TEND_STATUS_OFF_PAUSED 16
#define TEND_STATUS_OFF_WANT 17        /* 'u', 'd', or 0 after 'o' */
#define TEND_STATUS_OFF_GOTTERM 18     /* down-signal sent, death not seen yet */
#define TEND_STATUS_OFF_RUNSTATE 19    /* 0 down, 1 run, 2 finish */
/* tend's extension, version 1 (all big-endian) */
#define TEND_STATUS_OFF_VERSION 20
#define TEND_STATUS_OFF_STATE 21       /* TEND_STATE_* */
#define TEND_STATUS_OFF_FLAGS 22       /* 2: TEND_STATUS_F_* */
#define TEND_STATUS_OFF_READY 24       /* TAI64N (12) when it became ready; zero if not ready */
#define TEND_STATUS_OFF_LASTWSTAT 36   /* 4: wait status of the last death */
#define TEND_STATUS_OFF_DEATHS 40      /* 4: deaths since supervise started */
#define TEND_STATUS_OFF_DEADLINE 44    /* 8: CLOCK_MONOTONIC ms of the delayed restart, 0 = none */
#define TEND_STATUS_SIZE 52
#define TEND_STATUS_COMPAT_DAEMONTOOLS 18
#define TEND_STATUS_COMPAT_RUNIT 20
#define TEND_STATUS_VERSION 1

enum tend_state_e
{
  TEND_STATE_DOWN = 0,
  TEND_STATE_STARTING,    /* forked, exec not confirmed yet */
  TEND_STATE_UP,          /* running, readiness pending (or no readiness configured yet) */
  TEND_STATE_READY,       /* running and ready */
  TEND_STATE_STOPPING,    /* down-signal sent, waiting for the death */
  TEND_STATE_FINISHING,   /* ./finish running */
  TEND_STATE_BACKOFF,     /* dead, restart delayed until the deadline */
  TEND_STATE_FAILED,      /* gave up: stays down until 'u' */
  TEND_STATE_COUNT
} ;

#define TEND_STATUS_F_READY 0x0001
#define TEND_STATUS_F_FAILED 0x0002
#define TEND_STATUS_F_NORMALLYUP 0x0004
#define TEND_STATUS_F_CRITICAL 0x0008
#define TEND_STATUS_F_DELAYED 0x0010
#define TEND_STATUS_F_HASDIED 0x0020    /* lastwstat is meaningful */
#define TEND_STATUS_F_EXITING 0x0040    /* 'x' received */
#define TEND_STATUS_F_EXECFAIL 0x0080   /* the last start failed at exec */
#define TEND_STATUS_F_REQUESTED 0x0100  /* the last death was requested (svc -r, -t, -d...): not a crash */

typedef struct tend_status_s tend_status_t ;
struct tend_status_s
{
  tend_tai64n_t stamp ;
  uint32_t pid ;
  uint8_t paused ;
  char want ;
  uint8_t gotterm ;
  uint8_t runstate ;
  uint8_t version ;        /* 0: the file has no tend extension (daemontools, runit) */
  uint8_t state ;
  uint16_t flags ;
  tend_tai64n_t ready ;
  uint32_t lastwstat ;
  uint32_t deaths ;
  uint64_t deadline ;
  size_t len ;             /* bytes the file had, on reading */
} ;
#define TEND_STATUS_ZERO { .stamp = TEND_TAI64N_ZERO, .pid = 0, .paused = 0, .want = 0, .gotterm = 0, .runstate = 0, .version = 0, .state = 0, .flags = 0, .ready = TEND_TAI64N_ZERO, .lastwstat = 0, .deaths = 0, .deadline = 0, .len = 0 }

extern void tend_status_pack (char *, tend_status_t const *) ;
/* 1 on success, 0 if fewer than 18 bytes (bad format) */
extern int tend_status_unpack (char const *, size_t, tend_status_t *) ;
/* reads DIR/supervise/status: 1 ok, 0 bad format (errno = EPROTO), -1 system error (errno;
   EINVAL: not a regular file). Never blocks: a FIFO there is refused, not waited on. */
extern int tend_status_read (char const *, tend_status_t *) ;
/* 1 if every field holds a value a supervisor can write (rejects garbage before it is shown) */
extern int tend_status_valid (tend_status_t const *) ;
/* supervise's writer: status.new (made anew, links never followed) then renamed to status,
   both in the directory dfd (supervise/). 1, or 0 with errno */
extern int tend_status_write (int dfd, tend_status_t const *) ;
extern char const *tend_state_name (unsigned int) ;

#endif
