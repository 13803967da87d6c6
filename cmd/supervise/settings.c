/* settings.c: read a service directory's one-value setting files, at every start. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <tend/dirscan.h>
#include "settings.h"

/* The files settings_read looks at. One listing of the service dir says which exist, so a
   service with none of them (most) costs 4 system calls per start rather than 12: restarts
   and the start of a large tree are that much quicker. */
enum { F_NOTIFYFD, F_CHECK, F_CHECKINTERVAL, F_TIMEOUTKILL, F_TIMEOUTFINISH, F_FINISH, F_DOWNSIG,
       F_RESTARTDELAY, F_MAXRESTARTS, F_CRITICAL, F_NOSETSID, F_ENV, F_COUNT } ;
static char const *const fnames[F_COUNT] =
{
  "notification-fd", "check", "check-interval", "timeout-kill", "timeout-finish", "finish",
  "down-signal", "restart-delay", "max-restarts", "critical", "nosetsid", "env"
} ;

static void note (char const *name, void *aux)
{
  unsigned int *present = aux ;
  for (unsigned int i = 0 ; i < F_COUNT ; i++)
    if (!strcmp(name, fnames[i])) { *present |= 1u << i ; return ; }
}

/* A bit per file that may exist; all of them when the dir cannot be listed (each is then
   looked at on its own, as the files themselves decide). */
static unsigned int present ;
#define MAYBE(f) (present & (1u << (f)))

/* Reads setting file f into buf (NUL-terminated, trailing whitespace removed).
   1 read, 0 absent, -1 unreadable (warned). */
static int readsetting (unsigned int f, char *buf, size_t max)
{
  char const *file = fnames[f] ;
  ssize_t r ;
  if (!MAYBE(f)) return 0 ;
  r = openreadnclose(file, buf, max - 1) ;
  if (r < 0)
  {
    if (errno == ENOENT) return 0 ;
    strerr_warnwusys("read ", file, ": using the default") ;
    return -1 ;
  }
  while (r && (buf[r-1] == '\n' || buf[r-1] == ' ' || buf[r-1] == '\t' || buf[r-1] == '\r')) r-- ;
  buf[r] = 0 ;
  return 1 ;
}

static void badvalue (char const *file, char const *value, char const *want)
{
  strerr_warnw("invalid value in ", file, ": \"", value, "\" (", want, "): using the default") ;
}

/* A decimal in [min, max]; the default when absent or malformed. */
static unsigned int readuint (unsigned int f, unsigned int min, unsigned int max, unsigned int dflt, char const *want)
{
  char buf[64] ;
  unsigned int u ;
  if (readsetting(f, buf, sizeof buf) <= 0) return dflt ;
  if (!uint0_scan(buf, &u) || u < min || u > max) { badvalue(fnames[f], buf, want) ; return dflt ; }
  return u ;
}

static int isexecfile (char const *file)
{
  struct stat st ;
  return stat(file, &st) == 0 && S_ISREG(st.st_mode) ;
}

void settings_read (settings_t *s)
{
  char buf[64] ;
  struct stat st ;
  int r ;

  present = 0 ;
  if (tend_dirscan(".", &note, &present) < 0) present = ~0u ;
  s->notifyfd = (int)readuint(F_NOTIFYFD, 3, SETTINGS_NOTIFYFD_MAX, 0, "a descriptor number from 3 to 1023") ;
  if (!s->notifyfd) s->notifyfd = -1 ;
  s->hascheck = MAYBE(F_CHECK) && isexecfile("check") ;
  s->checkinterval = readuint(F_CHECKINTERVAL, 10, 3600000, 200, "milliseconds, 10 to 3600000") ;
  s->timeoutkill = readuint(F_TIMEOUTKILL, 0, 86400000, 0, "milliseconds, 0 to 86400000") ;
  s->timeoutfinish = readuint(F_TIMEOUTFINISH, 0, 86400000, 5000, "milliseconds, 0 to 86400000") ;
  s->hasfinish = MAYBE(F_FINISH) && isexecfile("finish") ;

  s->downsig = SIGTERM ;
  r = readsetting(F_DOWNSIG, buf, sizeof buf) ;
  if (r > 0)
  {
    int sig ;
    if (!sig0_scan(buf, &sig) || sig <= 0 || sig >= 65) badvalue("down-signal", buf, "a signal name such as TERM, or a number") ;
    else s->downsig = sig ;
  }

  s->delaymin = 1000 ; s->delaymax = 30000 ;
  r = readsetting(F_RESTARTDELAY, buf, sizeof buf) ;
  if (r > 0)
  {
    unsigned int a, b ;
    size_t i = uint_scan(buf, &a), j ;
    if (!i || (buf[i] != ' ' && buf[i] != '\t')) goto baddelay ;
    while (buf[i] == ' ' || buf[i] == '\t') i++ ;
    j = uint_scan(buf + i, &b) ;
    /* MIN 0 would restart a crash loop at once, for ever: the floor keeps supervise from spinning */
    if (!j || buf[i+j] || a < 10 || a > 3600000 || b > 3600000 || b < a) goto baddelay ;
    s->delaymin = a ; s->delaymax = b ;
    goto delayok ;
   baddelay:
    badvalue("restart-delay", buf, "MIN MAX in milliseconds, 10 <= MIN <= MAX <= 3600000") ;
   delayok: ;
  }

  s->maxrestarts = 0 ; s->maxwindow = 0 ;
  r = readsetting(F_MAXRESTARTS, buf, sizeof buf) ;
  if (r > 0)
  {
    unsigned int a, b ;
    size_t i = uint_scan(buf, &a), j ;
    if (!i || (buf[i] != ' ' && buf[i] != '\t')) goto badmax ;
    while (buf[i] == ' ' || buf[i] == '\t') i++ ;
    j = uint_scan(buf + i, &b) ;
    if (!j || buf[i+j] || a < 1 || a > SETTINGS_MAXRESTARTS_MAX || b < 1 || b > 86400) goto badmax ;
    s->maxrestarts = a ; s->maxwindow = b ;
    goto maxok ;
   badmax:
    badvalue("max-restarts", buf, "N SECONDS, N from 1 to 1000, SECONDS from 1 to 86400") ;
   maxok: ;
  }

  s->critical = MAYBE(F_CRITICAL) && access("critical", F_OK) == 0 ;
  s->nosetsid = MAYBE(F_NOSETSID) && access("nosetsid", F_OK) == 0 ;
  s->hasenv = MAYBE(F_ENV) && stat("env", &st) == 0 && S_ISDIR(st.st_mode) ;
}
