# Shared set-up for tend's bats tests: paths, a private temp dir, polling waits, pid cleanup.
# Load with:  load helpers/common   (or ../helpers/common from a subdirectory)

bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load

_tend_root=$(cd "$BATS_TEST_DIRNAME" && while [ ! -f Makefile ] && [ "$PWD" != / ] ; do cd .. ; done ; pwd)
: "${TEND_BIN:=$_tend_root/build/bin}"
: "${TEND_TESTBIN:=$_tend_root/build/testbin}"
: "${TEND_SANITIZE:=0}"
export TEND_BIN TEND_TESTBIN TEND_SANITIZE
# Our programs first; peers are only ever called by absolute path.
export PATH="$TEND_BIN:$TEND_TESTBIN:$PATH"
# make check-valgrind (tests/valgrind/run): supervise, svscan and svlog run under valgrind
# through the wrapper scripts it wrote beside the build's bin/ (svscan's own supervise path was
# built to be that wrapper); every wait_for deadline is TEND_TIME_SCALE times longer.
: "${TEND_VALGRIND:=0}"
: "${TEND_TIME_SCALE:=1}"
export TEND_VALGRIND TEND_TIME_SCALE
if [ "$TEND_VALGRIND" = 1 ] ; then
  [ -x "$TEND_BIN/../vgwrap/supervise" ] || { echo "TEND_VALGRIND=1: no wrappers in $TEND_BIN/../vgwrap (make check-valgrind writes them)" >&2 ; exit 1 ; }
  PATH="$(cd "$TEND_BIN/../vgwrap" && pwd):$PATH"
fi
# Sanitizer runs: report to stderr, fail hard; leak checks stay on.
export ASAN_OPTIONS="abort_on_error=0:exitcode=99:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"

tend_setup () {
  T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/tend.XXXXXX")
  export T
  export SVDIR="$T/service"
  export TEND_RUNDIR="$T/run"
  mkdir -p "$SVDIR"
  : > "$T/.pids"
  # names each valgrind log after the test that made it (FILE-N.TIME.PID.log)
  if [ "$TEND_VALGRIND" = 1 ] ; then export TEND_VG_TAG="$(basename "$BATS_TEST_FILENAME" .bats)-$BATS_TEST_NUMBER" ; fi
}

# skip_under_valgrind REASON: for a test that valgrind makes meaningless (it would measure
# valgrind, not the daemon, or valgrind emulates what it looks at differently): never for a
# failure it would hide.
skip_under_valgrind () { if [ "$TEND_VALGRIND" = 1 ] ; then skip "under valgrind: $1" ; fi ; }

# Remember a pid so teardown kills it (and its process group when it leads one).
track_pid () { echo "$1" >> "$T/.pids" ; }

tend_teardown () {
  [ -n "${T-}" ] || return 0
  # a test may have cd'ed into $T: leave, so the sweep below does not hit the test itself
  cd /
  if [ -f "$T/.pids" ] ; then
    while read -r p ; do
      [ -n "$p" ] || continue
      kill -TERM "$p" 2>/dev/null || true
    done < "$T/.pids"
    # give them a moment (polled), then KILL
    local i=0
    while [ $i -lt 200 ] ; do
      local alive=0
      while read -r p ; do [ -n "$p" ] && kill -0 "$p" 2>/dev/null && alive=1 ; done < "$T/.pids"
      [ $alive = 0 ] && break
      sleep 0.01 ; i=$((i+1))
    done
    while read -r p ; do
      [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
    done < "$T/.pids"
  fi
  # services started by supervise in their own sessions: kill any process whose cwd is in $T
  # (one find over /proc, not a readlink per process: teardown stays cheap on a busy machine)
  local pid
  for pid in $(find /proc/[0-9]*/cwd -maxdepth 0 \( -lname "$T" -o -lname "$T/*" \) 2>/dev/null | cut -d/ -f3) ; do
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    kill -KILL "$pid" 2>/dev/null || true
  done
  chmod -R u+rwx "$T" 2>/dev/null || true
  rm -rf "$T"
}

# tend_make ARGS...: make in the tree, clear of the outer make's MAKEFLAGS (SANITIZE=1, WERROR=1,
# jobserver), and one at a time: make check runs test files in parallel, and two container files
# building build/static at once linked half-compiled objects
tend_make () {
  mkdir -p "$_tend_root/build"
  flock "$_tend_root/build/.tests-make.lock" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$_tend_root" "$@"
}

# wait_for SECONDS CMD...: poll CMD every 10 ms until it succeeds; fail the test if the deadline passes.
wait_for () {
  local secs=$(( $1 * TEND_TIME_SCALE )) ; shift
  local end=$(( $(date +%s%N) + secs * 1000000000 ))
  while ! "$@" >/dev/null 2>&1 ; do
    if [ "$(date +%s%N)" -gt "$end" ] ; then
      echo "wait_for: timed out after ${secs}s waiting for: $*" >&2
      return 1
    fi
    sleep 0.01
  done
}

# scaled N: an upper time bound (a duration a test measured must stay under) stretched as
# wait_for's deadlines are
scaled () { echo $(( $1 * TEND_TIME_SCALE )) ; }

# svchild PARENT ARG: the supervise process PARENT started on ARG (any parent if PARENT is
# empty), found by its command line: "supervise ARG", or under valgrind valgrind's own, which
# ends in ".../supervise ARG"
svchild () {
  local pp=()
  if [ -n "$1" ] ; then pp=(-P "$1") ; fi
  if [ "$TEND_VALGRIND" = 1 ] ; then pgrep "${pp[@]}" -f "/supervise $2\$" ; else pgrep "${pp[@]}" -f "^supervise $2\$" ; fi
}
# svchildren PARENT: every supervise process PARENT started (by name; under valgrind, whose
# process name is its tool's, by command line)
svchildren () {
  if [ "$TEND_VALGRIND" = 1 ] ; then pgrep -P "$1" -f '/supervise [^ ]+$' ; else pgrep -P "$1" -x supervise ; fi
}
# svchild_other PARENT ARG PID: PARENT runs a supervise on ARG other than PID (a restarted one)
svchild_other () { svchild "$1" "$2" | grep -qvx "$3" ; }

# make_service NAME [RUN-SCRIPT-BODY]: a service dir under $SVDIR with an executable run script.
make_service () {
  local d="$SVDIR/$1"
  mkdir -p "$d"
  printf '#!/bin/sh\n%s\n' "${2:-exec sleep 1000}" > "$d/run"
  chmod +x "$d/run"
  echo "$d"
}

# start_supervise DIR: run our supervise in the background, tracked; waits until svok says it is up.
start_supervise () {
  supervise "$1" 2>>"$T/supervise.err" &
  local p=$!
  track_pid "$p"
  SUPERVISE_PID=$p
  wait_for 5 svok "$1"
}

# start_svscan ARGS...: our svscan in the background, tracked, its stdout and stderr in
# $T/svscan.out and $T/svscan.err; SVSCAN_PID is its pid.
start_svscan () {
  svscan "$@" >>"$T/svscan.out" 2>>"$T/svscan.err" &
  SVSCAN_PID=$!
  track_pid "$SVSCAN_PID"
}

# the pid supervise recorded in DIR/supervise/pid (empty when down)
svpid () { cat "$1/supervise/pid" 2>/dev/null ; }
has_pid () { [ -n "$(svpid "$1")" ] ; }
# DIR's run process (a pid other than OLD, if given) has exec'd COMM: supervise/pid also names
# a child not yet exec'd and, while it runs, the finish script; a signal sent to either may
# not reach the service (a finish that has just exited; valgrind drops a signal queued before
# an exec)
runs_prog () {
  local p c
  p=$(svpid "$1") ; [ -n "$p" ] || return 1 ; [ "$p" != "${3:-}" ] || return 1
  read -r c < "/proc/$p/comm" 2>/dev/null && [ "$c" = "$2" ]
}
no_pid () { [ -z "$(svpid "$1")" ] ; }
# user + system CPU time of a process so far, in clock ticks (100 a second)
cpu_ticks () { local f ; read -r -a f < "/proc/$1/stat" ; echo $(( f[13] + f[14] )) ; }
# a process that is gone
dead () { ! kill -0 "$1" 2>/dev/null ; }
# a file with at least N lines
nlines_ge () { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] ; }

# trapped PID: the program (svlog) takes TERM through its signalfd by now: blocked, so read, not
# delivered. Under valgrind the kernel's mask (SigBlk) is valgrind's, which blocks every signal
# while the program runs: there the signalfd's own mask (its fdinfo) says it.
trapped () {
  local fd m
  if [ "$TEND_VALGRIND" != 1 ] ; then
    [ $(( 0x$(awk '/^SigBlk/ { print $2 }' "/proc/$1/status") & 0x4000 )) != 0 ]
    return
  fi
  for fd in $(find "/proc/$1/fd" -lname 'anon_inode:\[signalfd\]' -printf '%f\n' 2>/dev/null) ; do
    m=$(awk '/^sigmask:/ { print $2 }' "/proc/$1/fdinfo/$fd" 2>/dev/null)
    [ -n "$m" ] && [ $(( 0x$m & 0x4000 )) != 0 ] && return 0
  done
  return 1
}

# service pid from the status file via svstat's pid
status_pid () { sed -n 's/.*(pid \([0-9]*\)).*/\1/p' <<<"$(svstat "$1")" ; }

is_up () { svstat "$1" | grep -q ': up (pid ' ; }
is_down () { svstat "$1" | grep -q ': down ' ; }
