/* tend/tai.h: TAI64N labels with daemontools' offset (2^62 + 10 + Unix time), not skalibs' +37. */
#ifndef TEND_TAI_H
#define TEND_TAI_H

#include <stdint.h>
#include <stddef.h>

#define TEND_TAI64N_PACK 12   /* binary: 8 bytes seconds, 4 bytes nanoseconds, big-endian */
#define TEND_TAI64N_FMT 25    /* text: '@' + 24 lowercase hex digits, not NUL-terminated */
#define TEND_TAI64_OFFSET (((uint64_t)1 << 62) + 10)

typedef struct tend_tai64n_s tend_tai64n_t ;
struct tend_tai64n_s
{
  uint64_t sec ;   /* the TAI64 label: TEND_TAI64_OFFSET + Unix seconds */
  uint32_t nano ;
} ;
#define TEND_TAI64N_ZERO { .sec = 0, .nano = 0 }

/* The wall clock as a daemontools label. */
extern void tend_tai64n_now (tend_tai64n_t *) ;
extern void tend_tai64n_pack (char *, tend_tai64n_t const *) ;
extern void tend_tai64n_unpack (char const *, tend_tai64n_t *) ;
/* '@' + 24 hex digits; returns TEND_TAI64N_FMT */
extern size_t tend_tai64n_fmt (char *, tend_tai64n_t const *) ;
/* parses '@' + 24 hex digits (lower case); returns bytes read (25) or 0 */
extern size_t tend_tai64n_scan (char const *, tend_tai64n_t *) ;
/* Unix seconds of a label (may be negative for bogus labels) */
extern int64_t tend_tai64n_unix (tend_tai64n_t const *) ;

#endif
