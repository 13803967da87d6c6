/* svpath.c: service-name resolution shared by svc, svstat, svok, svwait. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/stralloc.h>
#include <skalibs/unix-transactional.h>
#include <tend/svpath.h>

static char const *rundir (void)
{
  char const *x = getenv("TEND_RUNDIR") ;
  return x && *x ? x : TEND_RUNDIR_DEFAULT ;
}

int tend_svpath_scandir (stralloc *sa)
{
  char const *x = getenv("SVDIR") ;
  if (x && *x) return stralloc_cats(sa, x) ;
  {
    char const *r = rundir() ;
    size_t rlen = strlen(r) ;
    char fn[rlen + sizeof("/" TEND_SCANDIR_RECORD)] ;
    char buf[4096] ;
    ssize_t n ;
    memcpy(fn, r, rlen) ;
    memcpy(fn + rlen, "/" TEND_SCANDIR_RECORD, sizeof("/" TEND_SCANDIR_RECORD)) ;
    n = readlink(fn, buf, sizeof buf) ;
    if (n > 0 && (size_t)n < sizeof buf) return stralloc_catb(sa, buf, (size_t)n) ;
  }
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
