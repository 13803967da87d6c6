/* status: lib/status decoding, svwait's reading of a status (lib/wait's tend_wait_satisfied)
   and svstat -j's writer. Whatever the status file's bytes and the service's name and path,
   unpack never reads past the bytes it was given, a valid status survives pack/unpack
   unchanged, svwait's answers hang together (up is never down, ready and restarted imply up,
   up needs a pid), and svstat -j writes exactly one line that is one valid JSON object.
   svstat.c is compiled into this file with its main renamed, its stdout captured in memory
   (fuzz.h). */

#include "fuzz.h"
#include <tend/wait.h>
#define main svstat_main
#include "../../cmd/svstat/svstat.c"
#undef main

static char const *const errs[] =
{
  "unable to chdir", "unable to stat down", "unable to open supervise/ok: not a FIFO",
  "unable to open supervise/ok", "unable to read supervise/status: not a regular file",
  "unable to open supervise/status", "unable to read supervise/status",
  "unable to read supervise/status: bad format"
} ;

int LLVMFuzzerTestOneInput (uint8_t const *data, size_t size)
{
  /* byte 0: status length (mod 65); byte 1: flags; byte 2: errno; then the status bytes,
     then the name, a NUL, the path */
  unsigned char hdr[3] = { 0, 0, 0 } ;
  size_t slen, rest ;
  char *sbuf, *text ;
  tend_status_t st ;
  svinfo_t s ;
  if (size < 3) return 0 ;
  memcpy(hdr, data, 3) ; data += 3 ; size -= 3 ;
  slen = hdr[0] % 65 ;
  if (slen > size) slen = size ;
  /* an allocation of exactly slen bytes: ASan sees any read past the file's end */
  sbuf = malloc(slen ? slen : 1) ;
  memcpy(sbuf, data, slen) ;
  rest = size - slen ;
  text = malloc(rest + 2) ;
  memcpy(text, data + slen, rest) ;
  text[rest] = 0 ; text[rest + 1] = 0 ;

  memset(&s, 0, sizeof s) ;
  if (tend_status_unpack(sbuf, slen, &st))
  {
    if (slen < TEND_STATUS_COMPAT_DAEMONTOOLS) abort() ;
    if (st.len != slen) abort() ;
    if (tend_status_valid(&st) && st.version == TEND_STATUS_VERSION && slen == TEND_STATUS_SIZE)
    {
      char again[TEND_STATUS_SIZE] ;
      tend_status_t st2 ;
      tend_status_pack(again, &st) ;
      if (!tend_status_unpack(again, TEND_STATUS_SIZE, &st2)) abort() ;
      if (st2.pid != st.pid || st2.want != st.want || st2.state != st.state || st2.flags != st.flags
       || st2.deaths != st.deaths || st2.deadline != st.deadline || st2.lastwstat != st.lastwstat
       || st2.stamp.sec != st.stamp.sec || st2.stamp.nano != st.stamp.nano) abort() ;
    }
    s.st = st ;
    /* svwait's reading of it (lib/wait): whatever the bytes, the answers hang together */
    {
      int u = tend_wait_satisfied(&st, 'u', 0), U = tend_wait_satisfied(&st, 'U', 0) ;
      int d = tend_wait_satisfied(&st, 'd', 0), D = tend_wait_satisfied(&st, 'D', 0) ;
      int r = tend_wait_satisfied(&st, 'r', hdr[2]) ;
      if ((u && !st.pid) || (U && !u) || (r && !u) || (D && !d) || (u && d)) abort() ;
      if (r != (u && st.pid != hdr[2])) abort() ;
      if (st.version && U != (u && st.state == TEND_STATE_READY)) abort() ;
    }
  }
  else if (slen >= TEND_STATUS_COMPAT_DAEMONTOOLS) abort() ;

  s.arg = text ;
  s.dir = text + strlen(text) + 1 ;
  s.normallyup = hdr[1] & 1 ;
  s.running = !!(hdr[1] & 2) ;
  s.err = errs[(hdr[1] >> 2) % (sizeof errs / sizeof *errs)] ;
  s.errnum = hdr[2] ;
  tend_tai64n_now(&now) ;
  fuzz_outlen = 0 ;
  putjsonobj(&s, !(hdr[1] & 0x80)) ;
  if (!buffer_flush(buffer_1)) abort() ;
  /* one line: the only newline is the last byte */
  if (!fuzz_outlen || fuzz_outmem[fuzz_outlen - 1] != '\n') abort() ;
  if (memchr(fuzz_outmem, '\n', fuzz_outlen - 1)) abort() ;
  if (fuzz_outmem[0] != '{') abort() ;
  if (!fuzz_json_valid(fuzz_outmem, fuzz_outlen - 1)) abort() ;
  free(sbuf) ; free(text) ;
  return 0 ;
}
