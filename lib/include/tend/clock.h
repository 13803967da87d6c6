/* tend/clock.h: the monotonic milliseconds that supervise/status deadlines are written in. */
#ifndef TEND_CLOCK_H
#define TEND_CLOCK_H

#include <stdint.h>

/* milliseconds on CLOCK_MONOTONIC: supervise writes its restart deadline in this clock, and
   svstat reads it against the same clock (both on one machine, one boot) */
extern uint64_t tend_monotonic_ms (void) ;

#endif
