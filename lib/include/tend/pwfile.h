/* tend/pwfile.h: account lookups that read /etc/passwd and /etc/group themselves (no NSS). */
#ifndef TEND_PWFILE_H
#define TEND_PWFILE_H

#include <sys/types.h>
#include <skalibs/stralloc.h>
#include <skalibs/genalloc.h>

/* The files read; $TEND_PASSWD and $TEND_GROUP, when set and not empty, name others
   (for tests, and for images that keep them elsewhere). */
#define TEND_PWFILE_PASSWD "/etc/passwd"
#define TEND_PWFILE_GROUP "/etc/group"

typedef struct tend_pwfile_ids_s tend_pwfile_ids_t ;
struct tend_pwfile_ids_s
{
  uid_t uid ;
  gid_t gid ;
  genalloc groups ;  /* gid_t: the groups to set, the primary first, no duplicates */
} ;
#define TEND_PWFILE_IDS_ZERO { .uid = 0, .gid = 0, .groups = GENALLOC_ZERO }

/* The passwd entry named name: 1 found (uid, gid set), 0 none, -1 error (errno). */
extern int tend_pwfile_byname (char const *name, uid_t *uid, gid_t *gid) ;
/* The first passwd entry with this uid: 1 found (its name appended to sa with a NUL,
   gid set), 0 none, -1 error (errno). */
extern int tend_pwfile_byuid (uid_t uid, stralloc *sa, gid_t *gid) ;
/* Appends to g (gid_t) every group of the group file that lists user as a member and is
   not in g yet. 1 on success, 0 on error (errno). */
extern int tend_pwfile_groups (char const *user, genalloc *g) ;

/* Resolves an account argument of setuidgid/envuidgid:
     NAME       its passwd entry (tried first, so a name made of digits still works)
     UID        a number: its passwd entry if there is one, else gid 0 (as docker run
                --user UID and Kubernetes runAsUser do) with no supplementary group
     UID:GID    numbers, used as they are; the only group is GID
   groups gets the primary gid then, for a passwd entry and unless single, every group
   of the group file that lists the name. Returns 1 resolved, 0 unknown account,
   -1 error reading the files (errno), -2 a number too large for a uid or gid
   (4294967295, "(uid_t)-1", is not a valid id either). */
extern int tend_pwfile_resolve (char const *account, tend_pwfile_ids_t *ids, int single) ;
/* The same, dying 111 with daemontools' code and a message naming the account unless it
   resolved (the one behaviour setuidgid and envuidgid share). */
extern void tend_pwfile_xresolve (char const *account, tend_pwfile_ids_t *ids, int single) ;

#endif
