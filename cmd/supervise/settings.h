/* settings.h: the service-directory settings supervise reads at every start. */
#ifndef SUPERVISE_SETTINGS_H
#define SUPERVISE_SETTINGS_H

#include <stddef.h>

#define SETTINGS_NOTIFYFD_MAX 1023
#define SETTINGS_MAXRESTARTS_MAX 1000

typedef struct settings_s settings_t ;
struct settings_s
{
  int notifyfd ;               /* -1: none */
  int hascheck ;
  unsigned int checkinterval ; /* ms */
  unsigned int timeoutkill ;   /* ms, 0 = never */
  unsigned int timeoutfinish ; /* ms, 0 = never */
  unsigned int timeoutcheck ;  /* ms, 0 = never */
  int hasfinish ;
  int downsig ;
  unsigned int delaymin ;      /* ms */
  unsigned int delaymax ;      /* ms */
  unsigned int maxrestarts ;   /* deaths allowed within the window (0: the first is final) */
  unsigned int maxwindow ;     /* s; 0 = no max-restarts: unlimited */
  int critical ;
  int nosetsid ;
  int hasenv ;
} ;

/* Reads every setting from the cwd (the service dir). Malformed files: a warning naming the
   file and the value, and the default. Never fails. */
extern void settings_read (settings_t *) ;
/* Copies len bytes of s into d (max bytes, at least 4 * len + 1), printable ASCII as is,
   anything else as \\n \\t \\r \\\\ \\" or \\xHH; NUL-terminated. Returns the length. */
extern size_t settings_quote (char *d, size_t max, char const *s, size_t len) ;

#endif
