/* sig.c: a daemon's signal set-up, and a clean slate for the children it execs. */

#include <skalibs/nonposix.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <skalibs/sig.h>
#include <skalibs/nsig.h>
#include <skalibs/selfpipe.h>
#include <tend/sig.h>

/* signals that were SIG_IGN when the daemon started: the only ones exec would not reset */
static uint64_t ignored ;  /* a bit per signal: glibc's sigaddset refuses 32 and 33 too */

/* glibc refuses sigaction on the two signals it reserves (32, 33) with EINVAL, yet a parent
   (make, for one) may leave them ignored, and that survives exec: look and reset through the
   kernel's own call. Its struct: handler, flags, restorer, mask. */
struct ksigaction { void (*handler) (int) ; unsigned long flags ; void (*restorer) (void) ; unsigned long mask ; } ;

static int kernel_ignored (int sig)
{
  struct ksigaction old ;
  return syscall(SYS_rt_sigaction, sig, (void *)0, &old, sizeof old.mask) == 0 && old.handler == SIG_IGN ;
}

static void kernel_default (int sig)
{
  struct ksigaction sa = { .handler = SIG_DFL, .flags = 0, .restorer = 0, .mask = 0 } ;
  syscall(SYS_rt_sigaction, sig, &sa, (void *)0, sizeof sa.mask) ;
}

int tend_sig_selfpipe (int const *sigs)
{
  sigset_t set ;
  int fd ;
  ignored = 0 ;
  for (int sig = 1 ; sig < NSIG ; sig++)
  {
    if (sig == SIGKILL || sig == SIGSTOP) continue ;
    if (kernel_ignored(sig)) ignored |= (uint64_t)1 << (sig - 1) ;
  }
  fd = selfpipe_init() ;
  if (fd < 0) return -1 ;
  sigemptyset(&set) ;
  for (; *sigs ; sigs++) { sig_restore(*sigs) ; sigaddset(&set, *sigs) ; ignored &= ~((uint64_t)1 << (*sigs - 1)) ; }
  if (!selfpipe_trapset(&set)) return -1 ;
  sig_altignore(SIGPIPE) ;
  return fd ;
}

void tend_sig_childreset (void)
{
  /* kernel state only: a vfork child shares our memory, so no skalibs bookkeeping here (the
     signalfd is close-on-exec; selfpipe_finish would tear down the parent's selfpipe) */
  for (int sig = 1 ; sig < NSIG ; sig++)
    if (ignored & ((uint64_t)1 << (sig - 1))) kernel_default(sig) ;
  sig_blocknone() ;
}
