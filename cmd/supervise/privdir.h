/* privdir.h: supervise/ as a private directory: verified or repaired at start-up, written through its fd. */
#ifndef SUPERVISE_PRIVDIR_H
#define SUPERVISE_PRIVDIR_H

#include <stddef.h>

/* Creates supervise/ (0700) if needed, follows it only if it is a symlink of ours or root's,
   takes it over (root) or refuses it (others) when another user owns it, removes write bits
   for group and others. Returns its fd; dies 111 on failure (start-up only). name: for messages. */
extern int privdir_open (char const *name) ;
/* Makes FN in dfd a FIFO of ours: anything else there (another user's FIFO, a file, a link)
   is replaced, with a warning. Dies 111 on failure. */
extern void privdir_fifo (int dfd, char const *fn) ;
/* Opens FIFO FN (O_RDONLY or O_WRONLY), non-blocking, close-on-exec, never through a link;
   sets it to 0600 if group or others had any access. -1 with errno. */
extern int privdir_openfifo (int dfd, char const *fn, int flags) ;
/* Opens (creates) the lock file, a regular file of ours. -1 with errno. */
extern int privdir_lock (int dfd) ;
/* Makes FN a directory of ours, 0700, and returns its fd. Dies 111 on failure. */
extern int privdir_eventdir (int dfd, char const *fn) ;
/* Removes each name (NULL-terminated list) that exists and is not a regular file of ours. */
extern void privdir_sweep (int dfd, char const *const *names) ;
/* Writes s to tmp (a new file: a stale one is unlinked first; links never followed), then
   renames it to fn. 1 on success, 0 with errno. */
extern int privdir_write (int dfd, char const *fn, char const *tmp, char const *s, size_t len) ;

#endif
