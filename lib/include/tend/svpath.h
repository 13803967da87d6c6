/* tend/svpath.h: how a client turns a service argument into a directory. */
#ifndef TEND_SVPATH_H
#define TEND_SVPATH_H

#include <skalibs/stralloc.h>

/* Where the running tree records its live scan directory: a symlink
   $TEND_RUNDIR/scandir (TEND_RUNDIR defaults to /run/tend) pointing at it. */
#define TEND_RUNDIR_DEFAULT "/run/tend"
#define TEND_SCANDIR_RECORD "scandir"
#define TEND_SCANDIR_DEFAULT "/etc/service"

/* The scan directory for bare names: $SVDIR, else the recorded live dir, else /etc/service.
   Appends it (no trailing NUL) to sa; 1 on success, 0 on allocation failure. */
extern int tend_svpath_scandir (stralloc *) ;
/* A path (has a '/', or names an existing directory) is used as is; a bare name is
   looked up in the scan directory. NAME/log that does not exist as given is a bare name (a
   service's logger). Appends a NUL-terminated path; 1/0. */
extern int tend_svpath_resolve (stralloc *, char const *) ;
/* Writes the record: a symlink RUNDIR/scandir -> dir (atomically). 1/0, errno set. */
extern int tend_svpath_record (char const *) ;

#endif
