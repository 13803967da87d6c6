/* svpath.c: service-name resolution shared by svc, svstat, svok, svwait, svscanctl. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/unix-transactional.h>
#include <tend/svpath.h>

#define FALLBACK_LEN TEND_RUNDIR_FALLBACK_LEN

static char const *rundir (void)
{
  char const *x = getenv("TEND_RUNDIR") ;
  return x && *x ? x : TEND_RUNDIR_DEFAULT ;
}

static void fallback_name (char *s)
{
  size_t n = sizeof(TEND_RUNDIR_FALLBACK) - 1 ;
  memcpy(s, TEND_RUNDIR_FALLBACK, n) ;
  s[n + uid_fmt(s + n, geteuid())] = 0 ;
}

/* Anyone can make /tmp/tend-UID before us, and a record there steers every bare name the
   caller gives: trusted only when it is a real directory (opened O_NOFOLLOW: a planted
   symlink is refused) owned by the caller or root that nobody else can write into, so nobody
   else can have put or swapped the record in it. A directory that exists and fails is named
   in a warning and ignored; -1 then, or when it does not exist. */
static int fallback_open (char const *dir)
{
  struct stat st ;
  uid_t me = geteuid() ;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno == ELOOP || errno == ENOTDIR)
      strerr_warnw3x("ignoring ", dir, ": not a directory (a symlink or a file another user may have planted)") ;
    else if (errno != ENOENT) strerr_warnwu2sys("open ", dir) ;
    return -1 ;
  }
  if (fstat(fd, &st) < 0) { strerr_warnwu2sys("stat ", dir) ; fd_close(fd) ; return -1 ; }
  if (st.st_uid != me && st.st_uid)
  {
    char a[UID_FMT] ;
    a[uid_fmt(a, st.st_uid)] = 0 ;
    strerr_warnw4x("ignoring ", dir, ": owned by uid ", a) ;
    fd_close(fd) ; return -1 ;
  }
  if (st.st_mode & 022)
  {
    strerr_warnw3x("ignoring ", dir, ": writable by group or others") ;
    fd_close(fd) ; return -1 ;
  }
  return fd ;
}

/* the record in the fallback directory: a symlink made by the caller or root */
static ssize_t fallback_read (char *buf, size_t max)
{
  char dir[FALLBACK_LEN] ;
  struct stat st ;
  ssize_t n = -1 ;
  int fd ;
  fallback_name(dir) ;
  fd = fallback_open(dir) ;
  if (fd < 0) return -1 ;
  if (fstatat(fd, TEND_SCANDIR_RECORD, &st, AT_SYMLINK_NOFOLLOW) == 0)
  {
    if (S_ISLNK(st.st_mode) && (st.st_uid == geteuid() || !st.st_uid))
      n = readlinkat(fd, TEND_SCANDIR_RECORD, buf, max) ;
    else strerr_warnw3x("ignoring ", dir, "/" TEND_SCANDIR_RECORD ": not a symlink of the caller or root") ;
  }
  fd_close(fd) ;
  return n ;
}

int tend_svpath_scandir (stralloc *sa)
{
  char const *x = getenv("SVDIR") ;
  char buf[4096] ;
  ssize_t n ;
  if (x && *x) return stralloc_cats(sa, x) ;
  {
    char const *r = rundir() ;
    size_t rlen = strlen(r) ;
    char fn[rlen + sizeof("/" TEND_SCANDIR_RECORD)] ;
    memcpy(fn, r, rlen) ;
    memcpy(fn + rlen, "/" TEND_SCANDIR_RECORD, sizeof("/" TEND_SCANDIR_RECORD)) ;
    n = readlink(fn, buf, sizeof buf) ;
  }
  /* no record in /run/tend and no TEND_RUNDIR: a `docker exec` into a tree svinit started
     where /run/tend could not be written, which recorded it in the fallback instead. Not for
     root, whose fallback is /tmp/tend-0: a record of another uid could send root's commands
     to any tree that uid chooses. */
  if (n < 0 && (errno == ENOENT || errno == ENOTDIR) && !getenv("TEND_RUNDIR"))
    n = fallback_read(buf, sizeof buf) ;
  if (n > 0 && (size_t)n < sizeof buf) return stralloc_catb(sa, buf, (size_t)n) ;
  return stralloc_cats(sa, TEND_SCANDIR_DEFAULT) ;
}

/* NAME/log, NAME a service name (no '/', not starting with '.'): the logger of a service, as
   svscan names it in "./run web/log" and svstat -c lists it */
static int islogname (char const *name)
{
  char const *slash = strchr(name, '/') ;
  return slash && slash != name && name[0] != '.' && !strcmp(slash, "/log") ;
}

int tend_svpath_resolve (stralloc *sa, char const *name)
{
  struct stat st ;
  int inscandir ;
  if (strchr(name, '/'))
    /* a logger's name is a bare name too, unless it exists as a path from here */
    inscandir = islogname(name) && stat(name, &st) < 0 && errno == ENOENT ;
  else inscandir = !name[0] || stat(name, &st) < 0 || !S_ISDIR(st.st_mode) ;
  if (!inscandir) return stralloc_cats(sa, name) && stralloc_0(sa) ;
  return tend_svpath_scandir(sa) && stralloc_catb(sa, "/", 1) && stralloc_cats(sa, name) && stralloc_0(sa) ;
}

int tend_svpath_record (char const *dir)
{
  char const *r = rundir() ;
  size_t rlen = strlen(r) ;
  char fn[rlen + sizeof("/" TEND_SCANDIR_RECORD)] ;
  memcpy(fn, r, rlen) ;
  memcpy(fn + rlen, "/" TEND_SCANDIR_RECORD, sizeof("/" TEND_SCANDIR_RECORD)) ;
  if (mkdir(r, 0755) < 0 && errno != EEXIST) return 0 ;
  return atomic_symlink(dir, fn, ".new") ;
}

int tend_svpath_record_fallback (char const *dir, char *where)
{
  int fd ;
  fallback_name(where) ;
  /* 0755: readable by all, writable by us only (the umask can only take bits away) */
  if (mkdir(where, 0755) < 0 && errno != EEXIST) return 0 ;
  fd = fallback_open(where) ;
  if (fd < 0) { errno = EPERM ; return 0 ; }
  /* made beside and renamed over: a client never reads a half-made record; relative to the
     directory we checked, so nothing can be swapped in between */
  if ((unlinkat(fd, TEND_SCANDIR_RECORD ".new", 0) < 0 && errno != ENOENT)
   || symlinkat(dir, fd, TEND_SCANDIR_RECORD ".new") < 0
   || renameat(fd, TEND_SCANDIR_RECORD ".new", fd, TEND_SCANDIR_RECORD) < 0)
  {
    int e = errno ;
    fd_close(fd) ; errno = e ; return 0 ;
  }
  fd_close(fd) ;
  return 1 ;
}
