/* envdir: run a program with environment variables set (or removed) by the files of a directory. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <skalibs/direntry.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/djbunix.h>
#include <skalibs/allreadwrite.h>
#include <tend/exec.h>
#include <tend/usage.h>

#define USAGE "envdir dir prog..."
#define HELP \
"set environment variables from the files of dir, then exec prog\n"

/* Appends to sa the first line of the file (everything when it has no newline);
   returns the number of bytes the file had up to there, or -1 with errno. */
static ssize_t firstline (int fd, stralloc *sa)
{
  size_t start = sa->len ;
  for (;;)
  {
    ssize_t r ;
    char *nl ;
    if (!stralloc_readyplus(sa, 4096)) return -1 ;
    r = fd_read(fd, sa->s + sa->len, 4096) ;
    if (r < 0) return -1 ;
    if (!r) break ;
    nl = memchr(sa->s + sa->len, '\n', (size_t)r) ;
    if (nl)
    {
      /* the newline counts for "not empty": a file holding "\n" sets the empty string */
      sa->len = (size_t)(nl - sa->s) ;
      return (ssize_t)(sa->len - start) + 1 ;
    }
    sa->len += (size_t)r ;
  }
  return (ssize_t)(sa->len - start) ;
}

int main (int argc, char const *const *argv)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t n = 0, dlen ;
  int dfd ;
  DIR *dir ;
  PROG = "envdir" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  /* daemontools' envdir exits 111, not 100, on a usage error; scripts may rely on it */
  if (argc < 3) strerr_dieusage(111, USAGE) ;
  dlen = strlen(argv[1]) ;
  dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (dfd < 0) strerr_diefusys(111, "open directory ", argv[1]) ;
  dir = fdopendir(dfd) ;
  if (!dir) strerr_diefusys(111, "open directory ", argv[1]) ;
  for (;;)
  {
    struct dirent *d ;
    char const *name ;
    size_t nlen, vstart ;
    ssize_t r ;
    int fd ;
    errno = 0 ;
    d = readdir(dir) ;
    if (!d) { if (errno) strerr_diefusys(111, "read directory ", argv[1]) ; break ; }
    name = d->d_name ;
    if (name[0] == '.') continue ;
    nlen = strlen(name) ;
    {
      char fn[dlen + nlen + 2] ;
      memcpy(fn, argv[1], dlen) ; fn[dlen] = '/' ; memcpy(fn + dlen + 1, name, nlen + 1) ;
      /* a name with '=' cannot be set: the variable would be named up to the '=' and the
         rest would land in its value (daemontools 0.76 does that silently) */
      if (strchr(name, '=')) strerr_dief(111, "invalid variable name in ", fn, ": contains =") ;
      fd = openat(dfd, name, O_RDONLY | O_CLOEXEC) ;
      if (fd < 0)
      {
        /* gone since readdir, or a dangling symlink: no value, like an empty file,
           as daemontools does */
        if (errno != ENOENT) strerr_diefusys(111, "read ", fn) ;
        r = 0 ;
      }
      else
      {
        if (!stralloc_catb(&sa, name, nlen + 1)) strerr_diefusys(111, "read ", fn) ;
        vstart = sa.len ;
        sa.s[vstart - 1] = '=' ;
        r = firstline(fd, &sa) ;
        if (r < 0) strerr_diefusys(111, "read ", fn) ;
        fd_close(fd) ;
        if (r)
        {
          while (sa.len > vstart && (sa.s[sa.len - 1] == ' ' || sa.s[sa.len - 1] == '\t')) sa.len-- ;
          for (size_t i = vstart ; i < sa.len ; i++) if (!sa.s[i]) sa.s[i] = '\n' ;
          if (!stralloc_0(&sa)) strerr_diefusys(111, "read ", fn) ;
        }
        else sa.len = vstart - nlen - 1 ;
      }
      if (!r)
      {
        /* an empty file removes the variable: a modification without '=' */
        if (!stralloc_catb(&sa, name, nlen + 1)) strerr_diefusys(111, "read ", fn) ;
      }
      n++ ;
    }
  }
  dir_close(dir) ;
  tend_exec_xm(argv + 2, sa.s, sa.len, n) ;
}
