/* benchsvc: the service and timing helper of tests/bench (one binary, the same for every suite). */

/* Run as a service (argv[0] ends in "run": the bench links it as DIR/run), it does what
   $BENCH_MODE says, so every supervisor runs the very same program:
     idle     pause for ever
     start    write "PID MONO_NS\n" to the FIFO $BENCH_FIFO, then pause (start-up stamps)
     crash    append a line to ./starts, exit 1 at once (a crash loop)
     notify   wait for a byte on ./go, then write "\n" to fd $BENCH_NOTIFYFD (readiness),
              having first written the CLOCK_MONOTONIC time of that write to ./readyts
     flood    like start, then write $BENCH_LINES lines of 100 bytes (99 '0's and a newline)
              to stdout as fast as it can, 655 lines a write, then pause (log throughput)
   Run as a tool:
     benchsvc timecmd PROG ARGS...   run PROG, print "MONO_NS EXITCODE" when it is reaped
     benchsvc drain N                read stdin until N newlines have come, then print
                                     "MONO_NS BYTES FIRST_NS" (the fast reader of a log
                                     stream; FIRST_NS: when the first bytes came)
     benchsvc zombies N OUT          make N orphaned zombies (their parent exits once all N
                                     have exited), then write to OUT how many microseconds
                                     pass until they are all reaped by whoever is PID 1
   Times are CLOCK_MONOTONIC, the clock Python's time.monotonic_ns() reads too. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/wait.h>
#include <skalibs/strerr.h>

#define USAGE "benchsvc timecmd prog args... | benchsvc drain n | benchsvc zombies n outfile | (as DIR/run, with BENCH_MODE)"

static unsigned long long mono_ns (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec ;
}

static void pause_forever (void)
{
  for (;;) pause() ;
}

static void writeall (int fd, char const *s, size_t len)
{
  while (len)
  {
    ssize_t r = write(fd, s, len) ;
    if (r < 0) { if (errno == EINTR) continue ; strerr_diefusys(111, "write") ; }
    s += r ; len -= (size_t)r ;
  }
}

static int service (void)
{
  char const *mode = getenv("BENCH_MODE") ;
  char buf[64] ;
  if (!mode) strerr_dief(100, "BENCH_MODE is not set") ;
  if (!strcmp(mode, "idle")) pause_forever() ;
  if (!strcmp(mode, "start") || !strcmp(mode, "flood"))
  {
    char const *fifo = getenv("BENCH_FIFO") ;
    unsigned long long t = mono_ns() ;
    int fd, n ;
    if (!fifo) strerr_dief(100, "BENCH_FIFO is not set") ;
    fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC) ;
    if (fd < 0) strerr_diefusys(111, "open ", fifo) ;
    n = snprintf(buf, sizeof buf, "%ld %llu\n", (long)getpid(), t) ;
    writeall(fd, buf, (size_t)n) ;  /* under PIPE_BUF: one atomic write */
    close(fd) ;
    if (!strcmp(mode, "flood"))
    {
      /* 655 lines of 100 bytes: one write just under 64 KiB, a pipe's default size */
      static char chunk[65500] ;
      char const *s = getenv("BENCH_LINES") ;
      unsigned long left = s ? strtoul(s, 0, 10) : 0 ;
      memset(chunk, '0', sizeof chunk) ;
      for (unsigned int i = 99 ; i < sizeof chunk ; i += 100) chunk[i] = '\n' ;
      while (left)
      {
        unsigned long k = left < 655 ? left : 655 ;
        writeall(1, chunk, k * 100) ;
        left -= k ;
      }
    }
    pause_forever() ;
  }
  if (!strcmp(mode, "crash"))
  {
    int fd = open("starts", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) ;
    if (fd < 0) strerr_diefusys(111, "open ./starts") ;
    writeall(fd, "s\n", 2) ;
    return 1 ;
  }
  if (!strcmp(mode, "notify"))
  {
    char const *nfd = getenv("BENCH_NOTIFYFD") ;
    int go, fd, n ;
    char c ;
    unsigned long long t ;
    if (!nfd) strerr_dief(100, "BENCH_NOTIFYFD is not set") ;
    /* O_RDWR: the open does not wait for a writer, the read does */
    go = open("go", O_RDWR | O_CLOEXEC) ;
    if (go < 0) strerr_diefusys(111, "open ./go") ;
    while (read(go, &c, 1) < 0) if (errno != EINTR) strerr_diefusys(111, "read ./go") ;
    t = mono_ns() ;
    fd = open("readyts.new", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) ;
    if (fd < 0) strerr_diefusys(111, "open ./readyts.new") ;
    n = snprintf(buf, sizeof buf, "%llu\n", t) ;
    writeall(fd, buf, (size_t)n) ;
    close(fd) ;
    /* the stamp is taken before this write, so file I/O is not counted as the waiter's */
    writeall(atoi(nfd), "\n", 1) ;
    if (rename("readyts.new", "readyts") < 0) strerr_diefusys(111, "rename ./readyts.new") ;
    pause_forever() ;
  }
  strerr_dief(100, "unknown BENCH_MODE: ", mode) ;
}

static int timecmd (char *const *argv)
{
  int wstat ;
  unsigned long long t ;
  pid_t pid = fork() ;
  if (pid < 0) strerr_diefusys(111, "fork") ;
  if (!pid)
  {
    execvp(argv[0], argv) ;
    strerr_diefusys(errno == ENOENT ? 127 : 126, "exec ", argv[0]) ;
  }
  while (waitpid(pid, &wstat, 0) < 0) if (errno != EINTR) strerr_diefusys(111, "waitpid") ;
  t = mono_ns() ;
  printf("%llu %d\n", t, WIFEXITED(wstat) ? WEXITSTATUS(wstat) : 128 + WTERMSIG(wstat)) ;
  return 0 ;
}

static int drain (unsigned long long n)
{
  static char buf[65536] ;
  unsigned long long lines = 0, bytes = 0, first = 0 ;
  while (lines < n)
  {
    char *p, *end ;
    ssize_t r = read(0, buf, sizeof buf) ;
    if (r < 0) { if (errno == EINTR) continue ; strerr_diefusys(111, "read") ; }
    if (!r) strerr_dief(111, "end of input before the last line") ;
    if (!bytes) first = mono_ns() ;
    bytes += (unsigned long long)r ;
    for (p = buf, end = buf + r ; (p = memchr(p, '\n', (size_t)(end - p))) ; p++) lines++ ;
  }
  printf("%llu %llu %llu\n", mono_ns(), bytes, first) ;
  return 0 ;
}

static unsigned int count_procs (void)
{
  unsigned int n = 0 ;
  struct dirent *d ;
  DIR *dir = opendir("/proc") ;
  if (!dir) strerr_diefusys(111, "opendir /proc") ;
  while ((d = readdir(dir))) if (d->d_name[0] >= '1' && d->d_name[0] <= '9') n++ ;
  closedir(dir) ;
  return n ;
}

static int zombies (unsigned int n, char const *out)
{
  unsigned int base ;
  unsigned long long t0, t1 ;
  int wstat ;
  pid_t parent ;
  FILE *f ;
  int tp[2] ;
  if (pipe(tp) < 0) strerr_diefusys(111, "pipe") ;
  base = count_procs() ;
  parent = fork() ;
  if (parent < 0) strerr_diefusys(111, "fork") ;
  if (!parent)
  {
    unsigned int i ;
    unsigned long long t ;
    pid_t *kids = malloc(n * sizeof(pid_t)) ;
    if (!kids) strerr_diefusys(111, "malloc") ;
    close(tp[0]) ;
    for (i = 0 ; i < n ; i++)
    {
      kids[i] = fork() ;
      if (kids[i] < 0) strerr_diefusys(111, "fork") ;
      if (!kids[i]) _exit(0) ;
    }
    /* wait until every child has exited, without reaping: they stay zombies */
    for (i = 0 ; i < n ; i++)
    {
      siginfo_t si ;
      while (waitid(P_PID, (id_t)kids[i], &si, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR) strerr_diefusys(111, "waitid") ;
    }
    /* the clock starts when this parent dies and its zombies go to PID 1 */
    t = mono_ns() ;
    writeall(tp[1], (char const *)&t, sizeof t) ;
    _exit(0) ;
  }
  close(tp[1]) ;
  if (read(tp[0], &t0, sizeof t0) != (ssize_t)sizeof t0) strerr_dief(111, "the zombie maker failed") ;
  while (waitpid(parent, &wstat, 0) < 0) if (errno != EINTR) strerr_diefusys(111, "waitpid") ;
  if (!WIFEXITED(wstat) || WEXITSTATUS(wstat)) strerr_dief(111, "the zombie maker failed") ;
  /* now the n zombies belong to PID 1 */
  for (;;)
  {
    t1 = mono_ns() ;
    if (count_procs() <= base) break ;
    if (t1 - t0 > 60000000000ULL) break ;
    {
      struct timespec ts = { 0, 200000 } ;
      nanosleep(&ts, 0) ;
    }
  }
  {
    /* written aside and renamed, so the bench never reads a half-written answer */
    char tmp[4096] ;
    if (snprintf(tmp, sizeof tmp, "%s.new", out) >= (int)sizeof tmp) strerr_dief(100, "path too long: ", out) ;
    f = fopen(tmp, "w") ;
    if (!f) strerr_diefusys(111, "open ", tmp) ;
    if (count_procs() > base) fprintf(f, "timeout %u\n", count_procs() - base) ;
    else fprintf(f, "%llu\n", (t1 - t0) / 1000) ;
    if (fclose(f)) strerr_diefusys(111, "write ", tmp) ;
    if (rename(tmp, out) < 0) strerr_diefusys(111, "rename ", tmp) ;
  }
  return 0 ;
}

int main (int argc, char **argv)
{
  size_t len = strlen(argv[0]) ;
  PROG = "benchsvc" ;
  if (len >= 3 && !strcmp(argv[0] + len - 3, "run")) return service() ;
  if (argc >= 3 && !strcmp(argv[1], "timecmd")) return timecmd(argv + 2) ;
  if (argc == 3 && !strcmp(argv[1], "drain")) return drain(strtoull(argv[2], 0, 10)) ;
  if (argc == 4 && !strcmp(argv[1], "zombies"))
  {
    unsigned int n = (unsigned int)strtoul(argv[2], 0, 10) ;
    if (!n) strerr_dieusage(100, USAGE) ;
    return zombies(n, argv[3]) ;
  }
  strerr_dieusage(100, USAGE) ;
}
