/* svlog: script parsing and line selection. The input is a script (NUL-separated directives)
   and, after an empty directive, lines. parse() must take any script without a memory error
   (a fatal error, a bad regular expression or a long prefix, returns here through fuzz.h);
   the selection eval() computes for each line must equal the one recomputed here directive by
   directive, and multilog patterns keep their meaning: a pattern without '*' matches exactly
   itself, a lone '*' matches everything. svlog.c is compiled in with its main renamed. */

/* fuzz-link: cmd/svlog/match.c cmd/svlog/logdir.c */
#include "fuzz.h"
#define main svlog_main
#include "../../cmd/svlog/svlog.c"
#undef main

static void reset (void)
{
  if (acts) for (unsigned int i = 0 ; i < nacts ; i++)
    if (acts[i].type == ACT_REPLUS || acts[i].type == ACT_REMINUS) regfree(&acts[i].re) ;
  free(acts) ; free(outs) ; free(pstore) ;
  acts = 0 ; outs = 0 ; pstore = 0 ; nacts = nouts = nalerts = 0 ; alertout = 0 ;
  needeval = needview = needre = 0 ; stamp_tai = stamp_iso = 0 ; linemax = 0 ;
}

/* glibc's regcomp copies the tree of a repeated group for each repetition: "a+++++..." or
   nested braces take gigabytes to compile. That is the C library, not svlog, and the script
   is written by whoever may write log/run (who can run anything): such expressions are left
   out (more than 4 repetition operators), not to stop the fuzzer on a known cost. */
static int regexbomb (char const *a)
{
  unsigned int n = 0 ;
  if (a[0] != '~') return 0 ;
  for (; *a ; a++) n += *a == '+' || *a == '*' || *a == '?' || *a == '{' ;
  return n > 5 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char const *argv[64] ;
  int argc = 0 ;
  char *copy ;
  size_t i = 0, lines ;
  copy = malloc(size + 1) ;
  memcpy(copy, data, size) ; copy[size] = 0 ;
  /* directives up to an empty one */
  while (i < size && argc < 63)
  {
    size_t k = strlen(copy + i) ;
    if (!k) { i++ ; break ; }
    /* a processor would be run, a directory opened: neither is parsing */
    if (copy[i] != '!' && copy[i] != '.' && copy[i] != '/' && !regexbomb(copy + i)) argv[argc++] = copy + i ;
    i += k + 1 ;
  }
  argv[argc] = 0 ;
  lines = i < size ? i : size ;
  fuzz_died = 0 ;
  fuzz_canjump = 1 ;
  if (setjmp(fuzz_diejmp)) { fuzz_canjump = 0 ; reset() ; free(copy) ; return 0 ; }
  parse(argc, argv) ;
  fuzz_canjump = 0 ;
  for (unsigned int k = 0 ; k < nacts ; k++)
    /* alerts and status files do I/O: selection is what is under test */
    if (acts[k].type == ACT_ALERT || acts[k].type == ACT_STATUS) acts[k].type = -1 ;
  memset(ln.stamp, '@', sizeof ln.stamp) ;

  /* each remaining line (newline-separated, at most headtext bytes) through eval */
  while (lines < size)
  {
    char const *nl = memchr(copy + lines, '\n', size - lines) ;
    size_t len = nl ? (size_t)(nl - copy) - lines : size - lines ;
    size_t tl = len > headtext ? headtext : len ;
    char *line = malloc(tl ? tl : 1) ;
    int sel = 1 ;
    memcpy(line, copy + lines, tl) ;
    eval(line, tl) ;
    for (unsigned int k = 0 ; k < nacts ; k++)
    {
      action *a = acts + k ;
      switch (a->type)
      {
        case ACT_PLUS : if (!sel && svlog_match(a->arg + 1, view, viewlen)) sel = 1 ; break ;
        case ACT_MINUS : if (sel && svlog_match(a->arg + 1, view, viewlen)) sel = 0 ; break ;
        case ACT_REPLUS : if (!sel && rematch(a)) sel = 1 ; break ;
        case ACT_REMINUS : if (sel && rematch(a)) sel = 0 ; break ;
        case ACT_OUTPUT : if (outs[a->out].sel != sel) abort() ; break ;
      }
    }
    if (needview && viewlen != stamplen + tl) abort() ;
    /* pattern meaning, on the line itself */
    for (unsigned int k = 0 ; k < nacts ; k++)
    {
      char const *p = acts[k].arg + 1 ;
      if (acts[k].type != ACT_PLUS && acts[k].type != ACT_MINUS) continue ;
      if (!strchr(p, '*') && svlog_match(p, line, tl) != (strlen(p) == tl && !memcmp(p, line, tl))) abort() ;
    }
    if (!svlog_match("*", line, tl)) abort() ;
    free(line) ;
    lines += len + 1 ;
  }
  reset() ;
  free(copy) ;
  return 0 ;
}
