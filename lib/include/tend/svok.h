/* tend/svok.h: is a supervisor running on a service directory? */
#ifndef TEND_SVOK_H
#define TEND_SVOK_H

/* Opens DIR/supervise/ok for writing, non-blocking (so it never waits for a reader).
   1 yes, 0 no (ENXIO: no reader, ENOENT: no ok fifo), -1 other error (errno set; EINVAL:
   supervise/ok is not a FIFO). When the open is refused (EACCES), the answer is whether
   /proc/locks lists a lock on DIR/supervise/lock; -1 with EACCES if that cannot be told. */
extern int tend_svok (char const *) ;

#endif
