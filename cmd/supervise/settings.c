/* settings.c: read a service directory's one-value setting files, at every start. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/types.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>
#include <skalibs/djbunix.h>
#include <skalibs/allreadwrite.h>
#include <tend/dirscan.h>
#include "settings.h"

/* The files settings_read looks at. One listing of the service dir says which exist, so a
   service with none of them (most) costs 4 system calls per start rather than 12: restarts
   and the start of a large tree are that much quicker. */
enum { F_NOTIFYFD, F_CHECK, F_CHECKINTERVAL, F_TIMEOUTKILL, F_TIMEOUTFINISH, F_FINISH, F_DOWNSIG,
       F_RESTARTDELAY, F_MAXRESTARTS, F_CRITICAL, F_NOSETSID, F_ENV, F_TIMEOUTCHECK, F_COUNT } ;
static char const *const fnames[F_COUNT] =
{
  "notification-fd", "check", "check-interval", "timeout-kill", "timeout-finish", "finish",
  "down-signal", "restart-delay", "max-restarts", "critical", "nosetsid", "env", "timeout-check"
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

size_t settings_quote (char *d, size_t max, char const *s, size_t len)
{
  static char const hex[] = "0123456789abcdef" ;
  size_t n = 0 ;
  /* each byte takes at most 4: the caller's buffer is 4 * len + 1 */
  for (size_t i = 0 ; i < len && n + 5 <= max ; i++)
  {
    unsigned char c = (unsigned char)s[i] ;
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') d[n++] = (char)c ;
    else
    {
      d[n++] = '\\' ;
      switch (c)
      {
        case '\n' : d[n++] = 'n' ; break ;
        case '\t' : d[n++] = 't' ; break ;
        case '\r' : d[n++] = 'r' ; break ;
        case '\\' : d[n++] = '\\' ; break ;
        case '"' : d[n++] = '"' ; break ;
        default : d[n++] = 'x' ; d[n++] = hex[c >> 4] ; d[n++] = hex[c & 15] ; break ;
      }
    }
  }
  d[n] = 0 ;
  return n ;
}

/* The value is quoted: a setting file must not put a newline or a terminal escape into
   supervise's log (a forged line, a hidden one). */
static void badvalue (char const *file, char const *value, size_t len, char const *want)
{
  char q[4 * len + 1] ;
  settings_quote(q, sizeof q, value, len) ;
  strerr_warnw("invalid value in ", file, ": \"", q, "\" (", want, "): using the default") ;
}

/* A setting is one short value: anything longer is refused whole, never cut (a cut at a fixed
   size once read "1", 100 spaces, "5" as signal 1). */
#define SETTING_MAX 255

/* Reads setting file f into buf (SETTING_MAX + 1 bytes; NUL-terminated, trailing whitespace
   removed). 1 read, 0 absent, -1 unusable (warned: the caller uses the default).
   A symlinked setting file is followed (a setting shared by several services, a mounted
   ConfigMap): whoever can make the link could write the file itself. What must not happen is
   a hang: the open is non-blocking (a FIFO there would block an open for reading until a
   writer comes), and only a regular file is read. */
static int readsetting (unsigned int f, char *buf)
{
  char const *file = fnames[f] ;
  struct stat st ;
  ssize_t r ;
  int fd ;
  if (!MAYBE(f)) return 0 ;
  fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) ;
  if (fd < 0)
  {
    if (errno == ENOENT) return 0 ;
    strerr_warnwusys("read ", file, ": using the default") ;
    return -1 ;
  }
  if (fstat(fd, &st) < 0) { strerr_warnwusys("read ", file, ": using the default") ; fd_close(fd) ; return -1 ; }
  if (!S_ISREG(st.st_mode))
  {
    fd_close(fd) ;
    strerr_warnw(file, " is not a regular file: using the default") ;
    return -1 ;
  }
  /* one byte more than the limit tells a file that is too long */
  errno = 0 ;
  r = (ssize_t)allread(fd, buf, SETTING_MAX + 1) ;
  if (r < SETTING_MAX + 1 && errno && errno != EPIPE)
  {
    strerr_warnwusys("read ", file, ": using the default") ;
    fd_close(fd) ;
    return -1 ;
  }
  fd_close(fd) ;
  if (r > SETTING_MAX)
  {
    char fmt[UINT_FMT] ;
    fmt[uint_fmt(fmt, SETTING_MAX)] = 0 ;
    strerr_warnw(file, " is longer than ", fmt, " bytes: using the default") ;
    return -1 ;
  }
  while (r && (buf[r-1] == '\n' || buf[r-1] == ' ' || buf[r-1] == '\t' || buf[r-1] == '\r')) r-- ;
  buf[r] = 0 ;
  if (memchr(buf, 0, (size_t)r))
  {
    /* "TERM\0KILL" must not be read as TERM */
    badvalue(file, buf, (size_t)r, "no NUL bytes") ;
    return -1 ;
  }
  return 1 ;
}

/* A decimal in [min, max]; the default when absent or malformed. */
static unsigned int readuint (unsigned int f, unsigned int min, unsigned int max, unsigned int dflt, char const *want)
{
  char buf[SETTING_MAX + 1] ;
  unsigned int u ;
  if (readsetting(f, buf) <= 0) return dflt ;
  if (!uint0_scan(buf, &u) || u < min || u > max) { badvalue(fnames[f], buf, strlen(buf), want) ; return dflt ; }
  return u ;
}

static int isexecfile (char const *file)
{
  struct stat st ;
  return stat(file, &st) == 0 && S_ISREG(st.st_mode) ;
}

void settings_read (settings_t *s)
{
  char buf[SETTING_MAX + 1] ;
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
  /* a check that hangs (a curl without a timeout) would leave the service never ready */
  s->timeoutcheck = readuint(F_TIMEOUTCHECK, 0, 86400000, 10000, "milliseconds, 0 to 86400000") ;
  s->hasfinish = MAYBE(F_FINISH) && isexecfile("finish") ;

  s->downsig = SIGTERM ;
  r = readsetting(F_DOWNSIG, buf) ;
  if (r > 0)
  {
    int sig ;
    if (!sig0_scan(buf, &sig) || sig <= 0 || sig >= 65) badvalue("down-signal", buf, strlen(buf), "a signal name such as TERM, or a number") ;
    else s->downsig = sig ;
  }

  s->delaymin = 1000 ; s->delaymax = 30000 ;
  r = readsetting(F_RESTARTDELAY, buf) ;
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
    badvalue("restart-delay", buf, strlen(buf), "MIN MAX in milliseconds, 10 <= MIN <= MAX <= 3600000") ;
   delayok: ;
  }

  s->maxrestarts = 0 ; s->maxwindow = 0 ;
  r = readsetting(F_MAXRESTARTS, buf) ;
  if (r > 0)
  {
    unsigned int a, b ;
    size_t i = uint_scan(buf, &a), j ;
    if (!i || (buf[i] != ' ' && buf[i] != '\t')) goto badmax ;
    while (buf[i] == ' ' || buf[i] == '\t') i++ ;
    j = uint_scan(buf + i, &b) ;
    /* N = 0 is valid: more than 0 deaths, i.e. the first, is final (a critical main process) */
    if (!j || buf[i+j] || a > SETTINGS_MAXRESTARTS_MAX || b < 1 || b > 86400) goto badmax ;
    s->maxrestarts = a ; s->maxwindow = b ;
    goto maxok ;
   badmax:
    badvalue("max-restarts", buf, strlen(buf), "N SECONDS, N from 0 to 1000, SECONDS from 1 to 86400") ;
   maxok: ;
  }

  s->critical = MAYBE(F_CRITICAL) && access("critical", F_OK) == 0 ;
  s->nosetsid = MAYBE(F_NOSETSID) && access("nosetsid", F_OK) == 0 ;
  s->hasenv = MAYBE(F_ENV) && stat("env", &st) == 0 && S_ISDIR(st.st_mode) ;
}
