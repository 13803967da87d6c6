/* sysfail: run a program with some system calls failing, to test the paths taken on kernels or
   under seccomp policies that refuse them.
     sysfail CALL[@FD]=ERRNO [CALL[@FD]=ERRNO ...] -- prog args...
   CALL: pidfd_open, epoll_ctl, epoll_create1, ppoll, kill, fsync, read; ERRNO: ENOSYS, EPERM,
   ENOSPC, ENOMEM. A seccomp filter (inherited across fork and exec) makes each CALL fail with
   ERRNO (with @FD, only when its first argument is FD: read@6 fails reads of fd 6 alone); every
   other call goes through. */

#include <errno.h>
#include <skalibs/types.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <skalibs/strerr.h>

#define USAGE "sysfail call[@fd]=errno... -- prog args..."

#if defined(__x86_64__)
# define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
# define ARCH AUDIT_ARCH_AARCH64
#else
# error "sysfail: add this architecture's AUDIT_ARCH"
#endif

static struct { char const *name ; long nr ; } const calls[] =
{
  { "pidfd_open", SYS_pidfd_open },
  { "epoll_ctl", SYS_epoll_ctl },
  { "epoll_create1", SYS_epoll_create1 },
  { "ppoll", SYS_ppoll },
  { "kill", SYS_kill },
  { "fsync", SYS_fsync },
  { "read", SYS_read },
} ;

static struct { char const *name ; int e ; } const errnos[] =
{
  { "ENOSYS", ENOSYS }, { "EPERM", EPERM }, { "ENOSPC", ENOSPC }, { "ENOMEM", ENOMEM },
} ;

int main (int argc, char **argv)
{
  /* arch check (3), at most five per rule, allow (1) */
  struct sock_filter f[4 + 5 * 8] ;
  unsigned int n = 0, nrules = 0 ;
  int i ;
  PROG = "sysfail" ;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)) ;
  f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0) ;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS) ;
  for (i = 1 ; i < argc && strcmp(argv[i], "--") ; i++)
  {
    char const *eq = strchr(argv[i], '=') ;
    char const *at ;
    size_t c, e, namelen ;
    unsigned int fd = 0 ;
    if (!eq || nrules == 8) strerr_dieusage(100, USAGE) ;
    at = memchr(argv[i], '@', (size_t)(eq - argv[i])) ;
    namelen = (size_t)((at ? at : eq) - argv[i]) ;
    if (at && (uint_scan(at + 1, &fd) != (size_t)(eq - at - 1) || eq == at + 1)) strerr_dieusage(100, USAGE) ;
    for (c = 0 ; c < sizeof calls / sizeof *calls ; c++)
      if (strlen(calls[c].name) == namelen && !strncmp(calls[c].name, argv[i], namelen)) break ;
    for (e = 0 ; e < sizeof errnos / sizeof *errnos ; e++) if (!strcmp(errnos[e].name, eq + 1)) break ;
    if (c == sizeof calls / sizeof *calls || e == sizeof errnos / sizeof *errnos) strerr_dieusage(100, USAGE) ;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)) ;
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)calls[c].nr, 0, at ? 3 : 1) ;
    if (at)
    {
      /* the low 32 bits of the first argument (little-endian, as both arches here are) */
      f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])) ;
      f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, fd, 0, 1) ;
    }
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned int)errnos[e].e) ;
    nrules++ ;
  }
  if (i + 1 >= argc) strerr_dieusage(100, USAGE) ;
  f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) ;
  {
    struct sock_fprog prog = { .len = (unsigned short)n, .filter = f } ;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) strerr_diefusys(111, "set no_new_privs") ;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) strerr_diefusys(111, "install the seccomp filter") ;
  }
  execvp(argv[i + 1], argv + i + 1) ;
  strerr_diefusys(errno == ENOENT ? 127 : 126, "exec ", argv[i + 1]) ;
}
