#!/usr/bin/env bats
# svlog after the wall clock steps back: archive names keep sorting after the newest one, so
# pruning (oldest name first) never removes what was just written.

load helpers/common

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1

setup () {
  tend_setup
  cd "$T"
  [ -f "$FAKETIME_LIB" ] || skip "libfaketime (Debian package libfaketime) is not installed: $FAKETIME_LIB missing"
  # libfaketime works through LD_PRELOAD, which a static program never reads
  ldd "$TEND_BIN/svlog" >/dev/null 2>&1 || skip "svlog is statically linked: libfaketime (LD_PRELOAD) cannot move its clock"
}
teardown () {
  cd /
  tend_teardown
}

archives () { ls "$1" | grep -E '^@4000[0-9a-f]{20}\.[su]$' ; }

# svlog with the wall clock moved by $1 (libfaketime's syntax, e.g. -1d); monotonic left alone
svlog_at () {
  local off=$1 ; shift
  # ASan wants to be first among the preloaded libraries: it is linked in, so let faketime be
  ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0" \
  LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$off" FAKETIME_DONT_FAKE_MONOTONIC=1 svlog "$@"
}

@test "svlog clock: a step back of a day: new archives still sort newest, the newest lines are kept" {
  seq 1 3000 > in1
  seq 3001 6000 > in2
  svlog s4096 n5 ./d < in1
  before=$(archives d | tail -n 1)
  svlog_at -1d s4096 n5 ./d < in2
  # the faked clock did reach svlog: its own stamps are a day back
  [ "$(svlog_at -1d t 1 <<< x | cut -c2-17)" \< "$(svlog t 1 <<< x | cut -c2-17)" ]
  [ "$(archives d | wc -l)" = 4 ]
  # every archive made after the step sorts after the one made before it
  for f in $(archives d) ; do [ "$f" \> "$before" ] ; done
  # what is kept is the tail of everything written, in name order, nothing missing between
  cat $(archives d | sed 's|^|d/|') d/current > kept
  cat in1 in2 | tail -n "$(wc -l < kept)" | cmp - kept
  [ "$(tail -n 1 kept)" = 6000 ]
}

@test "svlog clock: names stay ordered while the clock is stuck back" {
  seq 1 3000 > in1
  svlog s4096 n100 ./d < in1
  seq 3001 9000 > in2
  svlog_at -1d s4096 n100 ./d < in2
  # name order is write order: the files in name order hold the input in order
  cat $(archives d | sed 's|^|d/|') d/current | cmp - <(cat in1 in2)
}
