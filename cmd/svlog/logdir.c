/* logdir.c: multilog's log directory: lock, start-up recovery, size-bounded current, rotation
   through an optional processor, archives @<tai64n>.s/.u, pruning by count and total size. */

#include <skalibs/nonposix.h>   /* sync_file_range: first, before any system header */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>
#include <skalibs/tai.h>
#include <skalibs/djbunix.h>
#include <skalibs/selfpipe.h>
#include <tend/tai.h>
#include "svlog.h"

/* one error identity per call site: a warning is printed once per distinct failing operation */
#define FAIL(o, verb, obj) svlog_error((o), __LINE__, (verb), (obj))

/* What svlog reads and writes in a log directory is a regular file reached by its own name,
   never through a symbolic link: a link planted by whoever else could write the directory would
   make svlog (maybe root) append to, chmod or create a file of their choosing. */

char const *logdir_strerror (int e)
{
  if (e == ELOOP) return "it is a symbolic link, which svlog does not follow" ;
  if (e == SVLOG_ENOTREG) return "it is not a regular file" ;
  return strerror(e) ;
}

/* 1 if NAME exists (as a regular file), 0 if not, -1 with errno set on error or when it is a
   symbolic link (ELOOP) or not a regular file */
static int fexists (int dfd, char const *name, struct stat *st)
{
  if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : -1 ;
  if (S_ISLNK(st->st_mode)) { errno = ELOOP ; return -1 ; }
  if (!S_ISREG(st->st_mode)) { errno = SVLOG_ENOTREG ; return -1 ; }
  return 1 ;
}

/* Open NAME relative to the directory, not following a symbolic link, not blocking on a FIFO,
   and keep it only if it is a regular file. Returns the fd (close-on-exec, blocking), or -1
   with errno set. Safe in a forked child. */
static int openreg (int dfd, char const *name, int flags, mode_t mode)
{
  struct stat st ;
  int fd = openat(dfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0) goto err ;
  if (!S_ISREG(st.st_mode)) { errno = SVLOG_ENOTREG ; goto err ; }
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) goto err ;
  return fd ;
 err:
  {
    int e = errno ;
    fd_close(fd) ;
    errno = e ;
    return -1 ;
  }
}

/* Link FILE to a fresh @stamp.CODE unless it already has a second name (a crash between link
   and unlink), then remove FILE. Returns 1, or 0 with errno and *what set.
   Archives are pruned oldest name first, so a new name never sorts before the newest one
   there: after the wall clock steps back, the stamp is the newest name's plus 1 ns, else a
   clock set back a day would make each new archive the "oldest" and prune it at once. */
static int archive (logdir *d, char const *file, char code, char const **what)
{
  struct stat st ;
  int r = fexists(d->dfd, file, &st) ;
  if (r < 0) { *what = "archive " ; return 0 ; }
  if (!r) return 1 ;
  if (st.st_nlink == 1)
  {
    tend_tai64n_t t ;
    char fn[TEND_TAI64N_FMT + 3] ;
    tend_tai64n_now(&t) ;
    if (d->hasnewest && (t.sec < d->newest.sec || (t.sec == d->newest.sec && t.nano <= d->newest.nano)))
    {
      t = d->newest ;
      if (++t.nano >= 1000000000) { t.nano = 0 ; t.sec++ ; }
    }
    for (;;)
    {
      tend_tai64n_fmt(fn, &t) ;
      fn[TEND_TAI64N_FMT] = '.' ; fn[TEND_TAI64N_FMT + 1] = code ; fn[TEND_TAI64N_FMT + 2] = 0 ;
      if (linkat(d->dfd, file, d->dfd, fn, 0) == 0) break ;
      /* two rotations within one clock tick: take the next nanosecond, names stay ordered */
      if (errno != EEXIST) { *what = "link " ; return 0 ; }
      if (++t.nano >= 1000000000) { t.nano = 0 ; t.sec++ ; }
    }
    d->newest = t ; d->hasnewest = 1 ;
  }
  if (unlinkat(d->dfd, file, 0) < 0) { *what = "remove " ; return 0 ; }
  return 1 ;
}

static int isarchive (char const *s)
{
  return s[0] == '@' && strlen(s) >= 25 ;
}

/* an archive name and size, in a window of the oldest ones */
#define PRUNE_WINDOW 16
typedef struct { char name[NAME_MAX + 1] ; uint64_t size ; } oldname ;

static int older (char const *a, char const *b)
{
  int c = strncmp(a, b, 25) ;
  return c ? c < 0 : strcmp(a, b) < 0 ;
}

/* multilog keeps at most n-1 archives (old files, .s and .u alike); S caps their total size.
   The oldest names go first. One pass over the directory notes the count, the total (a stat
   per archive only with S), the newest name, and the PRUNE_WINDOW oldest; those are removed as
   needed. A rotation adds one archive, so one pass is all it takes; only a directory far over
   its bounds (a smaller n or S at start) needs another pass per PRUNE_WINDOW removals.
   Returns 1, or 0 with errno set. */
static int prune (logdir *d)
{
  for (;;)
  {
    oldname old[PRUNE_WINDOW] ;
    unsigned int nold = 0, count = 0, i = 0 ;
    uint64_t total = 0 ;
    struct dirent *e ;
    DIR *dir ;
    int fd = openat(d->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
    if (fd < 0) return 0 ;
    dir = fdopendir(fd) ;
    if (!dir) { int e2 = errno ; fd_close(fd) ; errno = e2 ; return 0 ; }
    for (;;)
    {
      uint64_t size = 0 ;
      tend_tai64n_t t ;
      unsigned int j ;
      errno = 0 ;
      e = readdir(dir) ;
      if (!e) break ;
      if (!isarchive(e->d_name)) continue ;
      count++ ;
      if (d->cap)
      {
        struct stat st ;
        if (fstatat(d->dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) size = (uint64_t)st.st_size ;
      }
      total += size ;
      if (tend_tai64n_scan(e->d_name, &t) == TEND_TAI64N_FMT
       && (!d->hasnewest || t.sec > d->newest.sec || (t.sec == d->newest.sec && t.nano > d->newest.nano)))
      {
        d->newest = t ; d->hasnewest = 1 ;
      }
      /* insertion into the window, oldest first */
      if (nold == PRUNE_WINDOW && !older(e->d_name, old[nold - 1].name)) continue ;
      j = nold < PRUNE_WINDOW ? nold++ : nold - 1 ;
      while (j && older(e->d_name, old[j - 1].name)) { old[j] = old[j - 1] ; j-- ; }
      memcpy(old[j].name, e->d_name, strlen(e->d_name) + 1) ;
      old[j].size = size ;
    }
    if (errno) { int e2 = errno ; closedir(dir) ; errno = e2 ; return 0 ; }
    closedir(dir) ;
    while ((count >= d->num || (d->cap && total > d->cap)) && i < nold)
    {
      if (unlinkat(d->dfd, old[i].name, 0) < 0 && errno != ENOENT) return 0 ;
      count-- ; total -= old[i].size ; i++ ;
    }
    if (i < PRUNE_WINDOW || (count < d->num && (!d->cap || total <= d->cap))) return 1 ;
  }
}

static int opencurrent (logdir *d)
{
  int fd = openreg(d->dfd, "current", O_WRONLY | O_APPEND | O_CREAT, 0644) ;
  if (fd < 0) return 0 ;
  if (fchmod(fd, 0644) < 0) { fd_close(fd) ; return 0 ; }
  d->fd = fd ;
  d->bytes = 0 ;
  d->atnl = 1 ;
  return 1 ;
}

/* Create and open the directory and check it may be used; every directory of the script is
   opened and checked before any is started, so a refusal leaves none half started. */
void logdir_open (output *o, output const *earlier, unsigned int nearlier)
{
  logdir *d = &o->d ;
  struct stat st ;

  d->oldfd = -1 ;
  if (mkdir(d->name, 0700) < 0 && errno != EEXIST) strerr_diefusys(111, "create directory ", d->name) ;
  d->dfd = open(d->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (d->dfd < 0) strerr_diefusys(111, "open directory ", d->name) ;
  /* Only svlog's own user may write in the directory: anyone else could plant or swap a file
     there (and, svlog being root, have it write as root where they choose). Refused rather
     than repaired: the operator decides who owns the logs. */
  if (fstat(d->dfd, &st) < 0) strerr_diefusys(111, "stat directory ", d->name) ;
  if (st.st_uid != geteuid())
  {
    char a[UID_FMT], b[UID_FMT] ;
    a[uid_fmt(a, st.st_uid)] = 0 ; b[uid_fmt(b, geteuid())] = 0 ;
    strerr_dief(100, "unable to use log directory ", d->name, ": it belongs to uid ", a, ", not to svlog's uid ", b) ;
  }
  /* the same directory twice (by two names, maybe) would lock against itself */
  for (unsigned int i = 0 ; i < nearlier ; i++)
    if (earlier[i].kind == OUT_DIR && earlier[i].d.dev == st.st_dev && earlier[i].d.ino == st.st_ino)
      strerr_dief(100, "unable to use log directory ", d->name, ": it is ", earlier[i].d.name, ", already in the script") ;
  d->dev = st.st_dev ; d->ino = st.st_ino ;
  if (st.st_mode & 022)
  {
    char m[UINT_OFMT] ;
    size_t k = uint_ofmt(m, (unsigned int)(st.st_mode & 07777)) ;
    m[k] = 0 ;
    strerr_dief(100, "unable to use log directory ", d->name, ": mode 0", m, " lets group or others write in it") ;
  }
}

void logdir_start (output *o)
{
  logdir *d = &o->d ;
  struct stat st ;
  char const *what ;
  int fd, r ;
  size_t n = strlen(d->name) ;
  char cur[n + sizeof("/current")] ;
  memcpy(cur, d->name, n) ; memcpy(cur + n, "/current", sizeof("/current")) ;

  fd = openreg(d->dfd, "lock", O_WRONLY | O_APPEND | O_CREAT, 0600) ;
  if (fd < 0) strerr_dief(111, "unable to open ", d->name, "/lock: ", logdir_strerror(errno)) ;
  /* flock, as multilog, svlogd and s6-log take it: one logger per directory */
  if (flock(fd, LOCK_EX | LOCK_NB) < 0)
  {
    if (errno == EWOULDBLOCK) strerr_dief(111, "unable to lock ", d->name, "/lock: another logger is running on ", d->name) ;
    strerr_diefusys(111, "lock ", d->name, "/lock") ;
  }

  /* every name svlog will use: a symbolic link or a non-regular file is refused at once */
  {
    static char const *const names[] = { "current", "previous", "processed", "state", "newstate" } ;
    for (unsigned int i = 0 ; i < sizeof(names) / sizeof(*names) ; i++)
      if (fexists(d->dfd, names[i], &st) < 0)
        strerr_dief(111, "unable to use ", d->name, "/", names[i], ": ", logdir_strerror(errno)) ;
  }
  /* learn the newest archive name before making one */
  if (!prune(d)) strerr_diefusys(111, "prune ", d->name) ;
  r = fexists(d->dfd, "current", &st) ;
  if (r < 0) strerr_dief(111, "unable to stat ", cur, ": ", logdir_strerror(errno)) ;
  if (r && st.st_mode & 0100)
  {
    /* closed cleanly: go on appending */
    fd = openreg(d->dfd, "current", O_WRONLY | O_APPEND, 0) ;
    if (fd < 0) strerr_dief(111, "unable to open ", cur, ": ", logdir_strerror(errno)) ;
    if (fchmod(fd, 0644) < 0) strerr_diefusys(111, "set mode of ", d->name, "/current") ;
    d->fd = fd ;
    d->bytes = (uint64_t)st.st_size ;
    d->atnl = 1 ;
    if (st.st_size)
    {
      char c ;
      if (pread(fd, &c, 1, st.st_size - 1) == 1) d->atnl = c == '\n' ;
    }
    return ;
  }

  /* recovery, as multilog does it: an interrupted processor's output is kept if it finished
     (processed has the x bit), else its input; then the unfinished current becomes a .u */
  unlinkat(d->dfd, "state", 0) ;
  unlinkat(d->dfd, "newstate", 0) ;
  r = fexists(d->dfd, "processed", &st) ;
  if (r < 0) strerr_dief(111, "unable to stat ", d->name, "/processed: ", logdir_strerror(errno)) ;
  if (r && st.st_mode & 0100)
  {
    unlinkat(d->dfd, "previous", 0) ;
    if (!archive(d, "processed", 's', &what)) strerr_diefu(111, what, d->name, "/processed: ", logdir_strerror(errno)) ;
  }
  else
  {
    unlinkat(d->dfd, "processed", 0) ;
    if (!archive(d, "previous", 'u', &what)) strerr_diefu(111, what, d->name, "/previous: ", logdir_strerror(errno)) ;
  }
  if (!prune(d)) strerr_diefusys(111, "prune ", d->name) ;
  if (!archive(d, "current", 'u', &what)) strerr_diefu(111, what, cur, ": ", logdir_strerror(errno)) ;
  if (!prune(d)) strerr_diefusys(111, "prune ", d->name) ;
  fd = openreg(d->dfd, "state", O_WRONLY | O_TRUNC | O_CREAT, 0644) ;
  if (fd < 0) strerr_dief(111, "unable to create ", d->name, "/state: ", logdir_strerror(errno)) ;
  fd_close(fd) ;
  if (!opencurrent(d)) strerr_dief(111, "unable to create ", cur, ": ", logdir_strerror(errno)) ;
}

/* in the processor's child: FD (close-on-exec, from openreg) becomes TO, kept across exec even
   when it was opened as TO already */
static int fd_to (int to, int fd)
{
  if (fd < 0) return -1 ;
  if (fd != to && fd_move(to, fd) < 0) return -1 ;
  return fcntl(to, F_SETFD, 0) ;
}

static void spawn (output *o)
{
  logdir *d = &o->d ;
  pid_t pid = fork() ;
  if (pid < 0) { FAIL(o, "fork for the processor in ", d->name) ; return ; }
  if (!pid)
  {
    /* a group of its own: at svlog's deadline the processor and whatever it started go
       together */
    setpgid(0, 0) ;
    selfpipe_finish() ;
    if (svlog_errsave >= 0) fd_copy(2, svlog_errsave) ;
    if (fchdir(d->dfd) < 0) _exit(111) ;
    if (fd_to(0, openreg(d->dfd, "previous", O_RDONLY, 0)) < 0
     || fd_to(1, openreg(d->dfd, "processed", O_WRONLY | O_TRUNC | O_CREAT, 0644)) < 0
     || fd_to(4, openreg(d->dfd, "state", O_RDONLY, 0)) < 0
     || fd_to(5, openreg(d->dfd, "newstate", O_WRONLY | O_TRUNC | O_CREAT, 0644)) < 0) _exit(111) ;
    execl("/bin/sh", "sh", "-c", d->processor, (char *)0) ;
    _exit(errno == ENOENT ? 127 : 126) ;
  }
  /* both sides set the group: whichever runs first, kill(-pid) finds it */
  setpgid(pid, pid) ;
  d->pid = pid ;
  d->rot = ROT_PROCWAIT ;
}

/* svlog is exiting with a processor still at work (the SIGTERM bound): it must not outlive
   svlog. previous stays, and the next start recovers it as a .u: nothing is lost. */
void logdir_kill (output *o)
{
  logdir *d = &o->d ;
  int wstat ;
  if (!d->pid) return ;
  kill(-d->pid, SIGKILL) ;
  kill(d->pid, SIGKILL) ;
  while (waitpid(d->pid, &wstat, 0) < 0 && errno == EINTR) ;
  d->pid = 0 ;
}

void logdir_reaped (output *o, int wstat)
{
  logdir *d = &o->d ;
  unsigned int code = WIFEXITED(wstat) ? (unsigned int)WEXITSTATUS(wstat) : 128 + (unsigned int)WTERMSIG(wstat) ;
  d->pid = 0 ;
  if (!code) { d->procerr = 0 ; d->rot = ROT_PROCDONE ; return ; }
  /* once per distinct failure, as for every other error: not at each retry */
  if (d->procerr != code + 1)
  {
    char fmt[UINT_FMT] ;
    char ms[UINT_FMT] ;
    d->procerr = code + 1 ;
    fmt[uint_fmt(fmt, WIFSIGNALED(wstat) ? (unsigned int)WTERMSIG(wstat) : code)] = 0 ;
    ms[uint_fmt(ms, svlog_retryms)] = 0 ;
    strerr_warnwu("process ", d->name, "/previous, keeping it and retrying every ", ms, " ms: the processor ",
      WIFSIGNALED(wstat) ? "was killed by signal " : "exited ", fmt) ;
  }
  d->rot = ROT_PROC ;
  d->procfailed = 1 ;
  tain_from_millisecs(&d->procretry, svlog_retryms) ;
  tain_add_g(&d->procretry, &d->procretry) ;
}

/* Advance a pending rotation as far as it goes. Returns when done, blocked on an error (the
   output then waits for its retry deadline) or waiting for a processor. */
static void advance (output *o)
{
  logdir *d = &o->d ;
  char const *what ;
  for (;;)
  {
    if (o->blocked) return ;
    switch (d->rot)
    {
      case ROT_NONE : return ;
      case ROT_SYNC :
        if (fsync(d->fd) < 0 && errno != EINVAL) { FAIL(o, "sync ", "current") ; return ; }
        d->rot = ROT_RENAME ; break ;
      case ROT_RENAME :
      {
        /* rename current only if it is still the file svlog writes: a name swapped for a
           symbolic link or another file is removed, never followed nor archived */
        struct stat mine, st ;
        int r ;
        if (fstat(d->fd, &mine) < 0) { FAIL(o, "stat ", "current") ; return ; }
        r = fstatat(d->dfd, "current", &st, AT_SYMLINK_NOFOLLOW) ;
        if (r < 0 && errno != ENOENT) { FAIL(o, "stat ", "current") ; return ; }
        if (!r && st.st_dev == mine.st_dev && st.st_ino == mine.st_ino)
        {
          if (renameat(d->dfd, "current", d->dfd, "previous") < 0) { FAIL(o, "rename current to previous in ", d->name) ; return ; }
          d->lost = 0 ;
        }
        else
        {
          if (!r && unlinkat(d->dfd, "current", 0) < 0) { FAIL(o, "remove ", "current") ; return ; }
          strerr_warnw(d->name, "/current was replaced or removed behind svlog's back: not following it, dropping that name and starting a new current") ;
          d->lost = 1 ;
        }
        d->oldfd = d->fd ; d->fd = -1 ;
        d->rot = ROT_OPEN ; break ;
      }
      case ROT_OPEN :
        if (!opencurrent(d)) { FAIL(o, "create ", "current") ; return ; }
        d->rot = ROT_CHMOD ; break ;
      case ROT_CHMOD :
        /* the file just renamed, through svlog's own descriptor: a name can be swapped, the
           descriptor cannot */
        if (d->oldfd >= 0)
        {
          if (fchmod(d->oldfd, 0744) < 0) { FAIL(o, "set mode of ", "previous") ; return ; }
          fd_close(d->oldfd) ; d->oldfd = -1 ;
        }
        d->rot = d->lost ? ROT_NONE : d->processor ? ROT_PROC : ROT_FINISH ;
        if (d->lost) return ;
        break ;
      case ROT_PROC :
        if (d->procfailed && tain_future(&d->procretry)) return ;
        d->procfailed = 0 ;
        spawn(o) ;
        return ;
      case ROT_PROCWAIT : return ;
      case ROT_PROCDONE :
      {
        int fd = openreg(d->dfd, "processed", O_WRONLY | O_APPEND | O_CREAT, 0644) ;
        if (fd < 0) { FAIL(o, "open ", "processed") ; return ; }
        if (fsync(fd) < 0 && errno != EINVAL) { fd_close(fd) ; FAIL(o, "sync ", "processed") ; return ; }
        if (fchmod(fd, 0744) < 0) { fd_close(fd) ; FAIL(o, "set mode of ", "processed") ; return ; }
        fd_close(fd) ;
        fd = openreg(d->dfd, "newstate", O_WRONLY | O_APPEND | O_CREAT, 0644) ;
        if (fd < 0) { FAIL(o, "open ", "newstate") ; return ; }
        if (fsync(fd) < 0 && errno != EINVAL) { fd_close(fd) ; FAIL(o, "sync ", "newstate") ; return ; }
        fd_close(fd) ;
        if (unlinkat(d->dfd, "previous", 0) < 0 && errno != ENOENT) { FAIL(o, "remove ", "previous") ; return ; }
        if (renameat(d->dfd, "newstate", d->dfd, "state") < 0) { FAIL(o, "rename newstate to state in ", d->name) ; return ; }
        d->rot = ROT_FINISH ; break ;
      }
      case ROT_FINISH :
        if (!archive(d, d->processor ? "processed" : "previous", 's', &what)) { FAIL(o, what, d->processor ? "processed" : "previous") ; return ; }
        if (!prune(d)) { FAIL(o, "prune ", d->name) ; return ; }
        d->rot = ROT_NONE ;
        return ;
    }
  }
}

static int rotate_start (output *o)
{
  logdir *d = &o->d ;
  d->rotreq = 0 ;
  /* a processor still at work on previous: the next rotation waits for it */
  if (d->rot != ROT_NONE) return 0 ;
  d->rot = ROT_SYNC ;
  advance(o) ;
  return 1 ;
}

void logdir_flush (output *o)
{
  logdir *d = &o->d ;
  advance(o) ;
  while (o->len)
  {
    size_t n, from ;
    ssize_t w ;
    int rot = 0 ;
    if (o->blocked || d->fd < 0) return ;
    if (d->bytes >= d->size)
    {
      if (!rotate_start(o)) return ;
      continue ;
    }
    n = o->len ;
    if (n > d->size - d->bytes) n = d->size - d->bytes ;
    if (d->bytes + n >= d->size - SVLOG_TOLERANCE)
    {
      /* within the tolerance, cut at the first line end that reaches it: rotation happens on
         a line boundary, as in multilog, and never past s */
      char const *p ;
      from = d->bytes + 1 >= d->size - SVLOG_TOLERANCE ? 0 : (size_t)(d->size - SVLOG_TOLERANCE - d->bytes - 1) ;
      p = memchr(o->buf + from, '\n', n - from) ;
      if (p) { n = (size_t)(p - o->buf) + 1 ; rot = 1 ; }
    }
    w = write(d->fd, o->buf, n) ;
    if (w <= 0)
    {
      if (!w) errno = EIO ;
      else if (errno == EINTR) continue ;
      FAIL(o, "write to ", "current") ;
      return ;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    /* start writeback of each full MiB now, so the fsync at rotation has little left to do
       and the disk works while we read */
    if ((d->bytes + (uint64_t)w) >> 20 != d->bytes >> 20)
      sync_file_range(d->fd, (off_t)((d->bytes >> 20) << 20), 1 << 20, SYNC_FILE_RANGE_WRITE) ;
#endif
    d->bytes += (uint64_t)w ;
    d->atnl = o->buf[w - 1] == '\n' ;
    if ((size_t)w < o->len) memmove(o->buf, o->buf + w, o->len - (size_t)w) ;
    o->len -= (size_t)w ;
    /* the error is over only when all is written: a disk freeing space a little at a time
       does not repeat the warning at each partial write */
    if (!o->len) svlog_ok(o) ;
    if (rot && (size_t)w == n) rotate_start(o) ;
  }
  if (d->rotreq && !o->blocked && d->fd >= 0)
  {
    if (!d->bytes) d->rotreq = 0 ;
    else if (d->atnl && d->rot == ROT_NONE) rotate_start(o) ;
  }
}

int logdir_idle (output const *o)
{
  return !o->len && o->d.rot == ROT_NONE && !o->d.pid && !o->d.rotreq ;
}

void logdir_close (output *o, int clean)
{
  logdir *d = &o->d ;
  if (d->fd < 0) return ;
  if (fsync(d->fd) < 0 && errno != EINVAL) strerr_warnwusys("sync ", d->name, "/current") ;
  /* the owner x bit says "closed cleanly": the next start appends instead of recovering */
  if (clean && fchmod(d->fd, 0744) < 0) strerr_warnwusys("set mode of ", d->name, "/current") ;
}
