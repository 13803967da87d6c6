/* step.c: single-step a program (and what it forks, until they exec) for SECONDS; print "I  ADDR,1" for
   every distinct instruction address below 0x800000 (the static text). Layout tool, not built by make. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/user.h>
static unsigned char seen[0x800000] ;
static volatile sig_atomic_t done ;
static void onalrm (int s) { (void)s ; done = 1 ; }
int main (int argc, char **argv)
{
  double secs = atof(argv[1]) ;
  pid_t p = fork() ;
  if (!p) { ptrace(PTRACE_TRACEME, 0, 0, 0) ; raise(SIGSTOP) ; execv(argv[2], argv + 2) ; _exit(127) ; }
  int st ; waitpid(p, &st, 0) ;
  ptrace(PTRACE_SETOPTIONS, p, 0, (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)) ;
  int execd = 0 ;  /* the main tracee's own exec is the one we want to follow */
  struct sigaction sa = { .sa_handler = onalrm } ; sigaction(SIGALRM, &sa, 0) ; alarm((unsigned)secs) ;
  ptrace(PTRACE_SINGLESTEP, p, 0, 0) ;
  long n = 0 ;
  for (;;)
  {
    pid_t q = waitpid(-1, &st, __WALL) ;
    if (q < 0 || done) break ;
    if (WIFEXITED(st) || WIFSIGNALED(st)) { if (q == p) break ; continue ; }
    int sig = WSTOPSIG(st), ev = st >> 16 ;
    if (ev == PTRACE_EVENT_EXEC)
    {
      if (q == p && !execd) { execd = 1 ; ptrace(PTRACE_SINGLESTEP, q, 0, 0) ; continue ; }
      ptrace(PTRACE_DETACH, q, 0, 0) ; continue ;
    }
    if (ev) { ptrace(PTRACE_SINGLESTEP, q, 0, 0) ; continue ; }  /* fork/clone events: the child shows up by itself */
    struct user_regs_struct r ;
    if (execd && ptrace(PTRACE_GETREGS, q, 0, &r) == 0 && r.rip < 0x800000) seen[r.rip] = 1 ;
    n++ ;
    ptrace(PTRACE_SINGLESTEP, q, 0, (void *)(long)(sig == SIGTRAP || sig == SIGSTOP ? 0 : sig)) ;
  }
  fprintf(stderr, "step2: %ld steps\n", n) ;
  for (long a = 0 ; a < 0x800000 ; a++) if (seen[a]) printf("I  %lx,1\n", a) ;
  fprintf(stderr, "PID %d\n", (int)p) ;
  return 0 ;
}
