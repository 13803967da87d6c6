/* svscan's table of services and the arena their names live in. */

#include <skalibs/nonposix.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/djbunix.h>
#include <limits.h>
#include <sys/mman.h>
#include "svscan.h"

svc_t *tab ;
unsigned int tablen = 0 ;
unsigned int tabmax = 1000 ;
/* Service names live in an arena, not in fixed 256-byte slots, so 1000 services cost what
   their names cost; when it fills up it is compacted into its twin. */
static char *arena[2] ;
static unsigned int arenacur = 0 ;
static size_t arenalen = 0 ;
static size_t arenacap = 0 ;

char *name_store (char const *name)
{
  size_t len = strlen(name) + 1 ;
  if (arenalen + len > arenacap)
  {
    char *to = arena[!arenacur] ;
    size_t n = 0 ;
    for (unsigned int i = 0 ; i < tablen ; i++)
    {
      size_t l = strlen(tab[i].name) + 1 ;
      memcpy(to + n, tab[i].name, l) ;
      tab[i].name = to + n ;
      n += l ;
    }
    arenacur = !arenacur ;
    critical_names_moved() ;
    arenalen = n ;
    if (arenalen + len > arenacap) return 0 ;
  }
  {
    char *p = arena[arenacur] + arenalen ;
    memcpy(p, name, len) ;
    arenalen += len ;
    return p ;
  }
}

void pipe_close (svc_t *s)
{
  if (s->p[0] >= 0) fd_close(s->p[0]) ;
  if (s->p[1] >= 0) fd_close(s->p[1]) ;
  s->p[0] = s->p[1] = -1 ;
}

void entry_free (unsigned int i)
{
  svc_t *s = tab + i ;
  critical_unsubscribe(s) ;
  pipe_close(s) ;
  tab[i] = tab[--tablen] ;
}

void table_init (void)
{
  /* the only allocation: the table and the names, sized by -c, made once. One anonymous
     mapping rather than calloc: its pages are zero without being written, so only the slots
     and names in use cost memory (calloc zeroes what it takes from the heap by hand) */
  arenacap = (size_t)tabmax * 32 + NAME_MAX + 1  /* a name from readdir is at most NAME_MAX bytes */ ;
  {
    size_t tablen_bytes = ((size_t)tabmax * sizeof *tab + 63) & ~(size_t)63 ;
    size_t arenabytes = (2 * arenacap + 63) & ~(size_t)63 ;
    char *m = mmap(0, tablen_bytes + arenabytes + critical_poolsize(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ;
    if (m == MAP_FAILED) strerr_diefusys(111, "allocate the service table") ;
    tab = (svc_t *)m ;
    arena[0] = m + tablen_bytes ;
    arena[1] = arena[0] + arenacap ;
    critical_init(m + tablen_bytes + arenabytes) ;
  }
}
