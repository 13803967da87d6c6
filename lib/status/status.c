/* status.c: pack, unpack, read and write supervise/status, field by field at named offsets. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>  /* renameat */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/djbunix.h>
#include <tend/status.h>

static void put16 (char *s, uint16_t u) { s[0] = (char)(u >> 8) ; s[1] = (char)u ; }
static void put32 (char *s, uint32_t u) { for (int i = 0 ; i < 4 ; i++) s[i] = (char)(u >> (24 - 8 * i)) ; }
static void put64 (char *s, uint64_t u) { for (int i = 0 ; i < 8 ; i++) s[i] = (char)(u >> (56 - 8 * i)) ; }
static uint16_t get16 (char const *s) { return (uint16_t)((unsigned char)s[0] << 8 | (unsigned char)s[1]) ; }
static uint32_t get32 (char const *s)
{
  uint32_t u = 0 ;
  for (int i = 0 ; i < 4 ; i++) u = u << 8 | (unsigned char)s[i] ;
  return u ;
}
static uint64_t get64 (char const *s)
{
  uint64_t u = 0 ;
  for (int i = 0 ; i < 8 ; i++) u = u << 8 | (unsigned char)s[i] ;
  return u ;
}

void tend_status_pack (char *s, tend_status_t const *st)
{
  memset(s, 0, TEND_STATUS_SIZE) ;
  tend_tai64n_pack(s + TEND_STATUS_OFF_STAMP, &st->stamp) ;
  /* the pid is little-endian: daemontools wrote it that way and everyone reads it so */
  for (int i = 0 ; i < 4 ; i++) s[TEND_STATUS_OFF_PID + i] = (char)(st->pid >> (8 * i)) ;
  s[TEND_STATUS_OFF_PAUSED] = (char)st->paused ;
  s[TEND_STATUS_OFF_WANT] = st->want ;
  s[TEND_STATUS_OFF_GOTTERM] = (char)st->gotterm ;
  s[TEND_STATUS_OFF_RUNSTATE] = (char)st->runstate ;
  s[TEND_STATUS_OFF_VERSION] = TEND_STATUS_VERSION ;
  s[TEND_STATUS_OFF_STATE] = (char)st->state ;
  put16(s + TEND_STATUS_OFF_FLAGS, st->flags) ;
  tend_tai64n_pack(s + TEND_STATUS_OFF_READY, &st->ready) ;
  put32(s + TEND_STATUS_OFF_LASTWSTAT, st->lastwstat) ;
  put32(s + TEND_STATUS_OFF_DEATHS, st->deaths) ;
  put64(s + TEND_STATUS_OFF_DEADLINE, st->deadline) ;
}

int tend_status_unpack (char const *s, size_t len, tend_status_t *st)
{
  tend_status_t z = TEND_STATUS_ZERO ;
  if (len < TEND_STATUS_COMPAT_DAEMONTOOLS) return 0 ;
  *st = z ;
  st->len = len ;
  tend_tai64n_unpack(s + TEND_STATUS_OFF_STAMP, &st->stamp) ;
  for (int i = 3 ; i >= 0 ; i--) st->pid = st->pid << 8 | (unsigned char)s[TEND_STATUS_OFF_PID + i] ;
  st->paused = (uint8_t)s[TEND_STATUS_OFF_PAUSED] ;
  st->want = s[TEND_STATUS_OFF_WANT] ;
  if (len >= TEND_STATUS_COMPAT_RUNIT)
  {
    st->gotterm = (uint8_t)s[TEND_STATUS_OFF_GOTTERM] ;
    st->runstate = (uint8_t)s[TEND_STATUS_OFF_RUNSTATE] ;
  }
  else st->runstate = st->pid ? 1 : 0 ;
  /* A newer version only appends fields, so version >= 1 is read as far as we know it. */
  if (len >= TEND_STATUS_SIZE && (unsigned char)s[TEND_STATUS_OFF_VERSION] >= 1)
  {
    st->version = (uint8_t)s[TEND_STATUS_OFF_VERSION] ;
    st->state = (uint8_t)s[TEND_STATUS_OFF_STATE] ;
    st->flags = get16(s + TEND_STATUS_OFF_FLAGS) ;
    tend_tai64n_unpack(s + TEND_STATUS_OFF_READY, &st->ready) ;
    st->lastwstat = get32(s + TEND_STATUS_OFF_LASTWSTAT) ;
    st->deaths = get32(s + TEND_STATUS_OFF_DEATHS) ;
    st->deadline = get64(s + TEND_STATUS_OFF_DEADLINE) ;
  }
  return 1 ;
}

/* Reads at most n bytes of the regular file fn. Never blocks in open: a FIFO (or a device)
   planted where a file belongs would hang a client for ever, and with it a container's health
   check; O_NONBLOCK makes the open return at once, then anything but a regular file is refused
   (EINVAL). Returns the bytes read, or -1 with errno. */
static ssize_t readregular (char const *fn, char *buf, size_t n)
{
  struct stat st ;
  size_t len = 0 ;
  int fd = open(fn, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) ;
  if (fd < 0) return -1 ;
  if (fstat(fd, &st) < 0) { fd_close(fd) ; return -1 ; }
  if (!S_ISREG(st.st_mode)) { fd_close(fd) ; errno = EINVAL ; return -1 ; }
  while (len < n)
  {
    ssize_t r = read(fd, buf + len, n - len) ;
    if (r < 0) { if (errno == EINTR) continue ; fd_close(fd) ; return -1 ; }
    if (!r) break ;
    len += (size_t)r ;
  }
  fd_close(fd) ;
  return (ssize_t)len ;
}

int tend_status_read (char const *dir, tend_status_t *st)
{
  size_t dlen = strlen(dir) ;
  char fn[dlen + sizeof("/supervise/status")] ;
  char buf[TEND_STATUS_SIZE + 64] ;
  ssize_t r ;
  memcpy(fn, dir, dlen) ;
  memcpy(fn + dlen, "/supervise/status", sizeof("/supervise/status")) ;
  r = readregular(fn, buf, sizeof buf) ;
  if (r < 0) return -1 ;
  if (!tend_status_unpack(buf, (size_t)r, st)) { errno = EPROTO ; return 0 ; }
  return 1 ;
}

int tend_status_valid (tend_status_t const *st)
{
  /* a TAI64 label is >= 2^62; anything far from now (+-2^40 s) is not a stamp */
  if (st->stamp.sec < TEND_TAI64_OFFSET - ((uint64_t)1 << 40) || st->stamp.sec > TEND_TAI64_OFFSET + ((uint64_t)1 << 40)) return 0 ;
  if (st->stamp.nano >= 1000000000) return 0 ;
  if (st->paused > 1) return 0 ;
  if (st->want != 'u' && st->want != 'd' && st->want != 0) return 0 ;
  if (st->len >= TEND_STATUS_COMPAT_RUNIT && (st->gotterm > 1 || st->runstate > 2)) return 0 ;
  if (st->version)
  {
    if (st->state >= TEND_STATE_COUNT) return 0 ;
    if (st->ready.nano >= 1000000000) return 0 ;
  }
  return 1 ;
}

int tend_status_write (int dfd, tend_status_t const *st)
{
  char buf[TEND_STATUS_SIZE] ;
  int fd ;
  tend_status_pack(buf, st) ;
  /* status.new is unlinked, never opened as found: with O_EXCL|O_NOFOLLOW a symlink another
     user left there cannot make supervise (maybe root) write through it */
  if (unlinkat(dfd, "status.new", 0) < 0 && errno != ENOENT) return 0 ;
  fd = openat(dfd, "status.new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) ;
  if (fd < 0) return 0 ;
  if (write(fd, buf, TEND_STATUS_SIZE) != TEND_STATUS_SIZE)
  {
    int e = errno ;
    close(fd) ; unlinkat(dfd, "status.new", 0) ;
    errno = e ? e : ENOSPC ;
    return 0 ;
  }
  close(fd) ;
  if (renameat(dfd, "status.new", dfd, "status") < 0) { int e = errno ; unlinkat(dfd, "status.new", 0) ; errno = e ; return 0 ; }
  return 1 ;
}

char const *tend_state_name (unsigned int s)
{
  static char const *const names[TEND_STATE_COUNT] =
    { "down", "starting", "up", "ready", "stopping", "finishing", "backoff", "failed" } ;
  return s < TEND_STATE_COUNT ? names[s] : "unknown" ;
}
