/* supervise: the state machine (table[state][event] in cmd/supervise/supervise.c) driven by
   random event sequences: control bytes, deaths of run, finish and check, exec results,
   readiness on the notification fd, time passing to the next deadline, fork and status-write
   failures, new settings at each start, TERM and HUP to supervise, pid reuse. supervise.c is
   compiled into this file with its main renamed; the loop's own functions (control_byte,
   handle_signals, handle_notify, read_spawnfd, handle_timers, next_deadline, flush) are
   called as the loop calls them. Processes, signals, clock, settings and the status files
   are a model here: fork, vfork, kill, waitid, waitpid, pipe, the clock and the writes are
   macros, defined after every header supervise.c includes, so they rename its calls only.

   Asserted after every step and at every status write:
   - never two runs at once: at most one unreaped child started as ./run, none while ./finish
     runs, and supervise's pid, finishpid and checkpid are each an unreaped child of the
     right kind; no child of ours is forgotten (every unreaped child is one of the three);
   - never a pid in the status that is not our child: the pid written is the unreaped run (or
     finish, in FINISHING); every signal goes to an unreaped child of ours, or to a process
     group that still has a member and was made by one (never pid 0, -1 or a stranger),
     and the live run only on request (a control byte, a stop under way);
   - want and state consistent: the state has a run exactly in STARTING UP READY STOPPING, a
     finish exactly in FINISHING; FAILED wants down; want 'd' never in STARTING UP READY
     BACKOFF; want 'u' never DOWN; exiting never rests in DOWN BACKOFF FAILED (it exits);
     the written status round-trips through lib/status and says the same, and svwait's
     reading of it (tend_wait_satisfied) agrees with the state;
   - every deadline finite (at most a day ahead, never in the past) or deliberately infinite;
     BACKOFF has a finite one, a check pending in UP has one, a failed status write its
     retry, DOWN and FAILED no state timer; after the timers ran none is left due (the loop
     would spin);
   - supervise exits only with no run and no finish alive, and leaks no descriptor. */

/* fuzz-link: cmd/supervise/settings.c cmd/supervise/orphan.c cmd/supervise/privdir.c */
#include "fuzz.h"
/* every header supervise.c includes, first: the macros below must not rename declarations */
#include <skalibs/nonposix.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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
#include <tend/wait.h>
#include "../../cmd/supervise/settings.h"
#include "../../cmd/supervise/orphan.h"
#include "../../cmd/supervise/privdir.h"

static pid_t fz_fork (void) ;
static pid_t fz_vfork (void) ;
static int fz_kill (pid_t, int) ;
static int fz_waitid (idtype_t, id_t, siginfo_t *, int) ;
static pid_t fz_waitpid (pid_t, int *, int) ;
static int fz_pipe (int *) ;
static int fz_pipecoe (int *) ;
static void fz_exit (int) ;
static uint64_t fz_monotonic_ms (void) ;
static int fz_selfpipe_read (void) ;
static void fz_settings_read (settings_t *) ;
static int fz_status_write (int, tend_status_t const *) ;
static int fz_privdir_write (int, char const *, char const *, char const *, size_t) ;
static unsigned int fz_notifyn_at (int, char const *, size_t) ;

#define fork fz_fork
#define vfork fz_vfork
#define kill fz_kill
#define waitid fz_waitid
#define waitpid fz_waitpid
#define pipe fz_pipe
#undef pipecoe   /* skalibs' own macro: pipe_internal(p, O_CLOEXEC) */
#define pipecoe fz_pipecoe
#define _exit fz_exit
#define tend_monotonic_ms fz_monotonic_ms
#define selfpipe_read fz_selfpipe_read
#define settings_read fz_settings_read
#define tend_status_write fz_status_write
#define privdir_write fz_privdir_write
#define tend_event_notifyn_at fz_notifyn_at
#define setstate supervise_setstate   /* stdlib.h (fuzz.h) has a setstate */
#define main supervise_main
#include "../../cmd/supervise/supervise.c"
#undef main
#undef fork
#undef vfork
#undef kill
#undef waitid
#undef waitpid
#undef pipe
#undef pipecoe
#undef _exit


#define FAIL(why) do { fz_fail(why, __LINE__) ; } while (0)
static void fz_fail (char const *why, int line)
{
  fprintf(stderr, "supervise fuzz: invariant broken (line %d): %s\n", line, why) ;
  abort() ;
}

/* ---------- the process model ---------- */

enum { KID_FREE, KID_ALIVE, KID_ZOMBIE, KID_REAPED } ;
enum { ROLE_RUN = 1, ROLE_AUX } ;

typedef struct
{
  pid_t pid ;
  int st ;          /* KID_* */
  int role ;
  int wstat ;       /* once a zombie */
  int group ;       /* made its own session and process group */
  int leftovers ;   /* its group has other members (a shell's children): live after it */
  int stubborn ;    /* the leftovers ignore everything but SIGKILL */
  int doomed ;      /* got SIGKILL: dead by the next step (signals are not delivered at once) */
  int notifyw ;     /* its end of the notification pipe, or -1 */
  int spawnw ;      /* its end of the exec-confirmation pipe, or -1 */
} fz_kid ;

#define NKIDS 12
static fz_kid kids[NKIDS] ;
static pid_t nextpid ;
static int forkfail ;        /* forks left to fail */
static int execfail ;        /* the next run's exec fails (vfork: at once) */
static int reusepid ;        /* the next fork reuses a free pid */
static int nextleftovers ;
static int pendnotify = -1, pendspawn = -1 ;  /* write ends of the pipes for the next run */
static int nextisrun ;       /* pipecoe was just called: the next fork is start_fork's */
static int statusfail ;
static unsigned int nsigs ;
static int sigq[4] ;
static settings_t nextset ;
static int exited ;
static int inctl ;           /* a control byte (or TERM to supervise) is being handled */
static jmp_buf exitjmp ;

static fz_kid *kid_of (pid_t pid)
{
  for (unsigned int i = 0 ; i < NKIDS ; i++) if (kids[i].st != KID_FREE && kids[i].pid == pid) return kids + i ;
  return 0 ;
}

static int unreaped (fz_kid const *k) { return k && (k->st == KID_ALIVE || k->st == KID_ZOMBIE) ; }

/* a process group of ours that still has a member */
static int group_alive (fz_kid const *k) { return k && k->group && (unreaped(k) || k->leftovers) ; }

static void closew (int *fd) { if (*fd >= 0) { close(*fd) ; *fd = -1 ; } }

static void kid_dies (fz_kid *k, int wstat)
{
  if (k->st != KID_ALIVE) return ;
  k->st = KID_ZOMBIE ;
  k->wstat = wstat ;
  closew(&k->notifyw) ;   /* its descriptors go with it */
  closew(&k->spawnw) ;
}

static void kid_gc (fz_kid *k)
{
  if (k->st == KID_REAPED && !k->leftovers) k->st = KID_FREE ;
}

static pid_t newkid (int role)
{
  fz_kid *k = 0 ;
  pid_t pid = 0 ;
  if (forkfail) { forkfail-- ; errno = EAGAIN ; return -1 ; }
  for (unsigned int i = 0 ; i < NKIDS ; i++) if (kids[i].st == KID_FREE) { k = kids + i ; break ; }
  if (!k) { errno = EAGAIN ; return -1 ; }
  /* the kernel gives a pid again once neither a process nor a group holds it */
  if (reusepid)
  {
    reusepid = 0 ;
    for (pid_t p = 100 ; p < nextpid && !pid ; p++) if (!kid_of(p)) pid = p ;
  }
  if (!pid) pid = nextpid++ ;
  memset(k, 0, sizeof *k) ;
  k->pid = pid ; k->st = KID_ALIVE ; k->role = role ;
  k->notifyw = k->spawnw = -1 ;
  if (role == ROLE_RUN)
  {
    for (unsigned int i = 0 ; i < NKIDS ; i++)
      if (kids + i != k && kids[i].role == ROLE_RUN && unreaped(kids + i)) FAIL("a second run started while one is not reaped") ;
    if (sv.finishpid) FAIL("a run started while ./finish runs") ;
    k->group = !sv.set.nosetsid ;
    k->leftovers = k->group && nextleftovers ;
    k->stubborn = nextleftovers > 1 ;
    k->notifyw = pendnotify ; pendnotify = -1 ;
    k->spawnw = pendspawn ; pendspawn = -1 ;
  }
  else k->group = 1 ;   /* spawn_aux always makes a session: finish and check */
  return pid ;
}

static pid_t fz_vfork (void)
{
  pid_t pid = newkid(ROLE_RUN) ;
  if (pid < 0) { int e = errno ; closew(&pendnotify) ; errno = e ; return pid ; }
  if (execfail)
  {
    /* the child could not exec: it says so in the shared memory and exits */
    fz_kid *k = kid_of(pid) ;
    execfail = 0 ;
    vchild_stage = 'x' ; vchild_errno = ENOENT ;
    kid_dies(k, 127 << 8) ;
  }
  return pid ;
}

static pid_t fz_fork (void)
{
  int run = nextisrun ;
  pid_t pid ;
  nextisrun = 0 ;
  pid = newkid(run ? ROLE_RUN : ROLE_AUX) ;
  if (pid < 0) { int e = errno ; if (run) { closew(&pendnotify) ; closew(&pendspawn) ; } errno = e ; }
  return pid ;
}

static int fz_pipe (int *p)
{
  if (pipe(p) < 0) return -1 ;
  closew(&pendnotify) ;
  pendnotify = dup(p[1]) ;
  return 0 ;
}

static int fz_pipecoe (int *p)
{
  if (pipe_internal(p, O_CLOEXEC) < 0) return -1 ;
  closew(&pendspawn) ;
  pendspawn = dup(p[1]) ;
  nextisrun = 1 ;
  return 0 ;
}

static fz_kid *run_kid (void) ;

static int fz_kill (pid_t pid, int sig)
{
  fz_kid *k ;
  if (pid == 0 || pid == -1 || pid == 1 || pid < -1000000) FAIL("a signal to supervise's own group, to everyone, or to init") ;
  /* the run is signalled on request only: a control byte, a stop under way, or its own death
     (its group gets the down-signal while the leader is a zombie) */
  if ((pid == sv.pid || -pid == sv.pid) && sig && sig != SIGCONT && run_kid() && !inctl && !sv.gotterm && sv.state != TEND_STATE_STOPPING)
    FAIL("a signal to the run that nobody asked for") ;
  if (pid > 0)
  {
    k = kid_of(pid) ;
    if (!unreaped(k)) FAIL("a signal to a pid that is not an unreaped child of ours") ;
    if (sig == SIGKILL) k->doomed = 1 ;
    return 0 ;
  }
  k = kid_of(-pid) ;
  if (!group_alive(k))
  {
    /* an empty group's number is free: anyone may hold it now */
    if (sig) FAIL("a signal to a process group that is not ours, or no longer has a member") ;
    errno = ESRCH ;
    return -1 ;
  }
  if (sig == SIGKILL || (!k->stubborn && sig && sig != SIGCONT && sig != SIGSTOP)) k->leftovers = 0 ;
  if (sig == SIGKILL && k->st == KID_ALIVE) k->doomed = 1 ;
  kid_gc(k) ;
  return 0 ;
}

static int fz_waitid (idtype_t type, id_t id, siginfo_t *si, int options)
{
  int any = 0 ;
  if (type != P_ALL || id || options != (WEXITED | WNOHANG | WNOWAIT)) FAIL("waitid called otherwise than the model knows") ;
  for (unsigned int i = 0 ; i < NKIDS ; i++)
  {
    if (unreaped(kids + i)) any = 1 ;
    if (kids[i].st == KID_ZOMBIE) { si->si_pid = kids[i].pid ; return 0 ; }
  }
  if (!any) { errno = ECHILD ; return -1 ; }
  return 0 ;
}

static pid_t fz_waitpid (pid_t pid, int *wstat, int options)
{
  fz_kid *k = kid_of(pid) ;
  if (pid <= 0 || options != WNOHANG) FAIL("waitpid called otherwise than the model knows") ;
  if (!unreaped(k)) { errno = ECHILD ; return -1 ; }
  if (k->st != KID_ZOMBIE) return 0 ;
  *wstat = k->wstat ;
  k->st = KID_REAPED ;
  kid_gc(k) ;
  return pid ;
}

static void fz_exit (int e)
{
  if (e) FAIL("supervise exited with an error") ;
  exited = 1 ;
  longjmp(exitjmp, 1) ;
}

static uint64_t fz_monotonic_ms (void)
{
  return (STAMP.sec.x - TAI_MAGIC) * 1000 + STAMP.nano / 1000000 ;
}

static int fz_selfpipe_read (void)
{
  if (!nsigs) return 0 ;
  {
    int s = sigq[0] ;
    memmove(sigq, sigq + 1, --nsigs * sizeof *sigq) ;
    return s ;
  }
}

static void fz_settings_read (settings_t *s) { *s = nextset ; }

static void check_status (tend_status_t const *st) ;

static int fz_status_write (int dfd, tend_status_t const *st)
{
  (void)dfd ;
  check_status(st) ;
  if (statusfail) { errno = ENOSPC ; return 0 ; }
  return 1 ;
}

static int fz_privdir_write (int dfd, char const *fn, char const *tmp, char const *s, size_t len)
{
  (void)dfd ; (void)fn ; (void)tmp ; (void)s ; (void)len ;
  if (statusfail) { errno = ENOSPC ; return 0 ; }
  return 1 ;
}

static unsigned int fz_notifyn_at (int dfd, char const *evs, size_t n)
{
  (void)dfd ;
  for (size_t i = 0 ; i < n ; i++) if (!strchr("suUdDxF", evs[i]) || !evs[i]) FAIL("an unknown event letter") ;
  return 0 ;
}

/* ---------- invariants ---------- */

static int hasrun (unsigned int s) { return s == TEND_STATE_STARTING || s == TEND_STATE_UP || s == TEND_STATE_READY || s == TEND_STATE_STOPPING ; }

static void check_status (tend_status_t const *st)
{
  char buf[TEND_STATUS_SIZE] ;
  tend_status_t u ;
  fz_kid *k ;
  if (st->pid)
  {
    k = kid_of((pid_t)st->pid) ;
    if (!unreaped(k)) FAIL("a pid in the status that is not an unreaped child") ;
    if (st->runstate == 1 && (k->role != ROLE_RUN || (pid_t)st->pid != sv.pid)) FAIL("the status's run is not the run") ;
    if (st->runstate == 2 && (k->role != ROLE_AUX || (pid_t)st->pid != sv.finishpid)) FAIL("the status's finish is not ./finish") ;
  }
  if (!st->pid && st->runstate) FAIL("running without a pid in the status") ;
  if (st->state != sv.state || st->want != sv.want) FAIL("the status says another state or want") ;
  /* what every reader gets: lib/status's decoding, and svwait's reading of it */
  tend_status_pack(buf, st) ;
  if (!tend_status_unpack(buf, sizeof buf, &u) || !tend_status_valid(&u)) FAIL("the status written does not decode") ;
  if (u.pid != st->pid || u.state != st->state || u.want != st->want || u.flags != st->flags || u.runstate != st->runstate || u.deaths != st->deaths || u.deadline != st->deadline) FAIL("the status does not round-trip") ;
  if (tend_wait_satisfied(&u, 'u', 0) != (sv.pid && (sv.state == TEND_STATE_UP || sv.state == TEND_STATE_READY))) FAIL("svwait -u disagrees with the state") ;
  if (tend_wait_satisfied(&u, 'U', 0) != (sv.pid && sv.state == TEND_STATE_READY)) FAIL("svwait -U disagrees with the state") ;
  if (tend_wait_satisfied(&u, 'd', 0) != !sv.pid) FAIL("svwait -d disagrees with the state") ;
  if (tend_wait_satisfied(&u, 'D', 0) != (!sv.pid && sv.state != TEND_STATE_FINISHING)) FAIL("svwait -D disagrees with the state") ;
  if (!!(u.flags & TEND_STATUS_F_DELAYED) != (sv.state == TEND_STATE_BACKOFF)) FAIL("the delayed flag disagrees with the state") ;
}

/* finite: due within a day (the longest setting), never already past; infinite: deliberate */
static int deadline_kind (tain const *d)
{
  tain left ;
  if (tain_less(d, &STAMP)) return -1 ;
  tain_sub(&left, d, &STAMP) ;
  if (left.sec.x <= 86400 + 1) return 1 ;
  if (left.sec.x >= tain_infinite_relative.sec.x / 2) return 0 ;
  return -1 ;
}

static void check_deadline (tain const *d, char const *what)
{
  if (deadline_kind(d) < 0) { fprintf(stderr, "%s: ", what) ; FAIL("a deadline neither finite nor deliberately infinite") ; }
}

static void check (void)
{
  unsigned int runs = 0 ;
  if (sv.state >= TEND_STATE_COUNT) FAIL("no such state") ;
  for (unsigned int i = 0 ; i < NKIDS ; i++)
  {
    fz_kid const *k = kids + i ;
    if (!unreaped(k)) continue ;
    if (k->role == ROLE_RUN) runs++ ;
    if (k->pid != sv.pid && k->pid != sv.finishpid && k->pid != sv.checkpid) FAIL("a child supervise forgot") ;
  }
  if (runs > 1) FAIL("two runs at once") ;
  if (!!sv.pid != hasrun(sv.state)) FAIL("a run without a running state, or the reverse") ;
  if (sv.pid && (!unreaped(kid_of(sv.pid)) || kid_of(sv.pid)->role != ROLE_RUN)) FAIL("the run's pid is not the unreaped run") ;
  if (!!sv.finishpid != (sv.state == TEND_STATE_FINISHING)) FAIL("./finish without FINISHING, or the reverse") ;
  if (sv.finishpid && (!unreaped(kid_of(sv.finishpid)) || kid_of(sv.finishpid)->role != ROLE_AUX)) FAIL("finishpid is not an unreaped child") ;
  if (sv.checkpid && (!unreaped(kid_of(sv.checkpid)) || kid_of(sv.checkpid)->role != ROLE_AUX)) FAIL("checkpid is not an unreaped child") ;
  if (sv.want != 'u' && sv.want != 'd' && sv.want) FAIL("want is none of u, d, 0") ;
  if (sv.state == TEND_STATE_FAILED && sv.want != 'd') FAIL("FAILED without want down") ;
  if (sv.want == 'd' && (sv.state == TEND_STATE_STARTING || sv.state == TEND_STATE_UP || sv.state == TEND_STATE_READY || sv.state == TEND_STATE_BACKOFF)) FAIL("wants down, yet runs or will start") ;
  if (sv.want == 'u' && sv.state == TEND_STATE_DOWN) FAIL("wants up, yet down with nothing to start it") ;
  if (sv.exiting && (sv.state == TEND_STATE_DOWN || sv.state == TEND_STATE_BACKOFF || sv.state == TEND_STATE_FAILED)) FAIL("exiting, yet resting in a state it exits from") ;
  check_deadline(&sv.statedeadline, "statedeadline") ;
  check_deadline(&sv.checkdeadline, "checkdeadline") ;
  check_deadline(&sv.checkkill, "checkkill") ;
  check_deadline(&sv.groupkilldeadline, "groupkilldeadline") ;
  check_deadline(&sv.statusretry, "statusretry") ;
  if (deferred) check_deadline(&pubdeadline, "pubdeadline") ;
  if (sv.state == TEND_STATE_BACKOFF && deadline_kind(&sv.statedeadline) != 1) FAIL("BACKOFF without a finite deadline: it would never restart") ;
  if ((sv.state == TEND_STATE_DOWN || sv.state == TEND_STATE_FAILED) && deadline_kind(&sv.statedeadline) != 0) FAIL("a state timer in DOWN or FAILED") ;
  if (sv.state == TEND_STATE_UP && sv.set.hascheck && !sv.checkpid && deadline_kind(&sv.checkdeadline) != 1) FAIL("UP with a check, but no check running or due") ;
  if (statusstale && deadline_kind(&sv.statusretry) != 1) FAIL("a failed status write with no retry due") ;
}

/* the top of supervise's loop */
static void looptop (void)
{
  if (sv.execok) { sv.execok = 0 ; dispatch(EV_EXECOK) ; }
  flush() ;
}

/* iopause timed out at the deadline: the clock is there, the timers run */
static void timeout (void)
{
  tain d ;
  next_deadline(&d) ;
  if (deadline_kind(&d) != 1) return ;  /* nothing due: it would sleep until an event */
  STAMP = d ;
  /* a timer may set another for now (a check due at once): the loop wakes again at once,
     and that must settle; a timer that stays due, round after round, is a busy loop */
  for (unsigned int i = 0 ; ; i++)
  {
    if (i == 8) FAIL("a timer still due after the timers ran: the loop would spin") ;
    handle_timers() ;
    looptop() ;
    next_deadline(&d) ;
    if (tain_future(&d)) break ;
  }
}

static void advance (unsigned int ms)
{
  tain t, d ;
  next_deadline(&d) ;
  tain_from_millisecs(&t, (int)ms) ;
  tain_add(&t, &STAMP, &t) ;
  if (!tain_less(&t, &d)) timeout() ;
  else STAMP = t ;
}

/* ---------- the driver ---------- */

static uint8_t const *in ;
static size_t inlen ;
static uint8_t get (void) { if (!inlen) return 0 ; inlen-- ; return *in++ ; }

static unsigned int ms_of (uint8_t b)
{
  static unsigned int const big[] = { 0, 10, 86400000, 3600000, 1000, 20 } ;
  if (b >= 250) return big[b - 250] ;
  return (unsigned int)b * (b & 1 ? 37 : 3) ;
}

static void read_settings (void)
{
  uint8_t a = get(), b = get(), c = get(), d = get(), e = get(), f = get() ;
  static int const sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGKILL, SIGUSR1, SIGQUIT } ;
  memset(&nextset, 0, sizeof nextset) ;
  nextset.notifyfd = a & 1 ? 3 + (a >> 1) % 5 : -1 ;
  nextset.hascheck = !!(a & 2) ;
  nextset.hasfinish = !!(a & 4) ;
  nextset.critical = !!(a & 8) ;
  nextset.nosetsid = !!(a & 16) ;
  nextset.hasenv = !!(a & 32) ;
  nextset.downsig = sigs[(a >> 6) % 6] ;
  nextset.checkinterval = 10 + ms_of(b) ;
  nextset.timeoutkill = ms_of(c) ;
  nextset.timeoutfinish = ms_of(d) ;
  nextset.timeoutcheck = ms_of(e) ;
  nextset.delaymin = 10 + ms_of(f) ;
  nextset.delaymax = nextset.delaymin + ms_of(get()) ;
  if (nextset.delaymax > 3600000) nextset.delaymax = 3600000 ;
  if (nextset.delaymin > nextset.delaymax) nextset.delaymin = nextset.delaymax ;
  nextset.maxrestarts = get() % 6 ;
  nextset.maxwindow = nextset.maxrestarts || (f & 1) ? get() % 100 : 0 ;
  if (nextset.maxrestarts && !nextset.maxwindow) nextset.maxwindow = 1 ;
}

static fz_kid *run_kid (void) { fz_kid *k = sv.pid ? kid_of(sv.pid) : 0 ; return k && k->st == KID_ALIVE ? k : 0 ; }

static void sigchld (void) { sigq[nsigs++] = SIGCHLD ; handle_signals() ; }

static void step (uint8_t op)
{
  static char const ctl[] = "uUdDoxrpchaitkq12?" ;
  for (unsigned int i = 0 ; i < NKIDS ; i++) if (kids[i].doomed) kid_dies(kids + i, SIGKILL) ;
  switch (op % 14)
  {
    case 0 : case 1 : case 2 :
      inctl = 1 ; control_byte(ctl[get() % (sizeof ctl - 1)]) ; inctl = 0 ; break ;
    case 3 :   /* a child dies: exit code or signal */
    {
      uint8_t a = get(), b = get() ;
      unsigned int live = 0 ;
      for (unsigned int i = 0 ; i < NKIDS ; i++) live += kids[i].st == KID_ALIVE ;
      /* 255, or none alive: only the SIGCHLD of a death already modelled (a SIGKILL) */
      if (a == 255) live = 0 ;
      if (live) a %= live ;
      for (unsigned int i = 0 ; live && i < NKIDS ; i++)
        if (kids[i].st == KID_ALIVE && !a--)
        {
          kid_dies(kids + i, b & 0x80 ? (b & 0x1f ? b & 0x1f : SIGTERM) : (b & 0x7f) << 8) ;
          break ;
        }
      sigchld() ;
      break ;
    }
    case 4 :   /* the run's exec: confirmed (fork path: the pipe closes) or failed */
    {
      fz_kid *k = sv.pid ? kid_of(sv.pid) : 0 ;
      uint8_t a = get() ;
      if (!unreaped(k) || sv.spawnfd < 0) break ;
      /* a run that died before its exec closed the pipe already: the loop reads EOF */
      if (k->spawnw < 0) ;
      else if (a & 1)
      {
        char msg[5 + 8] = "x" ;
        int e = ENOENT ;
        size_t n = 5 ;
        msg[0] = "xen"[(a >> 1) % 3] ;
        memcpy(msg + 1, &e, sizeof e) ;
        if (msg[0] == 'e') { memcpy(msg + 5, "VAR", 3) ; n += 3 ; }
        if (write(k->spawnw, msg, n) != (ssize_t)n) abort() ;
        kid_dies(k, (msg[0] == 'x' ? 127 : 126) << 8) ;
      }
      else closew(&k->spawnw) ;
      if (!read_spawnfd()) dispatch(EV_EXECOK) ;
      if (a & 1 && a & 2) sigchld() ;
      break ;
    }
    case 5 :   /* the run writes to its notification fd: a newline, other bytes, or closes it */
    {
      fz_kid *k = run_kid() ;
      uint8_t a = get() ;
      if (!k || k->notifyw < 0 || sv.notifyfd < 0) break ;
      if (a < 64) { if (write(k->notifyw, "\n", 1) != 1) abort() ; }
      else if (a < 128) closew(&k->notifyw) ;
      else
      {
        char junk[512] ;
        memset(junk, 'x', sizeof junk) ;
        if (write(k->notifyw, junk, (size_t)(a - 127) * 4) < 0) abort() ;
      }
      handle_notify() ;
      break ;
    }
    case 6 : timeout() ; break ;
    case 7 : advance(ms_of(get())) ; break ;
    case 8 : read_settings() ; break ;
    case 9 : forkfail = get() % 4 ; break ;
    case 10 : statusfail = get() & 1 ; break ;
    case 11 : sigq[nsigs++] = get() & 1 ? SIGHUP : SIGTERM ; inctl = 1 ; handle_signals() ; inctl = 0 ; break ;
    case 12 : { uint8_t a = get() ; execfail = a & 1 ; reusepid = !!(a & 2) ; nextleftovers = (a >> 2) % 3 ; break ; }
    case 13 :   /* the run's group gets other members (a shell's children), or those of
                   dead runs' groups end on their own: their group's number is free again */
    {
      fz_kid *k = run_kid() ;
      uint8_t a = get() ;
      if (a & 2)
      {
        for (unsigned int i = 0 ; i < NKIDS ; i++)
          if (kids[i].st == KID_REAPED) { kids[i].leftovers = 0 ; kid_gc(kids + i) ; }
      }
      else if (k && k->group) { k->leftovers = 1 ; k->stubborn = a & 1 ; }
      break ;
    }
  }
}

static char fz_dir[4096] ;
static int trace ;   /* SUPERVISE_FUZZ_TRACE=1: each step's outcome on stderr, to read a seed */

/* the lowest free descriptor: the same after an input as before, or one leaked */
static int lowestfree (void)
{
  int fd = open("/dev/null", O_RDONLY) ;
  if (fd < 0) abort() ;
  close(fd) ;
  return fd ;
}

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
  char const *t = getenv("TMPDIR") ;
  (void)argc ; (void)argv ;
  trace = !!getenv("SUPERVISE_FUZZ_TRACE") ;
  if ((size_t)snprintf(fz_dir, sizeof fz_dir, "%s/tend-fuzz-supervise.%d", t ? t : "/tmp", (int)getpid()) >= sizeof fz_dir
   || mkdir(fz_dir, 0700) < 0 || chdir(fz_dir) < 0)
  {
    perror("supervise fuzz: unable to make its directory") ;
    abort() ;
  }
  return 0 ;
}

static void reset (uint8_t first)
{
  memset(&sv, 0, sizeof sv) ;
  memset(kids, 0, sizeof kids) ;
  for (unsigned int i = 0 ; i < NKIDS ; i++) kids[i].notifyw = kids[i].spawnw = -1 ;
  dirty = statusstale = deferred = 0 ;
  evqlen = evstalelen = 0 ;
  forkfails = 0 ;
  laststatlen = lastpidlen = (size_t)-1 ;
  nextpid = 100 ; forkfail = execfail = reusepid = nextleftovers = nextisrun = statusfail = 0 ;
  nsigs = 0 ; exited = inctl = 0 ;
  memset(&nextset, 0, sizeof nextset) ;
  nextset.notifyfd = -1 ; nextset.checkinterval = 200 ; nextset.timeoutfinish = 5000 ;
  nextset.timeoutcheck = 10000 ; nextset.downsig = SIGTERM ; nextset.delaymin = 200 ; nextset.delaymax = 5000 ;
  tai_u64(&STAMP.sec, TAI_MAGIC + 1000000) ; STAMP.nano = 0 ;
  if (first & 1) { int fd = open("down", O_WRONLY | O_CREAT, 0644) ; if (fd >= 0) close(fd) ; }
  else unlink("down") ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  int fdbase ;
  if (!size) return 0 ;
  fdbase = lowestfree() ;
  in = data + 1 ; inlen = size - 1 ;
  reset(data[0]) ;
  if (data[0] & 2) read_settings() ;
  /* main's start-up, as it sets the state before its loop */
  sv.name = "svc" ;
  sv.spawnfd = sv.notifyfd = -1 ;
  deadlines_none() ;
  sv.set.downsig = SIGTERM ;
  sv.want = access("down", F_OK) == 0 ? 'd' : 'u' ;
  setstate(TEND_STATE_DOWN) ;
  announce() ;
  if (!setjmp(exitjmp))
  {
    if (sv.want == 'u') start() ;
    looptop() ;
    check() ;
    while (inlen)
    {
      uint8_t op = get() ;
      step(op) ;
      looptop() ;
      check() ;
      if (trace) fprintf(stderr, "op %2u: state %u want %c pid %d finish %d check %d%s\n", op % 14, sv.state, sv.want ? sv.want : '0', (int)sv.pid, (int)sv.finishpid, (int)sv.checkpid, sv.exiting ? " exiting" : "") ;
    }
  }
  if (exited)
  {
    if (sv.pid || sv.finishpid) FAIL("supervise exited with its run or finish alive") ;
    for (unsigned int i = 0 ; i < NKIDS ; i++) if (kids[i].role == ROLE_RUN && unreaped(kids + i)) FAIL("supervise exited before its run was reaped") ;
  }
  /* every descriptor supervise opened is one of these two, or closed */
  if (sv.spawnfd >= 0) close(sv.spawnfd) ;
  if (sv.notifyfd >= 0) close(sv.notifyfd) ;
  closew(&pendnotify) ; closew(&pendspawn) ;
  for (unsigned int i = 0 ; i < NKIDS ; i++) { closew(&kids[i].notifyw) ; closew(&kids[i].spawnw) ; }
  if (lowestfree() != fdbase) FAIL("a descriptor leaked") ;
  return 0 ;
}
