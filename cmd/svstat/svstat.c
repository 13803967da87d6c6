/* svstat: print the status of services: daemontools' exact line, -l long, -j JSON, -c check;
   with no service named, every service of the scan directory (a table on a terminal). */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <stdlib.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <skalibs/types.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/stralloc.h>
#include <skalibs/buffer.h>
#include <skalibs/sig.h>
#include <skalibs/direntry.h>
#include <skalibs/genalloc.h>
#include <tend/tai.h>
#include <tend/clock.h>
#include <tend/status.h>
#include <tend/svok.h>
#include <tend/svpath.h>
#include <tend/usage.h>

#define USAGE "svstat [ -l | -j | -c ] [ service... ]"
#define HELP \
"print the status of each service, or of every service of the scan directory\n" \
"  -l  long format: state, readiness, last exit, restarts\n" \
"  -j  JSON, one object per line\n" \
"  -c  health check: print only what is unhealthy; exit 1 if anything is\n"

enum mode_e { MODE_DEFAULT, MODE_LONG, MODE_JSON, MODE_CHECK } ;

static tend_tai64n_t now ;

static void put (char const *s) { buffer_puts(buffer_1, s) ; }
static void putn (char const *s, size_t n) { buffer_put(buffer_1, s, n) ; }
static void putu64 (uint64_t u) { char fmt[UINT64_FMT] ; putn(fmt, uint64_fmt(fmt, u)) ; }

static uint64_t secondssince (tend_tai64n_t const *t)
{
  return now.sec > t->sec ? now.sec - t->sec : 0 ;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates,
   nothing above U+10FFFF), or 0 if the bytes there are not one. */
static size_t utf8len (unsigned char const *s)
{
  unsigned char c = s[0] ;
  size_t n ;
  unsigned char lo = 0x80, hi = 0xbf ;
  if (c < 0x80) return 1 ;
  if (c >= 0xc2 && c <= 0xdf) n = 2 ;
  else if (c >= 0xe0 && c <= 0xef)
  {
    n = 3 ;
    if (c == 0xe0) lo = 0xa0 ;
    if (c == 0xed) hi = 0x9f ;
  }
  else if (c >= 0xf0 && c <= 0xf4)
  {
    n = 4 ;
    if (c == 0xf0) lo = 0x90 ;
    if (c == 0xf4) hi = 0x8f ;
  }
  else return 0 ;
  /* the string ends with a NUL, which fails this test: no read past its end */
  if (s[1] < lo || s[1] > hi) return 0 ;
  for (size_t i = 2 ; i < n ; i++) if (s[i] < 0x80 || s[i] > 0xbf) return 0 ;
  return n ;
}

/* JSON string: escapes what JSON requires. A service name or path is any bytes, but JSON text
   is UTF-8: a byte that does not start a valid UTF-8 sequence becomes U+FFFD, so every line
   parses (the argument itself, not the JSON, is what to give the next command). */
static void putjson (char const *str)
{
  unsigned char const *s = (unsigned char const *)str ;
  put("\"") ;
  while (*s)
  {
    unsigned char c = *s ;
    size_t n ;
    if (c == '"' || c == '\\') { char b[2] = { '\\', (char)c } ; putn(b, 2) ; s++ ; }
    else if (c < 0x20)
    {
      static char const hex[] = "0123456789abcdef" ;
      char b[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] } ;
      putn(b, 6) ; s++ ;
    }
    else if ((n = utf8len(s))) { putn((char const *)s, n) ; s += n ; }
    else { put("\\ufffd") ; s++ ; }
  }
  put("\"") ;
}

typedef struct svinfo_s svinfo_t ;
struct svinfo_s
{
  char const *arg ;
  char const *dir ;
  int normallyup ;
  int running ;          /* a supervisor is there */
  tend_status_t st ;
  char const *err ;      /* what could not be done */
  int errnum ;           /* errno for err, 0 if none */
} ;

/* 1 readable (running or not), 0 error (err set) */
static int gather (svinfo_t *s)
{
  size_t dlen = strlen(s->dir) ;
  char fn[dlen + sizeof("/down")] ;
  struct stat st ;
  int r ;
  s->err = 0 ; s->errnum = 0 ; s->running = 0 ;
  if (stat(s->dir, &st) < 0) { s->err = "unable to chdir" ; s->errnum = errno ; return 0 ; }
  if (!S_ISDIR(st.st_mode)) { s->err = "unable to chdir" ; s->errnum = ENOTDIR ; return 0 ; }
  memcpy(fn, s->dir, dlen) ; memcpy(fn + dlen, "/down", sizeof("/down")) ;
  if (stat(fn, &st) == 0) s->normallyup = 0 ;
  else if (errno == ENOENT) s->normallyup = 1 ;
  else { s->err = "unable to stat down" ; s->errnum = errno ; return 0 ; }
  r = tend_svok(s->dir) ;
  if (r < 0)
  {
    if (errno == EINVAL) { s->err = "unable to open supervise/ok: not a FIFO" ; return 0 ; }
    s->err = "unable to open supervise/ok" ; s->errnum = errno ; return 0 ;
  }
  if (!r)
  {
    /* tell "not a service" from "not supervised": daemontools says ok is missing */
    char ok[dlen + sizeof("/supervise/ok")] ;
    memcpy(ok, s->dir, dlen) ; memcpy(ok + dlen, "/supervise/ok", sizeof("/supervise/ok")) ;
    if (access(ok, F_OK) < 0) { s->err = "unable to open supervise/ok" ; s->errnum = errno ; return 0 ; }
    return 1 ;
  }
  s->running = 1 ;
  r = tend_status_read(s->dir, &s->st) ;
  if (r < 0)
  {
    /* a FIFO or a device there: refused without blocking (a hung svstat -c hangs the probe) */
    if (errno == EINVAL) { s->err = "unable to read supervise/status: not a regular file" ; return 0 ; }
    s->err = errno == ENOENT || errno == EACCES ? "unable to open supervise/status" : "unable to read supervise/status" ;
    s->errnum = errno ; return 0 ;
  }
  if (!r || !tend_status_valid(&s->st)) { s->err = "unable to read supervise/status: bad format" ; return 0 ; }
  return 1 ;
}

static void puterr (svinfo_t const *s)
{
  put(s->err) ;
  if (s->errnum) { put(": ") ; put(strerror(s->errnum)) ; }
}

/* daemontools' line, after "DIR: " */
static void putdefault (svinfo_t const *s)
{
  tend_status_t const *st = &s->st ;
  if (!s->running) { put("supervise not running") ; return ; }
  if (st->pid) { put("up (pid ") ; putu64(st->pid) ; put(") ") ; }
  else put("down ") ;
  putu64(secondssince(&st->stamp)) ;
  put(" seconds") ;
  if (st->pid && !s->normallyup) put(", normally down") ;
  if (!st->pid && s->normallyup) put(", normally up") ;
  if (st->pid && st->paused) put(", paused") ;
  if (!st->pid && st->want == 'u') put(", want up") ;
  if (st->pid && st->want == 'd') put(", want down") ;
}

static void putlong (svinfo_t const *s)
{
  tend_status_t const *st = &s->st ;
  putdefault(s) ;
  if (!s->running) return ;
  if (!st->version) { put(st->len >= TEND_STATUS_COMPAT_RUNIT ? ", format runit" : ", format daemontools") ; return ; }
  put(", state ") ; put(tend_state_name(st->state)) ;
  if (st->runstate == 2) put(", finish running") ;
  if (st->flags & TEND_STATUS_F_READY) { put(", ready ") ; putu64(secondssince(&st->ready)) ; put(" seconds") ; }
  if (st->flags & TEND_STATUS_F_HASDIED)
  {
    int w = (int)st->lastwstat ;
    if (WIFSIGNALED(w)) { put(", last signal ") ; put(sig_name(WTERMSIG(w))) ; }
    else { put(", last exit ") ; putu64((uint64_t)WEXITSTATUS(w)) ; }
  }
  put(", restarts ") ; putu64(st->deaths) ;
  if (st->flags & TEND_STATUS_F_DELAYED)
  {
    uint64_t m = tend_monotonic_ms() ;
    put(", restart in ") ; putu64(st->deadline > m ? st->deadline - m : 0) ; put(" ms") ;
  }
  if (st->flags & TEND_STATUS_F_FAILED) put(", failed") ;
  if (st->flags & TEND_STATUS_F_EXECFAIL) put(", exec failed") ;
  if (st->flags & TEND_STATUS_F_CRITICAL) put(", critical") ;
  if (st->flags & TEND_STATUS_F_EXITING) put(", want exit") ;
}

static void putbool (char const *k, int v) { put(",\"") ; put(k) ; put(v ? "\":true" : "\":false") ; }
static void putnum (char const *k, uint64_t v) { put(",\"") ; put(k) ; put("\":") ; putu64(v) ; }
static void putnull (char const *k) { put(",\"") ; put(k) ; put("\":null") ; }

/* last in every object (new keys go at the end): which svstat wrote the line, so a consumer
   can tell what the keys mean */
static void endobj (void)
{
  put(",\"tend_version\":\"") ; put(tend_usage_version()) ; put("\"}\n") ;
}

static void putjsonobj (svinfo_t const *s, int ok)
{
  tend_status_t const *st = &s->st ;
  put("{\"service\":") ; putjson(s->arg) ;
  put(",\"path\":") ; putjson(s->dir) ;
  if (!ok)
  {
    put(",\"error\":\"") ; put(s->err) ;
    if (s->errnum) { put(": ") ; put(strerror(s->errnum)) ; }
    put("\"") ;
    endobj() ;
    return ;
  }
  putbool("supervised", s->running) ;
  if (!s->running) { putbool("normally_up", s->normallyup) ; endobj() ; return ; }
  put(",\"format\":\"") ; put(st->version ? "tend" : st->len >= TEND_STATUS_COMPAT_RUNIT ? "runit" : "daemontools") ; put("\"") ;
  putbool("up", st->pid && st->runstate == 1) ;
  if (st->pid) putnum("pid", st->pid) ; else putnull("pid") ;
  putnum("seconds", secondssince(&st->stamp)) ;
  put(",\"state\":\"") ;
  put(st->version ? tend_state_name(st->state) : st->runstate == 2 ? "finishing" : st->pid ? "up" : "down") ;
  put("\"") ;
  put(",\"want\":\"") ; put(st->want == 'u' ? "up" : st->want == 'd' ? "down" : "once") ; put("\"") ;
  putbool("normally_up", s->normallyup) ;
  putbool("paused", st->paused) ;
  putbool("got_term", st->gotterm) ;
  putbool("finishing", st->runstate == 2) ;
  putbool("ready", st->version ? !!(st->flags & TEND_STATUS_F_READY) : st->pid && st->runstate == 1) ;
  if (st->version && (st->flags & TEND_STATUS_F_READY)) putnum("ready_seconds", secondssince(&st->ready)) ;
  else putnull("ready_seconds") ;
  if (st->version && (st->flags & TEND_STATUS_F_HASDIED))
  {
    int w = (int)st->lastwstat ;
    if (WIFSIGNALED(w)) { putnull("last_exit_code") ; putnum("last_signal", (uint64_t)WTERMSIG(w)) ; put(",\"last_signal_name\":\"") ; put(sig_name(WTERMSIG(w))) ; put("\"") ; }
    else { putnum("last_exit_code", (uint64_t)WEXITSTATUS(w)) ; putnull("last_signal") ; putnull("last_signal_name") ; }
  }
  else { putnull("last_exit_code") ; putnull("last_signal") ; putnull("last_signal_name") ; }
  if (st->version) putnum("restarts", st->deaths) ; else putnull("restarts") ;
  if (st->version && (st->flags & TEND_STATUS_F_DELAYED))
  {
    uint64_t m = tend_monotonic_ms() ;
    putnum("restart_in_ms", st->deadline > m ? st->deadline - m : 0) ;
  }
  else putnull("restart_in_ms") ;
  putbool("failed", st->version && (st->flags & TEND_STATUS_F_FAILED)) ;
  putbool("exec_failed", st->version && (st->flags & TEND_STATUS_F_EXECFAIL)) ;
  putbool("critical", st->version && (st->flags & TEND_STATUS_F_CRITICAL)) ;
  putbool("exiting", st->version && (st->flags & TEND_STATUS_F_EXITING)) ;
  endobj() ;
}

/* -c: healthy is "in the state it is wanted in". Only a service wanted up (u, or o while it
   still runs) that is not up, or not ready where readiness is known, is unhealthy; so is one
   supervise gave up on (failed sets want d, but nobody asked for that). A normally-down
   service or one taken down with svc -d is healthy: a health check must not fail for ever
   because a debugging tool is off. */
static int healthy (svinfo_t const *s)
{
  tend_status_t const *st = &s->st ;
  int up ;
  if (!s->running) return 0 ;
  if (st->version && (st->flags & TEND_STATUS_F_FAILED)) return 0 ;
  up = st->pid && st->runstate == 1 && (!st->version || st->state == TEND_STATE_READY) ;
  if (st->want == 'u') return up ;
  if (!st->want) return st->runstate != 1 || up ;
  return 1 ;
}

static int namecmp (void const *a, void const *b)
{
  return strcmp(*(char const *const *)a, *(char const *const *)b) ;
}

/* With no service named: every service of the scan directory in name order (bytes, as ls
   in the C locale), each followed by its logger as NAME/log when it has one, as svscan
   supervises them. Names starting with a dot are not services (svscan skips them too). */
static int listall (stralloc *names, stralloc *dirs, stralloc *sd)
{
  stralloc ents = STRALLOC_ZERO ;
  genalloc offs = GENALLOC_ZERO ;   /* size_t: where each name starts in ents */
  DIR *d ;
  size_t n ;
  if (!tend_svpath_scandir(sd) || !stralloc_0(sd)) return 0 ;
  d = opendir(sd->s) ;
  if (!d) strerr_diefusys(111, "open the scan directory ", sd->s) ;
  for (;;)
  {
    struct dirent *de ;
    size_t off = ents.len ;
    errno = 0 ;
    de = readdir(d) ;
    if (!de) { if (errno) strerr_diefusys(111, "read the scan directory ", sd->s) ; break ; }
    if (de->d_name[0] == '.') continue ;
    if (!stralloc_cats(&ents, de->d_name) || !stralloc_0(&ents) || !genalloc_append(size_t, &offs, &off)) return 0 ;
  }
  dir_close(d) ;
  n = genalloc_len(size_t, &offs) ;
  {
    /* pointers only now: ents no longer moves */
    char const **v = n ? malloc(n * sizeof(char const *)) : 0 ;
    if (n && !v) return 0 ;
    for (size_t i = 0 ; i < n ; i++) v[i] = ents.s + genalloc_s(size_t, &offs)[i] ;
    if (n) qsort(v, n, sizeof(char const *), &namecmp) ;
    for (size_t i = 0 ; i < n ; i++)
    {
      struct stat st ;
      size_t start = dirs->len, l ;
      if (!stralloc_catb(dirs, sd->s, sd->len - 1) || !stralloc_catb(dirs, "/", 1) || !stralloc_cats(dirs, v[i]) || !stralloc_0(dirs)) return 0 ;
      if (stat(dirs->s + start, &st) < 0 || !S_ISDIR(st.st_mode)) { dirs->len = start ; continue ; }
      if (!stralloc_cats(names, v[i]) || !stralloc_0(names)) return 0 ;
      l = dirs->len ;
      /* the logger's path is the service's (already in dirs, but dirs may move) + "/log" */
      if (!stralloc_catb(dirs, sd->s, sd->len - 1) || !stralloc_catb(dirs, "/", 1) || !stralloc_cats(dirs, v[i]) || !stralloc_cats(dirs, "/log") || !stralloc_0(dirs)) return 0 ;
      if (stat(dirs->s + l, &st) == 0 && S_ISDIR(st.st_mode))
      {
        if (!stralloc_cats(names, v[i]) || !stralloc_cats(names, "/log") || !stralloc_0(names)) return 0 ;
      }
      else dirs->len = l ;
    }
    free(v) ;
  }
  stralloc_free(&ents) ;
  genalloc_free(size_t, &offs) ;
  return 1 ;
}

/* The table (no service named, stdout a terminal): one row per service, columns aligned. */
enum col_e { COL_NAME, COL_STATE, COL_PID, COL_UPTIME, COL_READY, COL_RESTARTS, COL_LAST, NCOLS } ;
static char const *const colhead[NCOLS] = { "NAME", "STATE", "PID", "UPTIME", "READY", "RESTARTS", "LAST EXIT" } ;
#define CELLMAX 32

/* 45s, 12m03s, 3h07m, 5d04h: short, and the larger unit first */
static void fmtduration (char *out, uint64_t secs)
{
  char a[UINT64_FMT], b[UINT64_FMT] ;
  size_t la, lb = 0 ;
  char ua, ub = 0 ;
  if (secs < 60) { la = uint64_fmt(a, secs) ; ua = 's' ; }
  else if (secs < 3600) { la = uint64_fmt(a, secs / 60) ; ua = 'm' ; lb = uint64_fmt(b, secs % 60) ; ub = 's' ; }
  else if (secs < 86400) { la = uint64_fmt(a, secs / 3600) ; ua = 'h' ; lb = uint64_fmt(b, secs / 60 % 60) ; ub = 'm' ; }
  else { la = uint64_fmt(a, secs / 86400) ; ua = 'd' ; lb = uint64_fmt(b, secs / 3600 % 24) ; ub = 'h' ; }
  memcpy(out, a, la) ; out += la ; *out++ = ua ;
  if (ub)
  {
    if (lb < 2) *out++ = '0' ;
    memcpy(out, b, lb) ; out += lb ; *out++ = ub ;
  }
  *out = 0 ;
}

static void setcell (char *cell, char const *s)
{
  size_t n = strlen(s) ;
  if (n >= CELLMAX) n = CELLMAX - 1 ;
  memcpy(cell, s, n) ; cell[n] = 0 ;
}

static void setcellu (char *cell, uint64_t u) { cell[uint64_fmt(cell, u)] = 0 ; }

/* every column but the name; "-" where a value does not apply */
static void rowcells (svinfo_t const *s, int ok, char cell[NCOLS][CELLMAX])
{
  tend_status_t const *st = &s->st ;
  for (unsigned int c = COL_STATE ; c < NCOLS ; c++) setcell(cell[c], "-") ;
  if (!ok) { setcell(cell[COL_STATE], "error") ; return ; }
  if (!s->running) { setcell(cell[COL_STATE], "unsupervised") ; return ; }
  setcell(cell[COL_STATE], st->version ? tend_state_name(st->state) : st->runstate == 2 ? "finishing" : st->pid ? "up" : "down") ;
  if (st->pid) setcellu(cell[COL_PID], st->pid) ;
  if (st->pid && st->runstate == 1) fmtduration(cell[COL_UPTIME], secondssince(&st->stamp)) ;
  if (st->version && st->pid && st->runstate == 1) setcell(cell[COL_READY], st->flags & TEND_STATUS_F_READY ? "yes" : "no") ;
  if (st->version) setcellu(cell[COL_RESTARTS], st->deaths) ;
  if (st->version && (st->flags & TEND_STATUS_F_HASDIED))
  {
    int w = (int)st->lastwstat ;
    char *p = cell[COL_LAST] ;
    if (WIFSIGNALED(w)) { memcpy(p, "signal ", 7) ; setcell(p + 7, sig_name(WTERMSIG(w))) ; }
    else { memcpy(p, "exit ", 5) ; setcellu(p + 5, (uint64_t)WEXITSTATUS(w)) ; }
  }
}

/* after the columns: what the columns do not say (the error, a pending restart, a down file).
   Appends to sa; 0 on allocation failure. */
static int notes (stralloc *sa, svinfo_t const *s, int ok)
{
  tend_status_t const *st = &s->st ;
  char const *sep = "" ;
  int r = 1 ;
#define NOTE(x) do { r = r && stralloc_cats(sa, sep) && stralloc_cats(sa, x) ; sep = ", " ; } while (0)
  if (!ok)
    return stralloc_cats(sa, s->err) && (!s->errnum || (stralloc_cats(sa, ": ") && stralloc_cats(sa, strerror(s->errnum)))) ;
  if (!s->running) { if (!s->normallyup) NOTE("normally down") ; return r ; }
  if (st->pid && !s->normallyup) NOTE("normally down") ;
  if (!st->pid && s->normallyup && st->want != 'u') NOTE("normally up") ;
  if (st->pid && st->paused) NOTE("paused") ;
  if (!st->pid && st->want == 'u') NOTE("want up") ;
  if (st->pid && st->want == 'd') NOTE("want down") ;
  if (!st->version) { NOTE(st->len >= TEND_STATUS_COMPAT_RUNIT ? "format runit" : "format daemontools") ; return r ; }
  if (st->flags & TEND_STATUS_F_DELAYED)
  {
    uint64_t m = tend_monotonic_ms() ;
    char fmt[sizeof("restart in  ms") + UINT64_FMT] = "restart in " ;
    size_t len = sizeof("restart in ") - 1 ;
    len += uint64_fmt(fmt + len, st->deadline > m ? st->deadline - m : 0) ;
    memcpy(fmt + len, " ms", sizeof(" ms")) ;
    NOTE(fmt) ;
  }
  if (st->flags & TEND_STATUS_F_EXECFAIL) NOTE("exec failed") ;
  if (st->flags & TEND_STATUS_F_CRITICAL) NOTE("critical") ;
  if (st->flags & TEND_STATUS_F_EXITING) NOTE("want exit") ;
#undef NOTE
  return r ;
}

static void putpadded (char const *cell, size_t width)
{
  size_t n = strlen(cell) ;
  put(cell) ;
  while (n++ < width + 2) put(" ") ;
}

/* Everything is read first so the widths fit what is printed (a second read could differ). */
static int puttable (unsigned int n, char const *names, char const *dirs)
{
  svinfo_t *sv = malloc((n ? n : 1) * sizeof(svinfo_t)) ;
  char (*cells)[NCOLS][CELLMAX] = malloc((n ? n : 1) * sizeof *cells) ;
  int *oks = malloc((n ? n : 1) * sizeof(int)) ;
  size_t width[NCOLS] ;
  stralloc nb = STRALLOC_ZERO ;
  int errors = 0 ;
  if (!sv || !cells || !oks) strerr_diefusys(111, "allocate") ;
  for (unsigned int c = 0 ; c < NCOLS ; c++) width[c] = strlen(colhead[c]) ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    sv[i].arg = names ; sv[i].dir = dirs ;
    names += strlen(names) + 1 ; dirs += strlen(dirs) + 1 ;
    oks[i] = gather(&sv[i]) ;
    if (!oks[i]) errors = 1 ;
    rowcells(&sv[i], oks[i], cells[i]) ;
    if (strlen(sv[i].arg) > width[COL_NAME]) width[COL_NAME] = strlen(sv[i].arg) ;
    for (unsigned int c = COL_STATE ; c < NCOLS ; c++)
      if (strlen(cells[i][c]) > width[c]) width[c] = strlen(cells[i][c]) ;
  }
  for (unsigned int c = 0 ; c < NCOLS ; c++) putpadded(colhead[c], width[c]) ;
  put("NOTES\n") ;
  for (unsigned int i = 0 ; i < n ; i++)
  {
    nb.len = 0 ;
    if (!notes(&nb, &sv[i], oks[i])) strerr_diefusys(111, "allocate") ;
    putpadded(sv[i].arg, width[COL_NAME]) ;
    /* no trailing blanks: the last cell of a row without notes is not padded */
    for (unsigned int c = COL_STATE ; c < NCOLS - 1 ; c++) putpadded(cells[i][c], width[c]) ;
    if (nb.len) { putpadded(cells[i][NCOLS - 1], width[NCOLS - 1]) ; putn(nb.s, nb.len) ; }
    else put(cells[i][NCOLS - 1]) ;
    put("\n") ;
  }
  stralloc_free(&nb) ;
  free(oks) ; free(cells) ; free(sv) ;
  return errors ;
}

int main (int argc, char const *const *argv)
{
  subgetopt l = SUBGETOPT_ZERO ;
  enum mode_e mode = MODE_DEFAULT ;
  stralloc names = STRALLOC_ZERO, dirs = STRALLOC_ZERO ;
  unsigned int n = 0 ;
  int errors = 0, unhealthy = 0 ;
  PROG = "svstat" ;
  tend_usage_first(argc, argv, USAGE, HELP) ;
  for (;;)
  {
    int opt = subgetopt_r(argc, argv, "ljc", &l) ;
    if (opt == -1) break ;
    switch (opt)
    {
      case 'l' : mode = MODE_LONG ; break ;
      case 'j' : mode = MODE_JSON ; break ;
      case 'c' : mode = MODE_CHECK ; break ;
      default : strerr_dieusage(100, USAGE) ;
    }
  }
  argc -= l.ind ; argv += l.ind ;
  tend_tai64n_now(&now) ;
  if (!argc)
  {
    stralloc sd = STRALLOC_ZERO ;
    if (!listall(&names, &dirs, &sd)) strerr_diefusys(111, "list services") ;
    for (size_t i = 0 ; i < names.len ; i += strlen(names.s + i) + 1) n++ ;
    if (!n)
    {
      if (mode == MODE_CHECK) strerr_dief(1, "no service in the scan directory ", sd.s) ;
      /* nothing to list is an answer, not an error; but an empty screen would not say so */
      strerr_warnw("no service in the scan directory ", sd.s) ;
    }
    stralloc_free(&sd) ;
    /* a person reading a terminal gets the table; a pipe keeps daemontools' lines */
    if (mode == MODE_DEFAULT && isatty(1))
    {
      errors = puttable(n, names.s, dirs.s) ;
      n = 0 ;
    }
  }
  else
  {
    for (int i = 0 ; i < argc ; i++)
    {
      if (!stralloc_cats(&names, argv[i]) || !stralloc_0(&names)) strerr_diefusys(111, "allocate") ;
      if (!tend_svpath_resolve(&dirs, argv[i])) strerr_diefusys(111, "resolve ", argv[i]) ;
    }
    n = (unsigned int)argc ;
  }
  {
    size_t ni = 0, di = 0 ;
    for (unsigned int i = 0 ; i < n ; i++)
    {
      svinfo_t s ;
      int ok ;
      s.arg = names.s + ni ; s.dir = dirs.s + di ;
      ni += strlen(names.s + ni) + 1 ; di += strlen(dirs.s + di) + 1 ;
      ok = gather(&s) ;
      if (!ok) errors = 1 ;
      switch (mode)
      {
        case MODE_JSON : putjsonobj(&s, ok) ; break ;
        case MODE_CHECK :
          if (!ok || !healthy(&s))
          {
            unhealthy = 1 ;
            put(s.arg) ; put(": ") ;
            if (!ok) puterr(&s) ; else putlong(&s) ;
            put("\n") ;
          }
          break ;
        default :
          put(s.arg) ; put(": ") ;
          if (!ok) puterr(&s) ;
          else if (mode == MODE_LONG) putlong(&s) ;
          else putdefault(&s) ;
          put("\n") ;
      }
    }
  }
  if (!buffer_flush(buffer_1)) strerr_diefusys(111, "write to stdout") ;
  stralloc_free(&names) ; stralloc_free(&dirs) ;
  if (mode == MODE_CHECK) return unhealthy ? 1 : 0 ;
  return errors ? 111 : 0 ;
}
