/* liveorphans: make N orphans that are still alive when they are handed to PID 1, then let
   them all exit at once, and write to OUT how many microseconds pass from that moment until
   they are all reaped by whoever is PID 1 (the bench's "live orphans" scenario).
     liveorphans N OUT
   Each orphan blocks reading a pipe this program holds the write end of; their parent exits
   once all N exist, which hands them to PID 1 alive; closing the write end wakes them all
   with end-of-file, and each exits. CLOCK_MONOTONIC, as Python's time.monotonic_ns(). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/wait.h>

static unsigned long long mono_ns (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec ;
}

static unsigned int count_procs (void)
{
  unsigned int n = 0 ;
  struct dirent *d ;
  DIR *dir = opendir("/proc") ;
  if (!dir) { perror("liveorphans: fatal: unable to open /proc") ; exit(111) ; }
  while ((d = readdir(dir))) if (d->d_name[0] >= '1' && d->d_name[0] <= '9') n++ ;
  closedir(dir) ;
  return n ;
}

int main (int argc, char **argv)
{
  int gate[2], ready[2], wstat, n ;
  unsigned int base ;
  unsigned long long t0, t1 ;
  pid_t parent ;
  char tmp[4096] ;
  FILE *f ;
  if (argc != 3 || (n = atoi(argv[1])) <= 0)
  {
    fprintf(stderr, "liveorphans: usage: liveorphans N OUT\n") ;
    return 100 ;
  }
  if (pipe(gate) < 0 || pipe(ready) < 0) { perror("liveorphans: fatal: unable to pipe") ; return 111 ; }
  base = count_procs() ;
  parent = fork() ;
  if (parent < 0) { perror("liveorphans: fatal: unable to fork") ; return 111 ; }
  if (!parent)
  {
    close(gate[1]) ; close(ready[0]) ;
    for (int i = 0 ; i < n ; i++)
    {
      pid_t p = fork() ;
      if (p < 0) { perror("liveorphans: fatal: unable to fork") ; _exit(111) ; }
      if (!p)
      {
        char c ;
        close(ready[1]) ;
        while (read(gate[0], &c, 1) < 0 && errno == EINTR) ;
        _exit(0) ;
      }
    }
    /* every orphan exists: hand them to PID 1 */
    _exit(write(ready[1], "x", 1) == 1 ? 0 : 111) ;
  }
  close(gate[0]) ; close(ready[1]) ;
  {
    char c ;
    if (read(ready[0], &c, 1) != 1) { fprintf(stderr, "liveorphans: fatal: the orphan maker failed\n") ; return 111 ; }
  }
  while (waitpid(parent, &wstat, 0) < 0) if (errno != EINTR) { perror("liveorphans: fatal: unable to waitpid") ; return 111 ; }
  if (!WIFEXITED(wstat) || WEXITSTATUS(wstat)) { fprintf(stderr, "liveorphans: fatal: the orphan maker failed\n") ; return 111 ; }
  /* n live orphans belong to PID 1 now: let them all go at once */
  t0 = mono_ns() ;
  close(gate[1]) ;
  for (;;)
  {
    struct timespec ts = { 0, 200000 } ;
    t1 = mono_ns() ;
    if (count_procs() <= base) break ;
    if (t1 - t0 > 60000000000ULL) break ;
    nanosleep(&ts, 0) ;
  }
  if (snprintf(tmp, sizeof tmp, "%s.new", argv[2]) >= (int)sizeof tmp) return 100 ;
  f = fopen(tmp, "w") ;
  if (!f) { perror("liveorphans: fatal: unable to open the result") ; return 111 ; }
  if (count_procs() > base) fprintf(f, "timeout %u\n", count_procs() - base) ;
  else fprintf(f, "%llu\n", (t1 - t0) / 1000) ;
  if (fclose(f) || rename(tmp, argv[2]) < 0) { perror("liveorphans: fatal: unable to write the result") ; return 111 ; }
  return 0 ;
}
