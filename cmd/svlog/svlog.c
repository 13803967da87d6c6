/* svlog: multilog-compatible logger that never drops a line: log directories, stdout/stderr
   copies in whole lines, bounded memory with back-pressure, retries on full disks. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <regex.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/types.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include <skalibs/sig.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/djbunix.h>
#include <tend/tai.h>
#include <tend/usage.h>
#include "svlog.h"

#define USAGE "svlog script..."
#define HELP \
"read lines on stdin, select them, stamp them, write them to log directories and descriptors\n" \
"script directives (see svlog(8)):\n" \
"  t           first directive only: a TAI64N label on each line\n" \
"  T           an RFC 3339 UTC time on each line\n" \
"  +PATTERN    select the lines that match PATTERN (* is a wildcard)\n" \
"  -PATTERN    deselect the lines that match PATTERN\n" \
"  ~+REGEX     select the lines a POSIX extended regex matches\n" \
"  ~-REGEX     deselect the lines a POSIX extended regex matches\n" \
"  e           selected lines to stderr (their first 200 bytes)\n" \
"  =FILE       each selected line overwrites FILE (1001 bytes)\n" \
"  sSIZE       maximum size of current, for the directories that follow\n" \
"  nNUM        number of log files kept, for the directories that follow\n" \
"  SBYTES      cap on the archives' total size, for the directories that follow\n" \
"  !PROCESSOR  processor run at rotation, for the directories that follow\n" \
"  pPREFIX     PREFIX and a space after the stamp, for the outputs that follow\n" \
"  lLEN        split lines longer than LEN bytes\n" \
"  ./DIR       a log directory (or /DIR)\n" \
"  1           selected lines to stdout\n" \
"  2           selected lines to stderr\n"

enum act_e { ACT_PLUS, ACT_MINUS, ACT_REPLUS, ACT_REMINUS, ACT_ALERT, ACT_STATUS, ACT_OUTPUT } ;

typedef struct action_s action ;
struct action_s
{
  int type ;
  char const *arg ;
  regex_t re ;
  int fd ;            /* =file */
  unsigned int out ;  /* ACT_OUTPUT: index in outs */
  int errop ;         /* =file: last warned errno */
} ;

unsigned int svlog_retryms = 1000 ;
int svlog_errsave = -1 ;
static unsigned int termms = 2000 ;

static char *pstore ;     /* every prefix, each with its trailing space */
static action *acts ;
static unsigned int nacts ;
static output *outs ;
static unsigned int nouts ;
static int needeval ;     /* some action depends on the line: evaluate the script per line */
static int needview ;     /* multilog patterns, e or =: build the 1000-byte view */

static int stamp_tai, stamp_iso ;
static size_t stamplen ;
static size_t headtext ;  /* bytes of text in the view: 1000 minus the stamp */
static size_t linemax ;   /* l: 0 = no limit */

/* input */
static char inbuf[SVLOG_INSIZE] ;
static size_t inpos, inlen ;
static int eof, forced, term ;
static tain termdeadline ;
/* lines that started before `boundary` arrived with the previous read: they get st_old */
static size_t boundary ;
static char st_old[SVLOG_STAMPMAX], st_new[SVLOG_STAMPMAX] ;

/* the line being written */
static struct
{
  int active ;
  int known ;        /* its end is in the buffer */
  int hasnl ;
  size_t end ;
  size_t col ;       /* text bytes of this line so far (for l) */
  char stamp[SVLOG_STAMPMAX] ;
} ln ;

static char view[SVLOG_HEAD + 1] ;
static size_t viewlen ;

/* ---- errors ---- */

void svlog_error (output *o, int op, char const *verb, char const *obj)
{
  int e = errno ;
  o->blocked = 1 ;
  tain_from_millisecs(&o->retry, svlog_retryms) ;
  tain_add_g(&o->retry, &o->retry) ;
  if (o->errop == op && o->errnum == e) return ;
  o->errop = op ; o->errnum = e ;
  {
    char ms[UINT_FMT] ;
    ms[uint_fmt(ms, svlog_retryms)] = 0 ;
    errno = e ;
    if (o->kind == OUT_DIR && obj != o->d.name)
      strerr_warnwu(verb, o->d.name, "/", obj, ", keeping the data and retrying every ", ms, " ms", ": ", logdir_strerror(e)) ;
    else
      strerr_warnwu(verb, obj, ", keeping the data and retrying every ", ms, " ms", ": ", logdir_strerror(e)) ;
  }
}

void svlog_ok (output *o)
{
  o->errop = 0 ; o->errnum = 0 ;
}

/* ---- stamps ---- */

/* The UTC date and time of T seconds since the epoch, computed here rather than by gmtime_r: in
   the static build gmtime_r brings in glibc's time-zone code (TZ, /etc/localtime, stdio, sscanf,
   strtod: 100 KiB of text), and its first call reads the zone file, all for UTC, which needs no
   zone. Days become a date in the proleptic Gregorian calendar counted in 400-year cycles of
   146097 days that start on March 1st, so that a leap day is the last day of its year. */
static unsigned int utc_split (int64_t t, unsigned int v[5])
{
  int64_t days = t / 86400, sec = t % 86400 ;
  if (sec < 0) { sec += 86400 ; days-- ; }
  days += 719468 ;   /* 0000-03-01 to 1970-01-01 */
  int64_t cycle = (days >= 0 ? days : days - 146096) / 146097 ;
  unsigned int dc = (unsigned int)(days - cycle * 146097) ;                       /* day of the cycle */
  unsigned int yc = (dc - dc / 1460 + dc / 36524 - dc / 146096) / 365 ;          /* year of the cycle */
  unsigned int dy = dc - (365 * yc + yc / 4 - yc / 100) ;                        /* day of the year */
  unsigned int mm = (5 * dy + 2) / 153 ;                                         /* month, 0 = March */
  v[0] = mm < 10 ? mm + 3 : mm - 9 ;
  v[1] = dy - (153 * mm + 2) / 5 + 1 ;
  v[2] = (unsigned int)(sec / 3600) ; v[3] = (unsigned int)(sec / 60 % 60) ; v[4] = (unsigned int)(sec % 60) ;
  return (unsigned int)(cycle * 400 + yc + (v[0] <= 2)) ;
}

static size_t fmt_iso (char *s)
{
  struct timespec ts ;
  unsigned int us ;
  clock_gettime(CLOCK_REALTIME, &ts) ;
  us = (unsigned int)(ts.tv_nsec / 1000) ;
  {
    unsigned int v[6] ;
    unsigned int y = utc_split(ts.tv_sec, v) ;
    char sep[5] = { '-', 'T', ':', ':', '.' } ;
    size_t n = 0 ;
    s[n++] = '0' + y / 1000 % 10 ; s[n++] = '0' + y / 100 % 10 ; s[n++] = '0' + y / 10 % 10 ; s[n++] = '0' + y % 10 ;
    s[n++] = '-' ;
    for (int i = 0 ; i < 5 ; i++)
    {
      s[n++] = '0' + v[i] / 10 ; s[n++] = '0' + v[i] % 10 ;
      s[n++] = sep[i] ;
    }
    for (unsigned int div = 100000 ; div ; div /= 10) s[n++] = '0' + us / div % 10 ;
    s[n++] = 'Z' ; s[n++] = ' ' ;
    return n ;
  }
}

static void stamp_now (char *s)
{
  size_t n = 0 ;
  if (stamp_tai)
  {
    tend_tai64n_t t ;
    tend_tai64n_now(&t) ;
    n += tend_tai64n_fmt(s, &t) ;
    s[n++] = ' ' ;
  }
  if (stamp_iso) n += fmt_iso(s + n) ;
}

/* ---- outputs ---- */

static void put (output *o, char const *s, size_t n)
{
  /* the engine reserves room before each step; a step that writes more is a bug in that
     reckoning: stop loudly rather than write past the buffer */
  if (n > o->bufsize - o->len)
    strerr_dief(101, "internal error: output buffer of ", o->what, " overrun") ;
  memcpy(o->buf + o->len, s, n) ;
  o->len += n ;
}

static void emit_start (output *o)
{
  put(o, ln.stamp, stamplen) ;
  put(o, o->prefix, o->prefixlen) ;
  o->col = stamplen + o->prefixlen ;
}

static void emit_text (output *o, char const *s, size_t n)
{
  if (o->kind == OUT_DIR) { put(o, s, n) ; return ; }
  /* stdout and stderr get pieces of at most PIPE_BUF bytes, so every write to a pipe is
     atomic (and a long line never stalls a buffer that only flushes whole lines); a piece that
     does not end the line ends with a backslash, the next one repeats the stamp and prefix */
  while (n)
  {
    size_t room ;
    if (o->col + 2 >= PIPE_BUF)
    {
      put(o, "\\\n", 2) ;
      o->done = o->len ;
      emit_start(o) ;
      continue ;
    }
    room = PIPE_BUF - 2 - o->col ;
    if (room > n) room = n ;
    put(o, s, room) ;
    o->col += room ; s += room ; n -= room ;
  }
}

static void emit_end (output *o)
{
  put(o, "\n", 1) ;
  o->done = o->len ;
  o->col = 0 ;
}

static void flush_fd (output *o)
{
  while (o->done && !o->blocked && !o->dead)
  {
    size_t n = o->done ;
    ssize_t w ;
    if (o->pipe)
    {
      char const *p ;
      if (!o->writable && !o->nb) return ;
      /* whole lines, at most PIPE_BUF bytes: one atomic write after one POLLOUT */
      if (n > PIPE_BUF) n = PIPE_BUF ;
      p = o->buf + n ;
      while (p > o->buf && p[-1] != '\n') p-- ;
      n = (size_t)(p - o->buf) ;
    }
    w = write(o->nb ? o->nbfd : o->fd, o->buf, n) ;
    /* without a non-blocking description of our own, one write per POLLOUT never blocks */
    if (o->pipe && !o->nb) o->writable = 0 ;
    if (w < 0)
    {
      if (errno == EINTR) continue ;
      if (errno == EAGAIN) { o->writable = 0 ; o->nb = 0 ; o->nbwait = 1 ; return ; }
      if (errno == EPIPE)
      {
        /* a pipe whose reader is gone never comes back: stop copying there, keep logging */
        strerr_warnw("no longer copying lines to ", o->what, ": its reader is gone") ;
        o->dead = 1 ; o->len = o->done = 0 ;
        return ;
      }
      svlog_error(o, 1, "write to ", o->what) ;
      return ;
    }
    memmove(o->buf, o->buf + w, o->len - (size_t)w) ;
    o->len -= (size_t)w ; o->done -= (size_t)w ;
    if (!o->done) svlog_ok(o) ;
  }
}

static void flush_all (void)
{
  for (unsigned int i = 0 ; i < nouts ; i++)
  {
    if (outs[i].kind == OUT_DIR) logdir_flush(outs + i) ;
    else flush_fd(outs + i) ;
  }
}

/* ---- the script ---- */

static output *alertout ;
static unsigned int nalerts ;   /* e directives: each may append SVLOG_ALERTMAX to alertout per line */

static void alert (void)
{
  /* multilog's e: the first 200 bytes, "..." when longer, then a newline. It goes through an
     output of its own, never a blocking write: a stderr nobody reads cannot hang svlog. The
     engine checked its room before evaluating the line: SVLOG_ALERTMAX per e directive. */
  size_t n = viewlen > 200 ? 200 : viewlen ;
  if (alertout->dead) return ;
  put(alertout, view, n) ;
  if (viewlen > 200) put(alertout, "...", 3) ;
  emit_end(alertout) ;
}

static void status (action *a)
{
  /* multilog's =file: 1001 bytes at offset 0, the line padded with newlines */
  memset(view + viewlen, '\n', SVLOG_HEAD + 1 - viewlen) ;
  if (pwrite(a->fd, view, SVLOG_HEAD + 1, 0) == SVLOG_HEAD + 1) { a->errop = 0 ; return ; }
  if (a->errop != errno + 1)
  {
    a->errop = errno + 1 ;
    strerr_warnwusys("write ", a->arg + 1) ;
  }
}

/* The text ~ expressions see: the line's first bytes (at most SVLOG_HEAD), NUL-terminated,
   copied once per line. POSIX regexec needs a C string; REG_STARTEND, which would spare the
   copy, is a glibc/BSD extension that musl lacks. A NUL byte in the line ends the text there. */
static char retext[SVLOG_HEAD + 1] ;
static int needre ;

static int rematch (action *a)
{
  return !regexec(&a->re, retext, 0, 0, 0) ;
}

static void eval (char const *text, size_t textlen)
{
  int sel = 1 ;
  if (needview)
  {
    memcpy(view, ln.stamp, stamplen) ;
    memcpy(view + stamplen, text, textlen) ;
    viewlen = stamplen + textlen ;
  }
  if (needre)
  {
    memcpy(retext, text, textlen) ;
    retext[textlen] = 0 ;
  }
  for (unsigned int i = 0 ; i < nacts ; i++)
  {
    action *a = acts + i ;
    switch (a->type)
    {
      case ACT_PLUS : if (!sel && svlog_match(a->arg + 1, view, viewlen)) sel = 1 ; break ;
      case ACT_MINUS : if (sel && svlog_match(a->arg + 1, view, viewlen)) sel = 0 ; break ;
      case ACT_REPLUS : if (!sel && rematch(a)) sel = 1 ; break ;
      case ACT_REMINUS : if (sel && rematch(a)) sel = 0 ; break ;
      case ACT_ALERT : if (sel) alert() ; break ;
      case ACT_STATUS : if (sel) status(a) ; break ;
      case ACT_OUTPUT : outs[a->out].sel = sel ; break ;
    }
  }
}

/* ---- the line engine ---- */

enum { ENG_INPUT, ENG_ROOM, ENG_DONE } ;

static int engine (void)
{
  for (;;)
  {
    for (unsigned int i = 0 ; i < nouts ; i++)
      if (!outs[i].dead && outs[i].bufsize - outs[i].len < outs[i].reserve) return ENG_ROOM ;
    if (!ln.active)
    {
      size_t avail = inlen - inpos, lim = avail, headlen ;
      char const *nl ;
      if (!avail) return eof || forced ? ENG_DONE : ENG_INPUT ;
      /* a line of exactly l bytes is not split: its newline, one byte past the limit,
         still ends it (else an empty line would follow it) */
      if (linemax && lim > linemax) lim = linemax + 1 ;
      nl = memchr(inbuf + inpos, '\n', lim) ;
      if (nl) { ln.known = 1 ; ln.hasnl = 1 ; ln.end = (size_t)(nl - inbuf) ; }
      else if (linemax && avail > linemax) { ln.known = 1 ; ln.hasnl = 0 ; ln.end = inpos + linemax ; }
      else if (eof || forced) { ln.known = 1 ; ln.hasnl = 0 ; ln.end = inlen ; }
      else if (avail >= headtext) ln.known = 0 ;
      else return ENG_INPUT ;
      /* the stamp of the read() that brought the line's first byte */
      memcpy(ln.stamp, inpos < boundary ? st_old : st_new, stamplen) ;
      headlen = ln.known ? ln.end - inpos : avail ;
      if (headlen > headtext) headlen = headtext ;
      if (needeval) eval(inbuf + inpos, headlen) ;
      for (unsigned int i = 0 ; i < nouts ; i++)
        if (outs[i].sel && !outs[i].dead) emit_start(outs + i) ;
      ln.active = 1 ; ln.col = 0 ;
    }
    {
      size_t n ;
      int end = 0 ;
      if (ln.known)
      {
        n = ln.end - inpos ;
        if (n > SVLOG_PIECE) n = SVLOG_PIECE ;
        else end = 1 ;
      }
      else
      {
        size_t avail = inlen - inpos, lim = SVLOG_PIECE, search ;
        char const *nl ;
        if (!avail)
        {
          if (!(eof || forced)) return ENG_INPUT ;
          end = 1 ;
        }
        if (linemax && linemax - ln.col < lim) lim = linemax - ln.col ;
        if (lim > avail) lim = avail ;
        /* at the l limit, the byte just past it may be this line's newline */
        search = linemax && ln.col + lim == linemax && avail > lim ? lim + 1 : lim ;
        nl = memchr(inbuf + inpos, '\n', search) ;
        if (nl) { n = (size_t)(nl - inbuf) - inpos ; end = 1 ; ln.hasnl = 1 ; }
        else
        {
          n = lim ;
          if (linemax && ln.col + n >= linemax)
          {
            /* split here once the next byte is known not to be a newline */
            if (avail > n || eof || forced) { end = 1 ; ln.hasnl = 0 ; }
            else if (!n) return ENG_INPUT ;
          }
          else if (end) ln.hasnl = 0 ;
        }
      }
      if (n)
        for (unsigned int i = 0 ; i < nouts ; i++)
          if (outs[i].sel && !outs[i].dead) emit_text(outs + i, inbuf + inpos, n) ;
      inpos += n ; ln.col += n ;
      if (end)
      {
        if (ln.hasnl) inpos++ ;
        for (unsigned int i = 0 ; i < nouts ; i++)
          if (outs[i].sel && !outs[i].dead) emit_end(outs + i) ;
        ln.active = 0 ;
      }
    }
  }
}

static int engine_state = ENG_INPUT ;

static void progress (void)
{
  for (;;)
  {
    int room = 1 ;
    engine_state = engine() ;
    flush_all() ;
    if (engine_state != ENG_ROOM) return ;
    for (unsigned int i = 0 ; i < nouts ; i++)
      if (!outs[i].dead && outs[i].bufsize - outs[i].len < outs[i].reserve) room = 0 ;
    if (!room) return ;
  }
}

static int outputs_empty (void)
{
  for (unsigned int i = 0 ; i < nouts ; i++)
  {
    output const *o = outs + i ;
    if (o->dead) continue ;
    if (o->kind == OUT_DIR ? o->len : o->done) return 0 ;
  }
  return 1 ;
}

static int partial_pending (void)
{
  return ln.active || inpos < inlen ;
}

/* read only when everything read so far is written (but a line still arriving): a kill -9
   loses at most one read buffer */
static int want_read (void)
{
  if (eof || forced || engine_state != ENG_INPUT) return 0 ;
  if (term && !partial_pending()) return 0 ;
  return outputs_empty() ;
}

static void do_read (void)
{
  ssize_t r ;
  int pending = !ln.active && inpos < inlen ;
  if (pending && inpos >= boundary) memcpy(st_old, st_new, stamplen) ;
  if (inpos)
  {
    memmove(inbuf, inbuf + inpos, inlen - inpos) ;
    inlen -= inpos ; inpos = 0 ;
  }
  /* what is left is the start of a line that arrived with an earlier read: it keeps st_old */
  boundary = inlen ;
  if (inlen == SVLOG_INSIZE) return ;
  /* after SIGTERM, read the rest of the current line byte by byte, as multilog does: nothing
     past its end is taken from the pipe */
  r = read(0, inbuf + inlen, term ? 1 : SVLOG_INSIZE - inlen) ;
  if (r < 0)
  {
    if (errno == EINTR || errno == EAGAIN) return ;
    strerr_warnwusys("read from stdin, treating it as end of file") ;
    eof = 1 ;
    return ;
  }
  if (!r) { eof = 1 ; return ; }
  boundary = inlen ;
  if (stamplen) stamp_now(st_new) ;
  inlen += (size_t)r ;
}

static uint64_t unwritten (output **worst)
{
  uint64_t n = inlen - inpos ;
  *worst = 0 ;
  for (unsigned int i = 0 ; i < nouts ; i++)
  {
    if (outs[i].dead) continue ;
    n += outs[i].len ;
    if (outs[i].len && (!*worst || outs[i].blocked)) *worst = outs + i ;
  }
  return n ;
}

static int finished (void)
{
  if (!(eof || forced || (term && !partial_pending()))) return 0 ;
  if (partial_pending()) return 0 ;
  for (unsigned int i = 0 ; i < nouts ; i++)
  {
    output const *o = outs + i ;
    if (o->dead) continue ;
    if (o->kind == OUT_DIR ? !logdir_idle(o) : o->len != 0) return 0 ;
  }
  return 1 ;
}

static void reap (void)
{
  for (;;)
  {
    int wstat ;
    pid_t pid = wait_nohang(&wstat) ;
    if (pid <= 0) return ;
    for (unsigned int i = 0 ; i < nouts ; i++)
      if (outs[i].kind == OUT_DIR && outs[i].d.pid == pid) logdir_reaped(outs + i, wstat) ;
  }
}

/* A run-time error of the loop itself (iopause, the selfpipe): warned once per errno, then
   the retry delay is waited out here, without iopause (it, or what it watches, is what
   failed), so a lasting error cannot make svlog spin. */
static void loop_error (char const *what)
{
  static int last ;
  int e = errno ;
  struct timespec ts = { .tv_sec = svlog_retryms / 1000, .tv_nsec = (long)(svlog_retryms % 1000) * 1000000 } ;
  if (e != last)
  {
    char ms[UINT_FMT] ;
    last = e ;
    ms[uint_fmt(ms, svlog_retryms)] = 0 ;
    errno = e ;
    strerr_warnwusys(what, ", retrying every ", ms, " ms") ;
  }
  nanosleep(&ts, 0) ;
  tain_now_g() ;
}

static void handle_signals (void)
{
  for (;;)
  {
    int sig = selfpipe_read() ;
    switch (sig)
    {
      case -1 :
        if (errno != EINTR && errno != EAGAIN) loop_error("read the selfpipe") ;
        return ;
      case 0 : return ;
      /* HUP, INT and QUIT end svlog as TERM does, the partial line kept: a "reload" (svc -h)
         is a restart by supervise, which reruns the possibly edited script */
      case SIGHUP :
      case SIGINT :
      case SIGQUIT :
      case SIGTERM :
        if (!term)
        {
          term = 1 ;
          tain_from_millisecs(&termdeadline, termms) ;
          tain_add_g(&termdeadline, &termdeadline) ;
        }
        break ;
      case SIGALRM :
        for (unsigned int i = 0 ; i < nouts ; i++)
          if (outs[i].kind == OUT_DIR) outs[i].d.rotreq = 1 ;
        break ;
      case SIGCHLD : reap() ; break ;
      default : strerr_dief(101, "internal error: unexpected signal") ;
    }
  }
}

/* Our last words must not block on a stderr pipe nobody reads: write them through a
   non-blocking description of our own (lost if the pipe is full, but svlog exits). */
static void stderr_nonblocking (void)
{
  struct stat st ;
  int fd ;
  if (fstat(2, &st) < 0 || !S_ISFIFO(st.st_mode)) return ;
  /* the original stays for processors, which expect a blocking stderr */
  if (svlog_errsave < 0) svlog_errsave = fcntl(2, F_DUPFD_CLOEXEC, 3) ;
  fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (fd < 0) return ;
  if (fd_move(2, fd) < 0) fd_close(fd) ;
}

static void die_term (void)
{
  output *o ;
  uint64_t n = unwritten(&o) ;
  char fmt[UINT64_FMT] ;
  char ms[UINT_FMT] ;
  int killed = 0 ;
  fmt[uint64_fmt(fmt, n)] = 0 ;
  ms[uint_fmt(ms, termms)] = 0 ;
  for (unsigned int i = 0 ; i < nouts ; i++)
    if (outs[i].kind == OUT_DIR && outs[i].d.pid) { logdir_kill(outs + i) ; killed = 1 ; }
  /* a directory with everything written is closed cleanly; one with data pending is not, so
     the next start archives its current as .u */
  for (unsigned int i = 0 ; i < nouts ; i++)
    if (outs[i].kind == OUT_DIR) logdir_close(outs + i, logdir_idle(outs + i)) ;
  stderr_nonblocking() ;
  if (!n)
  {
    /* only a processor is still at work: current keeps its x bit off, so the next start
       recovers previous and current as .u archives, nothing lost */
    for (unsigned int i = 0 ; i < nouts ; i++)
      if (outs[i].kind == OUT_DIR && outs[i].d.rot != ROT_NONE)
        strerr_dief(111, "rotation of ", outs[i].d.name, " unfinished ", ms, " ms after SIGTERM: ", killed ? "processor killed, " : "", "previous is left for the next start to recover") ;
  }
  if (o && o->errnum)
  {
    errno = o->errnum ;
    strerr_diefu(111, "write ", fmt, " bytes to ", o->what, " within ", ms, " ms of SIGTERM: ", strerror(o->errnum)) ;
  }
  strerr_diefu(111, "write ", fmt, " bytes within ", ms, " ms of SIGTERM") ;
}

/* ---- set-up ---- */

static unsigned int envms (char const *name, unsigned int def)
{
  char const *s = getenv(name) ;
  unsigned int v ;
  if (!s || !*s) return def ;
  if (!uint0_scan(s, &v)) strerr_dief(100, "invalid ", name, ": ", s, " (want milliseconds)") ;
  return v ;
}

/* multilog reads the leading digits of sSIZE and nNUM and ignores the rest */
static uint64_t num_scan (char const *a, int *clean)
{
  uint64_t v = 0 ;
  char const *s = a + 1 ;
  while (*s >= '0' && *s <= '9')
  {
    if (v < (UINT64_MAX - 9) / 10) v = v * 10 + (uint64_t)(*s - '0') ;
    else v = UINT64_MAX / 2 ;
    s++ ;
  }
  *clean = s > a + 1 && !*s ;
  return v ;
}

static void warn_clamp (char const *a, uint64_t v)
{
  char fmt[UINT64_FMT] ;
  fmt[uint64_fmt(fmt, v)] = 0 ;
  strerr_warnw("script directive ", a, " out of range: using ", fmt, " as multilog does") ;
}

/* sSIZE and nNUM: leading digits, clamped into [min, max], each liberty taken said once */
static uint64_t multilog_num (char const *a, uint64_t min, uint64_t max)
{
  int clean ;
  uint64_t v = num_scan(a, &clean) ;
  if (!clean) strerr_warnw("script directive ", a, ": only its leading digits count, as in multilog") ;
  if (v < min) { v = min ; warn_clamp(a, v) ; }
  if (v > max) { v = max ; warn_clamp(a, v) ; }
  return v ;
}

static void unknown (char const *a)
{
  strerr_warnw("unknown script directive ", a[0] ? a : "(empty)", ": ignored, as multilog does") ;
}


/* What regcomp's code says, in our words: regerror formats through snprintf, which would bring
   musl's whole printf (floating point included, 10 KiB of text in every svlog) for this one
   usage error. */
static char const *re_why (int r)
{
  switch (r)
  {
    case REG_BADPAT : return "invalid pattern" ;
    case REG_ECOLLATE : return "invalid collating element" ;
    case REG_ECTYPE : return "invalid character class" ;
    case REG_EESCAPE : return "trailing backslash" ;
    case REG_ESUBREG : return "invalid back reference" ;
    case REG_EBRACK : return "unmatched [" ;
    case REG_EPAREN : return "unmatched ( or )" ;
    case REG_EBRACE : return "unmatched { or }" ;
    case REG_BADBR : return "invalid repetition count" ;
    case REG_ERANGE : return "invalid range" ;
    case REG_ESPACE : return "out of memory" ;
    case REG_BADRPT : return "repetition of nothing" ;
    default : return "unknown error" ;
  }
}

static void parse (int argc, char const *const *argv)
{
  uint64_t size = 99999, cap = 0 ;
  unsigned int num = 10 ;
  char const *processor = 0 ;
  char const *prefix = "" ;
  size_t prefixlen = 0 ;
  size_t pused = 0 ;
  unsigned int no = 0 ;
  int clean ;

  acts = calloc((size_t)argc + 1, sizeof(action)) ;
  outs = calloc((size_t)argc + 1, sizeof(output)) ;
  /* every prefix lives in one allocation, with its trailing space */
  {
    size_t total = 0 ;
    for (int i = 0 ; i < argc ; i++) if (argv[i][0] == 'p') total += strlen(argv[i]) + 1 ;
    pstore = malloc(total + 1) ;
  }
  if (!acts || !outs || !pstore) strerr_diefusys(111, "allocate memory") ;

  for (int i = 0 ; i < argc ; i++)
  {
    char const *a = argv[i] ;
    action *act = acts + nacts ;
    switch (a[0])
    {
      case 't' :
        if (i) { strerr_warnw("script directive ", a, " ignored: t counts only as the first directive, as in multilog") ; break ; }
        stamp_tai = 1 ;
        if (a[1]) strerr_warnw("script directive ", a, " read as t, as multilog does") ;
        break ;
      case 'T' :
        if (a[1]) { unknown(a) ; break ; }
        stamp_iso = 1 ;
        break ;
      case '+' : case '-' :
        act->type = a[0] == '+' ? ACT_PLUS : ACT_MINUS ;
        act->arg = a ; nacts++ ; needeval = needview = 1 ;
        break ;
      case '~' :
      {
        int r ;
        if (a[1] != '+' && a[1] != '-') { unknown(a) ; break ; }
        r = regcomp(&act->re, a + 2, REG_EXTENDED | REG_NOSUB) ;
        if (r)
        {
          strerr_dief(100, "invalid regular expression in script directive ", a, ": ", re_why(r)) ;
        }
        act->type = a[1] == '+' ? ACT_REPLUS : ACT_REMINUS ;
        act->arg = a ; nacts++ ; needeval = needre = 1 ;
        break ;
      }
      case 'e' :
        if (a[1]) strerr_warnw("script directive ", a, " read as e, as multilog does") ;
        act->type = ACT_ALERT ; act->arg = a ; nacts++ ; needeval = needview = 1 ;
        break ;
      case '=' :
        act->type = ACT_STATUS ; act->arg = a ; act->fd = -1 ; nacts++ ; needeval = needview = 1 ;
        break ;
      case 's' : size = multilog_num(a, 4096, 16777215) ; break ;
      case 'n' : num = (unsigned int)multilog_num(a, 2, 1000000) ; break ;
      case 'S' :
      {
        uint64_t v = num_scan(a, &clean) ;
        if (!clean) { unknown(a) ; break ; }
        cap = v ;
        break ;
      }
      case 'l' :
      {
        uint64_t v = num_scan(a, &clean) ;
        if (!clean) { unknown(a) ; break ; }
        if (v > (1u << 30)) { v = 1u << 30 ; warn_clamp(a, v) ; }
        linemax = (size_t)v ;
        break ;
      }
      case '!' : processor = a + 1 ; break ;
      case 'p' :
      {
        size_t n = strlen(a + 1) ;
        if (n > SVLOG_PREFIXMAX)
        {
          char fmt[UINT_FMT] ;
          fmt[uint_fmt(fmt, SVLOG_PREFIXMAX)] = 0 ;
          strerr_dief(100, "script directive p: prefix longer than ", fmt, " bytes") ;
        }
        if (!n) { prefix = "" ; prefixlen = 0 ; break ; }
        memcpy(pstore + pused, a + 1, n) ; pstore[pused + n] = ' ' ;
        prefix = pstore + pused ; prefixlen = n + 1 ; pused += n + 1 ;
        break ;
      }
      case '1' : case '2' :
        if (a[1]) { unknown(a) ; break ; }
        outs[no].kind = OUT_FD ;
        outs[no].fd = a[0] - '0' ;
        outs[no].what = a[0] == '1' ? "stdout" : "stderr" ;
        goto output ;
      case '.' : case '/' :
        outs[no].kind = OUT_DIR ;
        outs[no].what = a ;
        outs[no].d.name = a ;
        outs[no].d.size = size ;
        outs[no].d.num = num ;
        outs[no].d.cap = cap ;
        outs[no].d.processor = processor ;
        outs[no].d.fd = -1 ;
      output :
        outs[no].prefix = prefix ;
        outs[no].prefixlen = prefixlen ;
        outs[no].sel = 1 ;
        act->type = ACT_OUTPUT ; act->arg = a ; act->out = no++ ; nacts++ ;
        break ;
      default : unknown(a) ;
    }
  }
  for (unsigned int i = 0 ; i < nacts ; i++) nalerts += acts[i].type == ACT_ALERT ;
  if (nalerts)
  {
    /* an output no directive selects: only alert() writes there */
    alertout = outs + no ;
    alertout->kind = OUT_FD ; alertout->fd = 2 ; alertout->what = "stderr" ;
    alertout->prefix = "" ;
    no++ ;
  }
  nouts = no ;
  stamplen = (stamp_tai ? TEND_TAI64N_FMT + 1 : 0) + (stamp_iso ? 28 : 0) ;
  headtext = SVLOG_HEAD - stamplen ;
}

int main (int argc, char const *const *argv)
{
  iopause_fd x[3 + 2 * 64] ;
  unsigned int xout[2 * 64] ;
  int sfd ;
  PROG = "svlog" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  if (argc < 1) strerr_dieusage(100, USAGE) ;
  argc-- ; argv++ ;
  umask(022) ;
  if (!fd_sanitize()) strerr_diefusys(111, "sanitize standard descriptors") ;
  svlog_retryms = envms("SVLOG_RETRY", 1000) ;
  if (!svlog_retryms) svlog_retryms = 1 ;
  termms = envms("SVLOG_TERM_TIMEOUT", 2000) ;
  tain_now_set_stopwatch_g() ;
  parse(argc, argv) ;
  if (isatty(0)) strerr_warnw("stdin is a terminal: type lines, end with ^D") ;

  /* =files first, relative to the start directory, as multilog opens them */
  for (unsigned int i = 0 ; i < nacts ; i++)
    if (acts[i].type == ACT_STATUS)
    {
      struct stat st ;
      /* never through a symbolic link, never a FIFO or device: the file may sit in a
         directory another user writes */
      acts[i].fd = open(acts[i].arg + 1, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0600) ;
      if (acts[i].fd < 0) strerr_dief(111, "unable to create ", acts[i].arg + 1, ": ", logdir_strerror(errno)) ;
      if (fstat(acts[i].fd, &st) < 0) strerr_diefusys(111, "stat ", acts[i].arg + 1) ;
      if (!S_ISREG(st.st_mode)) strerr_dief(111, "unable to use ", acts[i].arg + 1, ": ", logdir_strerror(SVLOG_ENOTREG)) ;
    }
  for (unsigned int i = 0 ; i < nouts ; i++)
    if (outs[i].kind == OUT_DIR) logdir_open(outs + i, outs, i) ;
  for (unsigned int i = 0 ; i < nouts ; i++)
  {
    output *o = outs + i ;
    /* room for one engine step: a line start (stamp, prefix), a piece, a PIPE_BUF split
       (backslash, newline, stamp, prefix again) and a newline; the alert output instead gets
       one alert per e directive of the script, all from one line */
    o->reserve = o == alertout ? (size_t)nalerts * SVLOG_ALERTMAX : 2 * (stamplen + o->prefixlen) + SVLOG_PIECE + 8 ;
    /* a script with many e directives needs more than SVLOG_OUTSIZE for one line: the buffer
       then holds two lines' worth, so a flush always makes room for the next line */
    o->bufsize = o->reserve > SVLOG_OUTSIZE / 2 ? 2 * o->reserve : SVLOG_OUTSIZE ;
    o->buf = malloc(o->bufsize) ;
    if (!o->buf) strerr_diefusys(111, "allocate memory") ;
    if (o->kind == OUT_DIR)
    {
      size_t n = strlen(o->d.name) ;
      char *w = malloc(n + sizeof("/current")) ;
      if (!w) strerr_diefusys(111, "allocate memory") ;
      memcpy(w, o->d.name, n) ; memcpy(w + n, "/current", sizeof("/current")) ;
      o->what = w ;
      logdir_start(o) ;
    }
    else
    {
      struct stat st ;
      if (fstat(o->fd, &st) < 0) strerr_diefusys(111, "stat ", o->what) ;
      o->pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ;
      o->nbfd = -1 ;
      if (S_ISFIFO(st.st_mode))
      {
        /* A pipe shared with other writers must stay blocking for them, but a new open file
           description of our own (Linux: through /proc) can be non-blocking: then svlog writes
           PIPE_BUF pieces back to back until EAGAIN, instead of one per POLLOUT. */
        char path[sizeof("/proc/self/fd/") + UINT_FMT] ;
        struct stat st2 ;
        memcpy(path, "/proc/self/fd/", sizeof("/proc/self/fd/") - 1) ;
        path[sizeof("/proc/self/fd/") - 1 + uint_fmt(path + sizeof("/proc/self/fd/") - 1, (unsigned int)o->fd)] = 0 ;
        o->nbfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
        if (o->nbfd >= 0 && (fstat(o->nbfd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino))
        {
          fd_close(o->nbfd) ; o->nbfd = -1 ;
        }
        o->nb = o->nbfd >= 0 ;
      }
    }
  }
  {
    unsigned int npipes = 0 ;
    for (unsigned int i = 0 ; i < nouts ; i++) npipes += outs[i].pipe ;
    if (npipes > 2 * 64) strerr_dief(100, "too many 1 and 2 directives") ;
  }

  /* svlog's own warnings, like its copies, must never block on a stderr pipe nobody reads:
     whole messages or nothing */
  stderr_nonblocking() ;
  sfd = selfpipe_init() ;
  if (sfd < 0) strerr_diefusys(111, "init the selfpipe") ;
  {
    sigset_t set ;
    sigemptyset(&set) ;
    sigaddset(&set, SIGTERM) ; sigaddset(&set, SIGALRM) ; sigaddset(&set, SIGCHLD) ;
    sigaddset(&set, SIGHUP) ; sigaddset(&set, SIGINT) ; sigaddset(&set, SIGQUIT) ;
    if (!selfpipe_trapset(&set)) strerr_diefusys(111, "trap signals") ;
  }
  /* a write to a closed pipe must fail with EPIPE, not kill the logger */
  sig_altignore(SIGPIPE) ;

  for (;;)
  {
    tain deadline ;
    unsigned int n = 0, np = 0 ;
    int inidx = -1, r ;
    progress() ;
    if (finished()) break ;
    if (term && !tain_future(&termdeadline))
    {
      /* the bound is reached: what is still unfinished is the last line, written as is */
      forced = 1 ;
      progress() ;
      if (finished()) break ;
      die_term() ;
    }
    x[n].fd = sfd ; x[n++].events = IOPAUSE_READ ;
    if (want_read()) { inidx = (int)n ; x[n].fd = 0 ; x[n++].events = IOPAUSE_READ ; }
    for (unsigned int i = 0 ; i < nouts ; i++)
      if (outs[i].pipe && !outs[i].dead && !outs[i].blocked && !outs[i].writable && !outs[i].nb && outs[i].done)
      {
        xout[np++] = i ;
        x[n].fd = outs[i].fd ; x[n++].events = IOPAUSE_WRITE ;
      }
    tain_add_g(&deadline, &tain_infinite_relative) ;
    for (unsigned int i = 0 ; i < nouts ; i++)
    {
      if (outs[i].blocked && tain_less(&outs[i].retry, &deadline)) deadline = outs[i].retry ;
      if (outs[i].kind == OUT_DIR && outs[i].d.procfailed && tain_less(&outs[i].d.procretry, &deadline)) deadline = outs[i].d.procretry ;
    }
    if (term && tain_less(&termdeadline, &deadline)) deadline = termdeadline ;
    r = iopause_g(x, n, &deadline) ;
    if (r < 0)
    {
      /* never fatal: wait the retry delay, then look at the signals anyway, so TERM still
         ends svlog */
      if (errno != EINTR) loop_error("iopause") ;
      else tain_now_g() ;
      handle_signals() ;
      continue ;
    }
    if (x[0].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT)) handle_signals() ;
    if (inidx >= 0 && x[inidx].revents & (IOPAUSE_READ | IOPAUSE_EXCEPT)) do_read() ;
    for (unsigned int j = 0 ; j < np ; j++)
      if (x[n - np + j].revents & (IOPAUSE_WRITE | IOPAUSE_EXCEPT))
      {
        output *o = outs + xout[j] ;
        o->writable = 1 ;
        if (o->nbwait) { o->nb = 1 ; o->nbwait = 0 ; }
      }
    for (unsigned int i = 0 ; i < nouts ; i++)
      if (outs[i].blocked && !tain_future(&outs[i].retry)) outs[i].blocked = 0 ;
  }

  for (unsigned int i = 0 ; i < nouts ; i++)
    if (outs[i].kind == OUT_DIR) logdir_close(outs + i, 1) ;
  return 0 ;
}
