/* tend/sig.h: the signal set-up the daemons share (supervise, svscan). */
#ifndef TEND_SIG_H
#define TEND_SIG_H

/* selfpipe (a signalfd here) trapping the signals given as a 0-terminated list, after putting
   each back to its default disposition: a signal ignored by whoever started us (INT and QUIT in
   a background job) would otherwise never reach the signalfd. Also SIGPIPE gets a no-op handler
   (not SIG_IGN, which children would inherit). Returns the fd to poll, or -1 with errno. */
extern int tend_sig_selfpipe (int const *sigs) ;

/* In a child, before exec: every disposition back to default, empty mask. It changes only
   kernel state of the calling process, so a vfork child (which shares our memory) may call it;
   the selfpipe's signalfd is close-on-exec.
   Caught signals go back to default across exec by themselves; only those ignored when the
   daemon started (noted by tend_sig_selfpipe) need a call, so the child usually makes none. */
extern void tend_sig_childreset (void) ;

#endif
