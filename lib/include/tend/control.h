/* tend/control.h: write control bytes into a supervisor's control FIFO, never blocking. */
#ifndef TEND_CONTROL_H
#define TEND_CONTROL_H

#include <stddef.h>
#include <limits.h>

/* Where the FIFOs are, relative to a service directory / a scan directory. */
#define TEND_CONTROL_SUPERVISE "/supervise/control"
#define TEND_CONTROL_SVSCAN "/.svscan/control"

/* The most bytes one call writes: a FIFO write of at most PIPE_BUF bytes is atomic, so the
   reader gets all the bytes or none, never a part. */
#define TEND_CONTROL_MAX PIPE_BUF

/* Writes the n bytes at s (n <= TEND_CONTROL_MAX) into the FIFO at path, in one write.
   Never blocks, so PID 1 may call it on any service at stop time: the open is
   O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, and the write stays non-blocking. The opened
   file must be a FIFO (bytes written into a regular file would reach nobody). n = 0 only checks that
   a reader is there. Returns 1 if every byte was written, 0 otherwise with errno:
     ENXIO   nobody has the FIFO open for reading: the supervisor is not running
     ENOENT  no such file (not a service, or never supervised)
     ELOOP   the last component is a symbolic link (never followed: supervisors make the FIFO)
     EACCES  permission denied
     EINVAL  the file is not a FIFO (as readlink says EINVAL of what is not a link)
     EAGAIN  the FIFO is full: its reader is there but does not read (stopped, wedged)
     EPIPE   the reader went away between the open and the write (SIGPIPE must be ignored)
     EMSGSIZE  n > TEND_CONTROL_MAX
     other values of open(2), fstat(2), write(2). */
extern int tend_control_write (char const *path, char const *s, size_t n) ;

/* The same on DIR SUFFIX (SUFFIX: TEND_CONTROL_SUPERVISE, TEND_CONTROL_SVSCAN, or a longer
   tail such as "/log" TEND_CONTROL_SUPERVISE). The path is built on the stack: no heap. */
extern int tend_control_send (char const *dir, char const *suffix, char const *s, size_t n) ;

/* A reason for a failure's errno, in a client's words: "not running" for ENXIO, "not a FIFO"
   for EINVAL, "FIFO full: its reader is not reading" for EAGAIN, else strerror's text. */
extern char const *tend_control_strerror (int) ;

#endif
