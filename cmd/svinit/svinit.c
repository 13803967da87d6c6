/* svinit: the container entry point. Checks its settings, builds a writable live scan
   directory from the image's read-only service tree, records it, runs the one-shot init.d
   scripts, then becomes svscan (exec: PID 1 stays one process). */

#include <skalibs/nonposix.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sig.h>
#include <skalibs/unix-transactional.h>
#include <tend/svpath.h>
#include <tend/usage.h>
#include "tend-paths.h"
#include "svinit.h"

#define USAGE "svinit [ -- ] [ prog args... ]"
#define HELP \
"prepare the live scan dir from $SVINIT_SERVICES, run the init.d one-shots, then become svscan;\n" \
"prog args..., when given, run as the main service: its exit ends the container (see svinit(8))\n"

#define LIVE_DEFAULT "/run/service"
#define SERVICES_DEFAULT "/etc/service"
#define INITDIR_DEFAULT "/etc/svinit/init.d"
#define FINISHDIR_DEFAULT "/etc/svinit/finish.d"

svinit_conf_t conf ;

/* Every SVINIT_* variable svinit knows: any other one is a typo, refused before anything
   starts, so a misspelt setting never silently does nothing. */
static char const *const known[] =
{
  "SVINIT_SERVICES", "SVINIT_LIVE_DIR", "SVINIT_INIT_DIR", "SVINIT_FINISH_DIR",
  "SVINIT_INIT_FAILURE", "SVINIT_LOG_FORMAT", "SVINIT_EXIT_MAP", "SVINIT_GRACE_MS",
  "SVINIT_MAIN_NAME", "SVINIT_CMD_WAIT_MS", 0
} ;

static char const *setting (char const *name, char const *def)
{
  char const *x = getenv(name) ;
  return x && *x ? x : def ;
}

static void bad (char const *name, char const *value, char const *allowed)
{
  strerr_dief(100, "invalid ", name, "=", value, ": allowed values: ", allowed) ;
}

static unsigned int ms_setting (char const *name, unsigned int def)
{
  char const *x = getenv(name) ;
  unsigned int u ;
  if (!x || !*x) return def ;
  if (!uint0_scan(x, &u) || u > 3600000) bad(name, x, "a number of milliseconds from 0 to 3600000") ;
  return u ;
}

static char const *abspath_setting (char const *name, char const *def)
{
  char const *x = setting(name, def) ;
  if (x[0] != '/') bad(name, x, "an absolute path") ;
  return x ;
}

/* a service name as svscan sees one: not empty, no '/', not starting with a dot */
int svinit_goodname (char const *s)
{
  size_t len = strlen(s) ;
  return len && len <= NAME_MAX && s[0] != '.' && !strchr(s, '/') ;
}

static void parse_exitmap (char const *s)
{
  char const *orig = s ;
  conf.nexitmap = 0 ;
  for (;;)
  {
    unsigned int from, to ;
    size_t n ;
    while (*s == ' ' || *s == '\t' || *s == ',') s++ ;
    if (!*s) break ;
    n = uint_scan(s, &from) ;
    if (!n || from > 255 || s[n] != '=') goto err ;
    s += n + 1 ;
    n = uint_scan(s, &to) ;
    if (!n || to > 255 || (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != ',')) goto err ;
    s += n ;
    if (conf.nexitmap >= 256) goto err ;
    conf.exitmap[conf.nexitmap][0] = (unsigned char)from ;
    conf.exitmap[conf.nexitmap][1] = (unsigned char)to ;
    conf.nexitmap++ ;
  }
  return ;
 err:
  bad("SVINIT_EXIT_MAP", orig, "space-separated CODE=CODE pairs, codes from 0 to 255, e.g. \"143=0 130=0\"") ;
}

static void read_settings (void)
{
  extern char **environ ;
  char const *x ;
  for (char **e = environ ; *e ; e++)
  {
    size_t len ;
    unsigned int i = 0 ;
    if (strncmp(*e, "SVINIT_", 7)) continue ;
    len = strcspn(*e, "=") ;
    for (; known[i] ; i++) if (strlen(known[i]) == len && !strncmp(*e, known[i], len)) break ;
    if (!known[i])
    {
      char name[len + 1] ;
      memcpy(name, *e, len) ; name[len] = 0 ;
      strerr_dief(100, "unknown variable ", name, ": known are SVINIT_SERVICES SVINIT_LIVE_DIR SVINIT_INIT_DIR SVINIT_FINISH_DIR SVINIT_INIT_FAILURE SVINIT_LOG_FORMAT SVINIT_EXIT_MAP SVINIT_GRACE_MS SVINIT_MAIN_NAME SVINIT_CMD_WAIT_MS") ;
    }
  }

  conf.services_set = !!(getenv("SVINIT_SERVICES") && *getenv("SVINIT_SERVICES")) ;
  conf.services = abspath_setting("SVINIT_SERVICES", SERVICES_DEFAULT) ;
  conf.live = abspath_setting("SVINIT_LIVE_DIR", LIVE_DEFAULT) ;
  conf.initdir = abspath_setting("SVINIT_INIT_DIR", INITDIR_DEFAULT) ;
  conf.finishdir = abspath_setting("SVINIT_FINISH_DIR", FINISHDIR_DEFAULT) ;

  x = setting("SVINIT_INIT_FAILURE", "stop") ;
  if (!strcmp(x, "stop")) conf.initwarn = 0 ;
  else if (!strcmp(x, "warn")) conf.initwarn = 1 ;
  else bad("SVINIT_INIT_FAILURE", x, "stop (the default), warn") ;

  x = setting("SVINIT_LOG_FORMAT", "tagged") ;
  if (!strcmp(x, "plain")) conf.format = SVINIT_FMT_PLAIN ;
  else if (!strcmp(x, "tagged")) conf.format = SVINIT_FMT_TAGGED ;
  else if (!strcmp(x, "stamped")) conf.format = SVINIT_FMT_STAMPED ;
  else if (!strcmp(x, "json")) conf.format = SVINIT_FMT_JSON ;
  else bad("SVINIT_LOG_FORMAT", x, "plain, tagged (the default), stamped, json") ;

  parse_exitmap(setting("SVINIT_EXIT_MAP", "")) ;
  conf.grace_set = !!(getenv("SVINIT_GRACE_MS") && *getenv("SVINIT_GRACE_MS")) ;
  conf.grace_ms = ms_setting("SVINIT_GRACE_MS", 5000) ;
  conf.cmdwait_ms = ms_setting("SVINIT_CMD_WAIT_MS", 10000) ;

  conf.mainname = setting("SVINIT_MAIN_NAME", "main") ;
  if (!svinit_goodname(conf.mainname))
    bad("SVINIT_MAIN_NAME", conf.mainname, "a service name: not empty, no '/', not starting with '.'") ;
}

/* ---- the live scan directory ---- */

static int writable_dir (char const *dir)
{
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) return 0 ;
  return access(dir, W_OK | X_OK) == 0 ;
}

/* The configured live dir if it can be made and written; else a private directory under
   $TMPDIR (non-root on a read-only root, where /run is root's or not a tmpfs at all). */
static void choose_live (stralloc *live, stralloc *rundir)
{
  char const *tmp ;
  if (writable_dir(conf.live))
  {
    if (!stralloc_cats(live, conf.live) || !stralloc_0(live)) strerr_diefusys(111, "allocate") ;
    return ;
  }
  {
    int e = errno ;
    tmp = setting("TMPDIR", "/tmp") ;
    {
      size_t tlen = strlen(tmp) ;
      char tmpl[tlen + sizeof "/svinit.XXXXXX"] ;
      memcpy(tmpl, tmp, tlen) ;
      memcpy(tmpl + tlen, "/svinit.XXXXXX", sizeof "/svinit.XXXXXX") ;
      if (!mkdtemp(tmpl))
      {
        errno = e ;
        strerr_diefusys(111, "create the live scan directory ", conf.live, " or a private one under ", tmp) ;
      }
      if (!stralloc_cats(rundir, tmpl) || !stralloc_cats(rundir, "/tend") || !stralloc_0(rundir)
       || !stralloc_cats(live, tmpl) || !stralloc_cats(live, "/service") || !stralloc_0(live))
        strerr_diefusys(111, "allocate") ;
    }
    if (mkdir(live->s, 0755) < 0) strerr_diefusys(111, "mkdir ", live->s) ;
  }
}

/* dst/NAME -> src/NAME for every entry of src except skip (the dirs svinit makes itself) */
static void link_entries (char const *src, char const *dst, char const *const *skip)
{
  DIR *dir = opendir(src) ;
  size_t slen = strlen(src), dlen = strlen(dst) ;
  if (!dir) strerr_diefusys(111, "open directory ", src) ;
  for (;;)
  {
    struct dirent *d ;
    unsigned int i = 0 ;
    errno = 0 ;
    d = readdir(dir) ;
    if (!d) { if (errno) strerr_diefusys(111, "read directory ", src) ; break ; }
    if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue ;
    for (; skip[i] ; i++) if (!strcmp(d->d_name, skip[i])) break ;
    if (skip[i]) continue ;
    {
      size_t nlen = strlen(d->d_name) ;
      char target[slen + nlen + 2] ;
      char name[dlen + nlen + 2] ;
      memcpy(target, src, slen) ; target[slen] = '/' ; memcpy(target + slen + 1, d->d_name, nlen + 1) ;
      memcpy(name, dst, dlen) ; name[dlen] = '/' ; memcpy(name + dlen + 1, d->d_name, nlen + 1) ;
      /* a link, not a copy: the image's file stays the one truth (a rebuilt image changes the
         service at the next start), and nothing is read or written but the name */
      if (!atomic_symlink(target, name, ".svinit-new")) strerr_diefusys(111, "link ", name, " to ", target) ;
    }
  }
  dir_close(dir) ;
}

static void make_realdir (char const *path)
{
  struct stat st ;
  /* an earlier run of this container (docker restart keeps /run when it is no tmpfs) left it:
     reuse it; anything but a real directory there is replaced */
  if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(path) < 0) strerr_diefusys(111, "unlink ", path) ;
  if (mkdir(path, 0755) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", path) ;
}

static void prepare_service (char const *live, char const *name)
{
  static char const *const skipsvc[] = { "supervise", "log", "event", 0 } ;
  static char const *const skiplog[] = { "supervise", "event", 0 } ;
  size_t slen = strlen(conf.services), llen = strlen(live), nlen = strlen(name) ;
  char src[slen + 1 + nlen + sizeof "/" OPTOUTFILE] ;
  char dst[llen + nlen + 6] ;
  struct stat st ;
  memcpy(src, conf.services, slen) ; src[slen] = '/' ; memcpy(src + slen + 1, name, nlen + 1) ;
  memcpy(dst, live, llen) ; dst[llen] = '/' ; memcpy(dst + llen + 1, name, nlen + 1) ;
  {
    char run[slen + nlen + 6] ;
    memcpy(run, src, slen + 1 + nlen) ; memcpy(run + slen + 1 + nlen, "/run", 5) ;
    if (stat(run, &st) < 0)
    {
      if (errno == ENOENT) strerr_dief(100, "service ", src, " has no run file") ;
      strerr_diefusys(111, "stat ", run) ;
    }
  }
  if (!strcmp(name, conf.mainname) && conf.hasmain)
    strerr_dief(100, "the main command's service name ", conf.mainname, " is taken by ", src, ": set SVINIT_MAIN_NAME to another name") ;
  /* real directories: supervise writes supervise/ (and svscan event/) into them */
  make_realdir(dst) ;
  link_entries(src, dst, skipsvc) ;
  memcpy(src + slen + 1 + nlen, "/log", 5) ;
  memcpy(dst + llen + 1 + nlen, "/log", 5) ;
  if (stat(src, &st) == 0 && S_ISDIR(st.st_mode))
  {
    make_realdir(dst) ;
    link_entries(src, dst, skiplog) ;
    return ;
  }
  /* no log/: its lines reach the container's output tagged with its name, unless the image
     opts out (a program that writes structured lines already) */
  memcpy(src + slen + 1 + nlen, "/" OPTOUTFILE, sizeof "/" OPTOUTFILE) ;
  if (access(src, F_OK) == 0) return ;
  memcpy(src + slen + 1 + nlen, "/run", 5) ;
  dst[llen + 1 + nlen] = 0 ;
  svinit_tagged_service(dst, name, src) ;
}

static void prepare_live (char const *live)
{
  DIR *dir = opendir(conf.services) ;
  if (!dir)
  {
    /* no image services is fine for a plain `svinit prog`; not when they were asked for */
    if (errno == ENOENT && !conf.services_set && conf.hasmain) return ;
    if (errno == ENOENT) strerr_dief(100, "unable to open directory ", conf.services, ": no such directory (set SVINIT_SERVICES, or give a command to run)") ;
    strerr_diefusys(111, "open directory ", conf.services) ;
  }
  for (;;)
  {
    struct dirent *d ;
    struct stat st ;
    errno = 0 ;
    d = readdir(dir) ;
    if (!d) { if (errno) strerr_diefusys(111, "read directory ", conf.services) ; break ; }
    if (d->d_name[0] == '.') continue ;
    {
      size_t slen = strlen(conf.services), nlen = strlen(d->d_name) ;
      char src[slen + nlen + 2] ;
      memcpy(src, conf.services, slen) ; src[slen] = '/' ; memcpy(src + slen + 1, d->d_name, nlen + 1) ;
      if (stat(src, &st) < 0 || !S_ISDIR(st.st_mode)) continue ;  /* svscan skips these too */
    }
    prepare_service(live, d->d_name) ;
    conf.nservices++ ;
  }
  dir_close(dir) ;
}

/* ---- init.d one-shots ---- */

static int cmpstr (void const *a, void const *b)
{
  return strcmp(*(char const *const *)a, *(char const *const *)b) ;
}

/* Runs DIR/NAME with the container's environment, its stdout and stderr tagged "init.d/NAME".
   Returns its wait status, or an exit status 126/127 when it cannot be run. */
static int run_oneshot (char const *dir, char const *tagdir, char const *name)
{
  size_t dlen = strlen(dir), nlen = strlen(name), tlen = strlen(tagdir) ;
  char path[dlen + nlen + 2] ;
  char tag[tlen + nlen + 2] ;
  int out[2], err[2] ;
  pid_t pid ;
  int wstat ;
  memcpy(path, dir, dlen) ; path[dlen] = '/' ; memcpy(path + dlen + 1, name, nlen + 1) ;
  memcpy(tag, tagdir, tlen) ; tag[tlen] = '/' ; memcpy(tag + tlen + 1, name, nlen + 1) ;
  if (access(path, X_OK) < 0)
  {
    strerr_warnwusys("execute ", path) ;
    return (errno == ENOENT ? 127 : 126) << 8 ;
  }
  if (pipecoe(out) < 0 || pipecoe(err) < 0) strerr_diefusys(111, "make a pipe") ;
  pid = fork() ;
  if (pid < 0) strerr_diefusys(111, "fork") ;
  if (!pid)
  {
    char const *argv[2] = { path, 0 } ;
    if (fd_move(1, out[1]) < 0 || fd_move(2, err[1]) < 0) _exit(111) ;
    sig_restore(SIGPIPE) ;
    execv(path, (char *const *)argv) ;
    strerr_warnwusys("execute ", path) ;
    _exit(errno == ENOENT ? 127 : 126) ;
  }
  fd_close(out[1]) ; fd_close(err[1]) ;
  svinit_tag_pipes(tag, out[0], err[0], 0) ;
  fd_close(out[0]) ; fd_close(err[0]) ;
  if (wait_pid(pid, &wstat) < 0) strerr_diefusys(111, "wait for ", path) ;
  return wstat ;
}

static unsigned int wstat_code (int wstat)
{
  return WIFSIGNALED(wstat) ? 128 + (unsigned int)WTERMSIG(wstat) : (unsigned int)WEXITSTATUS(wstat) ;
}

/* Runs every entry of dir (not starting with a dot) in name order. Returns 0, or the exit code
   of the first failing one when failures stop (fatal), which the caller exits with. */
unsigned int svinit_run_dir (char const *dir, char const *tag, int stoponfail)
{
  stralloc names = STRALLOC_ZERO ;
  size_t n = 0 ;
  DIR *d = opendir(dir) ;
  if (!d)
  {
    if (errno == ENOENT) return 0 ;
    strerr_diefusys(111, "open directory ", dir) ;
  }
  for (;;)
  {
    struct dirent *e ;
    errno = 0 ;
    e = readdir(d) ;
    if (!e) { if (errno) strerr_diefusys(111, "read directory ", dir) ; break ; }
    if (e->d_name[0] == '.') continue ;
    if (!stralloc_catb(&names, e->d_name, strlen(e->d_name) + 1)) strerr_diefusys(111, "allocate") ;
    n++ ;
  }
  dir_close(d) ;
  {
    char const *v[n ? n : 1] ;
    size_t i = 0, pos = 0 ;
    for (; i < n ; i++) { v[i] = names.s + pos ; pos += strlen(names.s + pos) + 1 ; }
    qsort(v, n, sizeof *v, &cmpstr) ;
    for (i = 0 ; i < n ; i++)
    {
      int wstat = run_oneshot(dir, tag, v[i]) ;
      unsigned int code = wstat_code(wstat) ;
      char fmt[UINT_FMT] ;
      if (!code) continue ;
      fmt[uint_fmt(fmt, WIFSIGNALED(wstat) ? (unsigned int)WTERMSIG(wstat) : code)] = 0 ;
      if (stoponfail)
      {
        if (WIFSIGNALED(wstat)) strerr_warnw(tag, "/", v[i], " was killed by signal ", fmt, ": stopping the container") ;
        else strerr_warnw(tag, "/", v[i], " exited ", fmt, ": stopping the container") ;
        stralloc_free(&names) ;
        return code ;
      }
      if (WIFSIGNALED(wstat)) strerr_warnw(tag, "/", v[i], " was killed by signal ", fmt, ": going on") ;
      else strerr_warnw(tag, "/", v[i], " exited ", fmt, ": going on") ;
    }
  }
  stralloc_free(&names) ;
  return 0 ;
}

int main (int argc, char const *const *argv)
{
  stralloc live = STRALLOC_ZERO ;
  stralloc rundir = STRALLOC_ZERO ;
  PROG = "svinit" ;
  switch (svinit_runmode(argc, argv))
  {
    /* run again by supervise, from a service directory we made: never returns */
    case SVINIT_MODE_MAIN : svinit_mainrun() ;
    case SVINIT_MODE_WRAP : svinit_wraprun(argv) ;
    case SVINIT_MODE_LOGGER : read_settings() ; svinit_loggerrun(argv[1]) ;
    case SVINIT_MODE_FINISH : read_settings() ; svinit_finishrun(argv[1]) ;
    default : break ;
  }
  tend_usage_first(argc, argv, USAGE, HELP) ;
  /* a first argument with a dash is a mistyped option far more often than a command (one that
     starts with a dash follows "--"): refused before anything is prepared, so `svinit -h` typed
     on a host never becomes svscan on that host's /etc/service */
  if (argc >= 2 && argv[1][0] == '-')
  {
    if (argv[1][1] == '-' && !argv[1][2]) { argv++ ; argc-- ; }
    else strerr_dieusage(100, USAGE) ;
  }
  conf.hasmain = argc >= 2 ;
  read_settings() ;

  choose_live(&live, &rundir) ;
  prepare_live(live.s) ;
  if (conf.hasmain) svinit_prepare_main(live.s, argv + 1) ;
  svinit_prepare_finish(live.s) ;
  if (!conf.nservices && !conf.hasmain)
    strerr_dief(100, "nothing to run: no service in ", conf.services, " and no command given") ;

  /* the record, so a bare `svc -h web` from `docker exec` finds the live dir: in
     $TEND_RUNDIR when the user set it; else in /run/tend, or when that cannot be written (a
     non-root user on a read-only root) in /tmp/tend-EUID, the fixed place an exec as the same
     uid looks with no variable; failing both, beside the private live dir, which only our
     children (that inherit TEND_RUNDIR) see */
  if (!tend_svpath_record(live.s))
  {
    int e = errno ;
    char fb[TEND_RUNDIR_FALLBACK_LEN] ;
    if (getenv("TEND_RUNDIR")) { errno = e ; strerr_warnwu("record the live scan directory ", live.s) ; }
    else if (tend_svpath_record_fallback(live.s, fb))
    {
      if (setenv("TEND_RUNDIR", fb, 1) < 0) strerr_diefusys(111, "set TEND_RUNDIR") ;
    }
    else
    {
      strerr_warnwu("record the live scan directory in " TEND_RUNDIR_DEFAULT " or ", fb, ": bare names from docker exec need SVDIR") ;
      if (!rundir.len && (!stralloc_cats(&rundir, live.s) || !stralloc_cats(&rundir, ".tend") || !stralloc_0(&rundir))) strerr_diefusys(111, "allocate") ;
      if (setenv("TEND_RUNDIR", rundir.s, 1) < 0) strerr_diefusys(111, "set TEND_RUNDIR") ;
      if (!tend_svpath_record(live.s)) strerr_diefusys(111, "record the live scan directory in ", rundir.s) ;
    }
  }
  /* our children (init.d scripts, services, hooks) find services by bare name whatever the
     record says: SVDIR comes first in the lookup */
  if (setenv("SVDIR", live.s, 1) < 0) strerr_diefusys(111, "set SVDIR") ;

  {
    unsigned int code = svinit_run_dir(conf.initdir, "init.d", !conf.initwarn) ;
    if (code) { stralloc_free(&live) ; stralloc_free(&rundir) ; return (int)code ; }
  }

  svinit_exec_svscan(live.s) ;
}
