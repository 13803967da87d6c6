/* main.c: the main command (docker CMD) as a service of its own, and the exec into svscan. */

#include <skalibs/nonposix.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <skalibs/sig.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/djbunix.h>
#include <skalibs/unix-transactional.h>
#include <tend/status.h>
#include "tend-paths.h"
#include "svinit.h"

#define ARGVFILE "svinit-argv"

void svinit_writefile (char const *dir, char const *name, char const *s, size_t len)
{
  size_t dlen = strlen(dir), nlen = strlen(name) ;
  char fn[dlen + nlen + 2] ;
  memcpy(fn, dir, dlen) ; fn[dlen] = '/' ; memcpy(fn + dlen + 1, name, nlen + 1) ;
  if (!openwritenclose_suffix(fn, s, len, ".new")) strerr_diefusys(111, "write ", fn) ;
}

/* The main service's directory, all made by us: run is a link to this very binary (so it runs
   on a noexec /run, needs no shell in the image, and no quoting of the arguments), which finds
   the command in svinit-argv. critical + max-restarts 0: its first death is final and ends the
   container with its code (svscan's critical watch). */
void svinit_prepare_main (char const *live, char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t llen = strlen(live), nlen = strlen(conf.mainname) ;
  char dir[llen + nlen + 2] ;
  char self[PATH_MAX] ;
  ssize_t r ;
  memcpy(dir, live, llen) ; dir[llen] = '/' ; memcpy(dir + llen + 1, conf.mainname, nlen + 1) ;
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", dir) ;
  for (; *argv ; argv++) if (!stralloc_catb(&sa, *argv, strlen(*argv) + 1)) strerr_diefusys(111, "allocate") ;
  svinit_writefile(dir, ARGVFILE, sa.s, sa.len) ;
  svinit_writefile(dir, MODEFILE, "main\n", 5) ;
  svinit_writefile(dir, "critical", "", 0) ;
  svinit_writefile(dir, "max-restarts", "0 60\n", 5) ;
  /* on a terminal, the main command stays in PID 1's session (see svinit_mainrun) */
  {
    size_t dl = strlen(dir) ;
    char fn[dl + sizeof "/nosetsid"] ;
    memcpy(fn, dir, dl) ; memcpy(fn + dl, "/nosetsid", sizeof "/nosetsid") ;
    if (isatty(0)) svinit_writefile(dir, "nosetsid", "", 0) ;
    else if (unlink(fn) < 0 && errno != ENOENT) strerr_diefusys(111, "unlink ", fn) ;
  }
  r = readlink("/proc/self/exe", self, sizeof self - 1) ;
  if (r <= 0) strerr_diefusys(111, "readlink /proc/self/exe") ;
  self[r] = 0 ;
  {
    char run[llen + nlen + 6] ;
    memcpy(run, dir, llen + 1 + nlen) ; memcpy(run + llen + 1 + nlen, "/run", 5) ;
    if (!atomic_symlink(self, run, ".new")) strerr_diefusys(111, "link ", run, " to ", self) ;
  }
  stralloc_free(&sa) ;
}

/* supervise runs us as "./run NAME" in a directory we made, whose svinit-mode says what for */
int svinit_runmode (int argc, char const *const *argv)
{
  char buf[16] ;
  ssize_t r ;
  int fd ;
  /* svscan execs ./.svscan/finish CODE once the tree is down */
  if (argc == 2 && !strcmp(argv[0], "./.svscan/finish") && access(".svscan/" MODEFILE, F_OK) == 0) return SVINIT_MODE_FINISH ;
  if (argc != 2 || strcmp(argv[0], "./run")) return 0 ;
  fd = open(MODEFILE, O_RDONLY | O_CLOEXEC | O_NONBLOCK) ;
  if (fd < 0) return 0 ;
  r = read(fd, buf, sizeof buf) ;
  close(fd) ;
  if (r == 5 && !memcmp(buf, "main\n", 5)) return SVINIT_MODE_MAIN ;
  if (r == 5 && !memcmp(buf, "wrap\n", 5)) return SVINIT_MODE_WRAP ;
  if (r == 7 && !memcmp(buf, "logger\n", 7)) return SVINIT_MODE_LOGGER ;
  return 0 ;
}

static int isready (char const *name)
{
  tend_status_t st = TEND_STATUS_ZERO ;
  if (tend_status_read(name, &st) <= 0) return 0 ;
  if (st.version) return st.state == TEND_STATE_READY ;
  return st.runstate == 1 ;
}

/* Names of the services (and loggers) of the scan dir that are not ready yet, into sa as
   " a b"; 1 if all are */
static int allready (char const *svdir, char const *self, stralloc *sa)
{
  DIR *d = opendir(svdir) ;
  int ok = 1 ;
  sa->len = 0 ;
  if (!d) return 1 ;
  for (;;)
  {
    struct dirent *e ;
    errno = 0 ;
    e = readdir(d) ;
    if (!e) break ;
    if (e->d_name[0] == '.' || !strcmp(e->d_name, self)) continue ;
    {
      size_t slen = strlen(svdir), nlen = strlen(e->d_name) ;
      char fn[slen + nlen + 6] ;
      struct stat st ;
      memcpy(fn, svdir, slen) ; fn[slen] = '/' ; memcpy(fn + slen + 1, e->d_name, nlen + 1) ;
      if (stat(fn, &st) < 0 || !S_ISDIR(st.st_mode)) continue ;
      if (!isready(fn)) { ok = 0 ; stralloc_catb(sa, " ", 1) ; stralloc_cats(sa, e->d_name) ; }
      memcpy(fn + slen + 1 + nlen, "/log", 5) ;
      if (stat(fn, &st) == 0 && S_ISDIR(st.st_mode) && !isready(fn)) { ok = 0 ; stralloc_catb(sa, " ", 1) ; stralloc_cats(sa, e->d_name) ; stralloc_cats(sa, "/log") ; }
    }
  }
  dir_close(d) ;
  return ok ;
}

static unsigned long long now_ms (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000 ;
}

/* Runs as the main service's ./run: waits (bounded) until every other service is ready, then
   execs the command. A short poll, not events: it runs once, for at most SVINIT_CMD_WAIT_MS. */
void svinit_mainrun (void)
{
  char const *svdir = getenv("SVDIR") ;
  char const *self = getenv("SVINIT_MAIN_NAME") ;
  char const *x = getenv("SVINIT_CMD_WAIT_MS") ;
  unsigned int waitms = 10000 ;
  stralloc sa = STRALLOC_ZERO ;
  stralloc pending = STRALLOC_ZERO ;
  if (!self || !*self) self = "main" ;
  if (x && *x) uint0_scan(x, &waitms) ;
  if (!openslurpclose(&sa, ARGVFILE) || !sa.len || sa.s[sa.len - 1]) strerr_diefusys(111, "read ", ARGVFILE) ;
  if (svdir && *svdir)
  {
    unsigned long long end = now_ms() + waitms ;
    for (;;)
    {
      struct timespec ts = { .tv_sec = 0, .tv_nsec = 10000000 } ;
      if (allready(svdir, self, &pending)) break ;
      if (now_ms() >= end)
      {
        char fmt[UINT_FMT] ;
        fmt[uint_fmt(fmt, waitms)] = 0 ;
        if (!stralloc_0(&pending)) strerr_diefusys(111, "allocate") ;
        strerr_warnw("not ready after SVINIT_CMD_WAIT_MS=", fmt, " ms:", pending.s, ": starting the main command anyway") ;
        break ;
      }
      nanosleep(&ts, 0) ;
    }
  }
  /* docker run -t: svscan -m started our supervise in PID 1's session and nosetsid kept us
     there (a terminal belongs to one session): our own group, made the terminal's foreground,
     so Ctrl-C (SIGINT from the terminal) and job control reach the main command, not PID 1 */
  if (isatty(0) && getsid(0) != getpid())
  {
    if (setpgid(0, 0) < 0) strerr_warnwusys("make a process group for the main command") ;
    else
    {
      sig_ignore(SIGTTOU) ;
      if (tcsetpgrp(0, getpgrp()) < 0) strerr_warnwusys("make the main command the terminal's foreground") ;
      sig_restore(SIGTTOU) ;
    }
  }
  {
    size_t n = 0, i = 0 ;
    for (; i < sa.len ; i++) if (!sa.s[i]) n++ ;
    {
      char const *argv[n + 1] ;
      size_t pos = 0 ;
      for (i = 0 ; i < n ; i++) { argv[i] = sa.s + pos ; pos += strlen(sa.s + pos) + 1 ; }
      argv[n] = 0 ;
      execvp(argv[0], (char *const *)argv) ;
      strerr_diefusys(errno == ENOENT ? 127 : 126, "run the main command ", argv[0]) ;
    }
  }
}

/* svscan by the path it was built for, never through PATH (busybox, another package's svscan);
   else the svscan beside our own file (a tree moved after the build, an image's /usr/bin) */
void svinit_exec_svscan (char const *live)
{
  char beside[PATH_MAX] ;
  char const *path = TEND_SVSCAN_PATH ;
  char gfmt[UINT_FMT] ;
  char const *argv[9 + 2 * conf.nexitmap] ;
  char maps[conf.nexitmap ? conf.nexitmap : 1][8] ;
  unsigned int n = 0 ;
  if (access(path, X_OK) < 0)
  {
    ssize_t r = readlink("/proc/self/exe", beside, sizeof beside - sizeof "svscan") ;
    if (r > 0 && (size_t)r < sizeof beside - sizeof "svscan")
    {
      char *slash ;
      beside[r] = 0 ;
      slash = strrchr(beside, '/') ;
      if (slash) { memcpy(slash + 1, "svscan", sizeof "svscan") ; if (access(beside, X_OK) == 0) path = beside ; }
    }
  }
  gfmt[uint_fmt(gfmt, conf.grace_ms)] = 0 ;
  argv[n++] = "svscan" ;
  /* the live dir is built once: no periodic rescan (svscanctl -a still rescans) */
  argv[n++] = "-t0" ;
  argv[n++] = "-g" ;
  argv[n++] = gfmt ;
  for (unsigned int i = 0 ; i < conf.nexitmap ; i++)
  {
    size_t m = uint_fmt(maps[i], conf.exitmap[i][0]) ;
    maps[i][m++] = '=' ;
    maps[i][m + uint_fmt(maps[i] + m, conf.exitmap[i][1])] = 0 ;
    argv[n++] = "-e" ;
    argv[n++] = maps[i] ;
  }
  if (conf.hasmain) { argv[n++] = "-m" ; argv[n++] = conf.mainname ; }
  argv[n++] = live ;
  argv[n] = 0 ;
  execv(path, (char *const *)argv) ;
  strerr_diefusys(111, "exec ", path) ;
}

/* ---- tagged output for services without log/ ---- */

char const *svinit_self (void)
{
  static char self[PATH_MAX] ;
  ssize_t r ;
  if (self[0]) return self ;
  r = readlink("/proc/self/exe", self, sizeof self - 1) ;
  if (r <= 0) strerr_diefusys(111, "readlink /proc/self/exe") ;
  self[r] = 0 ;
  return self ;
}

static void linkto (char const *dir, char const *name, char const *target)
{
  size_t dlen = strlen(dir), nlen = strlen(name) ;
  char fn[dlen + nlen + 2] ;
  memcpy(fn, dir, dlen) ; fn[dlen] = '/' ; memcpy(fn + dlen + 1, name, nlen + 1) ;
  if (!atomic_symlink(target, fn, ".new")) strerr_diefusys(111, "link ", fn, " to ", target) ;
}

/* dst is the live dir of a service without log/; imgrun its image's run. Its run becomes us
   in "wrap" mode (stderr into a FIFO, then exec the image's run, kept as svinit-run), and it
   gets a log/ whose run is us in "logger" mode: svscan then joins the service's stdout to the
   logger by the pipe it holds, as for any log/, so a logger restart loses nothing. stderr
   takes the FIFO, not a pipe of svscan's: supervise's own warnings stay on svscan's stderr,
   which never fills up. */
void svinit_tagged_service (char const *dst, char const *name, char const *imgrun)
{
  size_t dlen = strlen(dst) ;
  char log[dlen + 5] ;
  (void)name ;
  memcpy(log, dst, dlen) ; memcpy(log + dlen, "/log", 5) ;
  linkto(dst, WRAPPEDRUN, imgrun) ;
  svinit_writefile(dst, MODEFILE, "wrap\n", 5) ;
  linkto(dst, "run", svinit_self()) ;
  if (mkdir(log, 0755) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", log) ;
  svinit_writefile(log, MODEFILE, "logger\n", 7) ;
  linkto(log, "run", svinit_self()) ;
  {
    char fifo[dlen + sizeof "/log/" STDERRFIFO] ;
    memcpy(fifo, log, dlen + 4) ; memcpy(fifo + dlen + 4, "/" STDERRFIFO, sizeof "/" STDERRFIFO) ;
    if (mkfifo(fifo, 0600) < 0 && errno != EEXIST) strerr_diefusys(111, "mkfifo ", fifo) ;
  }
}

/* The service's own run, with stderr into the logger's FIFO. The logger is started at the same
   time as we are: wait for it to open its end (ENXIO until then), up to 5 s; without it,
   stderr stays where it was (untagged, never lost) after a warning. */
void svinit_wraprun (char const *const *argv)
{
  unsigned int i = 0 ;
  int fd = -1 ;
  for (; i < 500 ; i++)
  {
    struct timespec ts = { .tv_sec = 0, .tv_nsec = 10000000 } ;
    fd = open("log/" STDERRFIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
    if (fd >= 0 || errno != ENXIO) break ;
    nanosleep(&ts, 0) ;
  }
  if (fd < 0) strerr_warnwusys("open log/" STDERRFIFO ": stderr stays untagged") ;
  else
  {
    /* blocking again: a full FIFO makes the service wait (back-pressure), never drops */
    int fl = fcntl(fd, F_GETFL) ;
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) ;
    if (fd_move(2, fd) < 0) strerr_diefusys(111, "move the stderr FIFO to fd 2") ;
  }
  execv("./" WRAPPEDRUN, (char *const *)argv) ;
  strerr_diefusys(errno == ENOENT ? 127 : 126, "exec ./" WRAPPEDRUN) ;
}

/* The logger: stdin is the service's stdout (svscan's pipe), the FIFO its stderr. A write end
   of our own keeps the FIFO from reporting end-of-file between two runs of the service. */
void svinit_loggerrun (char const *name)
{
  size_t len = strlen(name) ;
  char tag[len + 1] ;
  int rfd, wfd ;
  memcpy(tag, name, len + 1) ;
  if (len > 4 && !strcmp(tag + len - 4, "/log")) tag[len - 4] = 0 ;
  rfd = open(STDERRFIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (rfd < 0) strerr_diefusys(111, "open ", STDERRFIFO) ;
  wfd = open(STDERRFIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
  if (wfd < 0) strerr_diefusys(111, "open ", STDERRFIFO, " for writing") ;
  svinit_tag_pipes(tag, 0, rfd, 1) ;
  _exit(0) ;
}

/* ---- finish.d ---- */

/* The live dir's .svscan/finish is us: svscan execs it with the exit code once every service
   is down. */
void svinit_prepare_finish (char const *live)
{
  size_t llen = strlen(live) ;
  char dir[llen + sizeof "/.svscan"] ;
  memcpy(dir, live, llen) ; memcpy(dir + llen, "/.svscan", sizeof "/.svscan") ;
  if (mkdir(dir, 0700) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", dir) ;
  svinit_writefile(dir, MODEFILE, "finish\n", 7) ;
  linkto(dir, "finish", svinit_self()) ;
}

/* Runs the finish.d scripts in a child of its own process group, for at most SVINIT_GRACE_MS: what is
   still running then is killed, and the container exits with svscan's code either way. */
void svinit_finishrun (char const *code)
{
  unsigned int exitcode = 0 ;
  unsigned long long end ;
  pid_t pid ;
  int wstat ;
  if (!uint0_scan(code, &exitcode) || exitcode > 255) exitcode = 111 ;
  if (access(conf.finishdir, F_OK) < 0) _exit((int)exitcode) ;
  end = now_ms() + conf.grace_ms ;
  pid = fork() ;
  if (pid < 0) { strerr_warnwusys("fork for finish.d") ; _exit((int)exitcode) ; }
  if (!pid)
  {
    setpgid(0, 0) ;
    svinit_run_dir(conf.finishdir, "finish.d", 0) ;
    _exit(0) ;
  }
  setpgid(pid, pid) ;
  for (;;)
  {
    struct timespec ts = { .tv_sec = 0, .tv_nsec = 5000000 } ;
    pid_t r = waitpid(pid, &wstat, WNOHANG) ;
    if (r == pid || (r < 0 && errno != EINTR)) break ;
    if (now_ms() >= end)
    {
      char fmt[UINT_FMT] ;
      fmt[uint_fmt(fmt, conf.grace_ms)] = 0 ;
      strerr_warnw("finish.d still running after SVINIT_GRACE_MS=", fmt, " ms: killing it") ;
      kill(-pid, SIGKILL) ;
      waitpid(pid, &wstat, 0) ;
      break ;
    }
    nanosleep(&ts, 0) ;
  }
  _exit((int)exitcode) ;
}
