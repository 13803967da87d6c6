/* tend/svpath.h: how a client turns a service argument into a directory. */
#ifndef TEND_SVPATH_H
#define TEND_SVPATH_H

#include <skalibs/stralloc.h>

/* Where the running tree records its live scan directory: a symlink
   $TEND_RUNDIR/scandir (TEND_RUNDIR defaults to /run/tend) pointing at it. When /run/tend
   cannot be written (a non-root user on a read-only root), svinit records it in
   /tmp/tend-EUID/scandir instead, a fixed place a `docker exec` as the same uid finds with no
   variable set. */
#define TEND_RUNDIR_DEFAULT "/run/tend"
#define TEND_RUNDIR_FALLBACK "/tmp/tend-"
#define TEND_RUNDIR_FALLBACK_LEN (sizeof(TEND_RUNDIR_FALLBACK) + 20)
#define TEND_SCANDIR_RECORD "scandir"
#define TEND_SCANDIR_DEFAULT "/etc/service"

/* The scan directory for bare names: $SVDIR, else the recorded live dir ($TEND_RUNDIR/scandir;
   with TEND_RUNDIR unset and no /run/tend/scandir, /tmp/tend-EUID/scandir when that directory
   is the caller's or root's and writable by nobody else: else ignored with a warning), else
   /etc/service.
   Appends it (no trailing NUL) to sa; 1 on success, 0 on allocation failure. */
extern int tend_svpath_scandir (stralloc *) ;
/* A path (has a '/', or names an existing directory) is used as is; a bare name is
   looked up in the scan directory. NAME/log that does not exist as given is a bare name (a
   service's logger). Appends a NUL-terminated path; 1/0. */
extern int tend_svpath_resolve (stralloc *, char const *) ;
/* Writes the record: a symlink RUNDIR/scandir -> dir (atomically). 1/0, errno set. */
extern int tend_svpath_record (char const *) ;
/* Writes the record in the fallback /tmp/tend-EUID, made if missing and refused (warning, 0,
   EPERM) when it fails the checks the clients make; its name goes to where
   (TEND_RUNDIR_FALLBACK_LEN bytes). 1/0, errno set. */
extern int tend_svpath_record_fallback (char const *, char *) ;

#endif
