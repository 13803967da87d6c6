/* dirscan.c: a directory listing through getdents64 on a stack buffer, without the heap. */

#include <skalibs/nonposix.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <tend/dirscan.h>

/* the kernel's record; glibc declares it only under _GNU_SOURCE with its own getdents64 */
struct linux_dirent64
{
  uint64_t d_ino ;
  int64_t d_off ;
  unsigned short d_reclen ;
  unsigned char d_type ;
  char d_name[] ;
} ;

int tend_dirscan (char const *dir, void (*f) (char const *, void *), void *aux)
{
  char buf[1024] __attribute__((aligned(8))) ;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) ;
  if (dfd < 0) return -1 ;
  for (;;)
  {
    long r = syscall(SYS_getdents64, dfd, buf, sizeof buf) ;
    if (r < 0) { int e = errno ; close(dfd) ; errno = e ; return -1 ; }
    if (!r) break ;
    for (long off = 0 ; off < r ; )
    {
      struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off) ;
      off += de->d_reclen ;
      (*f)(de->d_name, aux) ;
    }
  }
  close(dfd) ;
  return 0 ;
}
