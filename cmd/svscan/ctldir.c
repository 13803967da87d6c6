/* ctldir.c: .svscan/ as svscan's private directory, verified or repaired at start-up. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include "svscan.h"

/* Whoever can write in .svscan/ can stop the tree (a 't' into control), hold its lock so that
   no svscan starts, or plant the finish script svscan execs at exit. It may have been made by
   an administrator with loose modes, or left by an svscan that ran as another user. So, as
   supervise does for supervise/: a .svscan/ of another user is taken over by root and refused
   by anyone else; write bits for group and others are removed; lock and control that are not
   a regular file and a FIFO of ours are replaced; the control FIFO is set to 0600. Everything
   after the directory is opened goes through its descriptor, never through a link. */

static char const *scandirname ;
static int dfd = -1 ;    /* .svscan/, from ctldir_lock to ctldir_control */

static void fmtuid (char *s, uid_t u) { s[uid_fmt(s, u)] = 0 ; }
static void fmtmode (char *s, mode_t m) { s[uint0_ofmt(s, (unsigned int)(m & 07777), 4)] = 0 ; }

static int open_dir (void)
{
  struct stat st ;
  int fd ;
  if (mkdir(CTLDIR, 0700) < 0 && errno != EEXIST) strerr_diefusys(111, "mkdir ", scandirname, "/" CTLDIR) ;
  if (lstat(CTLDIR, &st) < 0) strerr_diefusys(111, "stat ", scandirname, "/" CTLDIR) ;
  /* a link of ours or root's (a read-only scan dir whose .svscan lives in /run) is followed */
  if (S_ISLNK(st.st_mode) && st.st_uid != geteuid() && st.st_uid != 0)
  {
    char u[UID_FMT] ;
    fmtuid(u, st.st_uid) ;
    strerr_dief(111, "unable to use ", scandirname, "/" CTLDIR ": it is a symbolic link owned by uid ", u, ": refusing to follow it") ;
  }
  fd = open(CTLDIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (fd < 0) strerr_diefusys(111, "open ", scandirname, "/" CTLDIR) ;
  if (fstat(fd, &st) < 0) strerr_diefusys(111, "stat ", scandirname, "/" CTLDIR) ;
  if (st.st_uid != geteuid())
  {
    char u[UID_FMT], me[UID_FMT] ;
    fmtuid(u, st.st_uid) ; fmtuid(me, geteuid()) ;
    if (geteuid()) strerr_dief(111, "unable to use ", scandirname, "/" CTLDIR ": it is owned by uid ", u, ", not by uid ", me, ": remove it, or run svscan as its owner") ;
    strerr_warnw(scandirname, "/" CTLDIR " was owned by uid ", u, ": taking it over (owner uid 0, mode 0700)") ;
    if (fchown(fd, 0, getegid()) < 0) strerr_diefusys(111, "chown ", scandirname, "/" CTLDIR) ;
    if (fchmod(fd, 0700) < 0) strerr_diefusys(111, "chmod ", scandirname, "/" CTLDIR) ;
  }
  else if (st.st_mode & 022)
  {
    char m[UINT_OFMT] ;
    fmtmode(m, st.st_mode) ;
    strerr_warnw(scandirname, "/" CTLDIR " had mode ", m, " (others could stop the tree): setting it to 0700") ;
    if (fchmod(fd, 0700) < 0) strerr_diefusys(111, "chmod ", scandirname, "/" CTLDIR) ;
  }
  return fd ;
}

/* FN in dfd, if there, must be of type TYPE and ours: anything else is removed, with a warning */
static void keep_if_ours (int dfd, char const *fn, mode_t type, char const *what)
{
  struct stat st ;
  if (fstatat(dfd, fn, &st, AT_SYMLINK_NOFOLLOW) < 0)
  {
    if (errno != ENOENT) strerr_diefusys(111, "stat ", scandirname, "/" CTLDIR "/", fn) ;
    return ;
  }
  if ((st.st_mode & S_IFMT) == type && st.st_uid == geteuid()) return ;
  if (S_ISDIR(st.st_mode)) strerr_dief(111, "unable to use ", scandirname, "/" CTLDIR "/", fn, ": it is a directory: remove it") ;
  strerr_warnw(scandirname, "/" CTLDIR "/", fn, " is not ", what, " of ours: replacing it") ;
  if (unlinkat(dfd, fn, 0) < 0 && errno != ENOENT) strerr_diefusys(111, "remove ", scandirname, "/" CTLDIR "/", fn) ;
}

static int open_fifo (int dfd, int flags)
{
  struct stat st ;
  int fd = openat(dfd, "control", flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC) ;
  if (fd < 0) strerr_diefusys(111, "open ", scandirname, "/" CTLDIR "/control") ;
  if (fstat(fd, &st) < 0) strerr_diefusys(111, "stat ", scandirname, "/" CTLDIR "/control") ;
  if (!S_ISFIFO(st.st_mode)) strerr_dief(111, "unable to use ", scandirname, "/" CTLDIR "/control: it is not a FIFO") ;
  if (st.st_mode & 077)
  {
    char m[UINT_OFMT] ;
    fmtmode(m, st.st_mode) ;
    strerr_warnw(scandirname, "/" CTLDIR "/control had mode ", m, ": setting it to 0600") ;
    if (fchmod(fd, 0600) < 0) strerr_diefusys(111, "chmod ", scandirname, "/" CTLDIR "/control") ;
  }
  return fd ;
}

int ctldir_lock (char const *scandir)
{
  int fd ;
  scandirname = scandir ;
  dfd = open_dir() ;
  keep_if_ours(dfd, "lock", S_IFREG, "a regular file") ;
  fd = openat(dfd, "lock", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600) ;
  if (fd < 0) strerr_diefusys(111, "open ", scandirname, "/" CTLDIR "/lock") ;
  return fd ;
}

int ctldir_control (void)
{
  int fd ;
  keep_if_ours(dfd, "control", S_IFIFO, "a FIFO") ;
  if (mkfifoat(dfd, "control", 0600) < 0 && errno != EEXIST) strerr_diefusys(111, "mkfifo ", scandirname, "/" CTLDIR "/control") ;
  fd = open_fifo(dfd, O_RDONLY) ;
  /* a writer of our own, so that the FIFO never reads end-of-file */
  if (open_fifo(dfd, O_WRONLY) < 0) strerr_diefusys(111, "open ", scandirname, "/" CTLDIR "/control for writing") ;
  fd_close(dfd) ;
  dfd = -1 ;
  return fd ;
}
