/* evrace: subscribe to DIR's events N times while a child notifies as fast as it can, and
   count the subscriptions whose FIFO was removed under them (the subscribe/cleanup race).
   Usage: evrace SVDIR N. Prints "lost K of N"; exits 1 if K > 0, 111 on a system error. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tend/event.h>

int main (int argc, char **argv)
{
  unsigned long n, lost = 0 ;
  size_t len ;
  pid_t child ;
  if (argc != 3) { fprintf(stderr, "usage: evrace svdir n\n") ; return 100 ; }
  n = strtoul(argv[2], 0, 10) ;
  len = strlen(argv[1]) ;
  {
    char evdir[len + sizeof("/supervise/event")] ;
    char path[len + TEND_EVENT_PATHEXTRA] ;
    memcpy(evdir, argv[1], len) ; memcpy(evdir + len, "/supervise/event", sizeof("/supervise/event")) ;
    child = fork() ;
    if (child < 0) { perror("evrace: fork") ; return 111 ; }
    if (!child) for (;;) tend_event_notify(evdir, 's') ;
    for (unsigned long i = 0 ; i < n ; i++)
    {
      struct stat a, b ;
      int fd = tend_event_subscribe(argv[1], path) ;
      /* ENOENT: removed between mkfifo and open, the same race seen earlier */
      if (fd < 0 && errno == ENOENT) { lost++ ; continue ; }
      if (fd < 0) { perror("evrace: subscribe") ; kill(child, SIGKILL) ; return 111 ; }
      if (fstat(fd, &a) < 0 || stat(path, &b) < 0 || a.st_ino != b.st_ino) lost++ ;
      close(fd) ;
      unlink(path) ;
    }
    kill(child, SIGKILL) ;
    waitpid(child, 0, 0) ;
  }
  printf("lost %lu of %lu\n", lost, n) ;
  return lost ? 1 : 0 ;
}
