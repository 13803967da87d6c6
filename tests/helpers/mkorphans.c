/* mkorphans: make N orphans that exit after MS milliseconds, so whoever adopts them (PID 1 or a
   subreaper) must reap N zombies. Exits once every intermediate parent is gone.
   Usage: mkorphans N MS */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

int main (int argc, char **argv)
{
  int n, ms ;
  if (argc != 3 || (n = atoi(argv[1])) <= 0 || (ms = atoi(argv[2])) < 0)
  {
    fprintf(stderr, "mkorphans: usage: mkorphans N MS\n") ;
    return 100 ;
  }
  for (int i = 0 ; i < n ; i++)
  {
    pid_t p = fork() ;
    if (p < 0) { perror("mkorphans: fatal: unable to fork") ; return 111 ; }
    if (!p)
    {
      pid_t q = fork() ;
      if (!q)
      {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L } ;
        nanosleep(&ts, 0) ;
        _exit(0) ;
      }
      _exit(q < 0 ? 111 : 0) ;
    }
    waitpid(p, 0, 0) ;
  }
  return 0 ;
}
