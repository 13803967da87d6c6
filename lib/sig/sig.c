/* sig.c: a daemon's signal set-up, and a clean slate for the children it execs. */

#include <signal.h>
#include <skalibs/sig.h>
#include <skalibs/nsig.h>
#include <skalibs/selfpipe.h>
#include <tend/sig.h>

/* signals that were SIG_IGN when the daemon started: the only ones exec would not reset */
static sigset_t ignored ;

int tend_sig_selfpipe (int const *sigs)
{
  sigset_t set ;
  int fd ;
  sigemptyset(&ignored) ;
  for (int sig = 1 ; sig < NSIG ; sig++)
  {
    struct sigaction sa ;
    if (sig == SIGKILL || sig == SIGSTOP) continue ;
    if (sigaction(sig, 0, &sa) == 0 && sa.sa_handler == SIG_IGN) sigaddset(&ignored, sig) ;
  }
  fd = selfpipe_init() ;
  if (fd < 0) return -1 ;
  sigemptyset(&set) ;
  for (; *sigs ; sigs++) { sig_restore(*sigs) ; sigaddset(&set, *sigs) ; sigdelset(&ignored, *sigs) ; }
  if (!selfpipe_trapset(&set)) return -1 ;
  sig_altignore(SIGPIPE) ;
  return fd ;
}

void tend_sig_childreset (void)
{
  selfpipe_finish() ;
  for (int sig = 1 ; sig < NSIG ; sig++)
    if (sigismember(&ignored, sig)) signal(sig, SIG_DFL) ;
  sig_blocknone() ;
}
