/* tend/exec.h: chainloading exec with a shell's 126/127 exit codes and a message naming the program. */
#ifndef TEND_EXEC_H
#define TEND_EXEC_H

#include <stddef.h>

/* Used when PATH is unset (the shells' and docker's usual search list). */
#define TEND_EXEC_DEFAULTPATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Runs argv[0] with argv and envp, searching path (PATH of the current environment when
   NULL) if argv[0] has no '/'. Returns only on failure: 127 if no such program was found,
   126 if one was found but could not be run; errno tells why. */
extern int tend_exec_ae (char const *const *argv, char const *const *envp, char const *path) ;

/* The same with the current environment, then dies with
   "PROG: fatal: unable to run ARGV0: REASON" and 126 or 127. */
extern void tend_exec_x (char const *const *argv) __attribute__((noreturn)) ;

/* Merges n modifications ("NAME=VALUE\0" sets, "NAME\0" removes; distinct names, the last
   one wins otherwise) into the current environment, then as tend_exec_x. The program is
   searched in the PATH that was in force before the modifications, as daemontools does.
   Dies 111 if memory runs out. */
extern void tend_exec_xm (char const *const *argv, char const *modifs, size_t len, size_t n) __attribute__((noreturn)) ;

#endif
