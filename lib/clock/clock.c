/* clock.c: CLOCK_MONOTONIC in milliseconds, the clock of supervise's restart deadline. */

#include <time.h>
#include <tend/clock.h>

uint64_t tend_monotonic_ms (void)
{
  struct timespec ts ;
  clock_gettime(CLOCK_MONOTONIC, &ts) ;
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 ;
}
