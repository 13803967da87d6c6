/* tend/usage.h: --help and --version, answered the same way by every program. */
#ifndef TEND_USAGE_H
#define TEND_USAGE_H

/* The release's version, from package/info (the build generates it; nothing else spells it). */
extern char const *tend_usage_version (void) ;

/* If argv[1] is --help: "usage: USAGE", then HELP (one line per option, each ending with a
   newline), then the --help and --version lines, on stdout, and exit 0. If argv[1] is
   --version: "PROG (tend) VERSION" on stdout, exit 0. Anything else returns at once.
   Only the first argument counts: a chainloader's program, svlog's script or svwait's
   command after it are never read as options (daemontools scripts never start with them). */
extern void tend_usage_first (int argc, char const *const *argv, char const *usage, char const *help) ;

#endif
