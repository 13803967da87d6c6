/* svlog.h: svlog's shared state: outputs (log directories, stdout, stderr) and their errors. */
#ifndef SVLOG_H
#define SVLOG_H

#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <skalibs/tai.h>
#include <tend/tai.h>

/* The read buffer: svlog reads at most this much before everything read so far is written,
   so a kill -9 loses at most this many bytes of input. Documented in svlog.8. */
#define SVLOG_INSIZE 16384
/* Per output: rendered lines (stamp, prefix, text) wait here for one write. */
#define SVLOG_OUTSIZE 32768
/* Long lines go to the outputs in pieces of at most this many bytes of text. */
#define SVLOG_PIECE 1024
/* multilog's line buffer: patterns, e and = see the first 1000 bytes, stamp included. */
#define SVLOG_HEAD 1000
#define SVLOG_PREFIXMAX 256
/* what one e directive adds for one line: 200 bytes, "...", a newline */
#define SVLOG_ALERTMAX 204
/* "@" 24 hex " " + "YYYY-MM-DDTHH:MM:SS.uuuuuuZ " */
#define SVLOG_STAMPMAX 54
/* multilog's rotation tolerance: within this many bytes of s, rotate at a line end */
#define SVLOG_TOLERANCE 2000

enum svlog_kind_e { OUT_DIR, OUT_FD } ;

/* rotation steps of a log directory, resumable after an error */
enum svlog_rot_e
{
  ROT_NONE,
  ROT_SYNC,       /* fsync current */
  ROT_RENAME,     /* current -> previous */
  ROT_OPEN,       /* new current */
  ROT_CHMOD,      /* previous 0744 */
  ROT_PROC,       /* start the processor */
  ROT_PROCWAIT,   /* processor running: current is writable meanwhile */
  ROT_PROCDONE,   /* processed and newstate to disk, previous removed, newstate -> state */
  ROT_FINISH      /* previous (or processed) -> @stamp.s, prune */
} ;

typedef struct logdir_s logdir ;
struct logdir_s
{
  char const *name ;
  int dfd ;
  dev_t dev ;           /* the directory's identity: one output per directory */
  ino_t ino ;
  int fd ;              /* current, or -1 */
  uint64_t bytes ;      /* size of current */
  uint64_t size ;       /* s */
  unsigned int num ;    /* n */
  uint64_t cap ;        /* S: total size of the archives, 0 = none */
  char const *processor ;
  int rot ;
  int rotreq ;          /* SIGALRM asked for a rotation */
  int atnl ;            /* the last byte written to current is a newline (or current is empty) */
  tend_tai64n_t newest ; /* the newest archive name: a new one never sorts before it */
  int hasnewest ;
  int oldfd ;           /* rotation: the file just renamed to previous, until its chmod */
  int lost ;            /* rotation: current had been replaced, there is no previous */
  pid_t pid ;           /* running processor, or 0 */
  unsigned int procerr ;  /* last failure warned about: exit code + 1, 0 = none */
  int procfailed ;      /* the processor failed: respawn at procretry */
  tain procretry ;
} ;

typedef struct output_s output ;
struct output_s
{
  int kind ;
  int fd ;
  int pipe ;            /* a pipe or socket: writes hold whole lines, at most PIPE_BUF bytes */
  int writable ;        /* pipe: POLLOUT seen since the last write */
  int nbfd ;            /* pipe: our own non-blocking open of it, or -1 */
  int nb ;              /* write through nbfd until it says EAGAIN */
  int nbwait ;          /* nbfd said EAGAIN: wait for POLLOUT */
  int dead ;            /* its reader is gone for good (EPIPE) */
  char *buf ;
  size_t bufsize ;      /* allocated size of buf: put() never goes past it */
  size_t len ;
  size_t done ;         /* OUT_FD: end of the last complete line in buf */
  size_t col ;          /* pipe: bytes in the current piece of the current line */
  char const *prefix ;  /* with its trailing space, or empty */
  size_t prefixlen ;
  size_t reserve ;      /* room needed in buf before the engine emits one more piece */
  int sel ;
  char const *what ;    /* for messages: "DIR/current", "stdout", "stderr" */
  /* errors: warn once per distinct (operation, errno), retry at a deadline */
  int blocked ;
  tain retry ;
  int errop ;
  int errnum ;
  logdir d ;
} ;

extern unsigned int svlog_retryms ;
extern int svlog_errsave ;   /* the blocking stderr we were given, for processors, or -1 */

/* errno for "not a regular file", which POSIX lacks: a code no call of svlog's returns */
#ifdef EMEDIUMTYPE
#define SVLOG_ENOTREG EMEDIUMTYPE
#else
#define SVLOG_ENOTREG EFTYPE
#endif

/* logdir.c */
extern char const *logdir_strerror (int) ;
extern void logdir_open (output *, output const *, unsigned int) ;
extern void logdir_start (output *) ;
extern void logdir_flush (output *) ;
extern int logdir_idle (output const *) ;
extern void logdir_reaped (output *, int) ;
extern void logdir_kill (output *) ;
extern void logdir_close (output *, int) ;
/* svlog.c */
extern void svlog_error (output *, int, char const *, char const *) ;
extern void svlog_ok (output *) ;

/* match.c */
extern int svlog_match (char const *, char const *, size_t) ;

#endif
