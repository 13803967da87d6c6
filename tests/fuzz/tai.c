/* tai: TAI64N labels (lib/tai) and tai64nlocal's input. tend_tai64n_scan accepts exactly '@'
   and 24 lowercase hex digits and round-trips through tend_tai64n_fmt; tai64nlocal, fed any
   bytes on its stdin, keeps every line (as many newlines out as in), never reads or writes out
   of bounds, and passes a line that starts with neither '@' nor a digit through unchanged.
   tai64nlocal.c is compiled in with its main renamed, its stdout captured in memory. */

#include "fuzz.h"
#include <fcntl.h>
#include <tend/tai.h>
#define main tai64nlocal_main
#include "../../cmd/tai64nlocal/tai64nlocal.c"
#undef main

int LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc ; (void)argv ;
  setenv("TZ", "UTC", 1) ;
  return 0 ;
}

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  char const *av[2] = { "tai64nlocal", 0 } ;
  char *label ;
  tend_tai64n_t t ;
  int p[2] ;
  size_t inl = 0, onl = 0, k ;
  /* the label scanner, on exactly the input's bytes (ASan sees any read past them) */
  label = malloc(size >= TEND_TAI64N_FMT ? size : TEND_TAI64N_FMT) ;
  memset(label, 'x', size >= TEND_TAI64N_FMT ? size : TEND_TAI64N_FMT) ;
  memcpy(label, data, size) ;
  k = tend_tai64n_scan(label, &t) ;
  if (k)
  {
    char again[TEND_TAI64N_FMT] ;
    if (k != TEND_TAI64N_FMT || size < TEND_TAI64N_FMT) abort() ;
    if (tend_tai64n_fmt(again, &t) != TEND_TAI64N_FMT || memcmp(again, label, TEND_TAI64N_FMT)) abort() ;
  }
  free(label) ;

  /* tai64nlocal: the input through a pipe on fd 0 (at most 64 KiB: the pipe's capacity) */
  if (size > 60000) return 0 ;
  if (pipe(p) < 0) abort() ;
  if (size && write(p[1], data, size) != (ssize_t)size) abort() ;
  close(p[1]) ;
  /* fd 0 was closed by the last run: pipe() may have given it already */
  if (p[0]) { if (dup2(p[0], 0) < 0) abort() ; close(p[0]) ; }
  fuzz_outlen = 0 ;
  if (tai64nlocal_main(1, av) != 0) abort() ;
  close(0) ;
  for (size_t i = 0 ; i < size ; i++) inl += data[i] == '\n' ;
  for (size_t i = 0 ; i < fuzz_outlen ; i++) onl += fuzz_outmem[i] == '\n' ;
  if (inl != onl) abort() ;
  if (size && data[0] != '@' && !(data[0] >= '0' && data[0] <= '9') && !memchr(data, '\n', size))
    if (fuzz_outlen != size || memcmp(fuzz_outmem, data, size)) abort() ;
  return 0 ;
}
