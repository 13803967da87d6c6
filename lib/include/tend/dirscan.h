/* tend/dirscan.h: list a directory without the heap (daemons list directories at run time). */
#ifndef TEND_DIRSCAN_H
#define TEND_DIRSCAN_H

/* Calls f(name, aux) for every entry of dir ("." and ".." included) through getdents64 on a
   stack buffer: opendir would malloc its DIR, and supervise makes no heap call after start-up.
   Returns 0, or -1 with errno if dir cannot be opened or read (f may have been called for
   some entries already). */
extern int tend_dirscan (char const *dir, void (*f) (char const *name, void *aux), void *aux) ;

#endif
