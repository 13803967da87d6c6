/* pollfail: run a program whose poll and ppoll system calls all fail with ENOMEM, to test that
   a daemon backs off instead of spinning when its one blocking point keeps failing.
     pollfail prog args...
   A seccomp filter, inherited across fork and exec; every other call goes through. (sysfail
   covers the pidfd and epoll calls; this one the event loop's wait.) */

#include <errno.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <skalibs/strerr.h>

#define USAGE "pollfail prog args..."

#if defined(__x86_64__)
# define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
# define ARCH AUDIT_ARCH_AARCH64
#else
# error "pollfail: add this architecture's AUDIT_ARCH"
#endif

int main (int argc, char **argv)
{
  struct sock_filter f[] =
  {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ppoll, 2, 0),
#ifdef SYS_poll
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_poll, 1, 0),
#else
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ppoll, 1, 0),
#endif
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOMEM),
  } ;
  struct sock_fprog prog = { .len = (unsigned short)(sizeof f / sizeof *f), .filter = f } ;
  PROG = "pollfail" ;
  if (argc < 2) strerr_dieusage(100, USAGE) ;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) strerr_diefusys(111, "set no_new_privs") ;
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) strerr_diefusys(111, "install the seccomp filter") ;
  execvp(argv[1], argv + 1) ;
  strerr_diefusys(errno == ENOENT ? 127 : 126, "exec ", argv[1]) ;
}
