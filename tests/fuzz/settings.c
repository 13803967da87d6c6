/* settings: every setting file of a service directory (cmd/supervise/settings.c) with any
   bytes in it, of any type. settings_read never fails and never leaves a value out of its
   documented range; a number setting is exactly the file's number when that is a clean
   decimal in range (trailing newline, spaces, tabs, CRs allowed) and the default otherwise. */

/* fuzz-link: cmd/supervise/settings.c */
#include "fuzz.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include "../../cmd/supervise/settings.h"

static char const *const files[] =
{
  "notification-fd", "check-interval", "timeout-kill", "timeout-finish", "timeout-check",
  "down-signal", "restart-delay", "max-restarts", "check", "finish", "critical", "nosetsid", "env"
} ;
#define NFILES (sizeof files / sizeof *files)
static char dir[64] ;

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
  char const *t = getenv("TMPDIR") ;
  (void)argc ; (void)argv ;
  snprintf(dir, sizeof dir, "%s/tend-fuzz-settings.%d", t ? t : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid()) ;
  if (mkdir(dir, 0700) < 0 || chdir(dir) < 0) abort() ;
  return 0 ;
}

/* the reference reading of a number setting: -1 when it is not a clean decimal in range */
static long long ref (char const *c, size_t n, unsigned long long min, unsigned long long max)
{
  unsigned long long v = 0 ;
  if (n > 255) return -1 ;
  while (n && (c[n-1] == '\n' || c[n-1] == ' ' || c[n-1] == '\t' || c[n-1] == '\r')) n-- ;
  if (!n) return -1 ;
  for (size_t i = 0 ; i < n ; i++)
  {
    if (c[i] < '0' || c[i] > '9') return -1 ;
    v = v * 10 + (unsigned long long)(c[i] - '0') ;
    if (v > 0xffffffffULL) return -1 ;
  }
  return v < min || v > max ? -1 : (long long)v ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char const *val[NFILES] = { 0 } ;
  size_t vlen[NFILES] = { 0 } ;
  int isreg[NFILES] = { 0 } ;
  size_t p = 0 ;
  settings_t s ;
  long long r ;
  for (size_t i = 0 ; i < NFILES ; i++) { unlink(files[i]) ; rmdir(files[i]) ; }
  /* entries: a byte (file index, type in the top bits), a length byte (doubled), the bytes */
  while (p + 2 <= size)
  {
    unsigned int f = data[p] % NFILES, type = data[p] >> 6 ;
    size_t len = (size_t)data[p+1] * 2 ;
    p += 2 ;
    if (len > size - p) len = size - p ;
    unlink(files[f]) ; rmdir(files[f]) ;
    isreg[f] = 0 ; val[f] = 0 ;
    if (type == 3) { if (mkdir(files[f], 0700) < 0) abort() ; }
    else if (type == 2) { if (mkfifo(files[f], 0600) < 0) abort() ; }
    else
    {
      int fd = open(files[f], O_WRONLY | O_CREAT | O_TRUNC, 0755) ;
      if (fd < 0 || write(fd, data + p, len) != (ssize_t)len) abort() ;
      close(fd) ;
      isreg[f] = 1 ; val[f] = (char const *)data + p ; vlen[f] = len ;
    }
    p += len ;
  }
  settings_read(&s) ;
  if (!(s.notifyfd == -1 || (s.notifyfd >= 3 && s.notifyfd <= SETTINGS_NOTIFYFD_MAX))) abort() ;
  if (s.checkinterval < 10 || s.checkinterval > 3600000) abort() ;
  if (s.timeoutkill > 86400000 || s.timeoutfinish > 86400000 || s.timeoutcheck > 86400000) abort() ;
  if (s.downsig <= 0 || s.downsig >= 65) abort() ;
  if (s.delaymin < 10 || s.delaymin > s.delaymax || s.delaymax > 3600000) abort() ;
  if (s.maxrestarts > SETTINGS_MAXRESTARTS_MAX || s.maxwindow > 86400) abort() ;
  if (!s.maxwindow && s.maxrestarts) abort() ;
#define CHECK(i, field, min, max, dflt) \
  r = isreg[i] ? ref(val[i], vlen[i], min, max) : -1 ; \
  if ((unsigned long long)(field) != (r < 0 ? (unsigned long long)(dflt) : (unsigned long long)r)) abort() ;
  CHECK(1, s.checkinterval, 10, 3600000, 200)
  CHECK(2, s.timeoutkill, 0, 86400000, 0)
  CHECK(3, s.timeoutfinish, 0, 86400000, 5000)
  CHECK(4, s.timeoutcheck, 0, 86400000, 10000)
  r = isreg[0] ? ref(val[0], vlen[0], 3, SETTINGS_NOTIFYFD_MAX) : -1 ;
  if (s.notifyfd != (r < 0 ? -1 : (int)r)) abort() ;
  /* a file that is there but is no regular file is no program: check and finish need one */
  if (s.hascheck != isreg[8] || s.hasfinish != isreg[9]) abort() ;
  return 0 ;
}
