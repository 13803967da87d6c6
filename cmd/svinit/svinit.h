/* svinit.h: what svinit's files share. */
#ifndef SVINIT_H
#define SVINIT_H

#include <sys/types.h>

enum { SVINIT_FMT_PLAIN, SVINIT_FMT_TAGGED, SVINIT_FMT_STAMPED, SVINIT_FMT_JSON } ;

typedef struct svinit_conf_s svinit_conf_t ;
struct svinit_conf_s
{
  char const *services ;
  char const *live ;
  char const *initdir ;
  char const *finishdir ;
  char const *mainname ;
  int services_set ;
  int initwarn ;
  int format ;
  int hasmain ;
  int grace_set ;
  unsigned int grace_ms ;
  unsigned int cmdwait_ms ;
  unsigned int nservices ;
  unsigned int nexitmap ;
  unsigned char exitmap[256][2] ;
} ;
extern svinit_conf_t conf ;

extern int svinit_goodname (char const *) ;
extern unsigned int svinit_run_dir (char const *, char const *, int) ;

/* tag.c: whole lines of two pipes (stdout, stderr of a one-shot) to our stdout, tagged */
extern void svinit_tag_pipes (char const *, int, int, int) ;
extern size_t svinit_format_line (char *, size_t, char const *, int, char const *, size_t, int) ;
/* the input buffer of each stream: one read takes a full pipe (64 KiB); a line longer than
   this is cut (records never exceed PIPE_BUF anyway) */
#define SVINIT_LINEMAX 65536

/* main.c */
extern void svinit_prepare_main (char const *, char const *const *) ;
#define MODEFILE "svinit-mode"
#define STDERRFIFO "svinit-stderr"
#define WRAPPEDRUN "svinit-run"
#define OPTOUTFILE "svinit-untagged"
enum { SVINIT_MODE_MAIN = 1, SVINIT_MODE_WRAP, SVINIT_MODE_LOGGER, SVINIT_MODE_FINISH } ;
extern void svinit_prepare_finish (char const *) ;
extern void svinit_finishrun (char const *) __attribute__((noreturn)) ;
extern int svinit_runmode (int, char const *const *) ;
extern void svinit_wraprun (char const *const *) __attribute__((noreturn)) ;
extern void svinit_loggerrun (char const *) __attribute__((noreturn)) ;
extern void svinit_tagged_service (char const *, char const *, char const *) ;
extern void svinit_writefile (char const *, char const *, char const *, size_t) ;
extern char const *svinit_self (void) ;
extern void svinit_mainrun (void) __attribute__((noreturn)) ;
extern void svinit_exec_svscan (char const *) __attribute__((noreturn)) ;

#endif
