/* privdir.c: make supervise/ a directory only we can write, and write in it without following links. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>  /* renameat */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include "privdir.h"

/* Another user who can create entries in the service directory (a sticky, world-writable one,
   say) may have made supervise/ before we ran, with a 0666 control FIFO and status.new as a
   symlink to a file of root's. Everything below checks what it finds through descriptors
   (fstat, fchmod, fchown on an fd we hold), and once supervise/ is ours with no write bits for
   anyone else, nobody but us (and root) can add, remove or swap an entry in it: from then on
   the names in it are ours, and every write goes through the directory's fd with O_NOFOLLOW. */

static char const *svname ;

static void fmtuid (char *s, uid_t u) { s[uid_fmt(s, u)] = 0 ; }
static void fmtmode (char *s, mode_t m) { s[uint0_ofmt(s, (unsigned int)(m & 07777), 4)] = 0 ; }

/* the leftover of a symlink's target that does not exist yet (Debian's runit ships
   /etc/sv/X/supervise -> /run/runit/supervise/X so the service dir can stay read-only) */
static void make_symlinked (void)
{
  struct stat st ;
  char target[4096] ;
  ssize_t r ;
  if (stat("supervise", &st) == 0 || errno != ENOENT) return ;
  r = readlink("supervise", target, sizeof target - 1) ;
  if (r <= 0) return ;
  target[r] = 0 ;
  for (char *p = target + 1 ; *p ; p++)
    if (*p == '/')
    {
      *p = 0 ;
      if (mkdir(target, 0755) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", target, " for ", svname, "/supervise") ;
      *p = '/' ;
    }
  if (mkdir(target, 0700) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", target, " for ", svname, "/supervise") ;
}

/* Ours, or made ours (root only), with no write bits for group or others. */
static void secure_dirfd (int fd, char const *what)
{
  struct stat st ;
  if (fstat(fd, &st) < 0) strerr_diefusys(111, "stat ", svname, "/", what) ;
  if (st.st_uid != geteuid())
  {
    char u[UID_FMT], me[UID_FMT] ;
    fmtuid(u, st.st_uid) ; fmtuid(me, geteuid()) ;
    if (geteuid()) strerr_dief(111, "unable to use ", svname, "/", what, ": it is owned by uid ", u, ", not by uid ", me, ": remove it, or run supervise as its owner") ;
    strerr_warnw(svname, "/", what, " was owned by uid ", u, ": taking it over (owner uid ", me, ", mode 0700)") ;
    if (fchown(fd, 0, getegid()) < 0) strerr_diefusys(111, "chown ", svname, "/", what) ;
    if (fchmod(fd, 0700) < 0) strerr_diefusys(111, "chmod ", svname, "/", what) ;
    return ;
  }
  if (st.st_mode & 022)
  {
    char m[UINT_OFMT] ;
    fmtmode(m, st.st_mode) ;
    strerr_warnw(svname, "/", what, " had mode ", m, " (others could control the service): setting it to 0700") ;
    if (fchmod(fd, 0700) < 0) strerr_diefusys(111, "chmod ", svname, "/", what) ;
  }
}

int privdir_open (char const *name)
{
  struct stat st ;
  int fd ;
  svname = name ;
  if (mkdir("supervise", 0700) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", name, "/supervise") ;
  if (lstat("supervise", &st) < 0) strerr_diefusys(111, "stat ", name, "/supervise") ;
  if (S_ISLNK(st.st_mode))
  {
    /* a link of ours or root's (runit's read-only layout) is followed; one another user
       planted would send root's writes wherever that user likes */
    if (st.st_uid != geteuid() && st.st_uid != 0)
    {
      char u[UID_FMT] ;
      fmtuid(u, st.st_uid) ;
      strerr_dief(111, "unable to use ", name, "/supervise: it is a symbolic link owned by uid ", u, ": refusing to follow it") ;
    }
    make_symlinked() ;
  }
  fd = open("supervise", O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) strerr_diefusys(111, "open ", name, "/supervise") ;
  secure_dirfd(fd, "supervise") ;
  return fd ;
}

/* An entry that is not what we expect (or not ours) is removed; a directory only if ours. */
static void remove_entry (int dfd, char const *fn, struct stat const *st)
{
  if (S_ISDIR(st->st_mode))
  {
    size_t n = strlen(fn) ;
    char path[sizeof("supervise/") + n] ;
    if (st->st_uid != geteuid()) strerr_dief(111, "unable to use ", svname, "/supervise/", fn, ": it is a directory owned by another user: remove it") ;
    memcpy(path, "supervise/", 10) ; memcpy(path + 10, fn, n + 1) ;
    if (rm_rf(path) < 0) strerr_diefusys(111, "remove ", svname, "/supervise/", fn) ;
  }
  else if (unlinkat(dfd, fn, 0) < 0 && errno != ENOENT) strerr_diefusys(111, "remove ", svname, "/supervise/", fn) ;
}

void privdir_fifo (int dfd, char const *fn)
{
  struct stat st ;
  if (fstatat(dfd, fn, &st, AT_SYMLINK_NOFOLLOW) == 0)
  {
    if (S_ISFIFO(st.st_mode) && st.st_uid == geteuid()) return ;
    if (!S_ISFIFO(st.st_mode)) strerr_warnw(svname, "/supervise/", fn, " exists and is not a FIFO: replacing it") ;
    else
    {
      char u[UID_FMT] ;
      fmtuid(u, st.st_uid) ;
      strerr_warnw(svname, "/supervise/", fn, " is owned by uid ", u, ": replacing it") ;
    }
    remove_entry(dfd, fn, &st) ;
  }
  else if (errno != ENOENT) strerr_diefusys(111, "stat ", svname, "/supervise/", fn) ;
  if (mkfifoat(dfd, fn, 0600) < 0) strerr_diefusys(111, "mkfifo ", svname, "/supervise/", fn) ;
}

int privdir_openfifo (int dfd, char const *fn, int flags)
{
  struct stat st ;
  int fd = openat(dfd, fn, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0) { int e = errno ; fd_close(fd) ; errno = e ; return -1 ; }
  if (!S_ISFIFO(st.st_mode)) { fd_close(fd) ; errno = EINVAL ; return -1 ; }
  if (st.st_mode & 077)
  {
    char m[UINT_OFMT] ;
    fmtmode(m, st.st_mode) ;
    strerr_warnw(svname, "/supervise/", fn, " had mode ", m, ": setting it to 0600") ;
    if (fchmod(fd, 0600) < 0) { int e = errno ; fd_close(fd) ; errno = e ; return -1 ; }
  }
  return fd ;
}

int privdir_lock (int dfd)
{
  struct stat st ;
  int fd ;
  if (fstatat(dfd, "lock", &st, AT_SYMLINK_NOFOLLOW) == 0 && (!S_ISREG(st.st_mode) || st.st_uid != geteuid()))
  {
    /* a lock another user owns could be held by that user for ever, a link could point anywhere */
    strerr_warnw(svname, "/supervise/lock is not a regular file of ours: replacing it") ;
    remove_entry(dfd, "lock", &st) ;
  }
  fd = openat(dfd, "lock", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) == 0 && st.st_mode & 077) fchmod(fd, 0600) ;
  return fd ;
}

int privdir_eventdir (int dfd, char const *fn)
{
  struct stat st ;
  int fd ;
  if (fstatat(dfd, fn, &st, AT_SYMLINK_NOFOLLOW) == 0)
  {
    if (!S_ISDIR(st.st_mode))
    {
      strerr_warnw(svname, "/supervise/", fn, " exists and is not a directory: replacing it") ;
      remove_entry(dfd, fn, &st) ;
    }
  }
  else if (errno != ENOENT) strerr_diefusys(111, "stat ", svname, "/supervise/", fn) ;
  if (mkdirat(dfd, fn, 0700) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", svname, "/supervise/", fn) ;
  fd = openat(dfd, fn, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) strerr_diefusys(111, "open ", svname, "/supervise/", fn) ;
  {
    size_t n = strlen(fn) ;
    char what[sizeof("supervise/") + n] ;
    memcpy(what, "supervise/", 10) ; memcpy(what + 10, fn, n + 1) ;
    secure_dirfd(fd, what) ;
  }
  return fd ;
}

void privdir_sweep (int dfd, char const *const *names)
{
  for (; *names ; names++)
  {
    struct stat st ;
    if (fstatat(dfd, *names, &st, AT_SYMLINK_NOFOLLOW) < 0) continue ;
    if (S_ISREG(st.st_mode) && st.st_uid == geteuid()) continue ;
    strerr_warnw(svname, "/supervise/", *names, " is not a regular file of ours: removing it") ;
    remove_entry(dfd, *names, &st) ;
  }
}

int privdir_write (int dfd, char const *fn, char const *tmp, char const *s, size_t len)
{
  int fd ;
  /* a stale tmp (of a crash, or planted) is unlinked, never opened: O_EXCL then makes a
     new file or fails, so a link in its place cannot redirect the write */
  if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT) return 0 ;
  fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) ;
  if (fd < 0) return 0 ;
  if (allwrite(fd, s, len) < len) { int e = errno ; fd_close(fd) ; unlinkat(dfd, tmp, 0) ; errno = e ; return 0 ; }
  fd_close(fd) ;
  if (renameat(dfd, tmp, dfd, fn) < 0) { int e = errno ; unlinkat(dfd, tmp, 0) ; errno = e ; return 0 ; }
  return 1 ;
}
