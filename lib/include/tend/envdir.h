/* tend/envdir.h: read a daemontools envdir into environment modifications, bounded, in the caller's buffer. */
#ifndef TEND_ENVDIR_H
#define TEND_ENVDIR_H

#include <stddef.h>

/* At most this many bytes of a file are read looking for the end of its first line: a file
   whose first line is longer is refused, never cut (a /dev/zero behind a symlink is refused
   before that: only regular files are read). */
#define TEND_ENVDIR_VALUEMAX 65536

/* Room an entry may need in the buffer: its name, '=', the value, a NUL. */
#define TEND_ENVDIR_ENTRYMAX(namelen) ((namelen) + TEND_ENVDIR_VALUEMAX + 2)

/* Reads entry NAME of the directory dfd and appends to buf[*len..max) one modification:
   "NAME=VALUE\0" (the first line, trailing spaces and tabs removed, NUL bytes turned into
   newlines) or "NAME\0" (remove NAME: an empty file, or a name that is gone or a dangling
   symlink when it is looked at). Symbolic links are followed; anything but a regular file is
   refused without being read (opened non-blocking). Returns 1 (appended), 0 (skipped: the
   name starts with '.'), -1 with errno: EILSEQ the name contains '=', EISDIR a directory,
   EINVAL not a regular file, EFBIG no newline within TEND_ENVDIR_VALUEMAX bytes, ENOBUFS the
   buffer is full, or the errno of stat, open or read. *len is unchanged on failure. */
extern int tend_envdir_entry (int dfd, char const *name, char *buf, size_t max, size_t *len) ;

/* The whole directory, for programs without a heap (supervise): modifications appended to
   buf[*len..max). Returns their number, or -1 with errno and the failing entry's name copied
   into bad (badmax bytes, NUL-terminated; empty when the directory itself failed). */
extern int tend_envdir_read (char const *dir, char *buf, size_t max, size_t *len, char *bad, size_t badmax) ;

/* The one text for a failure of the above: "unable to read DIR/NAME: REASON" (REASON as the
   errno says, with tend's own words for EILSEQ, EINVAL, EFBIG, ENOBUFS), NAME escaped so that
   no newline or control byte reaches a log raw. Returns the length written into s (max bytes,
   NUL-terminated). */
extern size_t tend_envdir_errmsg (char *s, size_t max, char const *dir, char const *name, int e) ;

#endif
