/* exec.c: PATH search with a shell's 126/127 verdicts, and exec with environment modifications. */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <skalibs/strerr.h>
#include <tend/exec.h>

extern char **environ ;

int tend_exec_ae (char const *const *argv, char const *const *envp, char const *path)
{
  char const *file = argv[0] ;
  size_t flen ;
  int found = 0, saved = ENOENT ;
  /* an empty name is "command not found" to a shell, not a permission problem */
  if (!file || !*file) { errno = ENOENT ; return 127 ; }
  if (strchr(file, '/'))
  {
    execve(file, (char *const *)argv, (char *const *)envp) ;
    return errno == ENOENT || errno == ENOTDIR ? 127 : 126 ;
  }
  if (!path) path = getenv("PATH") ;
  if (!path) path = TEND_EXEC_DEFAULTPATH ;
  flen = strlen(file) ;
  for (;;)
  {
    size_t dlen = strcspn(path, ":") ;
    /* a candidate longer than PATH_MAX could only fail with ENAMETOOLONG: skip it without
       building it, so the buffer stays small (svscan runs this on an 8 KiB child stack) */
    char fn[dlen + flen + 2 > PATH_MAX ? 1 : dlen + flen + 2] ;
    int e ;
    if (dlen + flen + 2 > PATH_MAX)
    {
      if (!path[dlen]) break ;
      path += dlen + 1 ;
      continue ;
    }
    /* an empty PATH element means the current directory, as in a shell */
    if (dlen) { memcpy(fn, path, dlen) ; fn[dlen] = '/' ; memcpy(fn + dlen + 1, file, flen + 1) ; }
    else memcpy(fn, file, flen + 1) ;
    execve(fn, (char *const *)argv, (char *const *)envp) ;
    e = errno ;
    switch (e)
    {
      case ENOENT : case ENOTDIR : case ENAMETOOLONG : case ELOOP : case ESTALE : break ;
      case EACCES :
      {
        /* EACCES also comes from a directory of PATH we may not search: that is "not here",
           like bash, unless the file itself exists (then a later hit may still win) */
        struct stat st ;
        if (!found && stat(fn, &st) == 0 && !S_ISDIR(st.st_mode)) { found = 1 ; saved = e ; }
        break ;
      }
      default :
        /* found and refused for another reason (ENOEXEC, ETXTBSY, E2BIG...): stop here */
        errno = e ;
        return 126 ;
    }
    if (!path[dlen]) break ;
    path += dlen + 1 ;
  }
  errno = saved ;
  return found ? 126 : 127 ;
}

void tend_exec_x (char const *const *argv)
{
  int code = tend_exec_ae(argv, (char const *const *)environ, 0) ;
  strerr_diefusys(code, "run ", argv[0] ? argv[0] : "") ;
}

/* Variable names compare up to '=' or the end of the string. */
static int namecmp (char const *a, char const *b)
{
  for (;; a++, b++)
  {
    unsigned char ca = *a == '=' ? 0 : (unsigned char)*a ;
    unsigned char cb = *b == '=' ? 0 : (unsigned char)*b ;
    if (ca != cb) return ca < cb ? -1 : 1 ;
    if (!ca) return 0 ;
  }
}

typedef struct modif_s modif_t ;
struct modif_s { char const *s ; size_t i ; } ;

static int modifcmp (void const *a, void const *b)
{
  modif_t const *x = a, *y = b ;
  int r = namecmp(x->s, y->s) ;
  return r ? r : x->i < y->i ? -1 : x->i > y->i ;
}

static int keycmp (void const *key, void const *elem)
{
  return namecmp(key, ((modif_t const *)elem)->s) ;
}

void tend_exec_xm (char const *const *argv, char const *modifs, size_t len, size_t n)
{
  /* the program is looked up in the PATH we were given, not one an envdir sets */
  char const *path = getenv("PATH") ;
  size_t envlen = 0, m = 0, k = 0 ;
  modif_t *mod ;
  char const **v ;
  int code ;
  if (!n) tend_exec_x(argv) ;
  while (environ[envlen]) envlen++ ;
  mod = malloc(n * sizeof(modif_t)) ;
  v = malloc((envlen + n + 1) * sizeof(char const *)) ;
  if (!mod || !v) strerr_diefusys(111, "merge the environment") ;
  for (size_t pos = 0 ; pos < len && k < n ; k++)
  {
    mod[k].s = modifs + pos ; mod[k].i = k ;
    pos += strlen(modifs + pos) + 1 ;
  }
  n = k ;
  /* sorted by name, and for one name by order, so the last modification of a name wins:
     the merge is then O((env + n) log n), which matters for an envdir of 10,000 files */
  qsort(mod, n, sizeof(modif_t), &modifcmp) ;
  k = 0 ;
  for (size_t i = 0 ; i < n ; i++)
  {
    if (k && !namecmp(mod[k-1].s, mod[i].s)) mod[k-1] = mod[i] ;
    else mod[k++] = mod[i] ;
  }
  n = k ;
  for (size_t i = 0 ; i < envlen ; i++)
    if (!bsearch(environ[i], mod, n, sizeof(modif_t), &keycmp)) v[m++] = environ[i] ;
  for (size_t i = 0 ; i < n ; i++)
    if (strchr(mod[i].s, '=')) v[m++] = mod[i].s ;
  v[m] = 0 ;
  code = tend_exec_ae(argv, v, path) ;
  strerr_diefusys(code, "run ", argv[0] ? argv[0] : "") ;
}
