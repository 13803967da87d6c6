/* pwfile.c: /etc/passwd and /etc/group read directly, so static binaries need no NSS modules. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/genalloc.h>
#include <skalibs/djbunix.h>
#include <tend/pwfile.h>

static char const *filename (char const *var, char const *def)
{
  char const *x = getenv(var) ;
  return x && *x ? x : def ;
}

/* A decimal id of len bytes: 1 and *id set, 0 not a number, -2 too large.
   (uid_t)-1 is refused: setuid() reads it as "leave unchanged". */
static int scanid (char const *s, size_t len, uint32_t *id)
{
  uint64_t u = 0 ;
  int big = 0 ;
  if (!len) return 0 ;
  for (size_t i = 0 ; i < len ; i++)
  {
    if (s[i] < '0' || s[i] > '9') return 0 ;
    if (!big)
    {
      u = u * 10 + (uint64_t)(s[i] - '0') ;
      if (u >= UINT32_MAX) big = 1 ;
    }
  }
  if (big) return -2 ;
  *id = (uint32_t)u ;
  return 1 ;
}

/* Splits the line [s, s+len) at ':' into at most max fields; returns how many. */
static unsigned int fields (char const *s, size_t len, char const **f, size_t *flen, unsigned int max)
{
  unsigned int n = 0 ;
  while (n < max)
  {
    char const *c = memchr(s, ':', len) ;
    size_t l = c ? (size_t)(c - s) : len ;
    f[n] = s ; flen[n++] = l ;
    if (!c) break ;
    s += l + 1 ; len -= l + 1 ;
  }
  return n ;
}

/* Calls f on each line (without its newline) of file until f returns nonzero.
   Returns f's last answer, 0 when no line answered, -1 on error. */
static int eachline (char const *file, int (*f)(char const *, size_t, void *), void *data)
{
  stralloc sa = STRALLOC_ZERO ;
  size_t pos = 0 ;
  int r = 0 ;
  /* a scratch image may have no passwd or group file at all: numeric ids must still work */
  if (!openslurpclose(&sa, file))
  {
    int e = errno ;
    stralloc_free(&sa) ;
    errno = e ;
    return e == ENOENT ? 0 : -1 ;
  }
  while (pos < sa.len && !r)
  {
    char const *nl = memchr(sa.s + pos, '\n', sa.len - pos) ;
    size_t len = nl ? (size_t)(nl - sa.s) - pos : sa.len - pos ;
    r = (*f)(sa.s + pos, len, data) ;
    pos += len + 1 ;
  }
  stralloc_free(&sa) ;
  return r ;
}

typedef struct pwq_s pwq_t ;
struct pwq_s
{
  char const *name ;  /* by name when set, else by uid */
  uint32_t uid ;
  uint32_t gid ;
  stralloc *sa ;
  int err ;
} ;

static int pwline (char const *s, size_t len, void *data)
{
  pwq_t *q = data ;
  char const *f[4] ;
  size_t fl[4] ;
  uint32_t uid, gid ;
  /* name:password:uid:gid:...; malformed lines are skipped, as libc does */
  if (fields(s, len, f, fl, 4) < 4) return 0 ;
  if (q->name)
  {
    if (fl[0] != strlen(q->name) || memcmp(f[0], q->name, fl[0])) return 0 ;
    if (scanid(f[2], fl[2], &uid) != 1 || scanid(f[3], fl[3], &gid) != 1) return 0 ;
    q->uid = uid ;
  }
  else
  {
    if (scanid(f[2], fl[2], &uid) != 1 || uid != q->uid || !fl[0]) return 0 ;
    if (scanid(f[3], fl[3], &gid) != 1) return 0 ;
    if (!stralloc_catb(q->sa, f[0], fl[0]) || !stralloc_0(q->sa)) { q->err = errno ; return -1 ; }
  }
  q->gid = gid ;
  return 1 ;
}

int tend_pwfile_byname (char const *name, uid_t *uid, gid_t *gid)
{
  pwq_t q = { .name = name, .uid = 0, .gid = 0, .sa = 0, .err = 0 } ;
  int r = eachline(filename("TEND_PASSWD", TEND_PWFILE_PASSWD), &pwline, &q) ;
  if (r > 0) { *uid = q.uid ; *gid = q.gid ; }
  return r ;
}

int tend_pwfile_byuid (uid_t uid, stralloc *sa, gid_t *gid)
{
  pwq_t q = { .name = 0, .uid = uid, .gid = 0, .sa = sa, .err = 0 } ;
  int r = eachline(filename("TEND_PASSWD", TEND_PWFILE_PASSWD), &pwline, &q) ;
  if (r < 0 && q.err) errno = q.err ;
  if (r > 0) *gid = q.gid ;
  return r ;
}

static int hasgid (genalloc const *g, gid_t gid)
{
  gid_t const *s = genalloc_s(gid_t, g) ;
  size_t n = genalloc_len(gid_t, g) ;
  for (size_t i = 0 ; i < n ; i++) if (s[i] == gid) return 1 ;
  return 0 ;
}

typedef struct grq_s grq_t ;
struct grq_s
{
  char const *user ;
  size_t ulen ;
  genalloc *g ;
  int err ;
} ;

static int grline (char const *s, size_t len, void *data)
{
  grq_t *q = data ;
  char const *f[4] ;
  size_t fl[4] ;
  uint32_t gid ;
  char const *m ;
  size_t mlen ;
  /* name:password:gid:member,member,... */
  if (fields(s, len, f, fl, 4) < 4) return 0 ;
  if (scanid(f[2], fl[2], &gid) != 1) return 0 ;
  m = f[3] ; mlen = fl[3] ;
  while (mlen)
  {
    char const *c = memchr(m, ',', mlen) ;
    size_t l = c ? (size_t)(c - m) : mlen ;
    if (l == q->ulen && !memcmp(m, q->user, l))
    {
      gid_t x = gid ;
      if (!hasgid(q->g, x) && !genalloc_append(gid_t, q->g, &x)) { q->err = errno ; return -1 ; }
      break ;
    }
    if (!c) break ;
    m += l + 1 ; mlen -= l + 1 ;
  }
  return 0 ;
}

int tend_pwfile_groups (char const *user, genalloc *g)
{
  grq_t q = { .user = user, .ulen = strlen(user), .g = g, .err = 0 } ;
  int r = eachline(filename("TEND_GROUP", TEND_PWFILE_GROUP), &grline, &q) ;
  if (r < 0) { if (q.err) errno = q.err ; return 0 ; }
  return 1 ;
}

static int setgroups_of (tend_pwfile_ids_t *ids, char const *name, int single)
{
  gid_t x = ids->gid ;
  genalloc_setlen(gid_t, &ids->groups, 0) ;
  if (!genalloc_append(gid_t, &ids->groups, &x)) return -1 ;
  if (name && !single && !tend_pwfile_groups(name, &ids->groups)) return -1 ;
  return 1 ;
}

int tend_pwfile_resolve (char const *account, tend_pwfile_ids_t *ids, int single)
{
  char const *colon = strchr(account, ':') ;
  uint32_t uid = 0, gid = 0 ;
  int r ;
  if (!*account) return 0 ;
  if (colon)
  {
    /* no passwd name contains ':', so this can only be UID:GID */
    int ru = scanid(account, (size_t)(colon - account), &uid) ;
    int rg = scanid(colon + 1, strlen(colon + 1), &gid) ;
    if (!ru || !rg) return 0 ;
    if (ru < 0 || rg < 0) return -2 ;
    ids->uid = uid ; ids->gid = gid ;
    return setgroups_of(ids, 0, 1) ;
  }
  {
    uid_t u ; gid_t g ;
    r = tend_pwfile_byname(account, &u, &g) ;
    if (r < 0) return -1 ;
    if (r)
    {
      ids->uid = u ; ids->gid = g ;
      return setgroups_of(ids, account, single) ;
    }
  }
  r = scanid(account, strlen(account), &uid) ;
  if (r <= 0) return r ;
  ids->uid = uid ;
  {
    stralloc sa = STRALLOC_ZERO ;
    gid_t g ;
    r = tend_pwfile_byuid(uid, &sa, &g) ;
    if (r < 0) return -1 ;
    if (!r)
    {
      ids->gid = 0 ;
      return setgroups_of(ids, 0, 1) ;
    }
    ids->gid = g ;
    r = setgroups_of(ids, sa.s, single) ;
    stralloc_free(&sa) ;
    return r ;
  }
}

void tend_pwfile_xresolve (char const *account, tend_pwfile_ids_t *ids, int single)
{
  switch (tend_pwfile_resolve(account, ids, single))
  {
    case 1 : return ;
    case 0 : strerr_dief(111, "unknown account ", account) ;
    case -2 : strerr_dief(111, "invalid account ", account, ": uid or gid out of range") ;
    default : strerr_diefusys(111, "look up account ", account) ;
  }
}
