/* supervise: run DIR/run, restart it when it dies, obey supervise/control, publish status. */

#include <skalibs/nonposix.h>  /* vfork */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/types.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/strerr.h>
#include <skalibs/sig.h>
#include <skalibs/nsig.h>
#include <skalibs/tai.h>
#include <skalibs/iopause.h>
#include <skalibs/selfpipe.h>
#include <skalibs/djbunix.h>
#include <skalibs/env.h>
#include <skalibs/exec.h>
#include <tend/tai.h>
#include <tend/clock.h>
#include <tend/status.h>
#include <tend/event.h>
#include <tend/envdir.h>
#include <tend/sig.h>
#include <tend/usage.h>
#include "settings.h"
#include "orphan.h"
#include "privdir.h"

#define USAGE "supervise dir"
#define HELP \
"run dir/run and keep it running; controlled through dir/supervise/control\n"

extern char **environ ;

/* The events of the state machine. Control bytes that only send a signal (p c h a i t k q 1 2)
   change no state and are handled beside the table. */
enum ev_e
{
  EV_UP,        /* u, U */
  EV_DOWN,      /* d, D */
  EV_ONCE,      /* o */
  EV_EXIT,      /* x */
  EV_RESTART,   /* r */
  EV_EXECOK,    /* the exec-confirmation pipe closed without an error */
  EV_DEATH,     /* run's process was reaped */
  EV_FINISHED,  /* finish's process was reaped */
  EV_TIMER,     /* the state's deadline passed */
  EV_READY,     /* readiness: notification newline or check success */
  EV_COUNT
} ;

typedef void action_t (void) ;

static struct
{
  char const *name ;          /* as given: passed to run as NAME */
  unsigned int state ;
  pid_t pid ;                 /* run, 0 when none */
  pid_t finishpid ;
  pid_t checkpid ;
  int spawnfd ;               /* exec-confirmation pipe, read end */
  int notifyfd ;              /* readiness pipe, read end */
  size_t notifybytes ;        /* read from it so far, without a newline */
  char want ;                 /* 'u', 'd', or 0 after 'o' */
  int exiting ;
  int paused ;
  int gotterm ;
  int restartnow ;            /* 'r': come back at once, without backoff */
  char request ;              /* control letter that asked the current run to die, or 0 */
  int requestsig ;            /* 0: any death of this run is the requested one; else only a
                                 death by this signal (h a 1 2: programs often handle those) */
  char lastrequest ;          /* request of the last death (0: it died on its own) */
  int execfailed ;
  int execok ;                /* a vfork child exec'd: EV_EXECOK is due */
  unsigned int k ;            /* backoff exponent */
  int wstat ;                 /* of the last death */
  int haswstat ;
  int finishcode ;
  uint32_t deaths ;
  tain starttime ;            /* monotonic, of the current run */
  tain statedeadline ;        /* the state's timer; infinite when none */
  tain checkdeadline ;        /* next ./check run, while up and not ready */
  tain checkkill ;            /* the running ./check is killed then (timeout-check) */
  uint32_t gen ;              /* run number: one per start of ./run */
  uint32_t checkgen ;         /* the run the running ./check was started for */
  tain groupkilldeadline ;    /* SIGKILL to a dead run's leftover group */
  tain statusretry ;          /* rewrite the status files after a failed write */
  pid_t deadpgid ;
  tend_tai64n_t stamp ;
  tend_tai64n_t readystamp ;
  settings_t set ;
  int critical ;
  uint64_t deathring[SETTINGS_MAXRESTARTS_MAX + 1] ;
  unsigned int deathpos ;
  unsigned int deathcount ;
} sv ;

static int controlfd = -1 ;
static int sdfd = -1 ;      /* supervise/, verified at start-up: every write in it goes through this fd */
static int evfd = -1 ;      /* supervise/event/ */

static void statedeadline_none (void) { tain_add_g(&sv.statedeadline, &tain_infinite_relative) ; }

/* Start-up: no deadline armed, the state's time stamp now (main before its loop; the
   state-machine fuzz target starts every input from here too) */
static void deadlines_none (void)
{
  statedeadline_none() ;
  tain_add_g(&sv.checkdeadline, &tain_infinite_relative) ;
  tain_add_g(&sv.checkkill, &tain_infinite_relative) ;
  tain_add_g(&sv.groupkilldeadline, &tain_infinite_relative) ;
  tain_add_g(&sv.statusretry, &tain_infinite_relative) ;
  tend_tai64n_now(&sv.stamp) ;
}
static void statedeadline_ms (unsigned int ms)
{
  tain t ;
  tain_from_millisecs(&t, (int)ms) ;
  tain_add_g(&sv.statedeadline, &t) ;
}

/* ---------- publishing ---------- */

/* Changes are published once per loop iteration: announce() and event() only note them, and
   flush() writes the status files, then wakes the waiters with every event byte at once. The
   status is always written before the events go out, so a woken waiter reads the new state. */
static int dirty = 0 ;
static int statusstale = 0 ;  /* the last status write failed: the files on disk are old */
static char evq[32] ;
static size_t evqlen = 0 ;
static char laststat[64] ;
static size_t laststatlen = (size_t)-1 ;
static char lastpid[PID_FMT + 1] ;
static size_t lastpidlen = (size_t)-1 ;

/* A stop request ('d', 'x', the down-signal sent) is worth publishing, but not worth a set of
   status writes of its own when the death it causes follows at once: one write then says both,
   three file replacements per stopped service instead of five. It waits PUBLISH_LATER_MS at
   most; any event, or any other change, publishes it at once. */
#define PUBLISH_LATER_MS 20
static int deferred = 0 ;
static tain pubdeadline ;

static void announce (void) { dirty = 1 ; deferred = 0 ; }

static void announce_soon (void)
{
  tain t ;
  if (dirty) return ;
  dirty = deferred = 1 ;
  tain_from_millisecs(&t, PUBLISH_LATER_MS) ;
  tain_add_g(&pubdeadline, &t) ;
}

static void write_status (void)
{
  tend_status_t st = TEND_STATUS_ZERO ;
  char buf[64] ;
  size_t n = 0 ;
  char const *base ;
  int ok = 1 ;

  st.stamp = sv.stamp ;
  st.pid = (uint32_t)(sv.state == TEND_STATE_FINISHING ? sv.finishpid : sv.pid) ;
  st.paused = (uint8_t)(sv.paused && sv.pid) ;
  st.want = sv.want ;
  st.gotterm = (uint8_t)(sv.gotterm && sv.pid) ;
  st.runstate = sv.state == TEND_STATE_FINISHING ? 2 : sv.pid ? 1 : 0 ;
  st.state = (uint8_t)sv.state ;
  if (sv.state == TEND_STATE_READY) st.flags |= TEND_STATUS_F_READY ;
  if (sv.state == TEND_STATE_FAILED) st.flags |= TEND_STATUS_F_FAILED ;
  if (access("down", F_OK) < 0) st.flags |= TEND_STATUS_F_NORMALLYUP ;
  if (sv.critical) st.flags |= TEND_STATUS_F_CRITICAL ;
  if (sv.haswstat) st.flags |= TEND_STATUS_F_HASDIED ;
  if (sv.exiting) st.flags |= TEND_STATUS_F_EXITING ;
  if (sv.execfailed) st.flags |= TEND_STATUS_F_EXECFAIL ;
  if (sv.haswstat && sv.lastrequest) st.flags |= TEND_STATUS_F_REQUESTED ;
  if (sv.state == TEND_STATE_READY) st.ready = sv.readystamp ;
  st.lastwstat = (uint32_t)sv.wstat ;
  st.deaths = sv.deaths ;
  if (sv.state == TEND_STATE_BACKOFF)
  {
    tain left ;
    st.flags |= TEND_STATUS_F_DELAYED ;
    tain_sub(&left, &sv.statedeadline, &STAMP) ;
    st.deadline = tend_monotonic_ms() + (uint64_t)tain_to_millisecs(&left) ;
  }
  if (!tend_status_write(sdfd, &st)) { strerr_warnwusys("write supervise/status") ; ok = 0 ; }

  /* runit's text twins */
  base = st.runstate == 2 ? "finish" : st.runstate ? "run" : "down" ;
  memcpy(buf, base, strlen(base)) ; n = strlen(base) ;
#define ADD(s) (memcpy(buf + n, (s), sizeof(s) - 1), n += sizeof(s) - 1)
  if (st.paused) ADD(", paused") ;
  if (st.gotterm) ADD(", got TERM") ;
  if (st.runstate && sv.exiting) ADD(", want exit") ;
  else if (st.runstate && sv.want == 'd') ADD(", want down") ;
  if (sv.state == TEND_STATE_READY) ADD(", ready") ;
  if (sv.state == TEND_STATE_FAILED) ADD(", failed") ;
#undef ADD
  buf[n++] = '\n' ;
  /* the text twins change less often than the binary status: skip identical rewrites */
  if (n != laststatlen || memcmp(buf, laststat, n))
  {
    if (!privdir_write(sdfd, "stat", "stat.new", buf, n)) { strerr_warnwusys("write supervise/stat") ; ok = 0 ; laststatlen = (size_t)-1 ; }
    else { memcpy(laststat, buf, n) ; laststatlen = n ; }
  }
  n = 0 ;
  if (st.pid) { n = pid_fmt(buf, (pid_t)st.pid) ; buf[n++] = '\n' ; }
  if (n != lastpidlen || memcmp(buf, lastpid, n))
  {
    if (!privdir_write(sdfd, "pid", "pid.new", buf, n)) { strerr_warnwusys("write supervise/pid") ; ok = 0 ; lastpidlen = (size_t)-1 ; }
    else { memcpy(lastpid, buf, n) ; lastpidlen = n ; }
  }

  /* a full or read-only disk must not leave a stale status forever: try again later */
  statusstale = !ok ;
  if (ok) tain_add_g(&sv.statusretry, &tain_infinite_relative) ;
  else tain_addsec_g(&sv.statusretry, 1) ;
}

static void flush (void) ;

static void event (char ev)
{
  /* a full queue (cannot happen in one iteration, but never lose an event): flush first */
  if (evqlen == sizeof evq) flush() ;
  evq[evqlen++] = ev ;
}

/* Events that went out while the files on disk were stale (a failed write): a waiter woken
   by them read the old status and went back to sleep. When a retry succeeds, they go out
   again, so it reads again. F and x are not repeated: they are final on their own (a waiter
   does not need the status to act on them), and an F repeated after a revival would lie. */
static char evstale[8] ;
static size_t evstalelen = 0 ;

static void flush (void)
{
  if (dirty && (!deferred || evqlen || !tain_future(&pubdeadline))) { dirty = deferred = 0 ; write_status() ; }
  if (statusstale)
    for (size_t i = 0 ; i < evqlen ; i++)
      if (evq[i] != TEND_EVENT_FAILED && evq[i] != TEND_EVENT_EXIT && !memchr(evstale, evq[i], evstalelen) && evstalelen < sizeof evstale)
        evstale[evstalelen++] = evq[i] ;
  if (!statusstale && evstalelen) { tend_event_notifyn_at(evfd, evstale, evstalelen) ; evstalelen = 0 ; }
  if (evqlen) { tend_event_notifyn_at(evfd, evq, evqlen) ; evqlen = 0 ; }
}

static void setstate (unsigned int s)
{
  sv.state = s ;
}

/* ---------- signals to the service ---------- */

static void sendsig (int sig)
{
  if (!sv.pid) return ;
  /* the service has its own session: signal the whole tree a shell left behind */
  if (sv.set.nosetsid || kill(-sv.pid, sig) < 0) kill(sv.pid, sig) ;
}

/* ---------- spawning ---------- */

/* env/ as modifications, read in the child (fork, never vfork, when there is an env/) into
   this buffer, which the parent never touches: no heap, and no resident pages in supervise.
   The room after SUPERVISE_ENVMAX holds the modification supervise adds (TEND_REQUESTED). */
#define SUPERVISE_ENVMAX 262144
static char envbuf[SUPERVISE_ENVMAX + 64] ;

/* A failure to report: a stage letter, errno, and for 'e' the env/ entry that failed. */
#define CHILDMSG_MAX (5 + 256)

static void envfail_warn (char const *what, char const *name, int e)
{
  size_t len = 4 * strlen(name) + 256 ;
  char msg[len] ;
  tend_envdir_errmsg(msg, len, "env", name, e) ;
  strerr_warnw(what, " was not started: ", msg) ;
}

/* In a child: read env/ (if any) and exec prog. Reports failures on cfd: a stage byte, then
   errno, then for env/ the name of the entry. */
static void child_exec (int cfd, char const *const *argv, char const *modif, size_t modiflen)
{
  char msg[CHILDMSG_MAX] ;
  size_t msglen = 5, len = 0 ;
  int e ;
  if (sv.set.hasenv)
  {
    /* lib/envdir, as envdir(8): one behaviour, one message */
    char bad[CHILDMSG_MAX - 5] ;
    if (tend_envdir_read("env", envbuf, SUPERVISE_ENVMAX, &len, bad, sizeof bad) < 0)
    {
      size_t n = strlen(bad) ;
      e = errno ;
      msg[0] = 'e' ;
      memcpy(msg + 5, bad, n) ; msglen = 5 + n ;
      if (cfd < 0) { envfail_warn(argv[0], bad, e) ; _exit(126) ; }
      errno = e ;
      goto err ;
    }
  }
  if (modiflen) { memcpy(envbuf + len, modif, modiflen) ; len += modiflen ; }
  if (len) mexec_afm(argv[0], argv, (char const *const *)environ, env_len((char const *const *)environ), envbuf, len) ;
  else execve(argv[0], (char *const *)argv, environ) ;
  msg[0] = 'x' ;
 err:
  e = errno ;
  memcpy(msg + 1, &e, sizeof e) ;
  if (cfd >= 0) { ssize_t w = write(cfd, msg, msglen) ; (void)w ; }
  /* finish and check have no confirmation pipe: say it here, in the child */
  else strerr_warnwusys("spawn ", argv[0]) ;
  _exit(e == ENOENT ? 127 : 126) ;
}

/* fork + new session + exec of an auxiliary script (finish, check); 0 on failure */
static pid_t spawn_aux (char const *const *argv, int setsid_it, char const *modif, size_t modiflen)
{
  pid_t pid = fork() ;
  if (pid < 0) return 0 ;
  if (!pid)
  {
    tend_sig_childreset() ;
    if (setsid_it) setsid() ;
    child_exec(-1, argv, modif, modiflen) ;
  }
  return pid ;
}

static void backoff_enter (unsigned int ms) ;

/* A vfork child shares our memory until it execs or exits: it leaves why it could not exec
   here (a stage letter as in child_exec, and errno), for the parent to read once vfork returns. */
static volatile char vchild_stage ;
static volatile int vchild_errno ;

/* The common case: no env/ to read, so the child only makes system calls before exec, and
   vfork can skip copying our page tables and run it at once on this CPU: a restart is that
   much faster (about 0.1 ms here). Returns the pid, 0 when the exec failed (reported), -1 when
   vfork failed. */
static pid_t start_vfork (char const *const *argv, int const *np)
{
  pid_t pid ;
  vchild_stage = 0 ;
  pid = vfork() ;
  if (pid < 0) return -1 ;
  if (!pid)
  {
    tend_sig_childreset() ;
    if (!sv.set.nosetsid) setsid() ;
    if (np[1] >= 0)
    {
      int n = sv.set.notifyfd ;
      close(np[0]) ;
      if (np[1] != n && (dup2(np[1], n) < 0 || close(np[1]) < 0)) { vchild_errno = errno ; vchild_stage = 'n' ; _exit(126) ; }
      if (np[1] == n) uncoe(n) ;
    }
    execve(argv[0], (char *const *)argv, environ) ;
    vchild_errno = errno ;
    vchild_stage = 'x' ;
    _exit(errno == ENOENT ? 127 : 126) ;
  }
  if (vchild_stage)
  {
    errno = vchild_errno ;
    if (vchild_stage == 'n') strerr_warnwusys("set up notification-fd: the service was not started") ;
    else strerr_warnwusys("spawn ./run") ;
    sv.execfailed = 1 ;
    return pid ;
  }
  /* it has exec'd: the loop dispatches EV_EXECOK at its next pass, as the pipe's EOF would */
  sv.execok = 1 ;
  return pid ;
}

/* With env/: the child reads it (with the heap), so it needs its own copy of our memory: fork,
   and an exec-confirmation pipe (close-on-exec) that reads EOF once the exec happened. */
static pid_t start_fork (char const *const *argv, int const *np)
{
  int cp[2] ;
  pid_t pid ;
  if (pipecoe(cp) < 0) return -1 ;
  pid = fork() ;
  if (pid < 0) { int e = errno ; fd_close(cp[0]) ; fd_close(cp[1]) ; errno = e ; return -1 ; }
  if (!pid)
  {
    int cfd = cp[1] ;
    tend_sig_childreset() ;
    if (!sv.set.nosetsid) setsid() ;
    if (np[1] >= 0)
    {
      int n = sv.set.notifyfd ;
      fd_close(np[0]) ;
      /* the notification fd must not land on the confirmation pipe */
      if (cfd == n) cfd = fcntl(cfd, F_DUPFD_CLOEXEC, n + 1) ;
      if (np[1] != n) { if (fd_move(n, np[1]) < 0) { char m[5] = "n" ; int e = errno ; memcpy(m + 1, &e, 4) ; if (write(cfd, m, 5)) {} _exit(126) ; } }
      else uncoe(n) ;
    }
    child_exec(cfd, argv, 0, 0) ;
  }
  fd_close(cp[1]) ;
  sv.spawnfd = cp[0] ;
  return pid ;
}

/* A ./run that group or others can write lets them choose what runs as our user (root, often):
   not refused, as the service directory is the operator's to set up, but said. Once per file
   and mode, not at every restart of a crashing service. */
static void check_run_mode (void)
{
  static dev_t wdev ;
  static ino_t wino ;
  static mode_t wmode ;
  struct stat st ;
  if (stat("run", &st) < 0 || !(st.st_mode & 022)) { wino = 0 ; return ; }
  if (st.st_dev == wdev && st.st_ino == wino && st.st_mode == wmode) return ;
  wdev = st.st_dev ; wino = st.st_ino ; wmode = st.st_mode ;
  {
    char m[UINT_OFMT], u[UID_FMT] ;
    m[uint0_ofmt(m, (unsigned int)(st.st_mode & 07777), 4)] = 0 ;
    u[uid_fmt(u, geteuid())] = 0 ;
    strerr_warnw("./run has mode ", m, ": group or others can write it, and so choose what runs as uid ", u) ;
  }
}

static unsigned int forkfails = 0 ;  /* forks failed in a row */
static tain forkwarned ;

static void start (void)
{
  int np[2] = { -1, -1 } ;
  pid_t pid ;
  char const *argv[3] = { "./run", sv.name, 0 } ;

  settings_read(&sv.set) ;
  check_run_mode() ;
  sv.critical = sv.set.critical ;
  sv.execfailed = 0 ;
  if (sv.set.notifyfd >= 0 && pipe(np) < 0)
  {
    strerr_warnwusys("create the notification pipe: starting without readiness notification") ;
    np[0] = np[1] = -1 ;
  }
  pid = sv.set.hasenv ? start_fork(argv, np) : start_vfork(argv, np) ;
  if (pid < 0)
  {
    /* retried every second; said when it begins and then once a minute, not every second */
    if (!forkfails++ || !tain_future(&forkwarned))
    {
      strerr_warnwusys("fork (retrying every second, warning again in a minute)") ;
      tain_addsec_g(&forkwarned, 60) ;
    }
    if (np[0] >= 0) { fd_close(np[0]) ; fd_close(np[1]) ; }
    backoff_enter(1000) ;
    return ;
  }
  if (forkfails)
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, forkfails)] = 0 ;
    strerr_warni("fork works again: ./run started after ", fmt, forkfails == 1 ? " failure" : " failures") ;
    forkfails = 0 ;
  }
  if (np[0] >= 0)
  {
    fd_close(np[1]) ;
    sv.notifyfd = np[0] ;
    sv.notifybytes = 0 ;
    ndelay_on(sv.notifyfd) ;
    coe(sv.notifyfd) ;
  }
  sv.pid = pid ;
  sv.gotterm = 0 ;
  sv.paused = 0 ;
  sv.request = 0 ; sv.requestsig = 0 ;
  sv.gen++ ;
  tain_copynow(&sv.starttime) ;
  tend_tai64n_now(&sv.stamp) ;
  setstate(TEND_STATE_STARTING) ;
  statedeadline_none() ;
  announce() ;
  event(TEND_EVENT_START) ;
}

/* ---------- transitions ---------- */

static void doexit (void)
{
  announce() ;
  event(TEND_EVENT_EXIT) ;
  flush() ;
  _exit(0) ;
}

static void maybe_exit (void)
{
  if (sv.exiting && (sv.state == TEND_STATE_DOWN || sv.state == TEND_STATE_BACKOFF || sv.state == TEND_STATE_FAILED))
    doexit() ;
}

static void backoff_enter (unsigned int ms)
{
  setstate(TEND_STATE_BACKOFF) ;
  statedeadline_ms(ms) ;
  announce() ;
}

static void fail (void)
{
  sv.want = 'd' ;
  setstate(TEND_STATE_FAILED) ;
  statedeadline_none() ;
  announce() ;
  event(TEND_EVENT_FAILED) ;
}

/* The restart policy of protocol.md: a run of 2*MIN or more resets k and restarts at once;
   otherwise wait MIN*2^(k-1) minus the run's length, never below 0, capped at MAX. */
static unsigned int restart_delay (void)
{
  tain d ;
  uint64_t run, delay ;
  tain_sub(&d, &STAMP, &sv.starttime) ;
  run = (uint64_t)tain_to_millisecs(&d) ;
  if (run >= 2 * (uint64_t)sv.set.delaymin) { sv.k = 0 ; return 0 ; }
  if (sv.k < 40) sv.k++ ;
  delay = (uint64_t)sv.set.delaymin << (sv.k - 1) ;
  if (delay > sv.set.delaymax) delay = sv.set.delaymax ;
  return delay > run ? (unsigned int)(delay - run) : 0 ;
}

/* max-restarts N SECONDS: more than N deaths within SECONDS means give up. */
static int too_many_deaths (void)
{
  uint64_t now = tend_monotonic_ms() ;
  unsigned int n = sv.set.maxrestarts, cap = SETTINGS_MAXRESTARTS_MAX + 1 ;
  sv.deathring[sv.deathpos] = now ;
  sv.deathpos = (sv.deathpos + 1) % cap ;
  if (sv.deathcount < cap) sv.deathcount++ ;
  if (!sv.set.maxwindow || sv.deathcount <= n) return 0 ;
  /* the (n+1)th most recent death */
  return now - sv.deathring[(sv.deathpos + cap - (n + 1)) % cap] <= (uint64_t)sv.set.maxwindow * 1000 ;
}

static void after_finish (void)
{
  event(TEND_EVENT_FINISHED) ;
  if (sv.finishcode == 125)
  {
    /* finish said: do not restart */
    fail() ;
    maybe_exit() ;
    return ;
  }
  if (sv.exiting || sv.want != 'u')
  {
    setstate(TEND_STATE_DOWN) ;
    statedeadline_none() ;
    announce() ;
    maybe_exit() ;
    return ;
  }
  /* a death we caused on request (svc -r, -t, -k...) is not a crash: it does not count
     toward max-restarts, and the service comes back at once, as after 'r' */
  if (sv.lastrequest) { sv.restartnow = 0 ; sv.k = 0 ; start() ; return ; }
  if (too_many_deaths())
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, sv.set.maxrestarts)] = 0 ;
    /* a critical service that gives up takes the tree down: reviving it is no option then */
    if (sv.critical && WIFEXITED(sv.wstat) && !WEXITSTATUS(sv.wstat)) strerr_warni("exited 0, more than ", fmt, " deaths within the max-restarts window: done (critical: svscan stops the tree)") ;
    else if (sv.critical) strerr_warnw("more than ", fmt, " deaths within the max-restarts window: giving up (critical: svscan stops the tree)") ;
    else strerr_warnw("more than ", fmt, " deaths within the max-restarts window: giving up (svc -u revives it)") ;
    fail() ;
    return ;
  }
  {
    unsigned int ms = restart_delay() ;
    if (sv.restartnow) { ms = 0 ; sv.k = 0 ; }
    sv.restartnow = 0 ;
    if (ms) backoff_enter(ms) ;
    else start() ;
  }
}

/* Reads the exec-confirmation pipe: 1 if the spawn failed (reported), 0 if the exec happened. */
static int read_spawnfd (void)
{
  char msg[CHILDMSG_MAX + 1] ;
  ssize_t r ;
  if (sv.spawnfd < 0) return 0 ;
  /* the child's one write of at most CHILDMSG_MAX (< PIPE_BUF) bytes arrives whole */
  r = fd_read(sv.spawnfd, msg, CHILDMSG_MAX) ;
  fd_close(sv.spawnfd) ;
  sv.spawnfd = -1 ;
  if (r >= 5)
  {
    int e ;
    memcpy(&e, msg + 1, sizeof e) ;
    errno = e ;
    sv.execfailed = 1 ;
    msg[r] = 0 ;
    if (msg[0] == 'e') envfail_warn("./run", msg + 5, e) ;
    else if (msg[0] == 'n') strerr_warnwusys("set up notification-fd: the service was not started") ;
    else strerr_warnwusys("spawn ./run") ;
    return 1 ;
  }
  return 0 ;
}

static void act_none (void) { }

static void act_start (void) { sv.k = 0 ; start() ; }

static void act_start_nowreset (void) { start() ; }

static void act_stop (void)
{
  sv.gotterm = 1 ;
  sendsig(sv.set.downsig) ;
  /* a stopped process cannot die of the down-signal until it is continued */
  sendsig(SIGCONT) ;
  sv.paused = 0 ;
  setstate(TEND_STATE_STOPPING) ;
  if (sv.set.timeoutkill) statedeadline_ms(sv.set.timeoutkill) ;
  else statedeadline_none() ;
  announce_soon() ;
}

static void act_restart (void) { sv.restartnow = 1 ; act_stop() ; }

static void act_restartflag (void) { sv.restartnow = 1 ; }

static void act_exitnow (void) { doexit() ; }

static void act_up (void)
{
  setstate(TEND_STATE_UP) ;
  statedeadline_none() ;
  announce() ;
  event(TEND_EVENT_UP) ;
  if (sv.notifyfd < 0 && !sv.set.hascheck)
  {
    setstate(TEND_STATE_READY) ;
    tend_tai64n_now(&sv.readystamp) ;
    announce() ;
    event(TEND_EVENT_READY) ;
  }
  else if (sv.set.hascheck) tain_copynow(&sv.checkdeadline) ;
}

static void act_ready (void)
{
  setstate(TEND_STATE_READY) ;
  tend_tai64n_now(&sv.readystamp) ;
  tain_add_g(&sv.checkdeadline, &tain_infinite_relative) ;
  announce() ;
  event(TEND_EVENT_READY) ;
}

static void act_death (void)
{
  char const *argv[5] ;
  char fmtexit[UINT_FMT], fmtsig[UINT_FMT] ;
  char reqmodif[sizeof("TEND_REQUESTED=x")] ;
  pid_t oldpid = sv.pid ;

  read_spawnfd() ;
  sv.execok = 0 ;
  sv.lastrequest = sv.request && (!sv.requestsig || (WIFSIGNALED(sv.wstat) && WTERMSIG(sv.wstat) == sv.requestsig)) ? sv.request : 0 ;
  sv.request = 0 ; sv.requestsig = 0 ;
  if (sv.notifyfd >= 0) { fd_close(sv.notifyfd) ; sv.notifyfd = -1 ; }
  if (sv.checkpid) { kill(-sv.checkpid, SIGKILL) ; kill(sv.checkpid, SIGKILL) ; }
  tain_add_g(&sv.checkdeadline, &tain_infinite_relative) ;
  tain_add_g(&sv.checkkill, &tain_infinite_relative) ;
  sv.deaths++ ;
  sv.haswstat = 1 ;
  sv.pid = 0 ;
  sv.gotterm = 0 ;
  sv.paused = 0 ;
  tend_tai64n_now(&sv.stamp) ;

  /* What the run script left in its group (a shell's children) must not outlive it: it got
     the down-signal before the leader was reaped (handle_sigchld). The SIGKILL after
     timeout-kill is armed only if the group still has members now: an empty group's number
     is free, and any new session leader may get it before the deadline. */
  if (!sv.set.nosetsid && sv.set.timeoutkill && kill(-oldpid, 0) == 0)
  {
    tain t ;
    sv.deadpgid = oldpid ;
    tain_from_millisecs(&t, (int)sv.set.timeoutkill) ;
    tain_add_g(&sv.groupkilldeadline, &t) ;
  }
  sv.finishcode = 0 ;
  if (sv.set.hasfinish)
  {
    fmtexit[uint_fmt(fmtexit, WIFSIGNALED(sv.wstat) ? 256 : (unsigned int)WEXITSTATUS(sv.wstat))] = 0 ;
    fmtsig[uint_fmt(fmtsig, WIFSIGNALED(sv.wstat) ? (unsigned int)WTERMSIG(sv.wstat) : 0)] = 0 ;
    argv[0] = "./finish" ; argv[1] = fmtexit ; argv[2] = fmtsig ; argv[3] = sv.name ; argv[4] = 0 ;
    /* finish is told whether the death was requested, and by which control letter: its
       "exit 125" can then spare a reload (svc -r, svc -t) and still stop on a crash */
    if (sv.lastrequest) { memcpy(reqmodif, "TEND_REQUESTED=", 15) ; reqmodif[15] = sv.lastrequest ; reqmodif[16] = 0 ; }
    else memcpy(reqmodif, "TEND_REQUESTED", 15) ;
    sv.finishpid = spawn_aux(argv, 1, reqmodif, strlen(reqmodif) + 1) ;
    if (sv.finishpid)
    {
      setstate(TEND_STATE_FINISHING) ;
      if (sv.set.timeoutfinish) statedeadline_ms(sv.set.timeoutfinish) ;
      else statedeadline_none() ;
      announce() ;
      event(TEND_EVENT_DOWN) ;
      return ;
    }
    strerr_warnwusys("spawn ./finish") ;
  }
  setstate(TEND_STATE_DOWN) ;
  statedeadline_none() ;
  announce() ;
  event(TEND_EVENT_DOWN) ;
  after_finish() ;
}

static void act_finished (void)
{
  sv.finishpid = 0 ;
  tend_tai64n_now(&sv.stamp) ;
  setstate(TEND_STATE_DOWN) ;
  statedeadline_none() ;
  after_finish() ;
}

static void act_killgroup (void)
{
  sendsig(SIGKILL) ;
  statedeadline_none() ;
}

static void act_killfinish (void)
{
  char fmt[UINT_FMT] ;
  fmt[uint_fmt(fmt, sv.set.timeoutfinish)] = 0 ;
  strerr_warnw("./finish still running after ", fmt, " ms: killing it") ;
  kill(-sv.finishpid, SIGKILL) ;
  kill(sv.finishpid, SIGKILL) ;
  statedeadline_none() ;
}

static void act_backoff_cancel (void)
{
  setstate(TEND_STATE_DOWN) ;
  statedeadline_none() ;
  announce() ;
}

static void act_backoff_exit (void) { setstate(TEND_STATE_DOWN) ; doexit() ; }

/* states x events -> action. Every pair is decided; act_none means "nothing to do in this
   state" (the want byte was already updated by the control handler). */
static action_t *const table[TEND_STATE_COUNT][EV_COUNT] =
{
  /*                  UP                   DOWN                 ONCE                 EXIT              RESTART          EXECOK    DEATH      FINISHED      TIMER              READY */
  [TEND_STATE_DOWN] = { &act_start,        &act_none,           &act_start,          &act_exitnow,     &act_none,       &act_none, &act_none, &act_none,    &act_none,         &act_none },
  [TEND_STATE_STARTING] = { &act_none,     &act_stop,           &act_none,           &act_none,        &act_restart,    &act_up,   &act_death, &act_none,   &act_none,         &act_none },
  [TEND_STATE_UP] = { &act_none,           &act_stop,           &act_none,           &act_none,        &act_restart,    &act_none, &act_death, &act_none,   &act_none,         &act_ready },
  [TEND_STATE_READY] = { &act_none,        &act_stop,           &act_none,           &act_none,        &act_restart,    &act_none, &act_death, &act_none,   &act_none,         &act_none },
  [TEND_STATE_STOPPING] = { &act_none,     &act_none,           &act_none,           &act_none,        &act_restartflag, &act_none, &act_death, &act_none,  &act_killgroup,    &act_none },
  [TEND_STATE_FINISHING] = { &act_none,    &act_none,           &act_none,           &act_none,        &act_restartflag, &act_none, &act_none, &act_finished, &act_killfinish, &act_none },
  [TEND_STATE_BACKOFF] = { &act_start_nowreset, &act_backoff_cancel, &act_start_nowreset, &act_backoff_exit, &act_start_nowreset, &act_none, &act_none, &act_none, &act_start_nowreset, &act_none },
  [TEND_STATE_FAILED] = { &act_start,      &act_none,           &act_start,          &act_exitnow,     &act_none,       &act_none, &act_none, &act_none,    &act_none,         &act_none },
} ;

static void dispatch (unsigned int ev)
{
  (*table[sv.state][ev])() ;
  maybe_exit() ;
}

/* ---------- control ---------- */

static void touchdown (int create)
{
  if (create)
  {
    /* created, never truncated, never through a link: a ./down symlink left by whoever can
       write the service dir must not make us truncate its target */
    int fd = open("down", O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644) ;
    if (fd < 0) strerr_warnwusys("create ./down") ;
    else fd_close(fd) ;
  }
  else if (unlink("down") < 0 && errno != ENOENT) strerr_warnwusys("remove ./down") ;
}

/* A signal sent on request to a running service: its death (if it comes) was asked for. */
static void note_request (char c, int sig)
{
  if (!sv.pid || sv.state == TEND_STATE_FINISHING) return ;
  /* an unconditional request is never weakened by a later conditional one */
  if (sv.request && !sv.requestsig) return ;
  sv.request = c ; sv.requestsig = sig ;
}

static void control_byte (char c)
{
  switch (c)
  {
    case 'U' : touchdown(0) ; /* fallthrough */
    case 'u' :
      sv.want = 'u' ;
      if (sv.state == TEND_STATE_FAILED) sv.deathcount = 0 ;
      announce() ;
      dispatch(EV_UP) ;
      break ;
    case 'D' : touchdown(1) ; /* fallthrough */
    case 'd' :
      note_request('d', 0) ;
      sv.want = 'd' ;
      announce_soon() ;
      dispatch(EV_DOWN) ;
      break ;
    case 'o' :
      /* daemontools writes want = 0 as soon as 'o' arrives */
      sv.want = 0 ;
      announce() ;
      dispatch(EV_ONCE) ;
      break ;
    case 'x' :
      sv.exiting = 1 ;
      announce_soon() ;
      dispatch(EV_EXIT) ;
      break ;
    case 'r' : note_request('r', 0) ; dispatch(EV_RESTART) ; break ;
    case 'p' : sv.paused = 1 ; sendsig(SIGSTOP) ; announce() ; break ;
    case 'c' : sv.paused = 0 ; sendsig(SIGCONT) ; announce() ; break ;
    /* t k i q ask the program to end: whatever it dies of next was asked for. h a 1 2 are
       mostly reload or log-rotation signals a program handles: its death counts as asked
       for only if that very signal killed it */
    case 'h' : note_request(c, SIGHUP) ; sendsig(SIGHUP) ; break ;
    case 'a' : note_request(c, SIGALRM) ; sendsig(SIGALRM) ; break ;
    case 'i' : note_request(c, 0) ; sendsig(SIGINT) ; break ;
    case 't' : note_request(c, 0) ; sendsig(SIGTERM) ; break ;
    case 'k' : note_request(c, 0) ; sendsig(SIGKILL) ; break ;
    case 'q' : note_request(c, 0) ; sendsig(SIGQUIT) ; break ;
    case '1' : note_request(c, SIGUSR1) ; sendsig(SIGUSR1) ; break ;
    case '2' : note_request(c, SIGUSR2) ; sendsig(SIGUSR2) ; break ;
    default : break ;   /* unknown bytes are ignored, as daemontools and runit do */
  }
}

static void handle_control (void)
{
  char buf[256] ;
  for (;;)
  {
    ssize_t r = read(controlfd, buf, sizeof buf) ;
    if (r <= 0) break ;
    for (ssize_t i = 0 ; i < r ; i++) control_byte(buf[i]) ;
    if ((size_t)r < sizeof buf) break ;
  }
}

/* What a service may write to its notification fd before the newline. A service that streams
   there (a log fd given as notification-fd by mistake) would otherwise wake supervise for
   every write, for ever: one read per readiness, and past this bound the fd is closed. */
#define NOTIFY_MAX 4096

static void handle_notify (void)
{
  char buf[512] ;
  ssize_t r = read(sv.notifyfd, buf, sizeof buf) ;
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return ;
  if (r <= 0)
  {
    /* the service closed its notification fd without a newline: it never becomes ready */
    fd_close(sv.notifyfd) ; sv.notifyfd = -1 ;
    return ;
  }
  if (memchr(buf, '\n', (size_t)r))
  {
    fd_close(sv.notifyfd) ; sv.notifyfd = -1 ;
    dispatch(EV_READY) ;
    return ;
  }
  /* anything else is ignored: only a newline means ready */
  sv.notifybytes += (size_t)r ;
  if (sv.notifybytes >= NOTIFY_MAX)
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, NOTIFY_MAX)] = 0 ;
    strerr_warnw("notification-fd: ", fmt, " bytes without a newline: no longer listening (the service will not become ready through it)") ;
    fd_close(sv.notifyfd) ; sv.notifyfd = -1 ;
  }
}

static void run_check (void)
{
  char const *argv[3] = { "./check", sv.name, 0 } ;
  tain_add_g(&sv.checkdeadline, &tain_infinite_relative) ;
  if (sv.checkpid)
  {
    /* the previous run's check is not reaped yet: look again shortly */
    tain t ;
    tain_from_millisecs(&t, 10) ;
    tain_add_g(&sv.checkdeadline, &t) ;
    return ;
  }
  /* in a session of its own, so that a timeout kills what it started (a shell's curl) too */
  sv.checkpid = spawn_aux(argv, 1, 0, 0) ;
  sv.checkgen = sv.gen ;
  if (sv.checkpid && sv.set.timeoutcheck)
  {
    tain t ;
    tain_from_millisecs(&t, (int)sv.set.timeoutcheck) ;
    tain_add_g(&sv.checkkill, &t) ;
  }
  if (!sv.checkpid)
  {
    tain t ;
    strerr_warnwusys("spawn ./check") ;
    tain_from_millisecs(&t, (int)sv.set.checkinterval) ;
    tain_add_g(&sv.checkdeadline, &t) ;
  }
}

static void kill_check (void)
{
  tain_add_g(&sv.checkkill, &tain_infinite_relative) ;
  if (!sv.checkpid) return ;
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, sv.set.timeoutcheck)] = 0 ;
    strerr_warnw("./check still running after ", fmt, " ms: killing it") ;
  }
  /* its reaping schedules the next check, as for any check that did not say ready */
  kill(-sv.checkpid, SIGKILL) ;
  kill(sv.checkpid, SIGKILL) ;
}

static void handle_sigchld (void)
{
  for (;;)
  {
    int wstat ;
    pid_t pid ;
    siginfo_t si ;
    /* Look before reaping: while the dead leader is a zombie its pid is taken, so its group's
       number cannot belong to anyone else yet, and the group gets its signals safely. */
    si.si_pid = 0 ;
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || !si.si_pid) break ;
    if (si.si_pid == sv.pid && !sv.set.nosetsid)
    {
      kill(-sv.pid, sv.set.downsig) ;
      kill(-sv.pid, SIGCONT) ;
    }
    pid = waitpid(si.si_pid, &wstat, WNOHANG) ;
    if (pid <= 0) break ;
    if (pid == sv.pid)
    {
      sv.wstat = wstat ;
      dispatch(EV_DEATH) ;
    }
    else if (pid == sv.finishpid)
    {
      sv.finishcode = WIFEXITED(wstat) ? WEXITSTATUS(wstat) : -1 ;
      dispatch(EV_FINISHED) ;
    }
    else if (pid == sv.checkpid)
    {
      sv.checkpid = 0 ;
      tain_add_g(&sv.checkkill, &tain_infinite_relative) ;
      /* a check's verdict is about the run it was started for, and no other */
      if (sv.checkgen != sv.gen || sv.state != TEND_STATE_UP) continue ;
      if (WIFEXITED(wstat) && !WEXITSTATUS(wstat)) dispatch(EV_READY) ;
      else
      {
        tain t ;
        tain_from_millisecs(&t, (int)sv.set.checkinterval) ;
        tain_add_g(&sv.checkdeadline, &t) ;
      }
    }
  }
}

static void handle_signals (void)
{
  for (;;)
  {
    int sig = selfpipe_read() ;
    switch (sig)
    {
      case -1 : strerr_warnwusys("read the selfpipe") ; return ;
      case 0 : return ;
      case SIGCHLD : handle_sigchld() ; break ;
      case SIGTERM :
      case SIGINT :
      case SIGQUIT :
        /* stop the service, then exit: as 'd' then 'x' */
        control_byte('d') ;
        control_byte('x') ;
        break ;
      case SIGHUP :
        /* exit once the service is down, without stopping it */
        control_byte('x') ;
        break ;
      default : break ;
    }
  }
}

/* ---------- timers ---------- */

/* The loop sleeps until the earliest of every timer (tests/fuzz/supervise.c calls these two
   as the loop does, and checks that no timer is left in the past: the loop would spin). */
static void next_deadline (tain *deadline)
{
  *deadline = sv.statedeadline ;
  if (tain_less(&sv.checkdeadline, deadline)) *deadline = sv.checkdeadline ;
  if (tain_less(&sv.checkkill, deadline)) *deadline = sv.checkkill ;
  if (tain_less(&sv.groupkilldeadline, deadline)) *deadline = sv.groupkilldeadline ;
  if (tain_less(&sv.statusretry, deadline)) *deadline = sv.statusretry ;
  if (deferred && tain_less(&pubdeadline, deadline)) *deadline = pubdeadline ;
}

/* The sleep timed out: act on every timer that has passed. */
static void handle_timers (void)
{
  if (!tain_future(&sv.groupkilldeadline))
  {
    /* again: only a group that is still there, and never our own new run's */
    if (sv.deadpgid && sv.deadpgid != sv.pid && kill(-sv.deadpgid, 0) == 0) kill(-sv.deadpgid, SIGKILL) ;
    sv.deadpgid = 0 ;
    tain_add_g(&sv.groupkilldeadline, &tain_infinite_relative) ;
  }
  if (!tain_future(&sv.statusretry)) announce() ;
  if (!tain_future(&sv.checkkill)) kill_check() ;
  if (!tain_future(&sv.checkdeadline)) run_check() ;
  if (!tain_future(&sv.statedeadline)) dispatch(EV_TIMER) ;
}

/* ---------- start-up ---------- */

int main (int argc, char const *const *argv)
{
  iopause_fd x[4] ;
  int okfd, lockfd, sfd ;
  size_t namelen ;
  PROG = "supervise" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  if (argc != 2 || !argv[1][0]) strerr_dieusage(100, USAGE) ;
  namelen = strlen(argv[1]) ;
  while (namelen > 1 && argv[1][namelen-1] == '/') namelen-- ;
  {
    char name[namelen + 1] ;
    char prog[namelen + sizeof("supervise ")] ;
    memcpy(name, argv[1], namelen) ; name[namelen] = 0 ;
    memcpy(prog, "supervise ", 10) ; memcpy(prog + 10, name, namelen + 1) ;
    sv.name = name ;
    sv.spawnfd = sv.notifyfd = -1 ;

    if (!fd_sanitize()) strerr_diefusys(111, "sanitize standard descriptors") ;
    if (chdir(argv[1]) < 0) strerr_diefusys(111, "chdir to ", argv[1]) ;
    PROG = prog ;
    sdfd = privdir_open(name) ;
    lockfd = privdir_lock(sdfd) ;
    if (lockfd < 0) strerr_diefusys(111, "open ", name, "/supervise/lock") ;
    /* flock, not fcntl: the lock daemontools' supervise and runit's runsv take and test */
    if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
    {
      if (errno == EWOULDBLOCK) strerr_dief(100, "unable to lock ", name, "/supervise/lock: another supervisor is running on ", name) ;
      strerr_diefusys(111, "lock ", name, "/supervise/lock") ;
    }
    {
      static char const *const tmps[] = { "status.new", "stat.new", "pid.new", 0 } ;
      privdir_sweep(sdfd, tmps) ;
    }
    /* a supervisor killed before us may have left its run alive: never a second copy */
    orphan_stop() ;
    evfd = privdir_eventdir(sdfd, "event") ;
    privdir_fifo(sdfd, "control") ;
    controlfd = privdir_openfifo(sdfd, "control", O_RDONLY) ;
    if (controlfd < 0) strerr_diefusys(111, "open ", name, "/supervise/control for reading") ;
    /* hold a writer too, so the reader never sees end-of-file between clients */
    if (privdir_openfifo(sdfd, "control", O_WRONLY) < 0) strerr_diefusys(111, "open ", name, "/supervise/control for writing") ;
    privdir_fifo(sdfd, "ok") ;

    {
      static int const sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, 0 } ;
      sfd = tend_sig_selfpipe(sigs) ;
      if (sfd < 0) strerr_diefusys(111, "trap signals") ;
    }
    tain_now_set_stopwatch_g() ;
    deadlines_none() ;
    /* the settings are read at every start; only what the status shows is needed before */
    sv.critical = access("critical", F_OK) == 0 ;
    sv.set.downsig = SIGTERM ;
    sv.want = access("down", F_OK) == 0 ? 'd' : 'u' ;
    setstate(TEND_STATE_DOWN) ;
    announce() ;
    /* start before the first publication: the first status then says what is true, and a
       service that starts at once (most) costs one set of status writes, not two */
    if (sv.want == 'u') start() ;
    if (sv.execok) { sv.execok = 0 ; dispatch(EV_EXECOK) ; }
    flush() ;
    /* last: svok answers yes only once the status file exists */
    okfd = privdir_openfifo(sdfd, "ok", O_RDONLY) ;
    if (okfd < 0) strerr_diefusys(111, "open ", name, "/supervise/ok") ;
    (void)okfd ;

    for (;;)
    {
      tain deadline ;
      if (sv.execok) { sv.execok = 0 ; dispatch(EV_EXECOK) ; }
      flush() ;
      unsigned int n = 0, ictl, ispawn = 99, inotify = 99 ;
      int r ;
      next_deadline(&deadline) ;
      x[n].fd = sfd ; x[n].events = IOPAUSE_READ ; n++ ;
      ictl = n ; x[n].fd = controlfd ; x[n].events = IOPAUSE_READ ; n++ ;
      if (sv.spawnfd >= 0) { ispawn = n ; x[n].fd = sv.spawnfd ; x[n].events = IOPAUSE_READ ; n++ ; }
      if (sv.notifyfd >= 0) { inotify = n ; x[n].fd = sv.notifyfd ; x[n].events = IOPAUSE_READ ; n++ ; }
      r = iopause_g(x, n, &deadline) ;
      if (r < 0)
      {
        /* never exit on a runtime error: warn, and try again shortly */
        tain t ;
        strerr_warnwusys("iopause") ;
        tain_from_millisecs(&t, 100) ;
        tain_add_g(&deadline, &t) ;
        deepsleepuntil_g(&deadline) ;
        continue ;
      }
      if (!r) { handle_timers() ; continue ; }
      if (x[0].revents & IOPAUSE_READ) handle_signals() ;
      if (ispawn < n && sv.spawnfd >= 0 && x[ispawn].fd == sv.spawnfd && x[ispawn].revents & IOPAUSE_READ)
      {
        /* end-of-file means the exec succeeded; bytes mean it failed, and the death follows */
        if (!read_spawnfd()) dispatch(EV_EXECOK) ;
      }
      if (inotify < n && sv.notifyfd >= 0 && x[inotify].fd == sv.notifyfd && x[inotify].revents & IOPAUSE_READ) handle_notify() ;
      if (x[ictl].revents & IOPAUSE_READ) handle_control() ;
    }
  }
}
