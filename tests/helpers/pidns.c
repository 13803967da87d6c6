/* pidns: run a program as PID 1 of a new PID namespace (with its own /proc) and report its
   raw wait status, which util-linux `unshare --fork` misreports for signalled children.
   Usage: pidns [ -p pidfile ] [ -r reportfile ] prog args...
   Writes the child's pid (as seen from outside) to pidfile, "exit N" or "signal N" to
   reportfile, and exits N, or 128+N for a signal. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>

static pid_t child ;

static void forward (int sig) { if (child > 0) kill(child, sig) ; }

int main (int argc, char **argv)
{
  char const *pidfile = 0, *report = 0 ;
  int opt, wstat ;
  while ((opt = getopt(argc, argv, "+p:r:")) != -1)
  {
    if (opt == 'p') pidfile = optarg ;
    else if (opt == 'r') report = optarg ;
    else { fprintf(stderr, "pidns: usage: pidns [ -p pidfile ] [ -r reportfile ] prog args...\n") ; return 100 ; }
  }
  if (optind >= argc) { fprintf(stderr, "pidns: usage: pidns [ -p pidfile ] [ -r reportfile ] prog args...\n") ; return 100 ; }
  if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0) { perror("pidns: fatal: unable to unshare") ; return 111 ; }
  if (mount("none", "/", 0, MS_REC | MS_PRIVATE, 0) < 0) { perror("pidns: fatal: unable to make / private") ; return 111 ; }
  child = fork() ;
  if (child < 0) { perror("pidns: fatal: unable to fork") ; return 111 ; }
  if (!child)
  {
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0) < 0) { perror("pidns: fatal: unable to mount /proc") ; _exit(111) ; }
    execvp(argv[optind], argv + optind) ;
    fprintf(stderr, "pidns: fatal: unable to exec %s: %s\n", argv[optind], strerror(errno)) ;
    _exit(errno == ENOENT ? 127 : 126) ;
  }
  signal(SIGTERM, forward) ; signal(SIGINT, forward) ; signal(SIGHUP, forward) ;
  if (pidfile)
  {
    FILE *f = fopen(pidfile, "w") ;
    if (f) { fprintf(f, "%d\n", (int)child) ; fclose(f) ; }
  }
  while (waitpid(child, &wstat, 0) < 0) if (errno != EINTR) { perror("pidns: fatal: unable to wait") ; return 111 ; }
  if (report)
  {
    FILE *f = fopen(report, "w") ;
    if (f)
    {
      if (WIFSIGNALED(wstat)) fprintf(f, "signal %d\n", WTERMSIG(wstat)) ;
      else fprintf(f, "exit %d\n", WEXITSTATUS(wstat)) ;
      fclose(f) ;
    }
  }
  return WIFSIGNALED(wstat) ? 128 + WTERMSIG(wstat) : WEXITSTATUS(wstat) ;
}
